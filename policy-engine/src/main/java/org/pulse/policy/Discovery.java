package org.pulse.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.Rule;
import org.pulse.cib.model.RuleContext;

/**
 * resource-discovery of location constraints: "never" means no probe on the nodes a constraint
 * names (or whose rule matches); "exclusive" means probes only on the nodes the resource's
 * exclusive constraints name or match, whatever their score, and (Pacemaker's
 * apply_exclusive_discovery) the resource may run nowhere else either.
 */
final class Discovery {
    private Discovery() {
    }

    /** Resource id (as the constraint names it) → nodes the constraints of this mode name or match. */
    static Map<String, List<String>> nodesByResource(Cluster c, String mode) {
        Map<String, List<String>> out = new HashMap<>();
        for (LocationConstraint lc : c.cib().constraints().locations()) {
            if (lc.rsc() == null || !mode.equals(lc.resourceDiscovery())) {
                continue;
            }
            List<String> matched = out.computeIfAbsent(lc.rsc(), x -> new ArrayList<>());
            if (lc.node() != null) {
                matched.add(lc.node());
                continue;
            }
            for (Rule rule : lc.rules()) {
                for (SNode n : c.nodes()) {
                    if (rule.matches(RuleContext.forNode(n.attributes, c.now()))) {
                        matched.add(n.name);
                    }
                }
            }
        }
        return out;
    }

    /**
     * The nodes {@code r} is confined to by exclusive discovery (its own constraints or its
     * parents'), or null when it is not confined.
     */
    static java.util.Set<String> exclusiveNodes(Rsc r, Map<String, List<String>> exclusive) {
        if (exclusive.isEmpty()) {
            return null;
        }
        java.util.Set<String> only = null;
        String base = r.prim != null ? r.prim.id() : r.id;
        for (Rsc x = r; x != null; x = x.parent) {
            List<String> nodes = exclusive.get(x == r ? base : x.id);
            if (nodes != null) {
                if (only == null) {
                    only = new java.util.HashSet<>();
                }
                only.addAll(nodes);
            }
        }
        return only;
    }
}
