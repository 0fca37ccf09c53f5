package org.pulse.lrm;

/** OCF exit codes (resource-agents API 1.1 and Pacemaker's degraded extensions), with their names. */
public final class OcfRc {
    public static final int SUCCESS = 0;
    public static final int ERR_GENERIC = 1;
    public static final int ERR_ARGS = 2;
    public static final int ERR_UNIMPLEMENTED = 3;
    public static final int ERR_PERM = 4;
    public static final int ERR_INSTALLED = 5;
    public static final int ERR_CONFIGURED = 6;
    public static final int NOT_RUNNING = 7;
    public static final int RUNNING_PROMOTED = 8;
    public static final int FAILED_PROMOTED = 9;
    public static final int DEGRADED = 190;
    public static final int DEGRADED_PROMOTED = 191;

    private OcfRc() {
    }

    /** True for the codes an agent may legitimately return (0-9, 190, 191). */
    public static boolean isValid(int rc) {
        return (rc >= 0 && rc <= 9) || rc == DEGRADED || rc == DEGRADED_PROMOTED;
    }

    public static String name(int rc) {
        switch (rc) {
            case SUCCESS: return "ok";
            case ERR_GENERIC: return "error";
            case ERR_ARGS: return "invalid parameter";
            case ERR_UNIMPLEMENTED: return "unimplemented feature";
            case ERR_PERM: return "insufficient privileges";
            case ERR_INSTALLED: return "not installed";
            case ERR_CONFIGURED: return "not configured";
            case NOT_RUNNING: return "not running";
            case RUNNING_PROMOTED: return "promoted";
            case FAILED_PROMOTED: return "promoted (failed)";
            case DEGRADED: return "OCF_DEGRADED";
            case DEGRADED_PROMOTED: return "OCF_DEGRADED_PROMOTED";
            default: return "unknown (" + rc + ")";
        }
    }
}
