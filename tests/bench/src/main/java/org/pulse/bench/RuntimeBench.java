package org.pulse.bench;

import static org.pulse.lab.cluster.LocalCluster.load;
import static org.pulse.lab.cluster.LocalCluster.runningOn;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.Ports;

/**
 * bench/runtime: three crmd JVMs on loopback (the daemon flags of bin/crmd's, {@link LocalCluster#daemonEnv()}).
 * Prints (1) time from kill -9 of the DC to the survivors agreeing on a new, quorate DC, and to
 * the killed DC's resource running again elsewhere (after fencing by the power-switch
 * simulator); (2) time from a CIB change sent to the DC's admin socket to its acknowledgement,
 * which crmd gives only once all 3 nodes stored it (median, p99); (3) idle RSS per node.
 */
public final class RuntimeBench {
    private RuntimeBench() {
    }

    static final String USAGE = "usage: bench/runtime [COMMITS [TRIALS]] [--writers N] [--warmup W]   (defaults 300, 5"
            + " and 1000; COMMITS >= 1; TRIALS 0 skips the DC failovers; --writers N: then COMMITS writes by N clients at"
            + " once; --warmup W: writes before any figure, half over new connections, half over a kept one)";

    /**
     * Writes before any commit figure. The daemons run C1 only, compiling a method after twice the default
     * calls (bin/crmd): the first few hundred writes measure the interpreter. Measured (bench/runtime, blocks
     * of 100 writes, printed as "warm-up"): at load 17-31 the median still fell through the sixth hundred in
     * most runs (first 100: 13-51 ms, sixth: 4.8-10 ms), so 1000.
     */
    static final int DEFAULT_WARMUP = 1000;

