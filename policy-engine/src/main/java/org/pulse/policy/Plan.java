package org.pulse.policy;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the planning stages hand to {@link GraphBuilder}: the actions (still the builders the
 * stages made; GraphBuilder freezes them), who is fenced, who shuts down, which resources
 * restart for a changed definition, and which actions stay in the graph but never become ready.
 */
record Plan(ActionTable table, Map<SNode, Act> fencing, Map<SNode, Act> shutdowns, Set<Rsc> redefined,
            Set<Act> neverReady) {

    /** Every action in creation order (the order GraphBuilder numbers them in). */
    List<Act> acts() {
        return table.acts();
    }

    Act find(Rsc r, String op, SNode n) {
        return table.find(r, op, n);
    }

    Act find(Rsc r, String op, SNode n, long intervalMs) {
        return table.find(r, op, n, intervalMs);
    }

    /** Where a primitive is active after the transition, or null. */
    SNode endNode(Rsc p) {
        return table.endNode(p);
    }
}
