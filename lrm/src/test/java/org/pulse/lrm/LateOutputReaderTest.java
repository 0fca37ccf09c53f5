package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An agent's output is not lost because the threads reading its pipes ran late (a busy machine): once nothing of
 * its process group is left, EOF is certain and the LRM waits for it beyond drainMs. A fence device's list answer
 * came back empty that way under load, and every fencing attempt of the trial failed. Readers are made late here
 * on purpose: each starts 400 ms after its agent, four times the default drain time.
 */
class LateOutputReaderTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final ExecutorService lateReaders = new java.util.concurrent.AbstractExecutorService() {
        @Override
        public void execute(Runnable r) {
            pool.execute(() -> {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                r.run();
            });
        }

        @Override
        public void shutdown() {
            pool.shutdown();
        }

        @Override
        public List<Runnable> shutdownNow() {
            return pool.shutdownNow();
        }

        @Override
        public boolean isShutdown() {
            return pool.isShutdown();
        }

        @Override
        public boolean isTerminated() {
            return pool.isTerminated();
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
            return pool.awaitTermination(timeout, unit);
        }
    };

    @AfterEach
    void tearDown() {
        pool.shutdownNow();
    }

    @Test
    void theOutputOfAnAgentThatExitedIsReadEvenWhenTheReaderRunsLate() {
        ProcessRunner runner = new ProcessRunner(LrmConfig.defaults(), lateReaders, Clock.systemUTC());
        RawExecution raw = runner.run(new Invocation(List.of("/bin/sh", "-c", "echo n1, n2, n3,; echo oops >&2"), Map.of(),
                List.of(), null, 10_000), new ProcessRunner.Control());
        assertEquals(0, raw.exitValue());
        assertEquals("n1, n2, n3,\n", raw.stdout().text(), "the list answer must not come back empty");
        assertEquals("oops\n", raw.stderr().text());
    }

    @Test
    void aBackgroundChildHoldingThePipeStillDoesNotHoldTheResult() {
        ProcessRunner runner = new ProcessRunner(LrmConfig.defaults(), lateReaders, Clock.systemUTC());
        long t0 = System.nanoTime();
        // The child stays in the agent's group with the pipes open for 20 s (IPaddr2's send_arp does so for seconds).
        RawExecution raw = runner.run(new Invocation(List.of("/bin/sh", "-c", "sleep 20 & echo started"), Map.of(),
                List.of(), null, 10_000), new ProcessRunner.Control());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        runner.killGroup(raw.pid());
        assertEquals(0, raw.exitValue());
        assertTrue(ms < ProcessRunner.LATE_READER_MS - 1_000, "the result waited " + ms + " ms for a background child's pipe");
    }
}
