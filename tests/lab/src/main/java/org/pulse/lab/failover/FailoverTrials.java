package org.pulse.lab.failover;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.FailoverProbe;
import org.pulse.lab.support.NetnsLab;

/**
 * The cases of bench/failover (root): the outage a client sees when the node holding the VIP dies (link down,
 * then SIGKILL of everything on it), in the figures' method: a client namespace probing every
 * 10 ms with TCP connect + HTTP GET and a 50 ms timeout; outage = first success after the fault
 * minus last success before it. (a) the VIP alone with a web server already running on every
 * node (each page names its node), (b) the VIP + Filesystem + httpd group, (c) a graceful move
 * of the VIP, (d) an idle soak counting false failovers, (e) the VIP alone again, fenced as
 * production clusters fence: a BMC per node (BmcLab: ipmi_sim), a {@code fence_ipmilan} device per
 * node (Debian's, unchanged, over RMCP+) as fencing level 1 and the power switch as level 2, so the
 * outage includes the IPMI round trip. Quorum and fencing (the power-switch simulator,
 * stonith-action=off) on throughout.
 *
 * <p>The cases themselves, on a lab the caller starts: bench/failover's FailoverBench (in tests/bench)
 * runs them with its options, RestartSoakLabTest runs the restart soak (f) bounded for CI.
 */
public final class FailoverTrials {
    private final FailoverLab cluster;
    private final NetnsLab lab;
    private final String vip;
    /**
     * Why the VIP of (a), (c) and (d) has allow-migrate=true: the graceful move (c) then runs as
     * live migration, make-before-break, instead of stop then start (a SYN sent between the two is
     * lost and costs the client its whole 50 ms timeout). Node deaths (a) are unaffected.
     */
    static final String VIP_MIGRATION = "VIP: meta allow-migrate=true, so a move is a live migration, make-before-break:"
            + " migrate_to on the source (keeps the address), migrate_from on the target (adds it, gratuitous ARP at"
            + " once), then stop on the source; clients switch before the source lets go, no SYN is lost in a gap"
            + " (stop then start lost one 50 ms probe per move). The group (b) has none.";
    /** Nodes fenced during kill trials that were not the victim (false failovers). */
    private int extraFencings;
    /** Nodes found dead although not killed, during (e) only (IPMI fencing leaves no power-switch history). */
    private int extraFencingsIpmi;
    /** The phases of each kill trial's outage, by case label ("(a) VIP alone", "(b) group", ...), in trial order. */
    public final Map<String, List<OutagePhases.Phases>> phases = new java.util.LinkedHashMap<>();
    /** Every kill this bench made, to tell the cluster's fences of them from false fences. */
    public final FenceLedger ledger = new FenceLedger(System::currentTimeMillis);
    /** The BMCs of case (e), or null when it does not run. */
    private final BmcLab bmcs;
    /** fence_ipmilan's power_timeout in (e): a dead BMC fails within it (not the 20 s default). */
    static final int IPMI_POWER_TIMEOUT_S = 5;

    public FailoverTrials(FailoverLab cluster, BmcLab bmcs) {
        this.cluster = cluster;
        this.lab = cluster.lab;
        this.vip = lab.vip(0);
        this.bmcs = bmcs;
    }

    static void say(String s) {
        System.out.println(java.time.LocalTime.now().withNano(0) + "  " + s);
        System.out.flush();
    }

    /** The system property that turns messaging's SuspicionGuard off in crmd (--no-guard). */
    public static final String NO_GUARD_PROPERTY = "pulse.messaging.noSuspicionGuard";
    /** --soak-load: busy-loop processes, one per core, run through the whole bench. */
    public boolean soakLoad;
    public long restartSoakS;
    public long restartEveryS = 30;
    /**
     * --steady-s: how long a kill trial waits once the service settled, so each failure strikes a cluster
     * that has run normally that long rather than one still busy with the previous trial's failover and
     * the fenced node's restart (0: 500 ms, back to back, as before). It matters because failure detection
     * adapts: a member whose heartbeats came late during that work is given up to the ceiling (320 ms at
     * D = 500), forgotten with a 10 s half-life.
     */
    public long steadyMs;

