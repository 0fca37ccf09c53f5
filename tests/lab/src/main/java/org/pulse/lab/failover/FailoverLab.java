package org.pulse.lab.failover;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.FailoverProbe;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.lab.support.NetnsLab;

/**
 * The live-failover lab (root), shared by the fault tests and bench/failover: three node
 * namespaces and a client on NetnsLab's bridge (198.51.100.0/24), one crmd per node entered with
 * {@code nsenter --net} and started in a mount namespace of its own (NetnsLab's
 * startInOwnMountNamespace: a node's mounts are its own, as on real machines; the loop device
 * behind them is shared, as a shared disk is), node names n1..n3, JGroups on each node's own
 * address, and the power-switch simulator's outlets (crmd's fence_pulse_sim: NODE.pid,
 * NODE.netns, NODE.link, NODE.rsctmp) so the cluster can fence.
 *
 * <p>The cluster fences with {@code stonith-action=off}: the simulator cuts the node's link,
 * kills everything of the node (its mount namespace and mounts go with the last process), and
 * flushes its addresses. A node is brought back by {@link #powerOn}, which boots it as a real
 * machine boots: link up, its own address, an empty /run, crmd started again.
 */
public final class FailoverLab implements AutoCloseable {
    public static final int NODES = 3;
    public static final int CLUSTER_PORT = LabNodes.CLUSTER_PORT;

    public final NetnsLab lab;
    final Path repo;
    public final long failureDetectionMs;
    public final Path power;
    public final Path key;
    public final FailoverAdmin admin = new FailoverAdmin();
    private final Process[] crmd = new Process[NODES + 1];
    /** Nodes this lab killed on purpose (power off, fencing): their crmd's exit is expected. */
    private final boolean[] killed = new boolean[NODES + 1];
    private final List<Process> probes = new CopyOnWriteArrayList<>();
    private java.util.function.IntFunction<String> extraConfig = i -> "";
    /** The source tree whose bin/crmd, agents and fence agents node i runs (RollingUpgradeTest: an older release's). */
    private final Path[] build = new Path[NODES + 1];

    /** Java options added to every crmd's (bench/failover --no-guard: the messaging guard off). */
    final String extraJavaOpts;

    private FailoverLab(NetnsLab lab, Path repo, long failureDetectionMs, String extraJavaOpts) throws IOException {
        this.extraJavaOpts = extraJavaOpts;
        this.lab = lab;
        this.repo = repo;
        java.util.Arrays.fill(build, repo);
        this.failureDetectionMs = failureDetectionMs;
        this.power = lab.dir("power");
        this.key = lab.workDir().resolve("authkey");
    }

    /** Builds the lab's cluster on {@code lab} (3 nodes) and starts every node. */
    /**
     * The lab of the VIP-alone tests (VipFaultTest, VipMoveTest): three nodes agreed on a DC, a web
     * server on every node, fencing by the power-switch simulator (stonith-action=off), stickiness
     * 100 (a node that comes back must not pull the service back: one more outage), and
     * ocf:pulse:IPaddr for {@code lab.vip(0)} with a 1 s monitor and {@code vipMeta} ("" or
     * " meta allow-migrate=true"). Skips (outside CI) without root, the tools or a build. The caller
     * waits for the VIP, then closes the cluster and its {@link #lab}.
     */
    public static FailoverLab startVipAlone(String who, String vipMeta) throws Exception {
        return startVipAlone(who, vipMeta, null);
    }

