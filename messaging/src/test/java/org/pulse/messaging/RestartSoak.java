package org.pulse.messaging;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.jgroups.JChannel;

/**
 * The restart soak at the messaging level, the case that fenced a healthy DC: three nodes in three
 * JVMs (NodeMain) on loopback, node1 started first; node3 is killed (SIGKILL) and started again,
 * over and over, while another process keeps every core busy ({@code loadProcesses} shell busy
 * loops). A JVM starting up takes what CPU is left (class loading, JIT), so node1 and node2 run
 * starved exactly when they must tell a dead node3 from a live one. Counts
 * {@code false_exclusions}: views, seen by node1 or node2, that lack node1 or node2 although
 * neither was ever touched. In crmd each such view is a healthy node fenced.
 *
 * <p>Run as a program (a bench, not a test):
 * <pre>
 *   mvn -B -q -pl messaging test-compile &amp;&amp; java -cp messaging/target/classes:messaging/target/test-classes:JGROUPS_JAR \
 *       org.pulse.messaging.RestartSoak SECONDS DETECTION_MS LOAD_PROCESSES [--no-guard]
 * </pre>
 * Ends with {@code restart_soak seconds=… detection_ms=… load_processes=… guard=on|off restarts=…
 * false_exclusions=… suspicions_of_live=… load=…}. {@link StarvedSuspicionTest} runs a bounded
 * version in CI.
 */
public final class RestartSoak {
    /** What one soak saw. */
    record Result(int restarts, int falseExclusions, int suspicionsOfLive, int heldStarved, int heldVetoed, int avoided,
            int graced, int forgiven, List<String> events, String load) {
        String line(long seconds, long detectionMs, int loadProcesses, boolean guard) {
            return String.format(Locale.ROOT, "restart_soak seconds=%d detection_ms=%d load_processes=%d guard=%s restarts=%d"
                    + " false_exclusions=%d suspicions_of_live=%d held_starved=%d held_vetoed=%d avoided=%d graced=%d"
                    + " forgiven=%d load=%s", seconds, detectionMs, loadProcesses, guard ? "on" : "off", restarts,
                    falseExclusions, suspicionsOfLive, heldStarved, heldVetoed, avoided, graced, forgiven,
                    load.replace(' ', '/'));
        }
    }

    private RestartSoak() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 120;
        long detectionMs = args.length > 1 ? Long.parseLong(args[1]) : Timing.DEFAULT_FAILURE_DETECTION_MS;
        int load = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime().availableProcessors();
        boolean guard = !(args.length > 3 && args[3].equals("--no-guard"));
        Path dir = Files.createTempDirectory("pulse-restart-soak");
        try {
            Result r = run(dir, seconds * 1000, Integer.MAX_VALUE, detectionMs, load, guard);
            r.events().stream().sorted().forEach(System.out::println);
            System.out.println(r.line(seconds, detectionMs, load, guard));
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
        System.exit(0);
    }

    /**
     * Which nodes count as live, for telling a false exclusion from a true one: node1 and node2
     * once the cluster formed (never touched after that), node3 from the moment both saw it join
     * until just before it is killed. A view read (not only printed) while a live node is missing
     * from it is false; a view read after a kill is not judged, which can only undercount.
     */
    static final class Liveness {
        volatile boolean armed;
        volatile boolean node3Up;

        boolean falselyExcluded(List<String> members) {
            return armed && (!members.contains("node1") || !members.contains("node2") || node3Up && !members.contains("node3"));
        }

        boolean anyLive(List<String> suspects) {
            return armed && (suspects.contains("node1") || suspects.contains("node2") || node3Up && suspects.contains("node3"));
        }
    }

    /** A node JVM and what it printed. */
    private static final class Node implements AutoCloseable {
        final String name;
        final Process process;
        final List<String> views = Collections.synchronizedList(new ArrayList<>());
        /** Confined to the reader thread. */
        private boolean sawWhole;
        volatile boolean ready;

