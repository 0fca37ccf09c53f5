package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
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
 * A member whose link is cut (no TCP reset, connects to it hang) must be removed once, and the
 * survivors must then stay together: the lab saw them suspect each other every 5-20 s instead,
 * because sending to (and connecting to) the dead address blocked the thread that also carries
 * the live members' heartbeats.
 *
 * <p>Two network namespaces joined by a veth pair on 192.0.2.0/24 (TEST-NET): node1 and node2
 * (192.0.2.1, .2) in one, node3 (192.0.2.3) in the other. The cut is {@code ip link set down} on
 * node3's end: the survivors' end loses carrier, their packets and ARP requests to .3 vanish,
 * nothing answers with a reset. The two-link case adds a second pair on 198.51.100.0/24 and cuts
 * both. Needs root; skipped otherwise (failed under CI=true).
 */
class SilentPeerSoakTest {
    private static final long DETECTION_MS = 500;
    private static final int PORT = 7800;
    /** How long the two survivors are watched after the dead member is gone. */
    private static final long SOAK_MS = 30_000; // before the fix the survivors split every 5-20 s

    @TempDir
    Path dir;

    private final String tag = Long.toString(ProcessHandle.current().pid() % 100_000, 36);
    private final String nsS = "pmsp" + tag + "s";
    private final String nsV = "pmsp" + tag + "v";
    private final List<Process> children = new ArrayList<>();
    private boolean created;

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
            for (String ns : new String[] {nsS, nsV}) {
                new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private record Node(BlockingQueue<String> lines, List<String> history) {
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
    }

    private Node start(String ns, String name, String self, String peers, Path key) throws Exception {
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
                NodeMain.class.getName(), "silent", name, self, peers, key.toString(), Long.toString(DETECTION_MS))
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
        }, "ns-node-stdout-" + name);
        reader.setDaemon(true);
        reader.start();
        return new Node(lines, history);
    }

    @Test
    void survivorsStayTogetherAfterAMembersLinkIsCut() throws Exception {
        soak(false);
    }

    /** The same over two links (MultiLinkTCP), both cut: its per-link senders must not stall either. */
    @Test
    void survivorsStayTogetherAfterBothLinksOfAMemberAreCut() throws Exception {
        soak(true);
    }

    private void soak(boolean twoLinks) throws Exception {
        namespaces(twoLinks);
        Path key = dir.resolve("authkey");
        ClusterKey.generate(key);
        String a1 = "192.0.2.1:" + PORT + (twoLinks ? "+198.51.100.1:" + PORT : "");
        String a2 = "192.0.2.2:" + PORT + (twoLinks ? "+198.51.100.2:" + PORT : "");
        String a3 = "192.0.2.3:" + PORT + (twoLinks ? "+198.51.100.3:" + PORT : "");
        String peers = a1 + "," + a2 + "," + a3;
        Node n1 = start(nsS, "node1", a1, peers, key);
        n1.await("READY", 30_000);
        Node n2 = start(nsS, "node2", a2, peers, key);
        n2.await("READY", 30_000);
        Node n3 = start(nsV, "node3", a3, peers, key);
        n3.await("VIEW node1,node2,node3", 30_000);
        n1.await("VIEW node1,node2,node3", 10_000);
        n2.await("VIEW node1,node2,node3", 10_000);
        Thread.sleep(2_000); // traffic to node3 flowing, connections to it established

        run("ip", "-n", nsV, "link", "set", "pmsp" + tag + "v", "down");
        if (twoLinks) {
            run("ip", "-n", nsV, "link", "set", "pmsp" + tag + "w", "down");
        }
        n1.await("VIEW node1,node2", 10_000);
        n2.await("VIEW node1,node2", 10_000);
        int[] removed = {n1.printed().size(), n2.printed().size()};
        Thread.sleep(SOAK_MS);

        Node[] survivors = {n1, n2};
        int viewChanges = 0;
        int suspicions = 0;
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> all = survivors[i].printed();
            for (String line : all.subList(removed[i], all.size())) {
                if (line.startsWith("VIEW")) {
                    viewChanges++;
                    events.add("node" + (i + 1) + ": " + line);
                } else if (line.startsWith("SUSPECT") && !line.equals("SUSPECT node3")) {
                    suspicions++;
                    events.add("node" + (i + 1) + ": " + line);
                }
            }
        }
        System.out.printf("FIGURE %s of node3 cut, survivors watched %d s: %d view changes, %d suspicions of a live member%n",
                twoLinks ? "both links" : "the link", SOAK_MS / 1000, viewChanges, suspicions);
        assertTrue(viewChanges == 0 && suspicions == 0,
                "the survivors did not stay together after node3's link was cut: " + events);
    }

    private void namespaces(boolean twoLinks) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/nsenter"));
        if (!root) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("SilentPeerSoakTest must run under CI=true: run as root with nsenter available");
            }
            Assumptions.assumeTrue(false, "SilentPeerSoakTest needs root and nsenter (network namespaces); skipped");
        }
        run("ip", "netns", "add", nsS);
        created = true;
        run("ip", "netns", "add", nsV);
        String vs = "pmsp" + tag + "s";
        String vv = "pmsp" + tag + "v";
        run("ip", "link", "add", vs, "netns", nsS, "type", "veth", "peer", "name", vv, "netns", nsV);
        run("ip", "-n", nsS, "addr", "add", "192.0.2.1/24", "dev", vs);
        run("ip", "-n", nsS, "addr", "add", "192.0.2.2/24", "dev", vs);
        run("ip", "-n", nsV, "addr", "add", "192.0.2.3/24", "dev", vv);
        if (twoLinks) {
            String ws = "pmsp" + tag + "t";
            String wv = "pmsp" + tag + "w";
            run("ip", "link", "add", ws, "netns", nsS, "type", "veth", "peer", "name", wv, "netns", nsV);
            run("ip", "-n", nsS, "addr", "add", "198.51.100.1/24", "dev", ws);
            run("ip", "-n", nsS, "addr", "add", "198.51.100.2/24", "dev", ws);
            run("ip", "-n", nsV, "addr", "add", "198.51.100.3/24", "dev", wv);
            run("ip", "-n", nsS, "link", "set", ws, "up");
            run("ip", "-n", nsV, "link", "set", wv, "up");
        }
        for (String[] nd : new String[][] {{nsS, vs}, {nsV, vv}}) {
            run("ip", "-n", nd[0], "link", "set", nd[1], "up");
            run("ip", "-n", nd[0], "link", "set", "lo", "up");
        }
    }
}
