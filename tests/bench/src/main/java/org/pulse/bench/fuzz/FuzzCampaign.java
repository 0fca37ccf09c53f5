package org.pulse.bench.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.pulse.bench.BenchArgs;
import org.pulse.lab.fuzz.CibGenerator;
import org.pulse.lab.fuzz.DifferentialFuzzer;

/**
 * A long differential campaign outside CI (bench/fuzz): {@code --seed S --count N --threads T
 * --shrink K --out DIR}. Prints the identical rate overall and per feature and the top kinds of
 * difference; shrinks the first differing case of each kind (at most K) into DIR (SEED.xml, SEED.txt).
 * {@code --corpus C} also keeps every compared case in the conformance layout (C/catalogue.tsv,
 * C/cases/seed-S/cib.xml and expected.txt, Pacemaker's answer), so an engine change can be
 * measured against the same cases in seconds, without running crm_simulate again. {@code --shapes
 * extended} lays the generator's extended shapes (templates, clone-node-max, remote nodes, ...: see
 * {@link CibGenerator.Shapes}) over each base case; the default {@code base} is what CI measures.
 */
public final class FuzzCampaign {
    private FuzzCampaign() {
    }

    static final String USAGE = "usage: bench/fuzz [--seed S] [--count N] [--threads T] [--shrink K] [--tries M] [--out DIR] [--shared DIR] [--corpus DIR] [--shapes base|extended|chains|clones]";

    public static void main(String[] args) throws Exception {
        long seed = System.currentTimeMillis();
        int count = 20_000;
        int threads = 2;
        int shrink = 20;
        int tries = 300;
        Path out = Path.of("tests/target/fuzz-failures");
        Path corpus = null;
        CibGenerator.Shapes shapes = CibGenerator.Shapes.BASE;
        Path shared = Path.of(System.getProperty("pulse.shared", "../shared"));
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--seed" -> seed = BenchArgs.longOf("--seed", BenchArgs.value(args, ++i), Long.MIN_VALUE);
                    case "--count" -> count = BenchArgs.intOf("--count", BenchArgs.value(args, ++i), 1);
                    case "--threads" -> threads = BenchArgs.intOf("--threads", BenchArgs.value(args, ++i), 1);
                    case "--shrink" -> shrink = BenchArgs.intOf("--shrink", BenchArgs.value(args, ++i), 0);
                    case "--tries" -> tries = BenchArgs.intOf("--tries", BenchArgs.value(args, ++i), 0);
                    case "--out" -> out = Path.of(BenchArgs.value(args, ++i));
                    case "--corpus" -> corpus = Path.of(BenchArgs.value(args, ++i));
                    case "--shapes" -> shapes = shapesNamed(BenchArgs.value(args, ++i));
                    case "--shared" -> shared = Path.of(BenchArgs.value(args, ++i));
                    default -> throw new BenchArgs.BadArgument("unknown argument " + args[i]);
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/fuzz", USAGE, e);
        }
        Path tools = shared.resolve("conformance/tools");
        if (!Files.exists(tools.resolve("canon.py"))) {
            System.err.println("fuzz: " + tools.resolve("canon.py") + " is missing; give --shared DIR (../shared beside the repository)");
            System.exit(2);
        }
        System.out.println("fuzz: seed=" + seed + " count=" + count + " threads=" + threads
                + " shapes=" + shapes.name().toLowerCase()
                + " (reproduce: bench/fuzz --seed " + seed + " --count " + count + " --shapes " + shapes.name().toLowerCase() + ")");
        Path scratch = Files.createTempDirectory("pulse-fuzz-");
        DifferentialFuzzer fuzzer = new DifferentialFuzzer(tools, scratch, threads, shapes);
        long t0 = System.nanoTime();
        List<DifferentialFuzzer.Outcome> outcomes = fuzzer.run(seed, count, System.out);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.print(DifferentialFuzzer.report(outcomes).text(seed, count));
        System.out.println("fuzz: " + ms + " ms for " + count + " cases");
        if (corpus != null) {
            System.out.println("fuzz: " + DifferentialFuzzer.writeCorpus(corpus, outcomes) + " compared cases written to " + corpus);
        }
        for (DifferentialFuzzer.Outcome o : DifferentialFuzzer.firstOfEachKind(outcomes, shrink)) {
            DifferentialFuzzer.Outcome small = fuzzer.shrink(o, tries);
            Path f = DifferentialFuzzer.writeFailure(out, small, o);
            System.out.println("fuzz: shrunk seed " + o.seed() + " (" + DifferentialFuzzer.differenceKind(o.pacemaker(), o.pulse())
                    + ") -> " + f + ": " + DifferentialFuzzer.differenceKind(small.pacemaker(), small.pulse()));
        }
        DifferentialFuzzer.deleteTree(scratch);
    }

    private static CibGenerator.Shapes shapesNamed(String name) {
        for (CibGenerator.Shapes s : CibGenerator.Shapes.values()) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new BenchArgs.BadArgument("unknown --shapes " + name + "; use base, extended, chains or clones");
    }
}
