package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;

/**
 * crm resource move, ban and clear as pure decisions: the CIB in, the constraint changes out (as
 * data), or a refusal naming what is wrong. The DC decides on its own current CIB and applies the
 * changes as one write ({@link CibEdits}), so a move is one version bump and a change made by
 * someone else just before it is neither lost nor mixed with a stale look at the cluster.
 */
final class AdminDecisions {
    private AdminDecisions() {
    }

    /** One constraint put (xml non-null) or removed (xml null), by id. */
    record ConstraintChange(String id, XmlElement xml) {
    }

    static List<ConstraintChange> move(Cib cib, String rsc, String node) throws CibEdits.Refused {
        if (node != null) {
            requireKnownNode(cib, "move", rsc, node);
            return List.of(new ConstraintChange("cli-prefer-" + rsc, location("cli-prefer-" + rsc, rsc, node, "INFINITY")));
        }
        List<ConstraintChange> bans = new ArrayList<>();
        for (String n : activeOn(cib, rsc)) {
            bans.add(ban(rsc, n));
        }
        if (bans.isEmpty()) {
            throw new CibEdits.Refused(AdminResult.NOT_FOUND, rsc + " is not running anywhere;"
                    + " give the node to move it to: crm resource move " + rsc + " NODE");
        }
        return bans;
    }

    static List<ConstraintChange> ban(Cib cib, String rsc, String node) throws CibEdits.Refused {
        requireKnownNode(cib, "ban", rsc, node);
        return List.of(ban(rsc, node));
    }

    /** Removes every cli-prefer-RSC and cli-ban-RSC-on-* constraint; none is no change. */
    static List<ConstraintChange> clear(Cib cib, String rsc) {
        List<ConstraintChange> out = new ArrayList<>();
        XmlElement constraints = cib.root().element("configuration").flatMap(c -> c.element("constraints"))
                .orElse(XmlElement.of("constraints"));
        for (XmlElement c : constraints.elements()) {
            String id = c.id() == null ? "" : c.id();
            if (id.equals("cli-prefer-" + rsc) || id.startsWith("cli-ban-" + rsc + "-on-")) {
                out.add(new ConstraintChange(id, null));
            }
        }
        return out;
    }

    private static ConstraintChange ban(String rsc, String node) {
        String id = "cli-ban-" + rsc + "-on-" + node;
        return new ConstraintChange(id, location(id, rsc, node, "-INFINITY"));
    }

    /** A cli-prefer/cli-ban rsc_location, built as an element: any name stays an attribute value. */
    static XmlElement location(String id, String rsc, String node, String score) {
        return XmlElement.of("rsc_location", "id", id, "rsc", rsc, "role", "Started", "node", node, "score", score);
    }

    /**
     * As crm_resource checks before a move or ban: a constraint naming a node the CIB does not know
     * (its nodes section or its status) would be stored and silently do nothing.
     */
    private static void requireKnownNode(Cib cib, String action, String rsc, String node) throws CibEdits.Refused {
        if (!Cibs.configuredNodes(cib).contains(node) && cib.statusView().node(node).isEmpty()) {
            throw new CibEdits.Refused(AdminResult.NOT_FOUND, "resource " + action + " of " + rsc + ": no node '"
                    + node + "' in the cluster; crm node list shows the nodes");
        }
    }

    /** Nodes whose last one-shot operation of rsc (or of an instance rsc:N) left it running. */
    static Set<String> activeOn(Cib cib, String rsc) {
        return cib.statusView().runningOn(rsc);
    }
}
