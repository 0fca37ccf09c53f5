package org.pulse.shell.levels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.pulse.cib.CibValidator;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.commands.StatusCommand;
import org.pulse.shell.parse.Lexer;
import org.pulse.shell.parse.Token;

/**
 * The command interpreter shared by one-shot commands, batch scripts and the interactive
 * prompt: a current level, and one line at a time. Errors are printed as "ERROR: ..." and give
 * exit status 1; the line changes nothing.
 */
public final class Shell {
    static final List<String> GLOBAL = List.of("help", "up", "end", "cd", "ls", "quit", "exit", "bye");
    static final List<String> TOP = List.of("configure", "resource", "node", "cib", "site", "maintenance", "ra", "status", "verify",
            "simulate", "explain", "history");

    public final Session session;
    private final Map<String, Level> levels = new LinkedHashMap<>();
    /** Commands other engineers own, run through picocli (ra, simulate, explain): name, words → status. */
    private final Map<String, BiFunction<String, List<String>, Integer>> external = new LinkedHashMap<>();
    private Level current;
    private boolean quit;
    /** Errors since the last commit: batch mode does not auto-commit after an error. */
    public int errorsSinceCommit;

    public Shell(Session session) {
        this.session = session;
        add(new ConfigureLevel());
        add(new ResourceLevel());
        add(new NodeLevel());
        add(new CibLevel());
        add(new SiteLevel());
        add(new MaintenanceLevel());
        add(new RaLevel());
    }

    private void add(Level l) {
        levels.put(l.name(), l);
    }

    public void addExternal(String name, BiFunction<String, List<String>, Integer> run) {
        external.put(name, run);
    }

    /** Runs a command another engineer owns (ra, simulate, explain) through its picocli face. */
    int external(String name, List<String> args) throws CrmException {
        BiFunction<String, List<String>, Integer> ext = external.get(name);
        if (ext == null) {
            throw new CrmException("'" + name + "' is not available in this build");
        }
        return ext.apply(name, args);
    }

    Level level(String name) {
        return levels.get(name);
    }

    Level current() {
        return current;
    }

    boolean quitRequested() {
        return quit;
    }

    String prompt() {
        String where = session.source().name();
        return "crm(" + where + ")" + (current == null ? "" : current.name()) + "# ";
    }

    /** Lexes and runs one line; prints errors; returns the exit status. */
    public int execLine(String line) {
        String trimmed = line.strip();
        if (trimmed.isEmpty() || trimmed.startsWith("#")) {
            return 0;
        }
        try {
            return exec(Lexer.split(trimmed));
        } catch (CrmException e) {
            session.error(e.getMessage());
            errorsSinceCommit++;
            return 1;
        }
    }

    /** Runs words as one command at the current level, printing errors. */
    public int execWords(List<Token> tokens) {
        try {
            return exec(tokens);
        } catch (CrmException e) {
            session.error(e.getMessage());
            errorsSinceCommit++;
            return 1;
        }
    }

    /**
     * crmsh 4.4.1's levels Pulse has not (compared with its 'crm help'), each with what does the job here: an
     * operator's habit deserves a pointer, not "unknown command".
     */
    public static final Map<String, String> NOT_HERE = Map.of(
            "corosync", "Pulse runs no corosync: nodes hear each other through JGroups, set up in each node's crmd.conf"
                    + " (node =, nodes =); 'crm cluster status' shows this node, 'crm cluster add NODE HOST:PORT' and"
                    + " 'crm cluster remove NODE' change the node list (crmd/README.md)",
            "options", "Pulse's shell keeps no settings (crmsh's crm.conf): the output format is per command (--output"
                    + " text|json|xml), the editor $EDITOR, forcing -F, the CIB file --cib-file or CIB_file",
            "assist", "not in Pulse; a weak bond is 'configure colocation NAME 100: A B' with 'configure order NAME"
                    + " Optional: B A', a template 'configure rsc_template'",
            "script", "crmsh's cluster scripts are not in Pulse; write the crm commands to a file and run 'crm configure"
                    + " load update FILE' (or crm -f FILE); 'crm configure save FILE' shows the syntax",
            "template", "crmsh's configuration templates are not in Pulse; 'configure rsc_template' makes a template"
                    + " primitives use (primitive NAME @TEMPLATE), 'crm configure load update FILE' loads crm commands",
            "report", "Pulse has no crm report; gather each node's crmd log (journalctl -u pulse, or the log file in"
                    + " crmd.conf), the saved scheduler inputs ('crm history'), and 'crm status --output json'");

