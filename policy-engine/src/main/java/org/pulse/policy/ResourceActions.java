package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.model.OpConfig;

/**
 * The actions that take each primitive from where it is to where it was assigned: its probes,
 * fail-count clearing, stops (of copies elsewhere, failed or redefined ones), a reload where
 * only reloadable parameters changed, the start and its monitors (or the monitors of what
 * stays), history deletion, cancellation of what is no longer configured, and a promotable
 * instance's promote and demote. One resource at a time, in configuration order (the order
 * the actions get their ids in); what one resource's actions do to another's comes later
 * (restarts, runnability).
 */
final class ResourceActions {
    /**
     * What this stage decided besides the actions it added to the table.
     *
     * @param redefined  resources restarted because their definition changed (the summary says so)
     * @param probes     each resource's probes, so its start (and a Stopped-role monitor) can wait for them
     */
    record Result(Set<Rsc> redefined, Map<Rsc, List<Act>> probes) {
    }

    private final Cluster c;
    private final Allocation alloc;
    private final ActionTable t;
    private final Probes.Plan probing;
    /** Live-migration candidates: a partial migration finished towards its target is not a double activity. */
    private final Set<Rsc> migrating;
    private final DefinitionChanges defs;
    private final Monitors monitors;
    private final Set<Rsc> redefined = new HashSet<>();
    private final Map<Rsc, List<Act>> probes = new HashMap<>();

    private ResourceActions(Cluster c, Allocation alloc, ActionTable t, Probes.Plan probing, Set<Rsc> migrating) {
        this.c = c;
        this.alloc = alloc;
        this.t = t;
        this.probing = probing;
        this.migrating = migrating;
        this.defs = new DefinitionChanges(c);
        this.monitors = new Monitors(c, alloc, t, defs);
    }

    /** After fencing (actions on a node being fenced are pseudo) and the migration candidates. */
    static Result run(Cluster c, Allocation alloc, ActionTable t, Probes.Plan probing, Set<Rsc> migrationCandidates) {
        ResourceActions ra = new ResourceActions(c, alloc, t, probing, migrationCandidates);
        for (Rsc r : c.byId().values()) {
            if (r.isPrimitive()) {
                ra.plan(r);
            }
        }
        return new Result(Collections.unmodifiableSet(ra.redefined), Collections.unmodifiableMap(ra.probes));
    }

    private Act find(Rsc r, String op, SNode n) {
        return t.find(r, op, n);
    }

    private Act add(String op, Rsc r, SNode n, long interval, String role) {
        return t.add(op, r, n, interval, role);
    }

    private Act stop(Rsc r, SNode n) {
        return t.stop(r, n);
    }

    private Act start(Rsc r, SNode n) {
        return t.start(r, n);
    }

    private void roles(Rsc r) {
        t.roles(r);
    }

    private void keepRunning(Rsc r, SNode n) {
        monitors.keepRunning(r, n);
    }

    private void cancelRecurring(Rsc r, SNode n, Rsc.NodeHistory h, boolean unconfiguredToo) {
        monitors.cancelRecurring(r, n, h, unconfiguredToo);
    }

    private boolean paramsChanged(Rsc r, Rsc.NodeHistory h) {
        return defs.paramsChanged(r, h);
    }

    private boolean failedWithOtherParameters(Rsc r, SNode node, Rsc.NodeHistory h) {
        return defs.failedWithOtherParameters(r, node, h);
    }

    private static boolean onlyReloadableChanged(Rsc r, Rsc.NodeHistory h) {
        return DefinitionChanges.onlyReloadableChanged(r, h);
    }

    private void plan(Rsc r) {
        SNode target = alloc.node(r);
        // probes where the state is unknown
        List<Act> probed = Probes.of(c, alloc, t, probing, r);
        if (!probed.isEmpty()) {
            probes.put(r, probed);
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
            // (only where the node's history is checked: Pacemaker looks for definition changes before placing anything)
            boolean changedParams = cur.historyChecked() && paramsChanged(r, h);
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
                if (r.runningOn.contains(target) && r.role == Role.PROMOTED && alloc.nextRole(r).compareTo(Role.PROMOTED) < 0) {
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
}
