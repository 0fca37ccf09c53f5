package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.simulate.SimulateOptions;
import org.pulse.policy.simulate.Simulation;
import org.pulse.policy.simulate.SimulationResult;

/**
 * The resident scheduler on its own (no daemon): it answers what {@link Simulation#run} answers in
 * the caller's process, for plain and gzipped CIBs and the live one, and refuses, with the code and
 * a message saying what to do, a CIB its heap cannot hold, a gzip that unpacks to another size than
 * declared, bad XML, a request without the caller's clock, and a run past its timeout.
 */
class ResidentSchedulerTest {
    private static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);
    /** A small CIB with history (one of the warm-up CIBs: 3 nodes x 30 resources). */
    private static final String CIB = Simulation.warmUpCibs().get("history-3x30.xml");
    private static final String UNPROBED = Simulation.warmUpCibs().get("probes-none-3x30.xml");

    private static ResidentScheduler scheduler(long freeHeap, long timeoutMs) {
        return new ResidentScheduler(() -> freeHeap, timeoutMs, -1, () -> true);
    }

    private static AdminRequest request(SimulateOptions o, AdminArgs cib) {
        return new AdminRequest("t-1", AdminOp.SIMULATE, o.toArgs(cib.with("now_ms", NOW.toEpochMilli())));
    }

    private static SimulateOptions whatIf() {
        return new SimulateOptions(false, false, true, List.of(), List.of(), List.of("node2"), List.of(), List.of(),
                null, null, List.of(), List.of(), List.of(), List.of(), true, false, true, true, true, true);
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static void assertSame(SimulationResult expected, AdminResponse r) throws Exception {
        assertTrue(r.ok(), () -> "refused: " + r.error());
        assertEquals(expected.text(), r.result().string("text").orElse(""));
        assertEquals(expected.graphXml(), r.result().string("graph").orElse(null));
        assertEquals(expected.inputXml(), r.result().string("input").orElse(null));
        assertEquals(expected.outputXml(), r.result().string("output").orElse(null));
        assertEquals(expected.actions(), r.result().number("actions").orElse(-1L));
    }

    @Test
    void answersWhatTheCallersOwnProcessWouldPrint() throws Exception {
        try (ResidentScheduler s = scheduler(Long.MAX_VALUE, 60_000)) {
            for (String cib : List.of(CIB, UNPROBED)) {
                for (SimulateOptions o : List.of(SimulateOptions.plain(), whatIf())) {
                    SimulationResult local = Simulation.run(XmlParser.parse("t", cib), o, NOW);
                    assertFalse(local.text().isEmpty());
                    assertSame(local, s.simulate(request(o, AdminArgs.of("cib", cib)), null));
                    byte[] bytes = cib.getBytes(StandardCharsets.UTF_8);
                    AdminArgs gz = AdminArgs.of("cib_gz", Base64.getEncoder().encodeToString(gzip(bytes)),
                            "cib_bytes", (long) bytes.length);
                    assertSame(local, s.simulate(request(o, gz), null));
                    // the live CIB, as the handler passes it
                    assertSame(local, s.simulate(request(o, AdminArgs.empty()), XmlParser.parse("live", cib)));
                }
            }
        }
    }

    @Test
    void refusesACibTheHeapCannotHoldBeforeUnpackingIt() throws Exception {
        try (ResidentScheduler s = scheduler(1_000_000, 60_000)) {
            AdminResponse r = s.simulate(request(SimulateOptions.plain(), AdminArgs.of("cib", CIB)), null);
            assertEquals(AdminError.TOO_LARGE, r.error().code());
            assertTrue(r.error().message().contains("--in-process") && r.error().message().contains("-Xmx"),
                    r.error().message());
            // a gzip bomb: 1 GB declared, checked before a byte is unpacked
            AdminArgs bomb = AdminArgs.of("cib_gz", Base64.getEncoder().encodeToString(gzip(new byte[1 << 20])),
                    "cib_bytes", 1L << 30);
            assertEquals(AdminError.TOO_LARGE, s.simulate(request(SimulateOptions.plain(), bomb), null).error().code());
        }
    }

    @Test
    void refusesBadRequestsWithWhatIsWrong() throws Exception {
        try (ResidentScheduler s = scheduler(Long.MAX_VALUE, 60_000)) {
            byte[] bytes = CIB.getBytes(StandardCharsets.UTF_8);
            String packed = Base64.getEncoder().encodeToString(gzip(bytes));
            AdminResponse lie = s.simulate(request(SimulateOptions.plain(), AdminArgs.of("cib_gz", packed,
                    "cib_bytes", (long) bytes.length / 2)), null);
            assertEquals(AdminError.BAD_REQUEST, lie.error().code());
            assertTrue(lie.error().message().contains("cib_bytes"), lie.error().message());
            // unpacked as it is read: a CIB that ends before the size it declared is refused too
            AdminResponse short_ = s.simulate(request(SimulateOptions.plain(), AdminArgs.of("cib_gz", packed,
                    "cib_bytes", (long) bytes.length * 2)), null);
            assertEquals(AdminError.BAD_REQUEST, short_.error().code());
            assertTrue(short_.error().message().contains(bytes.length + " bytes"), short_.error().message());
            AdminResponse notGzip = s.simulate(request(SimulateOptions.plain(), AdminArgs.of("cib_gz", "aGVsbG8=",
                    "cib_bytes", 5L)), null);
            assertEquals(AdminError.BAD_REQUEST, notGzip.error().code());
            AdminResponse badXml = s.simulate(request(SimulateOptions.plain(), AdminArgs.of("cib", "<cib><oops></cib>")),
                    null);
            assertEquals(AdminError.INVALID_CIB, badXml.error().code());
            AdminResponse noClock = s.simulate(new AdminRequest("t-2", AdminOp.SIMULATE, AdminArgs.of("cib", CIB)), null);
            assertEquals(AdminError.BAD_REQUEST, noClock.error().code());
            assertTrue(noClock.error().message().contains("now_ms"), noClock.error().message());
            SimulateOptions unknownNode = new SimulateOptions(false, false, false, List.of("nodeX"), List.of(),
                    List.of(), List.of(), List.of(), null, null, List.of(), List.of(), List.of(), List.of(), false,
                    false, false, false, false, false);
            AdminResponse typo = s.simulate(request(unknownNode, AdminArgs.of("cib", CIB)), null);
            assertEquals(AdminError.BAD_REQUEST, typo.error().code());
            assertTrue(typo.error().message().contains("nodeX"), typo.error().message());
            // and after all that it still answers
            assertTrue(s.simulate(request(SimulateOptions.plain(), AdminArgs.of("cib", CIB)), null).ok());
        }
    }

    @Test
    void answersWithinItsTimeoutEvenWhenTheRunDoesNot() throws Exception {
        try (ResidentScheduler s = scheduler(Long.MAX_VALUE, 0)) {
            long t0 = System.nanoTime();
            AdminResponse r = s.simulate(request(SimulateOptions.plain(), AdminArgs.of("cib", CIB)), null);
            assertEquals(AdminError.TIMEOUT, r.error().code());
            assertTrue(r.error().message().contains("--in-process"), r.error().message());
            assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "the timeout answer took over 5 s");
        }
    }

    @Test
    void optionsTravelUnchanged() throws Exception {
        SimulateOptions o = new SimulateOptions(true, true, true, List.of("a", "b"), List.of("c"), List.of("d"),
                List.of("r_start_0@a=1"), List.of("r_stop_0@a=1"), "2024-03-01", "0", List.of("T1"), List.of("T2"),
                List.of("T3"), List.of("T4"), true, true, true, true, true, true);
        assertEquals(o, SimulateOptions.fromArgs(o.toArgs(AdminArgs.empty())));
        assertEquals(SimulateOptions.plain(), SimulateOptions.fromArgs(SimulateOptions.plain().toArgs(AdminArgs.empty())));
        assertTrue(ResidentScheduler.argNames().containsAll(o.toArgs(AdminArgs.of("cib", "x", "now_ms", 1L)).asMap()
                .keySet()), "an argument the handler would refuse as unknown");
    }
    /**
     * The warm-up waits for the node to have formed (joined a quorate partition), not only for its delay:
     * nodes started together were warming up while still forming. No timing is asserted but an upper bound:
     * an unformed node never warms up, whatever the machine's load.
     */
    @Test
    void warmUpWaitsUntilTheNodeHasFormed() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean formed = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        try (ResidentScheduler s = new ResidentScheduler(() -> 64L << 20, 60_000, 20, () -> {
            asked.incrementAndGet();
            return formed.get();
        })) {
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (asked.get() < 10 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(asked.get() >= 10, "the warm-up asked whether the node formed only " + asked.get() + " times in 60 s");
            assertFalse(s.warmUpStarted(), "the warm-up started before the node formed");
            formed.set(true);
            while (!s.warmUpStarted() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(s.warmUpStarted(), "no warm-up within 60 s of the node forming");
        }
    }
}
