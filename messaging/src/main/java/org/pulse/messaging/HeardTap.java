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
    /** When FD_SOCK2 (below) last reported a member's connection broken (nanoTime). */
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

    /**
     * True if FD_SOCK2's report of {@code member}'s broken connection is a crash: it came within the last
     * {@code withinMs}, {@code member} was heard at most {@code talkingMs} before it (a crash interrupts a member that
     * was talking: it sent a heartbeat every interval until then) and nothing was heard from it since (a crashed
     * process says nothing more). FD_SOCK2 reports more than crashes: a connect to a new ping destination that timed
     * out on a busy machine (broadcast to every member: at load ~25 the coordinator removed a node that had joined
     * 0.2 s before and not yet installed its view, "FD_SOCK2 reported its connection broken ... (a crash); not heard
     * for 246 ms"), a connection replaced when the peer reconnected ("... not heard for 0 ms").
     */
    boolean connectionLostWithin(Address member, long withinMs, long talkingMs) {
        Long at = connectionLostNanos.get(member);
        if (at == null || nanoTime.getAsLong() - at > withinMs * 1_000_000L) {
            return false;
        }
        AtomicLong heard = lastHeardNanos.get(member);
        return heard != null && heard.get() <= at && at - heard.get() <= talkingMs * 1_000_000L;
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
