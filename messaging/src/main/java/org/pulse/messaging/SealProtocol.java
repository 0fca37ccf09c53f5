package org.pulse.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.PhysicalAddress;
import org.jgroups.stack.Protocol;
import org.jgroups.util.ByteArray;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;

/**
 * Seals every JGroups message with the cluster key, directly above the transport, so that
 * nothing a node without the key sends reaches any other protocol: not discovery (so it never
 * learns the members), not JOIN or MERGE (so it never enters a view), not heartbeats or suspicions,
 * not application messages.
 *
 * <p>Why not SYM_ENCRYPT + AUTH (JGroups 5.5.7, read in its source and checked by
 * {@code SymEncryptGapTest}): SYM_ENCRYPT encrypts only the payload, leaving every header (GMS,
 * NAKACK2, UNICAST3, FD) in clear and unauthenticated; a message without payload (heartbeats,
 * many GMS messages) is passed up unchecked as soon as its header carries the key's version
 * (an MD5 of the key, visible on the wire); its default cipher is AES/ECB with no MAC. AUTH only
 * filters JOIN and MERGE requests. Here the whole message (headers, payload, source address) is
 * serialized and sealed with AES-GCM ({@link Sealer}); a message that does not open is dropped,
 * counted and logged with its sender.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class SealProtocol extends Protocol {
    private final Sealer sealer;
    private final DropLog dropLog;
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();

    /** Whether the transport passes out-of-band messages up on its receiver threads (set at start from its policy). */
    private volatile boolean oobOnReceiverThread;

    /** With two links every message arrives twice; with one, a duplicate can only be a replay. */
    private final boolean duplicatesExpected;

    SealProtocol(Sealer sealer, DropLog dropLog, boolean duplicatesExpected) {
        this.sealer = sealer;
        this.dropLog = dropLog;
        this.duplicatesExpected = duplicatesExpected;
    }

    /** Messages refused since start (not sealed, wrong key, altered, or claiming another source). */
    long rejectedCount() {
        return rejected.get();
    }

    long openedCount() {
        return opened.get();
    }

    /** Authentic messages refused as already received: second copies over two links, or replays. */
    long duplicateCount() {
        return duplicates.get();
    }

    @Override
    public Object down(Message msg) {
        // The source goes inside the seal so it is authenticated too; TP would otherwise fill it
        // in below us, in clear.
        if (msg.getSrc() == null) {
            msg.setSrc(local_addr);
        }
        byte[] sealed;
        try {
            ByteArray plain = Util.messageToBuffer(msg);
            sealed = sealer.seal(plain.getArray(), plain.getOffset(), plain.getLength());
        } catch (Exception e) {
            throw new IllegalStateException("could not serialize a message to seal it", e);
        }
        Message outer = new BytesMessage(msg.getDest(), sealed);
        outer.setSrc(msg.getSrc());
        // TP picks the delivery path (OOB or ordered, loopback or not) from the flags, so the
        // outer message carries the inner one's.
        outer.setFlag(msg.getFlags(false), false);
        outer.setFlag(msg.getFlags(true), true);
        return down_prot.down(outer);
    }

    @Override
    public void start() throws Exception {
        super.start();
        oobOnReceiverThread = getTransport().msgProcessingPolicy() instanceof OobOnReceiverThread;
    }

    @Override
    public Object up(Message msg) {
        Message inner = open(msg, msg.getSrc());
        if (inner == null) {
            return null;
        }
        if (oobOnReceiverThread && msg.isFlagSet(Message.Flag.OOB) && !Heartbeats.isHeartbeat(inner)) {
            handOff(() -> up_prot.up(inner));
            return null;
        }
        return up_prot.up(inner);
    }

    @Override
    public void up(MessageBatch batch) {
        // Read before the batch is refilled with the opened messages.
        boolean onReceiverThread = oobOnReceiverThread && batch.mode() == MessageBatch.Mode.OOB;
        List<Message> inner = new ArrayList<>(batch.size());
        for (Message msg : batch) {
            Message m = open(msg, msg.getSrc() != null ? msg.getSrc() : batch.sender());
            if (m != null) {
                inner.add(m);
            }
        }
        batch.clear();
        for (Message m : inner) {
            if (onReceiverThread && Heartbeats.isHeartbeat(m)) {
                up_prot.up(m);
            } else {
                batch.add(m);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        batch.determineMode();
        if (onReceiverThread) {
            handOff(() -> up_prot.up(batch));
        } else {
            up_prot.up(batch);
        }
    }

    /**
     * On the receiver thread (out-of-band, {@link OobOnReceiverThread}) only a heartbeat goes on up: anything else
     * may reach a protocol or a listener that waits, and this thread is the only reader of its connection. As
     * JGroups' own hand-off, a pool that refuses the task drops the message (the sender retransmits what matters).
     */
    private void handOff(Runnable delivery) {
        getTransport().getThreadPool().execute(delivery);
    }

    private Message open(Message outer, Address outerSrc) {
        if (!outer.hasArray()) {
            return reject(outerSrc, "message is not sealed (no payload): the sender runs without the cluster key, or is not Pulse");
        }
        Message inner;
        Sealer.Opened opened;
        try {
            opened = sealer.open(outer.getArray(), outer.getOffset(), outer.getLength());
            inner = Util.messageFromBuffer(opened.plain(), 0, opened.plain().length);
        } catch (Sealer.DuplicateException e) {
            duplicates.incrementAndGet();
            return duplicatesExpected ? null : reject(outerSrc, e.getMessage());
        } catch (Sealer.SealException e) {
            return reject(outerSrc, e.getMessage());
        } catch (Exception e) {
            // Sealed by a key holder but not a message we can read: a JGroups version mismatch.
            return reject(outerSrc, "sealed message does not deserialize (" + e + "); run the same Pulse version everywhere");
        }
        if (inner.getSrc() == null) {
            inner.setSrc(outerSrc);
        } else if (outerSrc != null && !outerSrc.equals(inner.getSrc())) {
            return reject(outerSrc, "sealed message claims source " + inner.getSrc() + " but came from " + outerSrc
                    + " (replayed or relayed)");
        }
        // The name inside the JGroups address is what views and envelopes are named by; it must be
        // the name the seal authenticated, or a key holder could seal as one node and act as another.
        String claimed = Messenger.nameOf(inner.getSrc());
        if (inner.getSrc() instanceof org.jgroups.util.ExtendedUUID && !claimed.equals(opened.sender())) {
            return reject(outerSrc, "sealed by " + opened.sender() + " but its JGroups address names " + claimed);
        }
        // Likewise the incarnation in the address, from which view ids are made: a view named after
        // an incarnation its creator did not seal under could repeat an earlier view's id.
        long claimedIncarnation = Messenger.incarnationOf(inner.getSrc());
        if (claimedIncarnation != 0 && claimedIncarnation != opened.incarnation()) {
            return reject(outerSrc, "sealed by incarnation " + opened.incarnation() + " of " + opened.sender()
                    + " but its JGroups address names incarnation " + claimedIncarnation);
        }
        this.opened.incrementAndGet();
        return inner;
    }

    private Message reject(Address src, String reason) {
        rejected.incrementAndGet();
        dropLog.dropped(describe(src), reason);
        return null;
    }

    /**
     * The sender as far as we can tell: a refused message is unauthenticated, so its source
     * address (and the name in it) is only what the sender claims; the physical address is
     * known only if that address once passed discovery.
     */
    String describe(Address src) {
        if (src == null) {
            return "an unknown sender";
        }
        PhysicalAddress phys = getTransport() == null ? null : getTransport().getPhysicalAddressFromCache(src);
        return "a sender claiming to be " + src + (phys != null ? " at " + phys : " (physical address unknown: it never passed discovery)");
    }
}
