package org.pulse.shell.levels;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.Cib;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.MoveBanClear;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.commands.ResourceReports;
import org.pulse.shell.commands.StatusCommand;
import org.pulse.shell.config.Attributes;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.config.Tree;
import org.pulse.shell.parse.Lifetime;
import org.pulse.shell.parse.Token;
import org.pulse.shell.render.StatusModel;
import org.pulse.shell.source.LiveCibSource;

/**
 * The resource level. Offline every command is an edit of the file (target-role, move and ban
 * constraints, the status section for cleanup and fail counts); live, the same edits go to
 * crmd as diffs, and cleanup goes to crmd as a command because the cluster must re-probe.
 */
final class ResourceLevel extends Level {
    private static final Map<String, String> USAGE = new LinkedHashMap<>();

    static {
        USAGE.put("start", "start <rsc|tag>...   set target-role=Started");
        USAGE.put("stop", "stop <rsc|tag>...   set target-role=Stopped");
        USAGE.put("restart", "restart <rsc|tag>...   stop, wait until stopped, start (live cluster only)");
        USAGE.put("move", "move <rsc> [<node>] [<lifetime>] [force]   prefer a node (cli-prefer-<rsc>); lifetime as PT1H");
        USAGE.put("ban", "ban <rsc> [<node>] [<lifetime>]   keep off a node (cli-ban-<rsc>-on-<node>)");
        USAGE.put("clear", "clear <rsc>   remove the move and ban constraints of <rsc>");
        USAGE.put("cleanup", "cleanup [<rsc>] [<node>]   forget failures and fail counts");
        USAGE.put("status", "status [<rsc>]   where resources run");
        USAGE.put("locate", "locate <rsc>   the nodes <rsc> runs on");
        USAGE.put("failcount", "failcount <rsc> show|set|delete <node> [<value>]");
        USAGE.put("manage", "manage <rsc|tag>   set is-managed=true");
        USAGE.put("unmanage", "unmanage <rsc|tag>   set is-managed=false");
        USAGE.put("maintenance", "maintenance <rsc|tag> [on|off]   set maintenance=true (on, the default) or false");
        USAGE.put("param", "param <rsc> set <name> <value> | delete <name> | show <name>   instance attributes");
        USAGE.put("meta", "meta <rsc> set <name> <value> | delete <name> | show <name>   meta attributes");
        USAGE.put("utilization", "utilization <rsc> set <name> <value> | delete <name> | show <name>   utilization "
                + "(with placement-strategy)");
        USAGE.put("secret", "secret <rsc> set|stash|unstash|delete|show|check <param> [<value>]   (crmsh's local secret"
                + " files: Pulse has none; the message says what to use)");
        USAGE.put("unmove", "unmove <rsc>   deprecated name of clear");
        USAGE.put("unmigrate", "unmigrate <rsc>   deprecated name of clear");
        USAGE.put("unban", "unban <rsc>   the same as clear");
        USAGE.put("refresh", "refresh [<rsc>] [<node>]   forget the operation history so the cluster probes again");
        USAGE.put("promote", "promote <rsc>   set target-role=Promoted (a promotable clone)");
        USAGE.put("demote", "demote <rsc>   set target-role=Unpromoted (a promotable clone)");
        USAGE.put("scores", "scores   each resource's placement score on each node (crm simulate -s -U)");
        USAGE.put("constraints", "constraints <rsc>   the location and colocation constraints of <rsc>");
        USAGE.put("operations", "operations [<rsc>] [<node>]   the recorded operations (of <rsc>, on <node>)");
        USAGE.put("trace", "trace <rsc> [<op> [<interval>]] [<dir>]   trace the agent's operations (trace_ra=1): a shell"
                + " trace per run in DATA_DIR/trace_ra/<type>/ on the node (or <dir>)");
        USAGE.put("untrace", "untrace <rsc> [<op> [<interval>]]   stop tracing");
    }

    ResourceLevel() {
        super("resource", USAGE);
    }

