package org.pulse.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.FailoverProbe;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.AtomicFiles;
import org.pulse.lab.support.Ports;

/**
 * bin/pulse-demo: a 3-node Pulse cluster on loopback with a web service, then the node running
 * it is killed with SIGKILL (with everything it ran) and the service comes back on another node
 * after that node has been fenced; a client probing every 10 ms measures the outage.
 *
 * <p>Everything lives in one temporary directory (key, node configs, CIBs, logs, the
 * power-switch simulator's outlets, the web page) and every process is a child of this JVM,
 * killed by PID and reaped on exit, on Ctrl-C and on failure. Nothing needs root: the cluster
 * talks over 127.0.0.1 on free ports, the web server listens on a free port of 127.0.0.1.
 */
public final class FailoverDemo {
    static final int NODES = 3;
    static final String SERVICE = "web";
    static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private final Path repo;
    private final boolean auto;
    private final boolean keep;
    private final String webChoice;
    private final PrintStream out;
    private final FailoverAdmin admin = new FailoverAdmin();
    private final Process[] nodes = new Process[NODES + 1];
    private final List<Process> helpers = new CopyOnWriteArrayList<>();
    private Path dir;
    private boolean cleaned;
    private boolean failed;
    private double killStartMs;
    private double killEndMs;

    FailoverDemo(Path repo, boolean auto, boolean keep, String webChoice, PrintStream out) {
        this.repo = repo;
        this.auto = auto;
        this.keep = keep;
        this.webChoice = webChoice;
        this.out = out;
    }

    public static void main(String[] args) {
        boolean auto = false;
        boolean keep = false;
        String web = "auto";
        for (String a : args) {
            if (a.equals("--auto")) {
                auto = true;
            } else if (a.equals("--keep")) {
                keep = true;
            } else if (a.startsWith("--web=")) {
                web = a.substring("--web=".length());
            } else if (a.equals("-h") || a.equals("--help")) {
                System.out.println("usage: bin/pulse-demo [--auto] [--keep] [--web=auto|httpd|python]\n"
                        + "  Starts 3 Pulse nodes on this machine (no root needed) with a web service, then kills\n"
                        + "  the node running it (on Enter, or at once with --auto) and shows the service\n"
                        + "  recovering on another node, with the outage a client saw.\n"
                        + "  --keep  keep the work directory (logs, CIBs) after exit\n"
                        + "  --web   httpd = Apache (ocf:pulse:httpd), python = python3 http.server (ocf:demo:pyweb)");
                return;
            } else {
                System.err.println("pulse-demo: unknown option '" + a + "'; try --help");
                System.exit(2);
            }
        }
        if (!web.equals("auto") && !web.equals("httpd") && !web.equals("python")) {
            System.err.println("pulse-demo: --web=" + web + " is not one of auto, httpd, python");
            System.exit(2);
        }
        Path repo = Path.of(System.getProperty("pulse.root", ".")).toAbsolutePath().normalize();
        FailoverDemo demo = new FailoverDemo(repo, auto, keep, web, System.out);
        Thread hook = new Thread(() -> {
            demo.out.println();
            demo.say("interrupted: cleaning up");
            demo.cleanup();
        }, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int rc;
        try {
            rc = demo.run();
        } catch (Exception e) {
            demo.failed = true;
            demo.say("FAILED: " + e.getMessage());
            rc = 1;
        }
        demo.cleanup();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException ignored) {
            // already shutting down
        }
        System.exit(rc);
    }

    void say(String line) {
        synchronized (out) {
            out.println(LocalTime.now().format(CLOCK) + "  " + line);
            out.flush();
        }
    }

    void indent(String text) {
        synchronized (out) {
            for (String l : text.split("\n")) {
                out.println("              " + l);
            }
            out.flush();
        }
    }

    Path socket(int i) {
        return dir.resolve("node" + i).resolve("crmd.sock");
    }

    Path log(int i) {
        return dir.resolve("node" + i).resolve("crmd.log");
    }

