package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.FailoverProbe;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.failover.LabNodes;
import org.pulse.lab.support.NetnsLab;

/**
 * A two-node cluster on NetnsLab (root), for the split-brain tests (FailoverLab is three nodes):
 * real crmd processes named n1 and n2, each in its network namespace and a mount namespace of its
 * own, JGroups on the nodes' addresses, the power-switch simulator's outlets, a web server on each
 * node whose page names it, and the lab's client (198.51.100.100). The node configs get the given
 * quorum lines (two_node, tie_breaker, ...).
 */
final class TwoNodeLab implements AutoCloseable {
    static final int PORT = LabNodes.CLUSTER_PORT;
    final NetnsLab lab;
    final Path repo;
    final Path power;
    final Path key;
    final String vip;
    final Process[] crmd = new Process[3];
    final FailoverAdmin admin = new FailoverAdmin();
    private final String name;

    private TwoNodeLab(String name, NetnsLab lab, Path repo) throws IOException {
        this.name = name;
        this.lab = lab;
        this.repo = repo;
        this.vip = lab.vip(0);
        this.power = lab.dir("power");
        this.key = lab.workDir().resolve("authkey");
    }

    /** Checks what the lab needs (skips outside CI), builds it, starts both nodes and their web servers. */
    static TwoNodeLab start(String testName, List<String> quorumLines) throws IOException {
        Path repo = LabNodes.requireLab(List.of("ip", "nsenter", "setsid", "unshare", "apache2", "curl"));
        TwoNodeLab t = new TwoNodeLab(testName, NetnsLab.create(2), repo);
        try {
            LabNodes.generateKey(repo, t.key);
            for (int i = 1; i <= 2; i++) {
                LabNodes.writeConfig(t.node(i), LabNodes.peers(t.lab, 2), t.key, repo, 500, t.power,
                        String.join("\n", quorumLines) + "\n");
            }
            for (int i = 1; i <= 2; i++) {
                t.startNode(i);
                t.startWebServer(i);
            }
        } catch (IOException | RuntimeException | Error e) {
            t.close();
            throw e;
        }
        System.out.println(testName + ": " + t.lab + "; node logs " + t.log(1) + ", " + t.log(2));
        return t;
    }

    String name(int i) {
        return lab.node(i).name();
    }

    NetnsLab.Node node(int i) {
        return lab.node(i);
    }

    Path socket(int i) {
        return LabNodes.socket(node(i));
    }

    Path log(int i) {
        return LabNodes.log(node(i));
    }

    String logs() {
        return log(1) + ", " + log(2);
    }

    void startNode(int i) throws IOException {
        crmd[i] = LabNodes.startCrmd(lab, node(i), repo, "", power);
    }

    /** Pulse's httpd agent run by hand in node i: the web server behind the VIP, its page names the node. */
    void startWebServer(int i) throws IOException {
        LabNodes.startNodeWebServer(node(i), repo);
    }

    AdminArgs status(int i) {
        return admin.status(socket(i));
    }

    /** The DC both given nodes agree on ({@link FailoverAdmin#agreedDc}); throws when a crmd died unasked. */
    String agreedDc(int... nodes) {
        return FailoverAdmin.agreedDc(nodes, i -> {
            if (!crmd[i].isAlive()) {
                throw new IllegalStateException("crmd of " + name(i) + " exited with " + crmd[i].exitValue()
                        + "; log " + log(i));
            }
            return status(i);
        });
    }

    /** The node the given nodes agree holds the VIP, when the client gets that node's page through it. */
    String vipUp(int... nodes) {
        String on = null;
        for (int i : nodes) {
            String w = FailoverAdmin.runningOn(status(i), "vip");
            if (w == null || w.isEmpty() || (on != null && !on.equals(w))) {
                return null;
            }
            on = w;
        }
        String expected = on;
        return lab.httpGet(lab.client(), "http://" + vip + "/", 1000).map(String::strip).filter(expected::equals)
                .isPresent() ? on : null;
    }

    /** crm configure with these lines and commit, against node i. */
    void configure(int i, List<String> lines) throws IOException {
        Path script = Files.createTempFile(lab.workDir(), "config", ".crm");
        List<String> all = new ArrayList<>();
        all.add("configure");
        all.addAll(lines);
        all.add("commit");
        Files.write(script, all);
        NetnsLab.Result r = NetnsLab.run(List.of(repo.resolve("bin/crm").toString(), "--socket", socket(i).toString(),
                "-f", script.toString()), Map.of(), Duration.ofSeconds(120));
        assertTrue(r.ok(), () -> "crm configure on " + name(i) + " failed (rc " + r.rc() + "): " + r.stdout() + r.stderr());
    }

    /** The power switch says node i is off (fence_pulse_sim wrote NODE.state). */
    boolean poweredOff(int i) {
        try {
            Path state = power.resolve(name(i) + ".state");
            return Files.exists(state) && Files.readString(state).strip().equals("off");
        } catch (IOException e) {
            return false;
        }
    }

    /** The switch never acted on node i (no history line). */
    boolean neverSwitched(int i) {
        return !Files.exists(power.resolve(name(i) + ".history"));
    }

    long lastOffEpochMs(int i) throws IOException {
        long at = -1;
        Path history = power.resolve(name(i) + ".history");
        if (Files.exists(history)) {
            for (String l : Files.readAllLines(history)) {
                String[] f = l.strip().split("\\s+");
                if (f.length >= 2 && (f[1].equals("off") || f[1].equals("reboot"))) {
                    at = Long.parseLong(f[0]);
                }
            }
        }
        return at;
    }

    /** Nodes that hold ip on an interface with carrier (they can answer for it). */
    List<String> owners(String ip) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            NetnsLab.Result r = lab.exec(node(i), "ip", "-o", "-4", "addr", "show", "dev", NetnsLab.IFNAME);
            NetnsLab.Result link = lab.exec(node(i), "ip", "-o", "link", "show", "dev", NetnsLab.IFNAME);
            boolean up = link.stdout().contains("LOWER_UP") && !link.stdout().contains("NO-CARRIER");
            if (r.stdout().contains(" " + ip + "/") && up) {
                out.add(name(i));
            }
        }
        return out;
    }

    /** A client in the client namespace probing http://VIP/ every 10 ms (its own JVM, FailoverProbe). */
    FailoverLab.Client client() throws IOException {
        List<String> argv = NetnsLab.inNs(lab.client(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                FailoverProbe.class.getName(), vip, "80", "10", "50");
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(lab.workDir().resolve("client.err").toFile()));
        return new FailoverLab.Client(pb.start());
    }

    /**
     * Keeps the node logs in java.io.tmpdir/pulse-twonode-logs/NAME (the last run of each test: one
     * directory per run piled up in /tmp), kills the nodes, removes the lab.
     */
    @Override
    public void close() {
        try {
            Path keep = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "pulse-twonode-logs", name));
            for (int i = 1; i <= 2; i++) {
                if (Files.exists(log(i))) {
                    Files.copy(log(i), keep.resolve(name(i) + "-crmd.log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.out.println(name + ": node logs kept in " + keep);
        } catch (IOException e) {
            System.out.println(name + ": could not keep the node logs: " + e.getMessage());
        }
        try {
            for (int i = 1; i <= 2; i++) {
                if (crmd[i] != null && crmd[i].isAlive()) {
                    lab.killAll(node(i));
                }
            }
        } finally {
            lab.close();
        }
    }
}
