package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.failover.FailoverLab;

/**
 * tie_breaker = ping:ADDRESS on a real two-node cluster (root, {@link TwoNodeLab}) without two_node:
 * 1 of 2 votes is an exact half, so the half whose DC gets answers from the client's address
 * (198.51.100.100, standing for the gateway) is quorate. n2, which holds the VIP, loses its cable:
 * its pings go unanswered, so it has no quorum and fences nobody, although its fence device has no
 * delay; n1 still reaches the address, keeps quorum, fences n2 and takes the VIP over.
 */
class PingTieBreakerTest {
    static TwoNodeLab t;

    @BeforeAll
    static void start() throws Exception {
        t = TwoNodeLab.start("PingTieBreakerTest", List.of("tie_breaker = ping:198.51.100.100"));
        assertEquals("198.51.100.100", t.lab.client().address(), "the lab's client address moved: update tie_breaker");
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> t.agreedDc(1, 2)),
                "the two nodes did not agree on a quorate DC within 120 s; logs " + t.logs());
        t.configure(1, List.of(
                "property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                "rsc_defaults resource-stickiness=100",
                "primitive fence-sim stonith:fence_pulse_sim params power_dir=" + t.power,
                "primitive vip ocf:pulse:IPaddr params ip=" + t.vip + " cidr_netmask=24 nic=eth0"
                        + " op monitor interval=1s timeout=10s",
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
    void theHalfThatReachesThePingTargetWinsTheTie() throws Exception {
        t.lab.linkDown(t.node(2));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> t.poweredOff(2) ? "y" : null),
                t.name(2) + " was not fenced within 60 s of losing its cable; logs " + t.logs());
        String on = FailoverLab.waitFor(Duration.ofSeconds(60), () -> t.vipUp(1));
        assertEquals(t.name(1), on, "the VIP did not come up on " + t.name(1) + ": "
                + FailoverAdmin.str(t.status(1), "text"));
        AdminArgs s = t.status(1);
        assertEquals(Boolean.TRUE, s.asMap().get("quorate"), FailoverAdmin.str(s, "text"));
        assertTrue(String.valueOf(s.asMap().get("quorum")).contains("won by tie_breaker = ping:198.51.100.100"),
                String.valueOf(s.asMap()));
        Thread.sleep(3_000);
        assertFalse(t.poweredOff(1), t.name(2) + " fenced " + t.name(1) + " although it could not reach the target");
        assertTrue(t.neverSwitched(1), "the switch acted on " + t.name(1));
        assertTrue(t.crmd[1].isAlive(), t.name(1) + "'s crmd died; log " + t.log(1));
        assertEquals(List.of(t.name(1)), t.owners(t.vip), "the VIP must be on exactly one node");
    }
}
