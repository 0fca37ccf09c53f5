package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MERGE3's partition discovery, counted: eight real channels on loopback, where only the coordinator
 * runs full rounds and the others send one INFO a round to it (CoordinatorMerge3), against the same
 * cluster with JGroups' behaviour (every member runs full rounds). Bound: two 8-node clusters formed one after the other, 8 s watched each.
 */
class Merge3TrafficTest {
    private static final int N = 8;
    private static final long WATCH_MS = 8_000;

    @TempDir
    Path dir;

    /** INFO messages sent per second by each member, and messages received per second per member, over the window. */
    private record Counted(long[] info, long[] fullRounds, double infoPerS, double receivedPerMemberS, boolean[] senderRunning) {
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
            long[] fullBefore = new long[N];
            for (int i = 0; i < N; i++) {
                merge[i] = c.node(i).channel().getProtocolStack().findProtocol(CoordinatorMerge3.class);
                infoBefore[i] = merge[i].infoSent();
                fullBefore[i] = merge[i].memberFullRounds();
                receivedBefore[i] = c.node(i).messagesReceived();
            }
            long t0 = System.nanoTime();
            Thread.sleep(WATCH_MS);
            double s = (System.nanoTime() - t0) / 1e9;
            long[] info = new long[N];
            long[] full = new long[N];
            boolean[] running = new boolean[N];
            long infoTotal = 0;
            long receivedTotal = 0;
            for (int i = 0; i < N; i++) {
                info[i] = merge[i].infoSent() - infoBefore[i];
                full[i] = merge[i].memberFullRounds() - fullBefore[i];
                running[i] = merge[i].isInfoSenderRunning();
                infoTotal += info[i];
                receivedTotal += c.node(i).messagesReceived() - receivedBefore[i];
            }
            return new Counted(info, full, infoTotal / s, receivedTotal / s / N, running);
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
                + " running full rounds (%.1f messages/s received per member, heartbeats included), %.1f/s with every member"
                + " (%.1f messages/s per member)%n", N, coords.infoPerS(), coords.receivedPerMemberS(), all.infoPerS(),
                all.receivedPerMemberS());
        // node1 (the first to start) coordinates and runs JGroups' full rounds; the others send one INFO a round to it
        // (at most one round a second: MERGE3's spacing is max(min, random(max) + max / 2) = 1..3 s at D = 500) and a
        // full round every FULL_ROUND_EVERY-th.
        long rounds = WATCH_MS / 1000 + 1;
        assertTrue(coords.senderRunning()[0], "the coordinator runs MERGE3's rounds");
        assertTrue(coords.info()[0] > 0 && coords.info()[0] <= (N - 1) * rounds, "the coordinator sent " + coords.info()[0]);
        long fullRounds = 0;
        for (int i = 1; i < N; i++) {
            assertFalse(coords.senderRunning()[i], TestCluster.name(i) + " does not coordinate: no JGroups rounds");
            fullRounds += coords.fullRounds()[i];
            assertTrue(coords.info()[i] <= rounds + coords.fullRounds()[i] * (N - 1),
                    TestCluster.name(i) + " sent " + coords.info()[i] + " INFO in " + coords.fullRounds()[i] + " full rounds");
        }
        assertTrue(fullRounds <= N - 1, "members' full rounds " + fullRounds + ": one in " + CoordinatorMerge3.FULL_ROUND_EVERY);
        // With every member running full rounds, INFO grows with the square of the cluster: several times more.
        assertTrue(all.infoPerS() > 2 * coords.infoPerS(), "all members " + all.infoPerS() + " vs coordinator " + coords.infoPerS());
    }
}
