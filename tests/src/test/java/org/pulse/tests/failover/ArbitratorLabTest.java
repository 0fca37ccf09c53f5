package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * pulse-arbitrator for real (root, {@link NetnsLab}): crmd processes in network namespaces of their
 * own, the arbitrator in a namespace of its own on the same TEST-NET-2 bridge. A split is a pair of
 * blackhole routes between the halves, so both still reach the arbitrator. Each test starts its own
 * lab; bounded at about 90 s of waiting each (the waits are the limits below).
 */
class ArbitratorLabTest {
    static final String ARBITRATOR_ADDRESS = NetnsLab.SUBNET_PREFIX + "200";
    static final int PORT = 7800;
    static final FailoverAdmin ADMIN = new FailoverAdmin();

    NetnsLab lab;
    Path repo;
    NetnsLab.Node arbHost;
    Process arbitrator;
    final Process[] crmd = new Process[5];

    void startLab(int nodes) throws IOException {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "setsid", "unshare")) {
            TestEnv.requireCommand(c);
        }
        repo = TestEnv.requireBuiltJars();
        lab = NetnsLab.create(nodes);
        arbHost = lab.addHost("arb", lab.prefix() + "br", ARBITRATOR_ADDRESS, NetnsLab.PREFIX_LENGTH);
    }

    @AfterEach
    void stop(org.junit.jupiter.api.TestInfo test) {
        if (lab == null) {
            return;
        }
        try {
            // The last run of each test (one directory per run piled up in /tmp).
            Path keep = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "pulse-arbitrator-logs",
                    test.getTestMethod().map(java.lang.reflect.Method::getName).orElse("test")));
            for (NetnsLab.Node n : lab.nodes()) {
                if (Files.exists(log(n))) {
                    Files.copy(log(n), keep.resolve(n.name() + "-crmd.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            if (Files.exists(arbLog())) {
                Files.copy(arbLog(), keep.resolve("arbitrator.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            System.out.println("ArbitratorLabTest: logs kept in " + keep);
        } catch (IOException e) {
            System.out.println("ArbitratorLabTest: could not keep the logs: " + e.getMessage());
        }
        try {
            lab.killAll(arbHost);
            for (NetnsLab.Node n : lab.nodes()) {
                lab.killAll(n);
            }
        } finally {
            lab.close();
        }
    }

    Path key(String cluster) {
        return lab.workDir().resolve(cluster + ".authkey");
    }

    void generateKey(String cluster) {
        NetnsLab.Result r = NetnsLab.run(List.of(repo.resolve("bin/crmd").toString(), "--generate-key",
                key(cluster).toString()), Map.of(), Duration.ofSeconds(120));
        assertTrue(r.ok(), () -> "crmd --generate-key failed: " + r.stderr() + r.stdout());
    }

    Path arbLog() {
        return lab.workDir().resolve("arbitrator.log");
    }

    void startArbitrator(List<String> clusters) throws IOException {
        StringBuilder conf = new StringBuilder("listen = " + ARBITRATOR_ADDRESS + ":5403\nlease_ms = 6000\ngather_ms = 2000\n");
        for (String c : clusters) {
            conf.append("cluster.").append(c).append(" = ").append(key(c)).append('\n');
        }
        Path file = lab.workDir().resolve("arbitrator.conf");
        Files.writeString(file, conf);
        arbitrator = lab.start(arbHost, List.of(repo.resolve("bin/pulse-arbitrator").toString(), "--config",
                file.toString()), Map.of(), arbLog());
    }

    static Path log(NetnsLab.Node n) {
        return n.runDir().resolve("crmd.log");
    }

    static Path socket(NetnsLab.Node n) {
        return n.runDir().resolve("crmd.sock");
    }

    /** Starts node i of {@code members} (1-based lab node numbers) as a member of {@code cluster}. */
    void startNode(int i, String cluster, int[] members, List<String> extra) throws IOException {
        NetnsLab.Node n = lab.node(i);
        List<String> nodes = new ArrayList<>();
        for (int m : members) {
            nodes.add(lab.node(m).name() + "@" + lab.node(m).address() + ":" + PORT);
        }
        String conf = "node = " + n.name() + "\n"
                + "cluster = " + cluster + "\n"
                + "nodes = " + String.join(", ", nodes) + "\n"
                + "tie_breaker = arbitrator:" + ARBITRATOR_ADDRESS + "\n"
                + String.join("\n", extra) + "\n"
                + "key = " + key(cluster) + "\n"
                + "data_dir = " + n.runDir().resolve("data") + "\n"
                + "socket = " + socket(n) + "\n"
                + "agent_dirs = " + repo.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf\n"
                + "stonith_dirs = " + repo.resolve("crmd/src/main/fence") + "\n"
                + "ha_rsctmp = " + n.rsctmp() + "\n"
                + "failure_detection_ms = 500\n"
                + "self_fence = exit\n";
        Files.writeString(n.runDir().resolve("crmd.conf"), conf);
        crmd[i] = lab.startInOwnMountNamespace(n, List.of(repo.resolve("bin/crmd").toString(), "--config",
                n.runDir().resolve("crmd.conf").toString()), LocalCluster.daemonEnv(),
                log(n));
    }

    AdminArgs status(int i) {
        return ADMIN.status(socket(lab.node(i)));
    }

    boolean quorate(int i) {
        AdminArgs s = status(i);
        return s != null && "true".equals(FailoverAdmin.str(s, "joined")) && "true".equals(FailoverAdmin.str(s, "quorate"));
    }

    /** Whether node i is joined in a partition that decided it has no quorum (not merely undecided yet). */
    boolean notQuorate(int i) {
        AdminArgs s = status(i);
        return s != null && "true".equals(FailoverAdmin.str(s, "joined")) && "false".equals(FailoverAdmin.str(s, "quorate"))
                && !String.valueOf(FailoverAdmin.str(s, "quorum")).contains("undecided");
    }

    String quorum(int i) {
        return FailoverAdmin.str(status(i), "quorum");
    }

    /** All given nodes joined, quorate, naming one DC. */
    boolean whole(int... nodes) {
        String dc = null;
        for (int i : nodes) {
            if (!crmd[i].isAlive()) {
                throw new IllegalStateException("crmd of " + lab.node(i).name() + " exited; log " + log(lab.node(i)));
            }
            AdminArgs s = status(i);
            if (!FailoverAdmin.joinedWithQuorum(s) || (dc != null && !dc.equals(FailoverAdmin.str(s, "dc")))) {
                return false;
            }
            dc = FailoverAdmin.str(s, "dc");
        }
        return true;
    }

    void cut(int[] half, int[] other) {
        for (int a : half) {
            for (int b : other) {
                lab.execOk(lab.node(a), "ip", "route", "add", "blackhole", lab.node(b).address() + "/32");
                lab.execOk(lab.node(b), "ip", "route", "add", "blackhole", lab.node(a).address() + "/32");
            }
        }
    }

    void heal(int[] half, int[] other) {
        for (int a : half) {
            for (int b : other) {
                lab.exec(lab.node(a), "ip", "route", "del", "blackhole", lab.node(b).address() + "/32");
                lab.exec(lab.node(b), "ip", "route", "del", "blackhole", lab.node(a).address() + "/32");
            }
        }
    }

    /**
     * Two 2-node clusters, alpha (arbitrator_tie_breaker = lowest) and beta (highest), share one
     * arbitrator, each with its own key. Both are split at once: in each exactly one half is quorate,
     * the one its tie-breaker names. Then the arbitrator is killed during the split: no half becomes
     * quorate that was not, and the halves that held the vote lose it when its lease runs out (they
     * cannot renew). Healed with the arbitrator still dead, both clusters are whole and quorate: the
     * arbitrator is not needed by a whole cluster.
     */
    @Test
    void twoClustersShareOneArbitratorAndKillingItDuringASplitMakesNoHalfQuorate() throws Exception {
        startLab(4);
        generateKey("alpha");
        generateKey("beta");
        startArbitrator(List.of("alpha", "beta"));
        int[] alpha = {1, 2};
        int[] beta = {3, 4};
        for (int i : alpha) {
            startNode(i, "alpha", alpha, List.of("arbitrator_algorithm = ffsplit", "arbitrator_tie_breaker = lowest"));
        }
        for (int i : beta) {
            startNode(i, "beta", beta, List.of("arbitrator_algorithm = ffsplit", "arbitrator_tie_breaker = highest"));
        }
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> whole(1, 2) && whole(3, 4) ? "" : null),
                "the two clusters did not form within 120 s; logs in " + lab.workDir());
        long t0 = System.nanoTime();
        cut(new int[] {1}, new int[] {2});
        cut(new int[] {3}, new int[] {4});
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> quorate(1) && notQuorate(2) && quorate(4)
                && notQuorate(3) ? "" : null), "after the splits: n1 " + quorum(1) + "; n2 " + quorum(2) + "; n3 "
                + quorum(3) + "; n4 " + quorum(4) + "; arbitrator log " + arbLog());
        long decidedMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(quorum(1).contains("the arbitrator gave this half its vote"), quorum(1));
        assertTrue(quorum(2).contains("lost by tie_breaker = arbitrator"), quorum(2));
        // It stays so: the loser never gets the vote while the winner renews it.
        for (int k = 0; k < 20; k++) {
            assertTrue(quorate(1) && !quorate(2) && quorate(4) && !quorate(3), "the split changed: n1 " + quorum(1)
                    + "; n2 " + quorum(2) + "; n3 " + quorum(3) + "; n4 " + quorum(4));
            Thread.sleep(150);
        }
        // Kill the arbitrator during the split.
        lab.killAll(arbHost);
        long killedAt = System.nanoTime();
        long heldMs = -1;
        while (System.nanoTime() - killedAt < Duration.ofSeconds(12).toNanos()) {
            assertFalse(quorate(2), "n2 became quorate after the arbitrator died: " + quorum(2));
            assertFalse(quorate(3), "n3 became quorate after the arbitrator died: " + quorum(3));
            if (heldMs < 0 && !quorate(1) && !quorate(4)) {
                heldMs = (System.nanoTime() - killedAt) / 1_000_000;
            }
            Thread.sleep(100);
        }
        assertTrue(heldMs >= 0 && !quorate(1) && !quorate(4), "the halves that held the vote kept quorum 12 s after"
                + " the arbitrator died (the lease is 6000 ms, counted less a third): n1 " + quorum(1) + "; n4 " + quorum(4));
        heal(new int[] {1}, new int[] {2});
        heal(new int[] {3}, new int[] {4});
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> whole(1, 2) && whole(3, 4) ? "" : null),
                "healed without the arbitrator, the clusters are not whole and quorate: n1 " + quorum(1) + "; n3 "
                        + quorum(3));
        assertTrue((quorum(1) + quorum(2)).contains("2 of 2 votes"), quorum(1) + "; " + quorum(2));
        System.out.println("ArbitratorLabTest: two clusters decided " + decidedMs + " ms after the cuts (alpha for n1,"
                + " beta for n4); with the arbitrator killed nobody gained quorum, the holders lost it within "
                + heldMs + " ms; healed whole without it");
    }

    /**
     * A 4-node cluster, ffsplit with arbitrator_tie_breaker = n3: split 2|2, only n3's half is quorate;
     * healed, the whole cluster is quorate and lets the vote go.
     */
    @Test
    void fourNodesFfsplitAnEvenSplitGoesToTheNamedNodesHalf() throws Exception {
        startLab(4);
        generateKey("quad");
        startArbitrator(List.of("quad"));
        int[] all = {1, 2, 3, 4};
        for (int i : all) {
            startNode(i, "quad", all, List.of("arbitrator_algorithm = ffsplit", "arbitrator_tie_breaker = n3"));
        }
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> whole(all) ? "" : null),
                "the cluster did not form within 120 s; logs in " + lab.workDir());
        cut(new int[] {1, 2}, new int[] {3, 4});
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> quorate(3) && quorate(4) && notQuorate(1)
                && notQuorate(2) ? "" : null), "after the split: n1 " + quorum(1) + "; n3 " + quorum(3));
        for (int k = 0; k < 20; k++) {
            assertTrue(quorate(3) && !quorate(1) && !quorate(2), "the split changed: n1 " + quorum(1) + "; n3 " + quorum(3));
            Thread.sleep(150);
        }
        heal(new int[] {1, 2}, new int[] {3, 4});
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> whole(all) ? "" : null),
                "healed, the cluster is not whole: n1 " + quorum(1));
        System.out.println("ArbitratorLabTest: 4 nodes, ffsplit: the 2|2 split went to n3's half; healed whole");
    }

    /**
     * A 4-node cluster, lms (arbitrator_tie_breaker = lowest): split 2|2, n1's half is quorate and the
     * other not; healed, then n4 cut off (3|1): the three hold the vote, n4 does not; then n2 and n3
     * stop: n1 alone, the last man standing, stays quorate with the vote.
     */
    @Test
    void fourNodesLmsTheLastManStandingKeepsQuorum() throws Exception {
        startLab(4);
        generateKey("lms");
        startArbitrator(List.of("lms"));
        int[] all = {1, 2, 3, 4};
        for (int i : all) {
            startNode(i, "lms", all, List.of("arbitrator_algorithm = lms", "arbitrator_tie_breaker = lowest"));
        }
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> whole(all) ? "" : null),
                "the cluster did not form within 120 s; logs in " + lab.workDir());
        cut(new int[] {1, 2}, new int[] {3, 4});
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> quorate(1) && quorate(2) && notQuorate(3)
                && notQuorate(4) ? "" : null), "after the 2|2 split: n1 " + quorum(1) + "; n3 " + quorum(3));
        heal(new int[] {1, 2}, new int[] {3, 4});
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> whole(all) ? "" : null),
                "healed, the cluster is not whole: n1 " + quorum(1));
        cut(new int[] {1, 2, 3}, new int[] {4});
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> quorate(1) && quorate(3) && notQuorate(4)
                ? "" : null), "after the 3|1 split: n1 " + quorum(1) + "; n4 " + quorum(4));
        assertTrue((quorum(1) + quorum(2) + quorum(3)).contains("quorate by the arbitrator's vote"),
                quorum(1) + "; " + quorum(2) + "; " + quorum(3));
        for (int i : new int[] {3, 2}) {
            lab.killAll(lab.node(i));
        }
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> {
            AdminArgs s = status(1);
            return s != null && "n1".equals(FailoverAdmin.str(s, "members")) && quorate(1) ? "" : null;
        }), "n1 alone is not quorate: " + quorum(1));
        for (int k = 0; k < 20; k++) {
            assertTrue(quorate(1) && !quorate(4), "n1 " + quorum(1) + "; n4 " + quorum(4));
            Thread.sleep(150);
        }
        System.out.println("ArbitratorLabTest: 4 nodes, lms: 2|2 to n1's half, 3|1 to the three, then n1 alone: "
                + quorum(1));
    }
}
