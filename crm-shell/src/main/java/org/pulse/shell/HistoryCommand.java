package org.pulse.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibException;
import org.pulse.policy.Action;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crm history}: the transitions the DC ran, from the scheduler inputs it saved
 * ({@code DATA_DIR/pe/pe-input-N.xml}, bounded by crmd's pe_inputs_kept), offline. Each input is
 * scheduled again at the time it was saved (its file's modification time), which gives the
 * transition the DC decided (DESIGN.md §4: a saved input replayed gives the transition the DC ran).
 * {@code crm history} lists number, time and actions; {@code crm history transition N} shows its
 * actions and how its CIB differs from the input before it.
 */
@Command(name = "history", mixinStandardHelpOptions = true, description = "List the transitions the DC ran, from the scheduler inputs saved under "
        + "DATA_DIR/pe; 'history transition N' shows one with its CIB changes since the one before.")
final class HistoryCommand implements Callable<Integer> {
    static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/pulse");
    private static final Pattern INPUT = Pattern.compile("pe-input-(\\d+)\\.xml");
    /** How many actions the list names per transition before "...". */
    private static final int LIST_ACTIONS = 3;

    @CommandLine.ParentCommand
    Crm crm;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "crmd's data_dir (default: $PULSE_DATA_DIR, else /var/lib/pulse).")
    Path dataDir;

    @Parameters(paramLabel = "ARGS", arity = "0..2",
            description = "Nothing (list), or: transition N")
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        PrintStream out = crm.stdout;
        PrintStream err = crm.stderr;
        try {
            Path pe = peDir();
            TreeMap<Long, Path> inputs = inputs(pe);
            if (args.isEmpty() || (args.size() == 1 && args.get(0).equals("list"))) {
                if (inputs.isEmpty()) {
                    out.println("no saved scheduler inputs in " + pe);
                    return 0;
                }
                out.printf("%-6s %-24s %7s  %s%n", "#", "time (UTC)", "actions", "what");
                for (var e : inputs.entrySet()) {
                    Instant at = Files.getLastModifiedTime(e.getValue()).toInstant();
                    List<String> actions = actions(schedule(e.getValue(), at));
                    String what = actions.isEmpty() ? "(nothing to do)"
                            : String.join(", ", actions.subList(0, Math.min(LIST_ACTIONS, actions.size())))
                                    + (actions.size() > LIST_ACTIONS ? ", ..." : "");
                    out.printf("%-6d %-24s %7d  %s%n", e.getKey(), at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
                            actions.size(), what);
                }
                return 0;
            }
            if (args.size() == 2 && args.get(0).equals("transition")) {
                long n;
                try {
                    n = Long.parseLong(args.get(1));
                } catch (NumberFormatException e) {
                    throw new CrmException("history: '" + args.get(1) + "' is not a transition number; 'crm history' lists them");
                }
                Path file = inputs.get(n);
                if (file == null) {
                    throw new CrmException("history: no transition " + n + " in " + pe + (inputs.isEmpty() ? ""
                            : " (kept: " + inputs.firstKey() + "–" + inputs.lastKey() + ")"));
                }
                Instant at = Files.getLastModifiedTime(file).toInstant();
                Cib cib = read(file);
                List<String> actions = actions(PolicyEngine.schedule(cib.root(), at));
                out.println("Transition " + n + " (" + file + ", scheduled " + at + ", CIB " + cib.version() + "): "
                        + actions.size() + " actions");
                actions.forEach(a -> out.println("  " + a));
                var before = inputs.lowerEntry(n);
                if (before == null) {
                    out.println("CIB changes: (no earlier input kept)");
                } else {
                    CibDiff d = CibDiff.diff(read(before.getValue()), cib);
                    out.println("CIB changes since transition " + before.getKey() + " (" + d.from() + " -> " + d.to()
                            + ", " + d.changes().size() + " changes):");
                    for (CibDiff.Change c : d.changes()) {
                        out.println("  " + describe(c));
                    }
                }
                return 0;
            }
            throw new CrmException("history: expected nothing (list) or 'transition N', not '" + String.join(" ", args) + "'");
        } catch (CrmException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("history: " + e.getMessage());
            return 1;
        }
    }

    private Path peDir() {
        Path d = dataDir;
        if (d == null) {
            String e = crm.env.get("PULSE_DATA_DIR");
            d = e == null || e.isBlank() ? DEFAULT_DATA_DIR : Path.of(e);
        }
        return d.resolve("pe");
    }

    static TreeMap<Long, Path> inputs(Path pe) throws CrmException {
        TreeMap<Long, Path> out = new TreeMap<>();
        if (!Files.isDirectory(pe)) {
            throw new CrmException("history: no directory " + pe + "; give crmd's data_dir with --data-dir DIR "
                    + "(or PULSE_DATA_DIR)");
        }
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

    private static Transition schedule(Path file, Instant at) throws CrmException {
        return PolicyEngine.schedule(read(file).root(), at);
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

    /** The transition's real actions in words, sorted (as crm simulate prints them). */
    static List<String> actions(Transition t) {
        List<String> out = new ArrayList<>();
        for (Action a : t.actions()) {
            if (!a.pseudo()) {
                out.add(SimulateCommand.describe(a));
            }
        }
        out.sort(null);
        return out;
    }
}
