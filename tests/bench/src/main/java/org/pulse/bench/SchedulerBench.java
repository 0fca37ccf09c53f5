package org.pulse.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;
import org.pulse.shell.commands.SchedulerWarmUp;

/**
 * One scheduling run on a CIB file, cold (the first run in this JVM: parse, typed view,
 * schedule, and with --save-graph the graph written as crm_simulate -G writes it) and warm (median of the following rounds), with the peak heap. Prints one line:
 * {@code actions=.. cold_ms=..}, and with --rounds N > 0 also {@code warm_ms=.. heap_mb=..}. bench/scheduler runs it in
 * a fresh JVM per size and times crm_simulate beside it.
 */
public final class SchedulerBench {
    private SchedulerBench() {
    }

    static final String USAGE = "usage: SchedulerBench --file CIB.xml [--rounds N] [--save-graph FILE] [--phases]   (bench/scheduler runs it)";

    public static void main(String[] args) throws Exception {
        Path file = null;
        Path graph = null;
        int rounds = 5;
        boolean phases = false;
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--file": file = Path.of(BenchArgs.value(args, ++i)); break;
                    case "--rounds": rounds = BenchArgs.intOf("--rounds", BenchArgs.value(args, ++i), 0); break;
                    case "--save-graph": graph = Path.of(BenchArgs.value(args, ++i)); break;
                    case "--phases": phases = true; break;
                    default: throw new BenchArgs.BadArgument("unknown argument " + args[i]);
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("SchedulerBench", USAGE, e);
        }
        if (file == null) {
            BenchArgs.exitBad("SchedulerBench", USAGE, new BenchArgs.BadArgument("--file CIB.xml is required"));
        }
        Instant now = Instant.ofEpochSecond(1_700_000_000L);
        if (phases) {
            phases(file, graph, now);
            return;
        }
        long t0 = System.nanoTime();
        // as crm simulate does: see SchedulerWarmUp
        SchedulerWarmUp warmUp = SchedulerWarmUp.startFor(file);
        Transition first = runOnce(file, now);
        warmUp.stop();
        if (graph != null) {
            // as crm_simulate -G does: the decision is only of use once written down
            try (java.io.OutputStream o = Files.newOutputStream(graph)) {
                first.writeGraphXml(o);
            }
        }
        long coldNs = System.nanoTime() - t0;
        long[] warm = new long[rounds];
        for (int r = 0; r < rounds; r++) {
            // Each round starts, as the cold one did, with an empty young generation: otherwise the
            // previous round's garbage fills it part-way through this one, and the collection then
            // copies this round's half-built tree (with full probe history 300-400 MB live: that
            // was warm_ms 4.7 s against cold_ms 3.0 s). Warm is to show the compiled code's speed.
            System.gc();
            long s = System.nanoTime();
            Transition t = runOnce(file, now);
            warm[r] = System.nanoTime() - s;
            if (t.actions().size() != first.actions().size()) {
                throw new IllegalStateException("non-deterministic: " + t.actions().size() + " vs " + first.actions().size());
            }
        }
        if (rounds == 0) {
            // the timed cold process: no JMX and no Formatter, whose start-up crm_simulate does not
            // pay either (its memory is measured from outside, as max RSS)
            System.out.println("actions=" + first.actions().size() + " cold_ms=" + coldNs / 100_000 / 10.0);
            return;
        }
        Arrays.sort(warm);
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf("actions=%d cold_ms=%.1f warm_ms=%.1f heap_mb=%d%n", first.actions().size(), coldNs / 1e6,
                warm[rounds / 2] / 1e6, peak >> 20);
    }

    /**
     * --phases: one cold run, timed by phase (wall ms of the whole process's clock, and this
     * thread's CPU ms), to see where a run goes; not the timed figure (it loads JMX to read CPU).
     */
    private static void phases(Path file, Path graph, Instant now) throws Exception {
        java.lang.management.ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long[] wall = new long[5];
        long[] thread = new long[5];
        wall[0] = System.nanoTime();
        thread[0] = cpu.getCurrentThreadCpuTime();
        SchedulerWarmUp warmUp = SchedulerWarmUp.startFor(file);
        // read and parsed at once: a big file is read through a window as the parse goes
        XmlElement root = XmlParser.parseFile(file);
        wall[1] = System.nanoTime();
        thread[1] = cpu.getCurrentThreadCpuTime();
        CibModel model = CibModel.from(root);
        wall[2] = System.nanoTime();
        thread[2] = cpu.getCurrentThreadCpuTime();
        Transition t = PolicyEngine.schedule(model, now);
        warmUp.stop();
        wall[3] = System.nanoTime();
        thread[3] = cpu.getCurrentThreadCpuTime();
        try (java.io.OutputStream o = graph == null ? java.io.OutputStream.nullOutputStream() : Files.newOutputStream(graph)) {
            t.writeGraphXml(o);
        }
        wall[4] = System.nanoTime();
        thread[4] = cpu.getCurrentThreadCpuTime();
        String[] names = {"parse", "model", "schedule", "graph"};
        StringBuilder sb = new StringBuilder("actions=" + t.actions().size());
        for (int i = 0; i < names.length; i++) {
            sb.append(' ').append(names[i]).append("_ms=").append((wall[i + 1] - wall[i]) / 1_000_000)
                    .append('/').append((thread[i + 1] - thread[i]) / 1_000_000);
        }
        sb.append(" (wall/main thread CPU)");
        System.out.println(sb);
    }

    private static Transition runOnce(Path file, Instant now) throws Exception {
        XmlElement root = XmlParser.parseFile(file);
        return PolicyEngine.schedule(CibModel.from(root), now);
    }
}