    /**
     * One busy loop per core, each its own process outside the lab (another workload on the same
     * machine, as when the figures were taken while others built), at the cluster's own priority.
     */
    public static List<Process> startLoad() throws java.io.IOException {
        List<Process> out = new ArrayList<>();
        for (int c = 0; c < Runtime.getRuntime().availableProcessors(); c++) {
            out.add(new ProcessBuilder("sh", "-c", "while :; do :; done").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        }
        say("soak load: " + out.size() + " busy-loop processes (one per core) for the whole run; load average " + loadAverage());
        return out;
    }

    public static void stopLoad(List<Process> load) throws InterruptedException {
        for (Process p : load) {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    public void run(int trials, int moves, long soakS, long fdMs, int ipmiTrials, String cmd) throws Exception {
        say("lab " + lab + "; node logs " + cluster.logs());
        say(VIP_MIGRATION);
        say("detection: failure_detection_ms=" + fdMs + " (crmd derives the heartbeats, VERIFY_SUSPECT2, FD_SOCK2 from it;"
                + " its log line 'failure detection:' below)");
        String dc = FailoverLab.waitFor(Duration.ofSeconds(180), () -> cluster.agreedDc(cluster.all()));
        if (dc == null) {
            throw new IllegalStateException("the lab cluster did not form in 180 s; logs " + cluster.logs());
        }
        for (String l : Files.readAllLines(cluster.log(1))) {
            if (l.contains("failure detection:")) {
                say("  " + l.substring(l.indexOf("failure detection:")));
                break;
            }
        }
        cluster.configure(1, List.of("property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                "rsc_defaults resource-stickiness=100"));

        // (a) the VIP alone, a web server on every node.
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            startNodeWebServer(i);
        }
        // allow-migrate=true: a move becomes live migration, make-before-break (see the header).
        replaceResources(fence() + vipXml("vip", "1s", true));
        List<Long> a = killTrials("(a) VIP alone", "vip", trials, true);
        // (c) graceful move of the VIP.
        List<Long> move = moveTrials(moves);
        // (d) idle soak (loaded with --soak-load).
        int[] soak = soakS > 0 ? soak(soakS) : new int[3];
        String soakLoadAvg = loadAverage();
        // (f) restart soak: a node killed, fenced and restarted every restartEveryS.
        List<Long> f = new ArrayList<>();
        int[] restart = new int[2];
        String restartProblem = null;
        if (restartSoakS > 0) {
            try {
                restartSoak(restartSoakS, restartEveryS, f, restart);
            } catch (IllegalStateException ex) {
                // Still print what was measured (and count its fences); the problem goes into the table.
                restartProblem = ex.getMessage();
            }
        }
        String restartLoadAvg = loadAverage();
        // (b) the group.
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            stopNodeWebServer(i);
        }
        List<Long> b = List.of();
        String groupProblem = null;
        if (trials > 0) {
            try {
                b = groupTrials(trials);
            } catch (IllegalStateException ex) {
                // Still print what was measured; the problem goes into the table.
                groupProblem = ex.getMessage();
            }
        }
        // (e) the VIP alone with per-node IPMI fencing, last: its fencing topology stays behind.
        // Filled trial by trial: what was measured stays when a later trial stops the case.
        List<Long> e = new ArrayList<>();
        List<Long> ipmiFenceMs = List.of();
        String ipmiProblem = null;
        if (ipmiTrials > 0) {
            try {
                // Every node up first: a case before may have stopped half-way with nodes down.
                reviveFalselyFenced("before (e)", false);
                // The group of (b) goes first: its httpd holds port 80 where the node web servers listen.
                replaceResources(fence() + vipXml("vip", "1s", true));
                for (int i = 1; i <= FailoverLab.NODES; i++) {
                    int node = i;
                    if (FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.nodeWeb(node, "start").ok() ? "up" : null)
                            == null) {
                        throw new IllegalStateException("the web server of " + cluster.name(i) + " did not start within"
                                + " 60 s of the group's removal");
                    }
                }
                int before = extraFencings;
                try {
                    ipmiTrials(ipmiTrials, e);
                } finally {
                    extraFencingsIpmi = extraFencings - before;
                }
            } catch (IllegalStateException ex) {
                ipmiProblem = ex.getMessage();
            }
            ipmiFenceMs = ipmiOffRoundTrips();
        }

        System.out.println();
        System.out.println("Failover outage seen by the client (ms), 3 nodes in network namespaces, client probing every"
                + " 10 ms (TCP connect + GET, 50 ms timeout); node death = link down + SIGKILL; quorum and fencing on");
        System.out.println(String.format(Locale.ROOT, "%-44s %6s %6s %6s %6s", "case", "trials", "min", "median", "max"));
        row("(a) VIP alone, web server on every node", a);
        row("(b) VIP + Filesystem + httpd group", b);
        if (groupProblem != null) {
            System.out.println("    (b) stopped: " + groupProblem);
        }
        row("(c) graceful move of the VIP (resource move)", move);
        System.out.println(String.format(Locale.ROOT, "(d) %s soak %d s: %d false failovers (%d view changes, %d VIP moves),"
                + " %d failed client probes (load average at its end %s); during the kill trials %d other node(s) were fenced"
                + " as well", soakLoad ? "loaded" : "idle", soakS, soak[0] + soak[1], soak[0], soak[1], soak[2], soakLoadAvg,
                extraFencings));
        row("(f) restart soak: VIP outages (holder killed)", f);
        System.out.println(String.format(Locale.ROOT, "(f) restart soak %d s, a node killed, fenced and restarted every %d s%s:"
                + " %d restarts, %d false VIP moves (load average at its end %s)", restartSoakS, restartEveryS,
                soakLoad ? " under load" : "", restart[0], restart[1], restartLoadAvg));
        if (restartProblem != null) {
            System.out.println("    (f) stopped: " + restartProblem);
        }
        FenceLedger.Count fences = ledger.count(cluster);
        int falseFences = fences.falseFences() + extraFencingsIpmi;
        System.out.println("fences by the cluster: " + fences.legitimate() + " of nodes this bench killed, " + falseFences
                + " of healthy nodes" + (fences.details().isEmpty() ? "" : ": " + fences.details()));
        row("(e) VIP alone, per-node IPMI fencing", e);
        if (ipmiProblem != null) {
            System.out.println("    (e) stopped: " + ipmiProblem);
        }
        row("    fence_ipmilan off round trip (LRM)", ipmiFenceMs);
        System.out.println("(e): a BMC per node (ipmi_sim, RMCP+ cipher 3), stonith:fence_ipmilan per node (pcmk_host_list,"
                + " power_wait=0, power_timeout=" + IPMI_POWER_TIMEOUT_S + ") as level 1, the power switch as level 2");
        System.out.println("VIP of (a), (c), (d), (e): allow-migrate=true (move = migrate_to, migrate_from, then stop on the"
                + " source: make-before-break)");
        System.out.println("load average at the end (1/5/15 min, 2 cores shared with other work): " + loadAverage());
        System.out.println("detection settings: failure_detection_ms=" + fdMs + "; targets: (a) median <= 400, max <= 700;"
                + " move <= 50; 0 false failovers; (e) median <= 600; issue 17: at the default detection VIP median <= 200,"
                + " max <= 400, group median <= 300, false_fences=0, false_failovers=0 over idle, loaded and restart soaks");
        System.out.println("reproduce: sudo " + cmd);
        System.out.println(String.format(Locale.ROOT,
                "failover trials=%d median_ms=%d max_ms=%d group_median_ms=%d move_median_ms=%d false_failovers=%d"
                        + " false_fences=%d restarts=%d restart_vip_median_ms=%d restart_vip_max_ms=%d"
                        + " ipmi_trials=%d ipmi_median_ms=%d ipmi_fence_median_ms=%d fencing=on soak_load=%s detection_ms=%d"
                        + " guard=%s steady_s=%d load=%s",
                a.size(), median(a), max(a), median(b), median(move), soak[0] + soak[1] + extraFencings + restart[1],
                falseFences, restart[0], median(f), max(f), e.size(), median(e), median(ipmiFenceMs),
                soakLoad ? "on" : "off", fdMs, cluster.extraJavaOpts.contains(NO_GUARD_PROPERTY) ? "off" : "on",
                steadyMs / 1000, loadAverage().replace(' ', '/'))
                // Where the outage went (medians of OutagePhases' parts): the VIP alone (a), then the group (b).
                + OutagePhases.summaryFields("", phases.getOrDefault("(a) VIP alone", List.of()))
                + OutagePhases.summaryFields("group_", phases.getOrDefault("(b) group", List.of())));
    }

    /** (b): the VIP + Filesystem + httpd group on a shared disk. */
    List<Long> groupTrials(int trials) throws Exception {
        NetnsLab.LoopDevice disk = lab.loopImage("shared", 32);
        Path setup = lab.dir("setup");
        lab.execOk(lab.node(1), "mount", disk.device(), setup.toString());
        Files.writeString(setup.resolve("index.html"), "shared-disk\n");
        lab.execOk(lab.node(1), "chmod", "-R", "a+rX", setup.toString());
        lab.execOk(lab.node(1), "umount", setup.toString());
        Path shared = lab.dir("shared");
        cluster.addSharedMount(shared);
        replaceResources(fence() + "<group id=\"svc\">" + vipXml("vip", "1s", false)
                + "<primitive id=\"fs\" class=\"ocf\" provider=\"pulse\" type=\"Filesystem\">"
                + attrs("fs", Map.of("device", disk.device(), "directory", shared.toString(), "fstype", "ext4"))
                + ops("fs", "5s", "20s") + "</primitive>"
                + "<primitive id=\"web\" class=\"ocf\" provider=\"pulse\" type=\"httpd\">"
                + attrs("web", Map.of("listen", vip + ":80", "docroot", shared.toString()))
                + ops("web", "5s", "20s") + "</primitive></group>");
        return killTrials("(b) group", "web", trials, false);
    }

    /**
     * (e): the VIP alone as in (a), fenced per node through its BMC: the resources become the VIP
     * alone, then crm configure adds BmcLab's devices and fencing topology (level 1 fence_ipmilan of
     * the node's BMC, level 2 the power switch).
     */
    void ipmiTrials(int trials, List<Long> out) throws Exception {
        replaceResources(vipXml("vip", "1s", true));
        int[] live = liveNodes();
        cluster.configure(live[0], bmcs.fencingConfiguration(IPMI_POWER_TIMEOUT_S, ""));
        killTrials("(e) VIP alone, per-node IPMI fencing", "vip", trials, true, out);
    }

    /**
     * fence_ipmilan's off round trips in (e), as the executing nodes' LRMs timed them (the agent
     * process from start to exit: python, ipmitool's RMCP+ session, the BMC's power-off, the status
     * check): "ipmi-NODE_off_0 call N: rc 0 (ok) done in X ms" in the crmd logs.
     */
    List<Long> ipmiOffRoundTrips() throws java.io.IOException {
        java.util.regex.Pattern p = java.util.regex.Pattern.compile("ipmi-\\S+_off_0 call \\d+: rc 0 \\(ok\\) done in (\\d+) ms");
        List<Long> out = new ArrayList<>();
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            if (!Files.exists(cluster.log(i))) {
                continue;
            }
            for (String l : Files.readAllLines(cluster.log(i))) {
                java.util.regex.Matcher m = p.matcher(l);
                if (m.find()) {
                    out.add(Long.parseLong(m.group(1)));
                }
            }
        }
        return out;
    }

    static void row(String name, List<Long> v) {
        System.out.println(String.format(Locale.ROOT, "%-44s %6d %6d %6d %6d", name, v.size(), min(v), median(v), max(v)));
    }

    public static long median(List<Long> v) {
        if (v.isEmpty()) {
            return -1;
        }
        List<Long> s = new ArrayList<>(v);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    public static long min(List<Long> v) {
        return v.isEmpty() ? -1 : Collections.min(v);
    }

    public static long max(List<Long> v) {
        return v.isEmpty() ? -1 : Collections.max(v);
    }

    /**
     * The power switch, with its outlets named (pcmk_host_list, so pcmk_host_check=static-list): the fencer then
     * knows at once which nodes it fences, where a dynamic list ran the agent's {@code list} before the first fence
     * and again once the answer was 60 s old, ~50 ms on a failover's path every other steady trial.
     */
    String fence() {
        return "<primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\">"
                + attrs("fence-sim", Map.of("power_dir", cluster.power.toString(), "pcmk_host_list",
                        FailoverLab.hostList())) + "</primitive>";
    }

    /** The VIP; {@code allowMigrate} adds meta allow-migrate=true (moves by live migration). */
    String vipXml(String id, String interval, boolean allowMigrate) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pulse\" type=\"IPaddr\">"
                + attrs(id, Map.of("ip", vip, "cidr_netmask", "24", "nic", NetnsLab.IFNAME))
                + (allowMigrate ? "<meta_attributes id=\"" + id + "-meta\"><nvpair id=\"" + id
                        + "-allow-migrate\" name=\"allow-migrate\" value=\"true\"/></meta_attributes>" : "")
                + ops(id, interval, "10s") + "</primitive>";
    }

    static String attrs(String id, Map<String, String> params) {
        StringBuilder b = new StringBuilder("<instance_attributes id=\"" + id + "-ia\">");
        params.forEach((k, v) -> b.append("<nvpair id=\"").append(id).append("-").append(k).append("\" name=\"").append(k)
                .append("\" value=\"").append(v).append("\"/>"));
        return b.append("</instance_attributes>").toString();
    }

    static String ops(String id, String interval, String timeout) {
        return "<operations><op id=\"" + id + "-mon\" name=\"monitor\" interval=\"" + interval + "\" timeout=\""
                + timeout + "\"/></operations>";
    }

    void replaceResources(String inner) throws Exception {
        int[] live = liveNodes();
        AdminResponse r = cluster.admin.call(cluster.socket(live[0]), AdminRequest.replace(cluster.admin.nextId(),
                "<resources>" + inner + "</resources>"));
        if (!r.ok()) {
            throw new IllegalStateException("replacing the resources failed: " + r.error());
        }
    }

    int[] liveNodes() {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            if (cluster.alive(i)) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    void startNodeWebServer(int i) throws Exception {
        cluster.startNodeWebServer(i);
    }

    void stopNodeWebServer(int i) {
        cluster.stopNodeWebServer(i);
    }

    /** Waits until every node agrees where rsc runs and the client gets a page through the VIP. */
    String settled(String rsc, FailoverLab.Client client) throws InterruptedException {
        double since = FailoverProbe.nowMs();
        return FailoverLab.waitFor(Duration.ofSeconds(120), () -> {
            String on = cluster.agreedRunningOn(rsc, liveNodes());
            return on != null && client.okSince(since) >= 30 ? on : null;
        });
    }

    List<Long> killTrials(String label, String rsc, int trials, boolean perNodePages) throws Exception {
        return killTrials(label, rsc, trials, perNodePages, new ArrayList<>());
    }

    /** As above, adding each trial's outage to {@code out} as it is measured. */
    List<Long> killTrials(String label, String rsc, int trials, boolean perNodePages, List<Long> out) throws Exception {
        if (trials <= 0) {
            return out;
        }
        say(label + ": " + trials + " trials of link down + kill -9 of the node holding the service");
        // Each trial's victim, cut and client's first answer (epoch ms), for the phases read from the logs at the end.
        List<String> victims = new ArrayList<>();
        List<long[]> times = new ArrayList<>();
        try (FailoverLab.Client client = cluster.client(vip, 80)) {
            for (int t = 1; t <= trials; t++) {
                // A node fenced while nobody killed anything (e.g. suspected under load right after it
                // joined) is a false failover: counted, rebooted, and the trial waits for all three.
                reviveFalselyFenced("before trial " + t, perNodePages);
                String on = settled(rsc, client);
                if (on == null) {
                    throw new IllegalStateException("trial " + t + ": the service did not settle; logs " + cluster.logs());
                }
                Thread.sleep(Math.max(500, steadyMs));
                int victim = cluster.index(on);
                ledger.killed(victim);
                double[] k = cluster.powerOff(victim);
                FailoverProbe.Outage o = FailoverLab.waitFor(Duration.ofSeconds(60),
                        () -> FailoverProbe.outage(client.samples, k[0], k[1]));
                if (o == null) {
                    throw new IllegalStateException("trial " + t + ": the service did not come back in 60 s; logs "
                            + cluster.logs());
                }
                victims.add(on);
                times.add(new long[] {Math.round(FailoverLab.toEpochMs(k[0])), Math.round(FailoverLab.toEpochMs(o.firstOkAfterMs()))});
                if (FailoverLab.waitFor(Duration.ofSeconds(30), () -> cluster.fenced(victim) ? "y" : null) == null) {
                    throw new IllegalStateException("trial " + t + ": " + on + " was not fenced in 30 s");
                }
                out.add(o.ms());
                String to = perNodePages ? o.after() : FailoverLab.waitFor(Duration.ofSeconds(10),
                        () -> cluster.agreedRunningOn(rsc, cluster.others(victim)));
                say(String.format(Locale.ROOT, "  trial %2d: %s died, served again by %s after %4d ms (%d failed probes)",
                        t, on, to, o.ms(), o.failures()));
                if (perNodePages) {
                    List<String> seen = FailoverProbe.answerers(client.samples.stream()
                            .filter(s -> s.startMs() > k[1]).toList());
                    if (seen.size() != 1) {
                        throw new IllegalStateException("trial " + t + ": after the kill the client was served by "
                                + seen + " (must be one node)");
                    }
                }
                // The fenced node reboots and rejoins before the next trial; so does any other node
                // the cluster fenced meanwhile (a false failover: counted and reported).
                for (int i = 1; i <= FailoverLab.NODES; i++) {
                    if (i != victim && !cluster.alive(i)) {
                        extraFencings++;
                        say("  FALSE FAILOVER: " + cluster.name(i) + " was fenced too during trial " + t);
                    }
                    if (i == victim || !cluster.alive(i)) {
                        ledger.restarted(i);
                        cluster.rebootBare(i);
                        if (perNodePages) {
                            startNodeWebServer(i);
                        }
                        cluster.startNode(i);
                    }
                }
                if (FailoverLab.waitFor(Duration.ofSeconds(180), () -> cluster.agreedDc(cluster.all())) == null) {
                    throw new IllegalStateException(on + " did not rejoin in 180 s; logs " + cluster.logs());
                }
            }
        } finally {
            // Also when a trial failed: the outages measured so far keep their phases.
            readPhases(label, victims, times);
        }
        return out;
    }

    /**
     * Each kill trial's phases ({@link OutagePhases}) from the nodes' logs, printed as a table and kept by case
     * label in {@link #phases} for the summary line; trial i's window ends at trial i+1's cut.
     */
    private void readPhases(String label, List<String> victims, List<long[]> times) {
        if (victims.isEmpty()) {
            return;
        }
        try {
            Map<String, List<String>> logs = new java.util.HashMap<>();
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                if (Files.exists(cluster.log(i))) {
                    logs.put(cluster.name(i), Files.readAllLines(cluster.log(i), java.nio.charset.StandardCharsets.ISO_8859_1));
                }
            }
            List<OutagePhases.Phases> found = new ArrayList<>();
            for (int t = 0; t < victims.size(); t++) {
                long end = t + 1 < times.size() ? times.get(t + 1)[0] : System.currentTimeMillis();
                found.add(OutagePhases.read(logs, victims.get(t), times.get(t)[0], end, times.get(t)[1],
                        java.time.ZoneId.systemDefault()));
            }
            phases.put(label, found);
            for (String l : OutagePhases.table(label, found)) {
                say(l);
            }
        } catch (java.io.IOException | RuntimeException e) {
            say(label + ": could not read the phases from the node logs: " + e);
        }
    }

    /**
     * Counts, reboots and rejoins every node that is down although this bench did not kill it, and
     * returns once all three have stayed up for 2 s: a node that rejoined can still be suspected
     * right after its join (seen under load ~4 with 200 ms detection), and a trial that kills a
     * node of the remaining pair leaves no quorum to recover with.
     */
    void reviveFalselyFenced(String when, boolean withWebServer) throws Exception {
        for (int round = 1; round <= 5; round++) {
            boolean any = false;
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                if (!cluster.alive(i)) {
                    extraFencings++;
                    any = true;
                    say("  FALSE FAILOVER: " + cluster.name(i) + " was fenced " + when + " (no fault injected);"
                            + " rebooting it");
                    ledger.restarted(i);
                    cluster.rebootBare(i);
                    if (withWebServer) {
                        startNodeWebServer(i);
                    }
                    cluster.startNode(i);
                }
            }
            if (any && FailoverLab.waitFor(Duration.ofSeconds(180), () -> cluster.agreedDc(cluster.all())) == null) {
                throw new IllegalStateException("the rebooted node(s) did not rejoin in 180 s; logs " + cluster.logs());
            }
            long end = System.nanoTime() + 2_000_000_000L;
            boolean stayedUp = true;
            while (stayedUp && System.nanoTime() < end) {
                stayedUp = liveNodes().length == FailoverLab.NODES;
                Thread.sleep(50);
            }
            if (stayedUp) {
                return;
            }
        }
        throw new IllegalStateException("nodes kept being fenced " + when + " without a fault; logs " + cluster.logs());
    }

