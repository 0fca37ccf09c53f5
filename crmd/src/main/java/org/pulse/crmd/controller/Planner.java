package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;

/**
 * What the DC does around the policy engine's decisions (DESIGN.md §4): the policy engine decides fencing,
 * probes and no-quorum handling; its plan is filtered here so that nothing runs where safety is not
 * established (held back: actions for non-members, on resources with an operation in progress, fencing of
 * the DC itself or of a node whose fencing gave up), and what a fenced node's status becomes.
 * Pure functions of the CIB and the view.
 */
final class Planner {
    private Planner() {
    }

    /** Status after a node was fenced: {@link #markDown}, and when (alerts report the fencing from it). */
    static XmlElement markFenced(XmlElement root, String node, long nowEpochSec) {
        return Cibs.updateNodeState(markDown(root, node), node, ns -> Cibs.withAttrs(ns, "pulse-fenced",
                Long.toString(nowEpochSec)));
    }

    /**
     * Status of a node known down (fenced, or cleared by crm node clearstate after a fencing by hand): offline,
     * expected down, no history, no transient attributes.
     */
    static XmlElement markDown(XmlElement root, String node) {
        return org.pulse.cib.admin.NodeClearState.markDown(root, node);
    }

    /** Resources held back because they may be running on a node that cannot be fenced. */
    static Map<String, String> blockedByUnfenceable(Cib cib, List<String> nodes, String why) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, ? extends Set<String>> active = Cibs.possiblyActive(cib);
        for (Map.Entry<String, ? extends Set<String>> e : active.entrySet()) {
            for (String n : e.getValue()) {
                if (nodes.contains(n)) {
                    out.put(e.getKey(), "may still be active on " + n + ", which " + why);
                }
            }
        }
        return out;
    }

    /**
     * The policy engine's plan minus what must not run: actions for nodes outside the view, and
     * actions that would make a blocked resource active (it may still run on an unfenced node);
     * whatever depends on a removed action goes too. Fencing actions run on the DC.
     */
    static TransitionPlan filter(TransitionPlan plan, View view, String self, Map<String, String> blocked,
            Map<String, String> removedWhy) {
        return filter(plan, view, self, blocked, Set.of(), removedWhy);
    }

    /**
     * As above; fencing of a node in {@code unfenceable} (the DC stopped trying at stonith-max-attempts)
     * goes too, with what depends on it: it would only fail again.
     */
    static TransitionPlan filter(TransitionPlan plan, View view, String self, Map<String, String> blocked,
            Set<String> unfenceable, Map<String, String> removedWhy) {
        return filter(plan, view, Set.of(), self, blocked, unfenceable, removedWhy);
    }

    /**
     * As above; actions on the {@code remote} nodes stay (the DC routes them through the member holding the
     * node's connection; one that has none fails when dispatched).
     */
    static TransitionPlan filter(TransitionPlan plan, View view, Set<String> remote, String self,
            Map<String, String> blocked, Set<String> unfenceable, Map<String, String> removedWhy) {
        Map<Integer, PlannedAction> kept = new LinkedHashMap<>();
        Set<Integer> removed = new HashSet<>();
        for (PlannedAction a : plan.actions()) {
            if (a.isFence() && unfenceable.contains(a.fenceTarget())) {
                removed.add(a.id());
                removedWhy.put(a.toString(), "fencing " + a.fenceTarget() + " reached stonith-max-attempts");
            } else if (a.isFence()) {
                kept.put(a.id(), new PlannedAction(a.id(), self, a.resourceId(), a.agent(), a.operation(),
                        a.intervalMs(), a.timeoutMs(), a.params(), a.expectedRc(), a.inputs(), a.fenceTarget()));
            } else if (!view.contains(a.node()) && !a.operation().equals("pseudo") && !remote.contains(a.node())) {
                // A pseudo action (a stop that fencing its node does) runs nothing there.
                removed.add(a.id());
                removedWhy.put(a.toString(), a.node() + " is not a member");
            } else if (a.activates() && blocked.containsKey(a.resourceId())) {
                removed.add(a.id());
                removedWhy.put(a.toString(), blocked.get(a.resourceId()));
            } else {
                kept.put(a.id(), a);
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (PlannedAction a : new ArrayList<>(kept.values())) {
                for (int input : a.inputs()) {
                    if (removed.contains(input)) {
                        kept.remove(a.id());
                        removed.add(a.id());
                        removedWhy.put(a.toString(), "it comes after an action that cannot run now");
                        changed = true;
                        break;
                    }
                }
            }
        }
        return new TransitionPlan(plan.source(), new ArrayList<>(kept.values()));
    }

    /**
     * Resources with an operation still in progress on a node, as recorded (record-pending):
     * "resource node". The policy engine, as Pacemaker's, plans a pending start again (a stop and
     * a start); Pacemaker's executor would queue those behind the running start. Pulse's DC holds
     * back every action on that resource there instead: the running operation's result arrives
     * as a result outside the transition and triggers a new schedule, which then sees the outcome,
     * so the agent never starts the same resource twice nor is stopped mid-start.
     */
    static Set<String> pendingOperations(Cib cib) {
        Set<String> out = new HashSet<>();
        org.pulse.cib.model.StatusView status = cib.statusView();
        for (Map.Entry<String, org.pulse.cib.model.NodeState> ns : status.nodes().entrySet()) {
            for (org.pulse.cib.model.LrmResource r : ns.getValue().resources()) {
                if (!r.pending().isEmpty()) {
                    out.add(r.id() + " " + ns.getKey());
                }
            }
        }
        return out;
    }

    /** Drops the actions {@link #pendingOperations} names, and what comes after them. */
    static TransitionPlan withoutPending(TransitionPlan plan, Set<String> pending, Map<String, String> removedWhy) {
        if (pending.isEmpty()) {
            return plan;
        }
        List<PlannedAction> kept = new ArrayList<>();
        Set<Integer> removed = new HashSet<>();
        for (PlannedAction a : plan.actions()) {
            if (!a.isFence() && pending.contains(a.resourceId() + " " + a.node())) {
                removed.add(a.id());
                removedWhy.put(a.toString(), "an operation of " + a.resourceId() + " is still in progress on "
                        + a.node() + "; its result comes first");
            } else {
                kept.add(a);
            }
        }
        if (removed.isEmpty()) {
            return plan;
        }
        return withDependentsRemoved(plan, kept, removed, removedWhy, "it comes after an operation still in progress");
    }

    /**
     * Without quorum nothing starts or is promoted anywhere, and a resource the plan would start keeps what it
     * has (its stop and demote go too). Pacemaker's freeze still lets an active resource move inside a partition
     * without quorum; the quorate side may meanwhile fence the node it leaves and start it again, never having
     * seen this side start it (seed 20261975: rsc4 moved to node7 in a two-node minority while the majority
     * fenced node2 and started it on node3). Pulse's DC holds that move back, with what comes after it.
     */
    static TransitionPlan withoutStartsWithoutQuorum(TransitionPlan plan, Map<String, String> removedWhy) {
        Set<String> starting = new HashSet<>();
        for (PlannedAction a : plan.actions()) {
            if (!a.isFence() && a.activates()) {
                starting.add(a.resourceId());
            }
        }
        if (starting.isEmpty()) {
            return plan;
        }
        List<PlannedAction> kept = new ArrayList<>();
        Set<Integer> removed = new HashSet<>();
        for (PlannedAction a : plan.actions()) {
            if (!a.isFence() && !a.isProbe() && starting.contains(a.resourceId())) {
                removed.add(a.id());
                removedWhy.put(a.toString(), "this partition has no quorum: nothing of " + a.resourceId()
                        + " starts or moves here (the quorate side may recover it)");
            } else {
                kept.add(a);
            }
        }
        return withDependentsRemoved(plan, kept, removed, removedWhy, "it comes after an action held back for quorum");
    }

    /** {@code kept} minus every action that comes after a removed one, transitively. */
    private static TransitionPlan withDependentsRemoved(TransitionPlan plan, List<PlannedAction> kept,
            Set<Integer> removed, Map<String, String> removedWhy, String why) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (PlannedAction a : new ArrayList<>(kept)) {
                if (a.inputs().stream().anyMatch(removed::contains)) {
                    kept.remove(a);
                    removed.add(a.id());
                    removedWhy.put(a.toString(), why);
                    changed = true;
                }
            }
        }
        return new TransitionPlan(plan.source(), kept);
    }

    /** Resources possibly active on nodes outside the view: they must not start elsewhere. */
    static Map<String, String> activeOnNonMembers(Cib cib, View view) {
        Map<String, String> out = new HashMap<>();
        Set<String> remote = null;
        for (Map.Entry<String, ? extends Set<String>> e : Cibs.possiblyActive(cib).entrySet()) {
            for (String n : e.getValue()) {
                if (!view.contains(n)) {
                    // A remote node is never a member: the policy engine fences it (or not) by its connection.
                    remote = remote == null ? RemoteRouting.names(cib) : remote;
                    if (remote.contains(n)) {
                        continue;
                    }
                    out.put(e.getKey(), "may still be active on " + n + ", which left and was not fenced");
                }
            }
        }
        return out;
    }
}
