package org.pulse.crmd.controller;

/**
 * How an operation ended, besides its rc; the numbers are Pacemaker's {@code op-status} values,
 * written into {@code lrm_rsc_op} so its tools read them. PENDING marks an operation still running.
 */
public enum OpStatus {
    PENDING(-1), DONE(0), CANCELLED(1), TIMEOUT(2), NOT_SUPPORTED(3), ERROR(4), NOT_INSTALLED(7);

    private final int code;

    OpStatus(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static OpStatus ofCode(int code) {
        for (OpStatus s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return ERROR;
    }
}
