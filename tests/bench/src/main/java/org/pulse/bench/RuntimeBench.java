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

    static final String USAGE = "usage: bench/runtime [COMMITS [TRIALS]]   (defaults 300 and 5; COMMITS >= 1;"
            + " TRIALS 0 skips the DC failovers)";

    public static void main(String[] args) throws Exception {
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        int[] given = {300, 5};
        try {
            given = BenchArgs.positionalInts(args, List.of("COMMITS", "TRIALS"), given, new int[] {1, 0});
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
            List<Double> commitMs = new ArrayList<>();
            CommitBreakdown breakdown = new CommitBreakdown(c, dc, CommitBreakdown.nodes(3));
            for (int i = 0; i < commits + 20; i++) {
                if (i == 20) {
                    breakdown.start(); // after the warm-up writes, as the figures
                }
                long t0 = System.nanoTime();
                AdminResponse w = c.admin(dc, new AdminRequest(c.nextId(), "node",
                        AdminArgs.of("action", "property-set", "name", "bench-counter", "value", Integer.toString(i))));
                double ms = (System.nanoTime() - t0) / 1e6;
                require(w.ok(), "write " + i + " failed: " + w.error());
                if (i >= 20) {
                    commitMs.add(ms);
                }
            }
            Collections.sort(commitMs);
            double median = pct(commitMs, 50);
            double p99 = pct(commitMs, 99);
            System.out.printf("CIB change -> acknowledged by all 3 nodes, %d writes to the DC: min %.2f  median %.2f"
                    + "  p99 %.2f  max %.2f ms%n", commitMs.size(), commitMs.get(0), median, p99,
                    commitMs.get(commitMs.size() - 1));
            String stageLine = breakdown.print(commits, commitMs.stream().mapToDouble(Double::doubleValue).average()
                    .orElse(0));
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
            System.out.println("reproduce: bench/runtime " + commits + " " + trials);
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
