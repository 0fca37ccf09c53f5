package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.pulse.cib.model.Scores;

import static org.pulse.policy.OrderGraph.prims;

/**
 * What cannot run: stops on nodes nobody can fence, starts without quorum or without a fence
 * device, starts after a mandatory "first" that will not run or with a mandatory colocation's
 * primary that will not be there, stops behind stops that cannot happen, monitors of starts
 * that cannot run; what stays is stopped when a start there could not run either. Repeated
 * until nothing changes. Then the starts that stay in the graph but are never ready (a
 * -INFINITY colocation waits for the other side's stop, which cannot run). After the resource
 * actions, restarts and shutdowns, which it judges.
 */
final class Runnability {
    /**
     * @param neverReady  starts that stay in the graph but never become ready: they wait for a needed
     *                    action that cannot run (Pacemaker keeps such an input when its ordering is not
     *                    optional), so the resource does not start there
     */
    record Result(Set<Act> neverReady) {
    }

    private final Cluster c;
    private final Scoring s;
    private final Allocation alloc;
    private final ActionTable t;
    private final OrderGraph orders;
    private final List<Act> acts;
    private final List<OrderGraph.Edge> edges;
    /** See {@link Result#neverReady}. */
    private final Set<Act> neverReady = new HashSet<>();

    private Runnability(Cluster c, Scoring s, Allocation alloc, ActionTable t, OrderGraph g) {
        this.c = c;
        this.s = s;
        this.alloc = alloc;
        this.t = t;
        this.orders = g;
        this.acts = t.acts();
        this.edges = g.edges();
    }

    static Result run(Cluster c, Scoring s, Allocation alloc, ActionTable t, OrderGraph g) {
        Runnability r = new Runnability(c, s, alloc, t, g);
        r.runnability();
        r.antiColocationWaits();
        return new Result(Collections.unmodifiableSet(r.neverReady));
    }

    /** Whether no-quorum-policy=stop stops r: it needs quorum and the partition has none. */
    static boolean stopsForNoQuorum(Cluster c, Rsc r) {
        return !c.quorumAllowsStarts() && "stop".equals(c.options().noQuorumPolicy()) && !r.requiresNothing;
    }

    private boolean stopsForNoQuorum(Rsc r) {
        return stopsForNoQuorum(c, r);
    }

    private Act find(Rsc r, String op, SNode n) {
        return t.find(r, op, n);
    }

    private Act stop(Rsc r, SNode n) {
        return t.stop(r, n);
    }

    private boolean fenced(SNode n) {
        return t.fenced(n);
    }

    private SNode endNode(Rsc p) {
        return t.endNode(p);
    }

    private static boolean unrunnable(Act a, String why) {
        return ActionTable.unrunnable(a, why);
    }

