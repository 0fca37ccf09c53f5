package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.failover.FailoverTrials;
import org.pulse.lab.failover.FenceLedger;

/**
 * The bounded CI version of bench/failover's restart soak (f): three crmd nodes in network
 * namespaces at crmd's default failure detection, the VIP alone with a web server on every node,
 * quorum and power-switch fencing on; every {@value #EVERY_S} s a node (in turn: the DC and the
 * VIP's holder too) is killed (link down + SIGKILL), fenced, rebooted and restarted, while one busy
 * loop per core keeps the machine's cores busy. No healthy node may be fenced (the power switch's
 * history against the kills: {@link FenceLedger}) and the VIP may move only when its holder dies.
 * Bound: {@value #CYCLES} cycles of at least {@value #EVERY_S} s plus the lab's start, about 2.5 minutes
 * on a quiet machine; each wait inside is bounded (fence 60 s, rejoin 180 s), and the soak stops
 * at 10 x its planned length. Root only (CI runs as root).
 */
class RestartSoakLabTest {
    private static final int CYCLES = 3;
    private static final long EVERY_S = 20;

    @Test
    void restartingNodesOnBusyCoresFencesNoHealthyNode() throws Exception {
        FailoverLab cluster = FailoverLab.startVipAlone("RestartSoakLabTest", " meta allow-migrate=true");
        List<Process> load = List.of();
        try {
            load = FailoverTrials.startLoad();
            FailoverTrials bench = new FailoverTrials(cluster, null);
            List<Long> outages = new ArrayList<>();
            int[] counts = new int[2];
            bench.restartSoak(10 * CYCLES * EVERY_S, EVERY_S, CYCLES, outages, counts);
            FenceLedger.Count fences = bench.ledger.count(cluster);
            System.out.println("FIGURE restart soak (CI): " + counts[0] + " restarts, VIP outages " + outages + " ms, "
                    + fences.legitimate() + " fences of killed nodes, " + fences.falseFences() + " false fences "
                    + fences.details() + ", " + counts[1] + " false VIP moves; load average " + FailoverTrials.loadAverage());
            assertEquals(CYCLES, counts[0], "restarts");
            assertEquals(0, fences.falseFences(), "healthy nodes fenced: " + fences.details());
            assertEquals(0, counts[1], "the VIP moved without its holder dying");
            assertTrue(fences.legitimate() >= CYCLES, "every killed node was fenced: " + fences.legitimate());
        } finally {
            FailoverTrials.stopLoad(load);
            cluster.close();
            cluster.lab.close();
        }
    }
}
