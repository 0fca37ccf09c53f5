package org.pulse.messaging;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Sits right below {@link Heartbeats} (which consumes heartbeats) and notes when each member was last heard,
 * heartbeats and any other traffic alike, so {@link SuspicionGuard} can give a second opinion:
 * "I heard X n ms ago"; and which suspicions FD_SOCK2 raised (a broken connection: the kernel's
 * word that the peer's process is gone, which a starved node does not invent). Passes everything on unchanged; after a member's first message the path
 * allocates nothing (one clock read, one volatile write).
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class HeardTap extends Protocol {
    private final Map<Address, AtomicLong> lastHeardNanos = new ConcurrentHashMap<>();
    /** When FD_SOCK2 (below) last reported a member's connection broken: evidence, not an inference from silence. */
    private final Map<Address, Long> connectionLostNanos = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    HeardTap(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    @Override
    public Object up(Message msg) {
        heard(msg.getSrc());
        return up_prot.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        heard(batch.sender());
        up_prot.up(batch);
    }

    @Override
    public Object up(org.jgroups.Event evt) {
        // Only FD_SOCK2 and what lies below raise suspicions under this protocol (Heartbeats is above).
        if (evt.getType() == org.jgroups.Event.SUSPECT) {
            long now = nanoTime.getAsLong();
            for (Address a : SuspicionGuard.addresses(evt.getArg())) {
                connectionLostNanos.put(a, now);
            }
        }
        return up_prot.up(evt);
    }

    /** True if FD_SOCK2 reported {@code member}'s connection broken within the last {@code withinMs}. */
    boolean connectionLostWithin(Address member, long withinMs) {
        Long at = connectionLostNanos.get(member);
        if (at == null || nanoTime.getAsLong() - at > withinMs * 1_000_000L) {
            return false;
        }
        // Heard since the report: the process is alive, whatever FD_SOCK2 said. FD_SOCK2 also reports a member
        // whose CONNECT it did not answer in time or whose connection closed as the ring moved under a view change
        // (a JVM just started, on a busy machine: members 1..24 never formed at load 40-140 in bench/scale, the
        // coordinator excluding joiners heard 2-26 ms before as "crashed"). A crashed process says nothing after.
        AtomicLong heard = lastHeardNanos.get(member);
        return heard == null || heard.get() <= at;
    }

    @Override
    public Object down(org.jgroups.Event evt) {
        if (evt.getType() == org.jgroups.Event.VIEW_CHANGE && evt.getArg() instanceof org.jgroups.View v) {
            retain(v.getMembers());
        }
        return down_prot.down(evt);
    }

    private void heard(Address sender) {
        if (sender == null) {
            return;
        }
        AtomicLong at = lastHeardNanos.get(sender);
        if (at == null) {
            at = lastHeardNanos.computeIfAbsent(sender, a -> new AtomicLong());
        }
        at.set(nanoTime.getAsLong());
    }

    /** How long ago {@code member} was last heard, in ms; -1 if never. */
    long ageMs(Address member) {
        AtomicLong at = lastHeardNanos.get(member);
        return at == null ? -1 : (nanoTime.getAsLong() - at.get()) / 1_000_000L;
    }

    /** Forgets members that left, so the map stays the size of the view. */
    void retain(java.util.Collection<Address> members) {
        lastHeardNanos.keySet().retainAll(members);
        connectionLostNanos.keySet().retainAll(members);
    }
}
