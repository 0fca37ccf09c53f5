package org.pulse.bench.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.pulse.bench.BenchArgs;
import org.pulse.lab.sim.SimScenario;
import org.pulse.lab.sim.SimSchedules;

/**
 * A long campaign of the seeded simulation, outside CI (bench/sim): the schedules of {@link SimulationTest},
 * many more of them, from one or more base seeds. Prints each failing seed with what broke and the command
 * that replays it, then the figures; the last line is {@code sim schedules=.. failures=.. seeds_failed=..}.
 *
 * <p>Options: {@code --seed N} (a base seed; repeat it for several, default 20261122), {@code --schedules N}
 * per base seed (default 1000), {@code --threads T} (default 1: the schedules are independent, but the
 * machine is usually shared), {@code --log} (print the last events of each failure).
 */
public final class SimCampaign {
    private SimCampaign() {
    }

    /** What one schedule gave: null when every invariant held, else what broke. */
    private record Outcome(long seed, String description, String violation, String log, long events, long fencings,
            long crashes, long cpuNs) {
    }

    static final String USAGE = "usage: bench/sim [--seed N (repeatable)] [--schedules N] [--threads T] [--log]";

    public static void main(String[] args) throws Exception {
        List<Long> bases = new ArrayList<>();
        int schedules = 1000;
        int threads = 1;
        boolean printLog = false;
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seed" -> bases.add(BenchArgs.longOf("--seed", BenchArgs.value(args, ++i), Long.MIN_VALUE));
                    case "--schedules" -> schedules = BenchArgs.intOf("--schedules", BenchArgs.value(args, ++i), 1);
                    case "--threads" -> threads = BenchArgs.intOf("--threads", BenchArgs.value(args, ++i), 1);
                    case "--log" -> printLog = true;
                    default -> throw new BenchArgs.BadArgument("unknown option " + args[i]);
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/sim", USAGE, e);
        }
        if (bases.isEmpty()) {
            bases.add(20261122L);
        }
        if (schedules < 1 || threads < 1) {
            System.err.println("bench/sim: --schedules and --threads must be at least 1");
            System.exit(2);
        }
        long startedNs = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<Outcome>> futures = new ArrayList<>();
        for (long base : bases) {
            for (int i = 0; i < schedules; i++) {
                long seed = base + i;
                futures.add(pool.submit(() -> runOne(seed)));
            }
        }
        List<Outcome> failed = new ArrayList<>();
        long events = 0;
        long fencings = 0;
        long crashes = 0;
        long cpuNs = 0;
        int done = 0;
        for (Future<Outcome> f : futures) {
            Outcome o = f.get();
            done++;
            events += o.events();
            fencings += o.fencings();
            crashes += o.crashes();
            cpuNs += o.cpuNs();
            if (o.violation() != null) {
                failed.add(o);
                System.out.println("FAILED " + o.description() + ": " + o.violation());
                System.out.println("  replay: bench/sim --seed " + o.seed() + " --schedules 1 --log   (or: mvn -B -q test"
                        + " -pl tests -Dtest=SimulationTest -Dpulse.sim.seed=" + o.seed() + " -Dpulse.sim.schedules=1)");
                if (printLog) {
                    System.out.println(o.log());
                }
            }
            if (done % 100 == 0) {
                System.out.printf("  %d/%d schedules, %d failed, %.0f s%n", done, futures.size(), failed.size(),
                        (System.nanoTime() - startedNs) / 1e9);
            }
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - startedNs) / 1e9;
        List<String> seeds = failed.stream().map(o -> Long.toString(o.seed())).toList();
        System.out.printf("simulation campaign: %d schedules from base seeds %s (%d each), %d threads: %d events,"
                + " %d crmd crashes, %d fencings; %d failed; %.1f s wall, %.1f s CPU (%.2f s CPU per schedule: on an"
                + " idle machine, one thread's wall time)%n",
                futures.size(), bases, schedules, threads, events, crashes, fencings, failed.size(), seconds,
                cpuNs / 1e9, cpuNs / 1e9 / futures.size());
        System.out.println("reproduce: bench/sim" + bases.stream().map(b -> " --seed " + b).reduce("", String::concat)
                + " --schedules " + schedules + " --threads " + threads);
        System.out.printf("sim schedules=%d failures=%d seeds_failed=%s seconds=%.0f cpu_seconds=%.0f%n", futures.size(),
                failed.size(), seeds.isEmpty() ? "none" : String.join(",", seeds), seconds, cpuNs / 1e9);
        System.exit(failed.isEmpty() ? 0 : 1);
    }

    private static Outcome runOne(long seed) {
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStartNs = cpu.getCurrentThreadCpuTime();
        SimScenario s = new SimScenario(seed, SimScenario.scheduler());
        String violation = SimSchedules.violation(s);
        if (violation == null && !s.sim.replayMismatches.isEmpty()) {
            violation = "a saved input does not replay as the transition the DC ran: " + s.sim.replayMismatches.get(0);
        }
        return new Outcome(seed, s.describe(), violation, violation == null ? null : s.log(), s.sim.eventsHandled,
                s.sim.fencings, s.sim.crashes, cpu.getCurrentThreadCpuTime() - cpuStartNs);
    }
}
