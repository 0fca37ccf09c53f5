package org.pulse.messaging;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.function.Function;
import org.jgroups.Address;

/**
 * The sender's half of ordered delivery across JGroups' two streams. JGroups keeps a sender's
 * multicasts (NAKACK2) and its unicasts (UNICAST3) in separate streams, each in order, but with no
 * order between them: a multicast sent after a unicast can be delivered first. So each message
 * names the last message of the other stream this sender sent to that receiver before it, and the
 * receiver ({@link DeliveryOrder}) holds it until that one was delivered.
 *
 * <p>Ids are the sender's envelope ids, which grow in the order of sending because every ordered
 * send takes its id and transmits under one lock ({@link Messenger}). Keyed by JGroups address, so by
 * incarnation: a restarted receiver owes nothing to its earlier self. Its own monitor guards it
 * (the view thread calls {@link #retain} without that lock).
 */
final class SendOrder {
    /** The last unicast id sent to each member, and the last multicast id sent while it was a member. */
    private final Map<Address, Long> lastUnicast = new HashMap<>();
    private final Map<Address, Long> lastMulticast = new HashMap<>();

    /**
     * A unicast {@code id} goes to {@code to}: returns the multicast it must be delivered after (0: none,
     * as no multicast went to {@code to} since its last unicast, which already follows them).
     */
    synchronized long unicast(Address to, long id) {
        long after = owed(lastMulticast, lastUnicast, to);
        lastUnicast.put(to, id);
        return after;
    }

    /**
     * A multicast {@code id} goes to {@code receivers}: returns, by receiver name, the unicast each must
     * deliver first (receivers that owe nothing are left out, keeping the message small).
     */
    synchronized Map<String, Long> multicast(long id, Collection<Address> receivers, Function<Address, String> nameOf) {
        Map<String, Long> after = new HashMap<>();
        for (Address r : receivers) {
            long owed = owed(lastUnicast, lastMulticast, r);
            if (owed != 0) {
                after.put(nameOf.apply(r), owed);
            }
            lastMulticast.put(r, id);
        }
        return after;
    }

    /**
     * The last id of stream {@code other} to {@code to} if it came after the last of {@code own}; else 0:
     * the last of {@code own} already named it (or a later one), and each stream is in order.
     */
    private static long owed(Map<Address, Long> other, Map<Address, Long> own, Address to) {
        long o = other.getOrDefault(to, 0L);
        return o > own.getOrDefault(to, 0L) ? o : 0;
    }

    /**
     * A new view: members that left are forgotten. Should one come back under the same address (a merge),
     * what was in flight to it when it left may be lost, and nothing sent later waits for that.
     */
    synchronized void retain(Collection<Address> members) {
        HashSet<Address> keep = new HashSet<>(members);
        lastUnicast.keySet().retainAll(keep);
        lastMulticast.keySet().retainAll(keep);
    }
}
