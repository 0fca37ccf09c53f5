package org.pulse.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.OrderConstraint;
import org.pulse.cib.model.ResourceSet;
import org.pulse.cib.model.Scores;

/**
 * Stages 5–7: the actions that take every resource from where it is to where it was assigned
 * (stop, start, recurring monitors, probes, cancels, fail-count clearing), fencing and
 * shutdowns, then the orderings — which also decide what cannot run (a start after an
 * unrunnable start of a mandatory "first", a stop on a node nobody can fence) and what must
 * restart because something it depends on restarts.
 *
 * <p>Actions are kept in one list in creation order and each resource's (each node's) also
 * with it; nothing walks the whole list per action, so the cost grows with the number of
 * actions and orderings, not their product.
 */
final class Planner {
    private final Cluster c;
    private final Scoring s;
    final List<Act> acts = new ArrayList<>();
    /** Actions of neither a resource nor a node; see {@link #find}. */
    private final List<Act> clusterActs = new ArrayList<>();
    final Map<SNode, Act> fencing = new LinkedHashMap<>();
    final Map<SNode, Act> shutdowns = new LinkedHashMap<>();
    /** Mandatory orderings between primitives' starts (expanded from groups and constraints). */
    private final List<Edge> edges = new ArrayList<>();
    private final Map<Rsc, List<Edge>> edgesByFirst = new HashMap<>();
    private final Map<Rsc, List<Edge>> edgesByThen = new HashMap<>();
    private final Map<String, List<String>> noDiscovery = new HashMap<>();
    /** Each resource's probes, so its start can wait for them without a look-up per node. */
    private final Map<Rsc, List<Act>> probes = new HashMap<>();

    /**
     * Starts that stay in the graph but never become ready: they wait for a needed action that
     * cannot run (Pacemaker keeps such an input when its ordering is not optional), so the
     * resource does not start there (see {@link #antiColocationWaits}).
     */
    final java.util.Set<Act> neverReady = new java.util.HashSet<>();

    /** "first then then" on starts (and, when symmetrical, reversed on stops). */
    record Edge(Rsc first, Rsc then, boolean mandatory, boolean symmetrical, String firstAction,
                String thenAction, String id) {
    }

    private Planner(Cluster c, Scoring s) {
        this.c = c;
        this.s = s;
    }

    static Planner run(Cluster c, Scoring s) {
        Planner p = new Planner(c, s);
        p.discovery();
        p.reprobes();
        p.fencing();
        p.migrationCandidates();
        for (Rsc r : c.byId().values()) {
            if (r.isPrimitive()) {
                p.plan(r);
            }
        }
        p.guestFenceActions();
        p.monitorsAfterReconnect();
        p.buildEdges();
        p.findMigrations();
        p.propagateRestarts();
        p.shutdowns();
        p.runnability();
        p.antiColocationWaits();
        p.blockShutdownsBehindStuckResources();
        p.stoppedRoleMonitors();
        p.migrations();
        p.notifications();
        p.orderings();
        p.propagateNeverReady();
        return p;
    }

    // ------------------------------------------------------------------ helpers

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

    /** Where (r, n)'s actions are kept: with the resource, with the node for node actions. */
    private List<Act> actsOf(Rsc r, SNode n) {
        return r != null ? r.acts : n != null ? n.acts : clusterActs;
    }

    private Act add(String op, Rsc r, SNode n, long interval, String role) {
        Act a = lookup(r, op, n, interval);
        if (a == null) {
            a = new Act(op, r, n, interval, role);
            if (r != null && n != null && n.unclean && fenced(n)) {
                a.pseudo = true;   // fencing the node does it
            } else if (r != null && n != null && n.isGuest() && fenced(n) && ("stop".equals(op) || "demote".equals(op))) {
                a.pseudo = true;   // recovering the guest's container does it
            }
            actsOf(r, n).add(a);
            acts.add(a);
        }
        return a;
    }

    // ------------------------------------------------------------------ fencing

    private void fencing() {
        // Pacemaker fences an unclean node only when some resource is managed: with nothing to
        // recover (maintenance-mode, or everything unmanaged) the node is left unclean
        boolean anyManaged = false;
        for (Rsc r : c.topLevel()) {
            anyManaged |= r.managed;
        }
        RemoteNodes.unrecoverableConnections(c);
        for (SNode n : c.nodes()) {
            if (n.isGuest()) {
                // a guest is "fenced" by recovering its container: a pseudo action others can wait for
                if (n.remoteRequiresReset && anyManaged && RemoteNodes.canFenceGuest(c, n)) {
                    Act f = add("stonith", null, n, 0, null);
                    f.pseudo = true;
                    f.keyOverride = "stonith-" + n.name + "-reboot";
                    f.extra.put("CRM_meta_stonith_action", "reboot");
                    fencing.put(n, f);
                }
                continue;
            }
            if (n.unclean && c.canFence(n) && anyManaged) {
                Act f = add("stonith", null, n, 0, null);
                f.keyOverride = "stonith-" + n.name + "-" + c.options().stonithAction();
                f.extra.put("CRM_meta_stonith_action", c.options().stonithAction());
                fencing.put(n, f);
            }
        }
        // a fence device that provides unfencing: every node must be unfenced ("on") before it
        // runs anything, once per boot (the #node-unfenced attribute records it)
        boolean unfencing = false;
        for (Rsc r : c.byId().values()) {
            unfencing |= r.isFenceDevice() && "unfencing".equals(r.meta.get("provides"));
        }
        if (unfencing && c.stonithEnabled()) {
            for (SNode n : c.nodes()) {
                // (a guest node is never fenced by a device, so never unfenced: its container is its fence)
                if (n.canRunOps() && !n.shutdown && !n.isGuest() && n.attributes.get("#node-unfenced") == null) {
                    Act on = new Act("stonith", null, n, 0, null);
                    on.keyOverride = "stonith-" + n.name + "-on";
                    on.extra.put("CRM_meta_stonith_action", "on");
                    acts.add(on);
                    unfence.put(n, on);
                }
            }
        }
    }

    /** Unfencing ("on") of nodes that have not been unfenced since they started. */
    final Map<SNode, Act> unfence = new LinkedHashMap<>();

    /** A guest's container that will not start again is switched off, not rebooted. */
    private void guestFenceActions() {
        for (Map.Entry<SNode, Act> e : fencing.entrySet()) {
            SNode n = e.getKey();
            if (!n.isGuest()) {
                continue;
            }
            Rsc container = n.connection.container;
            boolean starts = false;
            for (Act a : container.acts) {
                starts |= "start".equals(a.op);
            }
            e.getValue().extra.put("CRM_meta_stonith_action", starts ? "reboot" : "off");
            e.getValue().keyOverride = "stonith-" + n.name + (starts ? "-reboot" : "-off");
        }
    }

    /** Resources restarted because their definition changed (their recorded digest no longer matches). */
    final java.util.Set<Rsc> redefined = new java.util.HashSet<>();

    boolean fenced(SNode n) {
        return fencing.containsKey(n);
    }

    // ------------------------------------------------------------------ per primitive

    /** Nodes whose probe_complete attribute is false: probed afresh as a whole (see reprobes). */
    private final java.util.Set<SNode> reprobe = new java.util.HashSet<>();

    /**
     * A node whose (legacy) probe_complete attribute is false asks for all its resources to be
     * probed again: one probe_again action for the node instead of per-resource probes there.
     */
    private void reprobes() {
        for (SNode n : c.nodes()) {
            String probed = n.attributes.get("probe_complete");
            if (probed != null && n.canRunOps() && isFalse(probed)) {
                add("probe_again", null, n, 0, null);
                reprobe.add(n);
            }
        }
    }

