package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The LRM's queueing and scheduling, on a fake runner (no processes): the rules, not the agents. */
class LrmSchedulingTest {
    private static final AgentRef A = AgentRef.ocf("test", "fake");
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final LinkedBlockingQueue<OperationResult> reported = new LinkedBlockingQueue<>();
    private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    private Lrm lrm;

    private Lrm lrm(BiFunction<OperationRequest, ProcessRunner.Control, ExecOutcome> fake) {
        lrm = new Lrm(fake::apply, null, "node1", clock, timer, workers, reported::add, false);
        return lrm;
    }

    private ExecOutcome rc(int rc) {
        return new ExecOutcome(rc, ExecStatus.DONE, "", "", "", 0, clock.instant(), 1, 4242);
    }

    @AfterEach
    void tearDown() {
        if (lrm != null) {
            lrm.close();
        }
        timer.shutdownNow();
        workers.shutdownNow();
    }

    private OperationResult next() throws InterruptedException {
        OperationResult r = reported.poll(10, TimeUnit.SECONDS);
        if (r == null) {
            throw new AssertionError("no result reported within 10 s");
        }
        return r;
    }

    @Test
    void oneOperationPerResourceAtATimeAndResourcesInParallel() throws Exception {
        Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
        AtomicInteger maxPerResource = new AtomicInteger();
        CountDownLatch bStarted = new CountDownLatch(1);
        List<String> order = Collections.synchronizedList(new ArrayList<>());
        lrm((req, control) -> {
            int now = running.computeIfAbsent(req.resourceId(), k -> new AtomicInteger()).incrementAndGet();
            maxPerResource.accumulateAndGet(now, Math::max);
            order.add(req.resourceId() + ":" + req.action());
            try {
                if (req.resourceId().equals("a") && req.action().equals("start")) {
                    // Holds resource a until b has started: deadlocks (and fails below) unless they run in parallel.
                    if (!bStarted.await(10, TimeUnit.SECONDS)) {
                        return rc(1);
                    }
                }
                if (req.resourceId().equals("b")) {
                    bStarted.countDown();
                }
                Thread.sleep(5);
                return rc(0);
            } catch (InterruptedException e) {
                return rc(1);
            } finally {
                running.get(req.resourceId()).decrementAndGet();
            }
        });
        Lrm.Submission s1 = lrm.submit(OperationRequest.of("a", A, "start", 1000, Map.of()));
        Lrm.Submission s2 = lrm.submit(OperationRequest.of("a", A, "monitor", 1000, Map.of()));
        Lrm.Submission s3 = lrm.submit(OperationRequest.of("a", A, "stop", 1000, Map.of()));
        Lrm.Submission s4 = lrm.submit(OperationRequest.of("b", A, "start", 1000, Map.of()));
        assertEquals(0, s1.result().get(10, TimeUnit.SECONDS).rcCode(), "a's start waited for b in parallel");
        s2.result().get(10, TimeUnit.SECONDS);
        s3.result().get(10, TimeUnit.SECONDS);
        s4.result().get(10, TimeUnit.SECONDS);
        assertEquals(1, maxPerResource.get(), "two operations of one resource overlapped");
        List<String> aOrder = order.stream().filter(s -> s.startsWith("a:")).toList();
        assertEquals(List.of("a:start", "a:monitor", "a:stop"), aOrder, "submission order per resource");
        assertTrue(s1.callId() < s2.callId() && s2.callId() < s3.callId());
        assertEquals(List.of("a_start_0", "a_monitor_0", "a_stop_0"),
                lrm.history("a").stream().map(OperationResult::operationKey).toList());
    }

    @Test
    void recurringMonitorReportsOnlyChangesAndStopCancelsIt() throws Exception {
        // The monitor's rc over its runs: 0 0 0 7 7 0 0 0 ...
        int[] script = {0, 0, 0, 7, 7, 0};
        AtomicInteger runs = new AtomicInteger();
        lrm((req, control) -> {
            if (req.action().equals("monitor")) {
                int n = runs.getAndIncrement();
                return rc(n < script.length ? script[n] : 0);
            }
            return rc(0);
        });
        Lrm.Submission mon = lrm.submit(OperationRequest.monitor("d", A, 5, 1000, Map.of()));
        assertEquals(0, mon.result().get(10, TimeUnit.SECONDS).rcCode());
        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            OperationResult r = next();
            assertEquals("d_monitor_5", r.operationKey());
            assertEquals(mon.callId(), r.callId(), "a recurring op keeps its call id");
            seen.add(r.rcCode());
        }
        assertEquals(List.of(0, 7, 0), seen, "reported only on change");
        while (runs.get() < script.length + 3) {
            Thread.sleep(5);
        }
        assertTrue(reported.isEmpty(), "unchanged results were reported: " + reported);
        assertEquals(1, lrm.recurring("d").size());

