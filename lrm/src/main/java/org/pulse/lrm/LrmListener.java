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
}
