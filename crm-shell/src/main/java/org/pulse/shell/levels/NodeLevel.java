package org.pulse.shell.levels;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;
import org.pulse.shell.Session;
import org.pulse.shell.config.Attributes;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.config.Tree;
import org.pulse.shell.parse.Token;
import org.pulse.shell.render.StatusModel;
import org.pulse.shell.source.LiveCibSource;

/**
 * The node level: standby/online, maintenance/ready, permanent attributes (nodes section) and
 * transient ones (status section), as crmsh does them through crm_attribute, with the same ids.
 */
public final class NodeLevel extends Level {
    private static final Map<String, String> USAGE = new LinkedHashMap<>();

    static {
        USAGE.put("standby", "standby [<node>] [forever|reboot]   put a node in standby (default: forever)");
        USAGE.put("online", "online [<node>]   take a node out of standby");
        USAGE.put("maintenance", "maintenance [<node>]   put a node in maintenance mode");
        USAGE.put("ready", "ready [<node>]   take a node out of maintenance mode");
        USAGE.put("attribute", "attribute <node> set <name> <value> | delete <name> | show <name>");
        USAGE.put("status-attr", "status-attr <node> set <name> <value> | delete <name> | show <name>");
        USAGE.put("utilization", "utilization <node> set <name> <value> | delete <name> | show <name>   capacities");
        USAGE.put("show", "show [<node>]   nodes with their attributes");
        USAGE.put("fence", "fence <node>   fence (power off or reboot, per stonith-action) a node now");
        USAGE.put("delete", "delete <node>   not here: crm cluster remove <node> takes a node out of the cluster");
        USAGE.put("clearstate", "clearstate <node>   forget a node's state (history, transient attributes) after it was"
                + " fenced by hand; what it ran is then recovered elsewhere");
    }

    NodeLevel() {
        super("node", USAGE);
    }

    @Override
    int run(Shell shell, List<Token> words) throws CrmException {
        Session s = shell.session;
        String cmd = words.get(0).text();
        List<String> args = arguments(words);
        switch (cmd) {
            case "standby" -> {
                String node = node(s, cmd, args);
                boolean reboot = args.size() > 1 && args.get(1).equals("reboot");
                if (args.size() > 1 && !reboot && !args.get(1).equals("forever")) {
                    throw new CrmException("node standby: unexpected '" + args.get(1) + "'; use forever or reboot");
                }
                if (reboot) {
                    setStatus(s, cmd, node, "standby", "on");
                } else if (s.source() instanceof LiveCibSource live) {
                    setNodes(s, cmd, node, "standby", "on");
                    dropTransient(live, node, "standby");
                } else {
                    // A transient value would override the permanent one: drop it.
                    s.applyNow("node standby", cib -> withoutStatusAttr(withNodeAttr(cib, node, "standby", "on"), node,
                            "standby"));
                }
                s.info("standby node " + node);
                return 0;
            }
            case "online" -> {
                String node = node(s, cmd, args);
                boolean live = s.source() instanceof LiveCibSource;
                s.applyNow("node online", cib -> {
                    XmlElement out = cib;
                    if (hasNodeAttr(cib, node, "standby")) {
                        out = withNodeAttr(out, node, "standby", "off");
                    }
                    return live ? out : withoutStatusAttr(out, node, "standby");
                });
                if (s.source() instanceof LiveCibSource l) {
                    dropTransient(l, node, "standby");
                }
                s.info("online node " + node);
                return 0;
            }
            case "fence" -> {
                if (args.size() != 1) {
                    throw new CrmException("node fence: give exactly one node: crm node fence <node>");
                }
                if (!(s.source() instanceof LiveCibSource live)) {
                    throw new CrmException("node fence: fencing needs the running cluster (crmd), not a CIB file");
                }
                // As crmsh: at a terminal, a node is powered off only once the operator said yes (-F skips the
                // question); a script (no terminal) goes ahead, as the script's author asked for it.
                String target = args.get(0);
                if (!s.force && !s.confirm("Fencing " + target + " powers it off or reboots it now (stonith-action), and what"
                        + " runs there is recovered on other nodes. Fence " + target, true)) {
                    s.info(target + " not fenced");
                    return 0;
                }
                // crmd checks the name (it knows the members and the nodes the CIB has seen) and answers at once;
                // crm status shows the outcome in its Fencing history.
                var r = live.client().require(org.pulse.cib.admin.AdminRequest.node(live.client().nextId(), "fence",
                        args.get(0)));
                String message;
                try {
                    message = r.result().string("message").orElse("fencing " + args.get(0) + " requested");
                } catch (org.pulse.cib.admin.AdminProtocolException e) {
                    message = "fencing " + args.get(0) + " requested";
                }
                s.info(message);
                return 0;
            }
            case "clearstate" -> {
                return clearState(s, args);
            }
            case "delete" -> throw new CrmException("node delete: a node leaves Pulse's node list with 'crm cluster"
                    + " remove NODE' (run on a running member: every member's list, the node's CIB entries and its vote"
                    + " go together)");
            case "maintenance", "ready" -> {
                String node = node(s, cmd, args);
                setNodes(s, cmd, node, "maintenance", cmd.equals("maintenance") ? "true" : "false");
                s.info((cmd.equals("maintenance") ? "maintenance" : "ready") + " node " + node);
                return 0;
            }
            case "attribute", "status-attr" -> {
                return attribute(s, cmd, args);
            }
            case "utilization" -> {
                return utilization(s, args);
            }
            case "show" -> {
                Configuration c = new Configuration(s.source().load());
                StatusModel m = new StatusModel(c.cib(), s.clock.instant());
                for (StatusModel.NodeView n : m.nodes) {
                    if (!args.isEmpty() && !args.contains(n.name())) {
                        continue;
                    }
                    s.out.println(n.name() + ": member" + (n.online() ? "" : " (offline)"));
                    n.attributes().forEach((k, v) -> {
                        if (!k.startsWith("fail-count-") && !k.startsWith("last-failure-")) {
                            s.out.println("\t" + k + "=" + v);
                        }
                    });
                }
                for (String a : args) {
                    ResourceLevel.requireNode(s, "node show", a);
                }
                return 0;
            }
            default -> throw new CrmException("node: '" + cmd + "' is not implemented");
        }
    }

