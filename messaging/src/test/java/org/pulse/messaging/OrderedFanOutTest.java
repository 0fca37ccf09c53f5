package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fan-out to every other member goes as one multicast, and each member delivers it in its sender's
 * order with the unicasts around it, although JGroups carries the two in separate streams: real sealed
 * channels on loopback, one member's receipt of one stream slowed down below the ordering layers.
 */
class OrderedFanOutTest {
    private static final long SLOW_MS = 400;

    @TempDir
    Path dir;

    /** Holds back, on the receiving node, one sender's unicasts or multicasts for {@link #SLOW_MS} while on. */
    static final class SlowStream extends Protocol {
        private final ScheduledExecutorService later = Executors.newSingleThreadScheduledExecutor();
        volatile Address from;
        volatile Boolean unicasts;

        private boolean slowed(Message m) {
            Boolean u = unicasts;
            return u != null && m.getSrc() != null && m.getSrc().equals(from) && (m.getDest() != null) == u;
        }

        @Override
        public Object up(Message msg) {
            if (slowed(msg)) {
                later.schedule(() -> up_prot.up(msg), SLOW_MS, TimeUnit.MILLISECONDS);
                return null;
            }
            return up_prot.up(msg);
        }

        @Override
        public void up(MessageBatch batch) {
            List<Message> pass = new ArrayList<>();
            for (Message m : batch) {
                if (slowed(m)) {
                    later.schedule(() -> up_prot.up(m), SLOW_MS, TimeUnit.MILLISECONDS);
                } else {
                    pass.add(m);
                }
            }
            batch.clear();
            pass.forEach(batch::add);
            if (!batch.isEmpty()) {
                batch.determineMode();
                up_prot.up(batch);
            }
        }

        @Override
        public void stop() {
            later.shutdownNow();
        }
    }

    private static List<String> types(Recorder r, String prefix) {
        return r.messages().stream().map(Envelope::type).filter(t -> t.startsWith(prefix)).toList();
    }

    private static void awaitTypes(Recorder r, String prefix, int n, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (types(r, prefix).size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; got " + types(r, prefix));
            }
            Thread.sleep(10);
        }
    }

    private static void formThree(TestCluster c) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            c.start(i);
        }
        for (int i = 0; i < 3; i++) {
            c.recorder(i).awaitView(v -> v.size() == 3, 15_000, TestCluster.name(i) + " sees 3 members");
        }
    }

    @Test
    void aMulticastIsNeverDeliveredBeforeTheUnicastSentBeforeItNorAUnicastBeforeTheMulticast() throws Exception {
        try (TestCluster c = new TestCluster(dir, "ordered", 3, 2_000)) {
            formThree(c);
            SlowStream slow = new SlowStream();
            ClusterTest.insertAboveTransport(c.node(1), slow);
            slow.from = c.node(0).channel().getAddress();
            Messenger dc = c.node(0);

            // A join's CIB (unicast) then the first diff (to every member): node2 gets the unicast late.
            slow.unicasts = true;
            assertTrue(dc.send("node2", "test.u1", new byte[] {1}));
            assertEquals(List.of(), dc.sendToEach(List.of("node2", "node3"), "test.m1", new byte[] {2}));
            assertEquals(1, dc.multicastFanOuts(), "the fan-out went as one multicast");
            awaitTypes(c.recorder(2), "test.m", 1, "node3 gets the multicast");
            awaitTypes(c.recorder(1), "test.", 2, "node2 gets both");
            assertEquals(List.of("test.u1", "test.m1"), types(c.recorder(1), "test."), "node2 in sending order");

            // The other way round: a diff to every member, then an order to one of them; node2 gets the multicast late.
            slow.unicasts = false;
            dc.sendToEach(List.of("node3", "node2"), "test.m2", new byte[] {3});
            assertTrue(dc.send("node2", "test.u2", new byte[] {4}));
            awaitTypes(c.recorder(1), "test.", 4, "node2 gets all four");
            assertEquals(List.of("test.u1", "test.m1", "test.m2", "test.u2"), types(c.recorder(1), "test."));
            assertEquals(List.of("test.m1", "test.m2"), types(c.recorder(2), "test."));
            assertEquals(2, dc.multicastFanOuts());
            assertEquals(0, c.node(1).outOfOrderDrops());

            // Not every other member, or not only members: one unicast each, as before.
            assertEquals(List.of("node9"), dc.sendToEach(List.of("node3", "node9"), "test.only3", new byte[0]));
            assertEquals(2, dc.multicastFanOuts());
            awaitTypes(c.recorder(2), "test.only3", 1, "node3 gets its unicast");
        }
    }

    @Test
    void aMemberThatDoesNotReadOrderSectionsGetsUnicastsAndEveryoneStillHearsEverything() throws Exception {
        try (TestCluster c = new TestCluster(dir, "mixed", 3, 2_000)) {
            c.start(0);
            c.start(1);
            // node3 as a node of the previous version: it does not advertise ordered delivery.
            System.setProperty(Messenger.UNICAST_FAN_OUT_PROPERTY, "true");
            try {
                c.start(2);
            } finally {
                System.clearProperty(Messenger.UNICAST_FAN_OUT_PROPERTY);
            }
            for (int i = 0; i < 3; i++) {
                c.recorder(i).awaitView(v -> v.size() == 3, 15_000, TestCluster.name(i) + " sees 3 members");
            }
            Messenger dc = c.node(0);
            assertEquals(List.of(), dc.sendToEach(List.of("node2", "node3"), "test.m1", new byte[] {1}));
            dc.broadcast("test.b1", new byte[] {2});
            assertEquals(0, dc.multicastFanOuts(), "not every member reads order sections: one unicast each");
            for (int i = 1; i < 3; i++) {
                awaitTypes(c.recorder(i), "test.", 2, TestCluster.name(i) + " gets both");
            }
        }
    }
}
