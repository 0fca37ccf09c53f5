package org.pulse.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.EffectivePrimitive;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.RuleContext;

/**
 * Stage 8: freeze what the planner built into the immutable {@link Transition}: runnable
 * actions get ids in creation order and the parameters the LRM needs; the placement before
 * and after, node summaries and explanations are added.
 */
final class GraphBuilder {
    private GraphBuilder() {
    }

    /*
     * The loops call one small method per element: on a cold JVM small methods are compiled
     * early, while one big loop body would run interpreted until on-stack replacement.
     */
    static Transition build(Cluster c, Scoring s, Allocation alloc, Plan p) {
        List<Act> kept = new ArrayList<>();
        for (Act a : p.acts()) {
            if (a.runnable) {
                a.id = kept.size();
                kept.add(a);
            }
        }
        List<Action> actions = new ArrayList<>(kept.size());
        Map<Rsc, ParamMap> baseParams = new java.util.HashMap<>();
        for (Act a : kept) {
            actions.add(freeze(c, a, baseParams));
        }
        List<NodeSummary> nodes = new ArrayList<>();
        java.util.Set<SNode> loadBlocked = loadBlockedNodes(c, p);
        for (SNode n : c.nodes()) {
            String now = nodeState(n);
            String after = p.fencing().containsKey(n) ? "offline" : now;
            if (n.isRemote()) {
                after = RemoteNodes.stateAfter(n, now, n.connection == null ? null : placementAfter(c, alloc, p, n.connection, loadBlocked));
            }
            nodes.add(new NodeSummary(n.name, now, after, n.uncleanReason));
        }
        List<Placement> before = new ArrayList<>();
        List<Placement> after = new ArrayList<>();
        for (Rsc r : c.byId().values()) {
            if (r.isPrimitive()) {
                before.add(placementBefore(r));
                after.add(placementAfter(c, alloc, p, r, loadBlocked));
            }
        }
        Explainer expl = explainer(c, s, alloc, p);
        return new Transition(actions, nodes, before, after, expl, Canon.placement(c, nodes, after), Summary.of(c, alloc, p));
    }

    private static Action freeze(Cluster c, Act a, Map<Rsc, ParamMap> baseParams) {
        List<Integer> inputs = new ArrayList<>(a.inputs.size());
        for (Act in : a.inputs) {
            if (in.runnable && in.id >= 0) {
                inputs.add(in.id);
            }
        }
        String kind = a.pseudo ? "pseudo_event"
                : (a.rsc == null || "clear_failcount".equals(a.op) ? "crm_event" : "rsc_op");
        // anonymous clone instances are named by the child's id, as Pacemaker's graph does
        String rscName = a.rsc == null ? null : a.rsc.keepsInstanceNumber ? a.rsc.id : FailCounts.historyName(a.rsc);
        return new Action(a.id, a.op, a.key(), rscName, a.node == null ? null : a.node.name, a.intervalMs, a.role,
                kind, params(c, a, baseParams), inputs);
    }

    private static Placement placementBefore(Rsc r) {
        List<String> cur = new ArrayList<>(r.runningOn.size());
        for (SNode n : r.runningOn) {
            cur.add(n.name);
        }
        return new Placement(r.id, cur, cur.isEmpty() ? "Stopped" : r.role.text(), r.failed, !r.managed && !r.blocked && !r.frozenByTicket,
                r.blocked, r.orphan);
    }

    /**
     * With a placement strategy other than default, Pacemaker orders the stops on a node of
     * resources with utilization before the starts there of resources with utilization (its
     * load_stopped pseudo action), through an ordering that keeps an unrunnable stop as an input:
     * such a stop that is needed but cannot run (behind a blocked one) leaves those starts in the
     * graph but never ready, so they do not happen. The nodes where that is so.
     */
    private static java.util.Set<SNode> loadBlockedNodes(Cluster c, Plan p) {
        java.util.Set<SNode> out = new java.util.HashSet<>();
        if ("default".equals(c.options().placementStrategy())) {
            return out;
        }
        for (Act a : p.acts()) {
            // (an unmanaged or blocked resource's own stop is merely optional: it holds nothing up)
            if ("stop".equals(a.op) && !a.runnable && !a.pseudo && a.rsc != null && a.node != null
                    && a.rsc.managed && !a.rsc.blocked && !a.rsc.utilization.isEmpty()) {
                out.add(a.node);
            }
        }
        return out;
    }

