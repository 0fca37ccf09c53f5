package org.pulse.messaging;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Benchmark (a program, not a test): 3 messengers on loopback in one JVM; node1 sends a request
 * to node2 and node3 and waits for both replies (what the DC does to commit a CIB change), for
 * 2 KB and 200 KB payloads, sealed (the default) and insecure (to show what the seal costs).
 * Also times seal+open of one message. Run:
 * <pre>
 *   cd /work/main && mvn -q -o -pl messaging test-compile && java -cp messaging/target/classes:messaging/target/test-classes:$HOME/.m2/repository/org/jgroups/jgroups/5.5.7.Final/jgroups-5.5.7.Final.jar org.pulse.messaging.MessagingBench
 * </pre>
 * Ends with one {@code messaging key=value ...} line.
 */
public final class MessagingBench {
    private static final int WARMUP = 300;
    private static final int ROUNDS = 1000;

    private MessagingBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> summary = new LinkedHashMap<>();
        Path dir = Files.createTempDirectory("pulse-messaging-bench");
        try {
            for (boolean secure : new boolean[] {true, false}) {
                List<InetSocketAddress> addrs = TestNet.freeAddresses(3);
                ClusterKey key = ClusterKey.generate(dir.resolve("key-" + secure));
                String cluster = "bench-" + (secure ? "sealed" : "insecure");
                Messenger[] m = new Messenger[3];
                for (int i = 0; i < 3; i++) {
                    MessagingConfig.Builder b = MessagingConfig.builder(cluster, "node" + (i + 1)).listenOn(addrs.get(i)).peers(addrs);
                    if (secure) {
                        b.clusterKey(key);
                    } else {
                        b.insecure();
                    }
                    Recorder r = new Recorder();
                    Messenger started = Messenger.start(b.build(), r);
                    m[i] = started;
                    r.onEachMessage(e -> started.reply(e, "bench.ack", new byte[0]));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (m[0].view().size() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                for (int size : new int[] {2048, 200_000}) {
                    long[] rtt = new long[ROUNDS];
                    for (int k = -WARMUP; k < ROUNDS; k++) {
                        long t0 = System.nanoTime();
                        Replies r = m[0].request(List.of("node2", "node3"), "bench.ask", new byte[size], 5_000).get(10, TimeUnit.SECONDS);
                        if (!r.allAnswered()) {
                            throw new IllegalStateException("not all answered: " + r);
                        }
                        if (k >= 0) {
                            rtt[k] = System.nanoTime() - t0;
                        }
                    }
                    Arrays.sort(rtt);
                    double median = rtt[ROUNDS / 2] / 1e6;
                    double p99 = rtt[ROUNDS * 99 / 100] / 1e6;
                    String mode = secure ? "sealed" : "insecure";
                    System.out.printf("request to 2 members, %d bytes, %s: median %.3f ms, p99 %.3f ms (%d rounds)%n",
                            size, mode, median, p99, ROUNDS);
                    String k = (secure ? "" : "insecure_") + "request" + (size / 1000) + "k";
                    summary.put(k + "_median_ms", String.format("%.3f", median));
                    summary.put(k + "_p99_ms", String.format("%.3f", p99));
                }
                for (Messenger x : m) {
                    x.close();
                }
            }
            Sealer s = new Sealer(ClusterKey.ofBytes(new byte[32]), new java.security.SecureRandom());
            for (int size : new int[] {2048, 60_000}) {
                byte[] plain = new byte[size];
                int n = 5000;
                for (int round = 0; round < 2; round++) { // the first round warms up
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        byte[] sealed = s.seal(plain, 0, size);
                        s.open(sealed, 0, sealed.length);
                    }
                    if (round == 1) {
                        double us = (System.nanoTime() - t0) / 1e3 / n;
                        System.out.printf("seal+open of %d bytes: %.1f us%n", size, us);
                        summary.put("seal_open_" + (size / 1000) + "k_us", String.format("%.1f", us));
                    }
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.collect(Collectors.toList())) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        System.out.println("messaging " + summary.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" ")));
        System.exit(0);
    }
}
