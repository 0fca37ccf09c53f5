package org.pulse.shell.levels;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.pulse.cib.Cib;
import org.pulse.cib.CibProblem;
import org.pulse.cib.CibValidator;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlWriter;
import org.pulse.lrm.AgentMetadata;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.commands.EditCommand;
import org.pulse.shell.commands.ImportCommand;
import org.pulse.shell.config.Agents;
import org.pulse.shell.config.Attributes;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.config.FencerParameters;
import org.pulse.shell.config.Tree;
import org.pulse.shell.render.StatusModel;
import org.pulse.shell.parse.AclSyntax;
import org.pulse.shell.parse.ConfigureParser;
import org.pulse.shell.parse.IdPreserver;
import org.pulse.shell.parse.Lexer;
import org.pulse.shell.parse.MNode;
import org.pulse.shell.parse.Parsed;
import org.pulse.shell.parse.Token;
import org.pulse.shell.render.CliFormatter;
import org.pulse.shell.source.FileCibSource;

/** The configure level: objects in crm syntax, show, edit, verify, commit, erase, delete, rename. */
public final class ConfigureLevel extends Level {
    private static final Map<String, String> USAGE = new LinkedHashMap<>();

    static {
        USAGE.put("primitive", "primitive <id> [<class>:[<provider>:]]<type> [params <n>=<v>...] [meta ...] [utilization ...] [op <name> <attr>=<v>...]");
        USAGE.put("rsc_template", "rsc_template <id> <class>:[<provider>:]<type> [params ...] [meta ...] [op ...]");
        USAGE.put("group", "group <id> <rsc> [<rsc>...] [meta <n>=<v>...]");
        USAGE.put("clone", "clone <id> <rsc> [meta <n>=<v>...]   (meta promotable=true for a promotable clone)");
        USAGE.put("ms", "ms <id> <rsc> [meta ...]   (deprecated: a <master>; prefer clone ... meta promotable=true)");
        USAGE.put("location", "location <id> <rsc> [role=<role>] {<score>: <node> | rule [<score>:] <expression> ...}");
        USAGE.put("colocation", "colocation <id> <score>: <rsc>[:<role>] <with-rsc>[:<role>] | <resource sets>");
        USAGE.put("order", "order <id> [Mandatory:|Optional:|Serialize:|<score>:] <first>[:<action>] <then>[:<action>] [symmetrical=<bool>]");
        USAGE.put("rsc_ticket", "rsc_ticket <id> <ticket>: <rsc>[:<role>] [<rsc>[:<role>]...] [loss-policy=stop|demote|fence|freeze]");
        USAGE.put("property", "property [<set-id>:] <name>=<value>...");
        USAGE.put("rsc_defaults", "rsc_defaults [<set-id>:] <name>=<value>...");
        USAGE.put("op_defaults", "op_defaults [<set-id>:] <name>=<value>...");
        USAGE.put("node", "node <uname> [attributes <n>=<v>...] [utilization <n>=<v>...]");
        USAGE.put("tag", "tag <id>: <object> [<object>...]");
        USAGE.put("fencing_topology", "fencing_topology [<node>: | attr:<n>=<v> | pattern:<re>] <devices>[,<devices>] ...");
        USAGE.put("alert", "alert <id> <path> [attributes <n>=<v>...] [meta <n>=<v>...] [select nodes|fencing|resources|attributes [{ <name>... }]...] [to <recipient> [attributes ...] [meta ...] | to { <recipient> ... }]...");
        USAGE.put("xml", "xml <element .../>   an object as CIB XML (what crm syntax cannot say, e.g. a rule in a rule)");
        USAGE.put("show", "show [xml] [<id>... | type:<type> | tag:<tag> | related:<id> | changed]   the configuration in crm syntax, or XML");
        USAGE.put("save", "save [xml] <file>   write the configuration in crm syntax (for load replace), or the CIB as XML");
        USAGE.put("edit", "edit [xml] [<id>...]   edit in $EDITOR; errors bring you back to the editor");
        USAGE.put("verify", "verify   check the configuration (errors name the element and what to do)");
        USAGE.put("commit", "commit [force]   write the pending changes");
        USAGE.put("erase", "erase [--force]   remove all resources, constraints and options (nodes stay)");
        USAGE.put("delete", "delete [--force] <id> [<id>...]   remove objects (constraints on them go too; a running resource only with --force)");
        USAGE.put("rename", "rename <old-id> <new-id>   rename an object and the references to it");
        USAGE.put("refresh", "refresh   drop pending changes and reload the CIB");
        USAGE.put("bundle", "bundle <id> ...   (crm syntax not parsed yet: configure xml '<bundle ...>'; the message shows the form)");
        USAGE.put("filter", "filter \"<prog>\" [xml] [<id>...]   pass objects (crm syntax, one line each) through a program; its output replaces them");
        USAGE.put("graph", org.pulse.shell.commands.GraphCommand.USAGE);
        USAGE.put("set", "set <id>.[<op>.][<interval>.]<name> <value>   change a parameter, meta attribute, utilization value or an operation's attribute");
        USAGE.put("modgroup", "modgroup <group> add <rsc> [before|after <member>] | modgroup <group> remove <rsc>   change a group's members");
        USAGE.put("get_property", "get_property [-t] <name>...   a cluster property's value (-t: as true or false)");
        USAGE.put("load", "load [xml] update|replace|push <file>   merge (update) or replace (push: the same) the configuration with a file of crm commands or CIB XML");
        USAGE.put("import", ImportCommand.USAGE);
        USAGE.putAll(AclSyntax.USAGE);
    }

