package org.pulse.lab.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.support.AtomicFiles;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.TestEnv;

/**
 * Real crmd processes on loopback, for the cluster tests and bench/runtime: one directory per
 * node (config, data, agents' state, admin socket, log), one cluster key, and the power-switch
 * simulator's outlet directory (power/NODE.pid, NODE.rsctmp) that the fence agent
 * crmd/src/main/fence/fence_pulse_sim drives. Every process it starts is a child of this JVM
 * and is killed and reaped by {@link #close()}.
 */
public final class LocalCluster implements AutoCloseable {
    /**
     * The environment every lab's crmd starts with. The daemon's JVM flags are bin/crmd's defaults:
     * one place for the package, the systemd unit, bench/scale and every lab (an empty
     * PULSE_JAVA_OPTS means those defaults, whatever the environment this JVM inherited). What a lab
     * or a measurement adds goes after them in PULSE_EXTRA_JAVA_OPTS: {@code extraJavaOpts}, the
     * inherited PULSE_EXTRA_JAVA_OPTS and -Dpulse.daemon.extraOpts (a later flag wins).
     */
    public static Map<String, String> daemonEnv(String extraJavaOpts) {
        String extra = (System.getenv().getOrDefault("PULSE_EXTRA_JAVA_OPTS", "") + " " + extraJavaOpts + " "
                + System.getProperty("pulse.daemon.extraOpts", "")).strip();
        return Map.of("PULSE_JAVA_OPTS", "", "PULSE_EXTRA_JAVA_OPTS", extra);
    }

    /** {@link #daemonEnv(String)} with nothing added by the lab. */
    public static Map<String, String> daemonEnv() {
        return daemonEnv("");
    }

    /** For benchmarks' headers: bin/crmd's default flags as written there, then what is added. */
    public static String daemonJavaOpts(Path repo) {
        String defaults = "bin/crmd's defaults";
        try {
            String script = Files.readString(repo.resolve("bin/crmd"));
            // bin/crmd keeps its flags in pulse_default_opts (some only on JDKs that know them)
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("pulse_default_opts=\"([^\"]*)\"").matcher(script);
            if (m.find()) {
                defaults = m.group(1);
                java.util.regex.Matcher more = java.util.regex.Pattern.compile("pulse_default_opts=\"\\$pulse_default_opts ([^\"]*)\"")
                        .matcher(script);
                if (more.find()) {
                    defaults += " [" + more.group(1) + " on JDKs that have it]";
                }
            }
        } catch (IOException e) {
            // the header then names the file instead of quoting it
        }
        return (defaults + " " + daemonEnv().get("PULSE_EXTRA_JAVA_OPTS")).strip();
    }

    private final Path root;
    private final FailoverAdmin adminClient = new FailoverAdmin();
    private final Path repo;
    private final int basePort;
    private final List<String> names = new ArrayList<>();
    private final Process[] processes;

    private LocalCluster(Path repo, Path root, int nodes, int basePort) {
        this.repo = repo;
        this.root = root;
        this.basePort = basePort;
        for (int i = 1; i <= nodes; i++) {
            names.add("node" + i);
        }
        this.processes = new Process[nodes + 1];
    }

    private long failureDetectionMs = 500;

    /** Writes key and configs under {@code root} and starts every node. */
    public static LocalCluster start(Path repo, Path root, int nodes, int basePort) throws IOException {
        return start(repo, root, nodes, basePort, 500, i -> "");
    }

    /**
     * The same with another failure detection time: suites that are not about failure detection use a
     * longer one, so that a machine loaded by other builds does not split their cluster (a killed
     * process is still seen at once: its connections reset).
     */
    public static LocalCluster start(Path repo, Path root, int nodes, int basePort, long failureDetectionMs)
            throws IOException {
        return start(repo, root, nodes, basePort, failureDetectionMs, i -> "");
    }

    /** As {@link #start(Path, Path, int, int)}, with lines added to node i's config (e.g. a shorter write deadline). */
    public static LocalCluster start(Path repo, Path root, int nodes, int basePort,
            java.util.function.IntFunction<String> extraConfig) throws IOException {
        return start(repo, root, nodes, basePort, 500, extraConfig);
    }