    @Override
    int run(Shell shell, List<Token> words) throws CrmException {
        Session s = shell.session;
        String cmd = words.get(0).text();
        List<String> args = arguments(words);
        switch (cmd) {
            case "start", "stop" -> {
                String role = cmd.equals("start") ? "Started" : "Stopped";
                for (String rsc : resources(s, cmd, args, Integer.MAX_VALUE)) {
                    setDeepMeta(s, "resource " + cmd, rsc, "target-role", role);
                }
                return 0;
            }
            case "promote", "demote" -> {
                // crmsh's rule: only a promotable clone (or a legacy master) takes a promoted target-role
                String rsc = resource(s, cmd, args, 1);
                XmlElement r = new Configuration(s.source().load()).find(rsc).map(Configuration.CibObject::element)
                        .orElseThrow();
                if (!(r.name().equals("master") || r.name().equals("clone")
                        && "true".equalsIgnoreCase(StatusModel.meta(r, "promotable")))) {
                    throw new CrmException("resource " + cmd + ": " + rsc + " is not a promotable resource; "
                            + cmd + " the promotable clone that holds it");
                }
                String role = cmd.equals("promote") ? "Promoted" : "Unpromoted";
                setMeta(s, "resource " + cmd, rsc, "target-role", role);
                s.info("resource " + rsc + ": target-role=" + role);
                return 0;
            }
            case "scores" -> {
                if (!args.isEmpty()) {
                    throw new CrmException("resource scores: takes no arguments; usage: " + USAGE.get("scores"));
                }
                // crmsh runs crm_simulate -sUL: Pulse's simulate on the same CIB (the file, else the live cluster)
                return shell.external("simulate", List.of("-s", "-U"));
            }
            case "constraints" -> {
                String rsc = resource(s, cmd, args, 1);
                s.out.print(ResourceReports.constraints(new StatusModel(s.source().load(), s.clock.instant()), rsc));
                return 0;
            }
            case "operations" -> {
                if (args.size() > 2) {
                    throw new CrmException("resource operations: unexpected '" + args.get(2) + "'; usage: "
                            + USAGE.get("operations"));
                }
                String rsc = args.isEmpty() ? null : args.get(0);
                String node = args.size() > 1 ? args.get(1) : null;
                if (rsc != null) {
                    requireResource(s, cmd, rsc);
                }
                if (node != null) {
                    requireNode(s, "resource operations", node);
                }
                s.out.print(ResourceReports.operations(new StatusModel(s.source().load(), s.clock.instant()), rsc, node,
                        s.clock.getZone()));
                return 0;
            }
            case "trace", "untrace" -> {
                return trace(s, cmd, args);
            }
            case "manage", "unmanage" -> {
                for (String rsc : resources(s, cmd, args, 1)) {
                    setDeepMeta(s, "resource " + cmd, rsc, "is-managed", cmd.equals("manage") ? "true" : "false");
                }
                return 0;
            }
            case "maintenance" -> {
                // crmsh: maintenance <rsc> [on|off|true|false], on when left out
                if (args.size() > 2) {
                    throw new CrmException("resource maintenance: unexpected '" + args.get(2) + "'; usage: "
                            + USAGE.get("maintenance"));
                }
                String value = args.size() < 2 ? "true" : switch (args.get(1).toLowerCase(java.util.Locale.ROOT)) {
                    case "on", "true", "yes" -> "true";
                    case "off", "false", "no" -> "false";
                    default -> throw new CrmException("resource maintenance: '" + args.get(1) + "' is not on, off, true "
                            + "or false; usage: " + USAGE.get("maintenance"));
                };
                for (String rsc : resources(s, cmd, args.subList(0, Math.min(1, args.size())), 1)) {
                    setDeepMeta(s, "resource maintenance", rsc, "maintenance", value);
                }
                return 0;
            }
            case "restart" -> {
                return restart(s, resources(s, cmd, args, Integer.MAX_VALUE));
            }
            case "move" -> {
                return move(s, args, false);
            }
            case "ban" -> {
                return move(s, args, true);
            }
            case "clear", "unmove", "unmigrate", "unban" -> {
                if (cmd.equals("unmove") || cmd.equals("unmigrate")) {
                    s.warn("This command '" + cmd + "' is deprecated, please use 'clear'");
                }
                String rsc = resource(s, cmd, args, 1);
                List<String> removed = new ArrayList<>();
                s.applyNow("resource clear", cib -> {
                    List<MoveBanClear.ConstraintChange> changes = MoveBanClear.clear(cib(cib), rsc);
                    changes.forEach(c -> removed.add(c.id()));
                    return MoveBanClear.apply(cib, changes);
                });
                s.info(removed.isEmpty() ? "no migration constraints for " + rsc
                        : "Removed migration constraints for " + rsc + " (" + String.join(", ", removed) + ")");
                return 0;
            }
            case "cleanup" -> {
                return cleanup(s, args, false);
            }
            case "refresh" -> {
                return cleanup(s, args, true);
            }
            case "status", "locate" -> {
                return status(s, cmd, args);
            }
            case "failcount" -> {
                return failcount(s, args);
            }
            case "param", "meta", "utilization" -> {
                return attribute(s, cmd, args);
            }
            case "secret" -> {
                return secret(args);
            }
            default -> throw new CrmException("resource: '" + cmd + "' is not implemented");
        }
    }

