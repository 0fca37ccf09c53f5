package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fence device's monitor answers what Pacemaker's fencer would: running (0) when the device is
 * registered here and its own monitor passes, an error when that monitor fails, and "not running" (7)
 * only when it truly is not. crmd acknowledges a fence device's start itself (it has no process), so
 * the LRM often never sees that start; it must not answer 7 to every monitor then (each 7 added to the
 * device's fail count). Registrations outlive the LRM (a crmd restart) but not a reboot (HA_RSCTMP).
 * A real fence agent (a shell script of the fence-agents interface) counts its monitor calls.
 */
class FenceDeviceMonitorTest {
    private static final AgentRef FENCE = AgentRef.parse("stonith:fence_lrmtest");
    private Path work;
    private Path rsctmp;
    private Path calls;
    private LrmConfig config;
    private AgentExecutor executor;

    @BeforeEach
    void setUp() throws IOException {
        work = Files.createTempDirectory("pulse-fence-monitor-");
        Path sbin = Files.createDirectories(work.resolve("sbin"));
        rsctmp = Files.createDirectories(work.resolve("rsctmp"));
        calls = work.resolve("monitor-calls");
        // monitor fails while DIR/broken exists (an unreachable switch); each monitor call leaves a line.
        Path agent = sbin.resolve("fence_lrmtest");
        Files.writeString(agent, "#!/bin/sh\n"
                + "action=; dir=\n"
                + "while IFS= read -r l; do case \"$l\" in action=*) action=${l#action=};; dir=*) dir=${l#dir=};; esac; done\n"
                + "case \"$action\" in\n"
                + "  monitor) echo monitor >> \"$dir/monitor-calls\"; [ -e \"$dir/broken\" ] && exit 1; exit 0;;\n"
                + "  metadata) echo '<resource-agent name=\"fence_lrmtest\"/>'; exit 0;;\n"
                + "  *) exit 0;;\n"
                + "esac\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        config = LrmConfig.defaults().withStonithDirs(List.of(sbin)).withHaRsctmp(rsctmp).withNodeName("node1");
        executor = new AgentExecutor(config);
    }

    @AfterEach
    void tearDown() throws IOException {
        executor.close();
        try (Stream<Path> walk = Files.walk(work)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private Map<String, String> params() {
        return Map.of("dir", work.toString());
    }

    private ExecOutcome recurringMonitor() {
        return executor.execute(OperationRequest.monitor("fence", FENCE, 2_000, 5_000, params()));
    }

    private ExecOutcome probe() {
        return executor.execute(OperationRequest.probe("fence", FENCE, 5_000, params()));
    }

    private long monitorCalls() throws IOException {
        return Files.exists(calls) ? Files.readAllLines(calls).size() : 0;
    }

    /** The lab's defect: crmd acknowledged the start itself, and every monitor answered 7. */
    @Test
    void aRecurringMonitorOfADeviceWhoseStartThisLrmNeverSawAsksTheDevice() throws IOException {
        for (int i = 1; i <= 3; i++) {
            ExecOutcome o = recurringMonitor();
            assertEquals(OcfRc.SUCCESS, o.rc(), "monitor " + i + " of a registered, working device: " + o);
        }
        assertEquals(3, monitorCalls(), "each monitor must run the device's own monitor");
    }

    @Test
    void aFailingDeviceIsAnErrorNotStopped() throws IOException {
        assertEquals(OcfRc.SUCCESS, executor.execute(OperationRequest.of("fence", FENCE, "start", 5_000, params())).rc());
        Files.writeString(work.resolve("broken"), "");
        ExecOutcome o = recurringMonitor();
        assertEquals(OcfRc.ERR_GENERIC, o.rc(), "an unreachable switch is a failure to recover from: " + o);
        assertEquals(ExecStatus.DONE, o.status());
        Files.delete(work.resolve("broken"));
        assertEquals(OcfRc.SUCCESS, recurringMonitor().rc());
    }

    @Test
    void aStartThatFailsRegistersNothing() throws IOException {
        Files.writeString(work.resolve("broken"), "");
        assertEquals(OcfRc.ERR_GENERIC, executor.execute(OperationRequest.of("fence", FENCE, "start", 5_000, params())).rc());
        Files.delete(work.resolve("broken"));
        assertEquals(OcfRc.NOT_RUNNING, probe().rc(), "a device whose start failed is not running here");
    }

    @Test
    void aStoppedDeviceIsNotRunningWithoutAskingIt() throws IOException {
        assertEquals(OcfRc.SUCCESS, executor.execute(OperationRequest.of("fence", FENCE, "start", 5_000, params())).rc());
        long before = monitorCalls();
        assertEquals(OcfRc.SUCCESS, executor.execute(OperationRequest.of("fence", FENCE, "stop", 5_000, params())).rc());
        assertEquals(OcfRc.NOT_RUNNING, probe().rc());
        assertEquals(OcfRc.NOT_RUNNING, recurringMonitor().rc(), "stopped here: truly not running");
        assertEquals(before, monitorCalls(), "a stopped device's agent is not run");
        assertEquals(OcfRc.SUCCESS, executor.execute(OperationRequest.of("fence", FENCE, "start", 5_000, params())).rc());
        assertEquals(OcfRc.SUCCESS, recurringMonitor().rc(), "started again");
    }

    @Test
    void registrationsOutliveTheLrmButNotAReboot() throws IOException {
        assertEquals(OcfRc.NOT_RUNNING, probe().rc(), "never started on this node");
        assertEquals(OcfRc.SUCCESS, executor.execute(OperationRequest.of("fence", FENCE, "start", 5_000, params())).rc());
        assertEquals(OcfRc.SUCCESS, probe().rc());

        // crmd restarts: a new LRM on the same HA_RSCTMP.
        executor.close();
        executor = new AgentExecutor(config);
        long before = monitorCalls();
        assertEquals(OcfRc.SUCCESS, probe().rc(), "the device registered before the restart is still running here");
        assertEquals(before + 1, monitorCalls(), "and the probe asked the device");
        assertEquals(OcfRc.NOT_RUNNING, executor.execute(OperationRequest.probe("other", FENCE, 5_000, params())).rc(),
                "a device never started here is not running here");

        // Power cycle: HA_RSCTMP (a tmpfs) is empty again.
        executor.close();
        try (Stream<Path> walk = Files.walk(rsctmp)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(rsctmp)) {
                    Files.delete(p);
                }
            }
        }
        executor = new AgentExecutor(config);
        assertEquals(OcfRc.NOT_RUNNING, probe().rc(), "nothing is registered on a node that just booted");
    }

    /**
     * Only a start registers: crmd acknowledges a device's stop itself as well as its start, so a
     * registration a monitor made could never be undone, and a probe after the device moved away and
     * crmd restarted would find it "running" on two nodes.
     */
    @Test
    void aRecurringMonitorRegistersNothing() {
        assertEquals(OcfRc.SUCCESS, recurringMonitor().rc());
        executor.close();
        executor = new AgentExecutor(config);
        assertEquals(OcfRc.NOT_RUNNING, probe().rc(), "never started here");
    }

    @Test
    void deviceIdsCannotNameAPathOutsideTheRegistry() {
        FenceRegistry r = new FenceRegistry(rsctmp);
        for (String id : List.of("../../etc/x", "..", "a/b", "fence:0")) {
            Path m = r.marker(id);
            assertEquals(rsctmp.resolve(FenceRegistry.DIR), m.getParent(), id + " → " + m);
            r.register(id);
            assertTrue(r.isRegistered(id));
            r.unregister(id);
            assertFalse(Files.exists(m));
        }
    }

    /** Without HA_RSCTMP registrations live in memory: still no 7 for a device started by this LRM. */
    @Test
    void withoutHaRsctmpRegistrationsAreKeptInMemory() {
        executor.close();
        executor = new AgentExecutor(config.withHaRsctmp(null));
        assertEquals(OcfRc.SUCCESS, executor.execute(OperationRequest.of("fence", FENCE, "start", 5_000, params())).rc());
        assertEquals(OcfRc.SUCCESS, probe().rc());
        assertEquals(OcfRc.SUCCESS, recurringMonitor().rc());
    }
}
