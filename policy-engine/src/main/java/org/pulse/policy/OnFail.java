package org.pulse.policy;

/** What to do after a failed operation, in Pacemaker's order of severity. */
enum OnFail {
    IGNORE, DEMOTE, RECOVER, MIGRATE, BLOCK, STOP, STANDBY, FENCE,
    /** A resource with a container: recover the container (and so everything in it). */
    RESTART_CONTAINER,
    /** A remote connection lost while up: fence the remote node (or just reconnect without fencing). */
    RESET_REMOTE;

    static OnFail parse(String s, OnFail fallback) {
        if (s == null) {
            return fallback;
        }
        switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "ignore": return IGNORE;
            case "demote": return DEMOTE;
            case "restart": return RECOVER;
            case "block": return BLOCK;
            case "stop": return STOP;
            case "standby": return STANDBY;
            case "fence": return FENCE;
            default: return fallback;
        }
    }

    /** Whether a later completed start or stop wipes this failure out. */
    boolean clearedBySuccess() {
        return this == BLOCK || this == IGNORE || this == DEMOTE || this == RECOVER || this == RESTART_CONTAINER
                || this == RESET_REMOTE;
    }
}