    /** The CIB as the shared decisions read it; a version that is not a number is the file's problem to fix. */
    private static Cib cib(XmlElement root) throws CrmException {
        try {
            return Cib.of(root);
        } catch (IllegalArgumentException e) {
            throw new CrmException("resource: cannot read the CIB: " + e.getMessage());
        }
    }

    /** The resource named by the first argument; it must exist. */
    /**
     * crm resource trace|untrace RSC [OP [INTERVAL]] [DIR], with crmsh's reading of the words: a word starting
     * with '/' is the directory, a number the interval (seconds), any other the operation; probe is monitor
     * with interval 0. The change is OpTrace's, written like any configuration change.
     */
    /**
     * crmsh's resource secret keeps a parameter's value in a file on every node (Pacemaker's "lrm://" values under
     * /var/lib/pacemaker/lrm/secrets), which Pacemaker's executor reads in its place. Pulse's LRM has no such files:
     * stashing a value would leave the agent with the literal "lrm://". Refused, each sub-command with what does the
     * same job here; nothing is changed.
     */
    private static int secret(List<String> args) throws CrmException {
        List<String> verbs = List.of("set", "stash", "unstash", "delete", "show", "check");
        if (args.size() < 3 || !verbs.contains(args.get(1))) {
            throw new CrmException("resource secret: usage: " + USAGE.get("secret"));
        }
        String rsc = args.get(0);
        String param = args.get(2);
        String instead = switch (args.get(1)) {
            case "set" -> "crm resource param " + rsc + " set " + param + " <value>";
            case "delete" -> "crm resource param " + rsc + " delete " + param;
            case "show", "check" -> "crm resource param " + rsc + " show " + param;
            default -> "nothing to move: the value stays in the CIB";
        };
        throw new CrmException("resource secret: Pulse keeps no local secret files (Pacemaker's lrm:// values): every"
                + " parameter's value is in the CIB, and an agent would get a stashed one as the literal text lrm://."
                + " Here: " + instead + "; to hide it from haclient readers, an ACL (crm configure role R deny"
                + " xpath:\"//primitive[@id='" + rsc + "']//nvpair[@name='" + param + "']\"); to keep it out of the"
                + " CIB, an agent's own indirection (fence agents: password_script)");
    }

    private static int trace(Session s, String cmd, List<String> args) throws CrmException {
        String usage = "usage: " + USAGE.get(cmd);
        if (args.isEmpty() || args.size() > (cmd.equals("trace") ? 4 : 3)) {
            throw new CrmException("resource " + cmd + ": " + usage);
        }
        String rsc = args.get(0);
        String op = null;
        String interval = null;
        String dir = null;
        for (String a : args.subList(1, args.size())) {
            if (a.startsWith("/") && cmd.equals("trace")) {
                if (dir != null) {
                    throw new CrmException("resource trace: two directories ('" + dir + "', '" + a + "'); " + usage);
                }
                dir = a;
            } else if (a.matches("\\d+")) {
                if (interval != null || op == null) {
                    throw new CrmException("resource " + cmd + ": '" + a + "' is an interval, which follows the"
                            + " operation once; " + usage);
                }
                interval = a;
            } else {
                if (op != null) {
                    throw new CrmException("resource " + cmd + ": two operations ('" + op + "', '" + a + "'); " + usage);
                }
                op = a;
            }
        }
        if ("probe".equals(op)) {
            op = "monitor";
            interval = interval == null ? "0" : interval;
        }
        String o = op;
        String i = interval;
        String d = dir;
        boolean trace = cmd.equals("trace");
        s.applyNow("resource " + cmd, cib -> org.pulse.shell.config.OpTrace.apply(cib, rsc, trace, o, i, d));
        if (!trace) {
            s.info("Stop tracing " + rsc + (op == null ? "" : " for operation " + op));
            return 0;
        }
        String type = new Configuration(s.source().load()).find(rsc).map(c -> c.element().attr("type", "")).orElse("");
        s.info("Trace for " + rsc + (op == null ? "" : ":" + op) + " is written to "
                + (dir != null ? dir : "DATA_DIR/trace_ra (crmd.conf's data_dir, /var/lib/pulse by default)") + "/" + type
                + "/" + rsc + ".<operation>.<date> on the node that runs it");
        s.info(op != null && !op.equals("monitor") ? "Trace set, restart " + rsc + " to trace the " + op + " operation"
                : "Trace set, restart " + rsc + " to trace non-monitor operations");
        return 0;
    }

