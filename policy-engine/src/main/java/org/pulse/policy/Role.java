package org.pulse.policy;

/** Resource roles in Pacemaker's order (a higher role implies the lower ones). */
enum Role {
    UNKNOWN, STOPPED, STARTED, UNPROMOTED, PROMOTED;

    static Role parse(String s, Role fallback) {
        if (s == null) {
            return fallback;
        }
        // role names are matched ignoring case, as Pacemaker's text2role does ("stopped" is Stopped)
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "stopped": return STOPPED;
            case "started": return STARTED;
            case "slave": case "unpromoted": return UNPROMOTED;
            case "master": case "promoted": return PROMOTED;
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