    ConfigureLevel() {
        super("configure", USAGE);
    }

    @Override
    int run(Shell shell, List<Token> words) throws CrmException {
        Session s = shell.session;
        String cmd = words.get(0).text();
        if (ConfigureParser.isObjectCommand(cmd)) {
            return create(s, words);
        }
        List<Token> args = words.subList(1, words.size());
        switch (cmd) {
            case "show" -> {
                return show(s, args);
            }
            case "save" -> {
                return save(s, args);
            }
            case "edit" -> {
                return new EditCommand(s).run(args);
            }
            case "verify" -> {
                return verify(shell);
            }
            case "commit" -> {
                boolean saved = s.force;
                s.force |= args.stream().anyMatch(t -> t.text().equals("force"));
                try {
                    int rc = s.commit();
                    shell.errorsSinceCommit = 0;
                    return rc;
                } finally {
                    s.force = saved;
                }
            }
            case "erase" -> {
                return erase(s, args);
            }
            case "get_property" -> {
                return getProperty(s, args);
            }
            case "delete" -> {
                if (args.isEmpty()) {
                    throw new CrmException("configure delete: name the objects to delete; 'show' lists them");
                }
                // crmsh's rule on a live cluster: a running resource is not deleted (the cluster would stop
                // it as an orphan); stop it first, or force it (-F, --force)
                List<String> ids = new ArrayList<>();
                List<String> running = running(s, args.stream().map(Token::text).filter(a -> !a.equals("--force")).toList());
                boolean force = s.force || args.stream().anyMatch(a -> a.text().equals("--force"));
                for (Token a : args) {
                    if (a.text().equals("--force")) {
                        continue;
                    }
                    List<String> runningUsers = running(s, s.config().templateUsers(a.text()));
                    if (!runningUsers.isEmpty() && !force) {
                        // deleting a template deletes what was made from it (crmsh): not while that runs
                        s.warn("template " + a.text() + " is used by running " + String.join(", ", runningUsers)
                                + ", which would go with it; stop " + (runningUsers.size() == 1 ? "it" : "them")
                                + " first, or delete it with --force");
                        continue;
                    }
                    if (running.contains(a.text()) && !force) {
                        s.warn("resource " + a.text() + " is running, can't delete it; stop it first (crm resource stop "
                                + a.text() + "), or delete it with --force");
                        continue;
                    }
                    ids.add(a.text());
                }
                if (ids.isEmpty()) {
                    return 0;
                }
                List<String> infos = new ArrayList<>();
                Configuration next = s.config().delete(ids, infos);
                infos.forEach(s.err::println);
                s.update(next);
                return 0;
            }
            case "rename" -> {
                if (args.size() != 2) {
                    throw new CrmException("configure rename: usage: rename <old-id> <new-id>");
                }
                if (!running(s, List.of(args.get(0).text())).isEmpty()) {
                    throw new CrmException("configure rename: cannot rename a running resource (" + args.get(0).text()
                            + "); stop it first (crm resource stop " + args.get(0).text() + ")");
                }
                List<String> infos = new ArrayList<>();
                Configuration next = s.config().rename(args.get(0).text(), args.get(1).text(), infos);
                infos.forEach(s.err::println);
                s.update(next);
                return 0;
            }
            case "bundle" -> throw new CrmException("configure bundle: the crm syntax of a bundle is not parsed yet; give it"
                    + " as XML: configure xml '<bundle id=\"ID\"><podman image=\"IMAGE\" replicas=\"N\"/><network"
                    + " control-port=\"3121\"/><primitive .../></bundle>' (or 'configure load xml update FILE');"
                    + " 'show' prints it, 'show xml ID' in the form that loads back");
            case "filter" -> {
                return new EditCommand(s).filter(args);
            }
            case "graph" -> {
                return org.pulse.shell.commands.GraphCommand.run(s, arguments(words));
            }
            case "set" -> {
                if (args.size() != 2) {
                    throw new CrmException("configure set: usage: " + USAGE.get("set"));
                }
                s.update(s.config().setAttribute(args.get(0).text(), args.get(1).text()));
                return 0;
            }
            case "modgroup" -> {
                return modgroup(s, args);
            }
            case "load" -> {
                return load(shell, args);
            }
            case "import" -> {
                return ImportCommand.run(s, args);
            }
            case "refresh" -> {
                if (s.pending() && !s.confirm("There are changes pending. Drop them and reload", true)) {
                    return 0;
                }
                s.discard();
                s.config();
                return 0;
            }
            default -> throw new CrmException("configure: '" + cmd + "' is not implemented");
        }
    }

