package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jgroups.JChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A starved suspect tells the others it was paused, and they drop their suspicion. node3 runs in a
 * JVM of its own (NodeMain), node1 (the coordinator, which is the member that raises suspicions)
 * and node2 in this one. node3 is frozen with SIGSTOP: first briefly ({@value #SHORT_STOP_MS} ms,
 * below the detection time), so its next heartbeats announce the pause; then for
 * {@value #LONG_STOP_MS} ms, longer than the detection time D = {@value #DETECTION_MS} ms. node1
 * suspects it, but the announcement buys it the grace of D, within which it speaks again: no view
 * without node3 (in crmd: a paused node not fenced). Then node3 is frozen for good: it is removed
 * within the documented bound (detection + grace, or this node's longest hold if it was starved
 * itself, + 2 s for a loaded machine), so the grace never keeps a hung node in.
 *
 * <p>Bound: one 3-node cluster, about 10 s on a quiet machine; every wait is bounded (30 s to form).
 */
class PausedSuspectTest {
    private static final long DETECTION_MS = 500;
    private static final long SHORT_STOP_MS = 150;
    private static final long LONG_STOP_MS = 600;

    @TempDir
    Path dir;

    @Test
    void aSuspectThatAnnouncedItsPauseIsNotExcludedAndAHungOneStillIs() throws Exception {
        try (TestCluster c = new TestCluster(dir, "paused", 3, DETECTION_MS)) {
            c.start(0);
            c.recorder(0).awaitView(v -> v.size() == 1, 30_000, "node1 alone first, so it is the coordinator");
            c.start(1);
            Process child = startChild(c, 2, dir, DETECTION_MS);
            try {
                for (int i = 0; i < 2; i++) {
                    c.recorder(i).awaitView(v -> v.size() == 3, 30_000, "3 members");
                }
                Thread.sleep(2 * DETECTION_MS);
                int[] before = {c.recorder(0).size(), c.recorder(1).size()};
                long[] graceBefore = c.node(0).pauseGraces();

                signal(child, "STOP");
                Thread.sleep(SHORT_STOP_MS);
                signal(child, "CONT");
                Thread.sleep(3 * Timing.derive(DETECTION_MS).heartbeatIntervalMs()); // its heartbeats announce the pause
                signal(child, "STOP");
                Thread.sleep(LONG_STOP_MS);
                signal(child, "CONT");
                Thread.sleep(4 * DETECTION_MS);

                long[] grace = c.node(0).pauseGraces();
                long graced = grace[0] - graceBefore[0];
                long forgiven = grace[1] - graceBefore[1];
                System.out.println("FIGURE paused suspect: node3 stopped " + SHORT_STOP_MS + " ms, then " + LONG_STOP_MS
                        + " ms (D = " + DETECTION_MS + " ms): node1 held " + graced + " suspicion events for the grace, forgave "
                        + forgiven);
                for (int i = 0; i < 2; i++) {
                    List<ClusterView> views = c.recorder(i).views();
                    for (ClusterView v : views.subList(Math.min(before[i], views.size()), views.size())) {
                        assertTrue(v.members().contains("node3"), "node" + (i + 1) + " excluded the paused node3: " + v.members());
                    }
                }

                // Frozen for good: removed within the bound.
                Timing t = Timing.derive(DETECTION_MS);
                SuspicionGuard.Settings s = SuspicionGuard.Settings.of(t);
                long boundMs = t.worstCaseSilentDetectionMs() + Math.max(s.pauseGraceMs(), s.maxHoldMs()) + 2_000;
                int from = c.recorder(0).size();
                long t0 = System.nanoTime();
                signal(child, "STOP");
                c.recorder(0).await(from, e -> e.view() != null && !e.view().members().contains("node3"), boundMs,
                        "node3 (frozen for good) removed within " + boundMs + " ms");
                System.out.println("FIGURE paused suspect: node3 frozen for good, removed after "
                        + (System.nanoTime() - t0) / 1_000_000 + " ms (bound " + boundMs + " ms)");
            } finally {
                signal(child, "CONT");
                child.destroyForcibly();
                child.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static void signal(Process p, String sig) throws Exception {
        Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start();
        assertTrue(k.waitFor(10, TimeUnit.SECONDS), "kill -" + sig);
        assertEquals(0, k.exitValue(), "kill -" + sig + " " + p.pid());
    }

    /** Node {@code i} of the cluster in a JVM of its own (files in {@code dir}); its output is drained (not needed here). */
    static Process startChild(TestCluster c, int i, Path dir, long detectionMs) throws Exception {
        String classpath = Arrays.stream(new Class<?>[] {Messenger.class, NodeMain.class, JChannel.class})
                .map(k -> {
                    try {
                        return Path.of(k.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                }).distinct().collect(Collectors.joining(File.pathSeparator));
        String peers = c.addresses.stream().map(a -> a.getHostString() + ":" + a.getPort()).collect(Collectors.joining(","));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-cp", classpath, NodeMain.class.getName(), c.clusterName, TestCluster.name(i),
                c.addresses.get(i).getHostString() + ":" + c.addresses.get(i).getPort(), peers,
                dir.resolve("authkey-" + c.clusterName).toString(), Long.toString(detectionMs));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // child gone
            }
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
        return p;
    }
}
