package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.OpConfig;

import static org.pulse.policy.OrderGraph.prims;

/**
 * The actions of one scheduling run while the stages build them, and the building blocks every
 * stage adds them with (stop, start, a recurring monitor, the promote/demote of an instance).
 *
 * <p>Mutable on purpose, and the one mutable hand-off between the planning stages: an {@link Act}
 * is a builder that {@link GraphBuilder} freezes into an {@link Action}, and later stages must
 * see and amend what earlier ones added (mark a start unrunnable, order a stop after a
 * notification) with ids given in creation order, so the table is shared rather than copied.
 * Everything else a stage decides it returns as a record.
 *
 * <p>Actions are kept in one list in creation order and indexed by resource (by node for a
 * node's own actions): nothing walks the whole list per action, so the cost grows with the
 * number of actions and orderings, not their product. The index is the table's own, not a
 * field of {@code Rsc} or {@code SNode}: no planning stage writes into the resources it plans
 * for (one still writes into nodes: see {@link Fencing#run}). Each action takes a resource from
 * where it is towards the node and role in the table's {@link Allocation}.
 */
final class ActionTable {
    /** Where each resource goes and in what role: every action here takes it from where it is to there. */
    private final Allocation alloc;
    private final List<Act> acts = new ArrayList<>();
    private final List<Act> actsView = Collections.unmodifiableList(acts);
    /**
     * Each resource's actions, each node's own: a handful each (a few dozen when every node
     * probes a resource). Keyed by Rsc and SNode, whose hashes are their creation order and
     * index (no identity hash: see Rsc.hashCode).
     */
    private final Map<Rsc, List<Act>> byRsc = new HashMap<>();
    private final Map<SNode, List<Act>> byNode = new HashMap<>();
    /** Actions of neither a resource nor a node; see {@link #find}. */
    private final List<Act> clusterActs = new ArrayList<>();
    /** The nodes the fencing stage fences; null until it has decided (see {@link #fencingDecided}). */
    private Map<SNode, Act> fencing;

    ActionTable(Allocation alloc) {
        this.alloc = alloc;
    }

    /** Every action in creation order (read-only: add through {@link #add} or {@link #append}). */
    List<Act> acts() {
        return actsView;
    }

    /**
     * The fencing stage's decision, given once, before any resource action is added: an action
     * on a node being fenced is a pseudo action (the fencing does it).
     */
    void fencingDecided(Map<SNode, Act> fenced) {
        if (fencing != null) {
            throw new IllegalStateException("fencing decided twice in one scheduling run");
        }
        fencing = fenced;
    }

    boolean fenced(SNode n) {
        return fencing != null && fencing.containsKey(n);
    }

    /**
     * The action (r, op, n, interval 0), or null. Each resource keeps its own few actions
     * (a handful; a few dozen when every node probes it), and a linear look at them beats a
     * hash of (resource, op, node): System.identityHashCode is a slow call in the C1-compiled
     * code a one-shot run mostly executes, and this is looked up several times per action.
     */
    Act find(Rsc r, String op, SNode n) {
        return lookup(r, op, n, 0);
    }

    /** The action op with that interval on n (a recurring op), or null. */
    Act find(Rsc r, String op, SNode n, long intervalMs) {
        return lookup(r, op, n, intervalMs);
    }

    private Act lookup(Rsc r, String op, SNode n, long interval) {
        List<Act> own = actsOf(r, n);
        for (int i = 0, size = own.size(); i < size; i++) {
            Act a = own.get(i);
            if (a.node == n && a.intervalMs == interval && java.util.Objects.equals(a.op, op)) {
                return a;
            }
        }
        return null;
    }

    /** Where (r, n)'s actions are kept: with the resource, with the node for node actions (read-only, maybe empty). */
    private List<Act> actsOf(Rsc r, SNode n) {
        List<Act> own = r != null ? byRsc.get(r) : n != null ? byNode.get(n) : clusterActs;
        return own == null ? List.of() : own;
    }

    /** Every action of the resource, in creation order (read-only). */
    List<Act> actsOf(Rsc r) {
        return Collections.unmodifiableList(actsOf(r, null));
    }

    private List<Act> ownList(Rsc r, SNode n) {
        if (r != null) {
            return byRsc.computeIfAbsent(r, x -> new ArrayList<>(2));
        }
        return n != null ? byNode.computeIfAbsent(n, x -> new ArrayList<>(2)) : clusterActs;
    }

    /** Adds (or finds) the action: the only way a resource's or node's action is created. */
    Act add(String op, Rsc r, SNode n, long interval, String role) {
        Act a = lookup(r, op, n, interval);
        if (a == null) {
            a = new Act(op, r, n, interval, role);
            if (r != null && n != null && n.unclean && fenced(n)) {
                a.pseudo = true;   // fencing the node does it
            } else if (r != null && n != null && n.isGuest() && fenced(n) && ("stop".equals(op) || "demote".equals(op))) {
                a.pseudo = true;   // recovering the guest's container does it
            }
            ownList(r, n).add(a);
            acts.add(a);
        }
        return a;
    }

    /** An action kept in creation order but not found by {@link #find} (unfencing, notifications). */
    void append(Act a) {
        acts.add(a);
    }

