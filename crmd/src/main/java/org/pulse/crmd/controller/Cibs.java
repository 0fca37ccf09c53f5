package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/**
 * Reading and writing the parts of the CIB the controller owns or consults: cluster properties,
 * the node list, primitives, and the status section ({@code node_state} with its {@code lrm}
 * history and transient attributes), laid out as Pacemaker writes them so its tools and our
 * policy engine read them alike. Pure functions over immutable trees.
 */
final class Cibs {
    private Cibs() {
    }

    // ---- configuration

    static XmlElement configuration(XmlElement root) {
        return root.element("configuration").orElse(XmlElement.of("configuration"));
    }

    static XmlElement section(XmlElement root, String name) {
        return configuration(root).element(name).orElse(XmlElement.of(name));
    }

    /**
     * A cluster property from crm_config (first cluster_property_set that sets it). Pacemaker 3's
     * {@code fencing-*} names count as their {@code stonith-*} option (ClusterOptions maps them, and
     * the newer spelling wins when both are set), so callers ask for the one name they know.
     */
    static String property(Cib cib, String name, String fallback) {
        String canonical = org.pulse.cib.model.ClusterOptions.canonicalName(name);
        Map<String, String> found = new java.util.HashMap<>();
        for (XmlElement set : section(cib.root(), "crm_config").elements("cluster_property_set")) {
            for (XmlElement nv : set.elements("nvpair")) {
                String n = nv.attr("name");
                if (n != null && nv.attr("value") != null
                        && org.pulse.cib.model.ClusterOptions.canonicalName(n).equals(canonical)) {
                    found.putIfAbsent(n.replace('_', '-'), nv.attr("value"));
                }
            }
        }
        for (String spelling : org.pulse.cib.model.ClusterOptions.spellings(canonical)) {
            if (found.containsKey(spelling)) {
                return found.get(spelling);
            }
        }
        return fallback;
    }

    static boolean isTrue(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip().toLowerCase();
        return v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("1") || v.equals("y");
    }

    static boolean stonithEnabled(Cib cib) {
        return isTrue(property(cib, "stonith-enabled", "true"));
    }

    /** no-quorum-policy, lower case; "stop" when unset or unknown (Pacemaker's default). */
    static String noQuorumPolicy(Cib cib) {
        String v = property(cib, "no-quorum-policy", "stop").strip().toLowerCase();
        return Set.of("stop", "freeze", "ignore", "demote", "suicide").contains(v) ? v : "stop";
    }

    /** Node names of the nodes section (uname, or id when uname is missing). */
    static List<String> configuredNodes(Cib cib) {
        List<String> out = new ArrayList<>();
        for (XmlElement n : section(cib.root(), "nodes").elements("node")) {
            String name = n.attr("uname", n.id());
            if (name != null) {
                out.add(name);
            }
        }
        return out;
    }

    /** The root with a {@code <node>} entry for each of these names that has none yet. */
    static XmlElement withNodes(XmlElement root, List<String> names) {
        XmlElement nodes = section(root, "nodes");
        Set<String> have = new LinkedHashSet<>(configuredNodes(Cib.of(root)));
        XmlElement updated = nodes;
        for (String name : names) {
            if (!have.contains(name)) {
                updated = updated.withChildAppended(XmlElement.of("node", "id", name, "uname", name));
            }
        }
        if (updated == nodes) {
            return root;
        }
        return withSection(root, updated);
    }

    static XmlElement withSection(XmlElement root, XmlElement section) {
        XmlElement conf = configuration(root);
        XmlElement newConf = conf.withChildReplaced(e -> e.name().equals(section.name()), section);
        return root.withChildReplaced(e -> e.name().equals("configuration"), newConf);
    }

    /** All primitives, also those inside groups, clones and promotable clones, in document order. */
    static Map<String, Primitive> primitives(Cib cib) {
        Map<String, Primitive> out = new LinkedHashMap<>();
        collect(section(cib.root(), "resources"), false, out);
        return out;
    }

