package org.pulse.tests.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.lab.sim.SimScenario;
import org.pulse.lab.sim.SimSchedules;

/**
 * The seeded simulation of {@link SimulationTest} at 100 nodes (issue 17: Pacemaker supports 32 full
 * members; the controllers and the policy engine must keep their invariants well past that): the same
 * faults, invariants after every event (never active on two live unfenced nodes, one DC per quorate
 * majority, every fencing run ends, acknowledged writes survive) and convergence after healing, with
 * the shared pdu fencing, so every transition the DC computes covers 100 nodes' probes.
 * {@value #SCHEDULES} schedules per CI run, each printing its seed; a failing seed reproduces with
 * -Dpulse.sim.seed=N -Dpulse.sim.hundred.schedules=1.
 */
class HundredNodeSimulationTest {
    static final int NODES = 100;
    /**
     * Bounded for CI: 2 schedules took 26 s of CPU (13 s each; 246 s wall at load 24 on the shared
     * 2-core machine), so 10 take about 2 minutes of CPU. Fencing here is the shared pdu alone (see
     * SimScenario): a device per node would mean 10,000 probes a schedule. Longer runs:
     * -Dpulse.sim.hundred.schedules=N.
     */
    static final int SCHEDULES = 10;

    @Test
    void invariantsHoldWithOneHundredNodes() {
        long base = Long.getLong("pulse.sim.seed", 20261700L);
        int count = Integer.getInteger("pulse.sim.hundred.schedules", SCHEDULES);
        SimSchedules run = SimSchedules.run(base, count, seed -> new SimScenario(seed, SimScenario.scheduler(), NODES),
                "simulation-100", s -> { });
        System.out.printf("simulation-100: %d schedules of %d nodes from seed %d, %d events, %d crmd crashes,"
                + " %d fencings, %d acknowledged writes checked, %d failed, %s%n", count, NODES, base,
                run.events, run.crashes, run.fencings, run.ackedWrites, run.failures.size(),
                run.time());
        assertEquals(List.of(), run.failures, "failing seeds (pin one in PinnedSeedsTest to debug)");
        assertEquals(List.of(), run.replayMismatches.stream().limit(5).toList(),
                "saved inputs that do not replay as the transition the DC ran");
    }
}