    private static boolean isFalse(String v) {
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        return s.equals("false") || s.equals("no") || s.equals("off") || s.equals("0") || s.equals("n");
    }

    /**
     * resource-discovery of location constraints: "never" stops probes on the nodes the
     * constraint names (or whose rule matches); "exclusive" restricts a resource's probes to
     * the nodes its exclusive constraints name or match, whatever their score.
     */
    private void discovery() {
        noDiscovery.putAll(Discovery.nodesByResource(c, "never"));
        exclusiveDiscovery.putAll(Discovery.nodesByResource(c, "exclusive"));
    }

    /** resource-discovery=exclusive: resource id → the only nodes it is probed on. */
    private final Map<String, List<String>> exclusiveDiscovery = new HashMap<>();

    private void plan(Rsc r) {
        SNode target = r.assigned;
        // probes where the state is unknown
        if (!r.orphan && c.options().enableStartupProbes()) {
            for (SNode n : c.nodes()) {
                // maintenance (the node's or the cluster's) stops starts, stops and monitors, not discovery
                if (!n.canRunOps() || r.known.contains(n) || reprobe.contains(n)) {
                    continue;
                }
                if (discoveryForbidden(r, n) || (n.isRemote() && !RemoteNodes.mayRunOn(c, r)) || !RemoteNodes.probed(r, n)
                        || !Bundles.probed(r, n)) {
                    continue;
                }
                if (!anonymousProbeOwner(r, n)) {
                    continue;
                }
                probes.computeIfAbsent(r, x -> new ArrayList<>()).add(add("monitor", r, n, 0, null));
            }
        }
        for (Map.Entry<SNode, Rsc.NodeHistory> e : r.history.entrySet()) {
            boolean reconfigured = !r.orphan && failedWithOtherParameters(r, e.getKey(), e.getValue());
            // an unmanaged resource's actions are all optional: its fail count is not cleared
            if ((e.getValue().clearFailcount || reconfigured) && e.getKey().canRunOps() && r.managed) {
                add("clear_failcount", r, e.getKey(), 0, null);
            }
        }
        if (!r.managed) {
            if (r.maintenance) {
                // maintenance: nothing runs, not even the monitors
                for (SNode n : r.runningOn) {
                    Rsc.NodeHistory h = r.history.get(n);
                    if (h == null || !n.canRunOps() || !n.historyChecked()) {
                        continue;
                    }
                    for (org.pulse.cib.model.LrmOp op : h.recurring.values()) {
                        Act cancel = add("cancel", r, n, op.intervalMs(), null);
                        cancel.extra.put("CRM_meta_operation", op.operation());
                    }
                }
            } else if (r.currentNode() != null && r.currentNode().canRunOps() && !r.blocked && !r.orphan) {
                // unmanaged (not in maintenance): left alone, but still watched
                keepRunning(r, r.currentNode());
            }
            return;
        }
        // active on several nodes: every copy restarts, unless only the unexpected ones are to stop
        // a partial migration being finished towards its target is not a double activity
        boolean partialContinues = r.partialTarget != null && target == r.partialTarget && migrating.contains(r);
        boolean multiple = cleanActiveCount(r) > 1 && !partialContinues
                && !"stop_unexpected".equals(r.meta.get("multiple-active"));
        for (SNode cur : r.runningOn) {
            Rsc.NodeHistory h = r.history.get(cur);
            // on-fail=demote: a failed promoted monitor costs the promotion only, not a restart
            boolean failedHere = h != null && h.failed && h.onFail != OnFail.IGNORE && h.onFail != OnFail.DEMOTE;
            if (r.orphan && !r.extraCopy && !c.options().stopOrphanResources()) {
                continue;
            }
            boolean changedParams = paramsChanged(r, h);
            // (not while its start is pending: that start runs with the old values; restart instead)
            if (changedParams && cur == target && !failedHere && !multiple && !h.startPending
                    && onlyReloadableChanged(r, h)) {
                // the agent can take the new values without a restart
                add("reload-agent", r, cur, 0, null);
                changedParams = false;
            }
            if (partialContinues && cur == target) {
                continue;   // migrate_from finishes it here
            }
            if (cur != target || failedHere || multiple || changedParams) {
                if (changedParams && cur == target && !failedHere && !multiple && !h.startPending) {
                    redefined.add(r);   // (only said in the summary: "due to resource definition change")
                }
                stop(r, cur);
                cancelUnconfiguredRecurring(r, cur, h);
            }
        }
        for (Map.Entry<SNode, Rsc.NodeHistory> e : r.history.entrySet()) {
            if (e.getValue().agentChanged && e.getKey().canRunOps() && !r.runningOn.contains(e.getKey())) {
                add("delete", r, e.getKey(), 0, null);   // history of another agent: cleaned up
            }
        }
        if (r.orphan && !r.extraCopy) {
            deleteOrphanHistory(r);
        }
        if (target != null) {
            boolean running = r.runningOn.contains(target) && find(r, "stop", target) == null && !partialContinues;
            Rsc.NodeHistory th = r.history.get(target);
            if (!running) {
                start(r, target);
                if (r.runningOn.contains(target) && r.role == Role.PROMOTED && r.nextRole.compareTo(Role.PROMOTED) < 0) {
                    // a promoted resource restarted where it is, to come back lower: Pacemaker
                    // brings it back up only to its next role (no start of its own yet), so the
                    // start is still optional when the monitors are decided, and a monitor of the
                    // promoted role active here is cancelled as for a plain demotion
                    cancelRecurring(r, target, th, false);
                }
            } else if (r.history.values().stream().anyMatch(h -> h.startPending) && r.cloneAncestor() == null) {
                // a start recorded as pending (on any node: Pacemaker keeps it as a flag of the
                // resource, even when a later stop superseded it) is asked for again where the
                // resource runs (it is what the monitors wait for)
                start(r, target);
            } else {
                keepRunning(r, target);
            }
        }
        stopOnPendingMigrationTargets(r);
        roles(r);
    }

    /**
     * A resource no longer configured has its history removed from every online node that has
     * some (after its stop, where it was active) — unless it failed, when the history is kept
     * for the record (Pacemaker's DeleteRsc), or orphans are left alone (stop-orphan-resources
     * false: then it is unmanaged).
     */
    private void deleteOrphanHistory(Rsc r) {
        if (r.failed || !r.managed || r.cloneOrphan) {
            return;   // (an orphan instance of a clone keeps its history: the clone still exists)
        }
        for (SNode n : r.history.keySet()) {
            // (a remote node going away takes its history with it)
            if (n.canRunOps() && !(n.isRemote() && n.shutdown)) {
                add("delete", r, n, 0, null).after(find(r, "stop", n));
            }
        }
    }

    /**
     * A recurring operation active where the resource runs but no longer configured (or now
     * disabled) is cancelled even when the resource stops there anyway.
     */
    private void cancelUnconfiguredRecurring(Rsc r, SNode n, Rsc.NodeHistory h) {
        if (h == null || r.orphan || !n.canRunOps() || !n.historyChecked()) {
            return;
        }
        List<org.pulse.cib.model.LrmOp> recorded = new ArrayList<>(h.recurring.values());
        for (org.pulse.cib.model.LrmOp f : h.lastFailures) {
            // a recurring op that failed since the last start is still scheduled in the LRM
            boolean sinceStart = h.lastStart == null || f.callId() > h.lastStart.callId();
            if (f.intervalMs() > 0 && sinceStart) {
                recorded.add(f);
            }
        }
        for (org.pulse.cib.model.LrmOp op : recorded) {
            OpConfig cfg = Unpack.findOp(r, op.operation(), op.intervalMs());
            if (cfg == null || !cfg.enabled()) {
                Act cancel = add("cancel", r, n, op.intervalMs(), null);
                cancel.extra.put("CRM_meta_operation", op.operation());
            }
        }
    }

