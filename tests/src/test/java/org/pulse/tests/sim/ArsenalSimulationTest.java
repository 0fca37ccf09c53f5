package org.pulse.tests.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.lab.sim.SimScenario;
import org.pulse.lab.sim.SimSchedules;

/**
 * Seeded simulated clusters with issue 16's defences (DESIGN.md §9.3): 2 or 4 nodes breaking even
 * splits through the arbitrator (the real VoteBook; ffsplit or lms), an arbitrator that dies and
 * restarts during the faults, and mostly watchdogs modelled on crmd's feeder with
 * stonith-watchdog-timeout, some runs with no fence device at all. Every fault of {@link
 * SimScenario} applies too (partitions, crashes, freezes longer than the watchdog's timeout, ...), and
 * the same invariants are checked after every event, "never active on two live, unfenced nodes"
 * first among them; after healing the cluster must converge. Each seed is printed on failure; pin
 * one in {@link PinnedSeedsTest} style to debug. -Dpulse.sim.arsenal.seed=N and
 * -Dpulse.sim.arsenal.schedules=N explore further.
 */
class ArsenalSimulationTest {
    /** Bounded for CI: {@value} schedules of 100 s simulated time each (see crmd/README for the measured time). */
    static final int SCHEDULES = 200;

    @Test
    void invariantsHoldWithTheArbitratorAndWatchdogsUnderFaults() {
        long base = Long.getLong("pulse.sim.arsenal.seed", 20261206L);
        int count = Integer.getInteger("pulse.sim.arsenal.schedules", SCHEDULES);
        Totals t = new Totals();
        SimSchedules run = SimSchedules.run(base, count, seed -> new SimScenario(seed, SimScenario.scheduler(), true), null,
                t::add);
        System.out.printf("arsenal simulation: %d schedules from seed %d, %d events, %d arbitrator votes granted,"
                + " %d arbitrator losses, %d watchdog resets, %d fencings, %d failed, %s%n", count, base,
                run.events, t.grants, t.losses, t.resets, run.fencings, run.failures.size(), run.time());
        assertEquals(List.of(), run.failures, "failing seeds");
        assertEquals(List.of(), run.replayMismatches.stream().limit(5).toList(),
                "saved inputs that do not replay as the transition the DC ran");
        assertTrue(t.grants > 0 && t.losses > 0 && t.resets > 0, "the schedules exercised the arbitrator (" + t.grants
                + " grants, " + t.losses + " losses) and the watchdogs (" + t.resets + " resets)");
    }

    /** What this campaign counts beyond failures and events, summed over its schedules. */
    private static final class Totals {
        long resets;
        long losses;
        long grants;

        void add(SimScenario s) {
            resets += s.sim.watchdogResets;
            losses += s.sim.arbitratorLosses;
            grants += s.sim.arbitratorGrants;
        }
    }
}
