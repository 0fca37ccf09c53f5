package org.pulse.messaging;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What came back from {@link Messenger#request}: the reply of each node that answered in time,
 * and who did not.
 *
 * @param correlationId the id the request carried (and each reply)
 * @param replies       node name to its reply, for every target that answered before the deadline
 * @param missing       targets still in the view that had not answered at the deadline
 * @param departed      targets that were not in the view when the request was sent, left it
 *                      before answering, or could not be sent to
 */
public record Replies(long correlationId, Map<String, Envelope> replies, Set<String> missing, Set<String> departed) {
    public Replies {
        replies = Map.copyOf(replies);
        missing = Set.copyOf(missing);
        departed = Set.copyOf(departed);
    }

    /** True when every target answered. */
    public boolean allAnswered() {
        return missing.isEmpty() && departed.isEmpty();
    }

    @Override
    public String toString() {
        return "Replies[#" + correlationId + " from " + new TreeSet<>(replies.keySet()) + ", missing "
                + new TreeSet<>(missing) + ", departed " + new TreeSet<>(departed) + "]";
    }
}