    private void runnability() {
        boolean noFenceDevice = c.stonithEnabled() && !c.hasFenceDevice();
        // once, not per action: each call looks the option up and lower-cases it anew
        String noQuorumPolicy = c.options().noQuorumPolicy();
        boolean quorumAllowsStarts = c.quorumAllowsStarts();
        for (Act a : acts) {
            if (a.rsc == null) {
                continue;
            }
            if (("stop".equals(a.op) || "demote".equals(a.op)) && !a.pseudo && !a.node.canRunOps()) {
                // nothing runs on such a node: a promoted instance there keeps its role, and what
                // waits for its demotion (the clone's promotions) waits with it
                unrunnable(a, a.node.name + " is unclean and cannot be fenced");
            }
            if ("promote".equals(a.op) && !quorumAllowsStarts && "stop".equals(noQuorumPolicy) && !a.rsc.requiresNothing) {
                // no-quorum-policy=stop: the instance keeps the role it was given, but raising it
                // needs quorum (a demotion does not)
                unrunnable(a, "no quorum (no-quorum-policy=stop)");
            }
            if ("start".equals(a.op)) {
                boolean demotePolicyRestart = "demote".equals(noQuorumPolicy)
                        && a.rsc.cloneAncestor() != null && a.rsc.cloneAncestor().promotable
                        && a.rsc.runningOn.contains(a.node);
                boolean frozenButActive = "freeze".equals(noQuorumPolicy) && !a.rsc.runningOn.isEmpty();
                if (demotePolicyRestart || a.rsc.requiresNothing) {
                    // no-quorum-policy=demote: a promotable instance may be recovered where it runs
                } else if (frozenButActive) {
                    // no-quorum-policy=freeze stops nothing from starting that is active already
                    // (it may even move); only what is inactive stays down
                } else if (!quorumAllowsStarts && !a.rsc.isFenceDevice()) {
                    unrunnable(a, "no quorum (no-quorum-policy=" + noQuorumPolicy + ")");
                } else if (!quorumAllowsStarts) {
                    unrunnable(a, "no quorum");
                } else if (noFenceDevice) {
                    unrunnable(a, "stonith-enabled is true but no fence device is configured");
                }
            }
        }
        blockStopsAfterStartsThatWillNotRun();
        blockStopsBehindUnrunnableStops();
        // a start waits for the stops of the same resource; if one of those cannot happen, neither can the start
        List<Rsc> starting = new ArrayList<>();
        for (Rsc r : c.byId().values()) {
            SNode to = alloc.node(r);
            if (r.isPrimitive() && to != null && find(r, "start", to) != null) {
                starting.add(r);
            }
        }
        List<Rsc> staying = new ArrayList<>();
        for (Rsc r : c.byId().values()) {
            SNode to = alloc.node(r);
            if (r.isPrimitive() && r.managed && !r.orphan && to != null && r.runningOn.contains(to)
                    && find(r, "start", to) == null && find(r, "stop", to) == null) {
                staying.add(r);
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Rsc r : starting) {
                changed |= checkStart(r);
            }
            for (int i = 0; i < staying.size(); i++) {
                if (stopIfStartWouldBeBlocked(staying.get(i))) {
                    staying.remove(i--);
                    changed = true;
                }
            }
        }
        for (Act a : acts) {
            if (a.rsc != null && "monitor".equals(a.op) && a.intervalMs > 0) {
                Act st = find(a.rsc, "start", a.node);
                if (st != null && !st.runnable) {
                    unrunnable(a, "its start cannot run");
                }
                if (!a.node.canRunOps()) {
                    unrunnable(a, "node cannot run operations");
                }
            }
            if (a.rsc != null && "promote".equals(a.op) && a.runnable) {
                // an instance is promoted only once started there: a start that cannot run takes
                // the promotion with it (Pacemaker orders start before promote, runnable-left)
                Act st = find(a.rsc, "start", a.node);
                if (st != null && !st.runnable) {
                    unrunnable(a, "its start cannot run");
                }
            }
        }
    }

    /**
     * Pacemaker orders the two sides of a -INFINITY colocation (without roles): each one's
     * start waits for the other's stop, an ordering that only applies between actions on the
     * same node, or when one side is a group or clone (whose stopped pseudo action has no
     * node). Unlike a mandatory order it does not make the start unrunnable when that stop
     * cannot run: the start stays in the graph, waiting for ever, so the resource ends stopped.
     */
    private void antiColocationWaits() {
        for (Colocation col : s.colocations) {
            if (col.score() > -Scores.INFINITY || col.nodeAttribute() != null && !"#uname".equals(col.nodeAttribute())
                    || !plainRole(col.dependentRole()) || !plainRole(col.primaryRole())) {
                continue;
            }
            waitForStops(col.dependent(), col.primary());
            waitForStops(col.primary(), col.dependent());
        }
        for (OrderGraph.Edge e : edges) {
            if (e.mandatory() && "start".equals(e.firstAction()) && "start".equals(e.thenAction())
                    && e.first().kind == Rsc.Kind.CLONE && !(e.then().kind == Rsc.Kind.CLONE && e.then().interleave)
                    && cloneRunningNeverDone(e.first())) {
                for (Rsc p : e.then().primitives()) {
                    for (Act start : t.actsOf(p)) {
                        if ("start".equals(start.op) && start.runnable) {
                            neverReady.add(start);
                        }
                    }
                }
            }
        }
    }

    /**
     * A clone's "running" pseudo action is needed when an instance is to start, and can run
     * only when at least one instance's start can: with none able to (an unmanaged instance to
     * be recovered), what is ordered after the clone's start waits for it for ever, although
     * the clone, already active, does not make that start unrunnable.
     */
    private boolean cloneRunningNeverDone(Rsc clone) {
        boolean needed = false;
        for (Rsc p : clone.primitives()) {
            // a failed instance nobody may manage is to be recovered, and that start cannot run
            needed |= p.failed && !p.managed && !p.runningOn.isEmpty();
            for (Act a : t.actsOf(p)) {
                if ("start".equals(a.op)) {
                    if (a.runnable) {
                        return false;
                    }
                    needed = true;
                }
            }
        }
        return needed;
    }

    private static boolean plainRole(Role r) {
        return r == null || r == Role.UNKNOWN || r == Role.STARTED;
    }

