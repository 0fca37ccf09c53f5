package org.pulse.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibProblem;
import org.pulse.cib.CibStore;
import org.pulse.cib.CibValidator;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlElement;

/**
 * How long reading a big CIB takes and how much heap it holds: parse (XML text to the immutable
 * tree, {@link Cib#parse}), unpack (the policy engine's typed view, {@link CibModel#from}),
 * validate ({@link CibValidator}), write ({@link Cib#toXml}) and the diff of one status change
 * (what crmd replicates). "Cold" is the first run in a fresh JVM (what {@code crm} pays);
 * "warm" is the median of later runs (what a running crmd pays).
 *
 * <pre>bench/_run-java org.pulse.bench.CibBench --nodes 32 --resources 10000 --file FILE [--rounds 5] [--no-summary]</pre>
 * The last line is {@code cib nodes=.. resources=.. parse_ms=.. unpack_ms=.. heap_mb=..} (warm times,
 * retained heap of the parsed CIB and its typed view), unless --no-summary.
 */
public final class CibBench {
    private CibBench() {
    }

    static final String USAGE = "usage: CibBench --nodes N --resources M --file FILE [--rounds R] [--no-summary]   (bench/cib runs it)";

    public static void main(String[] args) throws Exception {
        int nodes = 0;
        int resources = 0;
        Path file = null;
        int rounds = 5;
        boolean summary = true;
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--nodes" -> nodes = BenchArgs.intOf("--nodes", BenchArgs.value(args, ++i), 0);
                    case "--resources" -> resources = BenchArgs.intOf("--resources", BenchArgs.value(args, ++i), 0);
                    case "--file" -> file = Path.of(BenchArgs.value(args, ++i));
                    case "--rounds" -> rounds = BenchArgs.intOf("--rounds", BenchArgs.value(args, ++i), 1);
                    case "--no-summary" -> summary = false;
                    default -> throw new BenchArgs.BadArgument("unknown argument " + args[i]);
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("bench/cib (CibBench)", USAGE, e);
        }
        if (file == null || !Files.isRegularFile(file)) {
            System.err.println("CibBench: --file must name a CIB (make one with: python3 ../shared/bench/gen_cib.py -n "
                    + nodes + " -m " + resources + " -o FILE)");
            System.exit(2);
        }
        String xml = Files.readString(file, StandardCharsets.UTF_8);
        String source = file.toString();
        String label = nodes + "x" + resources;
        System.out.printf(Locale.ROOT, "%s: %s, %.1f MB of XML, %d warm rounds; stages: parse + unpack (CibModel) + validate + write + diff%n",
                label, file, xml.length() / 1e6, rounds);

        // cold: the first time through, in this fresh JVM
        long t0 = System.nanoTime();
        Cib cib = Cib.parse(source, xml);
        long t1 = System.nanoTime();
        CibModel model = CibModel.from(cib.root());
        long t2 = System.nanoTime();
        List<CibProblem> problems = CibValidator.validate(cib);
        long t3 = System.nanoTime();
        long errors = problems.stream().filter(CibProblem::isError).count();
        System.out.printf(Locale.ROOT, "%s cold: parse %.0f ms, unpack %.0f ms, validate %.0f ms (%d errors, %d warnings); %d top-level resources, %d node states in the model%n",
                label, ms(t1 - t0), ms(t2 - t1), ms(t3 - t2), errors, problems.size() - errors,
                model.resources().size(), model.status().size());
        if (errors > 0) {
            System.out.println("first error: " + problems.stream().filter(CibProblem::isError).findFirst().orElseThrow());
        }

