package org.pulse.lab.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.AtomicFiles;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * How a crmd node of a NetnsLab cluster is made and started, whatever the cluster's size: the
 * three-node FailoverLab and the two-node lab of the split-brain tests (tests' TwoNodeLab) both
 * build on these, so a node's config, its outlets on the power-switch simulator and its start are
 * written once.
 */
public final class LabNodes {
    /** The JGroups port every lab node listens on, each on its own address. */
    public static final int CLUSTER_PORT = 7800;

    private LabNodes() {
    }

    /**
     * What a lab needs (skips outside CI, fails in CI): root, the given commands, and a build of
     * crmd and crm-shell for bin/crmd and bin/crm. Returns the source tree.
     */
    public static Path requireLab(List<String> commands) {
        TestEnv.requireRoot();
        for (String c : commands) {
            TestEnv.requireCommand(c);
        }
        Path repo = TestEnv.requireBuiltJars();
        return repo;
    }

    /** The cluster key all nodes share, made by crmd itself. */
    public static void generateKey(Path repo, Path key) throws IOException {
        NetnsLab.Result r = NetnsLab.run(List.of(repo.resolve("bin/crmd").toString(), "--generate-key", key.toString()),
                Map.of(), Duration.ofSeconds(120));
        if (!r.ok()) {
            throw new IllegalStateException("crmd --generate-key failed: " + r.stderr() + r.stdout());
        }
    }

    /** The nodes line of every node's config: NAME@ADDRESS:PORT for each node of {@code lab}, in order. */
    public static String peers(NetnsLab lab, int nodes) {
        StringBuilder peers = new StringBuilder();
        for (int k = 1; k <= nodes; k++) {
            peers.append(k > 1 ? ", " : "").append(lab.node(k).name()).append('@').append(lab.node(k).address())
                    .append(':').append(CLUSTER_PORT);
        }
        return peers.toString();
    }

    public static Path socket(NetnsLab.Node n) {
        return n.runDir().resolve("crmd.sock");
    }

    public static Path log(NetnsLab.Node n) {
        return n.runDir().resolve("crmd.log");
    }

    /**
     * Writes node {@code n}'s crmd.conf (agents and fence agents from {@code build}, Debian's fence-agents
     * after Pulse's; {@code extra}: more lines, e.g. quorum or a watchdog) and its outlets on the power
     * switch in {@code power}, so fence_pulse_sim can cut its link and kill it.
     */
    public static void writeConfig(NetnsLab.Node n, String peers, Path key, Path build, long failureDetectionMs,
            Path power, String extra) throws IOException {
        String conf = "# lab node " + n.name() + "\n"
                + "node = " + n.name() + "\n"
                + "nodes = " + peers + "\n"
                + "key = " + key + "\n"
                + "data_dir = " + n.runDir().resolve("data") + "\n"
                + "socket = " + socket(n) + "\n"
                + "agent_dirs = " + build.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf\n"
                // Pulse's power-switch simulator, then Debian's fence-agents (fence_ipmilan for BmcLab).
                + "stonith_dirs = " + build.resolve("crmd/src/main/fence") + ":/usr/sbin\n"
                + "ha_rsctmp = " + n.rsctmp() + "\n"
                + "failure_detection_ms = " + failureDetectionMs + "\n"
                + "self_fence = exit\n" // nodes share this machine: a self-fence ends the process only
                + extra;
        Files.writeString(n.runDir().resolve("crmd.conf"), conf);
        AtomicFiles.writeString(power.resolve(n.name() + ".netns"), n.netns());
        AtomicFiles.writeString(power.resolve(n.name() + ".link"), NetnsLab.IFNAME);
        AtomicFiles.writeString(power.resolve(n.name() + ".rsctmp"), n.rsctmp().toString());
    }

    /**
     * Starts node {@code n}'s crmd from {@code build} in a mount namespace of its own, logging to its
     * crmd.log, and tells the power switch its PID (nsenter, unshare and setsid exec in place, so the
     * process is crmd's own) and that it is on.
     */
    public static Process startCrmd(NetnsLab lab, NetnsLab.Node n, Path build, String extraJavaOpts, Path power)
            throws IOException {
        Process p = lab.startInOwnMountNamespace(n, List.of(build.resolve("bin/crmd").toString(), "--config",
                n.runDir().resolve("crmd.conf").toString()), LocalCluster.daemonEnv(extraJavaOpts), log(n));
        AtomicFiles.writeString(power.resolve(n.name() + ".pid"), Long.toString(p.pid()));
        Files.deleteIfExists(power.resolve(n.name() + ".state"));
        return p;
    }

    /** Runs Pulse's httpd agent by hand in node n (not a cluster resource: the "already running" web server). */
    public static NetnsLab.Result nodeWeb(NetnsLab.Node n, Path repo, String action) {
        List<String> argv = NetnsLab.inNs(n, "env", "HA_RSCTMP=" + n.rsctmp(), "OCF_ROOT=/usr/lib/ocf",
                "OCF_RESOURCE_INSTANCE=nodeweb", "OCF_RESKEY_listen=80", "OCF_RESKEY_docroot=" + n.runDir().resolve("www"),
                "OCF_RESKEY_CRM_meta_timeout=20000",
                repo.resolve("resource-agents/src/main/ocf/resource.d/pulse/httpd").toString(), action);
        return NetnsLab.run(argv, Map.of(), Duration.ofSeconds(30));
    }

    /** A web server on node n whose page names the node; throws when it does not start. */
    public static void startNodeWebServer(NetnsLab.Node n, Path repo) throws IOException {
        Path www = Files.createDirectories(n.runDir().resolve("www"));
        Files.writeString(www.resolve("index.html"), n.name() + "\n");
        NetnsLab.Result r = nodeWeb(n, repo, "start");
        if (!r.ok()) {
            throw new IllegalStateException("web server on " + n.name() + ": " + r.stderr() + r.stdout());
        }
    }
}
