package org.pulse.tests.conformance;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.PolicyEngine;
import org.pulse.lab.support.TestEnv;

/**
 * Pacemaker's own scheduler cases: for each case under ../shared/conformance/cases, our
 * canonical output must equal its expected.txt. Prints the pass rate per tier and per feature
 * tag and every failure with a short diff; fails when a tier falls below the floor kept in
 * conformance-floor.properties.
 */
class ConformanceTest {
    /** Cases without an execution-date are decided at this fixed time, never the wall clock. */
    private static final Instant FIXED_NOW = Instant.ofEpochSecond(1_700_000_000L);

    @Test
    void canonicalOutputMatchesPacemakerPerTierAtLeastTheFloor() throws Exception {
        run(TestEnv.shared().resolve("conformance"), "");
    }

    /** The 355 cases added once the first set passed: their own floor, raised as cases pass. */
    @Test
    void moreCasesAtLeastTheirFloor() throws Exception {
        run(TestEnv.shared().resolve("conformance").resolve("more"), "more.");
    }

    private void run(Path conf, String floorPrefix) throws Exception {
        Map<Integer, int[]> tiers = new TreeMap<>();
        Map<String, int[]> tags = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (String line : Files.readAllLines(conf.resolve("catalogue.tsv"))) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            String name = f[0];
            int tier = Integer.parseInt(f[1]);
            Path dir = conf.resolve("cases").resolve(name);
            String expected = Files.readString(dir.resolve("expected.txt"));
            String actual;
            try {
                XmlElement root = XmlParser.parse(dir.resolve("cib.xml").toString(), Files.readString(dir.resolve("cib.xml")));
                actual = PolicyEngine.schedule(root, FIXED_NOW).canonical();
            } catch (RuntimeException e) {
                actual = "exception: " + e;
            }
            boolean ok = expected.equals(actual);
            count(tiers.computeIfAbsent(tier, k -> new int[2]), ok);
            for (String tag : f[2].split(",")) {
                count(tags.computeIfAbsent(tag, k -> new int[2]), ok);
            }
            if (!ok) {
                failures.add("tier " + tier + " " + name + " [" + f[2] + "]\n" + diff(expected, actual));
            }
        }
        StringBuilder report = new StringBuilder("Conformance against Pacemaker's scheduler cases in " + conf + "\n");
        for (Map.Entry<Integer, int[]> e : tiers.entrySet()) {
            report.append(String.format("  tier %d: %d/%d (%.1f%%)%n", e.getKey(), e.getValue()[0], e.getValue()[1],
                    100.0 * e.getValue()[0] / e.getValue()[1]));
        }
        report.append("  per feature tag:\n");
        for (Map.Entry<String, int[]> e : tags.entrySet()) {
            report.append(String.format("    %-28s %d/%d%n", e.getKey(), e.getValue()[0], e.getValue()[1]));
        }
        report.append("  failures:\n");
        for (String fl : failures) {
            report.append("    ").append(fl.replace("\n", "\n      ")).append('\n');
        }
        System.out.println(report);
        Properties floor = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/conformance-floor.properties")) {
            assertTrue(in != null, "conformance-floor.properties is missing from tests/src/test/resources");
            floor.load(in);
        }
        for (Map.Entry<Integer, int[]> e : tiers.entrySet()) {
            double rate = (double) e.getValue()[0] / e.getValue()[1];
            double min = Double.parseDouble(floor.getProperty(floorPrefix + "tier" + e.getKey(), "0"));
            assertTrue(rate >= min, String.format("tier %d conformance %.3f fell below the floor %.3f "
                    + "(tests/src/test/resources/conformance-floor.properties, key %stier%d); see the failures printed above",
                    e.getKey(), rate, min, floorPrefix, e.getKey()));
        }
    }

    private static void count(int[] c, boolean ok) {
        c[1]++;
        if (ok) {
            c[0]++;
        }
    }

    /** Lines only in expected ("-") and only in ours ("+"), at most a dozen. */
    static String diff(String expected, String actual) {
        TreeSet<String> e = new TreeSet<>(List.of(expected.split("\n")));
        TreeSet<String> a = new TreeSet<>(List.of(actual.split("\n")));
        List<String> out = new ArrayList<>();
        for (String l : e) {
            if (!a.contains(l)) {
                out.add("- " + l);
            }
        }
        for (String l : a) {
            if (!e.contains(l)) {
                out.add("+ " + l);
            }
        }
        if (out.size() > 12) {
            int more = out.size() - 12;
            out = new ArrayList<>(out.subList(0, 12));
            out.add("... " + more + " more");
        }
        return String.join("\n", out);
    }
}
