package org.pulse.tests.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.AtomicFiles;
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.Lrm;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.OperationResult;

/** The LRM's rules with real agent processes: one operation per resource, recurring monitors, stop. */
class LrmRealAgentsTest {
    private TestAgents agents;
    private Lrm lrm;
    private final LinkedBlockingQueue<OperationResult> reported = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() {
        agents = new TestAgents();
        lrm = new Lrm(agents.config(), reported::add);
    }

    @AfterEach
    void tearDown() {
        lrm.close();
        agents.close();
    }

    private OperationResult next() throws InterruptedException {
        OperationResult r = reported.poll(20, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no result reported within 20 s");
        }
        return r;
    }

    @Test
    void oneOperationPerResourceAtATimeDifferentResourcesTogether() throws Exception {
        Path log = agents.work().resolve("slow.log");
        Map<String, String> p = Map.of("log", log.toString(), "seconds", "0.3");
        List<Lrm.Submission> subs = new ArrayList<>();
        for (String rsc : List.of("a", "b")) {
            subs.add(lrm.submit(OperationRequest.of(rsc, TestAgents.agent("slow"), "start", 10_000, p)));
            subs.add(lrm.submit(OperationRequest.of(rsc, TestAgents.agent("slow"), "monitor", 10_000, p)));
            subs.add(lrm.submit(OperationRequest.of(rsc, TestAgents.agent("slow"), "stop", 10_000, p)));
        }
        for (Lrm.Submission s : subs) {
            OperationResult r = s.result().get(30, TimeUnit.SECONDS);
            assertEquals(0, r.rcCode(), r.summary());
        }
        List<String> lines = Files.readAllLines(log);
        Map<String, Integer> open = new HashMap<>();
        int maxTotal = 0;
        int total = 0;
        for (String line : lines) {
            String[] f = line.split(" ");
            int d = f[0].equals("begin") ? 1 : -1;
            int now = open.merge(f[1], d, Integer::sum);
            assertTrue(now <= 1, "two operations of resource " + f[1] + " overlapped:\n" + String.join("\n", lines));
            total += d;
            maxTotal = Math.max(maxTotal, total);
        }
        assertEquals(2, maxTotal, "resources a and b never ran at the same time:\n" + String.join("\n", lines));
        List<String> aOrder = lines.stream().filter(l -> l.startsWith("begin a ")).map(l -> l.split(" ")[2]).toList();
        assertEquals(List.of("start", "monitor", "stop"), aOrder);
        OperationResult monitor = subs.get(1).result().get();
        assertTrue(monitor.queueTimeMs() >= 200, "the monitor waited for start: queue-time " + monitor.queueTimeMs());
    }

    @Test
    void recurringMonitorReportsOnChangeAndStopCancelsIt() throws Exception {
        Path rcfile = agents.work().resolve("rc");
        Path runs = agents.work().resolve("runs");
        Files.writeString(rcfile, "0\n");
        Map<String, String> p = Map.of("rcfile", rcfile.toString(), "runs", runs.toString());
        assertEquals(0, lrm.submit(OperationRequest.of("f", TestAgents.agent("flip"), "start", 5_000, p))
                .result().get(20, TimeUnit.SECONDS).rcCode());
        assertEquals("f_start_0", next().operationKey());
        Lrm.Submission mon = lrm.submit(OperationRequest.monitor("f", TestAgents.agent("flip"), 50, 5_000, p));
        OperationResult first = next();
        assertEquals("f_monitor_50", first.operationKey());
        assertEquals(0, first.rcCode());
        waitForRuns(runs, 4);
        assertTrue(reported.isEmpty(), "an unchanged monitor result was reported: " + reported);

        // Renamed into place: a monitor that read the file between writeString's truncate and its write
        // would exit "" (rc 2), the race CI hit once.
        AtomicFiles.writeString(rcfile, "7\n");
        OperationResult failed = next();
        assertEquals(7, failed.rcCode());
        assertEquals(mon.callId(), failed.callId());
        assertTrue(!failed.isExpected() && lrm.lastFailure("f").isPresent());
        long before = lines(runs);
        waitForRuns(runs, before + 3);
        assertTrue(reported.isEmpty(), "an unchanged failure was reported again: " + reported);

        OperationResult stop = lrm.submit(OperationRequest.of("f", TestAgents.agent("flip"), "stop", 5_000, p))
                .result().get(20, TimeUnit.SECONDS);
        assertEquals(0, stop.rcCode());
        OperationResult cancelled = next();
        assertEquals("f_monitor_50", cancelled.operationKey());
        assertEquals(ExecStatus.CANCELLED, cancelled.execStatus());
        assertEquals("f_stop_0", next().operationKey());
        long atStop = lines(runs);
        Thread.sleep(300); // six intervals: a monitor still scheduled would have run
        assertEquals(atStop, lines(runs), "the monitor ran after stop");
        assertTrue(lrm.recurring("f").isEmpty());
    }

