package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.TestEnv;

/**
 * {@code crm simulate} through a real crmd's resident scheduler equals the shell's own in-process
 * run, byte for byte (what it prints and the graph and CIBs it saves), on shared conformance CIBs
 * with display and what-if options, on a generated CIB big enough to travel gzipped, and on the
 * live cluster; and crmd refuses bad simulate requests (an unknown argument, a gzip bomb, bad XML,
 * the agents' socket) with the code and a message, and answers again afterwards.
 * Runs bin/crm and bin/crmd as an operator does (one node on loopback, its heap raised to 192 MB
 * so the generated CIB fits its scheduler: the default 64 MB makes crmd refuse it and the shell
 * fall back). Bounded: about 25 cold bin/crm runs, ~40 s on a quiet machine.
 */
class ResidentSimulateTest {
    /** Conformance cases with fencing, migration, promotion, utilization, tickets, bundles. */
    private static final List<String> CASES = List.of("promoted-failed-demote", "migrate-fencing", "rec-node-2",
            "utilization", "ticket-primitive-3", "bundle-order-fencing");
    private static LocalCluster cluster;
    private static Path dir;
    private static Path crm;

    @BeforeAll
    static void start() throws Exception {
        Path repo = TestEnv.requireBuiltJars();
        TestEnv.shared();
        crm = repo.resolve("bin/crm");
        dir = Files.createTempDirectory("pulse-resident-");
        int basePort = Ports.freeBase(10);
        String before = System.getProperty("pulse.daemon.extraOpts");
        System.setProperty("pulse.daemon.extraOpts", "-Xmx192m");
        try {
            cluster = LocalCluster.start(repo, dir, 1, basePort, 2_000);
        } finally {
            if (before == null) {
                System.clearProperty("pulse.daemon.extraOpts");
            } else {
                System.setProperty("pulse.daemon.extraOpts", before);
            }
        }
        System.out.println("ResidentSimulateTest: node in " + dir + ", port " + (basePort + 1));
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> cluster.agreedDc(1) != null),
                "no DC within 60 s; log in " + dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    record Run(int exit, String stdout, String stderr) {
    }

