package org.pulse.lab.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;
import org.pulse.cib.xml.XmlWriter;
import org.pulse.policy.PolicyEngine;

/**
 * Pulse's policy engine against Pacemaker's crm_simulate on generated CIBs (DESIGN §9.5).
 *
 * <p>Per case: crm_simulate settles the generated cluster ({@code -S -O}); the operator's edit
 * replaces the configuration; crm_simulate injects the events into the settled history
 * ({@code -i/-f/-d/-u/-g/-r ... -I}), whose wall-clock stamps are then dated against the
 * execution-date; crm_verify must accept the result (a CIB Pacemaker rejects is discarded and
 * counted, not compared); then crm_simulate -S (through canon.py) and Pulse, in-process, decide
 * it and the canonical forms are compared. A difference is shrunk (delta debugging over
 * resources, constraints, history entries and attributes, while the difference persists) and
 * written out with both outputs so it can become a golden case.
 *
 * <p>Case {@code i} of a campaign with seed {@code s} is generated from {@code s + i}: a case is
 * reproduced alone with {@code -Dfuzz.seed=s+i -Dfuzz.count=1}.
 */
public final class DifferentialFuzzer {
    public enum Verdict { IDENTICAL, DIFFERENT, DISCARDED }

    /** The outcome of one case; {@code test} is the CIB both sides decided, when there was one. */
    public record Outcome(long seed, Verdict verdict, List<String> features, String why, XmlElement test,
                          String pacemaker, String pulse) {
    }

    private final Path canonTools;
    private final Path scratch;
    private final int threads;
    private final CibGenerator.Shapes shapes;

    public DifferentialFuzzer(Path canonTools, Path scratch, int threads) {
        this(canonTools, scratch, threads, CibGenerator.Shapes.BASE);
    }

    /** With {@code shapes} EXTENDED, each case is its BASE case with the extended shapes on top. */
    public DifferentialFuzzer(Path canonTools, Path scratch, int threads, CibGenerator.Shapes shapes) {
        this.canonTools = canonTools;
        this.scratch = scratch;
        this.threads = threads;
        this.shapes = shapes;
    }