    @Test
    void aTimedOutAgentAndItsChildAreKilledAndTheLrmStaysHealthy() throws Exception {
        Path childPid = agents.work().resolve("child.pid");
        OperationResult r = lrm.submit(OperationRequest.of("h", TestAgents.agent("hang"), "start", 1_000,
                Map.of("childpid", childPid.toString()))).result().get(30, TimeUnit.SECONDS);
        assertEquals(ExecStatus.TIMED_OUT, r.execStatus(), r.summary());
        assertEquals(1, r.rcCode());
        assertEquals(2, r.execStatus().code(), "op-status 2 = Timed Out, as in the CIB");
        long child = Long.parseLong(Files.readString(childPid).trim());
        Path proc = Path.of("/proc/" + child);
        if (lrm.reapsOrphans()) {
            // The JVM is the orphans' subreaper: the killed child must be reaped, not left a zombie.
            for (int i = 0; i < 500 && Files.exists(proc); i++) {
                Thread.sleep(20);
            }
            assertTrue(!Files.exists(proc), "the agent's child " + child + " was killed but not reaped");
        } else {
            System.out.println("orphan reaping is off in this JVM (no --add-modules jdk.incubator.foreign "
                    + "--enable-native-access=ALL-UNNAMED): checking only that the child is dead");
            for (int i = 0; i < 100 && AgentExecutionTest.running(child); i++) {
                Thread.sleep(20);
            }
            assertTrue(!AgentExecutionTest.running(child), "the agent's child " + child + " survived the deadline");
        }
        assertEquals("h_start_0", next().operationKey());
        OperationResult stop = lrm.submit(OperationRequest.of("h2", TestAgents.agent("slow"), "stop", 5_000,
                Map.of("log", agents.work().resolve("log").toString(), "seconds", "0"))).result().get(30, TimeUnit.SECONDS);
        assertEquals(0, stop.rcCode(), "the LRM still runs agents after a timeout");
    }

    @Test
    void manyOperationsOnManyResourcesLeaveNoProcessesBehind() throws Exception {
        Path log = agents.work().resolve("many.log");
        Map<String, String> p = Map.of("log", log.toString(), "seconds", "0");
        List<Lrm.Submission> subs = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int rsc = 0; rsc < 20; rsc++) {
                for (String action : List.of("start", "monitor", "stop")) {
                    subs.add(lrm.submit(OperationRequest.of("r" + rsc, TestAgents.agent("slow"), action, 20_000, p)));
                }
            }
        }
        for (Lrm.Submission s : subs) {
            OperationResult r = s.result().get(60, TimeUnit.SECONDS);
            assertEquals(0, r.rcCode(), r.summary());
        }
        assertEquals(300, Files.readAllLines(log).stream().filter(l -> l.startsWith("end ")).count());
        long alive = ProcessHandle.current().children().filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> !c.contains("java")).orElse(true)).count();
        assertEquals(0, alive, "agent processes left running: " + ProcessHandle.current().children().map(h -> h.pid()
                + " " + h.info().commandLine().orElse("?")).toList());
        assertEquals(20, lrm.history().size());
        assertTrue(lrm.history("r7").stream().allMatch(OperationResult::isExpected));
    }

    private static long lines(Path f) throws Exception {
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    private static void waitForRuns(Path runs, long n) throws Exception {
        for (int i = 0; i < 1000 && lines(runs) < n; i++) {
            Thread.sleep(10);
        }
        assertTrue(lines(runs) >= n, "the recurring monitor did not run " + n + " times");
    }
}