    private static void collect(XmlElement parent, boolean promotable, Map<String, Primitive> out) {
        for (XmlElement e : parent.elements()) {
            switch (e.name()) {
                case "primitive" -> {
                    AgentSpec agent = new AgentSpec(e.attr("class", "ocf"), e.attr("provider"), e.attr("type", ""));
                    out.put(e.id(), new Primitive(e.id(), agent, nvpairs(e, "instance_attributes"),
                            nvpairs(e, "meta_attributes"), promotable));
                }
                case "group" -> collect(e, promotable, out);
                case "clone", "master" -> {
                    Map<String, String> meta = nvpairs(e, "meta_attributes");
                    boolean p = e.name().equals("master") || isTrue(meta.get("promotable"));
                    collect(e, p, out);
                }
                default -> {
                }
            }
        }
    }

    static Map<String, String> nvpairs(XmlElement owner, String setName) {
        Map<String, String> out = new LinkedHashMap<>();
        for (XmlElement set : owner.elements(setName)) {
            for (XmlElement nv : set.elements("nvpair")) {
                if (nv.attr("name") != null && nv.attr("value") != null) {
                    out.putIfAbsent(nv.attr("name"), nv.attr("value"));
                }
            }
        }
        return out;
    }

    /** The fence devices: primitives of class stonith not disabled by target-role=Stopped. */
    static List<Primitive> fenceDevices(Cib cib) {
        List<Primitive> out = new ArrayList<>();
        for (Primitive p : primitives(cib).values()) {
            if (p.agent().isStonith() && !"stopped".equalsIgnoreCase(p.meta().getOrDefault("target-role", ""))) {
                out.add(p);
            }
        }
        return out;
    }

    /** Timeout of an operation from the primitive's op definitions, else op_defaults, else the fallback. */
    static long opTimeoutMs(Cib cib, String resourceId, String action, long intervalMs, long fallbackMs) {
        Optional<XmlElement> prim = findPrimitive(cib, resourceId);
        if (prim.isPresent()) {
            for (XmlElement ops : prim.get().elements("operations")) {
                for (XmlElement op : ops.elements("op")) {
                    if (action.equals(op.attr("name")) && op.attr("timeout") != null) {
                        long interval = parseDurationMs(op.attr("interval", "0"), 0);
                        if (interval == intervalMs || (intervalMs == 0 && !action.equals("monitor"))) {
                            return parseDurationMs(op.attr("timeout"), fallbackMs);
                        }
                    }
                }
            }
        }
        for (XmlElement set : section(cib.root(), "op_defaults").elements("meta_attributes")) {
            for (XmlElement nv : set.elements("nvpair")) {
                if ("timeout".equals(nv.attr("name"))) {
                    return parseDurationMs(nv.attr("value"), fallbackMs);
                }
            }
        }
        return fallbackMs;
    }

    static Optional<XmlElement> findPrimitive(Cib cib, String resourceId) {
        return find(section(cib.root(), "resources"), "primitive", resourceId);
    }

    private static Optional<XmlElement> find(XmlElement parent, String name, String id) {
        for (XmlElement e : parent.elements()) {
            if (e.name().equals(name) && id.equals(e.id())) {
                return Optional.of(e);
            }
            Optional<XmlElement> inner = find(e, name, id);
            if (inner.isPresent()) {
                return inner;
            }
        }
        return Optional.empty();
    }

    /** "20s", "500ms", "1m", "2h", "30" (seconds), ISO "PT20S" is not needed here. */
    static long parseDurationMs(String text, long fallbackMs) {
        if (text == null) {
            return fallbackMs;
        }
        String t = text.strip().toLowerCase();
        try {
            if (t.endsWith("ms")) {
                return Long.parseLong(t.substring(0, t.length() - 2).strip());
            }
            if (t.endsWith("s")) {
                return Long.parseLong(t.substring(0, t.length() - 1).strip()) * 1000;
            }
            if (t.endsWith("m") || t.endsWith("min")) {
                return Long.parseLong(t.replace("min", "").replace("m", "").strip()) * 60_000;
            }
            if (t.endsWith("h")) {
                return Long.parseLong(t.substring(0, t.length() - 1).strip()) * 3_600_000;
            }
            return Long.parseLong(t) * 1000;
        } catch (NumberFormatException e) {
            return fallbackMs;
        }
    }