    /** Parses an object command, checks it, and adds it to the pending configuration. */
    public static int create(Session s, List<Token> words) throws CrmException {
        Parsed parsed = ConfigureParser.parse(words, s.config().nodeNames());
        if (s.agentChecks && (parsed.node().name.equals("primitive") || parsed.node().name.equals("template"))) {
            checkAgent(s, parsed);
        } else {
            resolveAgent(s, parsed.node());
        }
        for (String w : parsed.warnings()) {
            s.warn(w);
        }
        List<String> infos = new ArrayList<>();
        Configuration next = s.config().add(parsed, infos);
        infos.forEach(s.err::println);
        s.update(next);
        return 0;
    }

    /** Which of {@code ids} are resources active somewhere on the live cluster (none on a file: nothing runs there). */
    private static List<String> running(Session s, List<String> ids) throws CrmException {
        if (!s.source().live()) {
            return List.of();
        }
        StatusModel m = new StatusModel(s.source().load(), s.clock.instant());
        return ids.stream().filter(id -> !m.activeNodes(id).isEmpty()).toList();
    }

    private static void resolveAgent(Session s, MNode node) {
        Agents.qualify(s.agents, node);
    }

    /** Unknown agents, unknown parameters and missing required ones refuse the command (crmsh does the same). */
    private static void checkAgent(Session s, Parsed parsed) throws CrmException {
        try {
            checkAgentStrict(s, parsed);
        } catch (CrmException e) {
            if (!s.force) {
                throw e;
            }
            // -F: the agent may live only on the cluster nodes, not on this machine
            s.warn(e.getMessage());
            s.info("accepted anyway (-F)");
        }
    }

    private static void checkAgentStrict(Session s, Parsed parsed) throws CrmException {
        MNode node = parsed.node();
        if (node.get("template") != null) {
            return;
        }
        resolveAgent(s, node);
        String cls = node.get("class");
        String provider = node.get("provider");
        String type = node.get("type");
        String ctx = "configure " + (node.name.equals("template") ? "rsc_template" : "primitive") + " " + node.get("id");
        if (!List.of("ocf", "lsb", "stonith").contains(cls)) {
            throw new CrmException(ctx + ": resource class '" + cls + "' is not supported; use ocf, lsb or stonith");
        }
        String agent = provider == null ? cls + ":" + type : cls + ":" + provider + ":" + type;
        Map<String, String> given = new LinkedHashMap<>();
        for (MNode set : node.children) {
            if (set.name.equals("instance_attributes")) {
                for (MNode nv : set.children) {
                    if (nv.name.equals("nvpair") && nv.get("name") != null) {
                        given.put(nv.get("name"), nv.get("value"));
                    }
                }
            }
        }
        boolean stonith = cls.equals("stonith");
        List<String> problems = new ArrayList<>();
        // The fencer's own parameters are checked whether or not the agent is installed here: a
        // misspelt pcmk_host_list would leave the device fencing nobody (or everybody).
        if (stonith) {
            for (Map.Entry<String, String> g : given.entrySet()) {
                String why = FencerParameters.SET_BY_FENCER.get(g.getKey());
                if (why != null) {
                    s.warn(node.get("id") + ": parameter \"" + g.getKey() + "\" is not for the configuration: " + why);
                } else if (FencerParameters.isFencerParameter(g.getKey())) {
                    String bad = FencerParameters.valueProblem(g.getKey(), g.getValue());
                    if (bad != null) {
                        problems.add(bad);
                    }
                }
            }
        }
        if (s.agents == null || !s.agents.exists(cls, provider, type)) {
            if (stonith) {
                // As crmsh: a device whose agent is not here is refused unless forced (crm -F, or 'commit force'
                // in a session): the agent may live only on the cluster nodes. The fencer's own parameters are
                // still checked, so that forcing does not let a misspelt pcmk_host_list through.
                for (String g : given.keySet()) {
                    if (g.startsWith("pcmk_") && !FencerParameters.isFencerParameter(g)) {
                        problems.add(unknownFencerParameter(g, agent));
                    }
                }
                refuse(ctx, problems);
                throw new CrmException(ctx + ": fence agent " + type + " not found (looked in "
                        + (s.agents == null ? "no agent directory" : s.agents.stonithDirs()) + "); install it (fence"
                        + " agents are in Debian's fence-agents), check the name with 'ra list stonith', or, if it"
                        + " exists only on the cluster nodes, force it with crm -F");
            }
            throw new CrmException(ctx + ": no such resource agent " + agent
                    + "; 'ra list " + cls + (provider == null ? "" : " " + provider) + "' shows the installed ones"
                    // crmd's agent_dirs are its own: the shell cannot read them from the node's config
                    + " (an agent elsewhere, on crmd's agent_dirs: PULSE_OCF_DIRS=DIR, or crm -F to take it unchecked)");
        }
        Optional<AgentMetadata> md = s.agents.metadata(cls, provider, type);
        if (md.isEmpty()) {
            s.warn(node.get("id") + ": could not read the meta-data of " + agent + "; parameters are not checked");
            refuse(ctx, problems);
            return;
        }
        for (String g : given.keySet()) {
            if (md.get().parameter(g).isPresent()) {
                continue;
            }
            if (stonith && (FencerParameters.isFencerParameter(g) || FencerParameters.SET_BY_FENCER.containsKey(g))) {
                continue;
            }
            if (stonith && g.startsWith("pcmk_")) {
                problems.add(unknownFencerParameter(g, agent));
                continue;
            }
            List<String> known = new ArrayList<>(md.get().parameters().stream().map(AgentMetadata.Parameter::name).toList());
            if (stonith) {
                known.addAll(FencerParameters.NAMES);
            }
            problems.add("parameter \"" + g + "\" is not known to " + agent + Shell.didYouMean(g, known)
                    + "; 'ra info " + agent + "' lists its parameters");
        }
        for (AgentMetadata.Parameter p : md.get().parameters()) {
            // the per-request parameters are required by the agent but supplied by the fencer
            if (stonith && FencerParameters.SET_BY_FENCER.containsKey(p.name())) {
                continue;
            }
            if (p.required() && !given.containsKey(p.name())) {
                problems.add("required parameter \"" + p.name() + "\" not defined; add params " + p.name() + "=<value>");
            }
        }
        MNode ops = node.first("operations");
        if (ops != null) {
            for (MNode op : ops.children) {
                // the fencer, not the agent, starts and stops a device (crmsh skips them too)
                if (stonith && List.of("start", "stop").contains(op.get("name"))) {
                    continue;
                }
                if (!md.get().advertises(op.get("name"))) {
                    s.warn(node.get("id") + ": action '" + op.get("name") + "' not found in the meta-data of " + agent);
                }
            }
        }
        refuse(ctx, problems);
    }

