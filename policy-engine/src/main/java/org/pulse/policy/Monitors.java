package org.pulse.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.OpConfig;

/**
 * Recurring monitors and their cancellation: those of a resource that stays where it runs
 * (rescheduled when their definition changed, cancelled when no longer configured or of the
 * wrong role), those of what stays on a remote node whose connection restarts, and the
 * role="Stopped" monitors that watch where a resource is not. (A starting resource's monitors
 * come with its start: {@link ActionTable#start}.)
 */
final class Monitors {
    private final Cluster c;
    private final Allocation alloc;
    private final ActionTable t;
    private final DefinitionChanges defs;
    /** The monitors a stage function added, for its record; null for the resource actions stage's questions. */
    private final List<Act> added;

    /** For the resource actions stage, which asks for one resource and node at a time. */
    Monitors(Cluster c, Allocation alloc, ActionTable t, DefinitionChanges defs) {
        this.c = c;
        this.alloc = alloc;
        this.t = t;
        this.defs = defs;
        this.added = defs == null ? new ArrayList<>() : null;
    }

    /**
     * After the resources' actions (a connection's start is theirs): the monitors scheduled
     * again on remote nodes whose connection starts.
     */
    static List<Act> afterReconnect(Cluster c, Allocation alloc, ActionTable t) {
        Monitors m = new Monitors(c, alloc, t, null);
        m.monitorsAfterReconnect();
        return List.copyOf(m.added);
    }

    /**
     * After runnability (a stop it added, or one it made unrunnable, decides where the resource
     * is not): the role="Stopped" monitors, each after the resource's stop and probe there.
     */
    static List<Act> stoppedRole(Cluster c, Allocation alloc, ActionTable t, Map<Rsc, List<Act>> probes) {
        Monitors m = new Monitors(c, alloc, t, null);
        m.stoppedRoleMonitors(probes);
        return List.copyOf(m.added);
    }

    private Act find(Rsc r, String op, SNode n) {
        return t.find(r, op, n);
    }

    private Act add(String op, Rsc r, SNode n, long interval, String role) {
        return t.add(op, r, n, interval, role);
    }

    private void monitor(Rsc r, SNode n, OpConfig op) {
        Act m = t.monitor(r, n, op);
        if (added != null) {
            added.add(m);
        }
    }

    private boolean isRecurringMonitorFor(OpConfig op, Rsc r) {
        return ActionTable.isRecurringMonitorFor(alloc, op, r);
    }

    private boolean recurringParamsChanged(Rsc r, OpConfig op, org.pulse.cib.model.LrmOp active) {
        return defs.recurringParamsChanged(r, op, active);
    }

    private boolean recordedFailureChanged(Rsc r, Rsc.NodeHistory h, OpConfig op) {
        return defs.recordedFailureChanged(r, h, op);
    }

    private boolean stopsForNoQuorum(Rsc r) {
        return Runnability.stopsForNoQuorum(c, r);
    }

    /** What stays on n keeps (or gets again) its monitors; what must not go on is cancelled. */
    void keepRunning(Rsc r, SNode n) {
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
    void cancelRecurring(Rsc r, SNode n, Rsc.NodeHistory h, boolean unconfiguredToo) {
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
            if (Migrations.canMigrate(alloc, n.connection)) {
                continue;   // a connection that migrates is never down: nothing to re-monitor
            }
            for (Act a : t.actsOf(n.connection)) {
                reconnects |= "start".equals(a.op);
            }
            if (!reconnects) {
                continue;
            }
            for (Rsc r : c.byId().values()) {
                if (r.isPrimitive() && alloc.node(r) == n && r.runningOn.contains(n) && find(r, "stop", n) == null && r.managed) {
                    for (OpConfig op : r.ops) {
                        if (isRecurringMonitorFor(op, r)) {
                            monitor(r, n, op);
                        }
                    }
                }
            }
        }
    }

    /**
     * Monitors with role="Stopped" check that the resource is NOT running: they run on every
     * node that can run operations except the one the resource is assigned to (where an active
     * one is cancelled). Where one is already active it is left alone, unless the resource stops
     * there now (the stop ends it). Pacemaker does not support them for anonymous clones.
     * After the runnability pass, so stops it added count.
     */
    private void stoppedRoleMonitors(Map<Rsc, List<Act>> probes) {
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
                SNode target = alloc.node(r);
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
                    added.add(m);
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
}