    private void waitForStops(Rsc starting, Rsc stopping) {
        boolean noNode = !stopping.isPrimitive();
        for (Rsc sp : stopping.primitives()) {
            for (Act stop : t.actsOf(sp)) {
                if (!"stop".equals(stop.op) || stop.runnable || stop.pseudo) {
                    continue;
                }
                for (Rsc st : starting.primitives()) {
                    for (Act start : t.actsOf(st)) {
                        if ("start".equals(start.op) && start.runnable && (noNode || start.node == stop.node)) {
                            neverReady.add(start);
                        }
                    }
                }
            }
        }
    }

    /**
     * A stop that must wait for another resource's stop (the reverse of a symmetrical mandatory
     * "A then B", a group's member order, or an explicit stop-then-stop order) cannot run when
     * that stop cannot: a blocked resource (failed, on-fail=block or a stop failure nobody can
     * fence) never stops, so whatever it depends on stays up too (Pacemaker cl#5155). A restart
     * whose stop is blocked this way does not happen: its start then cannot run either (see
     * checkStart), and the resource stays where it is. Repeated until nothing changes.
     */
    /**
     * A mandatory order "start A then stop B": B's stop waits for A's start, so when A will not run
     * (stopped by target-role, nowhere to go) B cannot stop either and stays where it is, even on a
     * node it should leave (Pacemaker's runnable-left ordering holds for any then-action).
     */
    private void blockStopsAfterStartsThatWillNotRun() {
        for (OrderGraph.Edge e : edges) {
            if (!e.mandatory() || !"start".equals(e.firstAction()) || !"stop".equals(e.thenAction())
                    || e.first().kind == Rsc.Kind.CLONE || e.then().kind == Rsc.Kind.CLONE
                    || orders.anyOfFirsts().containsKey(e) || willRun(e.first())) {
                continue;
            }
            for (Rsc p : prims(e.then())) {
                for (SNode n : p.runningOn) {
                    Act sp = find(p, "stop", n);
                    if (sp != null && !sp.pseudo) {
                        unrunnable(sp, "it stops after " + e.first().id + " starts, which will not run (order " + e.id() + ")");
                    }
                }
            }
        }
    }