    private static String unknownFencerParameter(String name, String agent) {
        return "parameter \"" + name + "\" is not a fencer parameter" + Shell.didYouMean(name, FencerParameters.names())
                + "; 'ra info " + agent + "' lists the fencer's parameters (pcmk_host_list, pcmk_host_map, ...)";
    }

    private static void refuse(String ctx, List<String> problems) throws CrmException {
        if (problems.isEmpty()) {
            return;
        }
        if (problems.size() == 1) {
            throw new CrmException(ctx + ": " + problems.get(0));
        }
        throw new CrmException(ctx + ":\n  " + String.join("\n  ", problems));
    }

    private int show(Session s, List<Token> args) throws CrmException {
        boolean xml = false;
        List<String> ids = new ArrayList<>();
        for (Token t : args) {
            if (t.text().equals("xml")) {
                xml = true;
            } else {
                ids.add(t.text());
            }
        }
        Configuration c = s.config();
        if (ids.isEmpty()) {
            if (xml) {
                s.out.print(XmlWriter.toDocument(c.cib()));
            } else {
                s.out.print(CliFormatter.show(c.objects()));
            }
            return 0;
        }
        List<Configuration.CibObject> selected = select(s, c, ids);
        if (xml) {
            for (Configuration.CibObject o : selected) {
                s.out.println(XmlWriter.toXml(o.element()));
            }
        } else {
            s.out.print(CliFormatter.show(selected));
        }
        return 0;
    }