    private static Placement placementAfter(Cluster c, Allocation alloc, Plan p, Rsc r, java.util.Set<SNode> loadBlocked) {
        List<String> end = new ArrayList<>(1);
        boolean acted = false;
        SNode to = alloc.node(r);
        Act st = to == null ? null : p.find(r, "start", to);
        boolean starts = st != null && st.runnable && !p.neverReady().contains(st)
                && !(loadBlocked.contains(to) && !r.utilization.isEmpty());
        for (SNode n : r.runningOn) {
            Act sp = p.find(r, "stop", n);
            Act fence = p.fencing().get(n);
            if (fence != null && fence.runnable) {
                // fencing wipes what the node ran, even what nobody may stop (unmanaged, blocked)
                acted = true;
                continue;
            }
            if (sp == null || !sp.runnable || p.neverReady().contains(sp)) {
                if (n != to || !starts) {
                    end.add(n.name);
                }
            } else {
                acted = true;
                if (r.activeDuplicateHistory.contains(n) && !end.contains(n.name)) {
                    end.add(n.name);
                }
            }
        }
        if (starts) {
            acted = true;
            if (!end.contains(to.name)) {
                end.add(to.name);
            }
        }
        for (SNode n : r.runningOn) {
            Rsc.NodeHistory fh = r.history.get(n);
            if (fh != null && fh.failed && fh.lastFailure != null && fh.lastFailure.intervalMs() > 0) {
                // the recurring op that failed runs again here (rescheduled, e.g. while unmanaged):
                // its new result is recorded after the failure and supersedes it
                Act again = p.find(r, fh.lastFailure.operation(), n, fh.lastFailure.intervalMs());
                acted |= again != null && again.runnable && !again.pseudo && !p.neverReady().contains(again);
            }
        }
        for (SNode n : r.runningOn) {
            Act demote = p.find(r, "demote", n);
            Rsc.NodeHistory h = r.history.get(n);
            // on-fail=demote: the demotion is the recovery
            acted |= demote != null && demote.runnable && !p.neverReady().contains(demote) && h != null && h.failed
                    && h.onFail == OnFail.DEMOTE;
        }
        boolean stillFailed = (r.failed && !acted || guestFenceFailureStays(c, r)) && !end.isEmpty();
        String endRole = "Started";
        Rsc clone = r.cloneAncestor();
        if (clone != null && clone.promotable && !end.isEmpty()) {
            boolean promoted = alloc.nextRole(r) == Role.PROMOTED && to != null && end.contains(to.name);
            if (to == null || !end.contains(to.name)) {
                promoted = r.role == Role.PROMOTED;   // left where it is (unmanaged, cannot stop)
            }
            endRole = promoted ? "Promoted" : "Unpromoted";
        }
        return new Placement(r.id, end, end.isEmpty() ? "Stopped" : endRole, stillFailed, !r.managed && !r.blocked && !r.frozenByTicket,
                r.blocked, r.orphan);
    }

