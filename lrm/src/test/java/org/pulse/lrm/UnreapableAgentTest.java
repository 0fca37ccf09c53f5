package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An agent that SIGKILL cannot end in time, for real: it ignores TERM, and has strace (in a session of its own,
 * so the LRM's group kill misses it) attach to it and then stops the tracer with SIGSTOP. Once killed, the agent
 * stays a zombie (or in its exit trace stop) that its parent, the JVM, cannot reap until the tracer waits or
 * dies: exactly what a process in uninterruptible sleep does to the LRM. Needs strace and the right to trace
 * one's own parent (root, or Yama ptrace_scope 0); skipped otherwise, except under CI=true where it must run.
 *
 * <p>Bounded: about 2 s for the timeout and the grace, a few more to watch the background reaping.
 */
class UnreapableAgentTest {
    static final long TIMEOUT_MS = 1_000;
    static final long GRACE_MS = 1_000;
    private Path dir;
    private Path tracerPidFile;
    private AgentExecutor executor;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private Lrm lrm;

    static final String AGENT = """
            #!/bin/sh
            # Ignores TERM; on start, gets itself traced by a tracer that then stops: unreapable once killed.
            trap '' TERM
            case "$1" in
              meta-data) echo '<resource-agent name="unreapable"/>'; exit 0;;
              monitor) exit 7;;
              stop) exit 0;;
            esac
            setsid strace -qq -o /dev/null -p $$ </dev/null >/dev/null 2>&1 &
            tracer=$!
            echo $tracer > "$OCF_RESKEY_tracerpid"
            i=0
            while ! grep -q "^TracerPid:[[:space:]]*$tracer\\$" /proc/$$/status; do
              i=$((i+1)); [ $i -gt 200 ] && exit 1; sleep 0.05
            done
            kill -STOP $tracer
            while :; do sleep 1; done
            """;

    @BeforeEach
    void setUp() throws IOException {
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        boolean strace = Stream.of("/usr/bin/strace", "/bin/strace").anyMatch(p -> Files.isExecutable(Path.of(p)));
        boolean mayTrace = isRoot() || yamaScope() == 0;
        if (ci && (!strace || !mayTrace)) {
            fail("CI=true but this test cannot run: it needs strace (apt-get install strace) and root");
        }
        assumeTrue(strace && mayTrace, "needs strace and the right to trace a parent process (root)");
        dir = Files.createTempDirectory("pulse-unreapable");
        Path agent = dir.resolve("resource.d/test/unreapable");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, AGENT);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        tracerPidFile = dir.resolve("tracer.pid");
        LrmConfig config = LrmConfig.defaults().withAgentDirs(List.of(dir)).withHaRsctmp(dir.resolve("rsctmp"))
                .withNodeName("node1").withKillGraceMs(GRACE_MS);
        executor = new AgentExecutor(config);
        lrm = new Lrm(executor, Clock.systemUTC(), timer, workers, r -> { });
    }

    @AfterEach
    void tearDown() throws IOException {
        killTracer();
        if (lrm != null) {
            lrm.close();
        }
        if (executor != null) {
            executor.close();
        }
        timer.shutdownNow();
        workers.shutdownNow();
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void anAgentThatOutlivesSigkillIsReportedTimedOutAndTheResourceGoesOn() throws Exception {
        OperationRequest start = OperationRequest.of("r1", AgentRef.ocf("test", "unreapable"), "start", TIMEOUT_MS,
                Map.of("tracerpid", tracerPidFile.toString()));
        OperationRequest stop = OperationRequest.of("r1", AgentRef.ocf("test", "unreapable"), "stop", 5_000, Map.of());
        long t0 = System.nanoTime();
        Lrm.Submission s1 = lrm.submit(start);
        Lrm.Submission s2 = lrm.submit(stop);
        OperationResult started = s1.result().get(30, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.println("unreapable agent: reported after " + tookMs + " ms: " + started.summary());
        assertEquals(ExecStatus.TIMED_OUT, started.execStatus(), started.summary());
        assertEquals(OcfRc.ERR_GENERIC, started.rcCode());
        assertTrue(started.exitReason().contains("no longer waited on"), started.exitReason());
        assertTrue(tookMs >= TIMEOUT_MS + GRACE_MS, "reported before the grace period ended: " + tookMs + " ms");
        assertTrue(tookMs < TIMEOUT_MS + GRACE_MS + 5_000, "reported too late: " + tookMs + " ms");
        long agentPid = started.pid();
        assertTrue(Files.exists(Path.of("/proc/" + agentPid)), "the agent " + agentPid + " was reaped after all:"
                + " the test did not make an unreapable process");

        // The resource's queue goes on while the old agent is still not reaped.
        OperationResult stopped = s2.result().get(10, TimeUnit.SECONDS);
        assertEquals(ExecStatus.DONE, stopped.execStatus(), stopped.summary());
        assertEquals(0, stopped.rcCode());
        assertTrue(Files.exists(Path.of("/proc/" + agentPid)), "agent " + agentPid + " vanished before its tracer");

        // Once the tracer lets go, the background reaping finishes the job.
        killTracer();
        for (int i = 0; i < 200 && Files.exists(Path.of("/proc/" + agentPid)); i++) {
            Thread.sleep(50);
        }
        assertFalse(Files.exists(Path.of("/proc/" + agentPid)), "agent " + agentPid + " was never reaped");
    }

    private void killTracer() throws IOException {
        if (tracerPidFile == null || !Files.exists(tracerPidFile)) {
            return;
        }
        String text = Files.readString(tracerPidFile).trim();
        if (!text.isEmpty()) {
            // SIGKILL ends a stopped process too; the tracee is detached and goes back to its parent.
            ProcessHandle.of(Long.parseLong(text)).ifPresent(ProcessHandle::destroyForcibly);
        }
        Files.delete(tracerPidFile);
    }

    private static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .anyMatch(l -> l.startsWith("Uid:") && l.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    private static int yamaScope() {
        try {
            return Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/yama/ptrace_scope")).trim());
        } catch (IOException | NumberFormatException e) {
            return 0; // no Yama: classic ptrace rules
        }
    }
}