    /** With both: another failure detection time, and lines added to node i's config. */
    public static LocalCluster start(Path repo, Path root, int nodes, int basePort, long failureDetectionMs,
            java.util.function.IntFunction<String> extraConfig) throws IOException {
        LocalCluster c = new LocalCluster(repo, root, nodes, basePort);
        c.failureDetectionMs = failureDetectionMs;
        c.extraConfig = extraConfig;
        try {
            c.prepare(root.resolve("key"));
            for (int i = 1; i <= nodes; i++) {
                c.startNode(i);
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private java.util.function.IntFunction<String> extraConfig = i -> "";

    /**
     * The cluster of one test class, the one set-up every loopback suite shares: the built jars required
     * (a skip outside CI, a failure in it), a temporary directory named for the suite, free ports
     * ({@link Ports}), {@code nodes} nodes started, and a line saying where they are. End it with
     * {@link #closeAndRemove()}.
     */
    public static LocalCluster startForSuite(Class<?> suite, int nodes, long failureDetectionMs,
            java.util.function.IntFunction<String> extraConfig) throws IOException {
        Path repo = TestEnv.requireBuiltJars();
        Path dir = Files.createTempDirectory("pulse-" + suite.getSimpleName() + "-");
        int basePort = Ports.freeBase(10);
        LocalCluster c;
        try {
            c = start(repo, dir, nodes, basePort, failureDetectionMs, extraConfig);
        } catch (IOException | RuntimeException e) {
            removeTree(dir);
            throw e;
        }
        System.out.println(suite.getSimpleName() + ": nodes in " + dir + ", ports from " + (basePort + 1)
                + " (removed afterwards; keep with -Dpulse.keep=true)");
        return c;
    }

    /** {@link #startForSuite(Class, int, long, java.util.function.IntFunction)} with nothing added to the configs. */
    public static LocalCluster startForSuite(Class<?> suite, int nodes, long failureDetectionMs) throws IOException {
        return startForSuite(suite, nodes, failureDetectionMs, i -> "");
    }

    /** {@link #close()}, then the cluster's directory removed (kept with -Dpulse.keep=true, for a post-mortem). */
    public void closeAndRemove() throws IOException {
        close();
        if (!Boolean.getBoolean("pulse.keep")) {
            removeTree(root);
        }
    }

    private static void removeTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Node i listens on basePort + i (see {@link Ports}): a suite's other daemons take ports above the nodes'. */
    public int basePort() {
        return basePort;
    }

    /** The source tree whose bin/ this cluster runs. */
    public Path repo() {
        return repo;
    }

    /**
     * Key and configs written, no node started: the caller starts them with {@link #startNode(int)}
     * (bench/scale starts large clusters in batches: 32 JVMs starting at once on 2 cores starve
     * each other past any failure detection time).
     */
    public static LocalCluster prepared(Path repo, Path root, int nodes, int basePort, long failureDetectionMs)
            throws IOException {
        LocalCluster c = new LocalCluster(repo, root, nodes, basePort);
        c.failureDetectionMs = failureDetectionMs;
        c.prepare(root.resolve("key"));
        return c;
    }

    public Path root() {
        return root;
    }

    public Path powerDir() {
        return root.resolve("power");
    }

    public List<String> names() {
        return List.copyOf(names);
    }

    public Path socket(int node) {
        return root.resolve("node" + node).resolve("crmd.sock");
    }

    public Path log(int node) {
        return root.resolve("node" + node).resolve("crmd.log");
    }

    public long pid(int node) {
        return processes[node] == null ? -1 : processes[node].pid();
    }

    public boolean alive(int node) {
        return processes[node] != null && processes[node].isAlive();
    }

    private void prepare(Path key) throws IOException {
        Files.createDirectories(root);
        Files.createDirectories(powerDir());
        if (!Files.exists(key)) {
            run(List.of(repo.resolve("bin/crmd").toString(), "--generate-key", key.toString()));
        }
        for (int i = 1; i <= names.size(); i++) {
            writeConfig(i, key, names.size());
        }
    }

    /** The node config of node i (node names node1..N, ports basePort+i). */
    public Path writeConfig(int i, Path key, int clusterSize) throws IOException {
        Path dir = root.resolve("node" + i);
        Files.createDirectories(dir.resolve("rsctmp"));
        StringBuilder nodes = new StringBuilder();
        for (int n = 1; n <= Math.max(clusterSize, i); n++) {
            nodes.append(n > 1 ? ", " : "").append("node").append(n).append("@127.0.0.1:").append(basePort + n);
        }
        String conf = "# written by LocalCluster\n"
                + "node = node" + i + "\n"
                + "nodes = " + nodes + "\n"
                + "key = " + key + "\n"
                + "data_dir = " + dir.resolve("data") + "\n"
                + "socket = " + dir.resolve("crmd.sock") + "\n"
                + "agent_dirs = " + repo.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf\n"
                + "stonith_dirs = " + repo.resolve("crmd/src/main/fence") + ":/usr/sbin\n"
                + "ha_rsctmp = " + dir.resolve("rsctmp") + "\n"
                + "failure_detection_ms = " + failureDetectionMs + "\n"
                + "http = 127.0.0.1:" + httpPort(i) + "\n"
                // Several nodes share this machine: a self-fence (no-quorum-policy=suicide) ends the
                // node's process, never reboots the machine.
                + "self_fence = exit\n"
                + extraConfig.apply(i);
        Path file = dir.resolve("crmd.conf");
        Files.writeString(file, conf);
        return file;
    }

    /** Node i's /metrics port: well above the cluster ports (basePort+i) and their failure detection (+100). */
    public int httpPort(int i) {
        return basePort + 1000 + i;
    }

    public void startNode(int i) throws IOException {
        startNode(i, root.resolve("node" + i).resolve("crmd.conf"));
    }

    public void startNode(int i, Path config) throws IOException {
        if (i >= processes.length) {
            throw new IllegalArgumentException("node" + i + " is outside this cluster of " + names.size());
        }
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/crmd").toString(), "--config", config.toString());
        pb.environment().putAll(daemonEnv());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()));
        Process p = pb.start();
        processes[i] = p;
        AtomicFiles.writeString(powerDir().resolve("node" + i + ".pid"), Long.toString(p.pid()));
        AtomicFiles.writeString(powerDir().resolve("node" + i + ".rsctmp"), root.resolve("node" + i).resolve("rsctmp").toString());
    }

    /** Starts an extra process (e.g. a node with another key) that close() also reaps. */
    public Process startExtra(int slot, Path config) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/crmd").toString(), "--config", config.toString());
        pb.environment().putAll(daemonEnv());
        pb.redirectErrorStream(true);
        Path dir = config.getParent();
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("crmd.log").toFile()));
        Process p = pb.start();
        extras.add(p);
        return p;
    }

    private final List<Process> extras = new ArrayList<>();

    /** SIGTERM (a clean stop); true when the process exited within the timeout. */
    public boolean stop(int node, Duration timeout) throws InterruptedException {
        Process p = processes[node];
        if (p == null) {
            return true;
        }
        p.destroy();
        return p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void kill9(int node) throws InterruptedException {
        Process p = processes[node];
        if (p != null) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
    }

    // ---- the admin protocol

    /** One admin request to a node's socket (the client the failover lab uses too). */
    public AdminResponse admin(int node, AdminRequest req) throws IOException {
        return adminClient.call(socket(node), req);
    }

    public String nextId() {
        return adminClient.nextId();
    }

    /** The status result of a node, or null when it does not answer. */
    public AdminArgs status(int node) {
        try {
            AdminResponse r = admin(node, AdminRequest.status(nextId()));
            return r.ok() ? r.result() : null;
        } catch (IOException e) {
            return null;
        }
    }


    /** The DC all given nodes agree on, each joined and quorate ({@link FailoverAdmin#agreedDc}), or null. */
    public String agreedDc(int... nodes) {
        return FailoverAdmin.agreedDc(nodes, this::status);
    }

    public static boolean waitFor(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    private void run(List<String> cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Runs bin/crm against node's socket; returns exit code and output. */
    public Map.Entry<Integer, String> crm(int node, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo.resolve("bin/crm").toString());
        cmd.add("--socket");
        cmd.add(socket(node).toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return Map.entry(-1, out);
        }
        return Map.entry(p.exitValue(), out);
    }

    /** Kills every process this cluster started (SIGKILL) and waits for each, so none is left unreaped. */
    @Override
    public void close() {
        List<Process> all = new ArrayList<>(extras);
        for (Process p : processes) {
            if (p != null) {
                all.add(p);
            }
        }
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Like {@link LocalCluster#waitFor} but polling every 200 ms: a sweep over 32 nodes' sockets is load of its own. */
    public static boolean waitPolling(Duration timeout, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(200);
        }
        return condition.getAsBoolean();
    }

    /** The load average (1, 5, 15 min) that every timing figure is reported with. */
    public static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** Where node {@code node}'s status says {@code rsc} is started, or null. */
    public static String runningOn(LocalCluster c, int node, String rsc) {
        String text = FailoverAdmin.str(c.status(node), "text");
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith(rsc + ": Started ")) {
                return l.substring((rsc + ": Started ").length()).split("[ ,(]")[0];
            }
        }
        return null;
    }
}