    /**
     * crmsh's {@code save [xml] FILE}: the configuration as {@code show} prints it (loadable with
     * {@code load replace}), or with xml the whole CIB; written beside FILE first, then moved
     * over it, so a failed write leaves the old file.
     */
    private int save(Session s, List<Token> args) throws CrmException {
        boolean xml = !args.isEmpty() && args.get(0).text().equals("xml");
        List<Token> rest = xml ? args.subList(1, args.size()) : args;
        if (rest.size() != 1) {
            throw new CrmException("configure save: usage: " + USAGE.get("save"));
        }
        Configuration c = s.config();
        String text = xml ? XmlWriter.toDocument(c.cib()) : CliFormatter.show(c.objects());
        java.nio.file.Path file = java.nio.file.Path.of(rest.get(0).text());
        java.nio.file.Path tmp = file.resolveSibling(file.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        try {
            java.nio.file.Files.writeString(tmp, text);
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            try {
                java.nio.file.Files.deleteIfExists(tmp);
            } catch (java.io.IOException ignored) {
                // nothing more to undo
            }
            String why = e instanceof java.nio.file.NoSuchFileException
                    ? "its directory " + file.toAbsolutePath().getParent() + " does not exist" : e.getMessage();
            throw new CrmException("configure save: cannot write " + file + ": " + why + "; nothing was written");
        }
        return 0;
    }

    /** Objects named by id, {@code type:<type>}, {@code tag:<tag>}, {@code related:<id>} or {@code changed}. */
    public static List<Configuration.CibObject> select(Session s, Configuration c, List<String> ids) throws CrmException {
        List<Configuration.CibObject> selected = new ArrayList<>();
        for (String id : ids) {
            if (id.startsWith("type:")) {
                String type = id.substring(5);
                c.objects().stream().filter(o -> o.type().equals(type)).forEach(selected::add);
            } else if (id.equals("changed")) {
                Configuration before = new Configuration(s.base());
                for (Configuration.CibObject o : c.objects()) {
                    Optional<Configuration.CibObject> was = before.find(o.id());
                    if (was.isEmpty() || !was.get().element().equals(o.element())) {
                        selected.add(o);
                    }
                }
            } else if (id.startsWith("tag:")) {
                // crmsh's tag:TAG: the tag and the objects it lists
                String tag = id.substring(4);
                XmlElement t = c.find(tag).map(Configuration.CibObject::element).filter(e -> e.name().equals("tag"))
                        .orElseThrow(() -> new CrmException("tag " + tag + " does not exist; 'show type:tag' lists the tags"));
                java.util.Set<String> members = new java.util.HashSet<>();
                t.elements("obj_ref").forEach(r -> members.add(r.id()));
                c.objects().stream().filter(o -> o.id().equals(tag) || members.contains(o.id()))
                        .filter(o -> !selected.contains(o)).forEach(selected::add);
            } else if (id.startsWith("related:")) {
                // crmsh's related:ID — the object and every object that names it (constraints,
                // the group or clone holding it, tags)
                String target = id.substring(8);
                if (c.find(target).isEmpty()) {
                    throw new CrmException("object " + target + " does not exist; 'show' lists the objects");
                }
                c.objects().stream().filter(o -> target.equals(o.id()) || mentions(o.element(), target))
                        .filter(o -> !selected.contains(o)).forEach(selected::add);
            } else {
                selected.add(c.find(id).orElseThrow(() -> new CrmException("object " + id
                        + " does not exist; 'show' lists the objects")));
            }
        }
        return selected;
    }

    /** Whether any element below {@code e} refers to {@code id} (rsc=, with-rsc=, a set's or tag's ref, a child). */
    private static boolean mentions(XmlElement e, String id) {
        for (XmlElement c : e.elements()) {
            if (id.equals(c.id()) && (Configuration.RESOURCE_TAGS.contains(c.name()) || c.name().equals("resource_ref")
                    || c.name().equals("obj_ref"))) {
                return true;
            }
            if (mentions(c, id)) {
                return true;
            }
        }
        for (String a : List.of("rsc", "with-rsc", "first", "then", "devices", "template")) {
            String v = e.attr(a);
            if (v != null && (v.equals(id) || (a.equals("devices") && List.of(v.split(",")).contains(id)))) {
                return true;
            }
        }
        return false;
    }

    /** Prints the problems of the configuration (pending changes included); status 1 when there is an error. */
    int verify(Shell shell) throws CrmException {
        Session s = shell.session;
        List<CibProblem> problems;
        if (!s.pending() && s.source() instanceof FileCibSource f && !f.exists()) {
            // A mistyped --cib-file read as an empty, valid CIB and verify said nothing. An empty CIB is
            // valid (a file nothing was committed to yet), so this is a warning, not a failure.
            s.warn("verify: " + f.describe() + " does not exist: this verified an empty CIB; check the path (a new "
                    + "file is created only by the first commit of a change)");
        }
        if (!s.pending() && s.source() instanceof FileCibSource f && f.exists()) {
            try {
                problems = CibValidator.validate(f.describe(), java.nio.file.Files.readString(f.file()));
            } catch (java.io.IOException e) {
                throw new CrmException("verify: cannot read " + f.describe() + ": " + e.getMessage());
            }
            for (CibProblem p : problems) {
                s.err.println(p.message());
            }
        } else {
            problems = CibValidator.validate(Cib.of(s.config().cib()));
            for (CibProblem p : problems) {
                s.err.println((p.isError() ? "ERROR: " : "WARNING: ") + Session.problemText(p));
            }
        }
        return CibValidator.hasErrors(problems) ? 1 : 0;
    }

    /**
     * {@code load update FILE} merges: objects in FILE take the place of those with the same id
     * (updated in place: a primitive in a group stays in it), new ones are added, and nothing FILE
     * does not name is dropped. {@code load replace FILE} is the only form that replaces: the
     * configuration becomes FILE's (nodes stay unless FILE has its own). FILE is crm syntax, or CIB
     * XML when it starts with '<' (a whole CIB, its {@code <configuration>}, or one section such as
     * {@code <resources>}). A file with any error changes nothing, and the error names the file and
     * its line. crmsh's forms are taken as written: {@code load xml update FILE} (then FILE must be
     * XML) and {@code push}, whose result is FILE's configuration, as replace's is.
     */
    private int load(Shell shell, List<Token> args) throws CrmException {
        Session s = shell.session;
        boolean xmlOnly = !args.isEmpty() && args.get(0).text().equals("xml");
        List<Token> rest = xmlOnly ? args.subList(1, args.size()) : args;
        if (rest.size() != 2 || !List.of("update", "replace", "push").contains(rest.get(0).text())) {
            throw new CrmException("configure load: usage: " + USAGE.get("load"));
        }
        boolean replace = !rest.get(0).text().equals("update");
        String text;
        String name = rest.get(1).text();
        try {
            text = name.equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    : java.nio.file.Files.readString(java.nio.file.Path.of(name));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CrmException("configure load: no such file " + name);
        } catch (java.io.IOException e) {
            throw new CrmException("configure load: cannot read " + name + ": " + e.getMessage());
        }
        String source = name.equals("-") ? "<stdin>" : name;
        if (xmlOnly && !text.stripLeading().startsWith("<")) {
            throw new CrmException("configure load xml: " + source + " is not XML (it does not start with '<'); "
                    + "load a file of crm commands without 'xml'; nothing was changed");
        }
        Configuration next = text.stripLeading().startsWith("<")
                ? loadXml(s, source, text, replace)
                : loadCrm(s, source, text, replace);
        s.update(next);
        return 0;
    }

    /** Sections a CIB's configuration holds, so that a file of one section can be loaded too. */
    private static final List<String> SECTIONS = List.of("crm_config", "nodes", "resources", "constraints",
            "rsc_defaults", "op_defaults", "alerts", "fencing-topology", "acls", "tags");

    /**
     * What each section holds, as Pacemaker's schema has it. An element a section cannot hold was
     * merged and kept, and then nothing read it: {@code <primitiv id="x">} loaded with exit 0, was
     * never shown, verified or run (crm_verify: "Did not expect element primitiv there").
     */
    private static final Map<String, List<String>> SECTION_ELEMENTS = Map.of(
            "crm_config", List.of("cluster_property_set"),
            "nodes", List.of("node"),
            "resources", List.of("primitive", "group", "clone", "master", "template", "bundle"),
            "constraints", List.of("rsc_location", "rsc_colocation", "rsc_order", "rsc_ticket"),
            "rsc_defaults", List.of("meta_attributes", "instance_attributes"),
            "op_defaults", List.of("meta_attributes", "instance_attributes"),
            "alerts", List.of("alert"),
            "fencing-topology", List.of("fencing-level"),
            "acls", List.of("acl_target", "acl_group", "acl_role", "acl_user"),
            "tags", List.of("tag"));

    /**
     * A misspelt element (within two edits of one the section holds) is refused; any other element
     * is kept with a warning, since a newer Pacemaker's CIB may hold what this one does not know.
     */
    private static void checkSectionElements(Session s, String source, XmlElement conf) throws CrmException {
        List<String> typos = new ArrayList<>();
        for (XmlElement section : conf.elements()) {
            List<String> known = SECTION_ELEMENTS.getOrDefault(section.name(), List.of());
            for (XmlElement e : section.elements()) {
                if (known.isEmpty() || known.contains(e.name())) {
                    continue;
                }
                String what = source + ":" + e.sourceLine() + ": <" + e.name() + "> is not an element of <"
                        + section.name() + "> (" + String.join(", ", known) + ")";
                String hint = Shell.didYouMean(e.name(), known);
                if (!hint.isEmpty()) {
                    typos.add(what + hint);
                } else {
                    s.warn(what + "; it is kept as written, but the cluster does not read it");
                }
            }
        }
        if (!typos.isEmpty()) {
            throw new CrmException(String.join("\n", typos) + "\nconfigure load: nothing was changed");
        }
    }

    private static Configuration loadXml(Session s, String source, String text, boolean replace) throws CrmException {
        Configuration c = s.config();
        XmlElement doc;
        try {
            doc = org.pulse.cib.xml.XmlParser.parse(source, text);
        } catch (org.pulse.cib.xml.XmlParseException e) {
            throw new CrmException("configure load: " + e.getMessage() + "; nothing was changed");
        }
        XmlElement conf;
        if (doc.name().equals("cib")) {
            conf = doc.element("configuration").orElseThrow(() -> new CrmException("configure load: " + source + ":"
                    + doc.sourceLine() + ": the <cib> has no <configuration>; nothing was changed"));
            doc.element("status").filter(st -> !st.elements().isEmpty()).ifPresent(st -> s.info(source + ":"
                    + st.sourceLine() + ": the file's <status> is not loaded: load takes configuration only (the "
                    + "cluster keeps its own status)"));
        } else if (doc.name().equals("configuration")) {
            conf = doc;
        } else if (SECTIONS.contains(doc.name())) {
            conf = XmlElement.of("configuration").withChildAppended(doc);
        } else {
            throw new CrmException("configure load: " + source + ":" + doc.sourceLine() + ": the file holds <"
                    + doc.name() + ">; give a CIB, its <configuration> or one of its sections ("
                    + String.join(", ", SECTIONS) + "); nothing was changed");
        }
        for (XmlElement section : conf.elements()) {
            if (!SECTIONS.contains(section.name())) {
                throw new CrmException("configure load: " + source + ":" + section.sourceLine() + ": <" + section.name()
                        + "> is not a section of a CIB configuration (" + String.join(", ", SECTIONS)
                        + "); nothing was changed");
            }
        }
        checkSectionElements(s, source, conf);
        if (s.agentChecks) {
            List<String> problems = new ArrayList<>();
            for (XmlElement section : conf.elements("resources")) {
                for (XmlElement p : primitivesIn(section)) {
                    MNode node = MNode.thaw(p);
                    try {
                        checkAgent(s, new Parsed(node));
                    } catch (CrmException e) {
                        problems.add(source + ":" + p.sourceLine() + ": " + e.getMessage());
                    }
                }
            }
            if (!problems.isEmpty()) {
                throw new CrmException(String.join("\n", problems) + "\nconfigure load: nothing was changed");
            }
        }
        // The merge takes the file's objects one by one: an id the file defines twice would leave only
        // the last (and a replace is checked whole by the commit anyway).
        List<String> identity = CibValidator.identityProblems(source, conf).stream().filter(CibProblem::isError)
                .map(p -> source + ":" + p.line() + ": " + Session.problemText(p)).toList();
        if (!identity.isEmpty()) {
            throw new CrmException(String.join("\n", identity) + "\nconfigure load: nothing was changed");
        }
        if (!replace) {
            List<String> infos = new ArrayList<>();
            Configuration next = c.mergeXml(conf, infos);
            infos.forEach(s.err::println);
            return next;
        }
        List<org.pulse.cib.xml.XmlNode> kids = new ArrayList<>(conf.children());
        if (conf.element("nodes").isEmpty()) {
            c.configuration().element("nodes").ifPresent(n -> kids.add(0, n));
        }
        return c.withConfigurationElement(conf.withChildren(kids));
    }

    private static List<XmlElement> primitivesIn(XmlElement e) {
        List<XmlElement> out = new ArrayList<>();
        for (XmlElement c : e.elements()) {
            if (c.name().equals("primitive") || c.name().equals("template")) {
                out.add(c);
            } else if (Configuration.RESOURCE_TAGS.contains(c.name())) {
                out.addAll(primitivesIn(c));
            }
        }
        return out;
    }

    /** A command of a crm file with the line it starts on. */
    private record FileCommand(int line, String text) {
    }

    /** Joins continuation lines as the editor does, remembering where each command starts. */
    private static List<FileCommand> commandsWithLines(String text) {
        List<FileCommand> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int start = 0;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].stripTrailing();
            if (cur.length() == 0 && (line.isBlank() || line.stripLeading().startsWith("#"))) {
                continue;
            }
            if (cur.length() == 0) {
                start = i + 1;
            }
            if (line.endsWith("\\")) {
                cur.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            cur.append(line);
            out.add(new FileCommand(start, cur.toString().strip()));
            cur.setLength(0);
        }
        if (cur.length() > 0) {
            out.add(new FileCommand(start, cur.toString().strip()));
        }
        return out;
    }