    public static void main(String[] args) throws Exception {
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        int[] given = {300, 5};
        int writers = 0;
        int warmup = DEFAULT_WARMUP;
        try {
            // --writers N anywhere; the rest are COMMITS and TRIALS
            List<String> positional = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--writers")) {
                    writers = BenchArgs.intOf("--writers", BenchArgs.value(args, ++i), 1);
                } else if (args[i].equals("--warmup")) {
                    warmup = BenchArgs.intOf("--warmup", BenchArgs.value(args, ++i), 0);
                } else {
                    positional.add(args[i]);
                }
            }
            given = BenchArgs.positionalInts(positional.toArray(new String[0]), List.of("COMMITS", "TRIALS"), given,
                    new int[] {1, 0});
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/runtime", USAGE, e);
        }
        int commits = given[0];
        int trials = given[1];
        Path repo = Path.of(System.getProperty("pulse.root", ".")).toAbsolutePath().normalize();
        Path dir = Files.createTempDirectory("pulse-bench-runtime-");
        int basePort = Ports.freeBase(10);
        System.out.println("bench/runtime: 3 crmd JVMs on loopback in " + dir + " (JVM flags: "
                + LocalCluster.daemonJavaOpts(repo) + ", failure_detection_ms=500)");
        try (LocalCluster c = LocalCluster.start(repo, dir, 3, basePort)) {
            require(LocalCluster.waitFor(Duration.ofSeconds(90), () -> c.agreedDc(1, 2, 3) != null), "no DC formed");
            AdminResponse r = c.admin(1, AdminRequest.replace(c.nextId(), "<resources>"
                    + "<primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\"><instance_attributes"
                    + " id=\"fs-ia\"><nvpair id=\"fs-dir\" name=\"power_dir\" value=\"" + c.powerDir() + "\"/>"
                    + "</instance_attributes></primitive>"
                    + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><operations><op id=\"d1-m\""
                    + " name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations></primitive></resources>"));
            require(r.ok(), "configuring failed: " + r.error());
            // Stickiness keeps d1 where the trial put it once the move constraint is cleared.
            AdminResponse sticky = c.admin(1, AdminRequest.replace(c.nextId(), "<rsc_defaults><meta_attributes"
                    + " id=\"rd\"><nvpair id=\"rd-s\" name=\"resource-stickiness\" value=\"100\"/></meta_attributes>"
                    + "</rsc_defaults>"));
            require(sticky.ok(), "setting stickiness failed: " + sticky.error());

            // Idle memory first, before the runs below warm anything up further.
            Thread.sleep(8000);
            List<Long> rss = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                rss.add(rssKb(c.pid(n)));
            }
            long maxRssMb = Collections.max(rss) / 1024;
            System.out.printf("idle RSS per node (MB): %s%n", rss.stream().map(k -> Long.toString(k / 1024)).toList());
            long[] before = new long[4];
            for (int n = 1; n <= 3; n++) {
                before[n] = cpuTicks(c.pid(n));
            }
            Thread.sleep(5000);
            List<String> cpu = new ArrayList<>();
            for (int n = 1; n <= 3; n++) {
                // clock ticks are 1/100 s on Linux: ticks over 5 s = percent of one core / 5 * 100 / 100
                cpu.add(String.format("%.1f", (cpuTicks(c.pid(n)) - before[n]) / 5.0));
            }
            System.out.println("idle CPU per node (% of one core, over 5 s): " + cpu);

            // Commit latency: writes to the DC, acknowledged when every member stored them.
            int dc = Integer.parseInt(c.agreedDc(1, 2, 3).substring(4));
            String warmupLine = warmUp(c, dc, warmup);
            List<Double> commitMs = new ArrayList<>();
            List<Double> connectsMs = new ArrayList<>();
            CommitBreakdown breakdown = new CommitBreakdown(c, dc, CommitBreakdown.nodes(3));
            breakdown.start(); // after the warm-up writes, as the figures
            for (int i = 0; i < commits; i++) {
                // A new connection per write, as crm does: opened, one request, closed (the close counted too).
                long t0 = System.nanoTime();
                AdminResponse w;
                double connectMs;
                try (KeptConnection one = new KeptConnection(c.socket(dc))) {
                    connectMs = (System.nanoTime() - t0) / 1e6;
                    w = one.call(new AdminRequest(c.nextId(), "node", AdminArgs.of("action", "property-set", "name",
                            "bench-counter", "value", Integer.toString(i))));
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                require(w.ok(), "write " + i + " failed: " + w.error());
                commitMs.add(ms);
                connectsMs.add(connectMs);
            }
            Collections.sort(commitMs);
            double median = pct(commitMs, 50);
            double p99 = pct(commitMs, 99);
            System.out.printf("CIB change -> acknowledged by all 3 nodes, %d writes to the DC, a new connection each"
                    + " (as crm), after %d warm-up writes: min %.2f  median %.2f"
                    + "  p99 %.2f  max %.2f ms%n", commitMs.size(), warmup, commitMs.get(0), median, p99,
                    commitMs.get(commitMs.size() - 1));
            Collections.sort(connectsMs);
            System.out.printf("  of which the client's socket open + connect: median %.3f ms, p99 %.3f ms; the server's"
                    + " part of a new connection: the admin_connection stages below (first_line: accept to the request"
                    + " read, the hand-over to a connection thread included; identified: peer credentials and groups)%n",
                    pct(connectsMs, 50), pct(connectsMs, 99));
            String stageLine = breakdown.print(commits, commitMs.stream().mapToDouble(Double::doubleValue).average()
                    .orElse(0)) + String.format(" commit_connect_median_ms=%.3f", pct(connectsMs, 50)) + warmupLine;
            System.out.println("(load " + load() + ")");
            // The same writes over one admin connection kept open (as a client that writes often would):
            // without the connection's set-up and its hand-over to a connection thread on every write.
            List<Double> keptMs = new ArrayList<>();
            try (KeptConnection kept = new KeptConnection(c.socket(dc))) {
                for (int i = 0; i < commits; i++) {
                    long t0 = System.nanoTime();
                    AdminResponse w = kept.call(new AdminRequest(c.nextId(), "node", AdminArgs.of("action",
                            "property-set", "name", "bench-counter", "value", "kept-" + i)));
                    keptMs.add((System.nanoTime() - t0) / 1e6);
                    require(w.ok(), "write " + i + " over the kept connection failed: " + w.error());
                }
            }
            Collections.sort(keptMs);
            System.out.printf("the same over one kept admin connection, %d writes: min %.2f  median %.2f  p99 %.2f"
                    + "  max %.2f ms (load %s)%n", keptMs.size(), keptMs.get(0), pct(keptMs, 50), pct(keptMs, 99),
                    keptMs.get(keptMs.size() - 1), load());
            stageLine += String.format(" commit_kept_conn_median_ms=%.2f commit_kept_conn_p99_ms=%.2f", pct(keptMs, 50),
                    pct(keptMs, 99));
            // New and kept connections taking turns, write by write: the same load and the same warm JIT for both
            // (the phases above run one after the other, the first still warming the daemons' C1 code).
            List<Double> turnNewMs = new ArrayList<>();
            List<Double> turnKeptMs = new ArrayList<>();
            try (KeptConnection kept = new KeptConnection(c.socket(dc))) {
                for (int i = 0; i < commits; i++) {
                    long t0 = System.nanoTime();
                    AdminResponse w;
                    try (KeptConnection one = new KeptConnection(c.socket(dc))) {
                        w = one.call(new AdminRequest(c.nextId(), "node", AdminArgs.of("action", "property-set",
                                "name", "bench-counter", "value", "turn-new-" + i)));
                    }
                    turnNewMs.add((System.nanoTime() - t0) / 1e6);
                    require(w.ok(), "write " + i + " over a new connection failed: " + w.error());
                    t0 = System.nanoTime();
                    w = kept.call(new AdminRequest(c.nextId(), "node", AdminArgs.of("action", "property-set", "name",
                            "bench-counter", "value", "turn-kept-" + i)));
                    turnKeptMs.add((System.nanoTime() - t0) / 1e6);
                    require(w.ok(), "write " + i + " over the kept connection failed: " + w.error());
                }
            }
            Collections.sort(turnNewMs);
            Collections.sort(turnKeptMs);
            System.out.printf("taking turns, %d writes each: a new connection per write median %.2f p99 %.2f ms, one"
                    + " kept connection median %.2f p99 %.2f ms (load %s)%n", commits, pct(turnNewMs, 50),
                    pct(turnNewMs, 99), pct(turnKeptMs, 50), pct(turnKeptMs, 99), load());
            stageLine += String.format(" turns_new_conn_median_ms=%.2f turns_kept_conn_median_ms=%.2f",
                    pct(turnNewMs, 50), pct(turnKeptMs, 50));
            if (writers > 0) {
                stageLine += " " + concurrentWriters(c, dc, breakdown, writers, commits);
            }

            // DC failover: kill -9 the DC (with d1 on it), time the new DC and d1's recovery; restart, repeat.
            List<Long> dcMs = new ArrayList<>();
            List<Long> rscMs = new ArrayList<>();
            for (int t = 0; t < trials; t++) {
                require(LocalCluster.waitFor(Duration.ofSeconds(90), () -> c.agreedDc(1, 2, 3) != null),
                        "cluster did not re-form before trial " + t);
                String dcName = c.agreedDc(1, 2, 3);
                int victim = Integer.parseInt(dcName.substring(4));
                AdminResponse mv = c.admin(victim, AdminRequest.resource(c.nextId(), "move", "d1", dcName));
                require(mv.ok(), "move failed: " + mv.error());
                require(LocalCluster.waitFor(Duration.ofSeconds(30), () -> dcName.equals(runningOn(c, victim, "d1"))),
                        "d1 did not move to " + dcName);
                c.admin(victim, AdminRequest.resource(c.nextId(), "clear", "d1", null));
                Thread.sleep(1500);
                int[] survivors = victim == 1 ? new int[] {2, 3} : victim == 2 ? new int[] {1, 3} : new int[] {1, 2};
                Path history = c.powerDir().resolve(dcName + ".history");
                long fencedBefore = Files.exists(history) ? Files.readAllLines(history).size() : 0;
                long t0 = System.nanoTime();
                c.kill9(victim);
                require(LocalCluster.waitFor(Duration.ofSeconds(30), () -> {
                    String d = c.agreedDc(survivors);
                    return d != null && !d.equals(dcName);
                }), "no new DC in trial " + t);
                long newDc = (System.nanoTime() - t0) / 1_000_000;
                require(LocalCluster.waitFor(Duration.ofSeconds(30), () -> {
                    String on = runningOn(c, survivors[0], "d1");
                    return on != null && !on.equals(dcName);
                }), "d1 not recovered in trial " + t);
                long recovered = (System.nanoTime() - t0) / 1_000_000;
                dcMs.add(newDc);
                rscMs.add(recovered);
                System.out.printf("trial %d: killed DC %s; new DC after %d ms, d1 running again after %d ms%n", t,
                        dcName, newDc, recovered);
                // Power the victim on only once its fencing is done: fencing a node powers off whatever
                // runs as that node, a freshly restarted one included.
                require(LocalCluster.waitFor(Duration.ofSeconds(30), () -> {
                    try {
                        return Files.exists(history) && Files.readAllLines(history).size() > fencedBefore
                                && c.agreedDc(survivors) != null && fencingDone(c, survivors[0], dcName);
                    } catch (Exception e) {
                        return false;
                    }
                }), dcName + " was not fenced in trial " + t);
                c.startNode(victim);
            }
            Collections.sort(dcMs);
            Collections.sort(rscMs);
            long dcMedian = dcMs.isEmpty() ? -1 : dcMs.get(dcMs.size() / 2);
            if (!dcMs.isEmpty()) { // TRIALS 0: the commit figures only (dc_failover_ms=-1)
                System.out.printf("kill -9 of the DC -> new DC: min %d  median %d  max %d ms; -> its resource running"
                        + " elsewhere (fenced first): median %d ms%n", dcMs.get(0), dcMedian, dcMs.get(dcMs.size() - 1),
                        rscMs.get(rscMs.size() / 2));
            }
            System.out.println("reproduce: bench/runtime " + commits + " " + trials
                    + (writers > 0 ? " --writers " + writers : "") + (warmup != DEFAULT_WARMUP ? " --warmup " + warmup : ""));
            System.out.printf("runtime dc_failover_ms=%d commit_median_ms=%.2f commit_p99_ms=%.2f rss_mb=%d %s load=%s%n",
                    dcMedian, median, p99, maxRssMb, stageLine, load().replace(' ', '/'));
        } finally {
            if (Boolean.getBoolean("pulse.keep")) {
                System.out.println("kept " + dir);
            } else {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /**
     * {@code writers} clients at once, each over its own kept connection to the DC, {@code commits} writes in
     * all (each its own property, so none is a no-op): commits per second, the median and p99 of a write, and
     * how many durable stores the DC and a member made for them (group commit: several writes to one store;
     * -Dpulse.groupCommit=false in PULSE_EXTRA_JAVA_OPTS turns it off for the before).
     */
    private static String concurrentWriters(LocalCluster c, int dc, CommitBreakdown counters, int writers, int commits)
            throws Exception {
        int member = dc == 1 ? 2 : 1;
        long dcStoresBefore = counters.count(dc, "stored", "admin_request")
                + counters.count(dc, "stored", "forwarded_admin");
        long memberStoresBefore = counters.count(member, "stored", "cib_update");
        int each = Math.max(1, commits / writers);
        List<Double> ms = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failed = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                try (KeptConnection kept = new KeptConnection(c.socket(dc))) {
                    go.await();
                    for (int i = 0; i < each; i++) {
                        long t0 = System.nanoTime();
                        AdminResponse r = kept.call(new AdminRequest(c.nextId(), "node", AdminArgs.of("action",
                                "property-set", "name", "bench-writer-" + writer, "value", Integer.toString(i))));
                        ms.add((System.nanoTime() - t0) / 1e6);
                        require(r.ok(), "writer " + writer + " write " + i + " failed: " + r.error());
                    }
                } catch (Throwable e) {
                    failed.add(e);
                }
            }, "bench-writer-" + w);
            threads.add(t);
            t.start();
        }
        long t0 = System.nanoTime();
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double wallS = (System.nanoTime() - t0) / 1e9;
        require(failed.isEmpty(), "concurrent writers failed: " + failed);
        long dcStores = counters.count(dc, "stored", "admin_request") + counters.count(dc, "stored", "forwarded_admin")
                - dcStoresBefore;
        long memberStores = counters.count(member, "stored", "cib_update") - memberStoresBefore;
        List<Double> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        int total = sorted.size();
        System.out.printf("%d concurrent writers over kept connections, %d writes in %.2f s: %.0f commits/s; a write:"
                + " median %.2f  p99 %.2f ms; durable stores for them: DC %d, node%d %d (%.1f writes per store on the"
                + " DC; group commit %s) (load %s)%n", writers, total, wallS, total / wallS, pct(sorted, 50),
                pct(sorted, 99), dcStores, member, memberStores, dcStores == 0 ? 0.0 : (double) total / dcStores,
                dcStores < total ? "on" : "off or never needed", load());
        return String.format("writers=%d writers_commits_per_s=%.0f writers_median_ms=%.2f writers_p99_ms=%.2f"
                + " writes_per_dc_store=%.2f", writers, total / wallS, pct(sorted, 50), pct(sorted, 99),
                dcStores == 0 ? 0.0 : (double) total / dcStores);
    }

    /**
     * {@code writes} writes before any figure, taking turns between a new connection per write and one kept
     * connection (both paths warmed); prints the median of each block of 100 so the warm-up can be seen to
     * settle, and returns the summary's warmup keys (the first block's median is the cold figure).
     */
    private static String warmUp(LocalCluster c, int dc, int writes) throws Exception {
        if (writes == 0) {
            return " warmup=0";
        }
        List<String> blocks = new ArrayList<>();
        List<Double> block = new ArrayList<>();
        double cold = -1;
        try (KeptConnection kept = new KeptConnection(c.socket(dc))) {
            for (int i = 0; i < writes; i++) {
                AdminRequest req = new AdminRequest(c.nextId(), "node", AdminArgs.of("action", "property-set", "name",
                        "bench-counter", "value", "warm-" + i));
                long t0 = System.nanoTime();
                AdminResponse w;
                if (i % 2 == 0) {
                    try (KeptConnection one = new KeptConnection(c.socket(dc))) {
                        w = one.call(req);
                    }
                } else {
                    w = kept.call(req);
                }
                block.add((System.nanoTime() - t0) / 1e6);
                require(w.ok(), "warm-up write " + i + " failed: " + w.error());
                if (block.size() == 100 || i == writes - 1) {
                    Collections.sort(block);
                    if (cold < 0) {
                        cold = pct(block, 50);
                    }
                    blocks.add(String.format("%.2f", pct(block, 50)));
                    block.clear();
                }
            }
        }
        System.out.printf("warm-up: %d writes (new and kept connections taking turns), median per 100: %s ms (load %s)%n",
                writes, blocks, load());
        return String.format(" warmup=%d warmup_first100_median_ms=%.2f", writes, cold);
    }

    /** The CIB records the node as fenced (the DC marks it after the fence agent succeeded). */
    private static boolean fencingDone(LocalCluster c, int node, String fenced) throws Exception {
        AdminResponse q = c.admin(node, AdminRequest.query(c.nextId()));
        String xml = FailoverAdmin.str(q.result(), "xml");
        return xml != null && xml.matches("(?s).*<node_state [^>]*uname=\"" + fenced + "\"[^>]*expected=\"down\".*");
    }

    /** One admin connection for many requests (crmd serves request lines on a connection until it closes). */
    private static final class KeptConnection implements AutoCloseable {
        private final java.nio.channels.SocketChannel ch;
        private final java.io.OutputStream out;
        private final java.io.BufferedReader in;

        KeptConnection(Path socket) throws java.io.IOException {
            ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX);
            ch.connect(java.net.UnixDomainSocketAddress.of(socket));
            out = java.nio.channels.Channels.newOutputStream(ch);
            in = new java.io.BufferedReader(new java.io.InputStreamReader(java.nio.channels.Channels.newInputStream(ch),
                    java.nio.charset.StandardCharsets.UTF_8));
        }

        AdminResponse call(AdminRequest req) throws Exception {
            out.write((org.pulse.cib.admin.AdminCodec.encode(req) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.flush();
            String line = in.readLine();
            require(line != null, "the DC closed the kept admin connection");
            return org.pulse.cib.admin.AdminCodec.decodeResponse(line);
        }

        @Override
        public void close() throws java.io.IOException {
            ch.close();
        }
    }

    private static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    /** utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
    private static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static long rssKb(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("bench/runtime: " + what);
        }
    }
}
