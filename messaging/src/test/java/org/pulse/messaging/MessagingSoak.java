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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.jgroups.JChannel;

/**
 * Soak (a program, not a test): are the timing defaults free of false suspicions on a loaded
 * 2-core machine? Three nodes in three JVMs (NodeMain) on loopback, while this JVM keeps
 * {@code busyThreads} threads spinning and churning garbage; counts every suspicion and view
 * change after the cluster formed. Run:
 * <pre>
 *   cd /work/main && mvn -q -o -pl messaging test-compile && java -cp messaging/target/classes:messaging/target/test-classes:$HOME/.m2/repository/org/jgroups/jgroups/5.5.7.Final/jgroups-5.5.7.Final.jar org.pulse.messaging.MessagingSoak SECONDS DETECTION_MS BUSY_THREADS
 * </pre>
 * Ends with {@code messaging_soak seconds=… detection_ms=… busy_threads=… suspicions=… view_changes=…}.
 */
public final class MessagingSoak {
    private MessagingSoak() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 300;
        long detectionMs = args.length > 1 ? Long.parseLong(args[1]) : Timing.DEFAULT_FAILURE_DETECTION_MS;
        int busy = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        Path dir = Files.createTempDirectory("pulse-soak");
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
        List<Process> nodes = new ArrayList<>();
        AtomicInteger formed = new AtomicInteger();
        AtomicInteger suspicions = new AtomicInteger();
        AtomicInteger viewChanges = new AtomicInteger();
        List<String> events = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        try {
            for (int i = 0; i < 3; i++) {
                Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx96m",
                        "-cp", classpath, NodeMain.class.getName(), "soak", "node" + (i + 1),
                        addrs.get(i).getHostString() + ":" + addrs.get(i).getPort(), peers, key.toString(), Long.toString(detectionMs))
                        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
                nodes.add(p);
                String name = "node" + (i + 1);
                Thread t = new Thread(() -> {
                    boolean full = false;
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            if (!full && line.startsWith("VIEW ") && line.split(",").length == 3) {
                                full = true;
                                formed.incrementAndGet();
                            } else if (!full) {
                                events.add(String.format("%.1f s %s (forming) %s", (System.nanoTime() - start) / 1e9, name, line));
                            } else if (full && line.startsWith("VIEW")) {
                                viewChanges.incrementAndGet();
                                events.add(String.format("%.1f s %s %s", (System.nanoTime() - start) / 1e9, name, line));
                            } else if (full && line.startsWith("SUSPECT")) {
                                suspicions.incrementAndGet();
                                events.add(String.format("%.1f s %s %s", (System.nanoTime() - start) / 1e9, name, line));
                            }
                        }
                    } catch (java.io.IOException e) {
                        // gone
                    }
                });
                t.setDaemon(true);
                t.start();
                if (i == 0) {
                    Thread.sleep(2_000); // node1 becomes the coordinator
                }
            }
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (formed.get() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            if (formed.get() < 3) {
                events.forEach(System.out::println);
                throw new IllegalStateException("the 3 nodes did not form a view in 30 s");
            }
            System.out.printf("formed; soaking %d s with %d busy threads, detection %d ms (%s)%n", seconds, busy, detectionMs,
                    Timing.derive(detectionMs).describe());
            AtomicLong sink = new AtomicLong();
            List<Thread> burners = new ArrayList<>();
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            for (int b = 0; b < busy; b++) {
                Thread t = new Thread(() -> {
                    long x = 0;
                    while (System.nanoTime() < end) {
                        byte[] garbage = new byte[64 * 1024]; // churn, so the collector runs too
                        x += garbage.length + garbage[(int) (x & 1023)];
                    }
                    sink.addAndGet(x);
                });
                t.start();
                burners.add(t);
            }
            for (Thread t : burners) {
                t.join();
            }
        } finally {
            for (Process p : nodes) {
                p.destroyForcibly();
                p.waitFor();
            }
            Files.deleteIfExists(key);
            Files.deleteIfExists(dir);
        }
        events.forEach(System.out::println);
        System.out.printf("messaging_soak seconds=%d detection_ms=%d busy_threads=%d suspicions=%d view_changes=%d%n",
                seconds, detectionMs, busy, suspicions.get(), viewChanges.get());
        System.exit(0);
    }
}
