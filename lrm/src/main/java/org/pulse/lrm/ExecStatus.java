package org.pulse.lrm;

/**
 * How an operation ended, kept apart from the agent's exit code exactly as Pacemaker keeps
 * {@code op-status} apart from {@code rc-code}. {@link #code()} is the number the CIB's
 * {@code lrm_rsc_op op-status} attribute holds (Pacemaker's {@code enum pcmk_exec_status}).
 */
public enum ExecStatus {
    /** Queued or running; never in a final result. */
    PENDING(-1),
    /** The agent ran and exited by itself; its exit code is the result (whatever it is). */
    DONE(0),
    /** A recurring operation was cancelled (by stop or explicitly); not a failure. */
    CANCELLED(1),
    /** The deadline passed and the process group was killed. rc is 1. */
    TIMED_OUT(2),
    /** The action is not supported by this class (e.g. promote on an LSB script). */
    NOT_SUPPORTED(3),
    /** The agent could not be run or died by a signal; rc is 1 (or 4 for a permission problem). */
    ERROR(4),
    /** The agent file does not exist: rc 5. */
    NOT_INSTALLED(7);

    private final int code;

    ExecStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
