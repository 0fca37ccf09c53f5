package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages counted by kind on three real channels: heartbeats, GMS's join, and crmd's own envelopes by
 * type, in and out. Bound: one 3-node cluster, a few seconds; every wait is bounded.
 */
class TrafficKindsTest {
    @TempDir
    Path dir;

    @Test
    void countsHeartbeatsJoinsAndEnvelopesByType() throws Exception {
        try (TestCluster c = new TestCluster(dir, "kinds", 3, 500)) {
            for (int i = 0; i < 3; i++) {
                c.start(i);
            }
            for (int i = 0; i < 3; i++) {
                c.recorder(i).awaitView(v -> v.members().size() == 3, 30_000, TestCluster.name(i) + " sees 3 members");
            }
            c.node(0).broadcast("kinds-test", "hello".getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + 10_000_000_000L;
            Map<String, Long> receiver = c.node(1).messagesByKind();
            Map<String, Long> sender = c.node(0).messagesByKind();
            // Heartbeats go every 50 ms from the views on: wait (bounded) for the broadcast and a heartbeat each way.
            while ((receiver.getOrDefault("in crmd kinds-test", 0L) == 0 || receiver.getOrDefault("in heartbeat", 0L) == 0
                    || sender.getOrDefault("out heartbeat", 0L) == 0) && System.nanoTime() < deadline) {
                Thread.sleep(20);
                receiver = c.node(1).messagesByKind();
                sender = c.node(0).messagesByKind();
            }
            System.out.println("FIGURE traffic kinds: node1 " + sender + "; node2 " + receiver);
            assertTrue(receiver.getOrDefault("in crmd kinds-test", 0L) == 1, "node2 counted the broadcast once: " + receiver);
            assertTrue(sender.getOrDefault("out crmd kinds-test", 0L) == 1, "node1 counted its broadcast once: " + sender);
            assertTrue(receiver.getOrDefault("in NAKACK2.crmd-multicast", 0L) >= 1, "as a multicast: " + receiver);
            assertTrue(receiver.getOrDefault("in heartbeat", 0L) > 0 && sender.getOrDefault("out heartbeat", 0L) > 0,
                    "heartbeats in and out: " + sender + " " + receiver);
            // node2 and node3 joined node1: their JOIN_REQ went out, node1's JOIN_RSP came back.
            assertTrue(receiver.getOrDefault("out GMS.JOIN_REQ", 0L) >= 1 && receiver.getOrDefault("in GMS.JOIN_RSP", 0L) >= 1,
                    "a join: " + receiver);
        }
    }
}
