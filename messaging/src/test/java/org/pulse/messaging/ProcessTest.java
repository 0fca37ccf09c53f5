package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jgroups.JChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node in a separate JVM (NodeMain) as the coordinator, two nodes in this JVM: they exchange
 * requests across processes, and the survivors' new view is timed after the child's graceful
 * close and after kill -9 of the child (SIGKILL: its sockets are reset by the kernel).
 */
class ProcessTest {
    private static final long DETECTION_MS = 500;
    private static final int TRIALS = 3;

    @TempDir
    Path dir;

    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void reapChildren() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private record Child(Process process, BlockingQueue<String> lines) {
        String await(String prefix, long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (true) {
                String line = lines.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L), TimeUnit.MILLISECONDS);
                if (line == null) {
                    throw new AssertionError("child did not print '" + prefix + "' within " + timeoutMs + " ms");
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }
    }

    private Child startChild(String cluster, List<InetSocketAddress> addrs, Path keyFile) throws Exception {
        String classpath = Arrays.stream(new Class<?>[] {Messenger.class, NodeMain.class, JChannel.class})
                .map(c -> {
                    try {
                        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                }).distinct().collect(Collectors.joining(File.pathSeparator));
        String peers = addrs.stream().map(a -> a.getHostString() + ":" + a.getPort()).collect(Collectors.joining(","));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m", "-cp", classpath, NodeMain.class.getName(), cluster, "node1",
                addrs.get(0).getHostString() + ":" + addrs.get(0).getPort(), peers, keyFile.toString(), Long.toString(DETECTION_MS));
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        children.add(p);
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
        return new Child(p, lines);
    }

    /** One trial: child coordinator + 2 local nodes; returns ms from the child's end to both survivors' new view. */
    private double trial(int n, boolean kill) throws Exception {
        String cluster = "proc" + n;
        try (TestCluster c = new TestCluster(dir, cluster, 3, DETECTION_MS)) {
            Path keyFile = dir.resolve("authkey-" + cluster);
            Child child = startChild(cluster, c.addresses, keyFile);
            child.await("READY", 30_000);
            c.start(1);
            c.start(2);
            for (int i = 1; i < 3; i++) {
                c.recorder(i).awaitView(v -> v.size() == 3, 10_000, "3 members");
                assertEquals(List.of("node1", "node2", "node3"), c.node(i).view().members(), "the child is the oldest");
            }
            child.await("VIEW node1,node2,node3", 10_000);

            // Across processes: the child answers a request, and receives a notice.
            Replies r = c.node(1).request(List.of("node1", "node3"), "test.ask", new byte[100], 3_000).get(5, TimeUnit.SECONDS);
            assertEquals(java.util.Set.of("node1"), r.replies().keySet(), r.toString());
            assertEquals("ack from node1", new String(r.replies().get("node1").payload(), StandardCharsets.UTF_8));
            assertEquals(java.util.Set.of("node3"), r.missing(), "node3's recorder does not answer");
            c.node(2).send("node1", "test.note", new byte[0]);
            child.await("MSG test.note node3", 5_000);

            int b1 = c.recorder(1).size();
            int b2 = c.recorder(2).size();
            long t0 = System.nanoTime();
            if (kill) {
                child.process().destroyForcibly(); // SIGKILL
            } else {
                child.process().getOutputStream().close(); // NodeMain leaves gracefully on EOF
            }
            long a = c.recorder(1).awaitView(b1, v -> v.members().equals(List.of("node2", "node3")), 10_000, "node2 new view").atNanos();
            long b = c.recorder(2).awaitView(b2, v -> v.members().equals(List.of("node2", "node3")), 10_000, "node3 new view").atNanos();
            assertTrue(child.process().waitFor(10, TimeUnit.SECONDS), "child ended");
            return (Math.max(a, b) - t0) / 1e6;
        }
    }

    @Test
    void killMinus9AndCloseOfACoordinatorInAnotherJvm() throws Exception {
        Timing t = Timing.derive(DETECTION_MS);
        double[] kill = new double[TRIALS];
        for (int n = 0; n < TRIALS; n++) {
            kill[n] = trial(n, true);
        }
        double close = trial(TRIALS, false);
        double[] sorted = kill.clone();
        Arrays.sort(sorted);
        System.out.printf("FIGURE kill -9 of the coordinator (separate JVM) -> survivors' new view, detection %d ms: "
                + "min %.1f / median %.1f / max %.1f ms over %d trials %s%n", DETECTION_MS, sorted[0], sorted[TRIALS / 2],
                sorted[TRIALS - 1], TRIALS, Arrays.toString(kill));
        System.out.printf("FIGURE graceful close of the coordinator (separate JVM) -> survivors' new view: %.1f ms%n", close);
        for (double k : kill) {
            // A killed process resets its connections: FD_SOCK2 + VERIFY_SUSPECT2, well inside the silent-failure bound.
            assertTrue(k <= t.worstCaseSilentDetectionMs() + 250, "kill -9 detected after " + k + " ms");
        }
        assertTrue(close <= t.worstCaseSilentDetectionMs(), "graceful close took " + close + " ms");
    }
}
