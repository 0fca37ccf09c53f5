package org.pulse.shell.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibException;
import org.pulse.policy.Action;
import org.pulse.policy.PolicyEngine;
import org.pulse.shell.Crm;
import org.pulse.shell.CrmException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crm history}, as crmsh's: the transitions the DC ran, from the scheduler inputs it saved
 * ({@code DATA_DIR/pe/pe-input-N.xml}, bounded by crmd's pe_inputs_kept) and the nodes' history logs
 * ({@code DATA_DIR/history.log}, see crmd's HistoryLog), offline: on one node's data dir, or on a report
 * directory holding several nodes' data dirs (one subdirectory per node). Each input is scheduled again at
 * the time it was saved (its file's modification time), which gives the transition the DC decided
 * (DESIGN.md §4); its trigger and result come from the DC's history log, the lines of every node for it
 * from every node's history log (tagged {@code transition T of DC (view V)}).
 */
@Command(name = "history", mixinStandardHelpOptions = true, description = "The transitions the DC ran (saved scheduler inputs "
        + "under DATA_DIR/pe and the nodes' DATA_DIR/history.log): 'history' lists them, 'history transition N' shows one "
        + "(actions, CIB changes, every node's log lines), 'history resource RSC' and 'history node NODE' list their events.")
public final class HistoryCommand implements Callable<Integer> {
    static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/pulse");
    private static final Pattern INPUT = Pattern.compile("pe-input-(\\d+)\\.xml");
    /** How many actions the list names per transition before "...". */
    private static final int LIST_ACTIONS = 3;

    @CommandLine.ParentCommand
    Crm crm;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "One node's data_dir (default: $PULSE_DATA_DIR, else /var/lib/pulse).")
    Path dataDir;

    @Option(names = "--report", paramLabel = "DIR",
            description = "A report: a directory with one subdirectory per node, each that node's data_dir (or holding it as data/).")
    Path report;

    @Parameters(paramLabel = "ARGS", arity = "0..2",
            description = "Nothing (list), or: transition N | resource RSC | node NODE")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        PrintStream out = crm.stdout;
        PrintStream err = crm.stderr;
        try {
            History h = History.load(sources());
            if (args.isEmpty() || (args.size() == 1 && args.get(0).equals("list"))) {
                list(h, out);
                return 0;
            }
            if (args.size() == 2) {
                switch (args.get(0)) {
                    case "transition" -> {
                        showTransition(h, h.find(args.get(1)), out);
                        return 0;
                    }
                    case "resource" -> {
                        h.resourceEvents(args.get(1)).forEach(e -> out.println(e.line()));
                        return 0;
                    }
                    case "node" -> {
                        h.nodeEvents(args.get(1)).forEach(e -> out.println(e.line()));
                        return 0;
                    }
                    default -> {
                    }
                }
            }
            throw new CrmException("history: expected nothing (list), 'transition N', 'resource RSC' or 'node NODE', not '"
                    + String.join(" ", args) + "'");
        } catch (CrmException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("history: " + e.getMessage());
            return 1;
        }
    }

    private void list(History h, PrintStream out) {
        if (h.transitions.isEmpty()) {
            out.println("no saved scheduler inputs in " + h.describeSources());
            return;
        }
        out.printf("%-6s %-24s %-7s %7s  %-12s %s%n", "#", "time (UTC)", "DC", "actions", "result", "trigger | what");
        for (Transition t : h.transitions) {
            List<String> actions = t.actions();
            String what = actions.isEmpty() ? "(nothing to do)"
                    : String.join(", ", actions.subList(0, Math.min(LIST_ACTIONS, actions.size())))
                            + (actions.size() > LIST_ACTIONS ? ", ..." : "");
            out.printf("%-6s %-24s %-7s %7d  %-12s %s | %s%n", h.name(t), t.at.truncatedTo(ChronoUnit.MILLIS), t.dc,
                    actions.size(), cut(t.result(), 12), t.trigger == null ? "-" : cut(t.trigger, 60), what);
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    private void showTransition(History h, Transition t, PrintStream out) throws CrmException {
        List<String> actions = t.actions();
        Cib cib = t.cib();
        out.println("Transition " + h.name(t) + " (" + t.file + ", DC " + t.dc + ", scheduled " + t.at + ", CIB "
                + cib.version() + "): " + actions.size() + " actions");
        out.println("  trigger: " + (t.trigger == null ? "(not in the DC's history log)" : t.trigger));
        out.println("  result: " + t.result() + (t.durationMs < 0 ? "" : " in " + t.durationMs + " ms")
                + (t.tag == null ? "" : " (" + t.tag + ")"));
        actions.forEach(a -> out.println("  " + a));
        Transition before = h.before(t);
        if (before == null) {
            out.println("CIB changes: (no earlier input kept)");
        } else {
            CibDiff d = CibDiff.diff(before.cib(), cib);
            out.println("CIB changes since transition " + h.name(before) + " (" + d.from() + " -> " + d.to() + ", "
                    + d.changes().size() + " changes):");
            for (CibDiff.Change c : d.changes()) {
                out.println("  " + describe(c));
            }
        }
        if (t.tag == null) {
            out.println("Log lines: none (no history log line names this input as a transition's: "
                    + (actions.isEmpty() ? "nothing to do)" : "the DC held it back, or its log is missing)"));
            return;
        }
        List<LogLine> lines = h.lines.stream().filter(l -> l.text.startsWith(t.tag)).toList();
        out.println("Log lines for " + t.tag + " (from the history logs of " + String.join(", ", h.logNodes()) + "; "
                + lines.stream().map(l -> l.node).distinct().count() + " nodes have some):");
        lines.forEach(l -> out.println("  " + l.at.truncatedTo(ChronoUnit.MILLIS) + " " + l.node + " " + l.text));
    }

    /** The data dirs to read, each with the node's name. */
    private List<Source> sources() throws CrmException {
        if (report != null) {
            if (dataDir != null) {
                throw new CrmException("history: give either --data-dir or --report, not both");
            }
            if (!Files.isDirectory(report)) {
                throw new CrmException("history: no report directory " + report + "; give one subdirectory per node, "
                        + "each a copy of that node's data_dir");
            }
            List<Source> out = new ArrayList<>();
            try (var dirs = Files.list(report)) {
                for (Path d : (Iterable<Path>) dirs.sorted()::iterator) {
                    Path data = Files.isDirectory(d.resolve("data")) ? d.resolve("data") : d;
                    if (Files.isDirectory(data.resolve("pe")) || Files.exists(data.resolve(History.LOG))) {
                        out.add(new Source(d.getFileName().toString(), data));
                    }
                }
            } catch (IOException e) {
                throw new CrmException("history: cannot list " + report + ": " + e.getMessage());
            }
            if (out.isEmpty()) {
                throw new CrmException("history: " + report + " holds no node's data dir (a subdirectory with pe/ or "
                        + History.LOG + ")");
            }
            return out;
        }
        Path d = dataDir;
        if (d == null) {
            String e = crm.env.get("PULSE_DATA_DIR");
            d = e == null || e.isBlank() ? DEFAULT_DATA_DIR : Path.of(e);
        }
        if (!Files.isDirectory(d.resolve("pe"))) {
            throw new CrmException("history: no directory " + d.resolve("pe") + "; give crmd's data_dir with --data-dir DIR "
                    + "(or PULSE_DATA_DIR), or a report of every node's with --report DIR");
        }
        return List.of(new Source(null, d));
    }

    /** A node's data dir; {@code node} null: named by its history log, else "local". */
    record Source(String node, Path dir) {
    }

    /** A line of a node's history log: {@code INSTANT NODE TEXT}. */
    record LogLine(Instant at, String node, String text) {
    }

    /** One event of a resource or node: when, which kind, where, what. */
    record Event(Instant at, String kind, String node, String text) {
        String line() {
            return String.format("%-24s %-10s %-7s %s", at.truncatedTo(ChronoUnit.MILLIS), kind, node, text);
        }
    }

    /** One saved input of a DC and what its history log says of it. */
    static final class Transition {
        final String dc;
        final long number;
        final Path file;
        final Instant at;
        String tag;
        String trigger;
        String result;
        long durationMs = -1;
        private Cib cib;
        private List<Action> actions;

        Transition(String dc, long number, Path file, Instant at) {
            this.dc = dc;
            this.number = number;
            this.file = file;
            this.at = at;
        }

        Cib cib() throws CrmException {
            if (cib == null) {
                cib = read(file);
            }
            return cib;
        }

        List<Action> realActions() throws CrmException {
            if (actions == null) {
                actions = PolicyEngine.schedule(cib().root(), at).actions().stream().filter(a -> !a.pseudo()).toList();
            }
            return actions;
        }

        List<String> actions() {
            try {
                return describeAll(realActions());
            } catch (CrmException e) {
                return List.of("(" + e.getMessage() + ")");
            }
        }

        String result() {
            if (result != null) {
                return result;
            }
            return tag == null ? (actions().isEmpty() ? "nothing" : "not run") : "unfinished";
        }
    }

    /** Everything read from the sources: transitions in time order, log lines in time order. */
    static final class History {
        static final String LOG = "history.log";
        private static final Pattern STARTED = Pattern.compile("^(transition \\d+ of \\S+ \\(view [^)]*\\)) started from pe-input-(\\d+)$");
        private static final Pattern ENDED = Pattern.compile(
                "^(transition \\d+ of \\S+ \\(view [^)]*\\)) ended: (.*) in (\\d+) ms, \\d+ actions; trigger: (.*)$");
        private static final Pattern OPERATION = Pattern.compile(
                "(?:^transition \\d+ of \\S+ \\(view [^)]*\\): |^operation )(\\S+) of (\\S+) on (\\S+)(?: \\(target (\\S+)\\))?: (.*)$");
        private static final Pattern VIEW = Pattern.compile("^view (\\S+): members \\[(.*)\\], DC (\\S+), joined \\[(.*)\\], left \\[(.*)\\]$");

        final List<Transition> transitions = new ArrayList<>();
        final List<LogLine> lines = new ArrayList<>();
        private final List<Source> sources;
        private boolean severalDcs;

        private History(List<Source> sources) {
            this.sources = sources;
        }

        static History load(List<Source> given) throws CrmException, IOException {
            List<Source> sources = new ArrayList<>();
            History h = new History(sources);
            for (Source s : given) {
                List<LogLine> own = readLog(s);
                String node = s.node() != null ? s.node() : own.isEmpty() ? "local" : own.get(0).node;
                sources.add(new Source(node, s.dir()));
                h.lines.addAll(own);
                Path pe = s.dir().resolve("pe");
                if (Files.isDirectory(pe)) {
                    for (var e : inputs(pe).entrySet()) {
                        h.transitions.add(new Transition(node, e.getKey(), e.getValue(),
                                Files.getLastModifiedTime(e.getValue()).toInstant()));
                    }
                }
            }
            h.lines.sort(java.util.Comparator.comparing(LogLine::at));
            h.transitions.sort(java.util.Comparator.comparing((Transition t) -> t.at).thenComparing(t -> t.dc)
                    .thenComparingLong(t -> t.number));
            h.severalDcs = h.transitions.stream().map(t -> t.dc).distinct().count() > 1;
            Map<String, Transition> byTag = new HashMap<>();
            for (LogLine l : h.lines) {
                Matcher m = STARTED.matcher(l.text);
                if (m.matches()) {
                    long n = Long.parseLong(m.group(2));
                    for (Transition t : h.transitions) {
                        if (t.dc.equals(l.node) && t.number == n) {
                            t.tag = m.group(1);
                            byTag.put(t.tag, t);
                        }
                    }
                    continue;
                }
                m = ENDED.matcher(l.text);
                if (m.matches() && byTag.containsKey(m.group(1))) {
                    Transition t = byTag.get(m.group(1));
                    t.result = m.group(2);
                    t.durationMs = Long.parseLong(m.group(3));
                    t.trigger = m.group(4);
                }
            }
            return h;
        }

        private static List<LogLine> readLog(Source s) throws IOException {
            List<LogLine> out = new ArrayList<>();
            for (String name : List.of(LOG + ".1", LOG)) {
                Path f = s.dir().resolve(name);
                if (!Files.exists(f)) {
                    continue;
                }
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String[] p = line.split(" ", 3);
                    if (p.length < 3) {
                        continue;
                    }
                    try {
                        out.add(new LogLine(Instant.parse(p[0]), p[1], p[2]));
                    } catch (java.time.format.DateTimeParseException e) {
                        // a line cut by a crash: skip it
                    }
                }
            }
            return out;
        }

        String describeSources() {
            return sources.stream().map(s -> s.dir().resolve("pe").toString()).collect(Collectors.joining(", "));
        }

        List<String> logNodes() {
            return sources.stream().filter(s -> Files.exists(s.dir().resolve(LOG))).map(Source::node).toList();
        }

        /** N, or DC:N when several nodes' inputs are listed (each DC numbers its own). */
        String name(Transition t) {
            return severalDcs ? t.dc + ":" + t.number : String.valueOf(t.number);
        }

        Transition find(String id) throws CrmException {
            String dc = null;
            String num = id;
            int colon = id.lastIndexOf(':');
            if (colon > 0) {
                dc = id.substring(0, colon);
                num = id.substring(colon + 1);
            }
            long n;
            try {
                n = Long.parseLong(num);
            } catch (NumberFormatException e) {
                throw new CrmException("history: '" + id + "' is not a transition number (N, or DC:N); 'crm history' lists them");
            }
            String wantDc = dc;
            List<Transition> found = transitions.stream().filter(t -> t.number == n && (wantDc == null || t.dc.equals(wantDc)))
                    .toList();
            if (found.size() == 1) {
                return found.get(0);
            }
            if (found.size() > 1) {
                throw new CrmException("history: transition " + id + " is ambiguous: "
                        + found.stream().map(this::name).collect(Collectors.joining(", ")) + "; say which as DC:N");
            }
            String kept = transitions.stream().collect(Collectors.groupingBy(t -> t.dc, TreeMap::new, Collectors.toList()))
                    .entrySet().stream().map(e -> e.getKey() + " " + e.getValue().stream().mapToLong(t -> t.number).min().orElse(0)
                            + "–" + e.getValue().stream().mapToLong(t -> t.number).max().orElse(0))
                    .collect(Collectors.joining(", "));
            throw new CrmException("history: no transition " + id + " in " + describeSources()
                    + (kept.isEmpty() ? "" : " (kept: " + kept + ")") + "; 'crm history' lists them");
        }

        /** The input saved just before {@code t} (by time, any DC): the CIB it changed from. */
        Transition before(Transition t) {
            int i = transitions.indexOf(t);
            return i > 0 ? transitions.get(i - 1) : null;
        }

        List<Event> resourceEvents(String rsc) throws CrmException {
            boolean known = false;
            java.util.TreeSet<String> all = new java.util.TreeSet<>();
            List<Event> out = new ArrayList<>();
            for (Transition t : transitions) {
                Cib cib = t.cib();
                java.util.Set<String> ids = resourceIds(cib);
                all.addAll(ids);
                known |= ids.contains(rsc);
                List<Action> mine = t.realActions().stream().filter(a -> rsc.equals(base(a.resource()))).toList();
                if (mine.isEmpty()) {
                    continue;
                }
                String stopped = mine.stream().filter(a -> a.operation().equals("stop")).map(Action::node).findFirst().orElse(null);
                String started = mine.stream().filter(a -> a.operation().equals("start")).map(Action::node).findFirst().orElse(null);
                String moved = mine.stream().filter(a -> a.operation().equals("migrate_to")).map(a -> a.node() + " -> "
                        + a.params().getOrDefault("CRM_meta_migrate_target", "?")).findFirst().orElse(null);
                if (moved == null && stopped != null && started != null && !stopped.equals(started)) {
                    moved = stopped + " -> " + started;
                }
                out.add(new Event(t.at, moved != null ? "move" : "transition", t.dc, "transition " + name(t) + ": "
                        + (moved != null ? "moves " + rsc + " " + moved + ": " : "") + String.join(", ", describeAll(mine))
                        + " (" + t.result() + ")"));
            }
            for (LogLine l : lines) {
                Matcher m = OPERATION.matcher(l.text);
                if (!m.find()) {
                    continue;
                }
                if (rsc.equals(base(m.group(2)))) {
                    known = true;
                    boolean ok = m.group(5).startsWith("ok ");
                    out.add(new Event(l.at, m.group(4) != null ? "fencing" : ok ? "operation" : "failure", m.group(3), l.text));
                } else {
                    all.add(base(m.group(2)));
                }
            }
            if (!known) {
                throw new CrmException("history: no resource '" + rsc + "' in the saved inputs or history logs of "
                        + String.join(", ", sources.stream().map(Source::node).toList())
                        + (all.isEmpty() ? "" : " (resources: " + cut(String.join(", ", all), 300) + ")"));
            }
            out.sort(java.util.Comparator.comparing(Event::at));
            return out;
        }

        List<Event> nodeEvents(String node) throws CrmException {
            boolean known = false;
            java.util.TreeSet<String> all = new java.util.TreeSet<>();
            List<Event> out = new ArrayList<>();
            java.util.Set<String> views = new java.util.HashSet<>();
            for (LogLine l : lines) {
                all.add(l.node);
                known |= l.node.equals(node);
                Matcher v = VIEW.matcher(l.text);
                if (v.matches()) {
                    boolean joined = List.of(v.group(4).split(", ")).contains(node);
                    boolean left = List.of(v.group(5).split(", ")).contains(node);
                    if ((joined || left) && views.add(v.group(1) + (joined ? "+" : "-"))) {
                        out.add(new Event(l.at, joined ? "joined" : "left", node, "view " + v.group(1) + " (seen by " + l.node
                                + "): members [" + v.group(2) + "], DC " + v.group(3)));
                    }
                    continue;
                }
                Matcher m = OPERATION.matcher(l.text);
                if (m.find()) {
                    if (node.equals(m.group(4))) {
                        known = true;
                        // only a run that succeeded fenced the node: a failed or timed-out try read as
                        // "fenced" too, which an operator takes for done
                        out.add(new Event(l.at, m.group(5).startsWith("ok ") ? "fenced" : "fence-fail", l.node, l.text));
                    } else if (node.equals(m.group(3)) && !m.group(5).startsWith("ok ")) {
                        out.add(new Event(l.at, "failure", node, l.text));
                    } else if (node.equals(m.group(3))) {
                        out.add(new Event(l.at, "operation", node, l.text));
                    }
                }
            }
            for (Transition t : transitions) {
                Cib cib = t.cib();
                for (var n : cib.root().element("configuration").flatMap(c -> c.element("nodes")).map(x -> x.elements("node"))
                        .orElse(List.of())) {
                    String uname = n.attr("uname", n.attr("id", ""));
                    all.add(uname);
                    known |= uname.equals(node);
                }
                List<Action> fences = t.realActions().stream().filter(a -> a.operation().equals("stonith") && node.equals(a.node()))
                        .toList();
                if (!fences.isEmpty()) {
                    out.add(new Event(t.at, "fencing", t.dc, "transition " + name(t) + ": " + String.join(", ", describeAll(fences))
                            + " (" + t.result() + ")"));
                }
            }
            if (!known) {
                throw new CrmException("history: no node '" + node + "' in the saved inputs or history logs of "
                        + String.join(", ", sources.stream().map(Source::node).toList())
                        + (all.isEmpty() ? "" : " (nodes: " + String.join(", ", all) + ")"));
            }
            out.sort(java.util.Comparator.comparing(Event::at));
            return out;
        }

        private static java.util.Set<String> resourceIds(Cib cib) {
            java.util.Set<String> ids = new java.util.HashSet<>();
            cib.root().element("configuration").flatMap(c -> c.element("resources")).ifPresent(r -> collectIds(r, ids));
            return ids;
        }

        private static void collectIds(org.pulse.cib.xml.XmlElement e, java.util.Set<String> ids) {
            for (org.pulse.cib.xml.XmlElement c : e.elements()) {
                if (List.of("primitive", "group", "clone", "master", "bundle").contains(c.name())) {
                    ids.add(c.id());
                    collectIds(c, ids);
                }
            }
        }

        /** A clone instance's resource ("d1:0") as the resource ("d1"). */
        private static String base(String rsc) {
            if (rsc == null) {
                return null;
            }
            int colon = rsc.indexOf(':');
            return colon < 0 ? rsc : rsc.substring(0, colon);
        }
    }

    static TreeMap<Long, Path> inputs(Path pe) throws CrmException {
        TreeMap<Long, Path> out = new TreeMap<>();
        try (var files = Files.list(pe)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = INPUT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.put(Long.parseLong(m.group(1)), p);
                }
            }
        } catch (IOException e) {
            throw new CrmException("history: cannot list " + pe + ": " + e.getMessage());
        }
        return out;
    }

    private static Cib read(Path file) throws CrmException {
        try {
            return Cib.read(file);
        } catch (CibException e) {
            throw new CrmException("history: " + file + " cannot be read: " + e.getMessage());
        }
    }

    /** How long a created element's XML may be in the listing before it is cut (a whole resource section could follow). */
    private static final int MAX_CREATED_CHARS = 400;

    /** One change, with what it creates or sets: "+ PATH: <xml>", "- PATH", "~ PATH: name=value -name", "> PATH moved". */
    static String describe(CibDiff.Change c) {
        if (c instanceof CibDiff.Create cr) {
            String xml = cr.node() instanceof org.pulse.cib.xml.XmlElement e ? e.toString().replaceAll("\\s*\n\\s*", " ").strip()
                    : String.valueOf(cr.node());
            if (xml.length() > MAX_CREATED_CHARS) {
                xml = xml.substring(0, MAX_CREATED_CHARS) + " ...";
            }
            return "+ " + path(cr.parent()) + ": " + xml;
        } else if (c instanceof CibDiff.Delete d) {
            return "- " + path(d.path());
        } else if (c instanceof CibDiff.ModifyAttributes m) {
            StringBuilder sb = new StringBuilder("~ " + path(m.path()) + ":");
            m.set().forEach((k, v) -> sb.append(' ').append(k).append("=\"").append(v).append('"'));
            m.removed().forEach(k -> sb.append(" -").append(k));
            return sb.toString();
        } else if (c instanceof CibDiff.Move mv) {
            return "> " + path(mv.path()) + " moved to position " + mv.index();
        }
        return c.toString();
    }

    private static String path(List<CibDiff.Step> steps) {
        StringBuilder sb = new StringBuilder();
        for (CibDiff.Step s : steps) {
            sb.append('/').append(s);
        }
        return sb.toString();
    }

    /** Actions in words, sorted (as crm simulate prints them). */
    static List<String> describeAll(List<Action> actions) {
        List<String> out = new ArrayList<>();
        for (Action a : actions) {
            out.add(SimulateCommand.describe(a));
        }
        out.sort(null);
        return out;
    }
}
