package org.pulse.messaging;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Confirmed suspicions that never became a view: when each member of the current view was first
 * reported suspected (after VERIFY_SUSPECT2 and the guard), and which of them stayed in the view past
 * a bound.
 *
 * <p>Why: in a restart soak under heavy load a killed coordinator stayed in the next coordinator's
 * view for over 60 s while that node re-raised its confirmed suspicion every interval: GMS dropped
 * every request, as its view handler does while it is suspended for a merge. A merge is bounded by
 * MERGE3's merge_timeout, after which JGroups resumes the handler; a suspicion still not acted on
 * well past that is stuck, and the messenger then says so with GMS's state and resumes the handler
 * (see {@link Messenger}). Pure bookkeeping on the caller's clock, not thread-safe: the messenger
 * calls it under its own lock.
 */
final class StuckSuspicions {
    private final long boundNanos;
    private final Map<Object, Long> firstSuspectedNanos = new LinkedHashMap<>();
    private final Set<Object> members = new HashSet<>();

    StuckSuspicions(long boundMs) {
        this.boundNanos = boundMs * 1_000_000L;
    }

    /** The bound for a timing: a merge may hold GMS for its timeout, a view waits for acks, then one more detection. */
    static long boundMs(Timing t) {
        return t.mergeTimeoutMs() + t.viewAckTimeoutMs() + 2 * t.failureDetectionMs();
    }

    /** A new view: only its members can be stuck in it, and a suspect that left is resolved. */
    void view(Collection<?> viewMembers) {
        members.clear();
        members.addAll(viewMembers);
        firstSuspectedNanos.keySet().retainAll(members);
    }

    /** Members reported suspected now; the first report of each counts. */
    void suspected(Collection<?> suspects, long nowNanos) {
        for (Object s : suspects) {
            if (members.contains(s)) {
                firstSuspectedNanos.putIfAbsent(s, nowNanos);
            }
        }
    }

    /**
     * The suspects still in the view longer than the bound after their first report; each is counted
     * afresh from now, so one that stays stuck is reported once a bound, not at every check.
     */
    List<Object> overdue(long nowNanos) {
        List<Object> out = new ArrayList<>();
        for (Map.Entry<Object, Long> e : firstSuspectedNanos.entrySet()) {
            if (nowNanos - e.getValue() > boundNanos) {
                out.add(e.getKey());
                e.setValue(nowNanos);
            }
        }
        return out;
    }
}