    private static Configuration loadCrm(Session s, String source, String text, boolean replace) throws CrmException {
        Configuration c = s.config();
        Configuration next = c;
        if (replace) {
            XmlElement conf = c.configuration();
            List<org.pulse.cib.xml.XmlNode> kids = new ArrayList<>();
            for (XmlElement section : conf.elements()) {
                kids.add(section.name().equals("nodes") ? section : XmlElement.of(section.name()));
            }
            next = c.withConfigurationElement(conf.withChildren(kids));
        }
        List<String> problems = new ArrayList<>();
        List<Parsed> parsed = new ArrayList<>();
        List<Integer> lines = new ArrayList<>();
        for (FileCommand fc : commandsWithLines(text)) {
            try {
                List<Token> tokens = Lexer.split(fc.text());
                if (!ConfigureParser.isObjectCommand(tokens.get(0).text())) {
                    throw new CrmException("'" + tokens.get(0).text() + "' is not an object command (primitive, group, "
                            + "location, property, ...)");
                }
                parsed.add(ConfigureParser.parse(tokens, next.nodeNames()));
                lines.add(fc.line());
            } catch (CrmException e) {
                problems.add(source + ":" + fc.line() + ": " + e.getMessage());
            }
        }
        // Two objects of the file with one id: merged one after the other, the second would take the
        // first's place and the first would be lost without a word. Property and defaults sets and
        // nodes merge by design, so naming them twice is fine.
        Map<String, Integer> firstLine = new HashMap<>();
        for (int i = 0; i < parsed.size(); i++) {
            MNode node = parsed.get(i).node();
            if (List.of("cluster_property_set", "rsc_defaults", "op_defaults", "node").contains(node.name)) {
                continue;
            }
            String id = node.name.equals("fencing-topology") ? "fencing_topology" : node.get("id");
            Integer first = id == null ? null : firstLine.putIfAbsent(id, lines.get(i));
            if (first != null) {
                problems.add(source + ":" + lines.get(i) + ": " + Configuration.TYPES.getOrDefault(node.name, node.name)
                        + " " + id + ": the file defines " + id + " twice (first at line " + first
                        + "); give each its own id");
            }
        }
        if (!problems.isEmpty()) {
            throw new CrmException(String.join("\n", problems) + "\nconfigure load: nothing was changed");
        }
        if (replace && parsed.stream().anyMatch(p -> p.node().name.equals("node"))) {
            // the file has its own nodes: they replace the CIB's, as the XML form does
            next = next.withConfigurationElement(Tree.withSection(next.configuration(), "nodes", XmlElement.of("nodes")));
        }
        List<String> infos = new ArrayList<>();
        // As crmsh: a file's objects in any order (a group before its primitives)
        for (int i : ConfigureParser.dependencyOrder(parsed)) {
            Parsed p = parsed.get(i);
            try {
                next = loadOne(s, next, p, infos);
            } catch (CrmException e) {
                throw new CrmException(source + ":" + lines.get(i) + ": " + e.getMessage()
                        + "\nconfigure load: nothing was changed");
            }
        }
        infos.forEach(s.err::println);
        return next;
    }

