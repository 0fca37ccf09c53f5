package org.pulse.shell.levels;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.config.Tree;
import org.pulse.shell.parse.Syntax;
import org.pulse.shell.parse.Token;
import org.pulse.shell.render.CliFormatter;
import org.pulse.shell.render.LineDiff;
import org.pulse.shell.source.FileCibSource;

/**
 * Shadow CIBs: copies to try changes on without touching the cluster (or the file). Each is a
 * file {@code shadow.NAME} in the shadow directory ($CIB_shadow_dir, else ~/.config/pulse/shadow).
 * {@code cib use NAME} points every following command at it; {@code cib commit NAME} writes it
 * back to the real CIB, validated and with the version bumped.
 */
public final class CibLevel extends Level {
    private static final Map<String, String> USAGE = new LinkedHashMap<>();

    static {
        USAGE.put("new", "new <name> [empty] [--force]   copy the CIB into a shadow and use it");
        USAGE.put("use", "use [<name>|live]   work on a shadow, or back on the real CIB");
        USAGE.put("diff", "diff [<name>]   what the shadow changes, in crm syntax (- removed, + added)");
        USAGE.put("commit", "commit [<name>]   write the shadow to the real CIB");
        USAGE.put("delete", "delete <name>   remove a shadow");
        USAGE.put("list", "list   the shadows");
        USAGE.put("cibstatus", "cibstatus   (crmsh's status editing: not in Pulse yet; the message says what does it)");
        USAGE.put("reset", "reset <name>   copy the real CIB into the shadow again");
    }

    CibLevel() {
        super("cib", USAGE);
    }

    public static FileCibSource shadowSource(Path dir, String name) {
        return new FileCibSource(dir.resolve("shadow." + name), name);
    }

    @Override
    int run(Shell shell, List<Token> words) throws CrmException {
        Session s = shell.session;
        String cmd = words.get(0).text();
        List<String> args = arguments(words);
        Path dir = s.shadowDir;
        switch (cmd) {
            case "new", "reset" -> {
                String name = name(cmd, args);
                boolean empty = args.contains("empty");
                boolean force = args.contains("--force") || args.contains("force") || cmd.equals("reset");
                FileCibSource shadow = shadowSource(dir, name);
                if (shadow.exists() && !force) {
                    throw new CrmException("cib.new: shadow " + name + " exists (" + shadow.describe()
                            + "); use another name, 'cib reset " + name + "', or 'cib new " + name + " --force'");
                }
                if (cmd.equals("reset") && !shadow.exists()) {
                    throw new CrmException("cib.reset: no shadow " + name + "; 'cib list' shows them");
                }
                settle(shell);
                XmlElement content = empty ? Cib.empty().root() : s.primary.load();
                FileCibSource.write(shadow.file(), Cib.of(content).toXml());
                s.use(shadow);
                s.info("cib." + cmd + ": " + name + " shadow CIB " + (cmd.equals("new") ? "created" : "reset"));
                return 0;
            }
            case "use" -> {
                settle(shell);
                if (args.isEmpty() || args.get(0).equals("live")) {
                    s.use(s.primary);
                    return 0;
                }
                FileCibSource shadow = existing(dir, "use", args.get(0));
                s.use(shadow);
                return 0;
            }
            case "diff" -> {
                FileCibSource shadow = args.isEmpty() ? current(s, "diff") : existing(dir, "diff", args.get(0));
                String before = CliFormatter.show(new Configuration(s.primary.load()).objects());
                String after = CliFormatter.show(new Configuration(shadow.load()).objects());
                String d = LineDiff.diff(before, after);
                s.out.print(d);
                return 0;
            }
            case "commit" -> {
                FileCibSource shadow = args.isEmpty() ? current(s, "commit") : existing(dir, "commit", args.get(0));
                settle(shell);
                XmlElement before = s.primary.load();
                XmlElement shadowCib = shadow.load();
                // The shadow's configuration replaces the real one; the real status stays (the cluster owns it).
                XmlElement after = Tree.withSection(before, "configuration", Tree.section(shadowCib, "configuration"));
                if (after.equals(before)) {
                    s.info("cib.commit: shadow " + shadow.name() + " has no changes");
                    return 0;
                }
                s.write(before, after);
                s.info("cib.commit: committed '" + shadow.name() + "' shadow CIB to " + s.primary.describe());
                return 0;
            }
            case "delete" -> {
                String name = name(cmd, args);
                FileCibSource shadow = existing(dir, "delete", name);
                if (s.source() instanceof FileCibSource f && f.file().equals(shadow.file())) {
                    throw new CrmException("cib.delete: " + name + " is in use; 'cib use live' first");
                }
                try {
                    Files.delete(shadow.file());
                } catch (IOException e) {
                    throw new CrmException("cib.delete: cannot remove " + shadow.describe() + ": " + e.getMessage());
                }
                s.info("cib.delete: " + name + " shadow CIB deleted");
                return 0;
            }
            case "list" -> {
                if (!Files.isDirectory(dir)) {
                    return 0;
                }
                List<String> names = new ArrayList<>();
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "shadow.*")) {
                    for (Path p : ds) {
                        names.add(p.getFileName().toString().substring("shadow.".length()));
                    }
                } catch (IOException e) {
                    throw new CrmException("cib.list: cannot read " + dir + ": " + e.getMessage());
                }
                names.sort(null);
                for (String n : names) {
                    boolean inUse = s.source() instanceof FileCibSource f && f.file().equals(dir.resolve("shadow." + n).toAbsolutePath().normalize());
                    s.out.println((inUse ? "* " : "  ") + n);
                }
                return 0;
            }
            case "cibstatus" -> throw new CrmException("cib cibstatus: not in Pulse yet. To try a status on a copy: 'cib new"
                    + " NAME', then on the shadow 'node clearstate|standby', 'site ticket grant|revoke' and 'resource"
                    + " failcount', and 'crm simulate' (its --op-inject/--node-up/--node-down/--quorum/--ticket-grant"
                    + " options change the status of the input it schedules)");
            default -> throw new CrmException("cib: '" + cmd + "' is not implemented");
        }
    }

    private static String name(String cmd, List<String> args) throws CrmException {
        if (args.isEmpty() || args.get(0).startsWith("-") || args.get(0).equals("empty")) {
            throw new CrmException("cib." + cmd + ": name the shadow; usage: " + USAGE.get(cmd));
        }
        String name = args.get(0);
        if (!Syntax.isValidId(name)) {
            throw new CrmException("cib." + cmd + ": '" + name + "' is not a usable shadow name (letters, digits, '_', '.', '-')");
        }
        return name;
    }

    private static FileCibSource existing(Path dir, String cmd, String name) throws CrmException {
        FileCibSource shadow = shadowSource(dir, name);
        if (!shadow.exists()) {
            throw new CrmException("cib." + cmd + ": no shadow " + name + " (looked for " + shadow.describe()
                    + "); 'cib list' shows them, 'cib new " + name + "' makes it");
        }
        return shadow;
    }

    private static FileCibSource current(Session s, String cmd) throws CrmException {
        if (s.source() != s.primary && s.source() instanceof FileCibSource f) {
            return f;
        }
        throw new CrmException("cib." + cmd + ": no shadow in use; name one, or 'cib use <name>' first");
    }

    /** Changes pending in configure are dealt with before switching CIBs. */
    private static void settle(Shell shell) throws CrmException {
        if (shell.session.pending()) {
            shell.settlePending();
        }
    }
}
