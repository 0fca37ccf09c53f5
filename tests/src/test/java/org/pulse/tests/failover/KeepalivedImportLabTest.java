package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * A keepalived pair moved to Pulse as an operator would (root, network namespaces): two
 * keepalived.conf files (n1 priority 150, n2 priority 100), each with two VRRP instances, one
 * preempting (keepalived's default) and one with nopreempt, plus a vrrp_script (weight 0)
 * tracked by the preempting one; {@code crm configure import keepalived n1=... n2=...} into FailoverLab's 3-node
 * cluster (fencing by the power-switch simulator). Both addresses answer from n1, the preferred
 * node. n1's link is cut: it is fenced and both addresses move to n2 (n3 has no priority, so
 * score 0). n1 boots and rejoins: the preempting address goes back to n1, as keepalived would
 * take it back, and the nopreempt one stays on n2 (checked for 15 s after the other moved back).
 * Last the check fails on n1 only (a flag file in its HA_RSCTMP): keepalived's FAULT, the
 * preempting address leaves n1, and returns once the check passes again.
 * Bound: about 2-3 minutes (cluster start, one fence and one reboot).
 */
class KeepalivedImportLabTest {
    @Test
    void importedPairFailsOverAndBackAsKeepalivedSaid() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "setsid", "apache2", "curl")) {
            TestEnv.requireCommand(c);
        }
        Path repo = TestEnv.requireBuiltJars();
        try (NetnsLab lab = NetnsLab.create(FailoverLab.NODES)) {
            FailoverLab cluster = FailoverLab.start(lab, repo, 500);
            try {
                run(lab, cluster);
            } finally {
                cluster.close();
            }
        }
    }

    private static String keepalivedConf(String state, int priority, String preemptVip, String stickyVip, Path check) {
        String ifname = NetnsLab.IFNAME;
        return "! keepalived.conf of a node of the pair, as the operator had it\n"
                + "vrrp_script chk_flag {\n    script \"" + check + "\"\n    interval 1\n}\n"
                + "vrrp_instance VI_PRE {\n    state " + state + "\n    interface " + ifname + "\n"
                + "    virtual_router_id 51\n    priority " + priority + "\n    advert_int 1\n"
                + "    virtual_ipaddress {\n        " + preemptVip + "/24 dev " + ifname + "\n    }\n"
                + "    track_script {\n        chk_flag\n    }\n}\n"
                + "vrrp_instance VI_STICKY {\n    state BACKUP\n    nopreempt\n    interface " + ifname + "\n"
                + "    virtual_router_id 52\n    priority " + priority + "\n    advert_int 1\n"
                + "    virtual_ipaddress {\n        " + stickyVip + "/24\n    }\n}\n";
    }

    private static void run(NetnsLab lab, FailoverLab cluster) throws Exception {
        System.out.println("KeepalivedImportLabTest: " + lab + "; node logs " + cluster.logs());
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            cluster.startNodeWebServer(i);
        }
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())),
                "the three lab nodes did not agree on a DC within 120 s; logs " + cluster.logs());
        cluster.configure(1, List.of(
                "property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                "primitive fence-sim stonith:fence_pulse_sim params power_dir=" + cluster.power));
        String preVip = lab.vip(0);
        String stickyVip = lab.vip(1);
        Path n1 = lab.workDir().resolve("keepalived-n1.conf");
        Path n2 = lab.workDir().resolve("keepalived-n2.conf");
        // the health check fails on a node once its own /run (HA_RSCTMP) holds the flag file
        Path check = lab.workDir().resolve("check-flag.sh");
        Files.writeString(check, "#!/bin/sh\ntest ! -e \"$HA_RSCTMP/keepalived-fault\"\n");
        check.toFile().setExecutable(true);
        Files.writeString(n1, keepalivedConf("MASTER", 150, preVip, stickyVip, check));
        Files.writeString(n2, keepalivedConf("BACKUP", 100, preVip, stickyVip, check));
        String dry = cluster.crm(1, "configure", "import", "keepalived", "--dry-run", "n1=" + n1, "n2=" + n2);
        System.out.println(dry);
        assertTrue(dry.contains("group VI_STICKY VI_STICKY-ip1 meta resource-stickiness=151"), dry);
        cluster.crm(1, "configure", "import", "keepalived", "n1=" + n1, "n2=" + n2);

        assertEquals("n1", servedBy(lab, cluster, preVip, "VI_PRE", "n1", Duration.ofSeconds(90)),
                "the preempting VIP did not start on n1 (priority 150)");
        assertEquals("n1", servedBy(lab, cluster, stickyVip, "VI_STICKY", "n1", Duration.ofSeconds(30)),
                "the nopreempt VIP did not start on n1 (priority 150)");
        // the health clone runs everywhere and publishes its attribute (a failed one would ban the VIP)
        for (String n : List.of("n1", "n2", "n3")) {
            assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> cluster.crm(1, "node", "status-attr", n,
                    "show", "health_chk_flag").contains("value=1") ? "y" : null), "health_chk_flag=1 never showed on " + n);
        }

        lab.linkDown(cluster.node(1));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.fenced(1) ? "y" : null),
                "n1 was not fenced within 60 s of losing its link; logs " + cluster.logs());
        assertEquals("n2", servedBy(lab, cluster, preVip, "VI_PRE", "n2", Duration.ofSeconds(60), 2, 3),
                "the preempting VIP did not move to n2 (priority 100) after n1 was fenced");
        assertEquals("n2", servedBy(lab, cluster, stickyVip, "VI_STICKY", "n2", Duration.ofSeconds(30), 2, 3),
                "the nopreempt VIP did not move to n2 after n1 was fenced");

        cluster.rebootBare(1);
        cluster.startNodeWebServer(1);
        cluster.startNode(1);
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())),
                "n1 did not rejoin within 120 s; logs " + cluster.logs());
        assertEquals("n1", servedBy(lab, cluster, preVip, "VI_PRE", "n1", Duration.ofSeconds(60)),
                "keepalived preempts by default: the VIP should have gone back to n1");
        // nopreempt: it must stay on n2, now and for a while after
        long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < until) {
            String on = cluster.agreedRunningOn("VI_STICKY-ip1", cluster.all());
            assertTrue(on == null || on.equals("n2"), "the nopreempt VIP failed back to " + on
                    + ": keepalived's nopreempt keeps it where it is:\n" + FailoverAdmin.str(cluster.status(1), "text"));
            Thread.sleep(500);
        }
        assertEquals("n2", servedBy(lab, cluster, stickyVip, "VI_STICKY", "n2", Duration.ofSeconds(10)),
                "the nopreempt VIP is not served by n2");
        assertEquals(List.of("n2"), cluster.owners(stickyVip), "the nopreempt VIP must be on exactly one node");
        assertEquals(List.of("n1"), cluster.owners(preVip), "the preempting VIP must be on exactly one node");

        // track_script with weight 0: a failing check on n1 is keepalived's FAULT, the address leaves n1
        Path flag = cluster.node(1).rsctmp().resolve("keepalived-fault");
        Files.writeString(flag, "");
        assertEquals("n2", servedBy(lab, cluster, preVip, "VI_PRE", "n2", Duration.ofSeconds(30)),
                "a failing vrrp_script on n1 did not move the VIP away");
        Files.delete(flag);
        assertEquals("n1", servedBy(lab, cluster, preVip, "VI_PRE", "n1", Duration.ofSeconds(30)),
                "once the check passes again on n1 the VIP should come back (preempt)");
    }

    private static String servedBy(NetnsLab lab, FailoverLab cluster, String vip, String group, String node,
            Duration timeout) throws InterruptedException {
        return servedBy(lab, cluster, vip, group, node, timeout, cluster.all());
    }

    /** The node once the live nodes agree the group's address runs there and the client gets that node's page. */
    private static String servedBy(NetnsLab lab, FailoverLab cluster, String vip, String group, String node,
            Duration timeout, int... live) throws InterruptedException {
        String got = FailoverLab.waitFor(timeout, () -> {
            String on = cluster.agreedRunningOn(group + "-ip1", live);
            if (!node.equals(on)) {
                return null;
            }
            return lab.httpGet(lab.client(), "http://" + vip + "/", 1000).map(String::strip).filter(node::equals)
                    .orElse(null);
        });
        if (got == null) {
            System.out.println("servedBy " + vip + ": " + FailoverAdmin.str(cluster.status(live[0]), "text"));
        }
        return got;
    }
}