        OperationResult stop = lrm.submit(OperationRequest.of("d", A, "stop", 1000, Map.of())).result().get(10, TimeUnit.SECONDS);
        assertEquals(0, stop.rcCode());
        OperationResult cancelled = next();
        assertEquals("d_monitor_5", cancelled.operationKey());
        assertEquals(ExecStatus.CANCELLED, cancelled.execStatus());
        assertEquals("d_stop_0", next().operationKey());
        assertTrue(lrm.recurring("d").isEmpty());
        int after = runs.get();
        Thread.sleep(50); // ten intervals: a monitor still scheduled would have run
        assertEquals(after, runs.get(), "the monitor ran after stop");
        assertTrue(lrm.history("d").stream().noneMatch(r -> r.intervalMs() > 0), "cancelled op left in history");
    }

    @Test
    void stopKillsAMonitorInProgressWhichReportsCancelled() throws Exception {
        CountDownLatch monitorRunning = new CountDownLatch(1);
        lrm((req, control) -> {
            if (req.action().equals("monitor")) {
                monitorRunning.countDown();
                while (!control.isCancelled()) {
                    Thread.onSpinWait();
                }
                return rc(1);
            }
            return rc(0);
        });
        lrm.submit(OperationRequest.monitor("d", A, 10_000, 1000, Map.of()));
        assertTrue(monitorRunning.await(10, TimeUnit.SECONDS));
        Lrm.Submission stop = lrm.submit(OperationRequest.of("d", A, "stop", 1000, Map.of()));
        OperationResult first = next();
        assertEquals(ExecStatus.CANCELLED, first.execStatus(), first.summary());
        assertEquals(0, stop.result().get(10, TimeUnit.SECONDS).rcCode());
        assertTrue(lrm.lastFailure("d").isEmpty(), "a cancelled monitor is not a failure");
    }

    @Test
    void explicitCancelAndFailures() throws Exception {
        lrm((req, control) -> req.action().equals("start") ? rc(1) : rc(7));
        assertFalse(lrm.cancel("nope", "monitor", 1000));
        OperationResult start = lrm.submit(OperationRequest.of("x", A, "start", 1000, Map.of())
                .withTransitionKey("3:1:0:uuid")).result().get(10, TimeUnit.SECONDS);
        assertFalse(start.isExpected());
        assertEquals("0:1;3:1:0:uuid", start.transitionMagic());
        assertEquals(start, lrm.lastFailure("x").orElseThrow());
        Map<String, String> cib = start.toLrmRscOpAttributes("3.16.1");
        assertEquals("x_start_0", cib.get("operation_key"));
        assertEquals("1", cib.get("rc-code"));
        assertEquals("0", cib.get("op-status"));
        assertEquals("node1", cib.get("on_node"));
        assertEquals(Long.toString(clock.instant().getEpochSecond()), cib.get("last-rc-change"));
        OperationResult probe = lrm.submit(OperationRequest.probe("x", A, 1000, Map.of())).result().get(10, TimeUnit.SECONDS);
        assertTrue(probe.isExpected(), "a probe expects 7");
        lrm.submit(OperationRequest.monitor("x", A, 60_000, 1000, Map.of())).result().get(10, TimeUnit.SECONDS);
        assertTrue(lrm.cancel("x", "monitor", 60_000));
        assertTrue(lrm.recurring("x").isEmpty());
        assertFalse(lrm.cancel("x", "monitor", 60_000));
    }

    @Test
    void startDelayIsSpentQueuedAndCounted() throws Exception {
        lrm((req, control) -> rc(0));
        OperationResult r = lrm.submit(OperationRequest.of("s", A, "start", 1000, Map.of()).withStartDelayMs(100))
                .result().get(10, TimeUnit.SECONDS);
        assertTrue(r.queueTimeMs() >= 100, "queue-time " + r.queueTimeMs() + " ms does not include the start-delay");
        assertEquals(0, r.rcCode());
    }

    @Test
    void startedIsAnnouncedBeforeTheResultOncePerOperation() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch threeResults = new CountDownLatch(3);
        lrm = new Lrm((req, control) -> rc(0), null, "node1", clock, timer, workers, new LrmListener() {
            @Override
            public void onResult(OperationResult r) {
                events.add("result " + r.operationKey());
                threeResults.countDown();
            }

            @Override
            public void onStarted(OperationRequest req, int callId, Instant at) {
                events.add("started " + req.operationKey());
            }
        }, false);
        lrm.submit(OperationRequest.of("p", A, "start", 1000, Map.of())).result().get(10, TimeUnit.SECONDS);
        lrm.submit(OperationRequest.monitor("p", A, 5, 1000, Map.of())).result().get(10, TimeUnit.SECONDS);
        lrm.submit(OperationRequest.of("p", A, "stop", 1000, Map.of())).result().get(10, TimeUnit.SECONDS);
        assertTrue(threeResults.await(10, TimeUnit.SECONDS));
        Thread.sleep(50);
        List<String> seen = new ArrayList<>(events);
        assertEquals("started p_start_0", seen.get(0));
        assertEquals("result p_start_0", seen.get(1));
        assertEquals("started p_monitor_5", seen.get(2));
        assertEquals("result p_monitor_5", seen.get(3));
        assertEquals(1, seen.stream().filter(e -> e.equals("started p_monitor_5")).count(), "announced per run: " + seen);
        assertTrue(seen.indexOf("started p_stop_0") < seen.indexOf("result p_stop_0"), seen.toString());
    }
}
