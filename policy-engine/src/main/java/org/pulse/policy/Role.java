package org.pulse.policy;

/** Resource roles in Pacemaker's order (a higher role implies the lower ones). */
enum Role {
    UNKNOWN, STOPPED, STARTED, UNPROMOTED, PROMOTED;

    static Role parse(String s, Role fallback) {
        if (s == null) {
            return fallback;
        }
        switch (s) {
            case "Stopped": return STOPPED;
            case "Started": return STARTED;
            case "Slave": case "Unpromoted": return UNPROMOTED;
            case "Master": case "Promoted": return PROMOTED;
            default: return fallback;
        }
    }

    String text() {
        switch (this) {
            case PROMOTED: return "Promoted";
            case UNPROMOTED: return "Unpromoted";
            case STARTED: return "Started";
            case STOPPED: return "Stopped";
            default: return "Unknown";
        }
    }
}