    List<Long> moveTrials(int moves) throws Exception {
        List<Long> out = new ArrayList<>();
        if (moves <= 0) {
            return out;
        }
        say("(c) " + moves + " graceful moves of the VIP (admin 'resource move', as crm resource move)");
        try (FailoverLab.Client client = cluster.client(vip, 80)) {
            for (int t = 1; t <= moves; t++) {
                reviveFalselyFenced("before move " + t, true);
                String on = settled("vip", client);
                Thread.sleep(500);
                int from = cluster.index(on);
                int to = cluster.others(from)[t % 2];
                double t0 = FailoverProbe.nowMs();
                AdminResponse r = cluster.admin.call(cluster.socket(to), AdminRequest.resource(cluster.admin.nextId(),
                        "move", "vip", cluster.name(to)));
                if (!r.ok()) {
                    throw new IllegalStateException("move failed: " + r.error());
                }
                String target = cluster.name(to);
                FailoverLab.waitFor(Duration.ofSeconds(60), () -> {
                    List<FailoverProbe.Sample> after = client.samples.stream().filter(s -> s.startMs() > t0).toList();
                    return after.stream().anyMatch(s -> s.ok() && s.page().equals(target)) ? "y" : null;
                });
                Thread.sleep(300);
                long gap = maxGap(client.samples, t0 - 100);
                List<FailoverProbe.Sample> failed = client.samples.stream().filter(s -> s.startMs() >= t0 - 100 && !s.ok())
                        .toList();
                double firstOnTarget = client.samples.stream().filter(s -> s.startMs() > t0 && s.ok()
                        && s.page().equals(target)).mapToDouble(FailoverProbe.Sample::startMs).findFirst().orElse(t0);
                out.add(gap);
                // When a failed probe began, against the request and the target's first answer: one
                // lost in the switch-over sits next to the latter, one lost to load anywhere.
                StringBuilder when = new StringBuilder();
                for (FailoverProbe.Sample f : failed) {
                    when.append(when.length() == 0 ? " (" : ", ").append(String.format(Locale.ROOT,
                            "began at +%d ms, failed after %d ms", Math.round(f.startMs() - t0),
                            Math.round(f.endMs() - f.startMs())));
                }
                say(String.format(Locale.ROOT, "  move %d: %s -> %s, longest gap between answers %d ms, %d failed probes%s;"
                        + " target answers from +%d ms after the request", t, on, target, gap, failed.size(),
                        when.length() == 0 ? "" : when + ")", Math.round(firstOnTarget - t0)));
            }
            cluster.admin.call(cluster.socket(1), AdminRequest.resource(cluster.admin.nextId(), "clear", "vip", null));
        }
        return out;
    }

