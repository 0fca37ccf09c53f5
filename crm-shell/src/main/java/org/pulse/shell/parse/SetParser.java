package org.pulse.shell.parse;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.pulse.cib.model.ClusterOptions;
import org.pulse.shell.CrmException;
import org.pulse.shell.levels.Shell;

/** {@code property}, {@code rsc_defaults}, {@code op_defaults}, {@code node} and {@code tag}. */
final class SetParser {
    private SetParser() {
    }

    private static final Pattern SET_ID = Pattern.compile("([\\w-]+):");
    private static final Pattern DOLLAR_ID = Pattern.compile("\\$id=(.*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern UNAME = Pattern.compile("([^:]+)(?::(normal|member|ping|remote))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG = Pattern.compile("([a-zA-Z_][^\\s:]*):?");

    /**
     * The root is the element to merge into the configuration: {@code cluster_property_set}
     * for property, {@code rsc_defaults}/{@code op_defaults} holding one meta_attributes set.
     */
    static Parsed properties(Cursor c, String keyword) throws CrmException {
        MNode root;
        MNode set;
        if (keyword.equals("property")) {
            root = new MNode("cluster_property_set");
            set = root;
        } else {
            root = new MNode(keyword);
            set = root.child("meta_attributes");
        }
        if (c.tryMatch(DOLLAR_ID) || c.tryMatch(SET_ID)) {
            set.set("id", c.group(1));
        } else if (c.tryMatch(Syntax.IDSPEC)) {
            set.set(c.group(1).substring(1).toLowerCase(Locale.ROOT), c.group(2));
        }
        for (MNode r : Syntax.rules(c)) {
            set.add(r);
        }
        List<MNode> pairs = Syntax.nvpairs(c, Set.of());
        for (MNode p : pairs) {
            if (p.get("value") != null && p.get("value").isEmpty()) {
                throw c.error("empty value for " + p.get("name") + "; give a value, or delete the option with "
                        + "'delete' / 'edit'");
            }
            set.add(p);
        }
        if (c.more()) {
            throw c.unexpected(c.peek(), "<name>=<value>");
        }
        if (pairs.isEmpty()) {
            throw c.missing("<name>=<value> (e.g. " + (keyword.equals("property") ? "stonith-enabled=false"
                    : keyword.equals("op_defaults") ? "timeout=60s" : "resource-stickiness=100") + ")");
        }
        List<String> warnings = new java.util.ArrayList<>();
        if (keyword.equals("property")) {
            // as crmsh: a name the cluster does not know is kept (agents keep state in properties of
            // their own) but warned about, so "stonith-enable=false" does not pass unnoticed
            for (MNode p : pairs) {
                String name = p.get("name");
                if (name != null && !ClusterOptions.KNOWN_NAMES.contains(name)) {
                    warnings.add("property " + name + " is not a cluster option; it is stored but the cluster does "
                            + "not read it" + Shell.didYouMean(name, ClusterOptions.KNOWN_NAMES.stream().sorted().toList()));
                }
            }
        }
        List<String> known = keyword.equals("rsc_defaults") ? RESOURCE_META : keyword.equals("op_defaults") ? OP_META : null;
        if (known != null) {
            // Same reason: "resource-stickness=100" was stored without a word and the default never applied.
            for (MNode p : pairs) {
                String name = p.get("name");
                if (name != null && !known.contains(name)) {
                    warnings.add(keyword + " " + name + " is not " + (keyword.equals("rsc_defaults")
                            ? "a resource meta attribute" : "an operation attribute") + "; it is stored but the cluster "
                            + "does not read it" + Shell.didYouMean(name, known));
                }
            }
        }
        return new Parsed(root, List.of(), warnings);
    }

    /** The resource meta attributes Pacemaker reads (Pacemaker Explained), clone and promotable ones included. */
    static final List<String> RESOURCE_META = List.of("priority", "critical", "target-role", "is-managed", "maintenance",
            "resource-stickiness", "requires", "migration-threshold", "failure-timeout", "multiple-active",
            "allow-migrate", "allow-unhealthy-nodes", "container-attribute-target", "remote-node", "remote-port",
            "remote-addr", "remote-connect-timeout", "remote-allow-migrate", "globally-unique", "clone-max", "clone-min",
            "clone-node-max", "promotable", "promoted-max", "promoted-node-max", "master-max", "master-node-max", "notify",
            "interleave", "ordered", "restart-type", "description", "add-resource-attributes");
    /** The operation attributes op_defaults may set. */
    static final List<String> OP_META = List.of("interval", "timeout", "on-fail", "start-delay", "interval-origin",
            "record-pending", "enabled", "role", "requires", "description");


    static Parsed node(Cursor c) throws CrmException {
        MNode out = new MNode("node");
        String explicitId = null;
        if (c.tryMatch(DOLLAR_ID) || c.tryMatch(SET_ID)) {
            explicitId = c.group(1);
        }
        Token t = c.next("a node name");
        var m = UNAME.matcher(t.text());
        if (!m.matches() || t.text().contains("=")) {
            throw c.unexpected(t, "a node name, optionally with :normal|member|ping|remote");
        }
        out.set("uname", m.group(1));
        out.set("id", explicitId);
        if (m.group(2) != null) {
            out.set("type", m.group(2).toLowerCase(Locale.ROOT));
        }
        if (c.peekText() != null && c.peekText().toLowerCase(Locale.ROOT).startsWith("description=")) {
            out.set("description", c.next("").text().substring("description=".length()));
        }
        var sets = new java.util.LinkedHashMap<String, String>();
        sets.put("attributes", "instance_attributes");
        sets.put("utilization", "utilization");
        ResourceParser.arguments(c, out, sets, false, true);
        c.expectEnd("'attributes' or 'utilization'");
        return new Parsed(out);
    }

    private static final Pattern TARGET_ATTR = Pattern.compile("attr:([\\w-]+)=([\\w-]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern TARGET_PATTERN = Pattern.compile("pattern:(.+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern TARGET = Pattern.compile("([^:]+):");

    /**
     * {@code fencing_topology [<target>:] <devices> [<devices>...] ...}: each word of devices
     * (comma-separated) is the next level of the target before it; targets are a node
     * ({@code node1:}), {@code attr:<name>=<value>} or {@code pattern:<regex>}. Levels before any
     * target apply to every node in the CIB, as crmsh does.
     */
    static Parsed fencing(Cursor c, List<String> nodes) throws CrmException {
        MNode out = new MNode("fencing-topology");
        java.util.Map<String, Integer> index = new java.util.HashMap<>();
        String[] target = null; // {kind, a, b}
        java.util.List<String[]> untargeted = new java.util.ArrayList<>();
        while (c.more()) {
            if (c.tryMatch(TARGET_ATTR)) {
                target = new String[] {"attr", c.group(1), c.group(2)};
            } else if (c.tryMatch(TARGET_PATTERN)) {
                target = new String[] {"pattern", c.group(1), null};
            } else if (c.tryMatch(TARGET)) {
                target = new String[] {"node", c.group(1), null};
            } else {
                Token devices = c.next("devices");
                if (devices.text().contains("=")) {
                    throw c.unexpected(devices, "<target>: or a comma-separated list of fence devices");
                }
                if (target == null) {
                    untargeted.add(new String[] {devices.text()});
                    continue;
                }
                out.add(level(target, devices.text(), index));
            }
        }
        if (!untargeted.isEmpty()) {
            if (!out.children.isEmpty()) {
                throw c.error("devices before the first target apply to every node; give them a target too");
            }
            for (String node : nodes) {
                for (String[] d : untargeted) {
                    out.add(level(new String[] {"node", node, null}, d[0], index));
                }
            }
        }
        if (out.children.isEmpty()) {
            throw c.missing("<target>: <devices> (e.g. node1: st1,st2 st3)");
        }
        return new Parsed(out);
    }

    private static MNode level(String[] target, String devices, java.util.Map<String, Integer> index) {
        String key = target[0] + ":" + target[1];
        int i = index.merge(key, 1, Integer::sum);
        MNode l = new MNode("fencing-level");
        switch (target[0]) {
            case "attr" -> {
                l.set("index", Integer.toString(i)).set("devices", devices);
                l.set("target-attribute", target[1]).set("target-value", target[2]);
            }
            case "pattern" -> l.set("index", Integer.toString(i)).set("devices", devices).set("target-pattern", target[1]);
            default -> l.set("target", target[1]).set("index", Integer.toString(i)).set("devices", devices);
        }
        return l;
    }

    static Parsed tag(Cursor c) throws CrmException {
        Token t = c.next("a tag id, e.g. 'tag web: vip httpd'");
        var m = TAG.matcher(t.text());
        if (!m.matches() || !Syntax.isValidId(m.group(1))) {
            throw c.unexpected(t, "a tag id");
        }
        MNode out = MNode.of("tag", "id", m.group(1));
        while (c.more()) {
            Token ref = c.next("a resource");
            if (ref.text().contains("=")) {
                throw c.unexpected(ref, "the id of an object to tag");
            }
            out.add(MNode.of("obj_ref", "id", ref.text()));
        }
        if (out.children.isEmpty()) {
            throw c.missing("the objects to tag");
        }
        return new Parsed(out);
    }
}
