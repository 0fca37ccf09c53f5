package org.pulse.tests.sim;

import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.pulse.lab.sim.SimScenario;

/**
 * Seeds that once broke an invariant, kept as plain tests. A seed replays its schedule exactly only
 * as long as SimScenario draws the same way: the ones below were found before the fault mix grew
 * (slow-network spells, demote/suicide policies), so they now run other schedules, still checked.
 * Trace one with -Dpulse.sim.debug=SEED (and -Dpulse.sim.dumpAt=MS to print every CIB then; -Dpulse.sim.optrace=true
 * adds every operation the simulated LRM runs, queues and ends).
 */
class PinnedSeedsTest {
    static void replay(long seed) {
        SimScenario s = new SimScenario(seed, SimScenario.scheduler());
        s.sim.logEverything = Boolean.getBoolean("pulse.sim.trace");
        String violation = s.run();
        System.out.println("pinned " + s.describe() + ": " + (violation == null ? "ok" : violation));
        assertNull(violation, s.describe());
    }

    @Test
    void debugSeed() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Long.getLong("pulse.sim.debug") != null);
        SimScenario s = new SimScenario(Long.getLong("pulse.sim.debug"), SimScenario.scheduler());
        long dumpAt = Long.getLong("pulse.sim.dumpAt", -1);
        if (dumpAt >= 0) {
            s.sim.at(dumpAt, () -> s.sim.hosts.forEach(h -> System.out.println("DUMP " + h.name + " alive=" + h.alive()
                    + " running=" + h.running + (h.alive() ? "\n" + h.controller.cib().toXml() : ""))));
        }
        s.sim.logEverything = true;
        System.out.println("debug " + s.describe() + ": " + s.run());
    }

    @Test
    void firstSeed() {
        replay(20261122L);
    }

    /** A cleanup raced a recurring monitor: only the monitor's entry was left, and it was not probed. */
    @Test
    void cleanupRacingARecurringMonitorStillProbes() {
        replay(20261214L);
    }

    /**
     * A minority DC's status updates outgrew the majority's num_updates; its CIB (node1 fenced long
     * ago) won the join over node3's (node1 rejoined since and ran resources): node1 was not fenced.
     */
    @Test
    void aLowerCibThatKnowsANodeRejoinedStillGetsItFenced() {
        replay(20261509L);
    }

    /**
     * rsc2 active on node1 and node5, nobody fenced. Not the controller: the simulated LRM ran node1's
     * operations of rsc2 side by side. A start hung for its 20 s timeout while the stop, start and stops sent
     * after it (three DCs, three views) completed; the stop's result made node1 drop the start as over (rightly,
     * under the real LRM's one-at-a-time rule), so no join reported it pending; it timed out 20 s later with
     * rsc2 up, long after rsc2 had started on node5. With the queue the real LRM has, the DC of the next view
     * sees the start pending and holds rsc2 back (see {@link SimLrmTest}).
     */
    @Test
    void aStartThatHangsHoldsUpTheStopSentAfterIt() {
        replay(20261395L);
    }

    /**
     * After healing a transition was still in flight: node1, the DC, had to be fenced (its stop timed out) and
     * the policy engine said so, but Planner, whose list the DC kept fencing progress by, never names the DC;
     * so every transition started node1's fencing afresh with its broken own device, hundreds of times. Kept
     * between transitions, the progress moved on to the pdu, whose list query then counted as the fencing
     * itself: rsc1 started on node2 while node1 ran it. Both fixed in DcRole (EngineFencingProgressTest).
     */
    @Test
    void theDcsOwnFencingMovesOnToTheNextDeviceAndRecoveryWaitsForIt() {
        replay(20261617L);
    }

    /**
     * Found when the policy engine took over fencing: rsc2's stop failed on node1, the DC; the engine fenced
     * node1, but the DC held its own fencing back, so rsc2 and everything of node1 stayed stopped after
     * healing for as long as node1 stayed DC. Now another member runs the device against the DC, as
     * Pacemaker's fencer does (DcRole#engineFencing), and the next DC recovers.
     */
    @Test
    void theDcWhoseStopFailedIsFencedByAnotherMember() {
        replay(20261179L);
    }

    /**
     * Found when the policy engine took over no-quorum handling: with no-quorum-policy=freeze the engine (as
     * Pacemaker's) moved rsc4 from node2 to node7 inside a two-node minority, while the majority fenced node2
     * and started rsc4 on node3: active twice. The DC holds back every start in a partition without quorum
     * (Planner.withoutStartsWithoutQuorum).
     */
    @Test
    void nothingMovesInsideAPartitionWithoutQuorum() {
        replay(20261975L);
    }

    /**
     * Found when members still waited for their operations in flight before answering the join: node3 (the
     * DC) lost power while node1's probe never returned; node2's join never completed and nobody fenced node3.
     */
    @Test
    void aNodeThatDiesWhileASurvivorsProbeNeverReturnsIsFencedAtOnce() {
        SimScenario s = new SimScenario(20261127L, SimScenario.scheduler());
        String violation = s.run();
        System.out.println("pinned " + s.describe() + ": " + (violation == null ? "ok" : violation)
                + ", late victim fenced after " + s.lateFencedAfterMs + " ms");
        assertNull(violation, s.describe());
        org.junit.jupiter.api.Assertions.assertTrue(s.lateFencedAfterMs >= 0
                && s.lateFencedAfterMs < SimScenario.LATE_FENCE_WITHIN_MS, "the late phase did not run or fence");
    }
}