    /** Runs cases {@code seed .. seed+count-1} on the worker threads; outcomes in seed order. */
    public List<Outcome> run(long seed, int count, PrintStream progress) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        Outcome[] outcomes = new Outcome[count];
        try {
            List<Future<Void>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Path dir = Files.createDirectories(scratch.resolve("t" + t));
                fs.add(pool.submit(() -> {
                    try (OracleWorker w = new OracleWorker(canonTools, dir)) {
                        for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                            outcomes[i] = runCase(w, dir, CibGenerator.generate(seed + i, shapes));
                            int d = done.incrementAndGet();
                            if (progress != null && d % 250 == 0) {
                                progress.println("fuzz: " + d + "/" + count + " cases");
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : fs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(outcomes);
    }

    Outcome runCase(OracleWorker w, Path dir, FuzzCase c) throws IOException {
        Path before = dir.resolve("before.xml");
        Path settled = dir.resolve("settled.xml");
        Path edited = dir.resolve("edited.xml");
        Path test = dir.resolve("test.xml");
        Files.writeString(before, c.cibBefore());
        Files.deleteIfExists(settled);
        // a transition that fails while settling (crm_simulate exits non-zero) still leaves a
        // settled CIB: a cluster whose fencing failed is a case like any other
        JsonNode a = w.ask(Map.of("cmds", List.of(List.of("sh", "-c", "crm_simulate -x \"$0\" -S -O \"$1\" -Q; test -s \"$1\"",
                before.toString(), settled.toString()))));
        if (!a.path("ok").asBoolean()) {
            return discarded(c, "settle: " + a.path("error").asText());
        }
        XmlElement root;
        try {
            root = XmlParser.parse(settled.toString(), Files.readAllBytes(settled));
            XmlElement config = XmlParser.parse("configAfter", c.configAfter());
            root = root.withChildReplaced(e -> e.name().equals("configuration"), config);
        } catch (XmlParseException e) {
            return discarded(c, "settled CIB unreadable: " + e.getMessage());
        }
        if (c.loseQuorum()) {
            root = root.withAttribute("have-quorum", "0");
        }
        List<String> inject = new ArrayList<>(failureInjections(root, c));
        inject.addAll(c.nodeEvents());
        inject.addAll(c.ticketEvents());
        Files.writeString(edited, XmlWriter.toDocument(root));
        if (!inject.isEmpty()) {
            List<String> argv = new ArrayList<>(List.of("crm_simulate", "-x", edited.toString()));
            argv.addAll(inject);
            argv.addAll(List.of("-I", test.toString(), "-Q"));
            JsonNode injected = w.ask(Map.of("cmds", List.of(argv)));
            if (!injected.path("ok").asBoolean()) {
                return discarded(c, "inject: " + injected.path("error").asText());
            }
            try {
                root = XmlParser.parse(test.toString(), Files.readAllBytes(test));
            } catch (XmlParseException e) {
                return discarded(c, "injected CIB unreadable: " + e.getMessage());
            }
        }
        XmlElement testRoot = asTheClusterRecordsIt(root, c.failureDigests(),
                CibGenerator.EXECUTION_DATE - c.failureAgeS());
        Path decided = test;
        Files.writeString(decided, XmlWriter.toDocument(testRoot));
        JsonNode b = w.ask(Map.of("verify", decided.toString(), "canon", decided.toString()));
        if (!b.path("ok").asBoolean()) {
            return discarded(c, b.path("stage").asText() + ": " + b.path("error").asText());
        }
        String pacemaker = b.path("canonical").asText();
        String pulse = pulse(testRoot);
        return new Outcome(c.seed(), pacemaker.equals(pulse) ? Verdict.IDENTICAL : Verdict.DIFFERENT, c.features(), "",
                testRoot, pacemaker, pulse);
    }

    /**
     * The history as a cluster writes it, from what crm_simulate wrote: every stamp dated at
     * {@code stampEpochS} (crm_simulate writes the wall clock; the case is decided at the fixed
     * execution-date, and failure-timeout must see the failure's age), and, when
     * {@code failureDigests}, a failure record carrying the digest of the operation that failed,
     * as the controller records it (crm_simulate's injected failures carry none, and a failure
     * without a digest reads to Pacemaker as "parameters changed": its fail count is cleared).
     */
    static XmlElement asTheClusterRecordsIt(XmlElement e, boolean failureDigests, long stampEpochS) {
        XmlElement out = e;
        for (String a : List.of("last-rc-change", "last-run")) {
            if (out.attr(a) != null) {
                out = out.withAttribute(a, Long.toString(stampEpochS));
            }
        }
        if (out.name().equals("nvpair") && out.attr("name", "").startsWith("last-failure-")) {
            out = out.withAttribute("value", Long.toString(stampEpochS));
        }
        if (out.name().equals("lrm_resource") && failureDigests) {
            List<XmlElement> ops = out.elements("lrm_rsc_op");
            List<XmlNode> kids = new ArrayList<>();
            for (XmlNode k : out.children()) {
                if (k instanceof XmlElement op && op.name().equals("lrm_rsc_op") && op.id().endsWith("_last_failure_0")
                        && op.attr("op-digest") == null) {
                    String key = op.attr("operation_key");
                    String digest = ops.stream().filter(o -> o != op && key != null && key.equals(o.attr("operation_key"))
                            && o.attr("op-digest") != null).map(o -> o.attr("op-digest")).findFirst().orElse(null);
                    kids.add(digest == null ? op : op.withAttribute("op-digest", digest));
                } else {
                    kids.add(k);
                }
            }
            out = out.withChildren(kids);
        }
        List<XmlNode> kids = new ArrayList<>();
        boolean changed = false;
        for (XmlNode k : out.children()) {
            if (k instanceof XmlElement ke) {
                XmlElement nk = asTheClusterRecordsIt(ke, failureDigests, stampEpochS);
                changed |= nk != ke;
                kids.add(nk);
            } else {
                kids.add(k);
            }
        }
        return changed ? out.withChildren(kids) : out;
    }

    private static Outcome discarded(FuzzCase c, String why) {
        return new Outcome(c.seed(), Verdict.DISCARDED, c.features(), why, null, null, null);
    }

    /** Pulse's canonical form, decided at the fixed execution-date; a crash is an answer too. */
    static String pulse(XmlElement root) {
        try {
            return PolicyEngine.schedule(root, Instant.ofEpochSecond(CibGenerator.EXECUTION_DATE)).canonical();
        } catch (RuntimeException e) {
            return "exception: " + e;
        }
    }

    /**
     * crm_simulate --op-inject specs for the case's failures, on resources the settled history
     * shows running: a recurring monitor that finds the resource stopped or failed (most common),
     * a start or a stop that failed there.
     */
    static List<String> failureInjections(XmlElement root, FuzzCase c) {
        if (c.failures() == 0) {
            return List.of();
        }
        Random r = new Random(c.eventSeed());
        List<String[]> running = new ArrayList<>();    // rsc id, node, monitor interval
        for (XmlElement st : root.element("status").map(s -> s.elements("node_state")).orElse(List.of())) {
            if (!"true".equals(st.attr("in_ccm"))) {
                continue;
            }
            for (XmlElement lrm : st.elements("lrm")) {
                for (XmlElement rs : lrm.elements("lrm_resources")) {
                    for (XmlElement res : rs.elements("lrm_resource")) {
                        if ("stonith".equals(res.attr("class"))) {
                            continue;
                        }
                        for (XmlElement op : res.elements("lrm_rsc_op")) {
                            String rc = op.attr("rc-code", "");
                            if (!"0".equals(op.attr("interval", "0")) && (rc.equals("0") || rc.equals("8"))) {
                                running.add(new String[] {res.id(), st.attr("uname"), op.attr("interval")});
                            }
                        }
                    }
                }
            }
        }
        List<String> out = new ArrayList<>();
        Collections.shuffle(running, r);
        for (int i = 0; i < Math.min(c.failures(), running.size()); i++) {
            String[] x = running.get(i);
            double k = r.nextDouble();
            if (k < 0.7) {
                out.add("--op-inject=" + x[0] + "_monitor_" + x[2] + "@" + x[1] + "=" + (r.nextBoolean() ? 7 : 1));
            } else if (k < 0.85) {
                out.add("--op-inject=" + x[0] + "_start_0@" + x[1] + "=1");
            } else {
                out.add("--op-inject=" + x[0] + "_stop_0@" + x[1] + "=1");
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ shrinking ---

    /**
     * The smallest CIB found (greedy delta debugging, bounded by {@code maxTries} oracle calls)
     * on which Pulse and crm_simulate still differ and crm_verify still passes.
     */
    public Outcome shrink(Outcome failing, int maxTries) throws IOException {
        Path dir = Files.createDirectories(scratch.resolve("shrink"));
        try (OracleWorker w = new OracleWorker(canonTools, dir)) {
            XmlElement original = failing.test();
            List<XmlElement> parts = new ArrayList<>();
            collectRemovable(original, parts, false);
            List<XmlElement> removed = new ArrayList<>();
            Outcome best = failing;
            int tries = 0;
            for (int chunk = Math.max(1, parts.size() / 2); chunk >= 1 && tries < maxTries; chunk /= 2) {
                boolean progress = true;
                while (progress && tries < maxTries) {
                    progress = false;
                    List<XmlElement> left = new ArrayList<>(parts);
                    left.removeAll(removed);
                    for (int i = 0; i < left.size() && tries < maxTries; i += chunk) {
                        List<XmlElement> attempt = new ArrayList<>(removed);
                        attempt.addAll(left.subList(i, Math.min(left.size(), i + chunk)));
                        java.util.Set<XmlElement> gone = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                        gone.addAll(attempt);
                        XmlElement candidate = without(original, gone);
                        tries++;
                        Outcome o = decide(w, dir, failing, candidate);
                        if (o != null && o.verdict() == Verdict.DIFFERENT && sameBug(o, failing)) {
                            removed = attempt;
                            best = o;
                            progress = true;
                        }
                    }
                }
            }
            return best;
        }
    }

    /**
     * A smaller CIB still shows the same bug when the kinds of lines that differ are some of the
     * original's: without this, shrinking drifts to another difference (e.g. removing every
     * resource leaves orphaned history, whose clean-up is a difference of its own).
     */
    private static boolean sameBug(Outcome candidate, Outcome original) {
        List<String> was = List.of(differenceKind(original.pacemaker(), original.pulse()).split(" "));
        return was.containsAll(List.of(differenceKind(candidate.pacemaker(), candidate.pulse()).split(" ")));
    }

    private Outcome decide(OracleWorker w, Path dir, Outcome of, XmlElement candidate) throws IOException {
        Path f = dir.resolve("candidate.xml");
        Files.writeString(f, XmlWriter.toDocument(candidate));
        JsonNode b = w.ask(Map.of("verify", f.toString(), "canon", f.toString()));
        if (!b.path("ok").asBoolean()) {
            return null;
        }
        String pacemaker = b.path("canonical").asText();
        String pulse = pulse(candidate);
        return new Outcome(of.seed(), pacemaker.equals(pulse) ? Verdict.IDENTICAL : Verdict.DIFFERENT, of.features(),
                "", candidate, pacemaker, pulse);
    }

    /**
     * What an operator could have left out: resources, constraints and their parts, attributes;
     * and whole pieces of history (a resource's history on a node, a failure record, a recurring
     * result, a node's transient attributes, a ticket). A resource's last result stays: without it
     * the history is one no cluster writes.
     */
    private static void collectRemovable(XmlElement e, List<XmlElement> out, boolean inStatus) {
        for (XmlElement c : e.elements()) {
            String n = c.name();
            boolean removable = switch (n) {
                case "primitive", "group", "clone", "bundle", "rsc_location", "rsc_colocation", "rsc_order",
                     "rsc_ticket", "resource_ref", "resource_set", "lrm_resource", "op",
                     "meta_attributes", "utilization", "expression", "date_expression", "ticket_state",
                     "transient_attributes" -> true;
                case "lrm_rsc_op" -> !c.id().endsWith("_last_0");
                case "nvpair" -> !inStatus && !"stonith-enabled".equals(c.attr("name"));
                default -> false;
            };
            if (removable) {
                out.add(c);
            }
            collectRemovable(c, out, inStatus || n.equals("status"));
        }
    }

    /** The tree without {@code gone}, and without the history of the resources removed with it. */
    private static XmlElement without(XmlElement root, java.util.Set<XmlElement> gone) {
        java.util.Set<String> removedPrimitives = new java.util.HashSet<>();
        for (XmlElement g : gone) {
            primitivesIn(g, removedPrimitives);
        }
        java.util.Set<XmlElement> all = Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        all.addAll(gone);
        if (!removedPrimitives.isEmpty()) {
            addHistoryOf(root, removedPrimitives, all);
        }
        return prune(root, all);
    }

    private static void primitivesIn(XmlElement e, java.util.Set<String> out) {
        if (e.name().equals("primitive")) {
            out.add(e.id());
        }
        for (XmlElement c : e.elements()) {
            primitivesIn(c, out);
        }
    }

    private static void addHistoryOf(XmlElement e, java.util.Set<String> primitives, java.util.Set<XmlElement> out) {
        for (XmlElement c : e.elements()) {
            if (c.name().equals("lrm_resource") && primitives.contains(c.id().replaceAll(":\\d+$", ""))) {
                out.add(c);
            } else {
                addHistoryOf(c, primitives, out);
            }
        }
    }

    private static XmlElement prune(XmlElement e, java.util.Set<XmlElement> gone) {
        List<XmlNode> kids = new ArrayList<>();
        boolean changed = false;
        for (XmlNode k : e.children()) {
            if (k instanceof XmlElement ke) {
                if (gone.contains(ke)) {
                    changed = true;
                    continue;
                }
                XmlElement nk = prune(ke, gone);
                changed |= nk != ke;
                kids.add(nk);
            } else {
                kids.add(k);
            }
        }
        return changed ? e.withChildren(kids) : e;
    }

    /** Removes a scratch directory the campaign made (its own temporary files only). */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    // ------------------------------------------------------------------ reporting ---

    /** Identical / compared, overall and per feature; discards counted apart (they are not cases). */
    public record Report(int identical, int compared, int discarded, Map<String, int[]> perFeature,
                         Map<String, Integer> discardReasons, Map<String, Integer> differenceKinds) {
        public double rate() {
            return compared == 0 ? 1.0 : (double) identical / compared;
        }

        public String text(long seed, int count) {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("fuzz: seed=%d count=%d compared=%d identical=%d (%.1f%%) discarded=%d%n", seed, count,
                    compared, identical, 100.0 * rate(), discarded));
            sb.append("fuzz: per feature (identical/compared):\n");
            perFeature.forEach((f, v) -> sb.append(String.format("  %-20s %5d/%-5d %5.1f%%%n", f, v[0], v[1],
                    v[1] == 0 ? 100.0 : 100.0 * v[0] / v[1])));
            if (!discardReasons.isEmpty()) {
                sb.append("fuzz: discarded (Pacemaker refused the CIB or an injection):\n");
                discardReasons.forEach((k, v) -> sb.append(String.format("  %5d  %s%n", v, k)));
            }
            if (!differenceKinds.isEmpty()) {
                sb.append("fuzz: top differences (- crm_simulate only, + Pulse only: line kinds):\n");
                differenceKinds.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(15)
                        .forEach(e -> sb.append(String.format("  %5d  %s%n", e.getValue(), e.getKey())));
            }
            return sb.toString();
        }
    }

    public static Report report(List<Outcome> outcomes) {
        int identical = 0;
        int compared = 0;
        int discarded = 0;
        Map<String, int[]> perFeature = new TreeMap<>();
        Map<String, Integer> reasons = new TreeMap<>();
        Map<String, Integer> kinds = new HashMap<>();
        for (Outcome o : outcomes) {
            if (o.verdict() == Verdict.DISCARDED) {
                discarded++;
                String why = o.why().replaceAll("\\d+", "N").replaceAll("\\s+", " ");
                reasons.merge(why.substring(0, Math.min(120, why.length())), 1, Integer::sum);
                continue;
            }
            compared++;
            boolean ok = o.verdict() == Verdict.IDENTICAL;
            if (ok) {
                identical++;
            } else {
                kinds.merge(differenceKind(o.pacemaker(), o.pulse()), 1, Integer::sum);
            }
            for (String f : o.features()) {
                int[] v = perFeature.computeIfAbsent(f, k -> new int[2]);
                v[1]++;
                if (ok) {
                    v[0]++;
                }
            }
        }
        return new Report(identical, compared, discarded, perFeature, reasons, kinds);
    }

    /**
     * The differing cases worth shrinking: the first of each kind of difference, at most
     * {@code max}, so a handful of shrinks covers the distinct bugs rather than one bug many times.
     */
    public static List<Outcome> firstOfEachKind(List<Outcome> outcomes, int max) {
        Map<String, Outcome> first = new LinkedHashMap<>();
        for (Outcome o : outcomes) {
            if (o.verdict() == Verdict.DIFFERENT && first.size() < max) {
                first.putIfAbsent(differenceKind(o.pacemaker(), o.pulse()), o);
            }
        }
        return List.copyOf(first.values());
    }

    /** The kinds of lines only one side has, e.g. "-start +stop -placed": a signature to group by. */
    public static String differenceKind(String pacemaker, String pulse) {
        List<String> only = new ArrayList<>();
        for (String[] d : diff(pacemaker, pulse)) {
            String k = d[0] + d[1].split(" ")[0];
            if (!only.contains(k)) {
                only.add(k);
            }
        }
        Collections.sort(only);
        return only.isEmpty() ? "(none)" : String.join(" ", only);
    }

    /** Lines only in one side, as {"-", line} (crm_simulate) or {"+", line} (Pulse), duplicates counted. */
    static List<String[]> diff(String pacemaker, String pulse) {
        Map<String, Integer> count = new LinkedHashMap<>();
        for (String l : pacemaker.split("\n")) {
            count.merge(l, 1, Integer::sum);
        }
        for (String l : pulse.split("\n")) {
            count.merge(l, -1, Integer::sum);
        }
        List<String[]> out = new ArrayList<>();
        count.forEach((l, n) -> {
            for (int i = 0; i < Math.abs(n); i++) {
                out.add(new String[] {n > 0 ? "-" : "+", l});
            }
        });
        return out;
    }

    /**
     * Writes SEED.xml (the shrunk CIB), SEED.orig.xml (the CIB as generated) and SEED.txt (both
     * canonical forms of the shrunk CIB and their difference).
     */
    public static Path writeFailure(Path dir, Outcome shrunk, Outcome original) throws IOException {
        Files.createDirectories(dir);
        String name = "seed-" + shrunk.seed();
        Files.writeString(dir.resolve(name + ".xml"), XmlWriter.toDocument(shrunk.test()));
        Files.writeString(dir.resolve(name + ".orig.xml"), XmlWriter.toDocument(original.test()));
        StringBuilder sb = new StringBuilder();
        sb.append("# seed ").append(shrunk.seed()).append(" features ").append(original.features()).append('\n');
        sb.append("# difference: ").append(differenceKind(shrunk.pacemaker(), shrunk.pulse())).append('\n');
        for (String[] d : diff(shrunk.pacemaker(), shrunk.pulse())) {
            sb.append(d[0]).append(' ').append(d[1]).append('\n');
        }
        sb.append("\n## crm_simulate (canon.py)\n").append(shrunk.pacemaker());
        sb.append("\n## Pulse (crm simulate --canonical)\n").append(shrunk.pulse());
        Files.writeString(dir.resolve(name + ".txt"), sb.toString());
        return dir.resolve(name + ".xml");
    }

    /**
     * Every compared case in the conformance layout (catalogue.tsv with tier 0 and the case's
     * features; cases/seed-S/cib.xml and expected.txt holding crm_simulate's canonical answer).
     * Returns how many cases were written.
     */
    public static int writeCorpus(Path dir, List<Outcome> outcomes) throws IOException {
        StringBuilder catalogue = new StringBuilder("# name\ttier\tfeatures\tdescription\n");
        int n = 0;
        for (Outcome o : outcomes) {
            if (o == null || o.verdict() == Verdict.DISCARDED) {
                continue;
            }
            String name = "seed-" + o.seed();
            Path c = Files.createDirectories(dir.resolve("cases").resolve(name));
            Files.writeString(c.resolve("cib.xml"), XmlWriter.toDocument(o.test()));
            Files.writeString(c.resolve("expected.txt"), o.pacemaker());
            catalogue.append(name).append("\t0\t").append(o.features().isEmpty() ? "none" : String.join(",", o.features()))
                    .append("\tgenerated CIB, seed ").append(o.seed()).append('\n');
            n++;
        }
        Files.writeString(dir.resolve("catalogue.tsv"), catalogue.toString());
        return n;
    }
}