    /**
     * The node argument; without one, the local node (crmsh's default), which must be in the CIB. Live,
     * that is the node whose crmd answers (crm_node -n's answer), which need not be this machine's host
     * name (several nodes on one machine, a node name other than the host name); on a file, the host name.
     */
    /**
     * crm node clearstate NODE, as crmsh does it for an offline node (stonith_admin --confirm): the node's state is
     * that of a fenced one (cib's NodeClearState; live, the DC writes it on its own CIB). Refused for an online node:
     * what its history records really runs, and crmsh cleans up instead (crm resource cleanup does that here).
     */
    private static int clearState(Session s, List<String> args) throws CrmException {
        if (args.size() != 1) {
            throw new CrmException("node clearstate: give exactly one node, the one that is down and was fenced by hand:"
                    + " crm node clearstate <node>");
        }
        String node = args.get(0);
        if (!s.force && !s.confirm("Clearing " + node + "'s state tells the cluster it is down and runs nothing; if it"
                + " still runs something, that runs twice. Do you really want to drop state for node " + node, true)) {
            s.info("state of " + node + " kept");
            return 0;
        }
        if (s.source() instanceof LiveCibSource live) {
            live.client().require(AdminRequest.node(live.client().nextId(), "clearstate", node));
        } else {
            s.applyNow("node clearstate", cib -> {
                var refusal = org.pulse.cib.admin.NodeClearState.refusal(cib, node);
                if (refusal.isPresent()) {
                    throw new CrmException("node clearstate: " + refusal.get().message());
                }
                return org.pulse.cib.admin.NodeClearState.markDown(cib, node);
            });
            // The fence history is the running cluster's (its DC's), not the CIB's: nothing on a file to add to.
            s.info("on a CIB file there is no fence history; live, clearstate records \"off of " + node
                    + " by a human\" there");
        }
        s.info("state of node " + node + " cleared");
        return 0;
    }