    /**
     * The successor of {@code from} with this root, versioned as Pacemaker does for the DC's own
     * bookkeeping: have-quorum and dc-uuid on the root are status, not configuration, so they bump
     * num_updates only. (A partition without quorum that re-elects must not raise its epoch above
     * the quorate side's, or its CIB would win the merge and lose acknowledged changes.)
     */
    /** The CIB feature set of the Pacemaker release whose decisions Pulse's policy engine reproduces (2.1.5). */
    static final String CRM_FEATURE_SET = "3.16.2";

    static Cib next(Cib from, XmlElement root) {
        XmlElement fromRoot = from.root();
        boolean sameConfig = configuration(fromRoot).equals(configuration(root))
                && rootAttrsSansBookkeeping(fromRoot).equals(rootAttrsSansBookkeeping(root));
        if (!sameConfig) {
            return from.next(root);
        }
        if (root.equals(fromRoot)) {
            return from;
        }
        return Cib.of(root).withVersion(from.version().nextStatus());
    }

    private static Map<String, String> rootAttrsSansBookkeeping(XmlElement root) {
        Map<String, String> m = new TreeMap<>(root.attributes());
        for (String k : List.of("admin_epoch", "epoch", "num_updates", "have-quorum", "dc-uuid", "crm_feature_set", "cib-last-written",
                "update-origin", "update-client", "update-user")) {
            m.remove(k);
        }
        return m;
    }

    // ---- status

    static XmlElement status(XmlElement root) {
        return root.element("status").orElse(XmlElement.of("status"));
    }

    static Optional<XmlElement> nodeState(XmlElement root, String node) {
        for (XmlElement ns : status(root).elements("node_state")) {
            if (node.equals(ns.attr("uname", ns.id()))) {
                return Optional.of(ns);
            }
        }
        return Optional.empty();
    }

    static List<XmlElement> nodeStates(XmlElement root) {
        return status(root).elements("node_state");
    }

    /** The root with {@code node}'s node_state replaced by f(current or a fresh one). */
    static XmlElement updateNodeState(XmlElement root, String node, UnaryOperator<XmlElement> f) {
        XmlElement current = nodeState(root, node).orElse(XmlElement.of("node_state", "id", node, "uname", node));
        XmlElement updated = f.apply(current);
        if (updated.equals(current) && nodeState(root, node).isPresent()) {
            return root;
        }
        XmlElement status = status(root).withChildReplaced(
                e -> e.name().equals("node_state") && node.equals(e.attr("uname", e.id())), updated);
        if (root.element("status").isPresent()) {
            return root.withChildReplaced(e -> e.name().equals("status"), status);
        }
        return root.withChildAppended(status);
    }

    static XmlElement withAttrs(XmlElement e, String... namesAndValues) {
        XmlElement out = e;
        for (int i = 0; i < namesAndValues.length; i += 2) {
            out = out.withAttribute(namesAndValues[i], namesAndValues[i + 1]);
        }
        return out;
    }

    static XmlElement lrmOf(XmlElement nodeState, String node) {
        return nodeState.element("lrm").orElse(emptyLrm(node));
    }

    static XmlElement emptyLrm(String node) {
        return new XmlElement("lrm", Map.of("id", node), List.of(XmlElement.of("lrm_resources")));
    }

    static XmlElement withLrm(XmlElement nodeState, XmlElement lrm) {
        return nodeState.withChildReplaced(e -> e.name().equals("lrm"), lrm);
    }

    static XmlElement withoutTransient(XmlElement nodeState) {
        return nodeState.withoutChildren(e -> e.name().equals("transient_attributes"));
    }

