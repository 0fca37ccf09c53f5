package org.pulse.shell;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.Cib;
import org.pulse.cib.CibProblem;
import org.pulse.cib.CibValidator;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.config.Agents;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.source.CibSource;

/**
 * What one run of the shell works on: where the CIB comes from, the configuration being edited
 * (uncommitted changes live here until commit), where output goes, and the environment
 * (editor, shadow directory, agents, clock). Everything a command needs is reached from here,
 * so tests build a Session with their own streams, files and clock.
 */
public final class Session {
    public final PrintStream out;
    public final PrintStream err;
    final BufferedReader in;
    public final Map<String, String> env;
    public final Clock clock;
    public final Agents agents;
    /** Interactive: prompts and questions; batch: no questions, pending changes committed on leaving. */
    public final boolean interactive;
    /**
     * A one-shot command run from a terminal: it may ask (erase) and open an editor, but like
     * crmsh it commits on its own when done.
     */
    public boolean tty;
    /** -F / --force: commit despite validation errors, erase without asking. */
    public boolean force;
    /** Check agents and their parameters when resources are created (tests of pure syntax switch it off). */
    public boolean agentChecks = true;
    private CibSource source;
    private XmlElement base;
    private Configuration working;
    /** In a terminal: asks with the line editor (prompt → answer, null at end of input). */
    public java.util.function.Function<String, String> asker;
    /** Where shadow CIBs are kept (files shadow.NAME). */
    public Path shadowDir;
    /** The live source when a shadow is in use, to switch back with 'cib use live'. */
    public CibSource primary;

    Session(CibSource source, PrintStream out, PrintStream err, BufferedReader in, Map<String, String> env,
            Clock clock, Agents agents, boolean interactive) {
        this.source = source;
        this.primary = source;
        this.out = out;
        this.err = err;
        this.in = in;
        this.env = env;
        this.clock = clock;
        this.agents = agents;
        this.interactive = interactive;
    }

    public CibSource source() {
        return source;
    }

    /** Switches to another CIB (a shadow, or back); pending changes must have been dealt with. */
    public void use(CibSource next) {
        source = next;
        base = null;
        working = null;
    }

    public void info(String msg) {
        err.println("INFO: " + msg);
    }

    public void warn(String msg) {
        err.println("WARNING: " + msg);
    }

    public void error(String msg) {
        err.println("ERROR: " + msg);
    }

    /** The configuration being edited, loaded on first use. */
    public Configuration config() throws CrmException {
        if (working == null) {
            base = source.load();
            working = new Configuration(base);
        }
        return working;
    }

    public XmlElement base() throws CrmException {
        config();
        return base;
    }

    public void update(Configuration next) {
        working = next;
    }

    public boolean pending() {
        return working != null && !working.cib().equals(base);
    }

    public void discard() {
        working = null;
        base = null;
    }

    /**
     * Validates and writes the pending changes. Problems the CIB already had are not held
     * against the change (they are listed by verify); new errors refuse the commit unless forced.
     */
    public int commit() throws CrmException {
        if (!pending()) {
            info("apparently there is nothing to commit");
            return 0;
        }
        XmlElement stored = write(base, working.cib());
        base = stored;
        working = new Configuration(stored);
        return 0;
    }

    /**
     * Validates {@code after} against {@code before} and writes it to the source. Problems the
     * CIB already had are not held against the change (verify lists them); new errors refuse the
     * write unless forced.
     */
    public XmlElement write(XmlElement before, XmlElement after) throws CrmException {
        List<CibProblem> was = CibValidator.validate(Cib.of(before));
        List<CibProblem> now = CibValidator.validate(Cib.of(after));
        Set<String> known = new HashSet<>();
        for (CibProblem p : was) {
            known.add(p.elementId() + "|" + p.problem());
        }
        boolean errors = false;
        for (CibProblem p : now) {
            if (known.contains(p.elementId() + "|" + p.problem())) {
                continue;
            }
            if (p.isError()) {
                errors = true;
                error(problemText(p));
            } else {
                warn(problemText(p));
            }
        }
        if (errors && !force) {
            throw new CrmException("the change was not committed: fix the errors above (or commit with -F to force)");
        }
        if (errors) {
            info("commit forced");
        }
        return source.replace(before, after);
    }

    /**
     * Resource and node commands act at once, as in crmsh: read the CIB as stored, change it,
     * write it back. Refused while configure has uncommitted changes, so the two never mix.
     */
    public void applyNow(String what, CibChange change) throws CrmException {
        if (pending()) {
            throw new CrmException(what + ": the configuration has uncommitted changes; commit them (configure commit) "
                    + "or drop them (configure refresh) first");
        }
        XmlElement before = source.load();
        XmlElement after = change.apply(before);
        if (!after.equals(before)) {
            write(before, after);
        }
        discard();
    }

    /** A change of the whole CIB document. */
    public interface CibChange {
        XmlElement apply(XmlElement cib) throws CrmException;
    }

    /** A problem in an in-memory CIB has no file or line: print just the id, the problem and the fix. */
    public static String problemText(CibProblem p) {
        StringBuilder sb = new StringBuilder();
        if (p.elementId() != null) {
            sb.append(p.elementId()).append(": ");
        }
        sb.append(p.problem());
        if (!p.fix().isEmpty()) {
            sb.append("; ").append(p.fix());
        }
        return sb.toString();
    }

    /** Asks a yes/no question; batch sessions never ask and take {@code batchAnswer}. */
    public boolean confirm(String question, boolean batchAnswer) {
        if (!interactive && !tty) {
            return batchAnswer;
        }
        String line;
        if (asker != null) {
            line = asker.apply(question + " (y/n)? ");
        } else {
            out.print(question + " (y/n)? ");
            out.flush();
            try {
                line = in.readLine();
            } catch (IOException e) {
                return false;
            }
        }
        return line != null && line.trim().toLowerCase().startsWith("y");
    }

    public void close() {
        if (agents != null) {
            agents.close();
        }
    }

    public Path home() {
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")));
    }
}