    /**
     * On how many nodes that are not unclean the resource is active: a copy on a node to be
     * fenced is dealt with by the fencing, so it does not make the resource multiply active.
     */
    static int cleanActiveCount(Rsc r) {
        int clean = 0;
        for (SNode n : r.runningOn) {
            if (!n.unclean) {
                clean++;
            }
        }
        return clean;
    }

    /** Promotable instances: promote where promotion was decided, demote where it no longer holds. */
    private void roles(Rsc r) {
        Rsc clone = r.cloneAncestor();
        if (clone == null || !clone.promotable) {
            return;
        }
        SNode target = r.assigned;
        for (SNode cur : r.runningOn) {
            Rsc.NodeHistory h = r.history.get(cur);
            boolean promotedHere = h != null && h.role == Role.PROMOTED;
            // on-fail=demote: a failed promoted instance is demoted, and promoted again if chosen
            boolean demoteOnFail = h != null && h.failed && h.onFail == OnFail.DEMOTE;
            if (promotedHere && (cur != target || r.nextRole != Role.PROMOTED || find(r, "stop", cur) != null
                    || demoteOnFail)) {
                add("demote", r, cur, 0, null);
            }
        }
        if (target != null && r.nextRole == Role.PROMOTED) {
            Rsc.NodeHistory h = r.history.get(target);
            boolean promotedThere = h != null && h.role == Role.PROMOTED && find(r, "stop", target) == null
                    && find(r, "demote", target) == null;
            if (!promotedThere) {
                add("promote", r, target, 0, null);
            }
        }
    }

    /**
     * Anonymous clone instances are interchangeable: a node is probed once per clone (by one
     * instance), and not at all when any instance has history there.
     */
    private static boolean anonymousProbeOwner(Rsc r, SNode n) {
        Rsc clone = r.cloneAncestor();
        if (clone == null || clone.uniqueClone) {
            return true;
        }
        if (clone.knownByOrphans.contains(n)) {
            return false;
        }
        String base = FailCounts.historyName(r);
        Rsc owner = null;
        Rsc planned = null;
        for (Rsc inst : clone.children) {
            for (Rsc p : inst.primitives()) {
                if (!FailCounts.historyName(p).equals(base)) {
                    continue;
                }
                if (p.known.contains(n)) {
                    return false;
                }
                if (owner == null) {
                    owner = p;
                }
                if (planned == null && p.assigned == n) {
                    planned = p;
                }
            }
        }
        // the instance to start there probes, else the first (Pacemaker's clone probe)
        return (planned != null ? planned : owner) == r;
    }

    /** The start recorded here was made with other parameters (or none recorded): restart. */
    private boolean paramsChanged(Rsc r, Rsc.NodeHistory h) {
        if (h == null || h.lastStart == null || r.orphan) {
            return false;
        }
        String recorded = h.lastStart.opDigest();
        if (Bundles.implicit(r) && recorded != null) {
            return false;   // a bundle's implicit resources: their parameters are not rebuilt exactly (see Bundles)
        }
        if (recorded == null) {
            return true;
        }
        if (recorded.equals(digest(r))) {
            return false;
        }
        // a recorded history may mask secret parameters (passwords): then the secure digest,
        // made without them, decides
        String secureParams = h.lastStart.attributes().get("op-secure-params");
        String secureDigest = h.lastStart.attributes().get("op-secure-digest");
        if (secureParams != null && secureDigest != null) {
            Map<String, String> p = new LinkedHashMap<>(r.params);
            for (String name : secureParams.trim().split("\\s+")) {
                p.remove(name);
            }
            if (r.isFenceDevice()) {
                // the fencer's own pcmk_* options take no part in the secure digest
                p.keySet().removeIf(k -> k.startsWith("pcmk_"));
            }
            return !secureDigest.equals(Digests.of(p));
        }
        return true;
    }