    /** The 1, 5 and 15 minute load averages (this machine's 2 cores are shared), or "?" off Linux. */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "?";
        }
    }

    /** The longest time between two consecutive successful probes ending after {@code fromMs}. */
    public static long maxGap(List<FailoverProbe.Sample> samples, double fromMs) {
        double prev = -1;
        double gap = 0;
        for (FailoverProbe.Sample s : samples) {
            if (!s.ok()) {
                continue;
            }
            if (prev >= 0 && s.endMs() > fromMs) {
                gap = Math.max(gap, s.endMs() - prev);
            }
            prev = s.endMs();
        }
        return Math.round(gap);
    }

    /**
     * (f) The restart soak, the case that once fenced a healthy DC: every {@code everyS} a node (in
     * turn, so the DC and the VIP's holder die too) dies as in (a), is fenced, reboots and rejoins
     * while the others carry on; with --soak-load on busy cores. Adds the client's outage of each
     * kill of the VIP's holder to {@code outages}. A VIP that moves more often than the kills call
     * for (once when its holder dies, never when another node does or a node rejoins) is a false
     * failover; a fence of a node that was not killed is counted by the {@link FenceLedger}.
     * Counts {restarts, false VIP moves} into {@code counts} as it goes, so they survive a cycle that fails.
     */
    public void restartSoak(long soakS, long everyS, List<Long> outages, int[] counts) throws Exception {
        restartSoak(soakS, everyS, Integer.MAX_VALUE, outages, counts);
    }

    /** As above, stopping after {@code maxCycles} cycles (RestartSoakLabTest, in CI). */
    public void restartSoak(long soakS, long everyS, int maxCycles, List<Long> outages, int[] counts) throws Exception {
        say("(f) restart soak of " + soakS + " s: a node killed, fenced and restarted every " + everyS + " s; load average "
                + loadAverage());
        try (FailoverLab.Client client = cluster.client(vip, 80)) {
            reviveFalselyFenced("before (f)", true);
            long end = System.nanoTime() + soakS * 1_000_000_000L;
            for (int cycle = 0; System.nanoTime() < end && cycle < maxCycles; cycle++) {
                long cycleEnd = System.nanoTime() + everyS * 1_000_000_000L;
                String holder = settled("vip", client);
                if (holder == null) {
                    throw new IllegalStateException("(f) cycle " + (cycle + 1) + ": the VIP did not settle; logs " + cluster.logs());
                }
                int victim = cycle % FailoverLab.NODES + 1;
                String dc = cluster.agreedDc(cluster.all());
                boolean holderDies = cluster.name(victim).equals(holder);
                Thread.sleep(500);
                ledger.killed(victim);
                double[] k = cluster.powerOff(victim);
                if (FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.fenced(victim) ? "y" : null) == null) {
                    throw new IllegalStateException("(f) cycle " + (cycle + 1) + ": " + cluster.name(victim) + " was not fenced"
                            + " in 60 s; logs " + cluster.logs());
                }
                long outage = -1;
                if (holderDies) {
                    FailoverProbe.Outage o = FailoverLab.waitFor(Duration.ofSeconds(60),
                            () -> FailoverProbe.outage(client.samples, k[0], k[1]));
                    if (o == null) {
                        throw new IllegalStateException("(f) cycle " + (cycle + 1) + ": the VIP did not come back in 60 s;"
                                + " logs " + cluster.logs());
                    }
                    outage = o.ms();
                    outages.add(outage);
                }
                ledger.restarted(victim);
                cluster.rebootBare(victim);
                startNodeWebServer(victim);
                cluster.startNode(victim);
                counts[0]++;
                // Watch the rest of the cycle: the rejoining JVM's start-up is when a healthy node
                // used to be suspected.
                int moves = 0;
                String where = holder;
                boolean rejoined = false;
                while (System.nanoTime() < cycleEnd || !rejoined) {
                    int[] live = liveNodes();
                    String now = cluster.agreedRunningOn("vip", live);
                    if (now != null && !now.equals(where)) {
                        moves++;
                        where = now;
                    }
                    if (!rejoined && cluster.agreedDc(cluster.all()) != null) {
                        rejoined = true;
                    }
                    if (live.length < FailoverLab.NODES) {
                        break; // a node died that nobody killed: counted and revived below
                    }
                    if (System.nanoTime() > cycleEnd + 180_000_000_000L) {
                        throw new IllegalStateException("(f) cycle " + (cycle + 1) + ": " + cluster.name(victim)
                                + " did not rejoin within 180 s; logs " + cluster.logs());
                    }
                    Thread.sleep(200);
                }
                int expected = holderDies ? 1 : 0;
                counts[1] += Math.max(0, moves - expected);
                say(String.format(Locale.ROOT, "  cycle %2d: killed %s (%s%s), fenced, restarted; VIP moved %d time(s)%s;"
                        + " load %s", cycle + 1, cluster.name(victim), cluster.name(victim).equals(dc) ? "the DC" : "not the DC",
                        holderDies ? ", the VIP's holder" : "", moves, outage >= 0 ? ", outage " + outage + " ms" : "",
                        loadAverage()));
                reviveFalselyFenced("in (f) cycle " + (cycle + 1), true);
            }
        }
    }

    /** Idle for soakS: {view changes seen by any node, VIP location changes, failed client probes}. */
    int[] soak(long soakS) throws Exception {
        say("(d) " + (soakLoad ? "loaded" : "idle") + " soak of " + soakS + " s: counting view changes and VIP moves; load"
                + " average " + loadAverage());
        try (FailoverLab.Client client = cluster.client(vip, 80)) {
            String start = settled("vip", client);
            Set<String> views = new HashSet<>();
            int moves = 0;
            String where = start;
            long end = System.nanoTime() + soakS * 1_000_000_000L;
            double t0 = FailoverProbe.nowMs();
            while (System.nanoTime() < end) {
                for (int i = 1; i <= FailoverLab.NODES; i++) {
                    var s = cluster.status(i);
                    String text = FailoverAdmin.str(s, "text");
                    if (text != null) {
                        // "Node n1: view n3:7 [...]": the view id changes with every new view.
                        views.add(text.split("\n")[0].replaceFirst("^Node \\S+: ", ""));
                    }
                }
                String now = cluster.agreedRunningOn("vip", cluster.all());
                if (now != null && !now.equals(where)) {
                    moves++;
                    where = now;
                }
                Thread.sleep(200);
            }
            List<FailoverProbe.Sample> failures = client.samples.stream().filter(s -> s.startMs() > t0 && !s.ok()).toList();
            int failed = failures.size();
            int viewChanges = Math.max(0, views.size() - 1);
            // When they failed (s into the soak): scattered single timeouts point at load, a run of
            // them at a real outage.
            StringBuilder at = new StringBuilder();
            for (int k = 0; k < Math.min(30, failed); k++) {
                at.append(k == 0 ? " at s " : ", ").append(String.format(Locale.ROOT, "%.2f",
                        (failures.get(k).startMs() - t0) / 1000));
            }
            say("  soak: " + views.size() + " distinct views " + views + ", " + moves + " VIP moves, " + failed
                    + " failed probes" + at + (failed > 30 ? ", ..." : "") + "; load average " + loadAverage());
            return new int[] {viewChanges, moves, failed};
        }
    }
}