    private static String node(Session s, String cmd, List<String> args) throws CrmException {
        String node = args.isEmpty() ? (s.source() instanceof LiveCibSource live ? crmdNode(live) : localName(s))
                : args.get(0);
        XmlElement cib = s.source().load();
        Configuration c = new Configuration(cib);
        if (!c.nodeNames().contains(node) && !remoteNodes(cib).contains(node)) {
            List<String> all = new ArrayList<>(c.nodeNames());
            remoteNodes(cib).stream().filter(r -> !all.contains(r)).forEach(all::add);
            throw new CrmException("node." + cmd + ": Node \"" + node + "\" is not a cluster node; the nodes are "
                    + (all.isEmpty() ? "(none)" : String.join(", ", all)));
        }
        return node;
    }

    /**
     * Remote and guest nodes, as Pacemaker's tools find them for crm_attribute: every
     * {@code ocf:pacemaker:remote} primitive's id, every {@code remote-node} meta, and every node_state
     * marked {@code remote_node}. Their permanent attributes live in a {@code type="remote"} entry of the
     * nodes section, made by the first one set (as Pacemaker makes it).
     */
    static java.util.Set<String> remoteNodes(XmlElement cib) {
        java.util.Set<String> out = new java.util.LinkedHashSet<>();
        for (XmlElement p : Tree.descendants(Tree.section(Tree.section(cib, "configuration"), "resources"), "primitive")) {
            if ("ocf".equals(p.attr("class")) && "pacemaker".equals(p.attr("provider")) && "remote".equals(p.attr("type"))) {
                out.add(p.id());
            }
            String guest = StatusModel.meta(p, "remote-node");
            if (guest != null && !guest.isBlank()) {
                out.add(guest);
            }
        }
        for (XmlElement st : Tree.section(cib, "status").elements("node_state")) {
            if ("true".equals(st.attr("remote_node"))) {
                out.add(st.attr("uname", st.id()));
            }
        }
        return out;
    }

    /** The nodes section entry of {@code node}, made (as a remote node's, {@code type="remote"}) when it has none. */
    private static XmlElement withNodeEntry(XmlElement cib, String node) {
        if (nodeElement(cib, node).isPresent()) {
            return cib;
        }
        XmlElement nodes = Tree.section(Tree.section(cib, "configuration"), "nodes");
        XmlElement entry = XmlElement.of("node", "id", node, "uname", node, "type", "remote");
        return Tree.withSection(cib, "configuration", Tree.withSection(Tree.section(cib, "configuration"), "nodes",
                nodes.withChildAppended(entry)));
    }

    private static String crmdNode(LiveCibSource live) throws CrmException {
        try {
            return live.command(AdminRequest.status(live.client().nextId())).requireString("node");
        } catch (org.pulse.cib.admin.AdminProtocolException e) {
            throw new CrmException("crmd did not say which node it is (" + e.getMessage() + "); name the node");
        }
    }