    /** Transient (status) attributes of a node, as attrd keeps them. */
    static Map<String, String> transientAttributes(XmlElement nodeState) {
        Map<String, String> out = new TreeMap<>();
        for (XmlElement ta : nodeState.elements("transient_attributes")) {
            out.putAll(nvpairs(ta, "instance_attributes"));
        }
        return out;
    }

    /** nodeState with transient attribute {@code name} set to value (null removes it). */
    static XmlElement withTransientAttribute(XmlElement nodeState, String node, String name, String value) {
        XmlElement ta = nodeState.element("transient_attributes")
                .orElse(XmlElement.of("transient_attributes", "id", node));
        XmlElement set = ta.element("instance_attributes").orElse(XmlElement.of("instance_attributes", "id",
                "status-" + node));
        XmlElement newSet = withNvpair(set, "status-" + node + "-" + sanitize(name), name, value);
        XmlElement newTa = ta.withChildReplaced(e -> e.name().equals("instance_attributes"), newSet);
        return nodeState.withChildReplaced(e -> e.name().equals("transient_attributes"), newTa);
    }

    /**
     * The root with the cluster property have-watchdog saying {@code on}, as Pacemaker's DC keeps it (in
     * cib-bootstrap-options); unchanged when it already says so, or when it is absent and {@code on} is false
     * (false is the default: no configuration change, no epoch, for clusters without watchdogs).
     */
    static XmlElement withHaveWatchdog(XmlElement root, boolean on) {
        String current = null;
        XmlElement crmConfig = section(root, "crm_config");
        XmlElement set = crmConfig.elements("cluster_property_set").stream()
                .filter(e -> "cib-bootstrap-options".equals(e.id())).findFirst().orElse(null);
        if (set != null) {
            for (XmlElement nv : set.elements("nvpair")) {
                if ("have-watchdog".equals(nv.attr("name"))) {
                    current = nv.attr("value");
                }
            }
        }
        if ((current == null && !on) || (current != null && isTrue(current) == on)) {
            return root;
        }
        XmlElement base = set != null ? set : XmlElement.of("cluster_property_set", "id", "cib-bootstrap-options");
        XmlElement newSet = withNvpair(base, "cib-bootstrap-options-have-watchdog", "have-watchdog", on ? "true" : "false");
        XmlElement newConfig = set != null ? crmConfig.withChildReplaced(e -> e == set, newSet)
                : crmConfig.withChildAppended(newSet);
        return withSection(root, newConfig);
    }

    /** A nvpair set with {@code name} set to value, or removed when value is null. */
    static XmlElement withNvpair(XmlElement set, String nvId, String name, String value) {
        if (value == null) {
            return set.withoutChildren(e -> e.name().equals("nvpair") && name.equals(e.attr("name")));
        }
        for (XmlElement nv : set.elements("nvpair")) {
            if (name.equals(nv.attr("name"))) {
                return set.withChildReplaced(e -> e == nv, nv.withAttribute("value", value));
            }
        }
        return set.withChildAppended(XmlElement.of("nvpair", "id", nvId, "name", name, "value", value));
    }

    static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9_.-]", "_");
    }

    // ---- what runs where, from the lrm history

    /** Each resource that may be active, with the nodes it may be active on (the node's lrm history). */
    static Map<String, Set<String>> possiblyActive(XmlElement root) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (XmlElement ns : nodeStates(root)) {
            String node = ns.attr("uname", ns.id());
            for (XmlElement res : lrmResources(ns)) {
                if (LrmOps.possiblyActive(res)) {
                    out.computeIfAbsent(res.id(), k -> new TreeSet<>()).add(node);
                }
            }
        }
        return out;
    }

    static List<XmlElement> lrmResources(XmlElement nodeState) {
        List<XmlElement> out = new ArrayList<>();
        for (XmlElement lrm : nodeState.elements("lrm")) {
            for (XmlElement lr : lrm.elements("lrm_resources")) {
                out.addAll(lr.elements("lrm_resource"));
            }
        }
        return out;
    }

    /** Child elements of an element, for code that rebuilds lists. */
    static List<XmlNode> children(XmlElement e) {
        return new ArrayList<>(e.children());
    }
}
