package org.pulse.tests.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

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
        List<String> failures = new ArrayList<>();
        long events = 0;
        long resets = 0;
        long losses = 0;
        long grants = 0;
        long fencings = 0;
        List<String> replayMismatches = new ArrayList<>();
        long started = System.nanoTime();
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStartedNs = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < count; i++) {
            long seed = base + i;
            SimScenario s = new SimScenario(seed, SimScenario.scheduler(), true);
            String violation;
            try {
                violation = s.run();
            } catch (RuntimeException e) {
                violation = "exception: " + e;
                e.printStackTrace();
            }
            events += s.sim.eventsHandled;
            resets += s.sim.watchdogResets;
            losses += s.sim.arbitratorLosses;
            grants += s.sim.arbitratorGrants;
            fencings += s.sim.fencings;
            for (String m : s.sim.replayMismatches) {
                replayMismatches.add(s.describe() + ": " + m);
            }
            if (violation != null) {
                failures.add(s.describe() + ": " + violation);
                System.out.println("FAILED " + s.describe() + ": " + violation + "\n--- last events ---\n" + s.log());
            }
        }
        System.out.printf("arsenal simulation: %d schedules from seed %d, %d events, %d arbitrator votes granted,"
                + " %d arbitrator losses, %d watchdog resets, %d fencings, %d failed, %.1f s (%.1f s CPU)%n", count, base,
                events, grants, losses, resets, fencings, failures.size(), (System.nanoTime() - started) / 1e9,
                (cpu.getCurrentThreadCpuTime() - cpuStartedNs) / 1e9);
        assertEquals(List.of(), failures, "failing seeds");
        assertEquals(List.of(), replayMismatches.stream().limit(5).toList(),
                "saved inputs that do not replay as the transition the DC ran");
        assertTrue(grants > 0 && losses > 0 && resets > 0, "the schedules exercised the arbitrator (" + grants
                + " grants, " + losses + " losses) and the watchdogs (" + resets + " resets)");
    }
}
