package org.pulse.shell.commands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pulse.cib.Cib;
import org.pulse.cib.CibProblem;
import org.pulse.cib.CibValidator;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;
import org.pulse.cib.xml.XmlWriter;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.config.Tree;
import org.pulse.shell.levels.ConfigureLevel;
import org.pulse.shell.parse.ConfigureParser;
import org.pulse.shell.parse.IdPreserver;
import org.pulse.shell.parse.Lexer;
import org.pulse.shell.parse.Parsed;
import org.pulse.shell.parse.Token;
import org.pulse.shell.render.CliFormatter;

/**
 * {@code edit [xml] [<id>...]}: the objects in $EDITOR (crm syntax, or with {@code xml} the
 * configuration XML), read back into the pending configuration. When what comes back has
 * errors, the editor opens again on the same text with the errors on top as {@code #!} comment
 * lines, so nothing typed is lost; saving it unchanged gives up, and the text is kept in a
 * file whose name is printed.
 */
public final class EditCommand {
    private static final String MARK = "#! ";
    /** A scripted $EDITOR that never fixes its text must not loop forever. */
    private static final int MAX_ROUNDS = 5;
    private final Session s;

    public EditCommand(Session s) {
        this.s = s;
    }

    public int run(List<Token> args) throws CrmException {
        boolean xml = args.stream().anyMatch(t -> t.text().equals("xml"));
        List<String> ids = args.stream().map(Token::text).filter(t -> !t.equals("xml")).toList();
        String editor = s.env.get("EDITOR");
        if (editor == null || editor.isBlank()) {
            editor = s.env.get("VISUAL");
        }
        if (editor == null || editor.isBlank()) {
            if (!s.interactive && !s.tty) {
                throw new CrmException("configure edit: no editor; set EDITOR (edit is not possible in batch mode without one)");
            }
            editor = "vi";
        }
        Configuration c = s.config();
        List<Configuration.CibObject> selected = ids.isEmpty() ? c.objects() : ConfigureLevel.select(s, c, ids);
        String original = xml ? XmlWriter.toXml(c.configuration()) + "\n" : CliFormatter.show(selected);
        String text = original;
        List<String> errors = List.of();
        Path file = null;
        try {
            file = Files.createTempFile("crm-edit-", xml ? ".xml" : ".crm");
            for (int round = 1; ; round++) {
                if (round > MAX_ROUNDS) {
                    Path kept = keptFile(xml);
                    Files.writeString(kept, text, StandardCharsets.UTF_8);
                    throw new CrmException("configure edit: still not accepted after " + MAX_ROUNDS
                            + " rounds; nothing was changed. Your text is kept in " + kept);
                }
                Files.writeString(file, withErrors(errors, text), StandardCharsets.UTF_8);
                int rc = runEditor(editor, file);
                if (rc != 0) {
                    throw new CrmException("configure edit: the editor exited with status " + rc
                            + "; nothing was changed");
                }
                String edited = stripErrors(Files.readString(file, StandardCharsets.UTF_8));
                if (edited.equals(text) && !errors.isEmpty()) {
                    Path kept = keptFile(xml);
                    Files.writeString(kept, edited, StandardCharsets.UTF_8);
                    throw new CrmException("configure edit: saved without fixing the errors; nothing was changed. "
                            + "Your text is kept in " + kept);
                }
                if (edited.equals(original)) {
                    s.info("no changes");
                    return 0;
                }
                text = edited;
                try {
                    Configuration next = xml ? fromXml(c, edited) : fromCrm(c, selected, edited);
                    s.update(next);
                    return 0;
                } catch (CrmException e) {
                    errors = List.of(e.getMessage().split("\n"));
                    if (!s.interactive && !s.env.containsKey("EDITOR")) {
                        throw e;
                    }
                    s.err.println("ERROR: " + e.getMessage());
                    s.info("the editor opens again with the errors on top; save it unchanged to give up");
                }
            }
        } catch (IOException e) {
            throw new CrmException("configure edit: " + e.getMessage());
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    /**
     * crmsh's {@code configure filter PROG [xml] [ID...]}: the objects (crm syntax, one line each; or, with xml, the
     * whole configuration) go through {@code sh -c PROG} as a filter, and what it prints replaces them, checked as an
     * edit is. A program that fails, hangs past {@link #FILTER_TIMEOUT_S}, or prints what does not parse changes
     * nothing.
     */
    public int filter(List<Token> args) throws CrmException {
        if (args.isEmpty()) {
            throw new CrmException("configure filter: name the program, quoted: filter \"sed 's/a/b/'\" [xml] [<id>...]");
        }
        String program = args.get(0).text();
        List<Token> rest = args.subList(1, args.size());
        boolean xml = rest.stream().anyMatch(t -> t.text().equals("xml"));
        List<String> ids = rest.stream().map(Token::text).filter(t -> !t.equals("xml")).toList();
        if (xml && !ids.isEmpty()) {
            throw new CrmException("configure filter: with xml the whole configuration goes through the filter; drop"
                    + " the ids, or filter them in crm syntax (without xml)");
        }
        Configuration c = s.config();
        List<Configuration.CibObject> selected = ids.isEmpty() ? c.objects() : ConfigureLevel.select(s, c, ids);
        String original = xml ? XmlWriter.toXml(c.configuration()) + "\n"
                : String.join("\n", joinContinuations(CliFormatter.show(selected))) + "\n";
        String filtered = runFilter(program, original);
        if (filtered.equals(original)) {
            s.info("no changes");
            return 0;
        }
        s.update(xml ? fromXml(c, filtered) : fromCrm(c, selected, filtered));
        return 0;
    }

    private static final long FILTER_TIMEOUT_S = 60;

    private static String runFilter(String program, String input) throws CrmException {
        Path out = null;
        try {
            out = Files.createTempFile("crm-filter-", ".out");
            Process p = new ProcessBuilder("sh", "-c", program).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (var stdin = p.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // the program need not read all its input (head, a fixed text): what it prints counts
            }
            if (!p.waitFor(FILTER_TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new CrmException("configure filter: '" + program + "' did not finish in " + FILTER_TIMEOUT_S
                        + " s; stopped, nothing was changed");
            }
            if (p.exitValue() != 0) {
                throw new CrmException("configure filter: '" + program + "' exited with status " + p.exitValue()
                        + "; nothing was changed");
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CrmException("configure filter: cannot run '" + program + "': " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CrmException("configure filter: interrupted; nothing was changed");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a leftover temporary file is harmless
                }
            }
        }
    }

    /** Where text that could not be applied is kept: ~/.config/pulse/edit-kept-TIME.crm (or .xml). */
    private Path keptFile(boolean xml) throws IOException {
        Path dir = s.home().resolve(".config/pulse");
        Files.createDirectories(dir);
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC)
                .format(s.clock.instant());
        return dir.resolve("edit-kept-" + stamp + (xml ? ".xml" : ".crm"));
    }

    private int runEditor(String editor, Path file) throws IOException, CrmException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", editor + " \"$1\"", "editor", file.toString());
        if (s.interactive || s.tty) {
            pb.inheritIO();
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.INHERIT).redirectErrorStream(true);
        }
        Process p = pb.start();
        try {
            if (!s.interactive && !s.tty) {
                p.getInputStream().transferTo(s.err);
            }
            return p.waitFor();
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new CrmException("configure edit: interrupted; nothing was changed");
        }
    }

    private static String withErrors(List<String> errors, String text) {
        if (errors.isEmpty()) {
            return text;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(MARK).append("The text below was not accepted; fix it and save (lines starting with #! are ignored):\n");
        for (String e : errors) {
            sb.append(MARK).append(e).append('\n');
        }
        return sb.append(text).toString();
    }

    private static String stripErrors(String text) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            if (!line.startsWith("#!")) {
                sb.append(line).append('\n');
            }
        }
        String out = sb.toString();
        return out.endsWith("\n\n") ? out.substring(0, out.length() - 1) : out;
    }

    /** The edited objects are replaced by what the text says: removed lines delete, new lines create. */
    private Configuration fromCrm(Configuration c, List<Configuration.CibObject> selected, String text)
            throws CrmException {
        List<String> commands = joinContinuations(text);
        List<String> editedIds = new ArrayList<>();
        for (Configuration.CibObject o : selected) {
            editedIds.add(o.id());
        }
        // Remove the edited objects first (without touching constraints on resources that come back).
        Configuration next = c;
        Set<String> resourcesBack = new HashSet<>();
        List<Parsed> parsed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int lineNo = 0;
        for (String cmd : commands) {
            lineNo++;
            try {
                List<Token> tokens = Lexer.split(cmd);
                if (tokens.isEmpty()) {
                    continue;
                }
                if (!ConfigureParser.isObjectCommand(tokens.get(0).text())) {
                    throw new CrmException("'" + tokens.get(0).text() + "' is not an object (primitive, group, location, ...)");
                }
                Parsed p = ConfigureParser.parse(tokens, c.nodeNames());
                // "primitive d1 Dummy", as show writes an ocf:heartbeat agent, comes back as that agent
                org.pulse.shell.config.Agents.qualify(s.agents, p.node());
                parsed.add(p);
                if (p.node().get("id") != null) {
                    resourcesBack.add(p.node().get("id"));
                }
            } catch (CrmException e) {
                problems.add("object " + lineNo + " (" + firstWords(cmd) + "): " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new CrmException(String.join("\n", problems));
        }
        XmlElement conf = c.configuration();
        XmlElement stripped = Tree.transform(conf, e -> {
            if ((e.id() != null && editedIds.contains(e.id()) && isObject(e))
                    || (e.name().equals("fencing-topology") && editedIds.contains("fencing_topology"))) {
                return null;
            }
            return e;
        });
        // Children of edited groups/clones that are not edited themselves go back to top level.
        List<XmlElement> orphans = new ArrayList<>();
        for (Configuration.CibObject o : selected) {
            for (XmlElement k : o.element().elements()) {
                if (Configuration.RESOURCE_TAGS.contains(k.name()) && !editedIds.contains(k.id())) {
                    orphans.add(k);
                }
            }
        }
        if (!orphans.isEmpty()) {
            XmlElement res = Tree.section(stripped, "resources");
            for (XmlElement k : orphans) {
                res = res.withChildAppended(k);
            }
            stripped = Tree.withSection(stripped, "resources", res);
        }
        next = c.withConfigurationElement(stripped);
        // Primitives first, then containers, then the rest: a group names primitives that must exist.
        List<Parsed> ordered = ConfigureParser.dependencyOrder(parsed).stream().map(parsed::get).toList();
        List<String> infos = new ArrayList<>();
        for (Parsed p : ordered) {
            String pid = p.node().get("id");
            if (pid != null) {
                c.find(pid).ifPresent(o -> IdPreserver.preserve(p.node(), o.element()));
            }
            try {
                next = next.add(p, infos);
            } catch (CrmException e) {
                problems.add(e.getMessage());
            }
        }
        // Resources that were edited away: constraints on them go, as with delete.
        for (String id : editedIds) {
            boolean wasResource = c.find(id).map(o -> Configuration.RESOURCE_TAGS.contains(o.element().name()))
                    .orElse(false);
            if (wasResource && next.find(id).isEmpty()) {
                next = next.dropReferencesTo(id, infos);
            }
        }
        if (!problems.isEmpty()) {
            throw new CrmException(String.join("\n", problems));
        }
        infos.forEach(s.err::println);
        return next;
    }

    private static boolean isObject(XmlElement e) {
        return Configuration.TYPES.containsKey(e.name()) || e.name().equals("meta_attributes");
    }

    private Configuration fromXml(Configuration c, String text) throws CrmException {
        XmlElement conf;
        try {
            conf = XmlParser.parse("edited XML", text);
        } catch (XmlParseException e) {
            throw new CrmException(e.getMessage());
        }
        if (!conf.name().equals("configuration")) {
            throw new CrmException("the edited XML has <" + conf.name() + "> at the top; keep <configuration>");
        }
        Configuration next = c.withConfigurationElement(conf);
        List<CibProblem> problems = CibValidator.validate(Cib.of(next.cib()));
        List<String> errs = new ArrayList<>();
        for (CibProblem p : problems) {
            if (p.isError()) {
                errs.add("line " + p.line() + ": " + Session.problemText(p));
            }
        }
        if (!errs.isEmpty()) {
            throw new CrmException(String.join("\n", errs));
        }
        return next;
    }

    /** crm text: a line ending with a backslash continues on the next; '#' lines are comments. */
    public static List<String> joinContinuations(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String raw : text.split("\n", -1)) {
            String line = raw.stripTrailing();
            if (cur.length() == 0 && (line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            cur.append(line);
            out.add(cur.toString().strip());
            cur.setLength(0);
        }
        if (cur.length() > 0) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    private static String firstWords(String cmd) {
        String[] w = cmd.split("\\s+");
        return w.length >= 2 ? w[0] + " " + w[1] : w[0];
    }

}