    private static Run crm(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(crm.toString(), "--socket", cluster.socket(1).toString()));
        cmd.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "err-", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        pb.environment().remove("CIB_file");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("bin/crm " + String.join(" ", args) + " ran over 120 s");
        }
        return new Run(p.exitValue(), out, Files.readString(err));
    }

    /** The same simulate through crmd (--via-crmd: no fallback) and in the shell's process; both outputs equal. */
    private static void assertSameBothWays(Path cib, String label, String... options) throws Exception {
        List<String> docs = List.of("--save-graph", "--save-input", "--save-output");
        String[] results = new String[2];
        List<List<String>> saved = new ArrayList<>();
        for (int way = 0; way < 2; way++) {
            List<String> args = new ArrayList<>(List.of("--cib-file", cib.toString(), "simulate",
                    way == 0 ? "--via-crmd" : "--in-process"));
            args.addAll(List.of(options));
            List<String> files = new ArrayList<>();
            for (String d : docs) {
                Path f = dir.resolve(label + "-" + way + d.substring(6) + ".xml");
                args.add(d);
                args.add(f.toString());
                files.add(f.toString());
            }
            Run r = crm(args.toArray(String[]::new));
            assertEquals(0, r.exit(), label + " " + (way == 0 ? "via crmd" : "in process") + ": " + r.stderr());
            results[way] = r.stdout();
            List<String> contents = new ArrayList<>();
            for (String f : files) {
                contents.add(Files.readString(Path.of(f)));
            }
            saved.add(contents);
        }
        assertTrue(List.of(options).contains("-Q") || !results[1].isEmpty(), label + ": in-process run printed nothing");
        assertEquals(results[1], results[0], label + ": crm simulate through crmd printed something else than in-process");
        for (int i = 0; i < docs.size(); i++) {
            assertTrue(!saved.get(1).get(i).isEmpty(), label + ": " + docs.get(i) + " wrote nothing");
            assertEquals(saved.get(1).get(i), saved.get(0).get(i), label + ": " + docs.get(i) + " differs through crmd");
        }
    }

    @Test
    void conformanceCibsScheduleTheSameThroughCrmd() throws Exception {
        Path cases = TestEnv.shared().resolve("conformance/cases");
        for (String c : CASES) {
            Path cib = cases.resolve(c).resolve("cib.xml");
            TestEnv.require(Files.isRegularFile(cib), "the conformance case " + cib);
            assertSameBothWays(cib, c, "-s", "-U", "-c");
        }
        // what-if: quorum lost, a ticket revoked, the transition carried out (at a fixed time: the
        // results it records are dated, and the two runs are seconds apart)
        assertSameBothWays(cases.resolve("ticket-primitive-3/cib.xml"), "whatif", "--set-datetime",
                "2024-03-01T12:00:00Z", "--quorum", "0",
                "--ticket-revoke", "ticketA", "--run");
        assertSameBothWays(cases.resolve("utilization/cib.xml"), "canonical", "--canonical");
    }

    @Test
    void aBigCibTravelsGzippedAndSchedulesTheSame() throws Exception {
        TestEnv.requireCommand("python3");
        Path big = dir.resolve("cib-4x500-full.xml");
        Process gen = new ProcessBuilder("python3", TestEnv.shared().resolve("bench/gen_cib.py").toString(), "-n", "4",
                "-m", "500", "--probes", "full", "-o", big.toString()).inheritIO().start();
        assertTrue(gen.waitFor(60, TimeUnit.SECONDS) && gen.exitValue() == 0, "gen_cib.py failed");
        assertTrue(Files.size(big) > (1 << 20), "the generated CIB is under the gzip threshold: " + Files.size(big));
        assertSameBothWays(big, "big", "-Q");
    }

    @Test
    void theLiveClusterIsScheduledByCrmd() throws Exception {
        // the same CIB from a file in process and live through crmd (retried: a status update may land between)
        String live = null;
        String offline = null;
        for (int attempt = 0; attempt < 3 && (live == null || !live.equals(offline)); attempt++) {
            AdminResponse q = cluster.admin(1, AdminRequest.query(cluster.nextId()));
            assertTrue(q.ok(), () -> "query: " + q.error());
            Path copy = dir.resolve("live-copy.xml");
            Files.writeString(copy, q.result().string("xml").orElseThrow());
            Run l = crm("simulate", "-s");
            assertEquals(0, l.exit(), "crm simulate on the live cluster: " + l.stderr());
            live = l.stdout();
            offline = crm("--cib-file", copy.toString(), "simulate", "--in-process", "-s").stdout();
        }
        assertTrue(live.contains("Current cluster status:") && live.contains("node1"), live);
        assertEquals(offline, live);
        // --in-process cannot serve the live cluster: it says so
        Run r = crm("simulate", "--in-process");
        assertNotEquals(0, r.exit());
        assertTrue(r.stderr().contains("--cib-file"), r.stderr());
    }

    @Test
    void badRequestsAreRefusedAndCrmdAnswersAfterwards() throws Exception {
        long now = System.currentTimeMillis();
        AdminResponse unknown = cluster.admin(1, new AdminRequest(cluster.nextId(), AdminOp.SIMULATE,
                AdminArgs.of("cib_file", "/etc/shadow", "now_ms", now)));
        assertEquals(AdminError.BAD_REQUEST, unknown.error().code());
        assertTrue(unknown.error().message().contains("cib_file"), unknown.error().message());
        // 1 GiB declared in a few bytes: refused before anything is unpacked
        AdminResponse bomb = cluster.admin(1, new AdminRequest(cluster.nextId(), AdminOp.SIMULATE,
                AdminArgs.of("cib_gz", "H4sIAAAAAAAA/wMAAAAAAAAAAAA=", "cib_bytes", 1L << 30, "now_ms", now)));
        assertEquals(AdminError.TOO_LARGE, bomb.error().code(), bomb.error().message());
        AdminResponse badXml = cluster.admin(1, new AdminRequest(cluster.nextId(), AdminOp.SIMULATE,
                AdminArgs.of("cib", "<cib><configuration></cib>", "now_ms", now)));
        assertEquals(AdminError.INVALID_CIB, badXml.error().code(), badXml.error().message());
        // agents may not use crmd's scheduler
        Path agents = cluster.socket(1).resolveSibling(cluster.socket(1).getFileName().toString()
                .replace(".sock", "-agents.sock"));
        if (Files.exists(agents)) {
            AdminResponse agent = new org.pulse.lab.cluster.FailoverAdmin().call(agents, new AdminRequest(cluster.nextId(),
                    AdminOp.SIMULATE, AdminArgs.of("now_ms", now)));
            assertEquals(AdminError.ACCESS_DENIED, agent.error().code(), agent.error().message());
        }
        // bad what-if values: the shell reports what it would report in process (same words)
        Path cib = TestEnv.shared().resolve("conformance/cases/utilization/cib.xml");
        Run via = crm("--cib-file", cib.toString(), "simulate", "--via-crmd", "--node-up", "no-such-node");
        Run local = crm("--cib-file", cib.toString(), "simulate", "--in-process", "--node-up", "no-such-node");
        assertEquals(1, via.exit());
        assertTrue(via.stderr().contains("no-such-node") && via.stderr().contains("bad-request"), via.stderr());
        assertTrue(local.stderr().contains("no-such-node"), local.stderr());
        AdminResponse ok = cluster.admin(1, new AdminRequest(cluster.nextId(), AdminOp.SIMULATE,
                AdminArgs.of("now_ms", now)));
        assertTrue(ok.ok(), () -> "live simulate after the refusals: " + ok.error());
    }
}
