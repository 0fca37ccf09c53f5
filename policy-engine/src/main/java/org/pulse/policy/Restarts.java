package org.pulse.policy;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;

import static org.pulse.policy.OrderGraph.prims;

/**
 * What the orderings make restart or stop: a mandatory "A then B" restarts B (if running)
 * after A starts, and when symmetrical stops B before A stops; groups pass it on to their later
 * members, interleaved clones instance by instance. After the resource actions (it follows
 * their starts and stops) and the confirmed migrations (a resource moving live restarts nothing).
 */
final class Restarts {
    /** @param restarted  resources given a stop (and a start where they stay) by this stage */
    record Result(Set<Rsc> restarted) {
    }

    private final Cluster c;
    private final Allocation alloc;
    private final ActionTable table;
    private final OrderGraph g;
    private final Set<Rsc> migrating;
    private final Set<Rsc> restarted = new LinkedHashSet<>();

    private Restarts(Cluster c, Allocation alloc, ActionTable t, OrderGraph g, Set<Rsc> migrating) {
        this.c = c;
        this.alloc = alloc;
        this.table = t;
        this.g = g;
        this.migrating = migrating;
    }

    static Result run(Cluster c, Allocation alloc, ActionTable t, OrderGraph g, Set<Rsc> migrating) {
        Restarts rs = new Restarts(c, alloc, t, g, migrating);
        rs.propagateRestarts();
        return new Result(Collections.unmodifiableSet(rs.restarted));
    }

    private Act find(Rsc r, String op, SNode n) {
        return table.find(r, op, n);
    }

    private boolean starting(Rsc r) {
        return table.starting(r);
    }

    private boolean stopping(Rsc r) {
        return table.stopping(r);
    }

    private void stop(Rsc r, SNode n) {
        table.stop(r, n);
    }

    private void start(Rsc r, SNode n) {
        table.start(r, n);
    }

    private void roles(Rsc r) {
        table.roles(r);
    }

    private static boolean unrunnable(Act a, String why) {
        return ActionTable.unrunnable(a, why);
    }

    /**
     * A mandatory "A then B": when A starts, B (if running) restarts after it; when A stops and
     * the ordering is symmetrical, B stops first. Repeated until nothing changes; each change
     * adds an action, so this ends.
     */
    private void propagateRestarts() {
        Deque<Rsc> work = new ArrayDeque<>();
        for (Rsc r : c.byId().values()) {
            if (g.byFirst().containsKey(r)) {
                work.add(r);
            }
        }
        // group members also pass stops down: a member that stops takes the later members with it
        while (!work.isEmpty()) {
            Rsc first = work.poll();
            for (OrderGraph.Edge e : g.byFirst(first)) {
                boolean binds = e.mandatory() || restartTypeRestart(e.then());
                boolean cloneFirst = e.first().kind == Rsc.Kind.CLONE && e.then().kind != Rsc.Kind.CLONE;
                if (e.mandatory() && e.symmetrical() && otherActions(e)) {
                    if (impliesThen(e)) {
                        work.add(e.then());
                        for (Rsc t : prims(e.then())) {
                            work.add(t);
                        }
                    }
                    continue;
                }
                if (!binds || !"start".equals(e.thenAction())
                        || !("start".equals(e.firstAction()) || cloneFirst && "promote".equals(e.firstAction()))) {
                    continue;
                }
                if (g.requireAnyOrders().contains(e.id()) || g.anyOfFirsts().containsKey(e)) {
                    // require-all=false (on the order, or on the set the first is in): one of the
                    // firsts is enough, so one starting or stopping neither restarts nor stops
                    // what follows (Pacemaker orders through a one-or-more pseudo action, with no inverse)
                    continue;
                }
                if (e.first().kind == Rsc.Kind.CLONE && e.then().kind == Rsc.Kind.CLONE && e.then().interleave) {
                    // between interleaved clones each then-instance follows only the first
                    // clone's instance on its own node
                    if (restartInterleaved(e)) {
                        work.add(e.then());
                    }
                    continue;
                }
                boolean changed = false;
                if (cloneFirst) {
                    changed = restartAfterLocalInstance(e);
                } else {
                if (migrating.contains(first)) {
                    continue;   // it moves live: what follows it neither restarts nor stops for it
                }
                if (starting(first)) {
                    for (Rsc t : prims(e.then())) {
                        changed |= restart(t);
                    }
                }
                if (e.symmetrical() && stopping(first) && !(e.then().kind == Rsc.Kind.CLONE && cloneStaysActive(first))) {
                    for (Rsc t : prims(e.then())) {
                        changed |= stopAll(t);
                    }
                }
                }
                if (changed) {
                    work.add(e.then());
                    Rsc tp = e.then().parent;
                    if (tp != null && tp.kind == Rsc.Kind.GROUP) {
                        work.add(tp);
                    }
                    for (Rsc t : prims(e.then())) {
                        work.add(t);
                    }
                }
            }
            if (first.parent != null && first.parent.kind == Rsc.Kind.GROUP && (starting(first) || stopping(first))) {
                if (g.byFirst().containsKey(first.parent)) {
                    work.add(first.parent);
                }
            }
        }
    }

