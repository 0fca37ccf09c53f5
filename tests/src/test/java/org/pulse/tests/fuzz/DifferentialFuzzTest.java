package org.pulse.tests.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.pulse.lab.fuzz.CibGenerator;
import org.pulse.lab.fuzz.DifferentialFuzzer;
import org.pulse.lab.fuzz.DifferentialFuzzer.Outcome;
import org.pulse.lab.support.TestEnv;

/**
 * Pulse against Pacemaker's crm_simulate on generated CIBs (org.pulse.lab.fuzz): prints the
 * identical rate overall and per feature and the top kinds of difference, shrinks the first
 * differences into tests/target/fuzz-failures (SEED.xml and SEED.txt with both outputs), and
 * fails when the identical rate falls below the floor in fuzz-floor.properties.
 *
 * <p>Bounds (DESIGN: CI time): {@code fuzz.count} cases (default 1,000), 2 threads each with its
 * own crm_simulate worker; about 4 Pacemaker process runs per case (~50 ms each on an idle
 * machine: ~2 min in all), plus at most {@value #SHRINK_CASES} shrinks of at most
 * {@value #SHRINK_TRIES} runs each. The default seed is fixed so the floor compares like with
 * like; {@code -Dfuzz.seed=S} explores others (case i is seed S+i, reproduced alone with
 * {@code -Dfuzz.seed=S+i -Dfuzz.count=1}), and bench/fuzz runs long campaigns.
 */
class DifferentialFuzzTest {
    static final long DEFAULT_SEED = 20_261_206L;
    static final int SHRINK_CASES = 3;
    static final int SHRINK_TRIES = 60;

    @Test
    void identicalRateAgainstCrmSimulateAtLeastTheFloor() throws Exception {
        Path tools = TestEnv.shared().resolve("conformance/tools");
        TestEnv.requireCommand("crm_simulate");
        TestEnv.requireCommand("crm_verify");
        TestEnv.requireCommand("python3");
        long seed = Long.getLong("fuzz.seed", DEFAULT_SEED);
        int count = Integer.getInteger("fuzz.count", 1000);
        // the floor is measured with BASE shapes; -Dfuzz.shapes=extended explores the extended ones
        CibGenerator.Shapes shapes = CibGenerator.Shapes.valueOf(System.getProperty("fuzz.shapes", "base").toUpperCase());
        System.out.println("fuzz: seed=" + seed + " count=" + count + " shapes=" + shapes.name().toLowerCase()
                + " (reproduce: -Dfuzz.seed=" + seed + " -Dfuzz.count=" + count + " -Dfuzz.shapes=" + shapes.name().toLowerCase() + ")");
        Path scratch = Files.createTempDirectory("pulse-fuzz-test-");
        try {
            DifferentialFuzzer fuzzer = new DifferentialFuzzer(tools, scratch, 2, shapes);
            long t0 = System.nanoTime();
            List<Outcome> outcomes = fuzzer.run(seed, count, System.out);
            long runMs = (System.nanoTime() - t0) / 1_000_000;
            DifferentialFuzzer.Report report = DifferentialFuzzer.report(outcomes);
            System.out.print(report.text(seed, count));
            System.out.println("fuzz: " + runMs + " ms for " + count + " cases on 2 threads");
            Path out = TestEnv.root().resolve("tests/target/fuzz-failures");
            for (Outcome o : DifferentialFuzzer.firstOfEachKind(outcomes, SHRINK_CASES)) {
                Outcome small = fuzzer.shrink(o, SHRINK_TRIES);
                System.out.println("fuzz: difference at seed " + o.seed() + " shrunk to "
                        + DifferentialFuzzer.writeFailure(out, small, o));
            }
            // a generator Pacemaker mostly refuses measures nothing
            assertTrue(report.discarded() * 10 <= count, "over a tenth of the generated CIBs were discarded: "
                    + report.discardReasons());
            Properties floor = new Properties();
            try (InputStream in = getClass().getResourceAsStream("/fuzz-floor.properties")) {
                assertTrue(in != null, "fuzz-floor.properties is missing from tests/src/test/resources");
                floor.load(in);
            }
            double min = Double.parseDouble(floor.getProperty("identical", "0"));
            assertTrue(report.rate() >= min, String.format("identical rate %.3f against crm_simulate fell below the floor"
                    + " %.3f (tests/src/test/resources/fuzz-floor.properties); see the report and %s", report.rate(), min, out));
        } finally {
            DifferentialFuzzer.deleteTree(scratch);
        }
    }
}
