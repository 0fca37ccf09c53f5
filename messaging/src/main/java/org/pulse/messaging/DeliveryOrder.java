package org.pulse.messaging;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.jgroups.Address;

/**
 * The receiver's half of ordered delivery ({@link SendOrder}): a message that names an earlier
 * message of the sender's other stream (unicast or multicast) is held until that one was delivered.
 * Within a stream order is JGroups', so a held message also holds the later ones of its stream.
 *
 * <p>Nothing waits forever: a message held longer than {@code holdNanos}, or past {@code maxHeld}
 * from one sender, is dropped (the one it waited for was lost, e.g. in flight when its receiver left
 * the view), and what waited for the dropped one no longer does. A drop keeps the order: what is
 * delivered is delivered in order; crmd recovers what is missing by its versions (a member whose
 * CIB does not match the next diff asks the DC for the whole CIB).
 *
 * <p>Keyed by the sender's JGroups address, so by incarnation. Confined to the messenger's delivery
 * thread; time is an argument.
 */
final class DeliveryOrder<T> {
    /** What arrived: {@code id} the sender's envelope id, {@code after} the other stream's id to await (0: none). */
    record Arrival<T>(Address from, boolean unicast, long id, long after, T message) {
    }

    private record Held<T>(Arrival<T> arrival, long deadlineNanos) {
    }

    /** One sender's two streams: the last id delivered of each, and what waits in each, oldest first. */
    private static final class Streams<T> {
        long lastUnicast;
        long lastMulticast;
        final ArrayDeque<Held<T>> unicasts = new ArrayDeque<>();
        final ArrayDeque<Held<T>> multicasts = new ArrayDeque<>();

        ArrayDeque<Held<T>> queue(boolean unicast) {
            return unicast ? unicasts : multicasts;
        }

        boolean ready(Arrival<T> a) {
            return a.after() <= (a.unicast() ? lastMulticast : lastUnicast);
        }

        void delivered(Arrival<T> a) {
            if (a.unicast()) {
                lastUnicast = Math.max(lastUnicast, a.id());
            } else {
                lastMulticast = Math.max(lastMulticast, a.id());
            }
        }

        int held() {
            return unicasts.size() + multicasts.size();
        }
    }

    /** Senders' bookkeeping kept for non-members, beyond which it is forgotten at the next view. */
    static final int MAX_SENDERS_KEPT = 256;
    private final long holdNanos;
    private final int maxHeld;
    private final Map<Address, Streams<T>> senders = new HashMap<>();
    private long held;

    DeliveryOrder(long holdNanos, int maxHeld) {
        this.holdNanos = holdNanos;
        this.maxHeld = maxHeld;
    }

    /**
     * {@code a} arrived at {@code nowNanos}: returns what may be delivered now, in order (possibly
     * nothing, possibly messages held before it). {@code dropped} receives what had to give way.
     */
    List<T> arrived(Arrival<T> a, long nowNanos, List<T> dropped) {
        Streams<T> s = senders.computeIfAbsent(a.from(), k -> new Streams<>());
        List<T> out = new ArrayList<>(1);
        ArrayDeque<Held<T>> own = s.queue(a.unicast());
        if (own.isEmpty() && s.ready(a)) {
            s.delivered(a);
            out.add(a.message());
            release(s, out);
            return out;
        }
        if (s.held() >= maxHeld) {
            dropOldest(s, dropped);
            release(s, out);
        }
        own.add(new Held<>(a, nowNanos + holdNanos));
        held++;
        release(s, out);
        return out;
    }

    /** Messages held past their deadline are dropped into {@code dropped}; returns what that lets through. */
    List<T> expire(long nowNanos, List<T> dropped) {
        List<T> out = new ArrayList<>();
        if (held == 0) {
            return out;
        }
        for (Streams<T> s : senders.values()) {
            while (overdue(s.unicasts, nowNanos) || overdue(s.multicasts, nowNanos)) {
                dropOldest(s, dropped);
                release(s, out);
            }
        }
        return out;
    }

    /** Whether anything is held (then the caller checks {@link #expire} again, at {@link #nextDeadlineNanos}). */
    boolean holding() {
        return held > 0;
    }

    /** The earliest deadline of what is held; meaningful only while {@link #holding}. */
    long nextDeadlineNanos() {
        long next = 0;
        boolean any = false;
        for (Streams<T> s : senders.values()) {
            for (ArrayDeque<Held<T>> q : List.of(s.unicasts, s.multicasts)) {
                if (!q.isEmpty() && (!any || q.peek().deadlineNanos() - next < 0)) {
                    next = q.peek().deadlineNanos();
                    any = true;
                }
            }
        }
        return next;
    }

    /** Messages from senders that are no longer members are dropped into {@code dropped}: never delivered. */
    void retainSenders(Predicate<Address> member, List<T> dropped) {
        for (Iterator<Map.Entry<Address, Streams<T>>> it = senders.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Address, Streams<T>> e = it.next();
            if (member.test(e.getKey())) {
                continue;
            }
            Streams<T> s = e.getValue();
            while (s.held() > 0) {
                dropOldest(s, dropped);
            }
            // The ids delivered are kept, so a member back under the same address (a merge) is not waited for
            // twice; only when many addresses piled up (each restart of a peer is a new one) are they forgotten.
            if (senders.size() > MAX_SENDERS_KEPT) {
                it.remove();
            }
        }
    }

    private static <T> boolean overdue(ArrayDeque<Held<T>> q, long nowNanos) {
        return !q.isEmpty() && nowNanos - q.peek().deadlineNanos() >= 0;
    }

    /**
     * Drops the oldest held message of {@code s} (the head that arrived first): whatever waited for it
     * no longer waits, as it counts as passed.
     */
    private void dropOldest(Streams<T> s, List<T> dropped) {
        Held<T> u = s.unicasts.peek();
        Held<T> m = s.multicasts.peek();
        ArrayDeque<Held<T>> q = m == null || (u != null && u.deadlineNanos() - m.deadlineNanos() <= 0) ? s.unicasts : s.multicasts;
        Held<T> h = q.poll();
        held--;
        s.delivered(h.arrival());
        dropped.add(h.arrival().message());
    }

    /** Delivers, alternating between the two streams, every head whose predecessor came. */
    private void release(Streams<T> s, List<T> out) {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (ArrayDeque<Held<T>> q : List.of(s.unicasts, s.multicasts)) {
                while (!q.isEmpty() && s.ready(q.peek().arrival())) {
                    Held<T> h = q.poll();
                    held--;
                    s.delivered(h.arrival());
                    out.add(h.arrival().message());
                    progress = true;
                }
            }
        }
    }
}
