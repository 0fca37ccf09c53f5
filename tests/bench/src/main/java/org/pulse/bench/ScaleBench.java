package org.pulse.bench;

import static org.pulse.lab.cluster.LocalCluster.load;
import static org.pulse.lab.cluster.LocalCluster.runningOn;
import static org.pulse.lab.cluster.LocalCluster.waitPolling;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.Ports;

/**
 * bench/scale: clusters of 3, 8, 16 and 32 real crmd processes on loopback (the daemon flags of
 * bin/crmd's, {@link LocalCluster#daemonEnv()}), one size after the other. For each size: the time from
 * starting every process to all of them agreeing on one quorate DC; idle heartbeat traffic (messages
 * each node's transport receives and sends per second, from /metrics); idle RSS and PSS per node
 * (/proc/PID/smaps_rollup); CIB commits acknowledged by every member (median, p99); the failover of a
 * Dummy resource whose node is killed -9 (fenced by the power-switch simulator first); and the DC
 * failover (kill -9 of the DC until every survivor names one new quorate DC). The load average is
 * printed with every figure: all nodes share this machine's cores, so at 32 nodes the figures are
 * as much about the machine as about Pulse.
 *
 * <p>Options: {@code --nodes 3,8,16,32}, {@code --commits N} (100), {@code --idle-s S} (10: the
 * window over which traffic is counted), {@code --steady-s S} (120: memory is measured twice, 5 s into
 * idle and again S seconds into idle, once the JIT, the heap's collections and the idle timers have
 * settled; 0 measures it once), {@code --failure-detection-ms D} (500, crmd's default),
 * {@code --all-to-all} (heartbeats from every member to every other instead of along messaging's ring of
 * three watchers: to measure what the ring saves), {@code --traffic-only} (form,
 * memory and traffic; no commits, no failovers: -1 in the summary), {@code --batch N} (8: nodes start N
 * at a time, each batch once the last has joined; form_s counts from the first start to all agreeing).
 * Ends with one {@code scale nodes=N ...} line per size, the largest last.
 */
public final class ScaleBench {
    private ScaleBench() {
    }

    /** One size's figures, printed as the key=value line. */
    private record Figures(int nodes, double formS, long dcFailoverMs, long failoverMs, double commitMedianMs,
            double commitP99Ms, double msgsPerNodeS, double sentPerNodeS, long rssMb, long rssMaxMb, long pssMb,
            Memory steady, double cpuPct, String load) {
        String line() {
            return String.format("scale nodes=%d form_s=%.1f dc_failover_ms=%d failover_ms=%d commit_median_ms=%.2f"
                    + " commit_p99_ms=%.2f msgs_per_node_s=%.1f sent_per_node_s=%.1f rss_mb=%d rss_max_mb=%d pss_mb=%d"
                    + " rss_steady_mb=%d rss_steady_max_mb=%d pss_steady_mb=%d steady_s=%d idle_cpu_pct=%.1f load=%s",
                    nodes, formS, dcFailoverMs, failoverMs, commitMedianMs, commitP99Ms, msgsPerNodeS, sentPerNodeS,
                    rssMb, rssMaxMb, pssMb, steady.rssMb(), steady.rssMaxMb(), steady.pssMb(), steady.atS(), cpuPct, load);
        }
    }

    static final String USAGE = "usage: bench/scale [--nodes 3,8,16,32] [--commits N] [--idle-s S] [--failure-detection-ms D]"
            + " [--steady-s S] [--all-to-all] [--traffic-only] [--batch N]";