    private void blockStopsBehindUnrunnableStops() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (OrderGraph.Edge e : edges) {
                if (!e.mandatory()) {
                    continue;
                }
                Rsc waitedFor;
                Rsc waiting;
                if (e.symmetrical() && "start".equals(e.firstAction()) && "start".equals(e.thenAction())) {
                    waitedFor = e.then();
                    waiting = e.first();
                } else if ("stop".equals(e.firstAction()) && "stop".equals(e.thenAction())) {
                    waitedFor = e.first();
                    waiting = e.then();
                } else {
                    continue;
                }
                if (waitedFor.kind == Rsc.Kind.CLONE || waiting.kind == Rsc.Kind.CLONE || !stopCannotRun(waitedFor)) {
                    continue;
                }
                for (Rsc p : prims(waiting)) {
                    for (SNode n : p.runningOn) {
                        Act sp = find(p, "stop", n);
                        if (sp != null && !sp.pseudo) {
                            changed |= unrunnable(sp, "it stops after " + waitedFor.id + ", which cannot stop (order "
                                    + e.id() + ")");
                        }
                    }
                }
            }
        }
    }

    /** Some part of r is active and cannot be stopped: blocked, or its stop is unrunnable. */
    private boolean stopCannotRun(Rsc r) {
        for (Rsc p : prims(r)) {
            for (SNode n : p.runningOn) {
                if (p.blocked) {
                    return true;
                }
                Act sp = find(p, "stop", n);
                if (sp != null && !sp.runnable) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A resource that stays where it runs still needs what a start there would need: when the
     * "first" of a mandatory symmetrical order will not run, or its mandatory colocation's
     * primary will not be there, it is stopped (Pacemaker's implied start becomes required and
     * unrunnable). An asymmetrical order only gates new starts: what already runs stays.
     */
    private boolean stopIfStartWouldBeBlocked(Rsc r) {
        Act implied = new Act("start", r, alloc.node(r), 0, null);   // never added: only asked
        if (stopsForNoQuorum(r)) {
            // no-quorum-policy=stop: what needs quorum may not stay up without it
            unrunnable(implied, "no quorum (no-quorum-policy=stop)");
        }
        if (implied.runnable && !dependenciesBlock(r, implied, true)) {
            return false;
        }
        stop(r, alloc.node(r)).unrunnableReason = implied.unrunnableReason;
        return true;
    }

    /** One pass over one start: does something it depends on make it unrunnable? */
    private boolean checkStart(Rsc r) {
        Act st = find(r, "start", alloc.node(r));
        if (!st.runnable) {
            return false;
        }
        boolean changed = false;
        for (SNode n : r.runningOn) {
            Act sp = find(r, "stop", n);
            if (sp != null && !sp.runnable) {
                changed |= unrunnable(st, "it cannot be stopped on " + n.name + " first");
            }
            if (n.unclean && !fenced(n) && sp == null) {
                changed |= unrunnable(st, "it may still be active on an unclean node");
            }
        }
        return changed | dependenciesBlock(r, st, false);
    }

    /**
     * Would a start of r on its assigned node be unrunnable because of what it depends on — a
     * mandatory "first" that will not run, or a mandatory colocation whose primary will not be
     * there? Marks {@code st} so when it would.
     */
    private boolean dependenciesBlock(Rsc r, Act st, boolean symmetricalOnly) {
        boolean changed = false;
        for (OrderGraph.Edge e : orders.byThen(r)) {
            if (e.symmetrical() || !symmetricalOnly) {
                changed |= checkFirst(e, st);
            }
        }
        Rsc g = r.parent;
        if (g != null && g.kind == Rsc.Kind.GROUP) {
            for (OrderGraph.Edge e : orders.byThen(g)) {
                if (e.symmetrical() || !symmetricalOnly) {
                    changed |= checkFirst(e, st);
                }
            }
        }
        Rsc clone = r.cloneAncestor();
        if (clone != null) {
            for (OrderGraph.Edge e : orders.byThen(clone)) {
                changed |= checkCloneFirst(e, clone, r, st);
            }
        }
        for (Colocation col : s.primariesOf(Scoring.unit(r))) {
            if (col.score() < Scores.INFINITY) {
                continue;
            }
            boolean ok = col.primary().kind == Rsc.Kind.CLONE
                    ? cloneEndsOn(col.primary(), alloc.node(r), col.primaryRole())
                    : willRun(col.primary()) || (symmetricalOnly && (blockedWhereItRuns(heldPart(col.primary()), alloc.node(r))
                            || groupAssignedHere(col.primary(), alloc.node(r))));
            if (!ok) {
                changed |= unrunnable(st, "it must run with " + col.primary().id + ", which will not run there");
            }
        }
        return changed;
    }

    private boolean checkFirst(OrderGraph.Edge e, Act thenStart) {
        if (!e.mandatory() || !"start".equals(e.firstAction()) || !"start".equals(e.thenAction())) {
            return false;
        }
        List<Rsc> anyOf = orders.anyOfFirsts().get(e);
        if (anyOf != null) {
            return !anyWillRun(anyOf)
                    && unrunnable(thenStart, "it starts after one of " + anyOf + " (order " + e.id() + "), and none will run");
        }
        if (!willRun(e.first())) {
            return unrunnable(thenStart, "it starts after " + e.first().id + " (order " + e.id() + "), which will not run");
        }
        return false;
    }

    /**
     * An instance of a clone ordered (mandatory, start then start) after something. With
     * interleave=true on the then-clone and a clone first, each instance waits only for the
     * first clone's instance on its own node, and cannot start where there is none; otherwise
     * it waits for the first side as a whole (a clone: enough instances up).
     */
    private boolean checkCloneFirst(OrderGraph.Edge e, Rsc clone, Rsc r, Act thenStart) {
        if (!e.mandatory() || !"start".equals(e.firstAction()) || !"start".equals(e.thenAction())) {
            return false;
        }
        List<Rsc> anyOf = orders.anyOfFirsts().get(e);
        if (anyOf != null) {
            // the first is in a set with require-all=false: one of its members running is enough
            // (Pacemaker's one-or-more pseudo action), per clone as for anything else
            return !anyWillRun(anyOf)
                    && unrunnable(thenStart, "it starts after one of " + anyOf + " (order " + e.id() + "), and none will run");
        }
        Rsc first = e.first();
        if (first.kind == Rsc.Kind.CLONE && clone.interleave && !orders.requireAnyOrders().contains(e.id())) {
            for (Rsc inst : first.children) {
                if (alloc.instanceOn(inst, alloc.node(r))) {
                    return willRun(inst) ? false
                            : unrunnable(thenStart, "its instance of " + first.id + " on " + alloc.node(r).name
                                    + " will not run (order " + e.id() + ", interleave)");
                }
            }
            return unrunnable(thenStart, "no instance of " + first.id + " on " + alloc.node(r).name
                    + " (order " + e.id() + ", interleave)");
        }
        if (!willRun(first)) {
            return unrunnable(thenStart, "it starts after " + first.id + " (order " + e.id() + "), which will not run");
        }
        return false;
    }

    private boolean anyWillRun(List<Rsc> rscs) {
        for (Rsc f : rscs) {
            if (willRun(f)) {
                return true;
            }
        }
        return false;
    }

    /** Does an instance of the clone end up on the node (in the role, when one is required)? */
    private boolean cloneEndsOn(Rsc clone, SNode node, Role role) {
        for (Rsc inst : clone.children) {
            boolean all = true;
            for (Rsc p : inst.primitives()) {
                all &= endNode(p) == node && (role != Role.PROMOTED || alloc.nextRole(p) == Role.PROMOTED);
            }
            if (all && !inst.primitives().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Resources whose orderings orderedAfterWhatWillNotRun is following (orderings may form a cycle). */
    private final Set<Rsc> followingOrders = new HashSet<>();

    /** Is r (or its group or clone) ordered, mandatory start then start, after something that will not run? */
    private boolean orderedAfterWhatWillNotRun(Rsc r) {
        if (!followingOrders.add(r)) {
            return false;
        }
        try {
            for (Rsc x = r; x != null; x = x.parent) {
                for (OrderGraph.Edge e : orders.byThen(x)) {
                    List<Rsc> anyOf = orders.anyOfFirsts().get(e);
                    if (e.mandatory() && "start".equals(e.firstAction()) && "start".equals(e.thenAction())
                            && !(anyOf != null ? anyWillRun(anyOf) : willRun(e.first()))) {
                        return true;
                    }
                }
            }
            return false;
        } finally {
            followingOrders.remove(r);
        }
    }

    /**
     * Does a primary that {@link #willRun} rejects only because part of it is blocked stay active on
     * {@code node} all the same, every member there? A blocked resource has no start that can run,
     * but it has none it needs either: it stays where it is. Pacemaker blocks a colocated dependent's
     * start behind the primary's unrunnable one, and that stops a dependent which is already active
     * only when the primary had to start (stopped, or moving); beside a primary that stays, blocked,
     * the dependent stays too.
     */
    /**
     * The part of a mandatory colocation's primary that a dependent staying put needs held
     * where it runs: a group's last member (the dependent is colocated with it, as Pacemaker
     * colocates with a whole group: see Assignment.primaryNode), else the primary itself.
     */
    /**
     * A group whose last member is assigned where the dependent stays, though its start there
     * cannot run (it waits for a member that is blocked): the dependent's own start is not
     * needed, so the colocation leaves it running (Pacemaker marks only a required start
     * unrunnable for a colocation).
     */
    private boolean groupAssignedHere(Rsc primary, SNode node) {
        return primary.kind == Rsc.Kind.GROUP && node != null && alloc.node(heldPart(primary)) == node;
    }

    private static Rsc heldPart(Rsc primary) {
        return primary.kind == Rsc.Kind.GROUP && !primary.children.isEmpty()
                ? primary.children.get(primary.children.size() - 1) : primary;
    }

    private boolean blockedWhereItRuns(Rsc primary, SNode node) {
        List<Rsc> ps = prims(primary);
        boolean anyBlocked = false;
        for (Rsc p : ps) {
            if (node == null || endNode(p) != node || !p.runningOn.contains(node)
                    || (!p.managed && !p.blocked && orderedAfterWhatWillNotRun(p))) {
                return false;
            }
            anyBlocked |= p.blocked;
        }
        return anyBlocked;
    }

    /** Will this resource (every member, for a group) be active once the transition has run? */
    private boolean willRun(Rsc r) {
        if (r.kind == Rsc.Kind.CLONE) {
            // a clone is up when enough of its instances are (clone-min, at least one)
            int need = Math.max(1, Scores.parse(r.meta.get("clone-min"), 0));
            int up = 0;
            for (Rsc inst : r.children) {
                if (willRun(inst)) {
                    up++;
                }
            }
            return up >= need;
        }
        List<Rsc> ps = prims(r);
        if (ps.isEmpty()) {
            return false;
        }
        for (Rsc p : ps) {
            // a blocked resource's start can never run, even where it is active; one merely
            // unmanaged counts as running where it is, unless what it is ordered after will not
            // run (it is left where it is, but its start, which what follows it needs, cannot)
            if (endNode(p) == null || p.blocked || (!p.managed && orderedAfterWhatWillNotRun(p))) {
                return false;
            }
        }
        return true;
    }
}