        List<Double> parse = new ArrayList<>();
        List<Double> unpack = new ArrayList<>();
        List<Double> validate = new ArrayList<>();
        List<Double> write = new ArrayList<>();
        List<Double> diff = new ArrayList<>();
        List<Double> nextDiff = new ArrayList<>();
        int diffChanges = 0;
        int diffBytes = 0;
        for (int r = 0; r < rounds; r++) {
            long a = System.nanoTime();
            Cib c = Cib.parse(source, xml);
            long b = System.nanoTime();
            CibModel m = CibModel.from(c.root());
            long d = System.nanoTime();
            CibValidator.validate(c);
            long e = System.nanoTime();
            String out = c.toXml();
            long f = System.nanoTime();
            Cib changed = statusChange(c, 0);
            long g = System.nanoTime();
            CibDiff delta = CibDiff.diff(c, changed);
            String json = delta.toJson();
            long h = System.nanoTime();
            // the next change, as in a running crmd: the images' unchanged parts have their hashes already
            Cib changedAgain = statusChange(changed, 1);
            long i2 = System.nanoTime();
            CibDiff.diff(changed, changedAgain).toJson();
            long j = System.nanoTime();
            nextDiff.add(ms(j - i2));
            parse.add(ms(b - a));
            unpack.add(ms(d - b));
            validate.add(ms(e - d));
            write.add(ms(f - e));
            diff.add(ms(h - g));
            diffChanges = delta.changes().size();
            diffBytes = json.length();
            if (out.isEmpty() || m.resources().isEmpty() && resources > 0) {
                throw new IllegalStateException("nothing was read");
            }
        }
        System.out.printf(Locale.ROOT, "%s warm, fastest of %d rounds (less disturbed by other load): parse %.1f ms, unpack %.1f ms, "
                        + "validate %.1f ms, write %.1f ms%n", label, rounds, min(parse), min(unpack), min(validate), min(write));
        System.out.printf(Locale.ROOT, "%s warm (median of %d): parse %.1f ms, unpack %.1f ms, validate %.1f ms, write %.1f ms, "
                        + "first diff after a parse %.2f ms (hashes the whole tree once), "
                        + "diff of the next status change %.3f ms (%d changes, %d bytes of JSON)%n",
                label, rounds, median(parse), median(unpack), median(validate), median(write), median(diff),
                median(nextDiff), diffChanges, diffBytes);

        // the store: a status change saved (validate, write, digest, fsync file and directory, rename)
        Path storeDir = Files.createTempDirectory("cibbench-store");
        List<Double> save = new ArrayList<>();
        try {
            CibStore store = new CibStore(storeDir, 3);
            Cib current = Cib.parse(source, xml);
            store.save(current);
            for (int r = 0; r < Math.max(3, rounds); r++) {
                current = statusChange(current, r % 2);
                long a = System.nanoTime();
                store.saveChecked(current);
                save.add(ms(System.nanoTime() - a));
            }
        } finally {
            try (java.util.stream.Stream<Path> files = Files.list(storeDir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(storeDir);
        }
        System.out.printf(Locale.ROOT, "%s store: saving a status change %.1f ms (median of %d; saveChecked: status check + write + SHA-256 + fsync + rename)%n",
                label, median(save), save.size());

        // retained heap: what holding this CIB and its typed view costs
        Runtime rt = Runtime.getRuntime();
        cib = null;
        model = null;
        settle(rt);
        long before = rt.totalMemory() - rt.freeMemory();
        Cib held = Cib.parse(source, xml);
        CibModel heldModel = CibModel.from(held.root());
        settle(rt);
        long after = rt.totalMemory() - rt.freeMemory();
        Cib heldOnly = held;
        double heapMb = (after - before) / 1048576.0;
        System.out.printf(Locale.ROOT, "%s heap: %.1f MB retained by the parsed CIB and its typed view (%d top-level resources); max heap %.0f MB%n",
                label, heapMb, heldModel.resources().size(), rt.maxMemory() / 1048576.0);
        System.out.println("reproduce: python3 ../shared/bench/gen_cib.py -n " + nodes + " -m " + resources + " -o " + file
                + " && bench/_run-java org.pulse.bench.CibBench --nodes " + nodes + " --resources " + resources
                + " --file " + file + " --rounds " + rounds);
        if (summary) {
            System.out.printf(Locale.ROOT, "cib nodes=%d resources=%d parse_ms=%.1f unpack_ms=%.1f heap_mb=%.1f%n",
                    nodes, resources, median(parse), median(unpack), heapMb);
        }
        if (heldOnly.root() == null) {
            System.out.println();
        }
    }

    /** One operation result recorded on the first node: the commonest CIB change in a running cluster. */
    private static Cib statusChange(Cib c, int which) {
        List<XmlElement> states = c.status().elements("node_state");
        if (states.size() <= which) {
            return c.next(c.withNodeState(XmlElement.of("node_state", "id", "bench" + which, "uname", "bench")));
        }
        XmlElement s = states.get(which);
        return c.next(c.withNodeState(s.withAttribute("crm-debug-origin", "bench-" + c.version().numUpdates())));
    }

    private static void settle(Runtime rt) throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);
        }
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double min(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.isEmpty() ? 0 : s.get(s.size() / 2);
    }
}
