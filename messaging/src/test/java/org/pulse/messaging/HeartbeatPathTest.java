package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.util.TimeScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeats on a dedicated thread keep flowing while JGroups' shared timer is blocked. A task
 * that does not return (here: one that waits {@value #BLOCK_MS} ms, six detection times) holds the
 * timer's runner thread, through which FD_ALL3 sends its heartbeats and checks its peers (in
 * production the runner hands them to the transport's shared thread pool, which a busy machine or
 * a burst of messages saturates with the same effect; here the runner runs them itself, so one
 * blocking task is enough to show it, deterministically). With
 * FD_ALL3 the coordinator's peers then hear nothing from it and suspect it; with {@link Heartbeats}
 * they keep hearing it and raise no suspicion at all. Both halves run here, so the test would fail if
 * the dedicated thread did not matter. Bound: two 3-node clusters, each formed in a few seconds, and
 * one 3 s block each (under 30 s on a quiet machine; every wait is bounded).
 */
class HeartbeatPathTest {
    private static final long DETECTION_MS = 500;
    private static final long BLOCK_MS = 6 * DETECTION_MS;

    @TempDir
    Path dir;

    @Test
    void heartbeatsOnTheirOwnThreadFlowWhileTheSharedTimerIsBlocked() throws Exception {
        long[] raised = blockCoordinatorTimer("dedicated");
        System.out.println("FIGURE heartbeat path: node1's JGroups timer blocked " + BLOCK_MS + " ms: dedicated thread: "
                + "suspicions raised by node2/node3 = " + raised[0] + "/" + raised[1] + ", views without node1 = " + raised[2]);
        assertEquals(0, raised[0] + raised[1], "suspicions of node1, whose heartbeats must not depend on the timer");
        assertEquals(0, raised[2], "views without the healthy node1");
    }

    @Test
    void withHeartbeatsOnTheSharedTimerTheSameBlockRaisesSuspicions() throws Exception {
        System.setProperty(Messenger.SHARED_TIMER_PROPERTY, "true");
        long[] raised;
        try {
            raised = blockCoordinatorTimer("shared");
        } finally {
            System.clearProperty(Messenger.SHARED_TIMER_PROPERTY);
        }
        System.out.println("FIGURE heartbeat path: node1's JGroups timer blocked " + BLOCK_MS + " ms: FD_ALL3 on the shared"
                + " timer: suspicions raised by node2/node3 = " + raised[0] + "/" + raised[1] + ", views without node1 = "
                + raised[2]);
        assertTrue(raised[0] + raised[1] > 0, "FD_ALL3 on the blocked timer should have let node1 go silent");
    }

    /** Forms node1..3 (node1 coordinator), blocks node1's timer; returns node2's and node3's suspicions and views lost. */
    private long[] blockCoordinatorTimer(String name) throws Exception {
        try (TestCluster c = new TestCluster(dir, "hbpath-" + name, 3, DETECTION_MS)) {
            c.start(0);
            c.recorder(0).awaitView(v -> v.size() == 1, 30_000, "node1 alone first, so it is the coordinator");
            c.start(1);
            c.start(2);
            for (int i = 0; i < 3; i++) {
                c.recorder(i).awaitView(v -> v.size() == 3, 30_000, "3 members");
            }
            // Let the joins settle: views are acked, no join traffic stands in for heartbeats.
            Thread.sleep(2 * DETECTION_MS);
            long[] before = {raised(c.node(1)), raised(c.node(2))};
            int[] viewsBefore = {c.recorder(1).views().size(), c.recorder(2).views().size()};
            TimeScheduler timer = c.node(0).channel().getProtocolStack().getTransport().getTimer();
            // Short tasks run on the timer's runner thread itself (JGroups' non_blocking_task_handling),
            // so one task that does not return holds every task behind it: a timer stuck as a busy
            // machine or a saturated pool sticks it, made deterministic.
            ((org.jgroups.util.TimeScheduler3) timer).setNonBlockingTaskHandling(true);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch blocked = new CountDownLatch(1);
            // can_block = false: the task runs on the timer's runner thread itself, so every task behind it waits.
            timer.schedule(() -> {
                blocked.countDown();
                try {
                    release.await(BLOCK_MS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, 1, TimeUnit.MILLISECONDS, false); // through the queue: at 0 the caller would run it itself
            assertTrue(blocked.await(10, TimeUnit.SECONDS), "the blocking task started on node1's timer");
            long sentBefore = sent(c.node(0));
            Thread.sleep(BLOCK_MS);
            System.out.println("node1 heartbeats sent while its timer was blocked: " + (sent(c.node(0)) - sentBefore));
            release.countDown();
            long lost = 0;
            for (int i = 1; i < 3; i++) {
                List<ClusterView> views = c.recorder(i).views();
                lost += views.subList(Math.min(viewsBefore[i - 1], views.size()), views.size()).stream()
                        .filter(v -> !v.members().contains("node1")).count();
            }
            return new long[] {raised(c.node(1)) - before[0], raised(c.node(2)) - before[1], lost};
        }
    }

    private static long sent(Messenger m) {
        Heartbeats h = m.heartbeats();
        if (h != null) {
            return h.heartbeatsSent();
        }
        FD_ALL3 fd = m.channel().getProtocolStack().findProtocol(FD_ALL3.class);
        return fd.getHeartbeatsSent();
    }

    private static long raised(Messenger m) {
        Heartbeats h = m.heartbeats();
        if (h != null) {
            return h.suspicionsRaised();
        }
        FD_ALL3 fd = m.channel().getProtocolStack().findProtocol(FD_ALL3.class);
        return fd.getSuspectEventsSent();
    }
}