    int run() throws Exception {
        say("Pulse demo: a 3-node cluster on this machine, a web service, and a node that dies.");
        dir = Files.createTempDirectory("pulse-demo-");
        // The web server's workers may run as www-data (when started by root): they must reach the page.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String web = chooseWeb();
        // One more port than nodes: the demo's web server listens on the last one.
        int base = Ports.freeBase(NODES + 1);
        int webPort = base + NODES + 1;
        say("work directory " + dir + " (removed on exit" + (keep ? " unless --keep: kept" : "") + ")");

        // 1. Key, configs, nodes.
        Path key = dir.resolve("authkey");
        runQuiet(List.of(repo.resolve("bin/crmd").toString(), "--generate-key", key.toString()), 120);
        Files.createDirectories(dir.resolve("power"));
        for (int i = 1; i <= NODES; i++) {
            writeConfig(i, key, base);
        }
        say("starting node1, node2, node3 (crmd on 127.0.0.1:" + (base + 1) + "-" + (base + NODES)
                + ", cluster traffic encrypted with a fresh key); node logs:");
        for (int i = 1; i <= NODES; i++) {
            indent(log(i).toString());
        }
        long t0 = System.nanoTime();
        for (int i = 1; i <= NODES; i++) {
            startNode(i);
        }
        String dc = waitFor(180, "the three nodes to form a cluster", this::agreedDc);
        say("cluster formed in " + secs(t0) + ": DC " + dc + ", 3 of 3 votes, quorum");

        // 2. The configuration.
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), "<html><body>Hello from a Pulse cluster</body></html>\n");
        Files.setPosixFilePermissions(www, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(www.resolve("index.html"), PosixFilePermissions.fromString("rw-r--r--"));
        String webPrimitive = web.equals("httpd")
                ? "primitive web ocf:pulse:httpd params listen=127.0.0.1:" + webPort + " docroot=" + www
                        + " op monitor interval=2s timeout=10s"
                : "primitive web ocf:demo:pyweb params port=" + webPort + " bind=127.0.0.1 docroot=" + www
                        + " op monitor interval=2s timeout=10s";
        List<String> config = List.of(
                "property stonith-enabled=true no-quorum-policy=stop",
                "primitive fence-sim stonith:fence_pulse_sim params power_dir=" + dir.resolve("power"),
                "primitive state ocf:pulse:Dummy op monitor interval=2s",
                webPrimitive,
                "group service state web");
        Path script = dir.resolve("demo.crm");
        List<String> lines = new ArrayList<>();
        lines.add("configure");
        lines.addAll(config);
        lines.add("commit");
        Files.write(script, lines);
        say("loading the configuration with bin/crm (fencing on: the power-switch simulator):");
        for (String l : config) {
            indent("crm configure " + l);
        }
        CrmRun load = crm("-f", script.toString());
        if (load.rc != 0) {
            throw new IllegalStateException("bin/crm -f " + script + " failed: " + load.output.strip());
        }
        t0 = System.nanoTime();
        String url = "http://127.0.0.1:" + webPort + "/";
        FailoverProbe probe = new FailoverProbe("127.0.0.1", webPort, 10, 50, s -> { });
        String on = waitFor(120, SERVICE + " to start", () -> {
            String where = FailoverAdmin.runningOn(admin.status(socket(1)), SERVICE);
            return where != null && !where.isEmpty() && probe.probeOnce().ok() ? where : null;
        });
        say("the web service runs on " + on + " (started in " + secs(t0) + "): " + url + " answers \""
                + probe.probeOnce().page() + "\"");
        showStatus();

        // 3. The failure.
        if (auto) {
            say("--auto: killing " + on + " now");
        } else {
            synchronized (out) {
                out.print(LocalTime.now().format(CLOCK) + "  press Enter to kill -9 " + on
                        + " (the node running the service), Ctrl-C to quit ");
                out.flush();
            }
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        }
        List<FailoverProbe.Sample> samples = new CopyOnWriteArrayList<>();
        FailoverProbe client = new FailoverProbe("127.0.0.1", webPort, 10, 50, samples::add);
        Thread clientThread = new Thread(client, "demo-client");
        clientThread.setDaemon(true);
        clientThread.start();
        say("a client probes " + url + " every 10 ms (TCP connect + GET, 50 ms timeout)");
        waitFor(10, "the client's first answers", () -> samples.stream().filter(FailoverProbe.Sample::ok).count() >= 20
                ? "ok" : null);
        int victim = Integer.parseInt(on.substring(4));
        List<String> killed = killNode(victim);
        double killMs = killStartMs;
        double killDoneMs = killEndMs;
        say("kill -9 " + on + ": crmd (pid " + killed.get(0) + ")"
                + (killed.size() > 1 ? " and what it ran: " + String.join(", ", killed.subList(1, killed.size())) : ""));
        FailoverProbe.Outage outage = waitFor(120, "the service to answer again", () -> FailoverProbe.outage(samples, killMs, killDoneMs));
        client.stop();
        int[] survivors = survivors(victim);
        String to = waitFor(60, "the survivors to agree where " + SERVICE + " runs", () -> {
            String a = FailoverAdmin.runningOn(admin.status(socket(survivors[0])), SERVICE);
            String b = FailoverAdmin.runningOn(admin.status(socket(survivors[1])), SERVICE);
            return a != null && !a.isEmpty() && !a.equals(on) && a.equals(b) ? a : null;
        });
        Path state = dir.resolve("power").resolve(on + ".state");
        boolean fenced = Files.exists(state);
        say(String.format("the service answers again, from %s: outage %d ms as the client saw it"
                + " (from its last answer before the kill to its first after; %d probes failed)",
                to, outage.ms(), outage.failures()));
        say(fenced ? on + " was fenced by the power-switch simulator (fence-sim) before " + SERVICE
                + " started elsewhere" : "WARNING: no fencing of " + on + " was recorded by the power switch");
        showStatus(survivors[0]);
        say(String.format("demo outage_ms=%d from=%s to=%s fenced=%s", outage.ms(), on, to, fenced ? "yes" : "no"));
        return fenced && !to.equals(on) ? 0 : 1;
    }

    String chooseWeb() {
        boolean apache = apacheInstalled();
        boolean python = onPath("python3");
        switch (webChoice) {
            case "httpd":
                if (!apache) {
                    throw new IllegalStateException("--web=httpd but Apache (apache2 or httpd with mod_status) is not "
                            + "installed; install apache2, or use --web=python");
                }
                say("web service: Apache httpd through ocf:pulse:httpd");
                return "httpd";
            case "python":
                if (!python) {
                    throw new IllegalStateException("--web=python but python3 is not on the PATH");
                }
                say("web service: python3's http.server through ocf:demo:pyweb (--web=python)");
                return "python";
            default:
                if (apache) {
                    say("web service: Apache httpd through ocf:pulse:httpd");
                    return "httpd";
                }
                if (python) {
                    say("web service: Apache is not installed, so python3's http.server through ocf:demo:pyweb"
                            + " (install apache2 to see ocf:pulse:httpd)");
                    return "python";
                }
                throw new IllegalStateException("neither Apache (apache2) nor python3 is installed: install one of them"
                        + " for the demo's web service");
        }
    }

    static boolean apacheInstalled() {
        boolean binary = onPath("apache2") || onPath("httpd");
        boolean status = Stream.of("/usr/lib/apache2/modules", "/usr/lib64/httpd/modules", "/usr/lib/httpd/modules")
                .anyMatch(d -> Files.exists(Path.of(d, "mod_status.so")));
        return binary && status;
    }

    static boolean onPath(String cmd) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.add("/usr/sbin");
        dirs.add("/sbin");
        return dirs.stream().anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, cmd)));
    }

    void writeConfig(int i, Path key, int base) throws IOException {
        Path nd = dir.resolve("node" + i);
        Files.createDirectories(nd.resolve("rsctmp"));
        StringBuilder peers = new StringBuilder();
        for (int n = 1; n <= NODES; n++) {
            peers.append(n > 1 ? ", " : "").append("node").append(n).append("@127.0.0.1:").append(base + n);
        }
        String conf = "# bin/pulse-demo: node " + i + " of a 3-node cluster on loopback\n"
                + "node = node" + i + "\n"
                + "nodes = " + peers + "\n"
                + "key = " + key + "\n"
                + "data_dir = " + nd.resolve("data") + "\n"
                + "socket = " + nd.resolve("crmd.sock") + "\n"
                + "agent_dirs = " + repo.resolve("resource-agents/src/main/ocf") + ":" + repo.resolve("demo/ocf") + "\n"
                + "stonith_dirs = " + repo.resolve("crmd/src/main/fence") + "\n"
                + "ha_rsctmp = " + nd.resolve("rsctmp") + "\n"
                + "failure_detection_ms = 500\n";
        Files.writeString(nd.resolve("crmd.conf"), conf);
        // The power-switch simulator's outlet for this node: its rsctmp is emptied at power-off.
        AtomicFiles.writeString(dir.resolve("power").resolve("node" + i + ".rsctmp"), nd.resolve("rsctmp").toString());
    }

    void startNode(int i) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/crmd").toString(), "--config",
                dir.resolve("node" + i).resolve("crmd.conf").toString());
        pb.environment().putAll(LocalCluster.daemonEnv());
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log(i).toFile()));
        Process p = pb.start();
        nodes[i] = p;
        AtomicFiles.writeString(dir.resolve("power").resolve("node" + i + ".pid"), Long.toString(p.pid()));
    }

    /** The DC all three nodes agree on ({@link FailoverAdmin#agreedDc}), or null while they do not. */
    String agreedDc() {
        return FailoverAdmin.agreedDc(java.util.stream.IntStream.rangeClosed(1, NODES).toArray(),
                i -> admin.status(socket(i)));
    }

    int[] survivors(int victim) {
        int[] s = new int[NODES - 1];
        int k = 0;
        for (int i = 1; i <= NODES; i++) {
            if (i != victim) {
                s[k++] = i;
            }
        }
        return s;
    }

    /**
     * Kills node i as a power cut would: crmd and everything below it, all with SIGKILL, at
     * once. Returns "PID" of crmd then "name PID" of the rest.
     */
    List<String> killNode(int i) throws InterruptedException {
        Process p = nodes[i];
        List<ProcessHandle> below = p.descendants().toList();
        List<String> names = new ArrayList<>();
        names.add(Long.toString(p.pid()));
        killStartMs = FailoverProbe.nowMs();
        p.destroyForcibly();
        for (ProcessHandle h : below) {
            h.destroyForcibly();
        }
        killEndMs = FailoverProbe.nowMs();
        java.util.Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (ProcessHandle h : below) {
            // A process already gone by now has no command to show.
            h.info().command().ifPresent(c -> counts.merge(Path.of(c).getFileName().toString(), 1, Integer::sum));
        }
        counts.forEach((c, n) -> names.add(c + (n > 1 ? " x" + n : "")));
        p.waitFor(10, TimeUnit.SECONDS);
        return names;
    }

    void showStatus() throws IOException, InterruptedException {
        showStatus(1);
    }

    void showStatus(int node) throws IOException, InterruptedException {
        say("crm status (asked of node" + node + "):");
        CrmRun r = crmAt(node, "status");
        indent(r.output.strip());
    }

    record CrmRun(int rc, String output) {
    }

    CrmRun crm(String... args) throws IOException, InterruptedException {
        return crmAt(1, args);
    }

    CrmRun crmAt(int node, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo.resolve("bin/crm").toString());
        cmd.add("--socket");
        cmd.add(socket(node).toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PULSE_OCF_DIRS", repo.resolve("demo/ocf").toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        helpers.add(p);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return new CrmRun(-1, output + "\n(bin/crm timed out)");
        }
        helpers.remove(p);
        // The shell warns that the fence agent is not in its own search path (it lives with crmd).
        StringBuilder kept = new StringBuilder();
        for (String l : output.split("\n")) {
            if (!l.contains("fence agent fence_pulse_sim is not installed here")) {
                kept.append(l).append('\n');
            }
        }
        return new CrmRun(p.exitValue(), kept.toString());
    }

    void runQuiet(List<String> cmd, int timeoutSecs) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        helpers.add(p);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeoutSecs, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly().waitFor();
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + output.strip());
        }
        helpers.remove(p);
    }

    <T> T waitFor(int seconds, String what, java.util.function.Supplier<T> check) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            T v = check.get();
            if (v != null) {
                return v;
            }
            Thread.sleep(20);
        }
        T v = check.get();
        if (v != null) {
            return v;
        }
        failed = true;
        throw new IllegalStateException("gave up after " + seconds + " s waiting for " + what + "; node logs: "
                + log(1) + ", " + log(2) + ", " + log(3) + " (kept)");
    }

    static String secs(long t0) {
        return String.format("%.1f s", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Kills every process the demo started, by PID (each node's agents' processes first, so that
     * its LRM is still there to reap them, then the node), and removes the work directory.
     */
    synchronized void cleanup() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        List<ProcessHandle> below = new ArrayList<>();
        for (Process p : nodes) {
            if (p != null && p.isAlive()) {
                below.addAll(p.descendants().toList());
            }
        }
        below.forEach(ProcessHandle::destroyForcibly);
        // Give the nodes' LRMs (subreapers of their agents' orphans) a moment to reap them.
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2500);
        while (System.nanoTime() < until && below.stream().anyMatch(ProcessHandle::isAlive)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                break;
            }
        }
        int stopped = 0;
        for (Process p : nodes) {
            if (p != null && p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                stopped++;
            }
        }
        for (Process p : helpers) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : nodes) {
            if (p != null) {
                try {
                    p.waitFor(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (dir == null) {
            return;
        }
        if (keep || failed) {
            say("cleaned up: stopped " + stopped + " node(s); kept " + dir + " (logs, CIBs)");
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
            say("cleaned up: stopped " + stopped + " node(s), removed " + dir);
        } catch (IOException e) {
            say("cleaned up: stopped " + stopped + " node(s); could not remove all of " + dir + ": " + e.getMessage());
        }
    }
}