    Act stop(Rsc r, SNode n) {
        Rsc.NodeHistory h = r.history.get(n);
        if (h != null && h.role == Role.PROMOTED && r.cloneAncestor() != null && r.cloneAncestor().promotable
                || h != null && r.orphan && r.role == Role.PROMOTED) {
            // a promoted instance is demoted before it stops; an orphan active in several places has
            // one role, its highest, wherever it is stopped
            add("demote", r, n, 0, null);
            if (Bundles.guestHostShuttingDown(n)) {
                // the guest is still up when its host's shutdown is decided: the instance stays
                // assigned there, unpromoted, so its promoted monitor is cancelled as for any
                // demotion; the stop then follows from the container's
                for (OpConfig op : r.ops) {
                    org.pulse.cib.model.LrmOp active = h.recurring.get("monitor_" + op.intervalMs());
                    if (active != null && "monitor".equals(op.name()) && "Promoted".equals(op.role())) {
                        Act cancel = add("cancel", r, n, op.intervalMs(), null);
                        cancel.extra.put("CRM_meta_operation", "monitor");
                        cancel.extra.put("CRM_meta_role", "Promoted");
                    }
                }
            }
        }
        Act a = add("stop", r, n, 0, null);
        if (n.unclean && fenced(n)) {
            a.pseudo = true;   // fencing the node stops it
        }
        return a;
    }

    Act start(Rsc r, SNode n) {
        Act a = add("start", r, n, 0, null);
        for (OpConfig op : r.ops) {
            if (isRecurringMonitorFor(alloc, op, r)) {
                monitor(r, n, op);
            }
        }
        return a;
    }

    Act monitor(Rsc r, SNode n, OpConfig op) {
        Act m = add("monitor", r, n, op.intervalMs(), op.role());
        if (op.role() != null) {   // Pacemaker passes a configured role on, Started included
            m.extra.put("CRM_meta_role", op.role());
        }
        if ("Promoted".equals(op.role())) {
            // a promoted instance's monitor answers 8: the executor must not take it for a failure
            // (the LRM logged every run as failed, expected 0, and kept it as the last failure)
            m.extra.put("CRM_meta_op_target_rc", "8");
        }
        return m;
    }

    /** Recurring monitors for the role the resource will have (promotable instances differ per role). */
    static boolean isRecurringMonitorFor(Allocation alloc, OpConfig op, Rsc r) {
        if (!op.enabled() || op.intervalMs() <= 0 || !"monitor".equals(op.name())
                || r.duplicateOps.contains(op.name() + "_" + op.intervalMs())) {
            return false;
        }
        if ("Stopped".equals(op.role())) {
            return false;   // watches the nodes where it is not running: see stoppedRoleMonitors
        }
        Rsc clone = r.cloneAncestor();
        boolean promotable = clone != null && clone.promotable;
        if (op.role() == null) {
            // in a promotable clone a monitor without a role watches the unpromoted role only
            return !promotable || alloc.nextRole(r) != Role.PROMOTED;
        }
        if ("Started".equals(op.role())) {
            // named for the Started role: a promotable instance never has exactly that role
            return !promotable;
        }
        if (!promotable) {
            return false;
        }
        return op.role().equals(alloc.nextRole(r).text());
    }

    /** Promotable instances: promote where promotion was decided, demote where it no longer holds. */
    void roles(Rsc r) {
        Rsc clone = r.cloneAncestor();
        if (clone == null || !clone.promotable) {
            return;
        }
        SNode target = alloc.node(r);
        for (SNode cur : r.runningOn) {
            Rsc.NodeHistory h = r.history.get(cur);
            boolean promotedHere = h != null && h.role == Role.PROMOTED;
            // on-fail=demote: a failed promoted instance is demoted, and promoted again if chosen
            boolean demoteOnFail = h != null && h.failed && h.onFail == OnFail.DEMOTE;
            if (promotedHere && (cur != target || alloc.nextRole(r) != Role.PROMOTED || find(r, "stop", cur) != null
                    || demoteOnFail)) {
                add("demote", r, cur, 0, null);
            }
        }
        if (target != null && alloc.nextRole(r) == Role.PROMOTED) {
            Rsc.NodeHistory h = r.history.get(target);
            boolean promotedThere = h != null && h.role == Role.PROMOTED && find(r, "stop", target) == null
                    && find(r, "demote", target) == null;
            if (!promotedThere) {
                add("promote", r, target, 0, null);
            }
        }
    }

    /** Where a primitive is active after the transition, or null. */
    SNode endNode(Rsc p) {
        SNode to = alloc.node(p);
        if (to != null) {
            Act st = find(p, "start", to);
            if (st != null) {
                return st.runnable ? to : null;
            }
            Act sp = find(p, "stop", to);
            if (p.runningOn.contains(to) && (sp == null || !sp.runnable)) {
                return to;
            }
        }
        for (SNode n : p.runningOn) {
            Act sp = find(p, "stop", n);
            if (sp == null || !sp.runnable) {
                return n;
            }
        }
        return null;
    }

    boolean starting(Rsc r) {
        for (Rsc p : prims(r)) {
            SNode to = alloc.node(p);
            if (to != null && find(p, "start", to) != null) {
                return true;
            }
        }
        return false;
    }

    boolean stopping(Rsc r) {
        for (Rsc p : prims(r)) {
            for (SNode n : p.runningOn) {
                if (find(p, "stop", n) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    static boolean unrunnable(Act a, String why) {
        if (!a.runnable) {
            return false;
        }
        a.runnable = false;
        a.unrunnableReason = why;
        return true;
    }
}
