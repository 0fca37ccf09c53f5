package org.pulse.bench.fuzz;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pulse.bench.BenchArgs;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.lab.fuzz.CibGenerator;
import org.pulse.policy.PolicyEngine;

/**
 * Replays cases kept in the conformance layout (Pacemaker's in ../shared/conformance, or a fuzz
 * corpus written by {@code FuzzCampaign --corpus}) through Pulse alone, without crm_simulate:
 * {@code DIR... [--diff] [--list FILE]}, or {@code --file CIB} for one CIB's canonical answer. Prints, per directory, the pass count per tier and the
 * failing case names (with their difference when {@code --diff}); {@code --list FILE} writes the
 * names that pass, one a line, so two engine versions can be compared case by case.
 */
public final class CorpusReplay {
    private CorpusReplay() {
    }

    static final String USAGE = "usage: CorpusReplay [--diff] [--list FILE] [--file CIB] DIR...";

    public static void main(String[] args) throws Exception {
        boolean showDiff = false;
        Path list = null;
        List<Path> dirs = new ArrayList<>();
        if (BenchArgs.wantsHelp(args)) {
            BenchArgs.exitHelp(USAGE);
        }
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--diff" -> showDiff = true;
                    case "--list" -> list = Path.of(BenchArgs.value(args, ++i));
                    case "--file" -> {
                        // one CIB: print Pulse's canonical answer
                        Path f = Path.of(BenchArgs.value(args, ++i));
                        System.out.print(PolicyEngine.schedule(XmlParser.parse(f.toString(), Files.readString(f)),
                                Instant.ofEpochSecond(CibGenerator.EXECUTION_DATE)).canonical());
                        return;
                    }
                    default -> {
                        if (args[i].startsWith("-")) {
                            throw new BenchArgs.BadArgument("unknown option " + args[i]);
                        }
                        dirs.add(Path.of(args[i]));
                    }
                }
            }
        } catch (BenchArgs.BadArgument e) {
            BenchArgs.exitBad("CorpusReplay", USAGE, e);
        }
        List<String> passing = new ArrayList<>();
        for (Path dir : dirs) {
            Map<Integer, int[]> tiers = new TreeMap<>();
            List<String> failing = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("catalogue.tsv"))) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                Path c = dir.resolve("cases").resolve(f[0]);
                String expected = Files.readString(c.resolve("expected.txt"));
                String actual;
                try {
                    XmlElement root = XmlParser.parse(c.resolve("cib.xml").toString(), Files.readString(c.resolve("cib.xml")));
                    actual = PolicyEngine.schedule(root, Instant.ofEpochSecond(CibGenerator.EXECUTION_DATE)).canonical();
                } catch (RuntimeException e) {
                    actual = "exception: " + e;
                }
                int[] t = tiers.computeIfAbsent(Integer.parseInt(f[1]), k -> new int[2]);
                t[1]++;
                if (expected.equals(actual)) {
                    t[0]++;
                    passing.add(dir.getFileName() + "/" + f[0]);
                } else {
                    failing.add(f[0] + " [" + (f.length > 2 ? f[2] : "") + "]"
                            + (showDiff ? "\n" + diff(expected, actual) : ""));
                }
            }
            System.out.println(dir);
            tiers.forEach((k, v) -> System.out.printf("  tier %d: %d/%d (%.1f%%)%n", k, v[0], v[1], 100.0 * v[0] / v[1]));
            for (String fl : failing) {
                System.out.println("  FAIL " + fl.replace("\n", "\n      "));
            }
        }
        if (list != null) {
            Files.write(list, passing);
        }
    }

    private static String diff(String expected, String actual) {
        TreeSet<String> e = new TreeSet<>(List.of(expected.split("\n")));
        TreeSet<String> a = new TreeSet<>(List.of(actual.split("\n")));
        List<String> out = new ArrayList<>();
        e.stream().filter(l -> !a.contains(l)).forEach(l -> out.add("- " + l));
        a.stream().filter(l -> !e.contains(l)).forEach(l -> out.add("+ " + l));
        return String.join("\n", out.size() > 20 ? out.subList(0, 20) : out);
    }
}
