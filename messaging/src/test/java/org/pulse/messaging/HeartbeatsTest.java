package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Event;
import org.jgroups.Message;
import org.jgroups.protocols.FailureDetection;
import org.jgroups.stack.Protocol;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat protocol's own path allocates nothing: receiving a heartbeat and checking the peers
 * while all of them are heard (the steady state) are measured with the JVM's per-thread allocation
 * counter over 100,000 rounds after a warm-up. (Sending goes through the seal and the transport,
 * which allocate their frame; HeartbeatPathTest covers that the thread keeps sending.)
 */
class HeartbeatsTest {
    private static final long MS = 1_000_000L;

    @Test
    void receivingAndCheckingAllocateNothing() {
        AtomicLong clock = new AtomicLong(1_000 * MS);
        Heartbeats h = new Heartbeats("t", 320, 80, null, 500, 40, clock::get);
        h.setUpProtocol(new Protocol() {
            @Override
            public Object up(Event evt) {
                throw new AssertionError("no suspicion expected: " + evt);
            }

            @Override
            public Object up(Message msg) {
                return null;
            }
        });
        Address a = UUID.randomUUID();
        Address b = UUID.randomUUID();
        h.viewChanged(List.of(a, b)); // the other members (this node's own address is not a peer)
        Message fromA = new EmptyMessage(null).setSrc(a).putHeader(Heartbeats.PROTOCOL_ID, new FailureDetection.HeartbeatHeader());
        Message fromB = new EmptyMessage(null).setSrc(b).putHeader(Heartbeats.PROTOCOL_ID, new FailureDetection.HeartbeatHeader());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 200_000; i++) { // warm-up: class loading and the JIT allocate once
            round(h, clock, fromA, fromB);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            round(h, clock, fromA, fromB);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        System.out.println("FIGURE heartbeats: 100,000 rounds of two heartbeats received and one check: " + allocated + " bytes allocated");
        assertEquals(0, allocated, "bytes allocated on the heartbeat path");
    }

    private static void round(Heartbeats h, AtomicLong clock, Message fromA, Message fromB) {
        clock.addAndGet(80 * MS);
        h.up(fromA);
        h.up(fromB);
        h.check(clock.get());
    }
}
