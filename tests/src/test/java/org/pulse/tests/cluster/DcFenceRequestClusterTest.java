package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;

/**
 * {@code crm node fence DC} on three real crmd processes (issue 11: "the DC can be fenced by the next DC";
 * Pacemaker's {@code stonith_admin --fence} of the DC works the same): the operator, on the DC, gets an answer
 * saying the DC is going down; another node runs the power-switch simulator against the DC (its process is
 * killed), a survivor becomes DC, the fencing is in the history with a survivor as executor, the DC's outlet
 * was switched exactly once (the next DC recorded the fencing instead of fencing again), and the DC's Dummy
 * runs on a survivor.
 */
class DcFenceRequestClusterTest {
    static LocalCluster cluster;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.startForSuite(DcFenceRequestClusterTest.class, 3, 2_000);
        dir = cluster.root();
    }

    @AfterAll
    static void stop() throws Exception {
        LabCleanup.closeAndRemove(cluster);
    }

    static String logs() {
        StringBuilder b = new StringBuilder();
        for (int n = 1; n <= 3; n++) {
            b.append("\n--- node").append(n).append(":\n").append(LogText.tail(cluster.log(n)));
        }
        return b.toString();
    }

    @Test
    void crmNodeFenceOfTheDcIsRunByASurvivorAndTheNextDcTakesOver() throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1, 2, 3) != null),
                "no DC agreed within 90 s" + logs());
        String dc = cluster.agreedDc(1, 2, 3);
        int dcIndex = Integer.parseInt(dc.substring("node".length()));
        int[] survivors = IntStream.rangeClosed(1, 3).filter(n -> n != dcIndex).toArray();
        FencedDcChecks.configureWithD1OnDc(cluster, survivors[0], dcIndex, dc, "fence_pulse_sim", "",
                DcFenceRequestClusterTest::logs);

        long t0 = System.currentTimeMillis();
        Map.Entry<Integer, String> out = cluster.crm(dcIndex, "node", "fence", dc);
        assertEquals(0, out.getKey(), "crm node fence " + dc + " on the DC: " + out.getValue() + logs());
        assertTrue(out.getValue().contains("going down"), out.getValue());

        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> !cluster.alive(dcIndex)),
                "the DC " + dc + " still runs 60 s after crm node fence" + logs());
        String line = FencedDcChecks.awaitRecordedFencing(cluster, survivors, dc, DcFenceRequestClusterTest::logs);
        String newDc = cluster.agreedDc(survivors);
        assertNotNull(newDc);
        String executor = line.split("\t", -1)[5];
        assertNotEquals(dc, executor, "the executor is a survivor: " + line);
        FencedDcChecks.awaitRecoveredElsewhere(cluster, survivors[0], dc, "d1", DcFenceRequestClusterTest::logs);
        long recoveredMs = System.currentTimeMillis() - t0;
        // Settled: no second fencing of the old DC comes later.
        Thread.sleep(3_000);
        assertEquals(1, FencedDcChecks.outletSwitches(cluster, dc), dc + "'s outlet was switched more than once (fenced"
                + " again by the next DC?): " + FencedDcChecks.outlet(cluster, dc) + logs());
        System.out.println("DcFenceRequestClusterTest: crm node fence " + dc + " (the DC): fenced by " + executor
                + ", new DC " + newDc + ", d1 on " + LocalCluster.runningOn(cluster, survivors[0], "d1") + " "
                + recoveredMs + " ms after the command (load " + LocalCluster.load() + ")\n" + line.replace('\t', ' '));
    }
}
