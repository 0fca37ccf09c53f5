package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MERGE3's partition discovery, counted: eight real channels on loopback, where only the coordinator
 * runs rounds and sends INFO (CoordinatorMerge3), against the same cluster with JGroups' behaviour
 * (every member does). Bound: two 8-node clusters formed one after the other, 8 s watched each.
 */
class Merge3TrafficTest {
    private static final int N = 8;
    private static final long WATCH_MS = 8_000;

    @TempDir
    Path dir;

    /** INFO messages sent per second by each member, and messages received per second per member, over the window. */
    private record Counted(long[] info, double infoPerS, double receivedPerMemberS, boolean[] senderRunning) {
    }

    private Counted run(String name) throws Exception {
        try (TestCluster c = new TestCluster(dir, name, N, Timing.DEFAULT_FAILURE_DETECTION_MS)) {
            for (int i = 0; i < N; i++) {
                c.start(i);
            }
            for (int i = 0; i < N; i++) {
                c.recorder(i).awaitView(v -> v.members().size() == N, 60_000, TestCluster.name(i) + " sees " + N + " members");
            }
            CoordinatorMerge3[] merge = new CoordinatorMerge3[N];
            long[] infoBefore = new long[N];
            long[] receivedBefore = new long[N];
            for (int i = 0; i < N; i++) {
                merge[i] = c.node(i).channel().getProtocolStack().findProtocol(CoordinatorMerge3.class);
                infoBefore[i] = merge[i].infoSent();
                receivedBefore[i] = c.node(i).messagesReceived();
            }
            long t0 = System.nanoTime();
            Thread.sleep(WATCH_MS);
            double s = (System.nanoTime() - t0) / 1e9;
            long[] info = new long[N];
            boolean[] running = new boolean[N];
            long infoTotal = 0;
            long receivedTotal = 0;
            for (int i = 0; i < N; i++) {
                info[i] = merge[i].infoSent() - infoBefore[i];
                running[i] = merge[i].isInfoSenderRunning();
                infoTotal += info[i];
                receivedTotal += c.node(i).messagesReceived() - receivedBefore[i];
            }
            return new Counted(info, infoTotal / s, receivedTotal / s / N, running);
        }
    }

    @Test
    void onlyTheCoordinatorLooksForPartitions() throws Exception {
        Counted coords = run("merge3c");
        Counted all;
        System.setProperty(CoordinatorMerge3.ALL_MEMBERS_PROPERTY, "true");
        try {
            all = run("merge3a");
        } finally {
            System.clearProperty(CoordinatorMerge3.ALL_MEMBERS_PROPERTY);
        }
        System.out.printf("FIGURE MERGE3, %d nodes, D = 500: INFO sent %.1f/s for the cluster with only the coordinator"
                + " looking (%.1f messages/s received per member, heartbeats included), %.1f/s with every member"
                + " (%.1f messages/s per member)%n", N, coords.infoPerS(), coords.receivedPerMemberS(), all.infoPerS(),
                all.receivedPerMemberS());
        // node1 (the first to start) coordinates; the others run no rounds at all.
        assertTrue(coords.senderRunning()[0], "the coordinator runs MERGE3's rounds");
        assertTrue(coords.info()[0] > 0, "the coordinator sent INFO");
        for (int i = 1; i < N; i++) {
            assertFalse(coords.senderRunning()[i], TestCluster.name(i) + " does not coordinate: no rounds");
            assertEquals(0, coords.info()[i], TestCluster.name(i) + " sent INFO");
        }
        // One round at most every second (MERGE3: max(min, random(max) + max / 2) = 1..3 s at D = 500), N - 1 INFO each.
        long rounds = WATCH_MS / 1000 + 1;
        assertTrue(java.util.Arrays.stream(coords.info()).sum() <= (N - 1) * rounds, "INFO sent " + java.util.Arrays.toString(coords.info()));
        // With every member looking, INFO grows with the square of the cluster: several times more.
        assertTrue(all.infoPerS() > 3 * coords.infoPerS(), "all members " + all.infoPerS() + " vs coordinator " + coords.infoPerS());
    }
}