    /**
     * As {@link #startVipAlone(String, String)}, every node running the build in {@code nodesBuild}
     * (a source tree built with package; null: this one) until {@link #useBuild} says otherwise.
     */
    public static FailoverLab startVipAlone(String who, String vipMeta, Path nodesBuild) throws Exception {
        Path repo = LabNodes.requireLab(List.of("ip", "nsenter", "setsid", "apache2", "curl"));
        NetnsLab lab = NetnsLab.create(NODES);
        FailoverLab cluster = null;
        try {
            // Another build's nodes (a rolling upgrade) detect failures in 2 s: it is graceful moves that are
            // measured there, and a JVM pause on a busy machine must not add a suspicion's failover to them.
            cluster = nodesBuild == null ? start(lab, repo, 500) : start(lab, repo, 2000, "", i -> "", nodesBuild);
            System.out.println(who + ": " + lab + "; node logs " + cluster.logs());
            for (int i = 1; i <= NODES; i++) {
                cluster.startNodeWebServer(i);
            }
            FailoverLab c = cluster;
            if (waitFor(Duration.ofSeconds(120), () -> c.agreedDc(c.all())) == null) {
                throw new IllegalStateException("the three lab nodes did not agree on a DC within 120 s; logs " + c.logs());
            }
            cluster.configure(1, List.of(
                    "property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                    "rsc_defaults resource-stickiness=100",
                    "primitive fence-sim stonith:fence_pulse_sim params power_dir=" + cluster.power + " pcmk_host_list="
                            + hostList(),
                    "primitive vip ocf:pulse:IPaddr params ip=" + lab.vip(0) + " cidr_netmask=24 nic=" + NetnsLab.IFNAME
                            + vipMeta + " op monitor interval=1s timeout=10s"));
            return cluster;
        } catch (Exception | Error e) {
            if (cluster != null) {
                cluster.close();
            }
            lab.close();
            throw e;
        }
    }

    public static FailoverLab start(NetnsLab lab, Path repo, long failureDetectionMs) throws IOException, InterruptedException {
        return start(lab, repo, failureDetectionMs, "", i -> "");
    }

    /** As above, with {@code extraJavaOpts} added to every crmd's Java options. */
    public static FailoverLab start(NetnsLab lab, Path repo, long failureDetectionMs, String extraJavaOpts)
            throws IOException, InterruptedException {
        return start(lab, repo, failureDetectionMs, extraJavaOpts, i -> "");
    }

    /**
     * As above, with {@code extraConfig.apply(i)} appended to node i's config (e.g. its watchdog); whatever
     * the nodes need before they start (a watchdog simulator) is started by the caller first.
     */
    public static FailoverLab start(NetnsLab lab, Path repo, long failureDetectionMs,
            java.util.function.IntFunction<String> extraConfig) throws IOException, InterruptedException {
        return start(lab, repo, failureDetectionMs, "", extraConfig);
    }

    private static FailoverLab start(NetnsLab lab, Path repo, long failureDetectionMs, String extraJavaOpts,
            java.util.function.IntFunction<String> extraConfig) throws IOException, InterruptedException {
        return start(lab, repo, failureDetectionMs, extraJavaOpts, extraConfig, repo);
    }

    private static FailoverLab start(NetnsLab lab, Path repo, long failureDetectionMs, String extraJavaOpts,
            java.util.function.IntFunction<String> extraConfig, Path nodesBuild) throws IOException, InterruptedException {
        FailoverLab f = new FailoverLab(lab, repo, failureDetectionMs, extraJavaOpts);
        java.util.Arrays.fill(f.build, nodesBuild);
        f.extraConfig = extraConfig;
        LabNodes.generateKey(repo, f.key);
        for (int i = 1; i <= NODES; i++) {
            f.writeConfig(i);
        }
        for (int i = 1; i <= NODES; i++) {
            f.startNode(i);
        }
        return f;
    }

    /** From its next start, node i runs the build in {@code root} (its config is rewritten for it now). */
    public void useBuild(int i, Path root) throws IOException {
        build[i] = root;
        writeConfig(i);
    }

    /**
     * The lab's node names as a power switch's static host list ("n1,n2,n3"): every node has an outlet, so the
     * fencer need not ask the device which nodes it can fence (Pacemaker's pcmk_host_check=static-list).
     */
    public static String hostList() {
        return java.util.stream.IntStream.rangeClosed(1, NODES).mapToObj(i -> "n" + i)
                .collect(java.util.stream.Collectors.joining(","));
    }

    public String name(int i) {
        return lab.node(i).name();
    }

    public int index(String name) {
        return Integer.parseInt(name.substring(1));
    }

    public NetnsLab.Node node(int i) {
        return lab.node(i);
    }

    public Path socket(int i) {
        return LabNodes.socket(node(i));
    }

    public Path log(int i) {
        return LabNodes.log(node(i));
    }