        Node(String name, Process process, long t0, List<String> events, AtomicInteger suspicionsOfLive,
                AtomicInteger falseExclusions, Liveness live) {
            this.name = name;
            this.process = process;
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        String at = String.format(Locale.ROOT, "%7.2f s %s %s", (System.nanoTime() - t0) / 1e9, name, line);
                        if (line.startsWith("READY ")) {
                            ready = true;
                        } else if (line.startsWith("VIEW ")) {
                            List<String> members = List.of(line.substring(5).split(","));
                            views.add(line.substring(5));
                            // A node's views before it first saw the whole cluster are its joining, not exclusions.
                            boolean judged = sawWhole;
                            sawWhole |= members.size() == 3;
                            if (judged && live.falselyExcluded(members)) {
                                falseExclusions.incrementAndGet();
                                events.add(at + "   <- FALSE EXCLUSION");
                            } else {
                                events.add(at);
                            }
                        } else if (line.startsWith("SUSPECT ")) {
                            boolean ofLive = live.anyLive(List.of(line.substring(8).split(",")));
                            if (ofLive) {
                                suspicionsOfLive.incrementAndGet();
                            }
                            events.add(at + (ofLive ? "   <- a live node suspected" : ""));
                        }
                    }
                } catch (java.io.IOException e) {
                    // gone
                }
            }, "soak-" + name);
            t.setDaemon(true);
            t.start();
        }

        String lastView() {
            synchronized (views) {
                return views.isEmpty() ? "" : views.get(views.size() - 1);
            }
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    /**
     * Soaks for {@code durationMs} or {@code maxRestarts} restarts of node3, whichever ends first.
     * Nothing waits forever: each wait for a view is bounded (60 s after a kill, 120 s for a rejoin) and a miss is an
     * event, not a hang.
     */
    static Result run(Path dir, long durationMs, int maxRestarts, long detectionMs, int loadProcesses, boolean guard)
            throws Exception {
        Path key = dir.resolve("authkey");
        ClusterKey.generate(key);
        List<InetSocketAddress> addrs = TestNet.freeAddresses(3);
        String peers = addrs.stream().map(a -> a.getHostString() + ":" + a.getPort()).collect(Collectors.joining(","));
        String classpath = Arrays.stream(new Class<?>[] {Messenger.class, NodeMain.class, JChannel.class})
                .map(c -> {
                    try {
                        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
                    } catch (java.net.URISyntaxException e) {
                        throw new IllegalStateException(e);
                    }
                }).distinct().collect(Collectors.joining(File.pathSeparator));
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger suspicionsOfLive = new AtomicInteger();
        AtomicInteger falseExclusions = new AtomicInteger();
        Liveness live = new Liveness();
        long t0 = System.nanoTime();
        Node[] nodes = new Node[3];
        List<Process> load = new ArrayList<>();
        int restarts = 0;
        try {
            for (int i = 0; i < 3; i++) {
                nodes[i] = start(i, classpath, addrs, peers, key, detectionMs, guard, t0, events, suspicionsOfLive, falseExclusions, live);
                if (i == 0) {
                    // node1 first, alone, so it is the coordinator (on a busy machine a JVM takes seconds to start)
                    long readyBy = System.nanoTime() + 120_000_000_000L;
                    while (!nodes[0].ready && System.nanoTime() < readyBy) {
                        Thread.sleep(20);
                    }
                }
            }
            // Generous: on a machine shared with others' builds a JVM alone can take 20 s to start.
            if (!awaitView(nodes, 3, 120_000)) {
                throw new IllegalStateException("the 3 nodes did not form a view in 120 s: " + events);
            }
            live.armed = true;
            live.node3Up = true;
            for (int l = 0; l < loadProcesses; l++) {
                load.add(new ProcessBuilder("sh", "-c", "while :; do :; done").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            events.add(String.format(Locale.ROOT, "%7.2f s load: %d busy-loop processes; %s", (System.nanoTime() - t0) / 1e9,
                    loadProcesses, Timing.derive(detectionMs).describe()));
            long end = System.nanoTime() + durationMs * 1_000_000L;
            while (System.nanoTime() < end && restarts < maxRestarts) {
                live.node3Up = false;
                nodes[2].close();
                if (!awaitView(nodes, 2, 60_000)) {
                    events.add("node1/node2 did not agree on a 2-node view within 60 s of node3's kill");
                }
                nodes[2] = start(2, classpath, addrs, peers, key, detectionMs, guard, t0, events, suspicionsOfLive,
                        falseExclusions, live);
                restarts++;
                // A JVM started at load average 35 took 40 s to say READY: the wait is that generous.
                if (awaitView(nodes, 3, 120_000)) {
                    live.node3Up = true;
                } else {
                    events.add("node3 did not rejoin within 120 s of its restart");
                }
                Thread.sleep(1_000); // the rejoined JVM is still warming up: the moment that fenced a healthy DC
            }
        } finally {
            for (Process p : load) {
                p.destroyForcibly();
                p.waitFor();
            }
            for (Node n : nodes) {
                if (n != null) {
                    n.close();
                }
            }
            Files.deleteIfExists(key);
        }
        // The guard's own account, from the nodes' logs: holds (first of each episode) by reason, and false suspicions avoided.
        int starved = 0;
        int vetoed = 0;
        int avoided = 0;
        int graced = 0;
        int forgiven = 0;
        for (int i = 1; i <= 3; i++) {
            Path log = dir.resolve("node" + i + ".log");
            if (Files.exists(log)) {
                for (String l : Files.readAllLines(log)) {
                    starved += l.contains("holding back the suspicion") && l.contains("missed") ? 1 : 0;
                    vetoed += l.contains("holding back the suspicion") && l.contains(" heard it ") ? 1 : 0;
                    avoided += l.contains("a false suspicion avoided") ? 1 : 0;
                    graced += l.contains("holding back the suspicion") && l.contains("announced") ? 1 : 0;
                    forgiven += l.contains("it was paused, not dead") ? 1 : 0;
                    if (falseExclusions.get() > 0 && (l.contains("holding back") || l.contains("suspecting")
                            || l.contains("spoke again") || l.contains("heard again"))) {
                        events.add("  log node" + i + ": " + l.strip());
                    }
                }
                Files.delete(log);
            }
        }
        return new Result(restarts, falseExclusions.get(), suspicionsOfLive.get(), starved, vetoed, avoided, graced, forgiven,
                List.copyOf(events),
                loadAverage());
    }

    private static Node start(int i, String classpath, List<InetSocketAddress> addrs, String peers, Path key, long detectionMs,
            boolean guard, long t0, List<String> events, AtomicInteger suspicionsOfLive, AtomicInteger falseExclusions,
            Liveness live) throws java.io.IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx96m"));
        if (!guard) {
            cmd.add("-D" + Messenger.NO_GUARD_PROPERTY + "=true");
        }
        cmd.addAll(List.of("-cp", classpath, NodeMain.class.getName(), "restartsoak", "node" + (i + 1),
                addrs.get(i).getHostString() + ":" + addrs.get(i).getPort(), peers, key.toString(), Long.toString(detectionMs)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(
                key.resolveSibling("node" + (i + 1) + ".log").toFile())).start();
        return new Node("node" + (i + 1), p, t0, events, suspicionsOfLive, falseExclusions, live);
    }

    /** Waits until node1 and node2 both last saw the same view of {@code size} members (any coordinator: after a merge it may be node2). */
    private static boolean awaitView(Node[] nodes, int size, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (System.nanoTime() < deadline) {
            String v = nodes[0].lastView();
            boolean ok = v.split(",").length == size && v.equals(nodes[1].lastView());
            if (ok) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }
}