    /** One object of a crm file: a new one is added; one whose id exists takes its place. */
    private static Configuration loadOne(Session s, Configuration next, Parsed p, List<String> infos) throws CrmException {
        if (p.node().name.equals("primitive") || p.node().name.equals("template")) {
            if (s.agentChecks) {
                checkAgent(s, p);
            } else {
                resolveAgent(s, p.node());
            }
        }
        for (String w : p.warnings()) {
            s.warn(w);
        }
        String id = p.node().name.equals("fencing-topology") ? "fencing_topology" : p.node().get("id");
        boolean set = List.of("cluster_property_set", "rsc_defaults", "op_defaults", "node").contains(p.node().name);
        if (id == null || set || next.find(id).isEmpty() || id.equals("fencing_topology")) {
            if (id != null && id.equals("fencing_topology")) {
                next = next.removeForReplace(id);
            }
            return next.add(p, infos);
        }
        Configuration.CibObject old = next.find(id).get();
        if (!Configuration.TYPES.getOrDefault(p.node().name, p.node().name).equals(old.type())
                && !(Configuration.RESOURCE_TAGS.contains(p.node().name)
                        && Configuration.RESOURCE_TAGS.contains(old.element().name()))) {
            throw new CrmException(Configuration.TYPES.getOrDefault(p.node().name, p.node().name) + " " + id
                    + ": the id is taken by " + old.type() + " " + id + "; choose another id");
        }
        IdPreserver.preserve(p.node(), old.element());
        // Build the new version where the old one is out of the way (its ids free, its children
        // loose), then put it in the old one's place.
        Configuration built = next.removeForReplace(id).add(p, new ArrayList<>());
        XmlElement element = built.find(id).orElseThrow().element();
        String section = Configuration.RESOURCE_TAGS.contains(element.name()) ? "resources"
                : Configuration.CONSTRAINT_TAGS.contains(element.name()) ? "constraints"
                : element.name().equals("tag") ? "tags" : null;
        if (section == null) {
            return built;
        }
        return next.upsert(section, element, infos);
    }