    public String logs() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= NODES; i++) {
            b.append(i > 1 ? ", " : "").append(log(i));
        }
        return b.toString();
    }

    void writeConfig(int i) throws IOException {
        LabNodes.writeConfig(node(i), LabNodes.peers(lab, NODES), key, build[i], failureDetectionMs, power, extraConfig.apply(i));
    }

    public void startNode(int i) throws IOException {
        crmd[i] = LabNodes.startCrmd(lab, node(i), build[i], extraJavaOpts, power);
        killed[i] = false;
    }

    /**
     * A clean stop of node i's crmd (SIGTERM: its resources move away first, nobody fences it);
     * returns its exit code, or throws when it is still running after {@code timeout}.
     */
    public int stopNode(int i, Duration timeout) throws InterruptedException {
        killed[i] = true;
        crmd[i].destroy();
        if (!crmd[i].waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("crmd of " + name(i) + " did not stop within " + timeout + " of SIGTERM; log "
                    + log(i));
        }
        return crmd[i].exitValue();
    }

    /**
     * Fails at once, with the end of its log, when node i's crmd exited although nobody killed it
     * (e.g. it could not start), instead of letting a caller wait for a node that will not come.
     */
    public void requireRunning(int i) {
        Process p = crmd[i];
        if (p != null && !p.isAlive() && !killed[i] && !fenced(i)) {
            String tail;
            try {
                List<String> lines = Files.readAllLines(log(i));
                tail = String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            } catch (IOException e) {
                tail = "(no log: " + e.getMessage() + ")";
            }
            throw new IllegalStateException("crmd of " + name(i) + " exited with " + p.exitValue() + "; end of " + log(i)
                    + ":\n" + tail);
        }
    }

    public boolean alive(int i) {
        return crmd[i] != null && crmd[i].isAlive();
    }

    public AdminArgs status(int i) {
        return admin.status(socket(i));
    }

    /** The DC all given nodes agree on ({@link FailoverAdmin#agreedDc}); throws when a crmd exited unasked. */
    public String agreedDc(int... nodes) {
        return FailoverAdmin.agreedDc(nodes, i -> {
            requireRunning(i);
            return status(i);
        });
    }

    /** Where every given node says rsc runs (one node), or null while they disagree or it is stopped. */
    public String agreedRunningOn(String rsc, int... nodes) {
        String on = null;
        for (int i : nodes) {
            String w = FailoverAdmin.runningOn(status(i), rsc);
            if (w == null || w.isEmpty() || (on != null && !on.equals(w))) {
                return null;
            }
            on = w;
        }
        return on;
    }

    public int[] all() {
        return new int[] {1, 2, 3};
    }

    public int[] others(int... excluded) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            final int k = i;
            if (java.util.Arrays.stream(excluded).noneMatch(x -> x == k)) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Runs bin/crm -f with the given configure lines against node i. */
    public String configure(int i, List<String> lines) throws IOException {
        Path script = Files.createTempFile(lab.workDir(), "config", ".crm");
        List<String> all = new ArrayList<>();
        all.add("configure");
        all.addAll(lines);
        all.add("commit");
        Files.write(script, all);
        return crm(i, "-f", script.toString());
    }

    /**
     * {@link #configure}, tried again (up to 90 s) while node i is between views (a view change right after
     * the nodes agreed on a DC, on a loaded machine): "not joined to a DC yet" is not the answer to the change.
     */
    public String configureWhenJoined(int i, List<String> lines) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                return configure(i, lines);
            } catch (IllegalStateException e) {
                if (!e.getMessage().contains("[no-dc]") || System.nanoTime() > deadline) {
                    throw e;
                }
                waitFor(Duration.ofSeconds(30), () -> agreedDc(all()));
            }
        }
    }

    /** bin/crm against node i's socket; throws with the output when it fails. */
    public String crm(int i, String... args) {
        List<String> argv = new ArrayList<>(List.of(repo.resolve("bin/crm").toString(), "--socket", socket(i).toString()));
        argv.addAll(List.of(args));
        NetnsLab.Result r = NetnsLab.run(argv, Map.of(), Duration.ofSeconds(120));
        if (!r.ok()) {
            throw new IllegalStateException("bin/crm " + String.join(" ", args) + " on " + name(i) + " failed (rc "
                    + r.rc() + "): " + r.stdout() + r.stderr());
        }
        return r.stdout() + r.stderr();
    }

    /** The CIB XML (configuration and status) and version a node has, or null. */
    public AdminArgs query(int i) {
        return admin.query(socket(i));
    }

    /**
     * Declares a mount point of shared storage. Nothing to do any more: a node's mounts live in its
     * own mount namespace and go with its last process. Kept so callers need not change.
     */
    public void addSharedMount(Path mountPoint) {
        // see the comment: the kernel releases a dead node's mounts
    }

    /** The nodes whose own mount namespace has {@code mountPoint} mounted (what each node sees). */
    public List<String> nodesMounting(Path mountPoint) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            if (lab.mountsSeenBy(node(i)).contains(mountPoint.toString())) {
                out.add(name(i));
            }
        }
        return out;
    }

    /**
     * The node dies as the figures' method has it: its link goes down, then everything running
     * in it is killed with SIGKILL (NetnsLab.powerOff: its mount namespace with its mounts, its
     * addresses and /run go too, as after a power cut). Returns the monotonic ms at which the
     * link went down and when the kill was complete.
     */
    public double[] powerOff(int i) throws InterruptedException {
        NetnsLab.Node n = node(i);
        killed[i] = true;
        double t0 = FailoverProbe.nowMs();
        lab.linkDown(n);
        lab.killAll(n);
        double t1 = FailoverProbe.nowMs();
        if (crmd[i] != null) {
            crmd[i].waitFor(10, TimeUnit.SECONDS);
        }
        lab.powerOff(n);
        return new double[] {t0, t1};
    }

    /** True once the power-switch simulator has fenced node i (its outlet says off). */
    public boolean fenced(int i) {
        try {
            Path state = power.resolve(name(i) + ".state");
            boolean off = Files.exists(state) && Files.readString(state).strip().equals("off");
            if (off) {
                killed[i] = true;
            }
            return off;
        } catch (IOException e) {
            return false;
        }
    }

    /** When (epoch ms) the power-switch simulator last powered node i off, or -1. */
    public long fencedAtEpochMs(int i) {
        try {
            Path history = power.resolve(name(i) + ".history");
            long at = -1;
            if (Files.exists(history)) {
                for (String l : Files.readAllLines(history)) {
                    String[] f = l.strip().split("\\s+");
                    if (f.length >= 2 && (f[1].equals("off") || f[1].equals("reboot"))) {
                        at = Long.parseLong(f[0]);
                    }
                }
            }
            return at;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    /** Monotonic ms (FailoverProbe.nowMs) to epoch ms, by a reading of both clocks now. */
    public static double toEpochMs(double monoMs) {
        return System.currentTimeMillis() + (monoMs - FailoverProbe.nowMs());
    }

    /**
     * The fenced node reboots without its cluster software: clean (no VIP, no mounts, empty /run)
     * and its link back, so its address answers again (TCP resets instead of silence). Needed
     * because survivors that keep trying to reach a silent address flap (see the report about
     * the messaging stack); also what stonith-action=reboot does to a real node.
     */
    public void rebootBare(int i) {
        lab.powerOff(node(i));
        lab.powerOn(node(i));
    }

    /** Power back on: link up, its own address, a clean /run, and crmd started again. */
    public void powerOn(int i) throws IOException {
        rebootBare(i);
        startNode(i);
    }

    /** A web server on node i's own addresses (port 80, all addresses) whose page names the node. */
    public void startNodeWebServer(int i) throws IOException {
        LabNodes.startNodeWebServer(node(i), repo);
    }

    void stopNodeWebServer(int i) {
        nodeWeb(i, "stop");
    }

    /** Runs Pulse's httpd agent by hand in node i (not a cluster resource: the "already running" web server). */
    NetnsLab.Result nodeWeb(int i, String action) {
        return LabNodes.nodeWeb(node(i), repo, action);
    }

    /**
     * The nodes that can answer for ip: it is on their eth0 and both ends of their cable are up
     * (a node whose cable is cut while it lives keeps its addresses but answers nobody).
     */
    public List<String> owners(String ip) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= NODES; i++) {
            NetnsLab.Result r = lab.exec(node(i), "ip", "-o", "-4", "addr", "show", "dev", NetnsLab.IFNAME);
            NetnsLab.Result link = lab.exec(node(i), "ip", "-o", "link", "show", "dev", NetnsLab.IFNAME);
            boolean up = link.stdout().contains("LOWER_UP") && !link.stdout().contains("NO-CARRIER");
            if (r.stdout().contains(" " + ip + "/") && up) {
                out.add(name(i));
            }
        }
        return out;
    }

    /** The node whose MAC the client's neighbour table holds for ip, or null. */
    public String arpOwner(String ip) {
        String mac = lab.neighbourMac(lab.client(), ip).orElse(null);
        if (mac == null) {
            return null;
        }
        for (int i = 1; i <= NODES; i++) {
            if (mac.equals(lab.mac(node(i)))) {
                return name(i);
            }
        }
        return "unknown MAC " + mac;
    }

    /**
     * A client in the client namespace probing http://ip:port/ every 10 ms (TCP connect + GET,
     * 50 ms timeout): its own JVM (a JVM cannot enter a network namespace), samples read live.
     */
    public Client client(String ip, int port) throws IOException {
        return client(ip, port, 50);
    }

    /** As {@link #client(String, int)}, each probe given {@code timeoutMs} (connect and read). */
    public Client client(String ip, int port, long timeoutMs) throws IOException {
        List<String> argv = NetnsLab.inNs(lab.client(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                FailoverProbe.class.getName(), ip, Integer.toString(port), "10", Long.toString(timeoutMs));
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(lab.workDir().resolve("client.err").toFile()));
        Process p = pb.start();
        probes.add(p);
        return new Client(p);
    }

    /** A probing client; close() stops it. */
    public static final class Client implements AutoCloseable {
        final Process process;
        public final List<FailoverProbe.Sample> samples = new CopyOnWriteArrayList<>();
        private final Thread reader;

        public Client(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (!line.isEmpty() && Character.isDigit(line.charAt(0))) {
                            samples.add(FailoverProbe.parseAll(List.of(line)).get(0));
                        }
                    }
                } catch (IOException ignored) {
                    // the probe was stopped
                }
            }, "failover-client");
            reader.setDaemon(true);
            reader.start();
        }

        public long okCount() {
            return samples.stream().filter(FailoverProbe.Sample::ok).count();
        }

        /** Successes since monotonic ms t. */
        public long okSince(double t) {
            return samples.stream().filter(s -> s.ok() && s.startMs() > t).count();
        }

        @Override
        public void close() {
            try {
                process.getOutputStream().close();
            } catch (IOException ignored) {
                // already gone
            }
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Polls every 20 ms until check gives non-null; null after the timeout. */
    public static <T> T waitFor(Duration timeout, Supplier<T> check) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            T v = check.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(20);
        }
        return check.get();
    }

    /**
     * Stops the cluster's daemons and probes, and keeps the node logs (the NetnsLab, closed by its
     * owner, removes the rest) in java.io.tmpdir/pulse-failover-logs for a post-mortem: the last
     * run's only, so runs do not pile up directories in /tmp.
     */
    @Override
    public void close() {
        try {
            Path keep = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "pulse-failover-logs"));
            try (var old = Files.list(keep)) {
                for (Path f : (Iterable<Path>) old::iterator) {
                    Files.deleteIfExists(f);
                }
            }
            for (int i = 1; i <= NODES; i++) {
                if (Files.exists(log(i))) {
                    Files.copy(log(i), keep.resolve(name(i) + "-crmd.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.out.println("FailoverLab: node logs kept in " + keep);
        } catch (IOException e) {
            System.out.println("FailoverLab: could not keep the node logs: " + e.getMessage());
        }
        for (Process p : probes) {
            p.destroyForcibly();
        }
        for (int i = 1; i <= NODES; i++) {
            if (crmd[i] != null && crmd[i].isAlive()) {
                lab.killAll(node(i));
            }
        }
        for (Process p : probes) {
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
