package org.pulse.messaging;

import org.jgroups.Message;
import org.jgroups.util.MaxOneThreadPerSender;
import org.jgroups.util.MessageBatch;

/**
 * JGroups' default message processing ("max": ordered messages one sender at a time on the transport's pool),
 * except that out-of-band messages go up on the connection's receiver thread instead of a hand-off to the pool.
 *
 * <p>Why: at idle nearly every message is an out-of-band heartbeat (~60 of 64 msgs/s per node at 8 nodes), and each
 * hand-off woke a pool thread, so a heartbeat was heard only once the pool ran: a saturated or starved pool silenced
 * every peer at once (HeartbeatPathTest). The CPU saved is small: at 8 idle nodes (load 24-35) the pool went from
 * 1.20 to 0.42 % of a core per node and the receiver threads from 0.99 to 1.58, which now do the work themselves. It
 * goes up only as far as {@link SealProtocol}, which is directly above the transport: the seal opens it there and
 * keeps a heartbeat on this thread (the protocols below {@link Heartbeats}, and Heartbeats itself, only note when a
 * member was heard: no lock held long, no blocking send, bundlers queue and drop) and hands every other message to
 * the pool, as before. A receiver thread must never wait on something above the seal: it is the only reader of its
 * connection, so a wait there would silence that peer's heartbeats too.
 *
 * <p>Only with the seal: without it nothing would hand the rest back to the pool ({@link StackFactory}). Public with a
 * public constructor only because JGroups 5.5.7 makes the policy itself, by class name, when the transport starts (an
 * instance given to it is replaced by its default); not an API.
 */
public final class OobOnReceiverThread extends MaxOneThreadPerSender {
    public OobOnReceiverThread() {
    }

    @Override
    public boolean process(Message msg, boolean oob) {
        if (!oob) {
            return super.process(msg, oob);
        }
        // As JGroups' own hand-off does on the pool thread: check the cluster name, drop our own multicasts.
        tp.passMessageUp(msg, true, msg.getDest() == null, true);
        return true;
    }

    @Override
    public boolean process(MessageBatch batch, boolean oob) {
        if (!oob) {
            return super.process(batch, oob);
        }
        if (batch.isEmpty() || (!batch.multicast() && tp.unicastDestMismatch(batch.dest()))) {
            return true;
        }
        tp.passBatchUp(batch, true, true);
        return true;
    }
}
