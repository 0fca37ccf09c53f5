package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.jgroups.util.ThreadPool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeats are read on the connection's receiver thread ({@link OobOnReceiverThread}): node2 goes on hearing its
 * peers while its transport's thread pool runs nothing for {@value #BLOCK_MS} ms (six detection times), as a
 * saturated or starved pool would. Before, every heartbeat waited for a pool thread, so node2 heard none in that time.
 * Everything else still waits for the pool (the seal hands it there), and runs once the pool is back. Bound: one 3-node
 * cluster formed in a few seconds and one 3 s block (every wait bounded).
 */
class HeartbeatReceiveTest {
    private static final long DETECTION_MS = 500;
    private static final long BLOCK_MS = 6 * DETECTION_MS;

    @TempDir
    Path dir;

    @Test
    void heartbeatsAreHeardWhileTheTransportsPoolRunsNothing() throws Exception {
        try (TestCluster c = new TestCluster(dir, "hbreceive", 3, DETECTION_MS)) {
            for (int i = 0; i < 3; i++) {
                c.start(i);
            }
            for (int i = 0; i < 3; i++) {
                c.recorder(i).awaitView(v -> v.size() == 3, 30_000, "3 members");
            }
            Thread.sleep(2 * DETECTION_MS); // the joins settle
            Messenger node2 = c.node(1);
            ThreadPool pool = node2.channel().getProtocolStack().getTransport().getThreadPool();
            Executor running = pool.getThreadPool();
            List<Runnable> held = new ArrayList<>();
            long receivedBefore = node2.heartbeats().heartbeatsReceived();
            long raisedBefore = node2.heartbeats().suspicionsRaised();
            // What the pool is given meanwhile waits, as behind threads that are all busy.
            pool.setThreadPool(task -> {
                synchronized (held) {
                    held.add(task);
                }
            });
            long heard;
            int heldCount;
            try {
                Thread.sleep(BLOCK_MS);
                heard = node2.heartbeats().heartbeatsReceived() - receivedBefore;
            } finally {
                pool.setThreadPool(running);
                synchronized (held) {
                    heldCount = held.size();
                    held.forEach(running::execute);
                }
            }
            long due = 2 * BLOCK_MS / Timing.derive(DETECTION_MS).heartbeatIntervalMs();
            System.out.println("FIGURE heartbeat receive: node2's pool ran nothing for " + BLOCK_MS + " ms: it heard " + heard
                    + " of " + due + " heartbeats due, " + heldCount + " other deliveries waited for the pool, suspicions raised "
                    + (node2.heartbeats().suspicionsRaised() - raisedBefore) + " (load " + loadAverage() + ")");
            // Suspicions are printed, not asserted: at load 50 the JVM itself misses the CPU now and then.
            // A quarter of what its two peers sent: they beat whatever node2's pool does, if node2 reads them itself.
            assertTrue(heard >= due / 4, "node2 heard only " + heard + " of " + due + " heartbeats while its pool ran nothing");
        }
    }

    private static String loadAverage() {
        try {
            return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }
}
