package org.pulse.shell;

import java.util.ArrayList;
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

/** The configure level: objects in crm syntax, show, edit, verify, commit, erase, delete, rename. */
final class ConfigureLevel extends Level {
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
        USAGE.put("property", "property [<set-id>:] <name>=<value>...");
        USAGE.put("rsc_defaults", "rsc_defaults [<set-id>:] <name>=<value>...");
        USAGE.put("op_defaults", "op_defaults [<set-id>:] <name>=<value>...");
        USAGE.put("node", "node <uname> [attributes <n>=<v>...] [utilization <n>=<v>...]");
        USAGE.put("tag", "tag <id>: <object> [<object>...]");
        USAGE.put("fencing_topology", "fencing_topology [<node>: | attr:<n>=<v> | pattern:<re>] <devices>[,<devices>] ...");
        USAGE.put("show", "show [xml] [<id>... | type:<type> | changed]   the configuration in crm syntax, or XML");
        USAGE.put("edit", "edit [xml] [<id>...]   edit in $EDITOR; errors bring you back to the editor");
        USAGE.put("verify", "verify   check the configuration (errors name the element and what to do)");
        USAGE.put("commit", "commit [force]   write the pending changes");
        USAGE.put("erase", "erase [--force]   remove all resources, constraints and options (nodes stay)");
        USAGE.put("delete", "delete <id> [<id>...]   remove objects (constraints on them go too)");
        USAGE.put("rename", "rename <old-id> <new-id>   rename an object and the references to it");
        USAGE.put("refresh", "refresh   drop pending changes and reload the CIB");
        USAGE.put("load", "load update|replace <file>   apply a file of crm commands (or CIB XML) to the configuration");
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
            case "delete" -> {
                if (args.isEmpty()) {
                    throw new CrmException("configure delete: name the objects to delete; 'show' lists them");
                }
                List<String> infos = new ArrayList<>();
                Configuration next = s.config().delete(args.stream().map(Token::text).toList(), infos);
                infos.forEach(s.err::println);
                s.update(next);
                return 0;
            }
            case "rename" -> {
                if (args.size() != 2) {
                    throw new CrmException("configure rename: usage: rename <old-id> <new-id>");
                }
                List<String> infos = new ArrayList<>();
                Configuration next = s.config().rename(args.get(0).text(), args.get(1).text(), infos);
                infos.forEach(s.err::println);
                s.update(next);
                return 0;
            }
            case "load" -> {
                return load(shell, args);
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
    static int create(Session s, List<Token> words) throws CrmException {
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

    private static void resolveAgent(Session s, MNode node) {
        if (node.get("type") != null && (node.get("class") == null || node.get("provider") == null)) {
            String cls = node.get("class");
            if (cls == null || cls.equals("ocf")) {
                String[] cpt = s.agents == null ? new String[] {"ocf", "heartbeat", node.get("type")}
                        : s.agents.resolve(cls, node.get("provider"), node.get("type"));
                MNode copy = MNode.of("x");
                node.attrs.forEach((k, v) -> {
                    if (k.equals("class") || k.equals("provider") || k.equals("type")) {
                        return;
                    }
                    copy.attrs.put(k, v);
                    if (k.equals("id")) {
                        copy.attrs.put("class", cpt[0]);
                        copy.attrs.put("provider", cpt[1]);
                        copy.attrs.put("type", cpt[2]);
                    }
                });
                node.attrs.clear();
                node.attrs.putAll(copy.attrs);
            }
        }
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
        if (s.agents == null || !s.agents.exists(cls, provider, type)) {
            if (cls.equals("stonith")) {
                s.warn(node.get("id") + ": fence agent " + type + " is not installed here; it must be on every node");
                return;
            }
            throw new CrmException(ctx + ": no such resource agent " + agent
                    + "; 'ra list " + cls + (provider == null ? "" : " " + provider) + "' shows the installed ones");
        }
        Optional<AgentMetadata> md = s.agents.metadata(cls, provider, type);
        if (md.isEmpty()) {
            s.warn(node.get("id") + ": could not read the meta-data of " + agent + "; parameters are not checked");
            return;
        }
        List<String> given = new ArrayList<>();
        for (MNode set : node.children) {
            if (set.name.equals("instance_attributes")) {
                for (MNode nv : set.children) {
                    if (nv.name.equals("nvpair") && nv.get("name") != null) {
                        given.add(nv.get("name"));
                    }
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (String g : given) {
            if (md.get().parameter(g).isEmpty()) {
                problems.add("parameter \"" + g + "\" is not known to " + agent + "; 'ra info " + agent
                        + "' lists its parameters");
            }
        }
        for (AgentMetadata.Parameter p : md.get().parameters()) {
            if (p.required() && !given.contains(p.name())) {
                problems.add("required parameter \"" + p.name() + "\" not defined; add params " + p.name() + "=<value>");
            }
        }
        MNode ops = node.first("operations");
        if (ops != null) {
            for (MNode op : ops.children) {
                if (!md.get().advertises(op.get("name"))) {
                    s.warn(node.get("id") + ": action '" + op.get("name") + "' not found in the meta-data of " + agent);
                }
            }
        }
        if (!problems.isEmpty()) {
            if (problems.size() == 1) {
                throw new CrmException(ctx + ": " + problems.get(0));
            }
            throw new CrmException(ctx + ":\n  " + String.join("\n  ", problems));
        }
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

    /** Objects named by id, {@code type:<type>} or {@code changed}. */
    static List<Configuration.CibObject> select(Session s, Configuration c, List<String> ids) throws CrmException {
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
            } else {
                selected.add(c.find(id).orElseThrow(() -> new CrmException("object " + id
                        + " does not exist; 'show' lists the objects")));
            }
        }
        return selected;
    }

    /** Prints the problems of the configuration (pending changes included); status 1 when there is an error. */
    int verify(Shell shell) throws CrmException {
        Session s = shell.session;
        List<CibProblem> problems;
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
     * {@code load update FILE}: the objects in FILE (crm syntax) replace those with the same id
     * and the others are added; {@code load replace FILE}: the configuration becomes FILE's
     * (nodes stay). A file starting with '<' is CIB XML: its configuration is taken whole.
     */
    private int load(Shell shell, List<Token> args) throws CrmException {
        Session s = shell.session;
        if (args.size() != 2 || !(args.get(0).text().equals("update") || args.get(0).text().equals("replace"))) {
            throw new CrmException("configure load: usage: " + USAGE.get("load"));
        }
        boolean replace = args.get(0).text().equals("replace");
        String text;
        String name = args.get(1).text();
        try {
            text = name.equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    : java.nio.file.Files.readString(java.nio.file.Path.of(name));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CrmException("configure load: no such file " + name);
        } catch (java.io.IOException e) {
            throw new CrmException("configure load: cannot read " + name + ": " + e.getMessage());
        }
        Configuration c = s.config();
        if (text.stripLeading().startsWith("<")) {
            XmlElement doc;
            try {
                doc = org.pulse.cib.xml.XmlParser.parse(name, text);
            } catch (org.pulse.cib.xml.XmlParseException e) {
                throw new CrmException("configure load: " + e.getMessage());
            }
            XmlElement conf = doc.name().equals("cib") ? Tree.section(doc, "configuration") : doc;
            if (!conf.name().equals("configuration")) {
                throw new CrmException("configure load: " + name + " holds <" + doc.name() + ">; give a CIB or its <configuration>");
            }
            s.update(c.withConfigurationElement(conf));
            return 0;
        }
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
        int n = 0;
        for (String line : EditCommand.joinContinuations(text)) {
            n++;
            try {
                List<Token> tokens = Lexer.split(line);
                if (!ConfigureParser.isObjectCommand(tokens.get(0).text())) {
                    throw new CrmException("'" + tokens.get(0).text() + "' is not an object command");
                }
                parsed.add(ConfigureParser.parse(tokens, next.nodeNames()));
            } catch (CrmException e) {
                problems.add(name + ": command " + n + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new CrmException(String.join("\n", problems));
        }
        List<String> infos = new ArrayList<>();
        for (Parsed p : parsed) {
            String id = p.node().name.equals("fencing-topology") ? "fencing_topology" : p.node().get("id");
            boolean set = List.of("cluster_property_set", "rsc_defaults", "op_defaults", "node").contains(p.node().name);
            if (id != null && !set && next.find(id).isPresent()) {
                if (p.node().get("id") != null) {
                    IdPreserver.preserve(p.node(), next.find(id).get().element());
                }
                next = next.removeForReplace(id);
            }
            if (p.node().name.equals("primitive") || p.node().name.equals("template")) {
                if (s.agentChecks) {
                    checkAgent(s, p);
                } else {
                    resolveAgent(s, p.node());
                }
            }
            next = next.add(p, infos);
        }
        infos.forEach(s.err::println);
        s.update(next);
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