    /**
     * A failure with on-fail=fence on a guest node: its reaction is not cleared by the restart
     * that follows, and a guest's "fencing" (recovering its container) does not wipe the guest's
     * history, so after the transition the resource is failed still, and so is the container
     * (whose guest would be reset again), as Pacemaker's revised status shows.
     */
    private static boolean guestFenceFailureStays(Cluster c, Rsc r) {
        boolean anyGuest = false;
        for (SNode g : c.nodes()) {
            anyGuest |= g.isGuest();
        }
        if (!anyGuest) {
            // every history is on a node of c.nodes(): without a guest there is nothing to look
            // for, and walking every resource's history for it (320,000 entries with full probe
            // history on 32 x 10,000) was a tenth of building the transition
            return false;
        }
        if (fenceFailureOnGuest(r, null)) {
            return true;
        }
        for (SNode g : c.nodes()) {
            if (g.isGuest() && g.connection != null && g.connection.container == r) {
                for (Rsc q : c.byId().values()) {
                    if (q.isPrimitive() && fenceFailureOnGuest(q, g)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean fenceFailureOnGuest(Rsc r, SNode only) {
        for (Map.Entry<SNode, Rsc.NodeHistory> e : r.history.entrySet()) {
            Rsc.NodeHistory h = e.getValue();
            if ((only == null || e.getKey() == only) && e.getKey().isGuest() && h.failed && h.onFail == OnFail.FENCE) {
                return true;
            }
        }
        return false;
    }

    static String nodeState(SNode n) {
        if (n.unclean && !n.uncleanForDecision) {
            return "unclean";
        }
        if (n.pending) {
            return "pending";
        }
        if (!n.online) {
            return "offline";
        }
        if (n.standby) {
            return "standby";
        }
        if (n.maintenanceAttribute) {
            return "maintenance";   // (cluster-wide maintenance-mode does not show on the nodes)
        }
        return "online";
    }

    private static Map<String, String> params(Cluster c, Act a, Map<Rsc, ParamMap> baseParams) {
        ParamMap.Builder m = new ParamMap.Builder();
        ParamMap base = ParamMap.EMPTY;
        if (a.rsc != null && !"clear_failcount".equals(a.op)) {
            base = baseParams.computeIfAbsent(a.rsc, r -> ParamMap.of(r.params));
            OpConfig cfg = Unpack.findOp(a.rsc, "cancel".equals(a.op) ? "monitor" : a.op, a.intervalMs);
            // cib.model's one rule, the one crmd reads timeouts with (its op_defaults rules see the action's own name)
            Long timeoutMs = EffectivePrimitive.opTimeoutMs(c.cib(), a.rsc.prim.cls(), a.rsc.prim.provider(),
                    a.rsc.prim.type(), cfg, a.op, a.intervalMs, c.now());
            m.put("CRM_meta_timeout", timeoutMs == null ? "20000" : Long.toString(timeoutMs));
            if (cfg != null && !cfg.instanceAttributes().isEmpty()) {
                // the operation's own parameters (OCF_CHECK_LEVEL) go to the agent with it, over the resource's, as
                // Pacemaker sends them; they are in the digest the engine expects recorded for this op
                // (DefinitionChanges), so without them a recurring op's recorded digest never matched
                m.putAll(NvSet.merge(cfg.instanceAttributes(), RuleContext.at(c.now())));
            }
            m.put("CRM_meta_name", "cancel".equals(a.op) ? "monitor" : a.op);
            if (a.intervalMs > 0) {
                m.put("CRM_meta_interval", Long.toString(a.intervalMs));
            }
            if ("monitor".equals(a.op) && a.intervalMs == 0) {
                m.put("CRM_meta_op_target_rc", "7");
            }
            if ("cancel".equals(a.op) && cfg != null && cfg.role() != null) {
                // a cancel is an action on the configured operation: it carries that op's role
                m.put("CRM_meta_role", cfg.role());
            }
        }
        if (a.node != null) {
            m.put("CRM_meta_on_node", a.node.name);
            m.put("CRM_meta_on_node_uuid", a.node.id);
        }
        m.putAll(a.extra);
        return m.over(base);
    }

    private static Explainer explainer(Cluster c, Scoring s, Allocation alloc, Plan p) {
        List<String> ids = new ArrayList<>();
        for (Rsc r : c.byId().values()) {
            if (r.kind != Rsc.Kind.CLONE && s.scores(r) != null) {
                ids.add(r.id);
            }
        }
        return new Explainer(ids, id -> explain(c, s, alloc, p, c.byId().get(id)));
    }

    private static Explanation explain(Cluster c, Scoring s, Allocation alloc, Plan p, Rsc r) {
        ScoreTable t = alloc.finalScores(r);
        if (t == null) {
            t = s.scores(r);
        }
        Map<String, Integer> totals = new LinkedHashMap<>();
        for (SNode n : c.nodes()) {
            if (t.allows(n)) {
                totals.put(n.name, t.get(n));
            }
        }
        // a group ends where its first member does: the others follow it or stop after it
        Rsc lead = r.isPrimitive() ? r : r.kind == Rsc.Kind.GROUP && !r.children.isEmpty() ? r.children.get(0) : null;
        SNode end = lead != null && lead.isPrimitive() ? p.endNode(lead) : null;
        String reason = alloc.unassignedReason(r);
        SNode leadTo = lead == null ? null : alloc.node(lead);
        if (lead != null && lead.isPrimitive() && leadTo != null && end == null) {
            Act st = p.find(lead, "start", leadTo);
            reason = st != null && st.unrunnableReason != null ? (lead == r ? "it" : lead.id) + " cannot start on "
                    + leadTo.name + ": " + st.unrunnableReason : reason;
        }
        SNode cur = r.isPrimitive() ? r.currentNode() : Assignment.unitCurrentNode(r);
        Map<String, String> cannotHost = new LinkedHashMap<>();
        for (SNode n : c.nodes()) {
            if (t.allows(n) && !n.canHost()) {
                cannotHost.put(n.name, hostingProblem(n));
            }
        }
        return new Explanation(r.id, totals, t.parts(), alloc.node(r) == null ? null : alloc.node(r).name,
                end == null ? null : end.name, cur == null ? null : cur.name, reason, cannotHost);
    }

    /** Why a node takes no new resources, whatever its scores (see SNode.canHost): its state, said plainly. */
    private static String hostingProblem(SNode n) {
        String state = nodeState(n);
        switch (state) {
            case "unclean": return "unclean: waits for fencing";
            case "pending": return "pending: still joining";
            case "online": return n.shutdown ? "shutting down" : "cannot host";
            default: return state;   // offline, standby, maintenance
        }
    }
}
