package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes in two network namespaces joined by two veth links (192.0.2.0/24 and
 * 198.51.100.0/24, TEST-NET): cutting one link for real (ip link set down) loses nobody;
 * cutting both loses the peer within the detection time. Needs root; skipped otherwise
 * (failed under CI=true).
 */
class LinkRedundancyTest {
    private static final long DETECTION_MS = 500;
    private static final int PORT = 7800;

    @TempDir
    Path dir;

    private final String tag = Long.toString(ProcessHandle.current().pid() % 100_000, 36);
    private final String nsA = "pmsg" + tag + "a";
    private final String nsB = "pmsg" + tag + "b";
    private final List<Process> children = new ArrayList<>();
    private boolean created;

    private static boolean root() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/nsenter"));
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (created) {
            // Deleting a namespace deletes the veth ends in it, and with them their peers.
            for (String ns : new String[] {nsA, nsB}) {
                new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private record Node(Process process, BlockingQueue<String> lines, List<String> history, OutputStream stdin) {
        /** Every line printed so far, consumed by await or not. */
        List<String> printed() {
            synchronized (history) {
                return List.copyOf(history);
            }
        }

        String await(String prefix, long timeoutMs) throws InterruptedException {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            while (true) {
                String line = lines.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000L), TimeUnit.MILLISECONDS);
                if (line == null) {
                    throw new AssertionError("node did not print '" + prefix + "' within " + timeoutMs + " ms");
                }
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
        }

        void command(String line) throws Exception {
            stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        }
    }

    private Node start(String ns, String name, String links, String peers, Path key) throws Exception {
        String classpath = Arrays.stream(new Class<?>[] {Messenger.class, NodeMain.class, JChannel.class})
                .map(c -> {
                    try {
                        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                }).distinct().collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder("nsenter", "--net=/run/netns/" + ns,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m", "-cp", classpath,
                NodeMain.class.getName(), "links", name, links, peers, key.toString(), Long.toString(DETECTION_MS))
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        children.add(p);
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        List<String> history = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (history) {
                        history.add(line);
                    }
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // gone
            }
        }, "ns-node-stdout");
        reader.setDaemon(true);
        reader.start();
        return new Node(p, lines, history, p.getOutputStream());
    }

    @Test
    void aNodeIsLostOnlyWhenAllItsLinksAre() throws Exception {
        twoNamespacesTwoLinks();
        Path key = dir.resolve("authkey");
        ClusterKey.generate(key);
        String a = "192.0.2.1:" + PORT + "+198.51.100.1:" + PORT;
        String b = "192.0.2.2:" + PORT + "+198.51.100.2:" + PORT;
        Node n1 = start(nsA, "node1", a, a + "," + b, key);
        n1.await("READY", 30_000);
        Node n2 = start(nsB, "node2", b, a + "," + b, key);
        n2.await("VIEW node1,node2", 30_000);
        n1.await("VIEW node1,node2", 10_000);
        int[] formed = {n1.printed().size(), n2.printed().size()};
        // Cut link 1 for real: both veth ends lose carrier, the route goes, nothing gets through.
        run("ip", "-n", nsA, "link", "set", "pm" + tag + "a1", "down");
        Thread.sleep(6 * DETECTION_MS);
        n1.command("send node2 test.viasecond");
        n2.await("MSG test.viasecond node1", 5_000);
        n2.command("send node1 test.back");
        n1.await("MSG test.back node2", 5_000);
        Node[] both = {n1, n2};
        for (int i = 0; i < 2; i++) {
            List<String> since = both[i].printed().subList(formed[i], both[i].printed().size());
            assertTrue(since.stream().anyMatch(l -> l.startsWith("MSG ")), "history is being checked: " + since);
            for (String line : since) {
                assertTrue(!line.startsWith("VIEW") && !line.startsWith("SUSPECT"), "link 1 down changed membership: " + line);
            }
        }
        System.out.println("FIGURE link 1 cut for " + 6 * DETECTION_MS + " ms: no suspicion, no view change, messages flow over link 2");

        // Cut link 2 as well: now the peer is gone.
        long t0 = System.nanoTime();
        run("ip", "-n", nsA, "link", "set", "pm" + tag + "a2", "down");
        n1.await("VIEW node1", 10_000);
        double aMs = (System.nanoTime() - t0) / 1e6;
        n2.await("VIEW node2", 10_000);
        double bothMs = (System.nanoTime() - t0) / 1e6;
        System.out.printf("FIGURE both links cut -> each side alone: %.1f / %.1f ms (detection %d ms)%n", aMs, bothMs, DETECTION_MS);
        // A node starved of CPU (a busy machine) holds its suspicion for up to the guard's longest
        // hold (SuspicionGuard); the nodes are other JVMs, so whether one did is not visible here.
        Timing t = Timing.derive(DETECTION_MS);
        assertTrue(bothMs <= t.worstCaseSilentDetectionMs() + 500 + SuspicionGuard.Settings.of(t).maxHoldMs(),
                "took " + bothMs);

        // Bring link 2 back alone: they merge over it.
        long t1 = System.nanoTime();
        run("ip", "-n", nsA, "link", "set", "pm" + tag + "a2", "up");
        String merged = n1.await("VIEW node", 30_000);
        System.out.printf("FIGURE link 2 back -> merged view %s after %.1f ms%n", merged, (System.nanoTime() - t1) / 1e6);
        assertEquals(2, merged.substring(5).split(",").length, merged);
    }

    /** Link 1 (which JGroups and FD_SOCK2 think of as the node's address) is down from the start. */
    @Test
    void aClusterFormsAndStaysOverTheSecondLinkAlone() throws Exception {
        twoNamespacesTwoLinks();
        run("ip", "-n", nsA, "link", "set", "pm" + tag + "a1", "down");
        Path key = dir.resolve("authkey");
        ClusterKey.generate(key);
        String a = "192.0.2.1:" + PORT + "+198.51.100.1:" + PORT;
        String b = "192.0.2.2:" + PORT + "+198.51.100.2:" + PORT;
        Node n1 = start(nsA, "node1", a, a + "," + b, key);
        n1.await("READY", 30_000);
        Node n2 = start(nsB, "node2", b, a + "," + b, key);
        n2.await("VIEW node1,node2", 30_000);
        n1.await("VIEW node1,node2", 10_000);
        int[] formed = {n1.printed().size(), n2.printed().size()};
        Thread.sleep(10 * DETECTION_MS); // FD_SOCK2 cannot connect over link 1: it may suspect, VERIFY_SUSPECT2 must clear it
        n1.command("send node2 test.overtwo");
        n2.await("MSG test.overtwo node1", 5_000);
        Node[] both = {n1, n2};
        for (int i = 0; i < 2; i++) {
            List<String> since = both[i].printed().subList(formed[i], both[i].printed().size());
            for (String line : since) {
                assertTrue(!line.startsWith("VIEW"), "membership changed with link 1 down from the start: " + line);
            }
        }
        System.out.println("FIGURE link 1 down from the start: view formed over link 2 and stayed for " + 10 * DETECTION_MS + " ms");
    }

    private void twoNamespacesTwoLinks() throws Exception {
        if (!root()) {
            Assumptions.assumeTrue("true".equals(System.getenv("CI")) ? fail() : false,
                    "LinkRedundancyTest needs root and nsenter (network namespaces); skipped");
        }
        run("ip", "netns", "add", nsA);
        created = true;
        run("ip", "netns", "add", nsB);
        String[][] links = {{"192.0.2.", "1"}, {"198.51.100.", "2"}};
        for (String[] l : links) {
            String va = "pm" + tag + "a" + l[1];
            String vb = "pm" + tag + "b" + l[1];
            run("ip", "link", "add", va, "netns", nsA, "type", "veth", "peer", "name", vb, "netns", nsB);
            run("ip", "-n", nsA, "addr", "add", l[0] + "1/24", "dev", va);
            run("ip", "-n", nsB, "addr", "add", l[0] + "2/24", "dev", vb);
            run("ip", "-n", nsA, "link", "set", va, "up");
            run("ip", "-n", nsB, "link", "set", vb, "up");
        }
        run("ip", "-n", nsA, "link", "set", "lo", "up");
        run("ip", "-n", nsB, "link", "set", "lo", "up");
    }

    private static boolean fail() {
        throw new AssertionError("LinkRedundancyTest must run under CI=true: run as root with nsenter available");
    }
}
