package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.failover.FailoverLab;

/**
 * tie_breaker = lease:PATH on a real two-node cluster (root, {@link TwoNodeLab}) without two_node
 * and without fence delays: the lease file lies on storage both nodes see (the lab's work directory).
 * The cluster link is cut; 1 of 2 votes is an exact half, both DCs ask for the lease at the same
 * moment, and the file lock lets exactly one have it. That node is quorate and fences the other,
 * which is not and fences nobody; the VIP answers from the survivor alone.
 */
class LeaseTieBreakerTest {
    static TwoNodeLab t;
    static Path lease;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("pulse-lease-lab-");
        lease = dir.resolve("pulse.lease");
        t = TwoNodeLab.start("LeaseTieBreakerTest", List.of("tie_breaker = lease:" + lease));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> t.agreedDc(1, 2)),
                "the two nodes did not agree on a quorate DC within 120 s; logs " + t.logs());
        t.configure(1, List.of(
                "property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                "rsc_defaults resource-stickiness=100",
                "primitive fence-sim stonith:fence_pulse_sim params power_dir=" + t.power,
                "primitive vip ocf:pulse:IPaddr params ip=" + t.vip + " cidr_netmask=24 nic=eth0"
                        + " op monitor interval=1s timeout=10s"));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(90), () -> t.vipUp(1, 2)),
                "the VIP did not start within 90 s: " + FailoverAdmin.str(t.status(1), "text"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (t != null) {
            t.close();
        }
        if (lease != null) {
            Files.deleteIfExists(lease);
            Files.deleteIfExists(lease.getParent());
        }
    }

    @Test
    void theHalfWhoseDcTakesTheLeaseWinsAndTheOtherIsFenced() throws Exception {
        assertTrue(!Files.exists(lease) || Files.readString(lease).isBlank(), "a lease was taken without a tie");
        for (int[] fromTo : new int[][] {{1, 2}, {2, 1}}) {
            t.lab.execOk(t.node(fromTo[0]), "ip", "route", "add", "blackhole", t.node(fromTo[1]).address() + "/32");
        }
        String fenced = FailoverLab.waitFor(Duration.ofSeconds(60),
                () -> t.poweredOff(1) ? t.name(1) : t.poweredOff(2) ? t.name(2) : null);
        assertNotNull(fenced, "nobody was fenced within 60 s of the cut; logs " + t.logs());
        int loser = fenced.equals(t.name(1)) ? 1 : 2;
        int winner = 3 - loser;
        String on = FailoverLab.waitFor(Duration.ofSeconds(60), () -> t.vipUp(winner));
        assertEquals(t.name(winner), on, "the VIP did not come up on " + t.name(winner) + ": "
                + FailoverAdmin.str(t.status(winner), "text"));
        AdminArgs s = t.status(winner);
        assertTrue(String.valueOf(s.asMap().get("quorum")).contains("holds the lease"), String.valueOf(s.asMap()));
        assertTrue(Files.readString(lease).startsWith(t.name(winner) + " "), "the lease file: " + Files.readString(lease));
        Thread.sleep(3_000);
        assertFalse(t.poweredOff(winner), "both nodes were fenced");
        assertTrue(t.neverSwitched(winner), "the switch acted on the winner " + t.name(winner));
        assertTrue(t.crmd[winner].isAlive(), t.name(winner) + "'s crmd died; log " + t.log(winner));
        assertEquals(List.of(t.name(winner)), t.owners(t.vip), "the VIP must be on exactly one node");
        System.out.println("LeaseTieBreakerTest: " + t.name(winner) + " took the lease and fenced " + fenced);
    }
}
