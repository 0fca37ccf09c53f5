package org.pulse.policy;

import java.util.List;
import java.util.Map;

/**
 * What assignment and promotion decided, handed to every later stage in place of fields on the
 * resources: each resource's node (null: it runs nowhere) and next role, why one got no node,
 * whether a clone's roles were decided, each placement unit's final scores (for explain), and the
 * order the top-level units were placed in. Made by {@link Assignment} and {@link Promotion}
 * ({@link Assignment#allocation}); nothing writes it after that.
 *
 * <p>Indexed by {@code Rsc.order}, which is dense within a run: a lookup here costs what reading
 * a field did (the actions stages ask it some million times on a 10,000-resource cluster).
 */
final class Allocation {
    private final SNode[] nodes;
    private final Role[] nextRoles;
    private final String[] unassignedReasons;
    private final boolean[] rolesDecided;
    private final Map<Rsc, ScoreTable> finalScores;
    private final List<Rsc> order;

    Allocation(SNode[] nodes, Role[] nextRoles, String[] unassignedReasons, boolean[] rolesDecided,
               Map<Rsc, ScoreTable> finalScores, List<Rsc> order) {
        this.nodes = nodes;
        this.nextRoles = nextRoles;
        this.unassignedReasons = unassignedReasons;
        this.rolesDecided = rolesDecided;
        this.finalScores = java.util.Collections.unmodifiableMap(finalScores);
        this.order = List.copyOf(order);
    }

    /** The node the resource was assigned (a group: where its members go), or null. */
    SNode node(Rsc r) {
        return nodes[r.order];
    }

    /** The role it will have: Stopped, Started, Unpromoted or Promoted (a clone's instances; others Stopped). */
    Role nextRole(Rsc r) {
        return nextRoles[r.order];
    }

    /** Why it was assigned no node (null when it has one, or when nothing was said). */
    String unassignedReason(Rsc r) {
        return unassignedReasons[r.order];
    }

    /** Were this clone's instance roles decided (see {@link Promotion#assignRoles})? */
    boolean rolesDecided(Rsc clone) {
        return rolesDecided[clone.order];
    }

    /** Is every primitive of a clone instance assigned to the node? */
    boolean instanceOn(Rsc inst, SNode node) {
        List<Rsc> ps = OrderGraph.prims(inst);
        if (ps.isEmpty() || node == null) {
            return false;
        }
        for (Rsc p : ps) {
            if (node(p) != node) {
                return false;
            }
        }
        return true;
    }

    /** A unit's table as it was placed by (own scores, influence, colocations), or null if never placed. */
    ScoreTable finalScores(Rsc unit) {
        return finalScores.get(unit);
    }

    /** The top-level resources in the order they were placed. */
    List<Rsc> order() {
        return order;
    }
}