    /** --nodes 3,8,16: the sizes, each a whole number (their range is checked after). */
    static List<Integer> sizes(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            out.add(BenchArgs.intOf("--nodes", part, 0));
        }
        return out;
    }

    /** RSS and PSS per node (the median node's, and the largest RSS) at {@code atS} seconds into idle; -1 if not measured. */
    private record Memory(long rssMb, long rssMaxMb, long pssMb, long atS) {
        static final Memory NONE = new Memory(-1, -1, -1, -1);
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = List.of(3, 8, 16, 32);
        int commits = 100;
        int idleS = 10;
        int steadyS = 120;
        long detectionMs = 500;
        boolean trafficOnly = false;
        int batch = 8;
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--nodes" -> sizes = sizes(BenchArgs.value(args, ++i));
                    case "--commits" -> commits = BenchArgs.intOf("--commits", BenchArgs.value(args, ++i), 0);
                    case "--idle-s" -> idleS = BenchArgs.intOf("--idle-s", BenchArgs.value(args, ++i), 0);
                    case "--steady-s" -> steadyS = BenchArgs.intOf("--steady-s", BenchArgs.value(args, ++i), 0);
                    case "--failure-detection-ms" -> detectionMs = BenchArgs.longOf("--failure-detection-ms", BenchArgs.value(args, ++i), 1);
                    // Every member heartbeats every other (plain FD_ALL3), to measure what the ring saves.
                    case "--traffic-only" -> trafficOnly = true;
                    case "--batch" -> batch = BenchArgs.intOf("--batch", BenchArgs.value(args, ++i), 0);
                    case "--all-to-all" -> System.setProperty("pulse.daemon.extraOpts",
                            (System.getProperty("pulse.daemon.extraOpts", "") + " -Dpulse.messaging.allToAllHeartbeats=true").strip());
                    default -> throw new BenchArgs.BadArgument("unknown option " + args[i]);
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/scale", USAGE, e);
        }
        if (batch < 1) {
            System.err.println("bench/scale: --batch must be at least 1");
            System.exit(2);
        }
        if (steadyS < 0) {
            System.err.println("bench/scale: --steady-s must be 0 (memory once, 5 s into idle) or more seconds");
            System.exit(2);
        }
        if (commits < 1) {
            System.err.println("bench/scale: --commits must be at least 1 (--traffic-only skips them)");
            System.exit(2);
        }
        for (int n : sizes) {
            if (n < 3 || n > 90) {
                System.err.println("bench/scale: --nodes takes sizes from 3 to 90 (ports basePort+1..+n, +100.., +1000..)");
                System.exit(2);
            }
        }
        Path repo = Path.of(System.getProperty("pulse.root", ".")).toAbsolutePath().normalize();
        System.out.println("bench/scale: crmd JVMs on loopback (JVM flags: " + LocalCluster.daemonJavaOpts(repo)
                + ", failure_detection_ms=" + detectionMs + "), " + Runtime.getRuntime().availableProcessors()
                + " cores, load " + load());
        List<Figures> all = new ArrayList<>();
        for (int n : sizes) {
            all.add(runSize(repo, n, trafficOnly ? 0 : commits, idleS, steadyS, detectionMs, batch));
        }
        System.out.println("reproduce: bench/scale --nodes " + String.join(",", sizes.stream().map(String::valueOf).toList())
                + " --commits " + commits + " --idle-s " + idleS + " --steady-s " + steadyS + " --failure-detection-ms " + detectionMs
                + (System.getProperty("pulse.daemon.extraOpts", "").contains("allToAll") ? " --all-to-all" : "")
                + (trafficOnly ? " --traffic-only" : "") + " --batch " + batch);
        for (Figures f : all) {
            System.out.println(f.line());
        }
    }

    private static Figures runSize(Path repo, int n, int commits, int idleS, int steadyS, long detectionMs, int batch)
            throws Exception {
        Path dir = Files.createTempDirectory("pulse-bench-scale-" + n + "-");
        int basePort = Ports.freeBase(n);
        int[] everyone = IntStream.rangeClosed(1, n).toArray();
        System.out.printf("%n== %d nodes (in %s, ports %d+)%n", n, dir, basePort);
        long t0 = System.nanoTime();
        boolean done = false;
        try (LocalCluster c = LocalCluster.prepared(repo, dir, n, basePort, detectionMs)) {
            // In batches: each batch's JVMs start together, the next once they have joined one view.
            FormCounts before = FormCounts.NONE;
            long batch0 = System.nanoTime();
            for (int first = 1; first <= n; first += batch) {
                int last = Math.min(n, first + batch - 1);
                for (int i = first; i <= last; i++) {
                    c.startNode(i);
                }
                int[] started = IntStream.rangeClosed(1, last).toArray();
                boolean joined = waitPolling(Duration.ofSeconds(120 + 10L * batch), () -> joinedOneDc(c, started));
                // Where the batch's time went, from the nodes' own logs.
                FormCounts now = FormCounts.of(c, last);
                System.out.printf("  batch %d..%d: %.1f s; %s (load %s)%n", first, last, (System.nanoTime() - batch0) / 1e9,
                        now.minus(before).describe(), load());
                before = now;
                batch0 = System.nanoTime();
                if (!joined) {
                    System.out.println("  nodes 1.." + last + " did not join one DC (load " + load() + "); each node's view:");
                    printViews(c, started);
                    require(false, "nodes 1.." + last + " did not join one DC");
                }
                if (last < n) {
                    System.out.printf("  nodes 1..%d joined one DC after %.1f s (load %s)%n", last,
                            (System.nanoTime() - t0) / 1e9, load());
                }
            }
            require(waitPolling(Duration.ofSeconds(120 + 10L * n), () -> c.agreedDc(everyone) != null),
                    n + " nodes did not agree on a quorate DC");
            double formS = (System.nanoTime() - t0) / 1e9;
            System.out.printf("formed: all %d agree on DC %s after %.1f s (load %s)%n", n, c.agreedDc(everyone), formS, load());

            AdminResponse r = c.admin(1, AdminRequest.replace(c.nextId(), "<resources>"
                    + "<primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\"><instance_attributes"
                    + " id=\"fs-ia\"><nvpair id=\"fs-dir\" name=\"power_dir\" value=\"" + c.powerDir() + "\"/>"
                    + "</instance_attributes></primitive>"
                    + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><operations><op id=\"d1-m\""
                    + " name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations></primitive></resources>"));
            require(r.ok(), "configuring failed: " + r.error());
            AdminResponse sticky = c.admin(1, AdminRequest.replace(c.nextId(), "<rsc_defaults><meta_attributes"
                    + " id=\"rd\"><nvpair id=\"rd-s\" name=\"resource-stickiness\" value=\"100\"/></meta_attributes>"
                    + "</rsc_defaults>"));
            require(sticky.ok(), "setting stickiness failed: " + sticky.error());
            require(waitPolling(Duration.ofSeconds(60 + 2L * n), () -> runningOn(c, 1, "d1") != null), "d1 did not start");

            // Idle: probes done, monitors ticking. Memory first, then traffic and CPU over one window, then
            // memory again once idle has lasted steadyS (what the JIT, the heap and the timers add meanwhile).
            long idle0 = System.nanoTime();
            Thread.sleep(5000);
            // A node the cluster fenced (a false suspicion on a machine this busy) is counted, not measured.
            int[] alive = IntStream.rangeClosed(1, n).filter(c::alive).toArray();
            if (alive.length < n) {
                System.out.printf("NOTE: %d of %d nodes are gone (fenced after a suspicion?): %s%n", n - alive.length, n,
                        IntStream.rangeClosed(1, n).filter(i -> !c.alive(i)).mapToObj(i -> "node" + i).toList());
            }
            List<Long> rss = new ArrayList<>();
            List<Long> pss = new ArrayList<>();
            for (int i : alive) {
                long[] rp = rssPssKb(c.pid(i));
                rss.add(rp[0]);
                pss.add(rp[1]);
            }
            int m = alive.length;
            Collections.sort(rss);
            Collections.sort(pss);
            System.out.printf("idle memory per node (MB): RSS median %d max %d, PSS median %d max %d (load %s)%n",
                    rss.get(m / 2) / 1024, rss.get(m - 1) / 1024, pss.get(m / 2) / 1024, pss.get(m - 1) / 1024, load());
            long[] rx0 = new long[n + 1];
            long[] tx0 = new long[n + 1];
            long[] cpu0 = new long[n + 1];
            List<Long> threads = new ArrayList<>();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (int i : alive) {
                long[] msg = messages(http, c, i);
                rx0[i] = msg[0];
                tx0[i] = msg[1];
                cpu0[i] = cpuTicks(c.pid(i));
                threads.add(threads(c.pid(i)));
            }
            Collections.sort(threads);
            long w0 = System.nanoTime();
            Thread.sleep(idleS * 1000L);
            double windowS = (System.nanoTime() - w0) / 1e9;
            double rxSum = 0;
            double txSum = 0;
            double rxMax = 0;
            double cpuSum = 0;
            for (int i : alive) {
                long[] msg = messages(http, c, i);
                double rx = (msg[0] - rx0[i]) / windowS;
                rxSum += rx;
                rxMax = Math.max(rxMax, rx);
                txSum += (msg[1] - tx0[i]) / windowS;
                cpuSum += (cpuTicks(c.pid(i)) - cpu0[i]) / windowS; // ticks are 1/100 s: per second = % of a core
            }
            double msgs = rxSum / m;
            double sent = txSum / m;
            cpuSum = cpuSum * n / m; // per node below, over the live ones
            System.out.printf("idle traffic per node over %.0f s: received %.1f msgs/s (max %.1f), sent %.1f/s"
                    + " (a multicast counted once); idle CPU %.1f%% of a core per node; threads per node median %d max %d"
                    + " (load %s)%n", windowS, msgs, rxMax, sent, cpuSum / n, threads.get(m / 2), threads.get(m - 1), load());
            Memory steady = Memory.NONE;
            if (steadyS > 0) {
                Thread.sleep(Math.max(0, steadyS * 1000L - (System.nanoTime() - idle0) / 1_000_000));
                steady = memory(c, alive, (System.nanoTime() - idle0) / 1_000_000_000);
            }

            if (commits == 0) {
                // --traffic-only: forming, memory and traffic; no writes, no failovers.
                done = true;
                return new Figures(n, formS, -1, -1, -1, -1, msgs, sent, rss.get(m / 2) / 1024, rss.get(m - 1) / 1024,
                        pss.get(m / 2) / 1024, steady, cpuSum / n, load().replace(' ', '/'));
            }
            require(m == n, (n - m) + " nodes were gone before the commits: the figures above stand, the failovers"
                    + " need the whole cluster");
            String dcName = c.agreedDc(everyone);
            int dc = Integer.parseInt(dcName.substring(4));
            List<Double> commitMs = new ArrayList<>();
            // Counted figures beside the wall clock (which the shared cores swamp at 16-32 nodes): the DC's
            // event-thread time per commit by stage and event, and the messages the DC sends per commit.
            CommitBreakdown breakdown = new CommitBreakdown(c, dc, CommitBreakdown.nodes(n));
            long dcSent0 = 0;
            long sentFromNs = 0;
            for (int i = 0; i < commits + 10; i++) {
                if (i == 10) {
                    breakdown.start();
                    dcSent0 = messages(http, c, dc)[1];
                    sentFromNs = System.nanoTime();
                }
                long s0 = System.nanoTime();
                AdminResponse w = c.admin(dc, new AdminRequest(c.nextId(), "node",
                        AdminArgs.of("action", "property-set", "name", "bench-counter", "value", Integer.toString(i))));
                double ms = (System.nanoTime() - s0) / 1e6;
                require(w.ok(), "write " + i + " failed: " + w.error());
                if (i >= 10) {
                    commitMs.add(ms);
                }
            }
            Collections.sort(commitMs);
            double median = pct(commitMs, 50);
            double p99 = pct(commitMs, 99);
            // Less the idle traffic of the same window (a node's idle rate, measured above).
            double dcSentPerCommit = (messages(http, c, dc)[1] - dcSent0 - sent * (System.nanoTime() - sentFromNs) / 1e9)
                    / commits;
            System.out.printf("CIB change -> acknowledged by all %d nodes, %d writes to the DC: median %.2f p99 %.2f"
                    + " max %.2f ms (load %s)%n", n, commitMs.size(), median, p99, commitMs.get(commitMs.size() - 1), load());
            String stages = breakdown.print(commits, commitMs.stream().mapToDouble(Double::doubleValue).average().orElse(0));
            System.out.printf("commit counted: the DC sent %.1f messages per commit beyond its idle traffic (%d other"
                    + " members); %s%n", dcSentPerCommit,
                    n - 1, stages);

            // Resource failover: d1 on a node that is not the DC; that node is killed -9.
            int victim = dc == n ? n - 1 : n;
            String victimName = "node" + victim;
            AdminResponse mv = c.admin(dc, AdminRequest.resource(c.nextId(), "move", "d1", victimName));
            require(mv.ok(), "move failed: " + mv.error());
            require(waitPolling(Duration.ofSeconds(60), () -> victimName.equals(runningOn(c, dc, "d1"))),
                    "d1 did not move to " + victimName);
            require(c.admin(dc, AdminRequest.resource(c.nextId(), "clear", "d1", null)).ok(), "clear failed");
            Thread.sleep(2000);
            Path history = c.powerDir().resolve(victimName + ".history");
            long fencedBefore = Files.exists(history) ? Files.readAllLines(history).size() : 0;
            long k0 = System.nanoTime();
            c.kill9(victim);
            require(waitPolling(Duration.ofSeconds(60), () -> {
                String on = runningOn(c, dc, "d1");
                return on != null && !on.equals(victimName);
            }), "d1 not recovered after " + victimName + " was killed");
            long failoverMs = (System.nanoTime() - k0) / 1_000_000;
            System.out.printf("kill -9 of %s (running d1) -> d1 running elsewhere (fenced first): %d ms (load %s)%n",
                    victimName, failoverMs, load());
            // Powered on again only once its fencing is done (fencing powers off whatever runs as that node).
            require(waitPolling(Duration.ofSeconds(60), () -> {
                try {
                    return Files.exists(history) && Files.readAllLines(history).size() > fencedBefore
                            && fencingDone(c, dc, victimName);
                } catch (Exception e) {
                    return false;
                }
            }), victimName + " was not fenced");
            // Back only where the DC's failover below needs it for quorum (3 or 4 nodes); a JVM start on
            // busy cores takes as long as the whole failover, and the rejoin is not what is measured here.
            int[] members = everyone;
            if (n - 2 <= n / 2) {
                c.startNode(victim);
                require(waitPolling(Duration.ofSeconds(60 + 10L * n), () -> c.agreedDc(everyone) != null),
                        victimName + " did not rejoin; its log ends:\n" + tail(c.log(victim), 30));
            } else {
                members = IntStream.rangeClosed(1, n).filter(i -> i != victim).toArray();
            }

            // DC failover.
            String oldDc = c.agreedDc(members);
            require(oldDc != null, "no agreed DC before the DC's failover");
            int oldDcIndex = Integer.parseInt(oldDc.substring(4));
            int[] survivors = IntStream.of(members).filter(i -> i != oldDcIndex).toArray();
            long d0 = System.nanoTime();
            c.kill9(oldDcIndex);
            require(LocalCluster.waitFor(Duration.ofSeconds(60), () -> {
                String d = c.agreedDc(survivors);
                return d != null && !d.equals(oldDc);
            }), "no new DC after " + oldDc + " was killed");
            long dcFailoverMs = (System.nanoTime() - d0) / 1_000_000;
            System.out.printf("kill -9 of the DC %s -> all %d survivors agree on DC %s: %d ms (load %s)%n", oldDc,
                    survivors.length, c.agreedDc(survivors), dcFailoverMs, load());
            done = true;
            return new Figures(n, formS, dcFailoverMs, failoverMs, median, p99, msgs, sent, rss.get(m / 2) / 1024,
                    rss.get(m - 1) / 1024, pss.get(m / 2) / 1024, steady, cpuSum / n, load().replace(' ', '/'));
        } finally {
            // A size that failed keeps its nodes' logs (nodeN/crmd.log ...): why it failed is in them.
            if (!done || Boolean.getBoolean("pulse.keep")) {
                System.out.println((done ? "kept " : "failed: the nodes' data and logs are kept in ") + dir);
            } else {
                try (var paths = Files.walk(dir)) {
                    paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    /** Every listed node is joined and names the same DC (quorate or not: a first batch has no quorum yet). */
    private static boolean joinedOneDc(LocalCluster c, int... nodes) {
        String dc = null;
        for (int i : nodes) {
            AdminArgs s = c.status(i);
            if (s == null || !"true".equals(FailoverAdmin.str(s, "joined"))) {
                return false;
            }
            String d = FailoverAdmin.str(s, "dc");
            if (d == null || (dc != null && !dc.equals(d))) {
                return false;
            }
            dc = d;
        }
        return true;
    }

    /** What each node says when the cluster did not form: its DC, whether it joined, its view's members. */
    private static void printViews(LocalCluster c, int... nodes) {
        for (int i : nodes) {
            AdminArgs s = c.status(i);
            if (s == null) {
                System.out.printf("    node%d: no answer (alive %s)%n", i, c.alive(i));
                continue;
            }
            String members = FailoverAdmin.str(s, "members");
            System.out.printf("    node%d: dc %s joined %s quorate %s, %d members [%s]%n", i, FailoverAdmin.str(s, "dc"),
                    FailoverAdmin.str(s, "joined"), FailoverAdmin.str(s, "quorate"),
                    members == null || members.isEmpty() ? 0 : members.split(",").length, members);
        }
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** The nodes' RSS and PSS now, printed with the load; nodes gone since (fenced) are left out. */
    private static Memory memory(LocalCluster c, int[] nodes, long atS) throws IOException {
        List<Long> rss = new ArrayList<>();
        List<Long> pss = new ArrayList<>();
        for (int i : nodes) {
            if (c.alive(i)) {
                long[] rp = rssPssKb(c.pid(i));
                rss.add(rp[0]);
                pss.add(rp[1]);
            }
        }
        if (rss.isEmpty()) {
            return Memory.NONE;
        }
        Collections.sort(rss);
        Collections.sort(pss);
        int m = rss.size();
        Memory r = new Memory(rss.get(m / 2) / 1024, rss.get(m - 1) / 1024, pss.get(m / 2) / 1024, atS);
        System.out.printf("idle memory per node after %d s idle (MB): RSS median %d max %d, PSS median %d max %d (load %s)%n",
                atS, r.rssMb(), r.rssMaxMb(), r.pssMb(), pss.get(m - 1) / 1024, load());
        return r;
    }

    /** {received, sent} from the node's /metrics. */
    private static long[] messages(HttpClient http, LocalCluster c, int node) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.httpPort(node)
                + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        long rx = -1;
        long tx = -1;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("pulse_messages_received_total ")) {
                rx = Long.parseLong(line.substring(line.indexOf(' ') + 1).strip());
            } else if (line.startsWith("pulse_messages_sent_total ")) {
                tx = Long.parseLong(line.substring(line.indexOf(' ') + 1).strip());
            }
        }
        require(rx >= 0 && tx >= 0, "node" + node + "'s /metrics has no message counts (status " + r.statusCode() + ")");
        return new long[] {rx, tx};
    }

    /** Rss and Pss in kB from /proc/PID/smaps_rollup (PSS splits the shared pages, e.g. CDS, among the JVMs). */
    static long[] rssPssKb(long pid) throws IOException {
        long rss = -1;
        long pss = -1;
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/smaps_rollup"))) {
            if (line.startsWith("Rss:")) {
                rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            } else if (line.startsWith("Pss:")) {
                pss = Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return new long[] {rss, pss};
    }

    private static long threads(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("Threads:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * What the started nodes' logs say so far: views installed (summed over the nodes), suspicions the guards
     * passed and held, connections refused while the peer's address was awaited.
     */
    record FormCounts(long views, long passed, long held, long refused) {
        static final FormCounts NONE = new FormCounts(0, 0, 0, 0);

        static FormCounts of(LocalCluster c, int last) throws IOException {
            long views = 0;
            long passed = 0;
            long held = 0;
            long refused = 0;
            for (int i = 1; i <= last; i++) {
                if (!Files.exists(c.log(i))) {
                    continue;
                }
                // Latin-1: a log may hold bytes that are not UTF-8, and only ASCII is matched.
                for (String line : Files.readAllLines(c.log(i), java.nio.charset.StandardCharsets.ISO_8859_1)) {
                    if (line.contains("] crmd@") && line.contains(" - view ") && line.contains(": members [")) {
                        views++;
                    } else if (line.contains(": suspecting ") && !line.contains(" after holding")) {
                        passed++;
                    } else if (line.contains(": holding back the suspicion")) {
                        held++;
                    } else if (line.contains("failed accepting connection")) {
                        refused++;
                    }
                }
            }
            return new FormCounts(views, passed, held, refused);
        }

        FormCounts minus(FormCounts o) {
            return new FormCounts(views - o.views, passed - o.passed, held - o.held, refused - o.refused);
        }

        String describe() {
            return "views installed " + views + " (summed over the nodes), suspicions passed " + passed + ", held " + held
                    + ", connections refused " + refused;
        }
    }

    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    private static boolean fencingDone(LocalCluster c, int node, String fenced) throws Exception {
        AdminResponse q = c.admin(node, AdminRequest.query(c.nextId()));
        String xml = FailoverAdmin.str(q.result(), "xml");
        return xml != null && xml.matches("(?s).*<node_state [^>]*uname=\"" + fenced + "\"[^>]*expected=\"down\".*");
    }

    private static double pct(List<Double> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("bench/scale: " + what);
        }
    }
}
