package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Probes: where a resource's state is unknown, a one-shot monitor finds it out before it may
 * start anywhere. Resource discovery (location constraints' resource-discovery) and the legacy
 * probe_complete=false attribute (one probe_again for the whole node) decide where.
 */
final class Probes {
    /**
     * Where probing is decided per node rather than per resource.
     *
     * @param reprobe    nodes whose probe_complete is false: probed afresh as a whole (probe_again)
     * @param never      resource-discovery=never: resource id → the nodes it is not probed on
     * @param exclusive  resource-discovery=exclusive: resource id → the only nodes it is probed on
     */
    record Plan(Set<SNode> reprobe, Map<String, List<String>> never, Map<String, List<String>> exclusive) {
    }

    private final Cluster c;
    private final Allocation alloc;
    private final Plan plan;
    private final Map<String, List<String>> noDiscovery;
    private final Map<String, List<String>> exclusiveDiscovery;

    private Probes(Cluster c, Allocation alloc, Plan plan) {
        this.c = c;
        this.alloc = alloc;
        this.plan = plan;
        this.noDiscovery = plan.never();
        this.exclusiveDiscovery = plan.exclusive();
    }

    /**
     * resource-discovery of location constraints: "never" stops probes on the nodes the
     * constraint names (or whose rule matches); "exclusive" restricts a resource's probes to
     * the nodes its exclusive constraints name or match, whatever their score. A node whose
     * (legacy) probe_complete attribute is false asks for all its resources to be probed again:
     * one probe_again action for the node instead of per-resource probes there (added here).
     */
    static Plan prepare(Cluster c, ActionTable t) {
        Map<String, List<String>> never = Discovery.nodesByResource(c, "never");
        Map<String, List<String>> exclusive = Discovery.nodesByResource(c, "exclusive");
        Set<SNode> reprobe = new HashSet<>();
        for (SNode n : c.nodes()) {
            String probed = n.attributes.get("probe_complete");
            if (probed != null && n.canRunOps() && isFalse(probed)) {
                t.add("probe_again", null, n, 0, null);
                reprobe.add(n);
            }
        }
        return new Plan(Collections.unmodifiableSet(reprobe), Collections.unmodifiableMap(never),
                Collections.unmodifiableMap(exclusive));
    }

    /** Adds r's probes (a primitive) and returns them; called per resource, just before its other actions. */
    static List<Act> of(Cluster c, Allocation alloc, ActionTable t, Plan plan, Rsc r) {
        return new Probes(c, alloc, plan).probes(t, r);
    }

    private List<Act> probes(ActionTable t, Rsc r) {
        List<Act> out = List.of();
        if (!r.orphan && c.options().enableStartupProbes()) {
            for (SNode n : c.nodes()) {
                // maintenance (the node's or the cluster's) stops starts, stops and monitors, not discovery
                if (!n.canRunOps() || r.known.contains(n) || plan.reprobe().contains(n)) {
                    continue;
                }
                if (discoveryForbidden(r, n) || (n.isRemote() && !RemoteNodes.mayRunOn(c, r)) || !RemoteNodes.probed(alloc, r, n)
                        || !Bundles.probed(alloc, r, n)) {
                    continue;
                }
                if (!anonymousProbeOwner(r, n)) {
                    continue;
                }
                if (out.isEmpty()) {
                    out = new ArrayList<>();
                }
                out.add(t.add("monitor", r, n, 0, null));
            }
        }
        return out;
    }

    private static boolean isFalse(String v) {
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        return s.equals("false") || s.equals("no") || s.equals("off") || s.equals("0") || s.equals("n");
    }

    private boolean discoveryForbidden(Rsc r, SNode n) {
        String base = r.prim != null ? r.prim.id() : r.id;
        for (Rsc x = r; x != null; x = x.parent) {
            // per node the strongest mode wins: exclusive over never over always
            String id = x == r ? base : x.id;
            List<String> nodes = noDiscovery.get(id);
            if (nodes != null && nodes.contains(n.name)
                    && !exclusiveDiscovery.getOrDefault(id, List.of()).contains(n.name)) {
                return true;
            }
        }
        java.util.Set<String> only = Discovery.exclusiveNodes(r, exclusiveDiscovery);
        return only != null && !only.contains(n.name);
    }

    /**
     * Anonymous clone instances are interchangeable: a node is probed once per clone (by one
     * instance), and not at all when any instance has history there.
     */
    private boolean anonymousProbeOwner(Rsc r, SNode n) {
        Rsc clone = r.cloneAncestor();
        if (clone == null || clone.uniqueClone) {
            return true;
        }
        if (clone.knownByOrphans.contains(n)) {
            return false;
        }
        String base = FailCounts.historyName(r);
        Rsc owner = null;
        Rsc planned = null;
        for (Rsc inst : clone.children) {
            for (Rsc p : inst.primitives()) {
                if (!FailCounts.historyName(p).equals(base)) {
                    continue;
                }
                if (p.known.contains(n)) {
                    return false;
                }
                if (owner == null) {
                    owner = p;
                }
                if (planned == null && alloc.node(p) == n) {
                    planned = p;
                }
            }
        }
        // the instance to start there probes, else the first (Pacemaker's clone probe)
        return (planned != null ? planned : owner) == r;
    }
}
