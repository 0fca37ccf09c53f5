package org.pulse.crmd.runtime;

import java.util.HashSet;
import java.util.Set;
import org.pulse.messaging.Envelope;

/**
 * Where crmd sends an envelope a member delivered, by its type (and kind): the controller, the node
 * list's request or sync, or nowhere. The runtime switches over the route with no default, so a new
 * route without its branch does not compile; {@link #UNKNOWN} is refused with a log line naming the
 * sender and the type (a member of another Pulse version, or a program that is not crmd), never
 * dropped silently. Messaging already refused anything outside the seal, from a non-member or
 * malformed: what reaches here is authenticated but not understood.
 */
enum WireRoute {
    /** crmd's own messages, decoded into the controller's Message records. */
    CONTROLLER,
    /** A node asking to be added to the node list (crm cluster join); answered. */
    NODE_LIST_REQUEST,
    /** A member's node list, to merge. */
    NODE_LIST_SYNC,
    /** A type (or a type and kind) this crmd does not know. */
    UNKNOWN;

    static WireRoute of(String type, Envelope.Kind kind) {
        if (CrmdRuntime.MESSAGE_TYPE.equals(type)) {
            return CONTROLLER;
        }
        if (NodeList.TYPE.equals(type) && kind == Envelope.Kind.REQUEST) {
            return NODE_LIST_REQUEST;
        }
        if (NodeList.SYNC_TYPE.equals(type)) {
            return NODE_LIST_SYNC;
        }
        return UNKNOWN;
    }

    /** The line a person reads when {@code sender} sent a type this crmd does not know. */
    static String refusal(String sender, String type, Envelope.Kind kind) {
        return "refused a " + kind.name().toLowerCase(java.util.Locale.ROOT) + " of type '" + type + "' from " + sender
                + ": this crmd does not know that type, so it is not acted on; check that every node runs the same"
                + " or an adjacent Pulse version (rolling upgrades) and that only crmd speaks on the cluster's port";
    }

    /**
     * Which (sender, type) pairs were already refused, so a peer repeating one unknown type is logged
     * at warning level once, then at debug level. Bounded: past {@code maxPairs} every refusal is a
     * warning again rather than the set growing (a peer inventing types cannot fill the heap).
     */
    static final class Refused {
        private final int maxPairs;
        private final Set<String> seen = new HashSet<>();

        Refused(int maxPairs) {
            this.maxPairs = maxPairs;
        }

        /** Whether this is the first refusal of {@code type} from {@code sender} (then warn). */
        synchronized boolean first(String sender, String type) {
            String key = sender + '\u0000' + type;
            if (seen.contains(key)) {
                return false;
            }
            if (seen.size() < maxPairs) {
                seen.add(key);
            }
            return true;
        }
    }
}
