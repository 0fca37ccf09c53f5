package org.pulse.lab.sim;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Seeded schedules run one after another, as the CI simulation tests run them: each schedule's
 * violation (an exception counts as one), every failure printed with its last events, the saved
 * inputs that did not replay, the counts every campaign prints (events, crmd crashes, fencings,
 * acknowledged writes checked), and wall and CPU time (on a shared machine the CPU time says more).
 * What a test counts beyond that it reads from each scenario in its tally.
 */
public final class SimSchedules {
    public final List<String> failures = new ArrayList<>();
    public final List<String> replayMismatches = new ArrayList<>();
    public long events;
    public long crashes;
    public long fencings;
    public long ackedWrites;
    private final long startedNs = System.nanoTime();
    private final ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    private final long cpuStartedNs = cpu.getCurrentThreadCpuTime();

    private SimSchedules() {
    }

    /**
     * Runs the schedules of seeds {@code base .. base + count - 1}, each built by {@code scenario}, and
     * hands each to {@code tally} once it ran. With a {@code label}, one line per schedule (for the long
     * ones, so a CI log shows progress).
     */
    public static SimSchedules run(long base, int count, LongFunction<SimScenario> scenario, String label,
            Consumer<SimScenario> tally) {
        SimSchedules all = new SimSchedules();
        for (int i = 0; i < count; i++) {
            long oneStartedNs = System.nanoTime();
            SimScenario s = scenario.apply(base + i);
            String violation = violation(s);
            all.events += s.sim.eventsHandled;
            all.crashes += s.sim.crashes;
            all.fencings += s.sim.fencings;
            all.ackedWrites += s.ackedWrites();
            for (String m : s.sim.replayMismatches) {
                all.replayMismatches.add(s.describe() + ": " + m);
            }
            tally.accept(s);
            if (label != null) {
                System.out.printf("%s: %s: %s, %d events, %.1f s%n", label, s.describe(),
                        violation == null ? "ok" : "FAILED", s.sim.eventsHandled, (System.nanoTime() - oneStartedNs) / 1e9);
            }
            if (violation != null) {
                all.failures.add(s.describe() + ": " + violation);
                System.out.println("FAILED " + s.describe() + ": " + violation + "\n--- last events ---\n" + s.log());
            }
        }
        return all;
    }

    /** Runs one schedule: null when every invariant held, else what broke (an exception is a violation). */
    public static String violation(SimScenario s) {
        try {
            return s.run();
        } catch (RuntimeException e) {
            e.printStackTrace();
            return "exception: " + e;
        }
    }

    /** "12.3 s (4.5 s CPU)" since the first schedule started. */
    public String time() {
        return String.format("%.1f s (%.1f s CPU)", (System.nanoTime() - startedNs) / 1e9,
                (cpu.getCurrentThreadCpuTime() - cpuStartedNs) / 1e9);
    }
}