    int exec(List<Token> tokens) throws CrmException {
        if (tokens.isEmpty()) {
            return 0;
        }
        String word = tokens.get(0).text().toLowerCase(Locale.ROOT);
        switch (word) {
            case "help", "?" -> {
                return help(tokens);
            }
            case "quit", "exit", "bye" -> {
                if (!leaveAll()) {
                    return 1;
                }
                quit = true;
                return 0;
            }
            case "up", "end", ".." -> {
                if (current != null) {
                    return leave() ? 0 : 1;
                }
                return 0;
            }
            case "cd" -> {
                if (tokens.size() < 2 || tokens.get(1).text().equals("..") || tokens.get(1).text().equals("/")) {
                    return leave() ? 0 : 1;
                }
                return exec(tokens.subList(1, tokens.size()));
            }
            case "ls" -> {
                session.out.println(String.join("  ", current == null ? topCommands() : current.commands()));
                return 0;
            }
            default -> {
                if (NOT_HERE.containsKey(word)) {
                    throw new CrmException(word + ": " + NOT_HERE.get(word));
                }
                // a level command or a level name
            }
        }
        if (current != null) {
            String cmd = resolve(word, current.commands(), tokens.get(0));
            if (cmd != null) {
                List<Token> words = new ArrayList<>(tokens);
                words.set(0, new Token(cmd, tokens.get(0).column()));
                int rc = current.run(this, words);
                if (rc != 0) {
                    errorsSinceCommit++;
                }
                return rc;
            }
        }
        String top = resolve(word, topCommands(), tokens.get(0));
        if (top == null) {
            List<String> known = new ArrayList<>(topCommands());
            if (current != null) {
                known.addAll(current.commands());
            }
            throw new CrmException((current == null ? "" : current.name() + ": ") + "unknown command '"
                    + tokens.get(0).text() + "'" + didYouMean(word, known) + "; 'help' lists the commands"
                    + (current == null ? "" : " of this level, 'up' goes back to the top"));
        }
        List<Token> rest = tokens.subList(1, tokens.size());
        if (levels.containsKey(top)) {
            Level target = levels.get(top);
            if (rest.isEmpty()) {
                if (current != null && current != target && !leave()) {
                    return 1;
                }
                current = target;
                return 0;
            }
            Level saved = current;
            current = target;
            try {
                String cmd = resolve(rest.get(0).text().toLowerCase(Locale.ROOT), target.commands(), rest.get(0));
                if (cmd == null) {
                    if (GLOBAL.contains(rest.get(0).text())) {
                        return exec(rest);
                    }
                    throw new CrmException(top + ": unknown command '" + rest.get(0).text() + "'"
                            + didYouMean(rest.get(0).text().toLowerCase(Locale.ROOT), target.commands()) + "; 'help " + top
                            + "' lists its commands");
                }
                List<Token> words = new ArrayList<>(rest);
                words.set(0, new Token(cmd, rest.get(0).column()));
                int rc = target.run(this, words);
                if (rc != 0) {
                    errorsSinceCommit++;
                }
                // "configure primitive ..." typed outside configure enters and leaves the level in one go:
                // the change is settled then, as crmsh does on leaving the level.
                if (target.name().equals("configure") && saved != target && session.pending()) {
                    settlePending();
                }
                return rc;
            } finally {
                current = saved;
            }
        }
        switch (top) {
            case "status" -> {
                return StatusCommand.run(this, rest);
            }
            case "verify" -> {
                return ((ConfigureLevel) levels.get("configure")).verify(this);
            }
            default -> {
                BiFunction<String, List<String>, Integer> ext = external.get(top);
                if (ext == null) {
                    throw new CrmException("'" + top + "' is not available in this build");
                }
                List<String> args = new ArrayList<>();
                rest.forEach(t -> args.add(t.text()));
                return ext.apply(top, args);
            }
        }
    }

