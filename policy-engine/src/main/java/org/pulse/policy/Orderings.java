package org.pulse.policy;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.pulse.policy.OrderGraph.prims;

/**
 * The graph's inputs: each action's own (stops before the start, probes, unfencing and fencing
 * first, start before its monitors), the orderings between resources on their actions, and a
 * shutdown after every stop on its node; then what waits for an action that cannot run is
 * never ready. Last: every action exists by now, and being never ready follows the inputs.
 */
final class Orderings {
    /**
     * @param neverReady  actions that stay in the graph but never become ready: runnability's, and
     *                    what waits (directly or through others) for an action that cannot run
     */
    record Result(Set<Act> neverReady) {
    }

    private final Allocation alloc;
    private final ActionTable t;
    private final List<Act> acts;
    private final Map<SNode, Act> fencing;
    private final Map<SNode, Act> unfence;
    private final Map<SNode, Act> shutdowns;
    private final Map<Rsc, List<Act>> probes;
    private final List<OrderGraph.Edge> edges;
    private final Set<Act> neverReady;

    private Orderings(Allocation alloc, ActionTable t, Fencing.Plan fencing, Map<SNode, Act> shutdowns, Map<Rsc, List<Act>> probes,
                      OrderGraph g, Set<Act> neverReady) {
        this.alloc = alloc;
        this.t = t;
        this.acts = t.acts();
        this.fencing = fencing.fencing();
        this.unfence = fencing.unfence();
        this.shutdowns = shutdowns;
        this.probes = probes;
        this.edges = g.edges();
        this.neverReady = new HashSet<>(neverReady);
    }

    static Result run(Allocation alloc, ActionTable t, Fencing.Plan fencing, Map<SNode, Act> shutdowns,
                      Map<Rsc, List<Act>> probes, OrderGraph g, Set<Act> neverReady) {
        Orderings o = new Orderings(alloc, t, fencing, shutdowns, probes, g, neverReady);
        o.orderings();
        o.propagateNeverReady();
        return new Result(Collections.unmodifiableSet(o.neverReady));
    }

    private Act find(Rsc r, String op, SNode n) {
        return t.find(r, op, n);
    }

    private void orderings() {
        for (Act a : acts) {
            if (a.rsc != null) {
                ownInputs(a);
            }
        }
        for (OrderGraph.Edge e : edges) {
            List<Rsc> fs = prims(e.first());
            List<Rsc> ts = prims(e.then());
            if (fs.isEmpty() || ts.isEmpty()) {
                continue;
            }
            Rsc f = "stop".equals(e.firstAction()) ? fs.get(0) : fs.get(fs.size() - 1);
            Rsc t = ts.get(0);
            Act fa = anyAct(f, e.firstAction());
            Act ta = anyAct(t, e.thenAction());
            if (fa != null && ta != null) {
                ta.after(fa);
            }
            if (e.symmetrical() && "start".equals(e.firstAction())) {
                Act fStop = anyAct(fs.get(0), "stop");
                Act tStop = anyAct(ts.get(ts.size() - 1), "stop");
                if (fStop != null && tStop != null) {
                    fStop.after(tStop);
                }
            }
        }
        for (Act a : acts) {
            if (a.rsc != null && !a.pseudo) {
                remoteInputs(a);
            }
        }
        for (Map.Entry<SNode, Act> e : shutdowns.entrySet()) {
            for (Act a : acts) {
                if (a.rsc != null && "stop".equals(a.op) && a.node == e.getKey()) {
                    e.getValue().after(a);
                }
            }
        }
    }

    /**
     * The orderings within one resource: stops before the start, probes and fencing first, a demotion
     * before the stop and the start before the promotion on the same node, and a recurring monitor after
     * whatever gives the resource its role there (start, promote, demote), as Pacemaker's graph has them.
     * Without the last two the DC ran a promotable clone's Promoted-role monitor before its promote (rc 0,
     * not 8: a failure), a promote before the start it needs and a demote after the stop (rc 7 both).
     */
    private void ownInputs(Act a) {
        Rsc r = a.rsc;
        switch (a.op) {
            case "start":
                a.after(unfence.get(a.node));
                for (SNode n : r.runningOn) {
                    a.after(find(r, "stop", n));
                    if (n.unclean) {
                        a.after(fencing.get(n));
                    }
                }
                for (Act probe : probes.getOrDefault(r, List.of())) {
                    a.after(probe);
                }
                break;
            case "stop":
                if (a.pseudo) {
                    a.after(fencing.get(a.node));
                }
                a.after(find(r, "demote", a.node));
                break;
            case "promote":
                a.after(find(r, "start", a.node));
                break;
            case "monitor":
                if (a.intervalMs > 0) {
                    a.after(find(r, "start", a.node));
                    a.after(find(r, "promote", a.node));
                    a.after(find(r, "demote", a.node));
                }
                break;
            default:
                break;
        }
    }

    /**
     * An action on a remote node goes over its connection (Pacemaker's apply_remote_ordering): what
     * ends a resource there (stop, demote) runs before the connection stops on the node holding it, and
     * anything else after the connection starts, when it starts in this transition. Without the first,
     * a connection stopped with resources on its node (its target-role Stopped, its host in standby)
     * went first, and every stop behind it failed for want of a connection, which then fenced the node.
     */
    private void remoteInputs(Act a) {
        SNode n = a.node;
        if (n == null || !n.isRemote() || n.connection == null || n.connection == a.rsc) {
            return;
        }
        Rsc conn = n.connection;
        if ("stop".equals(a.op) || "demote".equals(a.op)) {
            for (SNode host : conn.runningOn) {
                Act connStop = find(conn, "stop", host);
                if (connStop != null) {
                    connStop.after(a);
                }
            }
        } else if (alloc.node(conn) != null) {
            a.after(find(conn, "start", alloc.node(conn)));
        }
    }

    private Act anyAct(Rsc r, String op) {
        if ("start".equals(op) || "promote".equals(op)) {
            SNode to = alloc.node(r);
            return to == null ? null : find(r, op, to);
        }
        for (SNode n : r.runningOn) {
            Act a = find(r, op, n);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    /**
     * An action that can run but waits for one that cannot (a stop behind the stop of what
     * runs on an unclean node nobody may fence) stays in the graph and is never ready; so is
     * whatever waits for such an action (its monitor, what is ordered after it).
     */
    private void propagateNeverReady() {
        for (Act a : acts) {
            if (a.runnable && !a.pseudo) {
                for (Act in : a.inputs) {
                    if (!in.runnable) {
                        neverReady.add(a);
                        break;
                    }
                }
            }
        }
        boolean changed = !neverReady.isEmpty();
        while (changed) {
            changed = false;
            for (Act a : acts) {
                if (a.runnable && !neverReady.contains(a)) {
                    for (Act in : a.inputs) {
                        if (neverReady.contains(in)) {
                            changed |= neverReady.add(a);
                            break;
                        }
                    }
                }
            }
        }
    }
}
