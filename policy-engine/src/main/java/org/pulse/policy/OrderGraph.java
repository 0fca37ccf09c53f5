package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.model.OrderConstraint;
import org.pulse.cib.model.ResourceSet;
import org.pulse.cib.model.Scores;

/**
 * The orderings between resources, read once from the configuration: group member order,
 * container and guest orders, order constraints (tags, templates and sets expanded). A pure
 * function of the cluster; restarts, migrations, runnability and the graph's inputs all read it.
 *
 * @param edges              every ordering, in configuration order
 * @param byFirst            resource → the orderings it is the first side of
 * @param byThen             resource → the orderings it is the then side of
 * @param anyOfFirsts        edges out of an unordered set with require-all=false: what follows may
 *                           start once any one of the set's members runs (edge → all the members it stands with)
 * @param requireAnyOrders   orders with require-all=false: one instance of the first clone is enough, wherever it is
 */
record OrderGraph(List<Edge> edges, Map<Rsc, List<Edge>> byFirst, Map<Rsc, List<Edge>> byThen,
                  Map<Edge, List<Rsc>> anyOfFirsts, Set<String> requireAnyOrders) {

    /** "first then then" on starts (and, when symmetrical, reversed on stops). */
    record Edge(Rsc first, Rsc then, boolean mandatory, boolean symmetrical, String firstAction,
                String thenAction, String id) {
    }

    List<Edge> byFirst(Rsc r) {
        return byFirst.getOrDefault(r, List.of());
    }

    List<Edge> byThen(Rsc r) {
        return byThen.getOrDefault(r, List.of());
    }

    /** The primitives an ordering side stands for: the resource itself or its members. */
    static List<Rsc> prims(Rsc r) {
        return r.isPrimitive() ? List.of(r) : r.primitives();
    }

    static OrderGraph build(Cluster c, Allocation alloc) {
        Builder b = new Builder(c, alloc);
        b.buildEdges();
        // (the lists inside are not copied: nothing holds the builder after this)
        return new OrderGraph(Collections.unmodifiableList(b.edges), Collections.unmodifiableMap(b.edgesByFirst),
                Collections.unmodifiableMap(b.edgesByThen), Collections.unmodifiableMap(b.anyOfFirsts),
                Collections.unmodifiableSet(b.requireAnyOrders));
    }

    private static final class Builder {
        private final Cluster c;
        private final Allocation alloc;
        private final List<Edge> edges = new ArrayList<>();
        private final Map<Rsc, List<Edge>> edgesByFirst = new HashMap<>();
        private final Map<Rsc, List<Edge>> edgesByThen = new HashMap<>();
        private final Map<Edge, List<Rsc>> anyOfFirsts = new HashMap<>();
        private final Set<String> requireAnyOrders = new HashSet<>();
        /** (first, then, first action, then action) of each order constraint's edge so far. */
        private final Set<List<Object>> constraintPairs = new HashSet<>();

        Builder(Cluster c, Allocation alloc) {
            this.c = c;
            this.alloc = alloc;
        }

        private void buildEdges() {
            RemoteNodes.containerOrders(c, alloc, this::addEdge);
            // an order whose kind is not Mandatory, Optional or Serialize is taken as Mandatory
            // (Pacemaker resets an invalid kind so)
            for (Rsc r : c.byId().values()) {
                if (r.kind == Rsc.Kind.GROUP) {
                    List<Rsc> m = r.children;
                    for (int i = 1; i < m.size(); i++) {
                        addEdge(new Edge(m.get(i - 1), m.get(i), true, true, "start", "start", r.id + " (group order)"));
                    }
                }
            }
            References refs = new References(c);
            for (OrderConstraint oc : c.cib().constraints().orders()) {
                String kind = oc.kind();
                int score = Scores.parse(oc.score(), Scores.INFINITY);
                boolean mandatory = kind == null ? score > 0
                        : !"Optional".equalsIgnoreCase(kind) && !"Serialize".equalsIgnoreCase(kind);
                boolean serialize = "Serialize".equalsIgnoreCase(kind);
                boolean symmetrical = oc.symmetrical() == null ? !serialize : oc.symmetrical();
                if (!oc.requireAll()) {
                    requireAnyOrders.add(oc.id());
                }
                if (oc.sets().isEmpty()) {
                    String fa = oc.firstAction() == null ? "start" : oc.firstAction();
                    String ta = oc.thenAction() == null ? fa : oc.thenAction();
                    // a tag or template on either side stands for each of its resources
                    for (String fid : refs.expand(oc.first())) {
                        for (String tid : refs.expand(oc.then())) {
                            Rsc f = c.byId().get(fid);
                            Rsc t = c.byId().get(tid);
                            if (f != null && t != null) {
                                addConstraintEdge(new Edge(f, t, mandatory && !serialize, symmetrical, fa, ta, oc.id()));
                            }
                        }
                    }
                } else {
                    List<ResourceSet> sets = refs.expandSets(oc.sets());
                    Rsc prevLast = null;
                    List<Rsc> prevAll = List.of();
                    boolean prevAnyOne = false;
                    for (ResourceSet set : sets) {
                        List<Rsc> members = new ArrayList<>();
                        for (String id : set.resources()) {
                            Rsc x = c.byId().get(id);
                            if (x != null) {
                                members.add(x);
                            }
                        }
                        String act = set.action() == null ? "start" : set.action();
                        boolean setMandatory = set.kind() == null ? mandatory : "Mandatory".equalsIgnoreCase(set.kind());
                        if (set.sequential()) {
                            for (int i = 1; i < members.size(); i++) {
                                addConstraintEdge(new Edge(members.get(i - 1), members.get(i), setMandatory, symmetrical, act, act, oc.id()));
                            }
                        }
                        if (!members.isEmpty()) {
                            List<Rsc> firsts = set.sequential() ? List.of(members.get(0)) : members;
                            List<Rsc> prevs = prevLast == null ? List.of() : (prevAll.size() > 1 && prevLast == null ? prevAll : prevAll);
                            for (Rsc p : prevs) {
                                for (Rsc f : firsts) {
                                    Edge e = new Edge(p, f, setMandatory, symmetrical, act, act, oc.id());
                                    if (addConstraintEdge(e) && prevAnyOne) {
                                        anyOfFirsts.put(e, prevs);
                                    }
                                }
                            }
                            prevLast = members.get(members.size() - 1);
                            prevAll = set.sequential() ? List.of(prevLast) : members;
                            prevAnyOne = !set.sequential() && !set.requireAll() && members.size() > 1;
                        }
                    }
                }
            }
        }

        /**
         * An order constraint's edge, unless an earlier constraint already orders the same action of
         * the same first before the same action of the same then: Pacemaker keeps one ordering per pair
         * of actions, the first it is given in the configuration's order, whatever the later one's kind.
         * So "A then B" Optional followed by "A then B" Mandatory stays optional, and B starts although A
         * will not (crm_simulate agrees; the reverse order of the two blocks B).
         *
         * @return whether the edge was added
         */
        private boolean addConstraintEdge(Edge e) {
            if (!constraintPairs.add(List.of(e.first(), e.then(), e.firstAction(), e.thenAction()))) {
                return false;
            }
            addEdge(e);
            return true;
        }

        private void addEdge(Edge e) {
            edges.add(e);
            edgesByFirst.computeIfAbsent(e.first(), x -> new ArrayList<>()).add(e);
            edgesByThen.computeIfAbsent(e.then(), x -> new ArrayList<>()).add(e);
        }
    }
}