    public static String localName(Session s) {
        String h = s.env.get("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
            } catch (Exception e) {
                h = "localhost";
            }
        }
        return h;
    }

    private int attribute(Session s, String cmd, List<String> args) throws CrmException {
        boolean status = cmd.equals("status-attr");
        if (args.size() < 3) {
            throw new CrmException("node " + cmd + ": usage: " + USAGE.get(cmd));
        }
        String node = node(s, cmd, args);
        String verb = args.get(1);
        String name = args.get(2);
        String scope = status ? "status" : "nodes";
        switch (verb) {
            case "set" -> {
                if (args.size() != 4) {
                    throw new CrmException("node " + cmd + " set: give a name and a value; usage: " + USAGE.get(cmd));
                }
                if (status) {
                    setStatus(s, cmd, node, name, args.get(3));
                } else {
                    setNodes(s, cmd, node, name, args.get(3));
                }
                s.out.println("scope=" + scope + "  name=" + name + " value=" + args.get(3));
                return 0;
            }
            case "delete" -> {
                if (status && s.source() instanceof LiveCibSource live) {
                    live.command(new AdminRequest(live.client().nextId(), AdminOp.NODE, AdminArgs.of("action",
                            "attribute-delete", "node", node, "name", name, "lifetime", "reboot")));
                    s.out.println("Deleted status attribute: name=" + name);
                    return 0;
                }
                List<String> removed = new ArrayList<>();
                s.applyNow("node " + cmd, cib -> Tree.transform(cib, e -> {
                    boolean owner = status ? e.name().equals("node_state") && node.equals(e.attr("uname", e.id()))
                            : e.name().equals("node") && node.equals(e.attr("uname", e.id()));
                    if (!owner) {
                        return e;
                    }
                    return Tree.transform(e, x -> {
                        if (x.name().equals("nvpair") && name.equals(x.attr("name"))) {
                            removed.add(x.id());
                            return null;
                        }
                        return x;
                    });
                }));
                if (removed.isEmpty()) {
                    throw new CrmException("node " + cmd + " delete: " + node + " has no attribute '" + name + "'");
                }
                s.out.println("Deleted " + scope + " attribute: id=" + removed.get(0) + " name=" + name);
                return 0;
            }
            case "show" -> {
                XmlElement cib = s.source().load();
                String v = status ? statusAttr(cib, node, name) : nodeAttr(cib, node, name);
                if (v == null) {
                    throw new CrmException("node " + cmd + " show: " + node + " has no attribute '" + name + "'");
                }
                s.out.println("scope=" + scope + "  name=" + name + " value=" + v);
                return 0;
            }
            default -> throw new CrmException("node " + cmd + ": '" + verb + "' is not set, delete or show");
        }
    }

    /** A node's capacity for placement-strategy (its utilization set in the nodes section), as crmsh's. */
    private int utilization(Session s, List<String> args) throws CrmException {
        String cmd = "utilization";
        if (args.size() < 3) {
            throw new CrmException("node " + cmd + ": usage: " + USAGE.get(cmd));
        }
        String node = node(s, cmd, args);
        String verb = args.get(1);
        String name = args.get(2);
        switch (verb) {
            case "set" -> {
                if (args.size() != 4) {
                    throw new CrmException("node " + cmd + " set: give a name and a value; usage: " + USAGE.get(cmd));
                }
                String value = args.get(3);
                s.applyNow("node " + cmd, current -> {
                    XmlElement cib = withNodeEntry(current, node);
                    XmlElement n = nodeElement(cib, node).orElseThrow();
                    return Attributes.replace(cib, n, Attributes.set(n, "utilization", "nodes-" + n.id() + "-utilization",
                            name, value, Attributes.ids(cib)));
                });
                s.out.println("scope=nodes  name=" + name + " value=" + value);
                return 0;
            }
            case "delete" -> {
                List<String> removed = new ArrayList<>();
                s.applyNow("node " + cmd, cib -> Tree.transform(cib, e -> {
                    if (!(e.name().equals("node") && node.equals(e.attr("uname", e.id())))) {
                        return e;
                    }
                    return Tree.transform(e, x -> {
                        if (x.name().equals("utilization")) {
                            return Tree.transform(x, p -> {
                                if (p.name().equals("nvpair") && name.equals(p.attr("name"))) {
                                    removed.add(p.id());
                                    return null;
                                }
                                return p;
                            });
                        }
                        return x;
                    });
                }));
                if (removed.isEmpty()) {
                    throw new CrmException("node " + cmd + " delete: " + node + " has no utilization '" + name + "'");
                }
                s.out.println("Deleted nodes utilization: id=" + removed.get(0) + " name=" + name);
                return 0;
            }
            case "show" -> {
                String v = nodeElement(s.source().load(), node).map(n -> Attributes.get(n, "utilization", name))
                        .orElse(null);
                if (v == null) {
                    throw new CrmException("node " + cmd + " show: " + node + " has no utilization '" + name + "'");
                }
                s.out.println("scope=nodes  name=" + name + " value=" + v);
                return 0;
            }
            default -> throw new CrmException("node " + cmd + ": '" + verb + "' is not set, delete or show");
        }
    }

    // ---- attribute edits ----

    private static void setNodes(Session s, String cmd, String node, String name, String value) throws CrmException {
        s.applyNow("node " + cmd, cib -> withNodeAttr(cib, node, name, value));
    }

    /** Transient attributes belong to the cluster's attribute manager: live, crmd sets them; offline, the file. */
    private static void setStatus(Session s, String cmd, String node, String name, String value) throws CrmException {
        if (s.source() instanceof LiveCibSource live) {
            live.command(new AdminRequest(live.client().nextId(), AdminOp.NODE, AdminArgs.of("action", "attribute-set",
                    "node", node, "name", name, "value", value, "lifetime", "reboot")));
            return;
        }
        s.applyNow("node " + cmd, cib -> withStatusAttr(cib, node, name, value));
    }

    private static void dropTransient(LiveCibSource live, String node, String name) {
        try {
            live.command(new AdminRequest(live.client().nextId(), AdminOp.NODE, AdminArgs.of("action",
                    "attribute-delete", "node", node, "name", name, "lifetime", "reboot")));
        } catch (CrmException e) {
            // none to drop
        }
    }

    private static Optional<XmlElement> nodeElement(XmlElement cib, String node) {
        return Tree.section(Tree.section(cib, "configuration"), "nodes").elements("node").stream()
                .filter(n -> node.equals(n.attr("uname", n.id()))).findFirst();
    }

    static String nodeAttr(XmlElement cib, String node, String name) {
        return nodeElement(cib, node).map(n -> Attributes.get(n, "instance_attributes", name)).orElse(null);
    }

    private static boolean hasNodeAttr(XmlElement cib, String node, String name) {
        return nodeAttr(cib, node, name) != null;
    }

    static XmlElement withNodeAttr(XmlElement current, String node, String name, String value) {
        XmlElement cib = withNodeEntry(current, node);
        XmlElement n = nodeElement(cib, node).orElseThrow();
        XmlElement updated = Attributes.set(n, "instance_attributes", "nodes-" + n.id(), name, value, Attributes.ids(cib));
        return Attributes.replace(cib, n, updated);
    }

    private static Optional<XmlElement> nodeState(XmlElement cib, String node) {
        return Tree.section(cib, "status").elements("node_state").stream()
                .filter(n -> node.equals(n.attr("uname", n.id()))).findFirst();
    }

    static String statusAttr(XmlElement cib, String node, String name) {
        return nodeState(cib, node).flatMap(st -> st.element("transient_attributes"))
                .map(t -> Attributes.get(t, "instance_attributes", name)).orElse(null);
    }

    static XmlElement withoutStatusAttr(XmlElement cib, String node, String name) {
        return Tree.transform(cib, e -> {
            if (e.name().equals("node_state") && node.equals(e.attr("uname", e.id()))) {
                return Tree.transform(e, x -> x.name().equals("nvpair") && name.equals(x.attr("name")) ? null : x);
            }
            return e;
        });
    }

    /** A transient attribute, in node_state/transient_attributes (made when the node has none yet). */
    static XmlElement withStatusAttr(XmlElement cib, String node, String name, String value) {
        Set<String> ids = Attributes.ids(cib);
        // a remote node may have no nodes section entry: its node_state's id is its name
        String id = nodeElement(cib, node).map(XmlElement::id).orElse(node);
        Optional<XmlElement> st = nodeState(cib, node);
        XmlElement state = st.orElse(XmlElement.of("node_state", "id", id, "uname", node));
        XmlElement updated = setStatusAttr(state, name, value, ids);
        XmlElement status = Tree.section(cib, "status");
        if (st.isPresent()) {
            return Attributes.replace(cib, st.get(), updated);
        }
        return Tree.withSection(cib, "status", status.withChildAppended(updated));
    }

    static XmlElement setStatusAttr(XmlElement state, String name, String value, Set<String> ids) {
        Optional<XmlElement> ta = state.element("transient_attributes");
        XmlElement t = ta.orElse(XmlElement.of("transient_attributes", "id", state.id()));
        XmlElement updated = Attributes.set(t, "instance_attributes", "status-" + state.id(), name, value, ids);
        if (ta.isPresent()) {
            XmlElement old = ta.get();
            return state.withChildReplaced(e -> e == old, updated);
        }
        return state.withChildAppended(updated);
    }
}