    /**
     * A recorded start or monitor failure whose digest no longer matches the configuration (its
     * parameters changed, or the operation was disabled or removed) no longer counts: its fail
     * count is cleared (Pacemaker's check_operation_expiry, "resource parameters have changed").
     */
    private boolean failedWithOtherParameters(Rsc r, SNode node, Rsc.NodeHistory h) {
        for (org.pulse.cib.model.LrmOp f : h.lastFailures) {
            String recorded = f.opDigest();
            if (r.isFenceDevice() || Bundles.implicit(r)) {
                continue;
            }
            if (recorded == null) {
                // no digest: what the op ran with is unknown. For a recurring op still scheduled
                // (recorded since the last start, the resource active here) Pacemaker reads that as its definition changed,
                // and a definition change clears the fail count; a failed start without a digest
                // is merely not compared
                boolean sinceStart = h.lastStart == null || f.callId() > h.lastStart.callId();
                OpConfig rc = f.intervalMs() > 0 ? Unpack.findOp(r, f.operation(), f.intervalMs()) : null;
                // (in maintenance the recurring ops are only cancelled: their definition is not checked)
                if (rc != null && rc.enabled() && sinceStart && node.historyChecked() && !node.maintenance && !r.maintenance
                        && r.runningOn.contains(node)
                        && FailCounts.count(r, node, c.now().getEpochSecond(), true, h.blockFailure) > 0) {
                    return true;
                }
                continue;
            }
            OpConfig cfg = f.intervalMs() > 0 ? Unpack.findOp(r, f.operation(), f.intervalMs()) : null;
            if (f.intervalMs() > 0 && (cfg == null || !cfg.enabled())
                    && FailCounts.count(r, node, c.now().getEpochSecond(), true, h.blockFailure) > 0) {
                return true;   // the failed operation is gone or disabled: its fail count goes too
            }
            if (f.intervalMs() > 0 && cfg == null) {
                continue;      // nothing to compare the digest with
            }
            // the digest is made from the operation's configuration, even when it is disabled
            String now = cfg != null ? Digests.of(recurringDigestParams(r, cfg)) : digest(r);
            if (!recorded.equals(now)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a recurring operation's digest covers: the resource's parameters, the operation's own
     * instance attributes (OCF_CHECK_LEVEL and the like) and its timeout.
     */
    private Map<String, String> recurringDigestParams(Rsc r, OpConfig op) {
        Map<String, String> p = new LinkedHashMap<>(r.params);
        if (!op.instanceAttributes().isEmpty()) {
            p.putAll(org.pulse.cib.model.NvSet.merge(op.instanceAttributes(),
                    org.pulse.cib.model.RuleContext.at(c.now())));
        }
        long timeoutMs = op.timeoutMs() != null ? op.timeoutMs() : defaultTimeoutMs(r, op);
        p.put("CRM_meta_timeout", Long.toString(timeoutMs));
        return p;
    }

    /** A recurring monitor recorded with other parameters is scheduled again. */
    /**
     * Pacemaker checks the definition of every entry recorded since the last start, the recorded
     * failure of a recurring op included: one whose digest does not match (or is missing) has
     * the op rescheduled even while the op's own entry matches (a failure ignored or expired).
     */
    private boolean recordedFailureChanged(Rsc r, Rsc.NodeHistory h, OpConfig op) {
        for (org.pulse.cib.model.LrmOp f : h.lastFailures) {
            boolean sinceStart = h.lastStart == null || f.callId() > h.lastStart.callId();
            if (sinceStart && f.intervalMs() == op.intervalMs() && op.name().equals(f.operation())
                    && recurringParamsChanged(r, op, f)) {
                return true;
            }
        }
        return false;
    }

    private boolean recurringParamsChanged(Rsc r, OpConfig op, org.pulse.cib.model.LrmOp active) {
        String recorded = active.opDigest();
        if (r.orphan || Bundles.implicit(r)) {
            return false;
        }
        if (recorded == null) {
            return true;   // unknown: Pacemaker reschedules the op, as for a changed definition
        }
        Map<String, String> p = recurringDigestParams(r, op);
        if (recorded.equals(Digests.of(p))) {
            return false;
        }
        // as for starts: a history that masks secret parameters is compared by its secure digest
        String secureParams = active.attributes().get("op-secure-params");
        String secureDigest = active.attributes().get("op-secure-digest");
        if (secureParams != null && secureDigest != null) {
            for (String name : secureParams.trim().split("\\s+")) {
                p.remove(name);
            }
            if (r.isFenceDevice()) {
                p.keySet().removeIf(k -> k.startsWith("pcmk_"));
            }
            if (!newerFeatureSet(active.attributes().get("crm_feature_set"))) {
                // before feature set 3.16.0 the secure digest of a recurring op had no timeout in it
                p.remove("CRM_meta_timeout");
            }
            return !secureDigest.equals(Digests.of(p));
        }
        return true;
    }

    /** Is a recorded crm_feature_set 3.16.0 or later? */
    private static boolean newerFeatureSet(String v) {
        if (v == null) {
            return false;
        }
        String[] f = v.split("\\.");
        int[] want = {3, 16, 0};
        for (int i = 0; i < 3; i++) {
            int x;
            try {
                x = i < f.length ? Integer.parseInt(f[i].trim()) : 0;
            } catch (NumberFormatException e) {
                return false;
            }
            if (x != want[i]) {
                return x > want[i];
            }
        }
        return true;
    }

    /**
     * The recorded start has a restart digest (op-restart-digest) over the parameters that force
     * a restart: those listed in op-force-restart, or every parameter when no list was recorded.
     * When that digest still matches, only reloadable ones changed (the full op-digest, which
     * also covers the operation's own settings, may still differ: that is what is reloaded).
     */
    private static boolean onlyReloadableChanged(Rsc r, Rsc.NodeHistory h) {
        String force = h.lastStart.attributes().get("op-force-restart");
        String restartDigest = h.lastStart.restartDigest();
        if (restartDigest == null) {
            return false;
        }
        Map<String, String> p = new LinkedHashMap<>();
        if (force == null) {
            p.putAll(r.params);
        } else {
            for (String name : force.trim().split("\\s+")) {
                if (r.params.containsKey(name)) {
                    p.put(name, r.params.get(name));
                }
            }
        }
        return restartDigest.equals(Digests.of(p));
    }

    /** op_defaults' timeout for this operation, else Pacemaker's 20 s. */
    private long defaultTimeoutMs(Rsc r, OpConfig op) {
        if (c.cib().opDefaults().isEmpty()) {
            return 20_000L;
        }
        Map<String, String> d = org.pulse.cib.model.NvSet.merge(c.cib().opDefaults(),
                new org.pulse.cib.model.RuleContext(Map.of(), c.now(), r.prim.cls(), r.prim.provider(), r.prim.type(),
                        op.name(), op.intervalMs()));
        return org.pulse.cib.model.Durations.parseMs(d.get("timeout"), 20_000L);
    }

    private final Map<Rsc, String> digests = new HashMap<>();

    private String digest(Rsc r) {
        // one-shot operations digest the parameters alone (the timeout counts for recurring ones only)
        return digests.computeIfAbsent(r, x -> Digests.of(x.params));
    }

    private boolean discoveryForbidden(Rsc r, SNode n) {
        String base = r.prim != null ? r.prim.id() : r.id;
        for (Rsc x = r; x != null; x = x.parent) {
            // per node the strongest mode wins: exclusive over never over always
            String id = x == r ? base : x.id;
            List<String> nodes = noDiscovery.get(id);
            if (nodes != null && nodes.contains(n.name)
                    && !exclusiveDiscovery.getOrDefault(id, List.of()).contains(n.name)) {
                return true;
            }
        }
        java.util.Set<String> only = Discovery.exclusiveNodes(r, exclusiveDiscovery);
        return only != null && !only.contains(n.name);
    }

    /**
     * A migrate_to still pending on a node that is now unclean may have got the resource going
     * on its target: whatever the history there says, the target stops it (Pacemaker forces that
     * stop when it reads the pending entry).
     */
    private void stopOnPendingMigrationTargets(Rsc r) {
        for (Map.Entry<SNode, Rsc.NodeHistory> e : r.history.entrySet()) {
            String to = e.getValue().pendingMigrateTarget;
            SNode t = to == null || !e.getKey().unclean ? null : c.node(to);
            if (t != null && t != e.getKey() && find(r, "stop", t) == null) {
                stop(r, t);
            }
        }
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
            if (isRecurringMonitorFor(op, r)) {
                monitor(r, n, op);
            }
        }
        return a;
    }

    private Act monitor(Rsc r, SNode n, OpConfig op) {
        Act m = add("monitor", r, n, op.intervalMs(), op.role());
        if (op.role() != null) {   // Pacemaker passes a configured role on, Started included
            m.extra.put("CRM_meta_role", op.role());
        }
        return m;
    }

    /** Recurring monitors for the role the resource will have (promotable instances differ per role). */
    private static boolean isRecurringMonitorFor(OpConfig op, Rsc r) {
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
            return !promotable || r.nextRole != Role.PROMOTED;
        }
        if ("Started".equals(op.role())) {
            // named for the Started role: a promotable instance never has exactly that role
            return !promotable;
        }
        if (!promotable) {
            return false;
        }
        return op.role().equals(r.nextRole.text());
    }

    /**
     * Monitors with role="Stopped" check that the resource is NOT running: they run on every
     * node that can run operations except the one the resource is assigned to (where an active
     * one is cancelled). Where one is already active it is left alone, unless the resource stops
     * there now (the stop ends it). Pacemaker does not support them for anonymous clones.
     * After the runnability pass, so stops it added count.
     */
    private void stoppedRoleMonitors() {
        for (Rsc r : c.byId().values()) {
            if (!r.isPrimitive() || r.maintenance || r.orphan) {
                continue;
            }
            Rsc clone = r.cloneAncestor();
            if (clone != null && !clone.uniqueClone) {
                continue;
            }
            for (OpConfig op : r.ops) {
                if (!op.enabled() || op.intervalMs() <= 0 || !"monitor".equals(op.name())
                        || !"Stopped".equals(op.role()) || r.duplicateOps.contains("monitor_" + op.intervalMs())) {
                    continue;
                }
                SNode target = r.assigned;
                if (target != null && target.canRunOps()) {
                    Rsc.NodeHistory h = r.history.get(target);
                    if (h != null && h.stoppedRecurring.containsKey(op.intervalMs())) {
                        Act cancel = add("cancel", r, target, op.intervalMs(), null);
                        cancel.extra.put("CRM_meta_operation", "monitor");
                        cancel.extra.put("CRM_meta_role", "Stopped");
                    }
                }
                for (SNode n : c.nodes()) {
                    if (n == target || !n.canRunOps() || n.maintenance) {
                        continue;
                    }
                    Rsc.NodeHistory h = r.history.get(n);
                    Act stop = find(r, "stop", n);
                    if (h != null && h.stoppedRecurring.containsKey(op.intervalMs()) && stop == null) {
                        continue;   // already watching
                    }
                    if (r.runningOn.contains(n) && (stop == null || !stop.runnable)) {
                        continue;   // stays active there (unmanaged, or its stop cannot run)
                    }
                    Act m = add("monitor", r, n, op.intervalMs(), "Stopped");
                    m.extra.put("CRM_meta_role", "Stopped");
                    m.after(stop);
                    for (Act probe : probes.getOrDefault(r, List.of())) {
                        if (probe.node == n) {
                            m.after(probe);
                        }
                    }
                }
            }
        }
    }

    private void keepRunning(Rsc r, SNode n) {
        Rsc.NodeHistory h = r.history.get(n);
        for (OpConfig op : r.ops) {
            if (!isRecurringMonitorFor(op, r) || stopsForNoQuorum(r)) {
                // a resource no-quorum-policy=stop is stopping gets no new monitor where it runs: its stop,
                // even one that waits for ever, is all Pacemaker schedules for it
                continue;
            }
            org.pulse.cib.model.LrmOp active = h == null ? null : h.recurring.get("monitor_" + op.intervalMs());
            if (active == null || recurringParamsChanged(r, op, active) || recordedFailureChanged(r, h, op)) {
                monitor(r, n, op);
            }
        }
        cancelRecurring(r, n, h, true);
    }

    /**
     * Cancels the recurring ops active on n that must not go on: those no longer configured
     * (when unconfiguredToo) and monitors configured for another role than the one it will have.
     * A monitor whose definition changed since it was scheduled is not cancelled for its role:
     * Pacemaker reschedules it instead, which makes it required, and a required monitor of the
     * wrong role is neither cancelled nor run.
     */
    private void cancelRecurring(Rsc r, SNode n, Rsc.NodeHistory h, boolean unconfiguredToo) {
        if (h == null || !n.historyChecked()) {
            return;
        }
        for (org.pulse.cib.model.LrmOp op : h.recurring.values()) {
            OpConfig cfg = Unpack.findOp(r, op.operation(), op.intervalMs());
            // an op configured twice (same name and interval) is configured: Pacemaker
            // schedules neither copy, but does not cancel what runs either
            boolean duplicate = r.duplicateOps.contains(op.operation() + "_" + op.intervalMs());
            boolean unconfigured = cfg == null || !cfg.enabled();
            boolean wrongRole = !unconfigured && "monitor".equals(cfg.name()) && !duplicate && !isRecurringMonitorFor(cfg, r)
                    && !recurringParamsChanged(r, cfg, op);
            if (unconfigured && unconfiguredToo || wrongRole) {
                Act cancel = add("cancel", r, n, op.intervalMs(), null);
                cancel.extra.put("CRM_meta_operation", op.operation());
                if (cfg != null && cfg.role() != null) {
                    cancel.extra.put("CRM_meta_role", cfg.role());
                }
            }
        }
    }

    /**
     * A remote or guest node whose connection starts (moves, recovers) gets every recurring
     * monitor of what stays there scheduled again: each waits for the new connection, and the
     * connection's start makes it needed (Pacemaker's "implies then" from the connection start).
     */
    private void monitorsAfterReconnect() {
        for (SNode n : c.nodes()) {
            if (!n.isRemote() || n.connection == null) {
                continue;
            }
            boolean reconnects = false;
            if (canMigrate(n.connection)) {
                continue;   // a connection that migrates is never down: nothing to re-monitor
            }
            for (Act a : n.connection.acts) {
                reconnects |= "start".equals(a.op);
            }
            if (!reconnects) {
                continue;
            }
            for (Rsc r : c.byId().values()) {
                if (r.isPrimitive() && r.assigned == n && r.runningOn.contains(n) && find(r, "stop", n) == null && r.managed) {
                    for (OpConfig op : r.ops) {
                        if (isRecurringMonitorFor(op, r)) {
                            monitor(r, n, op);
                        }
                    }
                }
            }
        }
    }

    /** Stop then start again on the assigned node (a restart forced by something it depends on). */
    private boolean restart(Rsc r) {
        if (!r.managed || r.assigned == null || !r.runningOn.contains(r.assigned)) {
            return false;
        }
        if (find(r, "stop", r.assigned) != null) {
            return false;
        }
        stop(r, r.assigned);
        start(r, r.assigned);
        cancelReload(r, r.assigned);
        roles(r);   // a promoted instance restarted is demoted first and promoted again
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
    private boolean restartInterleaved(Edge e) {
        boolean changed = false;
        for (Rsc then : e.then().children) {
            SNode node = Assignment.unitCurrentNode(then);
            if (node == null || !instanceAssignedTo(then, node)) {
                continue;
            }
            for (Rsc first : e.first().children) {
                if (instanceAssignedTo(first, node) && starting(first)) {
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
                if (r.assigned == n) {
                    start(r, n);
                }
            }
        }
        return changed;
    }

    // ------------------------------------------------------------------ orderings between resources

    private void buildEdges() {
        RemoteNodes.containerOrders(c, this::addEdge);
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
                            addEdge(new Edge(f, t, mandatory && !serialize, symmetrical, fa, ta, oc.id()));
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
                            addEdge(new Edge(members.get(i - 1), members.get(i), setMandatory, symmetrical, act, act, oc.id()));
                        }
                    }
                    if (!members.isEmpty()) {
                        List<Rsc> firsts = set.sequential() ? List.of(members.get(0)) : members;
                        List<Rsc> prevs = prevLast == null ? List.of() : (prevAll.size() > 1 && prevLast == null ? prevAll : prevAll);
                        for (Rsc p : prevs) {
                            for (Rsc f : firsts) {
                                Edge e = new Edge(p, f, setMandatory, symmetrical, act, act, oc.id());
                                addEdge(e);
                                if (prevAnyOne) {
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
     * Edges out of an unordered set with require-all=false: what follows may start once any one
     * of the set's members runs (edge → all the members it stands with).
     */
    private final Map<Edge, List<Rsc>> anyOfFirsts = new HashMap<>();

    /** Orders with require-all=false: one instance of the first clone is enough, wherever it is. */
    private final java.util.Set<String> requireAnyOrders = new java.util.HashSet<>();

    private void addEdge(Edge e) {
        edges.add(e);
        edgesByFirst.computeIfAbsent(e.first(), x -> new ArrayList<>()).add(e);
        edgesByThen.computeIfAbsent(e.then(), x -> new ArrayList<>()).add(e);
    }

    /** The primitives an ordering side stands for: the resource itself or its members. */
    private static List<Rsc> prims(Rsc r) {
        return r.isPrimitive() ? List.of(r) : r.primitives();
    }

    private boolean starting(Rsc r) {
        for (Rsc p : prims(r)) {
            if (p.assigned != null && find(p, "start", p.assigned) != null) {
                return true;
            }
        }
        return false;
    }

    private boolean stopping(Rsc r) {
        for (Rsc p : prims(r)) {
            for (SNode n : p.runningOn) {
                if (find(p, "stop", n) != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A mandatory "A then B": when A starts, B (if running) restarts after it; when A stops and
     * the ordering is symmetrical, B stops first. Repeated until nothing changes; each change
     * adds an action, so this ends.
     */
    private void propagateRestarts() {
        Deque<Rsc> work = new ArrayDeque<>();
        for (Rsc r : c.byId().values()) {
            if (edgesByFirst.containsKey(r)) {
                work.add(r);
            }
        }
        // group members also pass stops down: a member that stops takes the later members with it
        while (!work.isEmpty()) {
            Rsc first = work.poll();
            for (Edge e : edgesByFirst.getOrDefault(first, List.of())) {
                boolean binds = e.mandatory() || restartTypeRestart(e.then());
                boolean cloneFirst = e.first().kind == Rsc.Kind.CLONE && e.then().kind != Rsc.Kind.CLONE;
                if (!binds || !"start".equals(e.thenAction())
                        || !("start".equals(e.firstAction()) || cloneFirst && "promote".equals(e.firstAction()))) {
                    continue;
                }
                if (requireAnyOrders.contains(e.id())) {
                    continue;   // require-all=false: one instance of the first is enough; nothing restarts
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
                if (e.symmetrical() && stopping(first)) {
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
                if (edgesByFirst.containsKey(first.parent)) {
                    work.add(first.parent);
                }
            }
        }
    }

    /**
     * "Clone then primitive (or group)": the clone's action counts only where the then side is,
     * as Pacemaker reads a clone's flags for an ordering on the other side's node. A copy starting
     * (or promoting, for first-action=promote) on the then side's node restarts it; with a
     * symmetrical order a copy stopping (demoting) there stops it first. Copies elsewhere, a new
     * one starting or one stopping on another node, leave it alone.
     */
    private boolean restartAfterLocalInstance(Edge e) {
        String undo = "promote".equals(e.firstAction()) ? "demote" : "stop";
        boolean changed = false;
        for (Rsc t : prims(e.then())) {
            if (t.assigned != null && cloneActsOn(e.first(), e.firstAction(), t.assigned)) {
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

    // ------------------------------------------------------------------ shutdowns

    private void shutdowns() {
        for (SNode n : c.nodes()) {
            if (n.shutdown && n.online && !n.unclean && !n.isRemote()) {   // (no shutdown op for remote nodes)
                shutdowns.put(n, add("do_shutdown", null, n, 0, null));
            }
        }
    }

    // ------------------------------------------------------------------ runnability

    private void runnability() {
        boolean noFenceDevice = c.stonithEnabled() && !c.hasFenceDevice();
        // once, not per action: each call looks the option up and lower-cases it anew
        String noQuorumPolicy = c.options().noQuorumPolicy();
        boolean quorumAllowsStarts = c.quorumAllowsStarts();
        for (Act a : acts) {
            if (a.rsc == null) {
                continue;
            }
            if ("stop".equals(a.op) && !a.pseudo && !a.node.canRunOps()) {
                unrunnable(a, a.node.name + " is unclean and cannot be fenced");
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
                } else if (noFenceDevice && a.rsc.requiresFencing) {
                    unrunnable(a, "stonith-enabled is true but no fence device is configured");
                }
            }
        }
        blockStopsBehindUnrunnableStops();
        // a start waits for the stops of the same resource; if one of those cannot happen, neither can the start
        List<Rsc> starting = new ArrayList<>();
        for (Rsc r : c.byId().values()) {
            if (r.isPrimitive() && r.assigned != null && find(r, "start", r.assigned) != null) {
                starting.add(r);
            }
        }
        List<Rsc> staying = new ArrayList<>();
        for (Rsc r : c.byId().values()) {
            if (r.isPrimitive() && r.managed && !r.orphan && r.assigned != null && r.runningOn.contains(r.assigned)
                    && find(r, "start", r.assigned) == null && find(r, "stop", r.assigned) == null) {
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
        for (Edge e : edges) {
            if (e.mandatory() && "start".equals(e.firstAction()) && "start".equals(e.thenAction())
                    && e.first().kind == Rsc.Kind.CLONE && !(e.then().kind == Rsc.Kind.CLONE && e.then().interleave)
                    && cloneRunningNeverDone(e.first())) {
                for (Rsc p : e.then().primitives()) {
                    for (Act start : p.acts) {
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
            for (Act a : p.acts) {
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
            for (Act stop : sp.acts) {
                if (!"stop".equals(stop.op) || stop.runnable || stop.pseudo) {
                    continue;
                }
                for (Rsc st : starting.primitives()) {
                    for (Act start : st.acts) {
                        if ("start".equals(start.op) && start.runnable && (noNode || start.node == stop.node)) {
                            neverReady.add(start);
                        }
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

    /**
     * A stop that must wait for another resource's stop (the reverse of a symmetrical mandatory
     * "A then B", a group's member order, or an explicit stop-then-stop order) cannot run when
     * that stop cannot: a blocked resource (failed, on-fail=block or a stop failure nobody can
     * fence) never stops, so whatever it depends on stays up too (Pacemaker cl#5155). A restart
     * whose stop is blocked this way does not happen: its start then cannot run either (see
     * checkStart), and the resource stays where it is. Repeated until nothing changes.
     */
    private void blockStopsBehindUnrunnableStops() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Edge e : edges) {
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
     * A node shuts down only once everything on it has stopped: a blocked resource there, or a
     * stop there that cannot run, holds the shutdown back (an unmanaged resource that is merely
     * left alone does not).
     */
    private void blockShutdownsBehindStuckResources() {
        if (shutdowns.isEmpty()) {
            return;
        }
        for (Rsc r : c.byId().values()) {
            if (!r.isPrimitive()) {
                continue;
            }
            for (SNode n : r.runningOn) {
                Act sd = shutdowns.get(n);
                if (sd == null) {
                    continue;
                }
                Act sp = find(r, "stop", n);
                if (r.blocked || (sp != null && !sp.runnable)) {
                    unrunnable(sd, r.id + " cannot be stopped there");
                }
            }
        }
    }

    /**
     * A resource that stays where it runs still needs what a start there would need: when the
     * "first" of a mandatory symmetrical order will not run, or its mandatory colocation's
     * primary will not be there, it is stopped (Pacemaker's implied start becomes required and
     * unrunnable). An asymmetrical order only gates new starts: what already runs stays.
     */
    /** Whether no-quorum-policy=stop stops r: it needs quorum and the partition has none. */
    private boolean stopsForNoQuorum(Rsc r) {
        return !c.quorumAllowsStarts() && "stop".equals(c.options().noQuorumPolicy()) && !r.requiresNothing;
    }

    private boolean stopIfStartWouldBeBlocked(Rsc r) {
        Act implied = new Act("start", r, r.assigned, 0, null);   // never added: only asked
        if (stopsForNoQuorum(r)) {
            // no-quorum-policy=stop: what needs quorum may not stay up without it
            unrunnable(implied, "no quorum (no-quorum-policy=stop)");
        }
        if (implied.runnable && !dependenciesBlock(r, implied, true)) {
            return false;
        }
        stop(r, r.assigned).unrunnableReason = implied.unrunnableReason;
        return true;
    }

    /** One pass over one start: does something it depends on make it unrunnable? */
    private boolean checkStart(Rsc r) {
        Act st = find(r, "start", r.assigned);
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
        for (Edge e : edgesByThen.getOrDefault(r, List.of())) {
            if (e.symmetrical() || !symmetricalOnly) {
                changed |= checkFirst(e, st);
            }
        }
        Rsc g = r.parent;
        if (g != null && g.kind == Rsc.Kind.GROUP) {
            for (Edge e : edgesByThen.getOrDefault(g, List.of())) {
                if (e.symmetrical() || !symmetricalOnly) {
                    changed |= checkFirst(e, st);
                }
            }
        }
        Rsc clone = r.cloneAncestor();
        if (clone != null) {
            for (Edge e : edgesByThen.getOrDefault(clone, List.of())) {
                changed |= checkCloneFirst(e, clone, r, st);
            }
        }
        for (Colocation col : s.primariesOf(Scoring.unit(r))) {
            if (col.score() < Scores.INFINITY) {
                continue;
            }
            boolean ok = col.primary().kind == Rsc.Kind.CLONE
                    ? cloneEndsOn(col.primary(), r.assigned, col.primaryRole())
                    : willRun(col.primary());
            if (!ok) {
                changed |= unrunnable(st, "it must run with " + col.primary().id + ", which will not run there");
            }
        }
        return changed;
    }

    private boolean checkFirst(Edge e, Act thenStart) {
        if (!e.mandatory() || !"start".equals(e.firstAction()) || !"start".equals(e.thenAction())) {
            return false;
        }
        List<Rsc> anyOf = anyOfFirsts.get(e);
        if (anyOf != null) {
            for (Rsc f : anyOf) {
                if (willRun(f)) {
                    return false;
                }
            }
            return unrunnable(thenStart, "it starts after one of " + anyOf + " (order " + e.id() + "), and none will run");
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
    private boolean checkCloneFirst(Edge e, Rsc clone, Rsc r, Act thenStart) {
        if (!e.mandatory() || !"start".equals(e.firstAction()) || !"start".equals(e.thenAction())) {
            return false;
        }
        Rsc first = e.first();
        if (first.kind == Rsc.Kind.CLONE && clone.interleave && !requireAnyOrders.contains(e.id())) {
            for (Rsc inst : first.children) {
                if (instanceAssignedTo(inst, r.assigned)) {
                    return willRun(inst) ? false
                            : unrunnable(thenStart, "its instance of " + first.id + " on " + r.assigned.name
                                    + " will not run (order " + e.id() + ", interleave)");
                }
            }
            return unrunnable(thenStart, "no instance of " + first.id + " on " + r.assigned.name
                    + " (order " + e.id() + ", interleave)");
        }
        if (!willRun(first)) {
            return unrunnable(thenStart, "it starts after " + first.id + " (order " + e.id() + "), which will not run");
        }
        return false;
    }

    /** Is every primitive of a clone instance assigned to the node? */
    private static boolean instanceAssignedTo(Rsc inst, SNode node) {
        List<Rsc> ps = prims(inst);
        if (ps.isEmpty() || node == null) {
            return false;
        }
        for (Rsc p : ps) {
            if (p.assigned != node) {
                return false;
            }
        }
        return true;
    }

    /** Does an instance of the clone end up on the node (in the role, when one is required)? */
    private boolean cloneEndsOn(Rsc clone, SNode node, Role role) {
        for (Rsc inst : clone.children) {
            boolean all = true;
            for (Rsc p : inst.primitives()) {
                all &= endNode(p) == node && (role != Role.PROMOTED || p.nextRole == Role.PROMOTED);
            }
            if (all && !inst.primitives().isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** Will this resource (every member, for a group) be active once the transition has run? */
    /** Resources whose orderings orderedAfterWhatWillNotRun is following (orderings may form a cycle). */
    private final java.util.Set<Rsc> followingOrders = new java.util.HashSet<>();

    /** Is r (or its group or clone) ordered, mandatory start then start, after something that will not run? */
    private boolean orderedAfterWhatWillNotRun(Rsc r) {
        if (!followingOrders.add(r)) {
            return false;
        }
        try {
            for (Rsc x = r; x != null; x = x.parent) {
                for (Edge e : edgesByThen.getOrDefault(x, List.of())) {
                    if (e.mandatory() && "start".equals(e.firstAction()) && "start".equals(e.thenAction())
                            && !willRun(e.first())) {
                        return true;
                    }
                }
            }
            return false;
        } finally {
            followingOrders.remove(r);
        }
    }

    boolean willRun(Rsc r) {
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

    /** Where a primitive is active after the transition, or null. */
    SNode endNode(Rsc p) {
        if (p.assigned != null) {
            Act st = find(p, "start", p.assigned);
            if (st != null) {
                return st.runnable ? p.assigned : null;
            }
            Act sp = find(p, "stop", p.assigned);
            if (p.runningOn.contains(p.assigned) && (sp == null || !sp.runnable)) {
                return p.assigned;
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

    private static boolean unrunnable(Act a, String why) {
        if (!a.runnable) {
            return false;
        }
        a.runnable = false;
        a.unrunnableReason = why;
        return true;
    }

    // ------------------------------------------------------------------ live migration

    /**
     * A resource with allow-migrate=true that moves between two healthy nodes migrates instead
     * of stopping and starting: migrate_to on the source, migrate_from on the target, then the
     * stop on the source; the start becomes a pseudo action (the migration did it).
     */
    /** Resources that will move by live migration rather than stop and start (see findMigrations). */
    private final java.util.Set<Rsc> migrating = new java.util.HashSet<>();

    /**
     * Which resources can move by live migration, decided before restarts propagate: a
     * migrating "first" does not restart what is ordered after it (its start is only a pseudo
     * action after migrate_from), and a resource cannot migrate while something it is ordered
     * after (mandatory, symmetrical) stops for real, since it must then stop before that does.
     * The second rule depends on the first side's own migration: repeated until nothing changes.
     */
    private void migrationCandidates() {
        for (Rsc r : c.byId().values()) {
            if (canMigrate(r)) {
                migrating.add(r);
            }
        }
    }

    private void findMigrations() {
        // a candidate moves only if plan() gave it a stop at the source and a start at the target
        migrating.removeIf(r -> find(r, "stop", migrationSource(r)) == null || find(r, "start", r.assigned) == null);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (java.util.Iterator<Rsc> it = migrating.iterator(); it.hasNext(); ) {
                Rsc r = it.next();
                if (orderedAfterRealStop(r)) {
                    it.remove();
                    changed = true;
                }
            }
        }
    }

    private boolean canMigrate(Rsc r) {
        if (!r.isPrimitive() || !r.managed || r.cloneAncestor() != null
                || !org.pulse.cib.model.ClusterOptions.isTrue(r.meta.get("allow-migrate"))) {
            return false;
        }
        SNode from = migrationSource(r);
        SNode to = r.assigned;
        if (from == null || to == null || from == to || !from.canRunOps() || !to.canRunOps()) {
            return false;
        }
        if (r.partialTarget != null && to != r.partialTarget) {
            return false;   // half-migrated elsewhere: it stops on both sides and starts anew
        }
        for (Rsc.NodeHistory any : r.history.values()) {
            org.pulse.cib.model.LrmOp f = any.lastFailure;
            if (f != null && ("migrate_to".equals(f.operation()) || "migrate_from".equals(f.operation()))) {
                return false;   // a migration of it failed: it moves by stop and start now
            }
        }
        Rsc.NodeHistory h = r.history.get(from);
        return h != null && !h.failed && !r.failed;
    }

    /** Where a live migration would start from: the single node it runs on, or a partial one's source. */
    private static SNode migrationSource(Rsc r) {
        return r.partialSource != null ? r.partialSource : r.currentNode();
    }

    private boolean orderedAfterRealStop(Rsc r) {
        List<Edge> in = new ArrayList<>(edgesByThen.getOrDefault(r, List.of()));
        if (r.parent != null && r.parent.kind == Rsc.Kind.GROUP) {
            in.addAll(edgesByThen.getOrDefault(r.parent, List.of()));
        }
        for (Edge e : in) {
            if (!e.mandatory() || !e.symmetrical() || !"start".equals(e.firstAction())) {
                continue;
            }
            for (Rsc f : prims(e.first())) {
                if (!migrating.contains(f) && stopping(f)) {
                    return true;
                }
            }
        }
        return false;
    }

    private void migrations() {
        for (Rsc r : c.byId().values()) {
            if (!migrating.contains(r)) {
                continue;
            }
            SNode from = migrationSource(r);
            SNode to = r.assigned;
            Rsc.NodeHistory h = r.history.get(from);
            Act stop = find(r, "stop", from);
            Act start = find(r, "start", to);
            if (stop == null || start == null || !stop.runnable || !start.runnable || stop.pseudo) {
                continue;
            }
            Act mf = add("migrate_from", r, to, 0, null);
            mf.extra.put("CRM_meta_migrate_source", from.name);
            mf.extra.put("CRM_meta_migrate_target", to.name);
            // a migrate_to to this target already done (partial migration) is not repeated
            boolean partial = r.partialTarget == to;
            Act first = mf;
            if (!partial) {
                Act mt = add("migrate_to", r, from, 0, null);
                mt.extra.put("CRM_meta_migrate_source", from.name);
                mt.extra.put("CRM_meta_migrate_target", to.name);
                mf.after(mt);
                first = mt;
            }
            for (Act in : start.inputs) {
                if (in != stop) {
                    first.after(in);
                }
            }
            stop.after(mf);
            start.inputs.remove(stop);
            start.after(mf);
            start.pseudo = true;
        }
    }

    // ------------------------------------------------------------------ clone notifications

    /**
     * Clones with notify=true: around each kind of action the clone takes (stop, demote, start,
     * promote), every instance active at that point is told before (pre) and after (post).
     */
    private void notifications() {
        for (Rsc clone : c.topLevel()) {
            if (clone.kind != Rsc.Kind.CLONE) {
                continue;
            }
            if (!clone.notify) {
                notifyAfterImpliedStops(clone);
                continue;
            }
            List<Rsc> prims = clone.primitives();
            Map<String, Boolean> happens = new LinkedHashMap<>();
            for (String op : List.of("stop", "demote", "start", "promote")) {
                boolean any = false;
                for (Rsc p : prims) {
                    for (SNode n : c.nodes()) {
                        Act a = find(p, op, n);
                        // a stop implied by fencing an unclean node counts too (Pacemaker notifies the
                        // survivors of it, even when that node cannot be fenced)
                        // and so does a stop or demotion implied by a guest's "fencing" (its container's recovery)
                        boolean impliedOnGuest = n.isGuest() && fenced(n) && ("stop".equals(op) || "demote".equals(op));
                        if (a != null && ((a.runnable && !a.pseudo) || ("stop".equals(op) && n.unclean) || impliedOnGuest)) {
                            any = true;
                        }
                    }
                }
                if ("start".equals(op)) {
                    // an unmanaged instance that failed is due a recovery (stop and start) that is never
                    // scheduled; Pacemaker still counts its start, so the others hear of a start (not of a stop)
                    for (Rsc p : prims) {
                        any |= !p.managed && p.failed && !p.runningOn.isEmpty();
                    }
                }
                happens.put(op, any);
            }
            for (Rsc p : prims) {
                if (!p.managed) {
                    continue;   // an unmanaged instance's actions are never scheduled, notifications included
                }
                SNode end = endNode(p);
                for (SNode cur : p.runningOn) {
                    if (!cur.canRunOps() || cur.isGuest() && fenced(cur)) {
                        continue;   // (a guest being reset hears nothing before its reset)
                    }
                    Act stop = find(p, "stop", cur);
                    boolean stays = stop == null || !stop.runnable;
                    if (happens.get("stop")) {
                        notify(p, cur, "pre", "stop");
                        if (stays) {
                            notify(p, cur, "post", "stop");
                        }
                    }
                    if (happens.get("demote")) {
                        notify(p, cur, "pre", "demote");
                        notify(p, cur, "post", "demote");
                    }
                    if (happens.get("start") && stays) {
                        notify(p, cur, "pre", "start");
                    }
                }
                if (end != null && end.canRunOps()) {
                    if (happens.get("start")) {
                        notify(p, end, "post", "start");
                    }
                    if (happens.get("promote")) {
                        notify(p, end, "pre", "promote");
                        notify(p, end, "post", "promote");
                    }
                }
            }
        }
    }

    /**
     * A clone that does not notify, whose instance asks for notifications itself (notify=true in
     * the primitive's own meta attributes): the clone has no notification rounds, but a stop of
     * that instance implied by fencing its node still tells the instances that stay, after the
     * fencing (a post-stop only: nothing ran before it), as Pacemaker does for implied stops.
     */
    private void notifyAfterImpliedStops(Rsc clone) {
        List<Rsc> prims = clone.primitives();
        boolean implied = false;
        for (Rsc p : prims) {
            if (!org.pulse.cib.model.ClusterOptions.isTrue(p.meta.get("notify"))) {
                continue;
            }
            for (SNode n : c.nodes()) {
                implied |= n.unclean && find(p, "stop", n) != null;
            }
        }
        if (!implied) {
            return;
        }
        for (Rsc p : prims) {
            if (!p.managed) {
                continue;
            }
            for (SNode cur : p.runningOn) {
                Act stop = find(p, "stop", cur);
                if (cur.canRunOps() && (stop == null || !stop.runnable)) {
                    notify(p, cur, "post", "stop");
                }
            }
        }
    }

    private void notify(Rsc r, SNode n, String type, String op) {
        Act a = new Act("notify", r, n, 0, null);
        a.keyOverride = r.id + "_" + type + "_notify_" + op + "_0";
        a.extra.put("CRM_meta_notify_type", type);
        a.extra.put("CRM_meta_notify_operation", op);
        // the pre-notification goes before the operation, the post one after it
        for (SNode x : c.nodes()) {
            Act target = find(r, op, x);
            if (target != null) {
                if ("pre".equals(type)) {
                    target.after(a);
                } else {
                    a.after(target);
                }
            }
        }
        acts.add(a);
    }

    // ------------------------------------------------------------------ orderings (graph inputs)

    private void orderings() {
        for (Act a : acts) {
            if (a.rsc != null) {
                ownInputs(a);
            }
        }
        for (Edge e : edges) {
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
        for (Map.Entry<SNode, Act> e : shutdowns.entrySet()) {
            for (Act a : acts) {
                if (a.rsc != null && "stop".equals(a.op) && a.node == e.getKey()) {
                    e.getValue().after(a);
                }
            }
        }
    }

    /** The orderings within one resource: stops before the start, probes and fencing first, start before monitors. */
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
                break;
            case "monitor":
                if (a.intervalMs > 0) {
                    a.after(find(r, "start", a.node));
                }
                break;
            default:
                break;
        }
    }

    private Act anyAct(Rsc r, String op) {
        if ("start".equals(op) || "promote".equals(op)) {
            return r.assigned == null ? null : find(r, op, r.assigned);
        }
        for (SNode n : r.runningOn) {
            Act a = find(r, op, n);
            if (a != null) {
                return a;
            }
        }
        return null;
    }
}