    /**
     * crmsh's get_property, for scripts: each named cluster property's value on a line (the working configuration's,
     * pending changes included); -t prints true or false as Pacemaker reads a boolean. A property that is not set is
     * an error naming it, since Pacemaker's default for it is not in the CIB.
     */
    /** crmsh's modgroup GROUP add RSC [before|after MEMBER] | modgroup GROUP remove RSC. */
    private static int modgroup(Session s, List<Token> args) throws CrmException {
        List<String> a = args.stream().map(Token::text).toList();
        boolean positioned = a.size() == 5 && (a.get(3).equals("before") || a.get(3).equals("after"));
        if (!(a.size() == 3 || positioned)) {
            throw new CrmException("configure modgroup: usage: " + USAGE.get("modgroup"));
        }
        if (positioned && !a.get(1).equals("add")) {
            throw new CrmException("configure modgroup: before|after goes with add only: " + USAGE.get("modgroup"));
        }
        s.update(s.config().modgroup(a.get(0), a.get(1), a.get(2), positioned ? a.get(3) : null,
                positioned ? a.get(4) : null));
        return 0;
    }

    private static int getProperty(Session s, List<Token> args) throws CrmException {
        boolean asBoolean = false;
        List<String> names = new ArrayList<>();
        for (Token t : args) {
            if (t.text().equals("-t") || t.text().equals("--true")) {
                asBoolean = true;
            } else {
                names.add(t.text());
            }
        }
        if (names.isEmpty()) {
            throw new CrmException("configure get_property: name the property, e.g. get_property stonith-enabled");
        }
        XmlElement crmConfig = Tree.section(Tree.section(s.config().cib(), "configuration"), "crm_config");
        for (String name : names) {
            String value = null;
            List<String> spellings = new ArrayList<>(List.of(name));
            spellings.addAll(org.pulse.cib.model.ClusterOptions.spellings(org.pulse.cib.model.ClusterOptions.canonicalName(name)));
            for (String spelling : spellings) {
                value = value != null ? value : Attributes.get(crmConfig, "cluster_property_set", spelling);
            }
            // Unset: its default, as crmsh 4.4.1 prints (from Pacemaker's meta-data); a name without one (a typo,
            // or an option the cluster writes itself and has not yet) is an error, as crmsh's "Property not set".
            value = value != null ? value : org.pulse.cib.model.ClusterOptions.defaultOf(name);
            if (value == null) {
                throw new CrmException("configure get_property: " + name + ": property not set, and it is no cluster"
                        + " option with a default; 'crm configure show type:property' lists those set");
            }
            s.out.println(asBoolean ? Boolean.toString(org.pulse.cib.model.ClusterOptions.isTrue(value)) : value);
        }
        return 0;
    }

    private int erase(Session s, List<Token> args) throws CrmException {
        boolean forced = s.force || args.stream().anyMatch(t -> t.text().equals("--force") || t.text().equals("force"));
        if (!forced) {
            if (!s.interactive && !s.tty) {
                throw new CrmException("configure erase: this removes every resource, constraint and option; "
                        + "in a script say 'erase --force' (or run crm -F)");
            }
            if (!s.confirm("Do you really want to erase the whole configuration (nodes stay)", false)) {
                s.info("nothing erased");
                return 0;
            }
        }
        XmlElement conf = s.config().configuration();
        List<org.pulse.cib.xml.XmlNode> kids = new ArrayList<>();
        for (XmlElement section : conf.elements()) {
            switch (section.name()) {
                case "nodes" -> kids.add(section);
                case "crm_config", "resources", "constraints" -> kids.add(XmlElement.of(section.name()));
                default -> {
                    // rsc_defaults, op_defaults, tags, alerts, fencing-topology: gone, as in crmsh
                }
            }
        }
        s.update(s.config().withConfigurationElement(conf.withChildren(kids)));
        return 0;
    }
}