    private static String resource(Session s, String cmd, List<String> args, int max) throws CrmException {
        if (args.isEmpty()) {
            throw new CrmException("resource " + cmd + ": name a resource; 'crm resource status' lists them");
        }
        if (args.size() > max) {
            throw new CrmException("resource " + cmd + ": unexpected '" + args.get(max) + "'; usage: " + USAGE.get(cmd));
        }
        String rsc = args.get(0);
        requireResource(s, cmd, rsc);
        return rsc;
    }

    /**
     * The resources named (at most {@code max} names), a tag standing for the resources it lists, as
     * crmsh's start, stop, restart, manage and unmanage take them; each must exist.
     */
    private static List<String> resources(Session s, String cmd, List<String> args, int max) throws CrmException {
        if (args.isEmpty()) {
            throw new CrmException("resource " + cmd + ": name a resource; 'crm resource status' lists them");
        }
        if (args.size() > max) {
            throw new CrmException("resource " + cmd + ": unexpected '" + args.get(max) + "'; usage: " + USAGE.get(cmd));
        }
        Configuration c = new Configuration(s.source().load());
        List<String> out = new ArrayList<>();
        for (String name : args) {
            XmlElement tag = c.find(name).map(Configuration.CibObject::element).filter(e -> e.name().equals("tag"))
                    .orElse(null);
            List<String> named = tag == null ? List.of(name) : tag.elements("obj_ref").stream().map(XmlElement::id)
                    .filter(c.resourceIds()::contains).toList();
            for (String rsc : named) {
                requireResource(s, cmd, rsc);
                if (!out.contains(rsc)) {
                    out.add(rsc);
                }
            }
        }
        return out;
    }

    static void requireResource(Session s, String cmd, String rsc) throws CrmException {
        Configuration c = new Configuration(s.source().load());
        if (!c.resourceIds().contains(rsc)) {
            List<String> near = c.resourceIds().stream().filter(r -> r.startsWith(rsc.substring(0, Math.min(2, rsc.length()))))
                    .toList();
            throw new CrmException("resource " + cmd + ": no resource '" + rsc + "'"
                    + (near.isEmpty() ? "" : " (did you mean " + String.join(", ", near) + "?)")
                    + "; 'crm resource status' lists the resources");
        }
    }

    static void requireNode(Session s, String what, String node) throws CrmException {
        Configuration c = new Configuration(s.source().load());
        if (!c.nodeNames().contains(node)) {
            throw new CrmException(what + ": node '" + node + "' is not a cluster node; the nodes are "
                    + (c.nodeNames().isEmpty() ? "(none)" : String.join(", ", c.nodeNames())));
        }
    }

    static void setMeta(Session s, String what, String rsc, String name, String value) throws CrmException {
        s.applyNow(what, cib -> {
            XmlElement conf = Tree.section(cib, "configuration");
            XmlElement r = Tree.findById(Tree.section(conf, "resources"), rsc).orElseThrow();
            Set<String> ids = Attributes.ids(cib);
            XmlElement updated = Attributes.set(r, "meta_attributes", rsc + "-meta_attributes", name, value, ids);
            return Attributes.replace(cib, r, updated);
        });
    }

    /**
     * Where start, stop, restart, manage, unmanage and maintenance set their meta attribute: crmsh's rule
     * (its set_deep_meta_attr) is the primitive itself when a group holds it, else the outermost resource
     * holding it. So stopping a cloned primitive stops its clone: set on the primitive inside, the clone's
     * own target-role (or a later 'start' of the clone) would not reach it, and status and the engine
     * would disagree with what the operator meant.
     */
    static String metaTarget(XmlElement resources, String rsc) {
        for (XmlElement top : resources.elements()) {
            if (rsc.equals(top.id())) {
                return rsc;
            }
            XmlElement parent = parentOf(top, rsc);
            if (parent != null) {
                XmlElement self = Tree.findById(top, rsc).orElseThrow();
                return self.name().equals("primitive") && parent.name().equals("group") ? rsc : top.id();
            }
        }
        return rsc;
    }

