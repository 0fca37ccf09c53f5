package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.pulse.cib.Cib;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.ClusterOptions;
import org.pulse.cib.model.EffectivePrimitive;
import org.pulse.cib.model.NodeConfig;
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
     * A cluster property, as the policy engine reads it: crm_config's sets merged (best score
     * first, rules evaluated) by {@code cib.model}. Pacemaker 3's {@code fencing-*} names count as
     * their {@code stonith-*} option (ClusterOptions maps them; the newer spelling wins when both
     * are set), so callers ask for the one name they know.
     */
    static String property(Cib cib, String name, String fallback) {
        String v = cib.model().options().get(ClusterOptions.canonicalName(name));
        return v != null ? v : fallback;
    }

    static boolean isTrue(String value) {
        return ClusterOptions.isTrue(value);
    }

    static boolean stonithEnabled(Cib cib) {
        return cib.model().options().stonithEnabled();
    }

    /** no-quorum-policy, lower case; "stop" when unset or unknown (Pacemaker's default). */
    static String noQuorumPolicy(Cib cib) {
        String v = cib.model().options().noQuorumPolicy();
        return Set.of("stop", "freeze", "ignore", "demote", "suicide").contains(v) ? v : "stop";
    }

    /** Node names of the nodes section (uname, or id when uname is missing). */
    static List<String> configuredNodes(Cib cib) {
        return nodeNames(cib, false);
    }

    /**
     * Names of the nodes section's cluster nodes, the ones that vote: a {@code type="remote"} entry (what
     * {@code crm node standby REMOTE} writes, as Pacemaker does) is a remote node's, and remote nodes never
     * vote. Counting it made a 3-node cluster with one remote node expect 4 votes and lose quorum with one
     * member down.
     */
    static List<String> votingNodes(Cib cib) {
        return nodeNames(cib, true);
    }

    private static List<String> nodeNames(Cib cib, boolean clusterNodesOnly) {
        List<String> out = new ArrayList<>();
        for (NodeConfig n : cib.model().nodes()) {
            if (n.uname() != null && !(clusterNodesOnly && n.isRemote())) {
                out.add(n.uname());
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

    /**
     * All primitives, also those inside groups, clones and promotable clones, in document order, as
     * the policy engine reads them (templates, id-refs, rules, inheritance: {@link EffectivePrimitive}),
     * rules evaluated at the CIB's execution-date (none: date rules do not hold).
     */
    static Map<String, Primitive> primitives(Cib cib) {
        return primitives(cib, cib.model().executionDate());
    }

    /** As {@link #primitives(Cib)}, rules evaluated at {@code at} (the time the DC schedules at). */
    static Map<String, Primitive> primitives(Cib cib, Instant at) {
        // as the policy engine: a saved input's execution-date is the time it decides at
        Instant when = cib.model().executionDate() != null ? cib.model().executionDate() : at;
        Map<String, Primitive> out = new LinkedHashMap<>();
        for (EffectivePrimitive p : EffectivePrimitive.all(cib.model(), when).values()) {
            out.put(p.id(), Primitive.of(p));
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
        return opTimeoutMs(cib, cib.model().executionDate(), resourceId, action, intervalMs, fallbackMs);
    }

    /** As above, op_defaults' rules evaluated at {@code at}. */
    static long opTimeoutMs(Cib cib, Instant at, String resourceId, String action, long intervalMs, long fallbackMs) {
        CibModel model = cib.model();
        at = model.executionDate() != null ? model.executionDate() : at;
        EffectivePrimitive p = EffectivePrimitive.all(model, at).get(resourceId);
        if (p == null) {
            return fallbackMs;
        }
        Long ms = p.opTimeoutMs(model, action, intervalMs, at);
        return ms != null ? ms : fallbackMs;
    }

    /**
     * The CIB feature set of the Pacemaker release whose decisions Pulse's policy engine reproduces (2.1.5, as
     * Debian ships it: 3.16.1), the same the LRM puts into every operation's parameters. Not higher: Pacemaker's
     * tools discard a CIB whose feature set is greater than their own, so with 3.16.2 Debian's crm_simulate
     * aborted on every input the DC saved (found trying it as an operator would).
     */
    static final String CRM_FEATURE_SET = org.pulse.lrm.LrmConfig.DEFAULT_CRM_FEATURE_SET;

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

    /** Transient (status) attributes of a node, as attrd keeps them (cib.model's one reading of them). */
    static Map<String, String> transientAttributes(XmlElement nodeState) {
        return org.pulse.cib.model.StatusView.transientAttributes(nodeState);
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

    // ---- what runs where: the typed status view (cib.model.StatusView)

    /** Each resource that may be active, with the nodes it may be active on (the nodes' lrm history). */
    static Map<String, java.util.SortedSet<String>> possiblyActive(Cib cib) {
        return cib.statusView().possiblyActive();
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
