package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.FailoverProbe;
import org.pulse.lab.failover.FailoverLab;

/**
 * A two-node cluster with {@code two_node = true} (root, {@link TwoNodeLab}): the cluster link
 * between the two nodes is cut (blackhole routes both ways) while the client still reaches both.
 * Both halves keep quorum and each wants to fence the other; the fence device's
 * {@code pcmk_delay_base=n1:10s} makes n2 wait 10 s before fencing n1, so n1 fences n2 first. Then
 * exactly one node is left (n1), n2 is powered off by the switch and n1 never is, and the VIP (which
 * preferred n2) answers from n1 alone. Then n2 boots while still cut off: wait_for_all (implied by
 * two_node) keeps it without quorum, so it fences nobody and starts nothing; once the link is back
 * it rejoins and nobody is fenced.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodeSplitTest {
    static TwoNodeLab t;

    @BeforeAll
    static void start() throws Exception {
        t = TwoNodeLab.start("TwoNodeSplitTest", List.of("two_node = true"));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> t.agreedDc(1, 2)),
                "the two nodes did not agree on a quorate DC within 120 s; logs " + t.logs());
        t.configure(1, List.of(
                "property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                "rsc_defaults resource-stickiness=100",
                // The usual two_node setup: a delay for fencing the node that should survive a split.
                "primitive fence-sim stonith:fence_pulse_sim params power_dir=" + t.power + " pcmk_delay_base="
                        + t.name(1) + ":10s",
                "primitive vip ocf:pulse:IPaddr params ip=" + t.vip + " cidr_netmask=24 nic=eth0"
                        + " op monitor interval=1s timeout=10s",
                // The VIP starts on n2, so the split must move it to the node that wins.
                "location vip-prefers-n2 vip 50: " + t.name(2)));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(90), () -> t.name(2).equals(t.vipUp(1, 2)) ? "y" : null),
                "the VIP did not start on " + t.name(2) + " within 90 s: " + FailoverAdmin.str(t.status(1), "text"));
    }

    @AfterAll
    static void stop() {
        if (t != null) {
            t.close();
        }
    }

    @Test
    @Order(1)
    void cuttingTheClusterLinkLeavesExactlyOneNodeServing() throws Exception {
        String dc = t.agreedDc(1, 2);
        assertNotNull(dc);
        AdminArgs before = t.status(dc.equals(t.name(1)) ? 1 : 2);
        assertEquals("2 of 2 votes", before.asMap().get("quorum"), FailoverAdmin.str(before, "text"));
        assertEquals(Boolean.FALSE, before.asMap().get("wait_for_all"), "both nodes have seen each other");
        try (FailoverLab.Client client = t.client()) {
            Thread.sleep(500);
            double cutAt = FailoverProbe.nowMs();
            for (int[] fromTo : new int[][] {{1, 2}, {2, 1}}) {
                t.lab.execOk(t.node(fromTo[0]), "ip", "route", "add", "blackhole", t.node(fromTo[1]).address() + "/32");
            }
            assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> t.poweredOff(2) ? "y" : null),
                    t.name(2) + " was not fenced within 60 s of the cut; logs " + t.logs());
            String on = FailoverLab.waitFor(Duration.ofSeconds(60), () -> t.vipUp(1));
            assertEquals(t.name(1), on, "the VIP did not come up on the survivor " + t.name(1) + ": "
                    + FailoverAdmin.str(t.status(1), "text"));
            AdminArgs s = t.status(1);
            assertEquals(Boolean.TRUE, s.asMap().get("quorate"), FailoverAdmin.str(s, "text"));
            assertTrue(String.valueOf(s.asMap().get("quorum")).contains("two_node"), String.valueOf(s.asMap()));
            // n2's own fencing of n1 waited 10 s; it must never have run (n2 was off before).
            Thread.sleep(12_000);
            assertTrue(t.crmd[1].isAlive(), t.name(1) + "'s crmd died; log " + t.log(1));
            assertFalse(t.poweredOff(1), t.name(1) + " was fenced too: both sides lost the fence race");
            assertTrue(t.neverSwitched(1), "the switch acted on " + t.name(1));
            assertFalse(t.crmd[2].isAlive(), t.name(2) + "'s crmd survived its fencing");
            assertEquals(List.of(t.name(1)), t.owners(t.vip), "the VIP must be on exactly one node");
            List<String> answerers = FailoverProbe.answerers(client.samples);
            assertEquals(t.name(1), answerers.get(answerers.size() - 1), "the client is served by " + answerers);
            assertEquals(answerers.size(), new java.util.HashSet<>(answerers).size(),
                    "two nodes answered for the VIP in turn: " + answerers);
            assertTrue(client.okSince(cutAt + 1) > 0, "the client got no answer after the cut");
            System.out.println("TwoNodeSplitTest: " + t.name(2) + " powered off "
                    + Math.round(t.lastOffEpochMs(2) - FailoverLab.toEpochMs(cutAt)) + " ms after the link was cut;"
                    + " answerers " + answerers);
        }
    }

    @Test
    @Order(2)
    void theFencedNodeBootingWhileCutOffWaitsForAllInsteadOfFencing() throws Exception {
        assertTrue(t.poweredOff(2), "needs the first test: " + t.name(2) + " fenced");
        // The machine boots (clean /run, its own address) but the cluster link is still cut.
        t.lab.powerOff(t.node(2));
        t.lab.powerOn(t.node(2));
        t.lab.execOk(t.node(2), "ip", "route", "replace", "blackhole", t.node(1).address() + "/32");
        t.startWebServer(2);
        t.startNode(2);
        AdminArgs waiting = FailoverLab.waitFor(Duration.ofSeconds(60), () -> {
            AdminArgs s = t.status(2);
            return s != null && Boolean.TRUE.equals(s.asMap().get("joined")) ? s : null;
        });
        assertNotNull(waiting, t.name(2) + " did not form its own partition within 60 s; log " + t.log(2));
        // Longer than n2's 10 s fence delay for n1: were n2 quorate, n1 would be off by now.
        Thread.sleep(13_000);
        AdminArgs s = t.status(2);
        assertEquals(Boolean.FALSE, s.asMap().get("quorate"), FailoverAdmin.str(s, "text"));
        assertEquals(Boolean.TRUE, s.asMap().get("wait_for_all"), FailoverAdmin.str(s, "text"));
        assertTrue(String.valueOf(s.asMap().get("quorum")).contains("wait_for_all")
                && String.valueOf(s.asMap().get("quorum")).contains("[" + t.name(1) + "]"), String.valueOf(s.asMap()));
        assertFalse(t.poweredOff(1), t.name(2) + " fenced " + t.name(1) + " right after booting alone");
        assertTrue(t.crmd[1].isAlive(), t.name(1) + "'s crmd died; log " + t.log(1));
        assertEquals(List.of(t.name(1)), t.owners(t.vip), "the VIP must stay on " + t.name(1) + " alone");
        assertEquals(t.name(1), t.lab.httpGet(t.lab.client(), "http://" + t.vip + "/", 1000).map(String::strip)
                .orElse(""));
    }

    @Test
    @Order(3)
    void healingTheLinkLetsTheRebootedNodeRejoinWithoutFencing() throws Exception {
        assertTrue(t.crmd[2] != null && t.crmd[2].isAlive(), "needs the second test: " + t.name(2) + " running again");
        t.lab.exec(t.node(1), "ip", "route", "del", "blackhole", t.node(2).address() + "/32");
        t.lab.exec(t.node(2), "ip", "route", "del", "blackhole", t.node(1).address() + "/32");
        String dc = FailoverLab.waitFor(Duration.ofSeconds(90), () -> t.agreedDc(1, 2));
        assertNotNull(dc, "the two nodes did not merge within 90 s of the heal; logs " + t.logs());
        AdminArgs s = t.status(2);
        assertEquals(Boolean.FALSE, s.asMap().get("wait_for_all"), "n2 has now seen both: " + s.asMap());
        assertEquals(Boolean.TRUE, s.asMap().get("quorate"));
        String on = FailoverLab.waitFor(Duration.ofSeconds(30), () -> t.vipUp(1, 2));
        assertEquals(t.name(1), on, "the VIP must stay on " + t.name(1) + " (stickiness 100 beats the preference 50)");
        assertEquals(List.of(t.name(1)), t.owners(t.vip));
        assertFalse(t.poweredOff(1), t.name(1) + " was fenced");
        assertFalse(t.poweredOff(2), t.name(2) + " was fenced again after it rejoined");
    }
}
