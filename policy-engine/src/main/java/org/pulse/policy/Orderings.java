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
            } else if (fa == null && ta != null && ta.runnable && recoveryLeftUndone(f, e.firstAction())) {
                neverReady.add(ta);
            }
            if (e.symmetrical()) {
                inverse(e, fs, ts);
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
     * A symmetrical ordering's inverse, as Pacemaker makes it: each action inverted and the sides
     * swapped ("A start then B stop" also orders B's start before A's stop). An action without an
     * inverse (a monitor, say) makes none, and an inverse whose first action cannot run holds
     * nothing up (it only implies that first action, it does not wait for it to be possible).
     */
    private void inverse(OrderGraph.Edge e, List<Rsc> fs, List<Rsc> ts) {
        String first = invert(e.thenAction());
        String then = invert(e.firstAction());
        if (first == null || then == null) {
            return;
        }
        if ("stop".equals(first) && "stop".equals(then)) {
            // the plain case (start then start): the then side's stopping comes first
            Act fStop = anyAct(fs.get(0), "stop");
            Act tStop = anyAct(ts.get(ts.size() - 1), "stop");
            if (fStop != null && tStop != null) {
                fStop.after(tStop);
            }
            return;
        }
        Act fa = anyAct("stop".equals(first) ? ts.get(0) : ts.get(ts.size() - 1), first);
        Act ta = anyAct(fs.get(0), then);
        if (fa != null && ta != null && fa.runnable) {
            ta.after(fa);
        }
    }

    /**
     * A failed resource that is unmanaged (not blocked) would need a stop and a start to recover,
     * and Pacemaker schedules both but never puts an unmanaged resource's action in the graph: what
     * is ordered after that start or stop keeps it as an input nobody runs, and waits for good
     * (crm_simulate: "Transition failed: terminated"). Pulse creates no such action, so it marks
     * what would wait for it instead.
     */
    private static boolean recoveryLeftUndone(Rsc first, String action) {
        return first.isPrimitive() && !first.managed && !first.blocked && first.failed && !first.runningOn.isEmpty()
                && ("start".equals(action) || "stop".equals(action));
    }

    private static String invert(String action) {
        return switch (action) {
            case "start" -> "stop";
            case "stop" -> "start";
            case "promote" -> "demote";
            case "demote" -> "promote";
            default -> null;
        };
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
     * An action on a remote or guest node goes over its connection (Pacemaker's apply_remote_ordering
     * and apply_container_ordering): what ends a resource there (stop, and migrate_to/from, which end it
     * on one side) runs before the connection stops while the connection is alive, and anything else
     * after the connection starts, when it starts in this transition. Without the first, a connection
     * stopped with resources on its node (its target-role Stopped, its host in standby) went first,
     * and every stop behind it failed for want of a connection, which then fenced the node. A demote
     * waits for the connection only while it is down or resting; a connection that failed for good
     * orders nothing (its node is fenced, which implies the stops).
     */
    private void remoteInputs(Act a) {
        SNode n = a.node;
        if (n == null || !n.isRemote() || n.connection == null || n.connection == a.rsc) {
            return;
        }
        Rsc conn = n.connection;
        boolean guest = conn.container != null;
        boolean ends = "stop".equals(a.op) || "migrate_to".equals(a.op) || "migrate_from".equals(a.op);
        if ("start".equals(a.op) || "promote".equals(a.op)) {
            afterConnectionStarts(a, conn);
        } else if (guest) {
            if (ends || "demote".equals(a.op)) {
                // a failed container implies the stops on its guest (its recovery is the guest's fencing)
                if (!conn.container.failed) {
                    beforeConnectionStops(a, conn);
                }
            } else {
                afterConnectionStarts(a, conn);
            }
        } else {
            ConnectionState state = connectionState(n);
            if (ends) {
                if (state == ConnectionState.ALIVE || (state != ConnectionState.FAILED && alloc.node(conn) == null)) {
                    beforeConnectionStops(a, conn);
                } else if (state != ConnectionState.FAILED) {
                    afterConnectionStarts(a, conn);   // it starts elsewhere: stop there afterwards
                }
            } else if ("demote".equals(a.op)) {
                if (state == ConnectionState.RESTING || state == ConnectionState.UNKNOWN) {
                    afterConnectionStarts(a, conn);
                }
            } else if (a.intervalMs == 0 && conn.currentNode() != null && state == ConnectionState.STOPPED) {
                // the connection goes down for good: what checks the node runs before it does
                beforeConnectionStops(a, conn);
            } else {
                afterConnectionStarts(a, conn);
            }
        }
    }

    /** Pacemaker's view of a remote node's connection, which decides how actions there are ordered with it. */
    private enum ConnectionState { UNKNOWN, ALIVE, RESTING, FAILED, STOPPED }

    private ConnectionState connectionState(SNode n) {
        Rsc conn = n.connection;
        SNode host = conn.runningOn.isEmpty() ? null : conn.runningOn.get(0);
        if (alloc.node(conn) == null) {
            if (host != null && host.unclean) {
                return ConnectionState.FAILED;   // on a lost node, and not recovered elsewhere
            }
            if (!conn.failed) {
                return ConnectionState.STOPPED;
            }
            // failed, held down for its reconnect interval after its node was fenced: unknown until it reconnects
            boolean waiting = conn.targetRole == Role.STOPPED && conn.reconnectIntervalMs > 0 && n.remoteWasFenced
                    && !n.remoteShutdownRequested;
            return waiting ? ConnectionState.UNKNOWN : ConnectionState.FAILED;
        }
        if (host == null) {
            return ConnectionState.UNKNOWN;
        }
        if (host.unclean || !host.online
                || (conn.runningOn.size() > 1 && conn.partialSource != null && conn.partialTarget != null)) {
            return ConnectionState.RESTING;   // on a dead node, or mid-migration: wait for it to come up
        }
        return ConnectionState.ALIVE;
    }

    private void afterConnectionStarts(Act a, Rsc conn) {
        if (alloc.node(conn) != null) {
            a.after(find(conn, "start", alloc.node(conn)));
        }
    }

    private void beforeConnectionStops(Act a, Rsc conn) {
        for (SNode host : conn.runningOn) {
            Act connStop = find(conn, "stop", host);
            if (connStop != null) {
                connStop.after(a);
            }
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
     * The runnable actions that lie on a cycle of inputs among runnable actions (Tarjan's strongly
     * connected components, iteratively: a graph of 10,000s of actions must not need a deep stack).
     */
    static Set<Act> onCycles(List<Act> acts) {
        return new Cycles().find(acts);
    }

    /** The work state of one {@link #onCycles} search. */
    private static final class Cycles {
        private final Map<Act, Integer> index = new java.util.HashMap<>();
        private final Map<Act, Integer> low = new java.util.HashMap<>();
        private final java.util.ArrayDeque<Act> stack = new java.util.ArrayDeque<>();
        private final Set<Act> onStack = new HashSet<>();
        /** The depth-first path, and per action on it how many of its inputs have been looked at. */
        private final java.util.ArrayDeque<Act> path = new java.util.ArrayDeque<>();
        private final java.util.ArrayDeque<int[]> cursor = new java.util.ArrayDeque<>();
        private final Set<Act> out = new HashSet<>();

        Set<Act> find(List<Act> acts) {
            for (Act root : acts) {
                if (root.runnable && !index.containsKey(root)) {
                    enter(root);
                    walk();
                }
            }
            return out;
        }

        private void enter(Act v) {
            index.put(v, index.size());
            low.put(v, index.get(v));
            stack.push(v);
            onStack.add(v);
            path.push(v);
            cursor.push(new int[] {0});
        }

        private void walk() {
            while (!path.isEmpty()) {
                Act v = path.peek();
                int[] at = cursor.peek();
                if (at[0] < v.inputs.size()) {
                    Act w = v.inputs.get(at[0]++);
                    if (w.runnable && !index.containsKey(w)) {
                        enter(w);
                    } else if (w.runnable && onStack.contains(w)) {
                        low.put(v, Math.min(low.get(v), index.get(w)));
                    }
                    continue;
                }
                path.pop();
                cursor.pop();
                if (!path.isEmpty()) {
                    low.put(path.peek(), Math.min(low.get(path.peek()), low.get(v)));
                }
                if (low.get(v).equals(index.get(v))) {
                    List<Act> component = new java.util.ArrayList<>();
                    Act w;
                    do {
                        w = stack.pop();
                        onStack.remove(w);
                        component.add(w);
                    } while (w != v);
                    if (component.size() > 1) {
                        out.addAll(component);
                    }
                }
            }
        }
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
        // actions that wait for each other (a cycle of inputs: "A start then B stop" with its symmetrical
        // inverse and B's own stop-before-start) never become ready: the graph walker stalls there,
        // as Pacemaker's does ("Transition failed: terminated"), and what has run by then is all that happens
        neverReady.addAll(onCycles(acts));
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
