package org.pulse.tests.sim;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.crmd.controller.AgentSpec;
import org.pulse.crmd.controller.OpRequest;
import org.pulse.lab.sim.SimCluster;
import org.pulse.lab.sim.SimScenario;

/**
 * The simulated LRM keeps the real LRM's contract (lrm's Lrm: one operation of a resource at a time, in the
 * order submitted), which the controller counts on. Seed 20261395 (see {@link PinnedSeedsTest}) broke it: a
 * start that hung for its 20 s timeout ran beside the stop, start and stops sent after it, then timed out
 * with the resource up, long after it had been started elsewhere: two active copies, nobody fenced.
 */
class SimLrmTest {
    private static final AgentSpec DUMMY = new AgentSpec("ocf", "pulse", "Dummy");

    @Test
    void aStopSentWhileAStartHangsRunsAfterTheStartEnds() {
        for (long seed = 1; seed <= 5; seed++) {
            SimCluster sim = new SimCluster(seed, 1, SimScenario.initialCib(1, 1, "stop", false),
                    SimScenario.scheduler());
            SimCluster.Host h = sim.host("node1");
            sim.startCrmd(h);
            // rsc9 is not configured: the DC (node1 itself) neither probes nor starts it until it hears of it.
            sim.runUntil(100, () -> { });
            sim.hangRate = 1;
            sim.runOperation(h, new OpRequest("1:1:0:node1@v1", "rsc9", DUMMY, "start", 0, 20_000, Map.of()));
            sim.hangRate = 0;
            sim.runOperation(h, new OpRequest("2:1:0:node1@v1", "rsc9", DUMMY, "stop", 0, 20_000, Map.of()));
            sim.runUntil(19_000, () -> { });
            assertFalse(h.running.contains("rsc9"), "seed " + seed + ": nothing ran before the hung start ended");
            long stopEndsMs = h.resourceBusyUntilMs.get("rsc9");
            assertTrue(stopEndsMs > 20_100 && stopEndsMs <= 20_141,
                    "seed " + seed + ": the stop must end after the start (at 20,100 ms), not at " + stopEndsMs + " ms");
            sim.runUntil(stopEndsMs, () -> { });
            assertFalse(h.running.contains("rsc9"), "seed " + seed + ": the stop ran last, so rsc9 is stopped\n"
                    + sim.recentLog());
        }
    }
}
