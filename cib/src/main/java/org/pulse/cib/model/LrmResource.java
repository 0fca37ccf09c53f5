package org.pulse.cib.model;

import java.util.List;

/**
 * An {@code <lrm_resource>}: a resource's operation history on one node, in document order, as
 * Pacemaker keeps it: {@code R_last_0} (the last one-shot operation), {@code R_last_failure_0}
 * (the last failure) and one entry per recurring operation. The questions every reader of the
 * history asks (may it be active here, did its stop fail, is it promoted, what is in flight) are
 * answered here once.
 *
 * @param shutdownLock  when the node shut down with shutdown-lock, the epoch second the lock was
 *                      taken ({@code shutdown-lock} attribute), else null
 */
public record LrmResource(String id, String cls, String provider, String type, String container,
                          List<LrmOp> ops, Long shutdownLock) {
    private static final int RC_SUCCESS = 0;
    private static final int RC_NOT_RUNNING = 7;
    private static final int RC_RUNNING_PROMOTED = 8;
    private static final int STATUS_DONE = 0;
    private static final int STATUS_PENDING = -1;

    public LrmResource {
        ops = List.copyOf(ops);
    }

    /** The entry with this id, or null. */
    public LrmOp op(String opId) {
        for (LrmOp o : ops) {
            if (opId.equals(o.id())) {
                return o;
            }
        }
        return null;
    }

    /** The last one-shot operation ({@code R_last_0}), or null. */
    public LrmOp last() {
        return op(id + "_last_0");
    }

    /** The last failure ({@code R_last_failure_0}), or null. */
    public LrmOp lastFailure() {
        return op(id + "_last_failure_0");
    }

    private boolean isFailureCopy(LrmOp o) {
        return o.id() != null && o.id().endsWith("_last_failure_0");
    }

    /** Operations in flight, recorded pending (record-pending); the failure copy is history, not in flight. */
    public List<LrmOp> pending() {
        return ops.stream().filter(o -> o.opStatus() == STATUS_PENDING && !isFailureCopy(o)).toList();
    }

    /**
     * Whether the resource may be active on the node: everything but a clean stop, a probe that
     * found it not running, or no history at all counts as possibly active — a failed start or
     * stop leaves it in an unknown state, and unknown must be treated as running.
     */
    public boolean possiblyActive() {
        if (!pending().isEmpty()) {
            return true;
        }
        LrmOp last = last();
        if (last == null) {
            // only recurring entries (should not happen) still mean something ran
            return ops.stream().anyMatch(o -> !isFailureCopy(o));
        }
        boolean done = last.opStatus() == STATUS_DONE;
        if ("stop".equals(last.operation())) {
            return !(done && last.rcCode() == RC_SUCCESS);
        }
        if ("monitor".equals(last.operation())) {
            return !(done && last.rcCode() == RC_NOT_RUNNING);
        }
        return true;
    }

    /** A stop that did not succeed (and is not still running): the resource's state is unknown. */
    public boolean stopFailed() {
        LrmOp last = last();
        return last != null && "stop".equals(last.operation())
                && !(last.opStatus() == STATUS_DONE && last.rcCode() == RC_SUCCESS)
                && last.opStatus() != STATUS_PENDING;
    }

    /** Running promoted according to the latest (by call id) of its one-shot op and its recurring ones. */
    public boolean promoted() {
        LrmOp latest = null;
        for (LrmOp o : ops) {
            if (!isFailureCopy(o) && o.callId() > (latest == null ? -1 : latest.callId())) {
                latest = o;
            }
        }
        if (latest == null || latest.opStatus() != STATUS_DONE) {
            return false;
        }
        return ("promote".equals(latest.operation()) && latest.rcCode() == RC_SUCCESS)
                || latest.rcCode() == RC_RUNNING_PROMOTED;
    }
}
