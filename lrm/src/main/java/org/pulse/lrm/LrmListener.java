package org.pulse.lrm;

/**
 * Receives operation results, one at a time, in the order they were made, on the LRM's event thread.
 * One-shot operations report every result; a recurring monitor reports its first result, then only results
 * whose rc or status differ from the last one reported (Pacemaker's notify-on-change), and finally a
 * {@link ExecStatus#CANCELLED} result when it is cancelled (by stop or {@link Lrm#cancel}).
 * Do not block for long: results queue up behind a slow listener.
 */
@FunctionalInterface
public interface LrmListener {
    void onResult(OperationResult result);

    /**
     * An operation left its resource's queue and its agent is being started (for a recurring operation: its
     * first run only). For Pacemaker's {@code record-pending}: the controller may record the operation as
     * pending (op-status -1, rc 193) until its result comes. Called on the same event thread, before the
     * result. Does nothing unless overridden.
     */
    default void onStarted(OperationRequest request, int callId, java.time.Instant at) {
    }
}
