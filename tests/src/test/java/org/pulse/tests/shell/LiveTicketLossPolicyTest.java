package org.pulse.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;

/**
 * A ticket's loss-policy on three real crmd processes (Pacemaker's rsc_ticket semantics): revoking a ticket with
 * loss-policy=freeze leaves what needs it running where it is; revoking one with loss-policy=fence fences the node
 * that runs what needs it (the power-switch simulator kills that node's crmd), and the fence history says so.
 */
class LiveTicketLossPolicyTest {
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.startForSuite(LiveTicketLossPolicyTest.class, 3, 2_000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.closeAndRemove();
        }
    }

    @Test
    void freezeLeavesItRunningAndFenceFencesItsNode() throws Exception {
        int dcIndex = ShellCluster.agreedDc(cluster);
        String dc = "node" + dcIndex;
        int victim = IntStream.rangeClosed(1, 3).filter(n -> n != dcIndex).max().orElseThrow();
        String victimNode = "node" + victim;
        Path config = cluster.root().resolve("tickets.crm");
        Files.writeString(config, String.join("\n",
                "property stonith-enabled=true stonith-action=off",
                "primitive fence1 stonith:fence_pulse_sim params power_dir=" + cluster.powerDir()
                        + " pcmk_host_list=\"node1 node2 node3\" pcmk_host_check=static-list",
                "primitive frozen ocf:pulse:Dummy op monitor interval=2s",
                "primitive fenced ocf:pulse:Dummy op monitor interval=2s",
                "location frozen-on-dc frozen 100: " + dc,
                "location fenced-on-victim fenced 100: " + victimNode,
                "location fence1-not-on-victim fence1 -INFINITY: " + victimNode,
                "rsc_ticket frozen-needs-z ticketZ: frozen loss-policy=freeze",
                "rsc_ticket fenced-needs-f ticketF: fenced loss-policy=fence", ""));
        ShellCluster.crm(cluster, dcIndex, "configure", "load", "update", config.toString());
        ShellCluster.crm(cluster, dcIndex, "-F", "site", "ticket", "grant", "ticketZ");
        ShellCluster.crm(cluster, dcIndex, "-F", "site", "ticket", "grant", "ticketF");
        ShellCluster.awaitOn(cluster, dcIndex, "frozen", dc, "granted");
        ShellCluster.awaitOn(cluster, dcIndex, "fenced", victimNode, "granted");

        // freeze: revoked, and still running where it was (given time to be stopped, were it to be)
        ShellCluster.crm(cluster, dcIndex, "-F", "site", "ticket", "revoke", "ticketZ");
        Thread.sleep(5_000);
        assertEquals(dc, LocalCluster.runningOn(cluster, dcIndex, "frozen"), "loss-policy=freeze stopped it:\n"
                + FailoverAdmin.str(cluster.status(dcIndex), "text"));

        // fence: revoked, the node running what needs it is fenced (its crmd killed by the switch)
        ShellCluster.crm(cluster, dcIndex, "-F", "site", "ticket", "revoke", "ticketF");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> {
            String h = FailoverAdmin.str(cluster.status(dcIndex), "fence_history");
            return h != null && h.lines().anyMatch(l -> l.contains("\t" + victimNode + "\t") && l.contains("\tsuccess\t"));
        }), () -> "no successful fencing of " + victimNode + " 90 s after ticketF was revoked:\n"
                + FailoverAdmin.str(cluster.status(dcIndex), "text") + ShellCluster.logs(cluster));
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> !cluster.alive(victim)),
                victimNode + "'s crmd still runs after it was fenced");
        assertEquals(dc, LocalCluster.runningOn(cluster, dcIndex, "frozen"), "the fencing moved frozen");
        System.out.println("LiveTicketLossPolicyTest: " + victimNode + " fenced for ticketF (load " + LocalCluster.load()
                + ")");
    }
}