    List<String> topCommands() {
        List<String> out = new ArrayList<>();
        for (String t : TOP) {
            if ((levels.containsKey(t) && !t.equals("ra")) || external.containsKey(t) || t.equals("status")
                    || t.equals("verify")) {
                out.add(t);
            }
        }
        return out;
    }

    /** " (did you mean 'x'?)" for a typo within two edits of one command, else "". */
    public static String didYouMean(String word, List<String> names) {
        String best = null;
        int bestDistance = 3;
        for (String n : names) {
            int d = CibValidator.editDistance(word, n, bestDistance);
            if (d < bestDistance) {
                bestDistance = d;
                best = n;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** Exact name, or a unique prefix; an ambiguous prefix is an error that lists the candidates. */
    static String resolve(String word, List<String> names, Token at) throws CrmException {
        if (names.contains(word)) {
            return word;
        }
        List<String> matches = names.stream().filter(n -> n.startsWith(word)).toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.size() > 1) {
            throw new CrmException("'" + at.text() + "' is ambiguous: it could be " + String.join(", ", matches)
                    + "; type more of it");
        }
        return null;
    }

    /** Leaves the current level; changes pending there are committed (batch) or asked about. */
    boolean leave() throws CrmException {
        if (current != null && current.name().equals("configure") && session.pending()) {
            if (!settlePending()) {
                return false;
            }
        }
        current = null;
        return true;
    }

    public boolean leaveAll() throws CrmException {
        if (session.pending() && !settlePending()) {
            return false;
        }
        current = null;
        return true;
    }

    /**
     * crmsh: leaving with changes pending asks in a terminal, and commits in batch mode. Pulse
     * does not commit a batch after an error, so a script that failed half way writes nothing.
     */
    boolean settlePending() throws CrmException {
        if (session.interactive) {
            if (session.confirm("There are changes pending. Do you want to commit them", false)) {
                session.commit();
                errorsSinceCommit = 0;
            } else {
                session.discard();
            }
            return true;
        }
        if (errorsSinceCommit > 0) {
            session.error("not committed: " + errorsSinceCommit + " command(s) failed; "
                    + session.source().describe() + " is unchanged. Fix the script and run it again");
            session.discard();
            return true;
        }
        try {
            session.commit();
        } catch (CrmException e) {
            // refused: a batch cannot fix it, so the changes go (the source was not written)
            session.discard();
            throw e;
        }
        return true;
    }

    private int help(List<Token> tokens) {
        List<String> names;
        Level l = current;
        if (tokens.size() > 1) {
            String what = tokens.get(1).text().toLowerCase(Locale.ROOT);
            if (levels.containsKey(what)) {
                l = levels.get(what);
            } else {
                Level in = l;
                if (in != null && in.commands().contains(what)) {
                    session.out.println(in.usage(what));
                    return 0;
                }
                // At the top, "help status" is the top command's, not the resource level's "status".
                if (what.equals("status")) {
                    session.out.print(StatusCommand.usage());
                    return 0;
                }
                if (what.equals("verify")) {
                    session.out.println("verify   check the configuration (as configure verify); exit status 1 when it has errors");
                    return 0;
                }
                for (Level any : levels.values()) {
                    if (any.commands().contains(what)) {
                        session.out.println(any.name() + " " + any.usage(what));
                        return 0;
                    }
                }
                session.error("help: no command '" + tokens.get(1).text() + "'; 'help' lists the commands");
                return 1;
            }
        }
        if (l == null) {
            session.out.println("Levels and commands (help LEVEL for more):");
            for (String t : topCommands()) {
                session.out.println("  " + t + (levels.containsKey(t) ? "/" : ""));
            }
            session.out.println("  help, ls, cd LEVEL, up, end, quit");
            return 0;
        }
        names = l.commands();
        session.out.println(l.name() + " commands:");
        for (String n : names) {
            session.out.println("  " + l.usage(n));
        }
        session.out.println("  up, end, help [COMMAND], quit");
        return 0;
    }
}