    /**
     * An order on start and stop actions other than "start then start" (stop then stop,
     * stop then start, start then stop), between resources that are not clones: the ones this
     * stage applies below Pacemaker's implies-then rule to (start then start is the case above).
     */
    private static boolean otherActions(OrderGraph.Edge e) {
        boolean startStop = ("start".equals(e.firstAction()) || "stop".equals(e.firstAction()))
                && ("start".equals(e.thenAction()) || "stop".equals(e.thenAction()));
        return startStop && !("start".equals(e.firstAction()) && "start".equals(e.thenAction()))
                && e.first().kind != Rsc.Kind.CLONE && e.then().kind != Rsc.Kind.CLONE && e.first().cloneAncestor() == null
                && e.then().cloneAncestor() == null;
    }

    /**
     * Pacemaker's implies-then for a mandatory symmetrical order (an asymmetrical one does not
     * carry it, and neither does an optional one): when the first's action is scheduled for
     * real, the then-resource's action is too. A then-action of start on a resource that stays
     * where it runs makes it restart; one of stop stops it (and starts it again where it stays).
     * So "A stop then B stop" restarts B whenever A stops, and "A stop then B start" likewise.
     */
    private boolean impliesThen(OrderGraph.Edge e) {
        if (migrating.contains(e.first()) || g.requireAnyOrders().contains(e.id()) || g.anyOfFirsts().containsKey(e)) {
            return false;
        }
        boolean acts = "start".equals(e.firstAction()) ? starting(e.first()) : stopping(e.first());
        if (!acts) {
            return false;
        }
        boolean changed = false;
        for (Rsc t : prims(e.then())) {
            changed |= "start".equals(e.thenAction()) ? restart(t) : stopAll(t);
        }
        return changed;
    }

    /** Stop then start again on the assigned node (a restart forced by something it depends on). */
    private boolean restart(Rsc r) {
        SNode to = alloc.node(r);
        if (!r.managed || to == null || !r.runningOn.contains(to)) {
            return false;
        }
        if (find(r, "stop", to) != null) {
            return false;
        }
        stop(r, to);
        start(r, to);
        cancelReload(r, to);
        roles(r);   // a promoted instance restarted is demoted first and promoted again
        restarted.add(r);
        return true;
    }

    /** A reload planned where the resource now restarts anyway is not needed: the start reads the new values. */
    private void cancelReload(Rsc r, SNode n) {
        Act reload = find(r, "reload-agent", n);
        if (reload != null) {
            unrunnable(reload, "it restarts there instead");
        }
    }

    /** Interleaved clones: restart each then-instance whose node gets a starting first-instance. */
    private boolean restartInterleaved(OrderGraph.Edge e) {
        boolean changed = false;
        for (Rsc then : e.then().children) {
            SNode node = Assignment.unitCurrentNode(then);
            if (node == null || !alloc.instanceOn(then, node)) {
                continue;
            }
            for (Rsc first : e.first().children) {
                if (alloc.instanceOn(first, node) && starting(first)) {
                    for (Rsc t : prims(then)) {
                        changed |= restart(t);
                    }
                }
            }
        }
        return changed;
    }

    /** Stop everywhere it runs (for an ordering whose first side stops). */
    private boolean stopAll(Rsc r) {
        boolean changed = false;
        if (!r.managed) {
            return false;
        }
        for (SNode n : r.runningOn) {
            if (find(r, "stop", n) == null) {
                stop(r, n);
                cancelReload(r, n);
                changed = true;
                if (alloc.node(r) == n) {
                    start(r, n);
                }
            }
        }
        if (changed) {
            restarted.add(r);
        }
        return changed;
    }

    /**
     * "Clone then primitive (or group)": the clone's action counts only where the then side is,
     * as Pacemaker reads a clone's flags for an ordering on the other side's node. A copy starting
     * (or promoting, for first-action=promote) on the then side's node restarts it; with a
     * symmetrical order a copy stopping (demoting) there stops it first. Copies elsewhere, a new
     * one starting or one stopping on another node, leave it alone.
     */
    private boolean restartAfterLocalInstance(OrderGraph.Edge e) {
        String undo = "promote".equals(e.firstAction()) ? "demote" : "stop";
        boolean changed = false;
        for (Rsc t : prims(e.then())) {
            SNode to = alloc.node(t);
            if (to != null && cloneActsOn(e.first(), e.firstAction(), to)) {
                changed |= restart(t);
            }
            if (e.symmetrical()) {
                for (SNode n : t.runningOn) {
                    if (cloneActsOn(e.first(), undo, n)) {
                        changed |= stopAll(t);
                        break;
                    }
                }
            }
        }
        return changed;
    }

    /**
     * Between two clones without interleave, a copy of the first clone stopping stops none of the
     * then-clone's copies as long as another copy of the first stays active: Pacemaker orders the
     * clones through their clone-level pseudo actions, and a required stop of the first makes
     * only the then-clone's own stop pseudo action required, not its instances' stops (a start of
     * the first, by contrast, reaches every then-instance). Only when no copy is left do they stop.
     */
    private boolean cloneStaysActive(Rsc first) {
        if (first.kind != Rsc.Kind.CLONE) {
            return false;
        }
        for (Rsc inst : first.children) {
            if (alloc.node(inst) != null) {
                return true;
            }
        }
        return false;
    }

    private boolean cloneActsOn(Rsc clone, String op, SNode n) {
        for (Rsc p : clone.primitives()) {
            if (find(p, op, n) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The deprecated meta attribute restart-type=restart: the resource restarts whenever what
     * it is ordered after restarts, even through an optional order.
     */
    private static boolean restartTypeRestart(Rsc r) {
        return "restart".equals(r.meta.get("restart-type"));
    }
}