    private static XmlElement parentOf(XmlElement root, String id) {
        for (XmlElement c : root.elements()) {
            if (id.equals(c.id())) {
                return root;
            }
            XmlElement p = parentOf(c, id);
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /**
     * Sets a meta attribute where crmsh's resource commands set it ({@link #metaTarget}) and says where.
     * A resource held by the target that has its own, different value keeps it unless the operator
     * agrees to drop it (crmsh asks the same; a script drops it only with crm -F): it would override
     * what was just set.
     */
    static void setDeepMeta(Session s, String what, String rsc, String name, String value) throws CrmException {
        XmlElement resources = Tree.section(Tree.section(s.source().load(), "configuration"), "resources");
        String target = metaTarget(resources, rsc);
        XmlElement top = Tree.findById(resources, target).orElseThrow();
        List<String> conflicting = new ArrayList<>();
        collectConflicting(top, name, value, conflicting);
        List<String> dropped = new ArrayList<>();
        for (String c : conflicting) {
            if (s.confirm("Do you want to override " + name + " for child resource " + c + "?", s.force)) {
                dropped.add(c);
            }
        }
        s.applyNow(what, cib -> {
            XmlElement conf = Tree.section(cib, "configuration");
            XmlElement r = Tree.findById(Tree.section(conf, "resources"), target).orElseThrow();
            // a set left empty goes too, as crmsh drops it
            XmlElement updated = Tree.transform(r, e -> dropped.contains(e.id()) ? Attributes.remove(e, "meta_attributes",
                    name, false, new ArrayList<>()).withoutChildren(x -> x.name().equals("meta_attributes")
                    && x.elements().isEmpty()) : e);
            updated = Attributes.set(updated, "meta_attributes", target + "-meta_attributes", name, value,
                    Attributes.ids(cib));
            return Attributes.replace(cib, r, updated);
        });
        s.info("resource " + target + ": " + name + "=" + value + (target.equals(rsc) ? ""
                : " (" + rsc + " is in " + target + ": set there, as crmsh does)"));
        for (String c : conflicting) {
            if (dropped.contains(c)) {
                s.info("resource " + c + ": its own " + name + " removed");
            } else {
                s.warn("resource " + c + " keeps its own " + name + "=" + Attributes.get(Tree.findById(top, c).orElseThrow(),
                        "meta_attributes", name) + " (its own value can override " + target + "'s); 'crm resource meta " + c
                        + " delete " + name + "' removes it (crm -F does it here)");
            }
        }
    }

    /** The resources below {@code owner} whose own meta attribute {@code name} is not {@code value}. */
    private static void collectConflicting(XmlElement owner, String name, String value, List<String> out) {
        for (XmlElement inner : owner.elements()) {
            if (Configuration.RESOURCE_TAGS.contains(inner.name())) {
                String own = Attributes.get(inner, "meta_attributes", name);
                if (own != null && !own.equalsIgnoreCase(value)) {
                    out.add(inner.id());
                }
                collectConflicting(inner, name, value, out);
            }
        }
    }

    private int restart(Session s, List<String> rscs) throws CrmException {
        if (!s.source().live()) {
            throw new CrmException("resource restart: works on a running cluster only; on a file there is nothing "
                    + "running to restart (use stop and start to change target-role)");
        }
        String names = String.join(", ", rscs);
        s.info("ordering " + names + " to stop");
        for (String rsc : rscs) {
            setDeepMeta(s, "resource restart", rsc, "target-role", "Stopped");
        }
        long deadline = s.clock.millis() + 120_000;
        while (true) {
            StatusModel m = new StatusModel(s.source().load(), s.clock.instant());
            if (rscs.stream().allMatch(r -> m.activeNodes(r).isEmpty())) {
                break;
            }
            if (s.clock.millis() > deadline) {
                throw new CrmException("resource restart: " + names + " did not stop within 120 s; left with "
                        + "target-role=Stopped. Look at 'crm status', then 'crm resource start " + String.join(" ", rscs) + "'");
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CrmException("resource restart: interrupted; " + names + " left with target-role=Stopped");
            }
        }
        s.info("ordering " + names + " to start");
        for (String rsc : rscs) {
            setDeepMeta(s, "resource restart", rsc, "target-role", "Started");
        }
        return 0;
    }

    /** move/ban: [node] [lifetime] [force] in any order after the resource, as crmsh takes them. */
    private int move(Session s, List<String> args, boolean ban) throws CrmException {
        String cmd = ban ? "ban" : "move";
        if (args.isEmpty()) {
            throw new CrmException("resource " + cmd + ": name a resource; usage: " + USAGE.get(cmd));
        }
        String rsc = args.get(0);
        requireResource(s, cmd, rsc);
        String node = null;
        Duration lifetime = null;
        for (String a : args.subList(1, args.size())) {
            if (a.equals("force") || a.equals("--force")) {
                continue;
            }
            if (a.startsWith("lifetime=")) {
                a = a.substring(9);
            }
            if (Lifetime.looksLikeDuration(a)) {
                lifetime = Lifetime.parse(a);
                if (lifetime == null || lifetime.isZero()) {
                    throw new CrmException("resource " + cmd + ": '" + a + "' is not a lifetime; use ISO 8601 such as PT1H or P1D");
                }
            } else if (node == null) {
                node = a;
            } else {
                throw new CrmException("resource " + cmd + ": unexpected '" + a + "'; usage: " + USAGE.get(cmd));
            }
        }
        if (node == null) {
            // crm_resource's rule: without a node, a resource running in one place is banned from
            // there, and one running in several is refused (crmd's move, for the web console, bans
            // them all). The shell's reading also follows a group or clone to its primitives.
            List<String> active = new StatusModel(s.source().load(), s.clock.instant()).activeNodes(rsc);
            if (active.size() != 1) {
                throw new CrmException("resource " + cmd + ": " + rsc + (active.isEmpty() ? " is not running"
                        : " runs on " + String.join(", ", active)) + ", so there is no node to " + (ban ? "ban it from" : "move it away from")
                        + "; name the node");
            }
            node = active.get(0);
            ban = true;
        }
        // the constraints and the check of the node are crmd's too (cib's MoveBanClear): one rule
        // for a move on a file and a move the DC writes
        String n = node;
        String end = lifetime == null ? null : Lifetime.end(s.clock.instant(), lifetime);
        String id = ban ? "cli-ban-" + rsc + "-on-" + node : "cli-prefer-" + rsc;
        boolean isBan = ban;
        s.applyNow("resource " + cmd, cib -> {
            try {
                return MoveBanClear.apply(cib, isBan ? MoveBanClear.ban(cib(cib), rsc, n, end)
                        : MoveBanClear.move(cib(cib), rsc, n, end));
            } catch (MoveBanClear.Refused e) {
                throw new CrmException(e.getMessage());
            }
        });
        if (ban) {
            s.warn("Creating rsc_location constraint '" + id + "' with a score of -INFINITY for resource " + rsc
                    + " on " + node + ".\n\tThis will prevent " + rsc + " from running on " + node
                    + (end == null ? " until the constraint is removed using the clear option or by editing the CIB"
                    : " until " + end));
        } else {
            s.info("Move constraint created for " + rsc + " to " + node + (end == null ? "" : " until " + end));
        }
        s.info("Use `crm resource clear " + rsc + "` to remove this constraint");
        return 0;
    }

    /**
     * cleanup forgets failures (failed operations, fail counts); refresh, as crm_resource
     * --refresh, forgets the resource's whole operation history on the node, so the cluster
     * probes it again and learns its state afresh.
     */
    private int cleanup(Session s, List<String> args, boolean refresh) throws CrmException {
        String cmd = refresh ? "refresh" : "cleanup";
        List<String> rest = args.stream().filter(a -> !a.equals("force") && !a.equals("--force")).toList();
        String rsc = rest.isEmpty() ? null : rest.get(0);
        String node = rest.size() > 1 ? rest.get(1) : null;
        if (rest.size() > 2) {
            throw new CrmException("resource " + cmd + ": unexpected '" + rest.get(2) + "'; usage: " + USAGE.get(cmd));
        }
        if (rsc != null) {
            requireResource(s, cmd, rsc);
        }
        if (node != null) {
            requireNode(s, "resource " + cmd, node);
        }
        // a group or clone is cleaned through the primitives in it, as crm_resource does
        XmlElement current = s.source().load();
        Set<String> primitives = rsc == null ? null : new java.util.HashSet<>(new Configuration(current)
                .find(rsc).map(o -> Tree.descendants(o.element(), "primitive").stream().map(XmlElement::id).toList())
                .orElse(List.of(rsc)));
        if (s.source() instanceof LiveCibSource live) {
            // crmd cleans one history entry (lrm_resource id, a clone instance's too) per request:
            // ask for each one the status holds of what was named (everything when nothing was)
            Set<String> ids = new java.util.TreeSet<>();
            for (XmlElement lr : Tree.descendants(Tree.section(current, "status"), "lrm_resource")) {
                if (lr.id() != null && (primitives == null || primitives.contains(baseId(lr.id())))) {
                    ids.add(lr.id());
                }
            }
            if (primitives != null) {
                ids.addAll(primitives);
            }
            for (String id : ids) {
                live.command(AdminRequest.resource(live.client().nextId(), cmd, id, node));
            }
            s.info((refresh ? "Refreshed " : "Cleaned up ") + (rsc == null ? "all resources" : rsc)
                    + (node == null ? "" : " on " + node));
            return 0;
        }
        List<String> cleaned = new ArrayList<>();
        s.applyNow("resource " + cmd, cib -> Tree.transform(cib, e -> {
            if (e.name().equals("node_state")) {
                String nodeName = e.attr("uname", e.id());
                if (node != null && !node.equals(nodeName)) {
                    return e;
                }
                return cleanNode(e, primitives, nodeName, cleaned, refresh);
            }
            return e;
        }));
        if (cleaned.isEmpty()) {
            s.info("nothing to " + (refresh ? "refresh" : "clean up") + " for " + (rsc == null ? "any resource" : rsc));
        }
        for (String c : cleaned) {
            s.info((refresh ? "Refreshed " : "Cleaned up ") + c);
        }
        return 0;
    }

    /**
     * Removes failed operation records and fail-count/last-failure attributes of {@code rsc} (all
     * when null); with {@code all}, every operation record of it (the lrm_resource itself).
     */
    private static XmlElement cleanNode(XmlElement state, Set<String> rsc, String node, List<String> cleaned,
                                        boolean all) {
        Set<String> touched = new java.util.TreeSet<>();
        XmlElement out = Tree.transform(state, e -> {
            if (e.name().equals("lrm_resource") && (rsc == null || rsc.contains(baseId(e.id())))) {
                if (all) {
                    touched.add(baseId(e.id()));
                    return null;
                }
                XmlElement kept = e.withoutChildren(op -> op.name().equals("lrm_rsc_op") && isFailure(op));
                if (kept.elements().size() != e.elements().size()) {
                    touched.add(baseId(e.id()));
                }
                return kept;
            }
            if (e.name().equals("nvpair")) {
                String n = e.attr("name", "");
                for (String p : List.of("fail-count-", "last-failure-")) {
                    if (n.startsWith(p)) {
                        String r = n.substring(p.length());
                        int h = r.indexOf('#');
                        r = baseId(h > 0 ? r.substring(0, h) : r);
                        if (rsc == null || rsc.contains(r)) {
                            touched.add(r);
                            return null;
                        }
                    }
                }
            }
            return e;
        });
        for (String r : touched) {
            cleaned.add(r + " on " + node);
        }
        return out;
    }

    private static String baseId(String id) {
        int colon = id.indexOf(':');
        return colon > 0 ? id.substring(0, colon) : id;
    }

    static boolean isFailure(XmlElement op) {
        int rc;
        int status;
        try {
            rc = Integer.parseInt(op.attr("rc-code", "0"));
            status = Integer.parseInt(op.attr("op-status", "0"));
        } catch (NumberFormatException e) {
            return false;
        }
        long interval;
        try {
            interval = Long.parseLong(op.attr("interval", "0"));
        } catch (NumberFormatException e) {
            interval = 0;
        }
        boolean probe = "monitor".equals(op.attr("operation")) && interval == 0;
        if (probe && (rc == 0 || rc == 7 || rc == 8)) {
            return false;
        }
        return rc != StatusModel.targetRc(op) || (status != 0 && status != -1);
    }

    private int status(Session s, String cmd, List<String> args) throws CrmException {
        StatusModel m = new StatusModel(s.source().load(), s.clock.instant());
        if (args.isEmpty()) {
            if (cmd.equals("locate")) {
                throw new CrmException("resource locate: name a resource");
            }
            String text = StatusCommand.text(m, s.clock.getZone());
            int at = text.indexOf("Full List of Resources:");
            int end = text.indexOf("\n\n", at);
            s.out.println(end < 0 ? text.substring(at).stripTrailing() : text.substring(at, end));
            return 0;
        }
        for (String rsc : args) {
            requireResource(s, cmd, rsc);
            List<String> nodes = m.activeNodes(rsc);
            if (nodes.isEmpty()) {
                s.out.println("resource " + rsc + " is NOT running");
            } else {
                s.out.println("resource " + rsc + " is running on: " + String.join(" ", nodes));
            }
        }
        return 0;
    }

    /** crmsh's {@code resource param|meta RSC set|delete|show NAME [VALUE]}, with crm_resource's messages. */
    private int attribute(Session s, String cmd, List<String> args) throws CrmException {
        if (args.size() < 3) {
            throw new CrmException("resource " + cmd + ": usage: " + USAGE.get(cmd));
        }
        String rsc = args.get(0);
        String verb = args.get(1);
        String name = args.get(2);
        requireResource(s, cmd, rsc);
        String setTag = switch (cmd) {
            case "param" -> "instance_attributes";
            case "utilization" -> "utilization";
            default -> "meta_attributes";
        };
        switch (verb) {
            case "show" -> {
                XmlElement r = Tree.findById(Tree.section(Tree.section(s.source().load(), "configuration"), "resources"), rsc)
                        .orElseThrow();
                String v = Attributes.get(r, setTag, name);
                if (v == null) {
                    throw new CrmException("resource " + cmd + " show: " + rsc + " has no " + (cmd.equals("param")
                            ? "parameter" : cmd.equals("utilization") ? "utilization attribute" : "meta attribute")
                            + " '" + name + "'");
                }
                s.out.println(v);
                return 0;
            }
            case "set" -> {
                if (args.size() != 4) {
                    throw new CrmException("resource " + cmd + " set: give a name and a value; usage: " + USAGE.get(cmd));
                }
                String value = args.get(3);
                String[] id = new String[1];
                s.applyNow("resource " + cmd, cib -> {
                    XmlElement conf = Tree.section(cib, "configuration");
                    XmlElement r = Tree.findById(Tree.section(conf, "resources"), rsc).orElseThrow();
                    XmlElement updated = Attributes.set(r, setTag, rsc + "-" + setTag, name, value, Attributes.ids(cib));
                    for (XmlElement set : updated.elements(setTag)) {
                        for (XmlElement p : set.elements("nvpair")) {
                            if (name.equals(p.attr("name")) && id[0] == null) {
                                id[0] = p.id();
                            }
                        }
                    }
                    return Attributes.replace(cib, r, updated);
                });
                s.out.println("Set '" + rsc + "' option: id=" + id[0] + " name=" + name + " value=" + value);
                return 0;
            }
            case "delete" -> {
                List<String> removed = new ArrayList<>();
                s.applyNow("resource " + cmd, cib -> {
                    XmlElement conf = Tree.section(cib, "configuration");
                    XmlElement r = Tree.findById(Tree.section(conf, "resources"), rsc).orElseThrow();
                    return Attributes.replace(cib, r, Attributes.remove(r, setTag, name, false, removed));
                });
                if (removed.isEmpty()) {
                    throw new CrmException("resource " + cmd + " delete: " + rsc + " has no '" + name + "'");
                }
                s.out.println("Deleted '" + rsc + "' option: id=" + removed.get(0) + " name=" + name);
                return 0;
            }
            default -> throw new CrmException("resource " + cmd + ": '" + verb + "' is not set, delete or show");
        }
    }

    private int failcount(Session s, List<String> args) throws CrmException {
        if (args.size() < 3) {
            throw new CrmException("resource failcount: usage: " + USAGE.get("failcount"));
        }
        String rsc = args.get(0);
        String verb = args.get(1);
        String node = args.get(2);
        requireResource(s, "failcount", rsc);
        requireNode(s, "resource failcount", node);
        StatusModel m = new StatusModel(s.source().load(), s.clock.instant());
        switch (verb) {
            case "show" -> {
                int total = m.failCounts.stream().filter(f -> f.node().equals(node) && f.resource().equals(rsc))
                        .mapToInt(StatusModel.FailCount::count).sum();
                s.out.println("scope=status  name=fail-count-" + rsc + " value=" + total);
                return 0;
            }
            case "delete", "set" -> {
                String value = verb.equals("set") ? (args.size() > 3 ? args.get(3) : null) : null;
                if (verb.equals("set") && (value == null || !(value.matches("\\d+") || value.equalsIgnoreCase("INFINITY")))) {
                    throw new CrmException("resource failcount set: give a count (a number or INFINITY)");
                }
                if (s.source() instanceof LiveCibSource live) {
                    AdminRequest request = AdminRequest.resource(live.client().nextId(), "failcount-" + verb, rsc, node);
                    if (value != null) {
                        // crmd refuses failcount-set without the count it is to set
                        request = new AdminRequest(request.id(), request.op(), request.args().with("value", value));
                    }
                    live.command(request);
                    return 0;
                }
                s.applyNow("resource failcount", cib -> Tree.transform(cib, e -> {
                    if (e.name().equals("node_state") && node.equals(e.attr("uname", e.id()))) {
                        XmlElement state = Tree.transform(e, x -> x.name().equals("nvpair")
                                && x.attr("name", "").startsWith("fail-count-" + rsc)
                                && (x.attr("name").length() == ("fail-count-" + rsc).length()
                                || x.attr("name").charAt(("fail-count-" + rsc).length()) == '#') ? null : x);
                        if (value != null && !value.equals("0")) {
                            // The form the policy engine reads for this CIB's feature set (as crmd writes it).
                            String name = org.pulse.policy.PolicyEngine.failCountsPerOperation(cib.attr("crm_feature_set"))
                                    ? "fail-count-" + rsc + "#start_0" : "fail-count-" + rsc;
                            state = NodeLevel.setStatusAttr(state, name, value, Attributes.ids(cib));
                        }
                        return state;
                    }
                    return e;
                }));
                s.info("fail count of " + rsc + " on " + node + (value == null ? " deleted" : " set to " + value));
                return 0;
            }
            default -> throw new CrmException("resource failcount: '" + verb + "' is not show, set or delete");
        }
    }
}
