package org.pulse.lrm;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local resource manager of one node: runs operations on resources through their agents.
 * <ul>
 * <li>One operation per resource at a time, in submission order; different resources run in parallel.</li>
 * <li>Recurring operations ({@code intervalMs > 0}) are run by the LRM itself: the next run is scheduled
 *     {@code intervalMs} after the previous one ends. They report on change only (see {@link LrmListener}).</li>
 * <li>A {@code stop} first cancels every recurring operation of its resource (killing a run in progress,
 *     which then reports CANCELLED, not a failure), then waits its turn.</li>
 * <li>Every final result goes to the listener and into the history: per resource, the latest result per
 *     operation key, plus the last failure.</li>
 * </ul>
 * Thread-safe. Time comes from the injected clock (timestamps) and the injected scheduler (timers).
 */
public final class Lrm implements AutoCloseable {
    private static final Logger LOG = System.getLogger(Lrm.class.getName());

    /** What actually runs an operation; the real one is {@link AgentExecutor}, unit tests give a fake. */
    interface Runner {
        ExecOutcome run(OperationRequest req, ProcessRunner.Control control);
    }

    /** A submitted operation: its call id, and its (first) result. */
    public record Submission(int callId, CompletableFuture<OperationResult> result) {
    }

    private final Runner runner;
    private final AgentExecutor executor; // null with a fake runner
    private final String nodeName;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final ExecutorService workers;
    private final ExecutorService events;
    private final LrmListener listener;
    private final boolean ownsThreads;
    private final AtomicInteger callIds = new AtomicInteger();
    private final Map<String, ResourceState> resources = new HashMap<>();
    private boolean closed;
    private boolean subreaper;

    /**
     * An LRM with its own threads: a scheduler thread for timers, a pool for running agents, one event thread
     * for the listener. Checks once that agents get their own process group (throws if not), and makes the
     * JVM the reaper of the agents' orphans when the JVM allows it (see {@link #reapsOrphans()}).
     */
    public Lrm(LrmConfig config, LrmListener listener) {
        this(new AgentExecutor(config), Clock.systemUTC(), Executors.newSingleThreadScheduledExecutor(named("lrm-timer")),
                Executors.newCachedThreadPool(named("lrm-op")), listener, true);
        executor.verifyProcessGroups();
        subreaper = Subreaper.tryEnable(timer).isPresent();
    }

    /** An LRM on injected time and threads; the caller owns (and shuts down) timer and workers. */
    public Lrm(AgentExecutor executor, Clock clock, ScheduledExecutorService timer, ExecutorService workers,
               LrmListener listener) {
        this(executor, clock, timer, workers, listener, false);
    }

    private Lrm(AgentExecutor executor, Clock clock, ScheduledExecutorService timer, ExecutorService workers,
                LrmListener listener, boolean ownsThreads) {
        this(executor::execute, executor, executor.config().nodeName(), clock, timer, workers, listener, ownsThreads);
    }

    Lrm(Runner runner, AgentExecutor executor, String nodeName, Clock clock, ScheduledExecutorService timer,
        ExecutorService workers, LrmListener listener, boolean ownsThreads) {
        this.runner = runner;
        this.executor = executor;
        this.nodeName = nodeName;
        this.clock = clock;
        this.timer = timer;
        this.workers = workers;
        this.listener = listener;
        this.ownsThreads = ownsThreads;
        this.events = Executors.newSingleThreadExecutor(named("lrm-events"));
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The executor underneath (meta-data, catalog); null only in unit tests with a fake runner. */
    public AgentExecutor executor() {
        return executor;
    }

    /**
     * True when this JVM reaps the orphans its agents leave (background children, killed children, daemons
     * whose parent exited): it is their subreaper. That needs the JVM flags
     * {@code --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED}; without them orphans go
     * to PID 1, which under systemd reaps them, but in some containers leaves them zombies.
     */
    public synchronized boolean reapsOrphans() {
        return subreaper;
    }

    public AgentMetadata metadata(AgentRef agent) throws MetadataException {
        return executor.metadata(agent);
    }

    // ---------------------------------------------------------------- state

    private static final class ResourceState {
        final Deque<Run> queue = new ArrayDeque<>();
        Run active;
        final Map<String, Recurring> recurring = new LinkedHashMap<>();
        final Map<String, OperationResult> history = new LinkedHashMap<>();
        OperationResult lastFailure;
    }

    private static final class Recurring {
        final OperationRequest req;
        final int callId;
        final CompletableFuture<OperationResult> first;
        ScheduledFuture<?> timer;
        Run run; // queued or running
        OperationResult lastReported;
        boolean cancelled;

        Recurring(OperationRequest req, int callId, CompletableFuture<OperationResult> first) {
            this.req = req;
            this.callId = callId;
            this.first = first;
        }
    }

    private static final class Run {
        final OperationRequest req;
        final int callId;
        final CompletableFuture<OperationResult> future; // one-shot only
        final Recurring recurring;
        final ProcessRunner.Control control = new ProcessRunner.Control();
        long enqueuedNanos;
        boolean cancelled;

        Run(OperationRequest req, int callId, CompletableFuture<OperationResult> future, Recurring recurring) {
            this.req = req;
            this.callId = callId;
            this.future = future;
            this.recurring = recurring;
        }
    }

    // ---------------------------------------------------------------- API

    /**
     * Queues an operation. A stop first cancels the resource's recurring operations; a recurring operation
     * with the key of an existing one replaces it. The returned future completes with the result of the
     * (first) run; the listener gets it too.
     */
    public Submission submit(OperationRequest req) {
        int callId = callIds.incrementAndGet();
        CompletableFuture<OperationResult> future = new CompletableFuture<>();
        List<OperationResult> cancelledNow = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the LRM is closed; " + req.operationKey() + " was not run");
            }
            ResourceState rs = resources.computeIfAbsent(req.resourceId(), k -> new ResourceState());
            if (req.action().equals("stop")) {
                for (Recurring r : new ArrayList<>(rs.recurring.values())) {
                    cancelRecurringLocked(rs, r, cancelledNow);
                }
            }
            cancelledNow.forEach(this::report);
            cancelledNow.clear();
            if (req.isRecurring()) {
                Recurring old = rs.recurring.get(req.operationKey());
                if (old != null) {
                    cancelRecurringLocked(rs, old, cancelledNow);
                    cancelledNow.forEach(this::report);
                }
                Recurring r = new Recurring(req, callId, future);
                rs.recurring.put(req.operationKey(), r);
                scheduleRecurringLocked(rs, r, req.startDelayMs());
            } else {
                Run run = new Run(req, callId, future, null);
                if (req.startDelayMs() > 0) {
                    timer.schedule(() -> enqueue(rs, run), req.startDelayMs(), TimeUnit.MILLISECONDS);
                } else {
                    enqueueLocked(rs, run);
                }
            }
        }
        return new Submission(callId, future);
    }

    /**
     * Cancels the recurring operation (or a queued one-shot operation) with this key. A run in progress is
     * killed and reports CANCELLED. Returns false when there was nothing to cancel.
     */
    public boolean cancel(String resourceId, String action, long intervalMs) {
        String key = resourceId + "_" + action + "_" + intervalMs;
        List<OperationResult> cancelledNow = new ArrayList<>();
        boolean found = false;
        synchronized (this) {
            ResourceState rs = resources.get(resourceId);
            if (rs == null) {
                return false;
            }
            Recurring r = rs.recurring.get(key);
            if (r != null) {
                cancelRecurringLocked(rs, r, cancelledNow);
                found = true;
            } else {
                for (Iterator<Run> it = rs.queue.iterator(); it.hasNext(); ) {
                    Run run = it.next();
                    if (run.req.operationKey().equals(key)) {
                        it.remove();
                        OperationResult res = cancelledResult(run.req, run.callId);
                        run.future.complete(res);
                        cancelledNow.add(res);
                        found = true;
                    }
                }
            }
            cancelledNow.forEach(this::report);
        }
        return found;
    }

    /** The resource's history: the latest result per operation key, oldest call first. */
    public synchronized List<OperationResult> history(String resourceId) {
        ResourceState rs = resources.get(resourceId);
        if (rs == null) {
            return List.of();
        }
        List<OperationResult> out = new ArrayList<>(rs.history.values());
        out.sort(Comparator.comparingInt(OperationResult::callId));
        return List.copyOf(out);
    }

    /** Every resource's history, by resource id. */
    public synchronized Map<String, List<OperationResult>> history() {
        Map<String, List<OperationResult>> out = new java.util.TreeMap<>();
        for (String id : resources.keySet()) {
            List<OperationResult> h = history(id);
            if (!h.isEmpty()) {
                out.put(id, h);
            }
        }
        return out;
    }

    /** The most recent result that was not what the caller expected (Pacemaker's last_failure). */
    public synchronized Optional<OperationResult> lastFailure(String resourceId) {
        ResourceState rs = resources.get(resourceId);
        return rs == null ? Optional.empty() : Optional.ofNullable(rs.lastFailure);
    }

    /** Forgets a resource's history (cleanup). Its recurring operations keep running. */
    public synchronized void clearHistory(String resourceId) {
        ResourceState rs = resources.get(resourceId);
        if (rs != null) {
            rs.history.clear();
            rs.lastFailure = null;
        }
    }

    /** The recurring operations scheduled for a resource. */
    public synchronized List<OperationRequest> recurring(String resourceId) {
        ResourceState rs = resources.get(resourceId);
        if (rs == null) {
            return List.of();
        }
        List<OperationRequest> out = new ArrayList<>();
        rs.recurring.values().forEach(r -> out.add(r.req));
        return List.copyOf(out);
    }

    /** Cancels every recurring operation, kills running agents, and stops the LRM's own threads. */
    @Override
    public void close() {
        List<OperationResult> cancelledNow = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            for (ResourceState rs : resources.values()) {
                for (Recurring r : new ArrayList<>(rs.recurring.values())) {
                    cancelRecurringLocked(rs, r, cancelledNow);
                }
                for (Run run : rs.queue) {
                    if (run.future != null) {
                        run.future.complete(cancelledResult(run.req, run.callId));
                    }
                }
                rs.queue.clear();
                if (rs.active != null) {
                    rs.active.cancelled = true;
                    rs.active.control.cancel();
                }
            }
            cancelledNow.forEach(this::report);
        }
        events.shutdown();
        try {
            events.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsThreads) {
            timer.shutdownNow();
            workers.shutdown();
            try {
                workers.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            executor.close();
        }
    }

    // ---------------------------------------------------------------- scheduling

    private void scheduleRecurringLocked(ResourceState rs, Recurring r, long delayMs) {
        if (delayMs <= 0) {
            r.timer = null;
            Run run = new Run(r.req, r.callId, null, r);
            r.run = run;
            enqueueLocked(rs, run);
            return;
        }
        r.timer = timer.schedule(() -> {
            synchronized (this) {
                if (r.cancelled || closed) {
                    return;
                }
                Run run = new Run(r.req, r.callId, null, r);
                r.run = run;
                enqueueLocked(rs, run);
            }
        }, delayMs, TimeUnit.MILLISECONDS);
    }

    private void cancelRecurringLocked(ResourceState rs, Recurring r, List<OperationResult> cancelledNow) {
        r.cancelled = true;
        rs.recurring.remove(r.req.operationKey(), r);
        if (r.timer != null) {
            r.timer.cancel(false);
        }
        Run run = r.run;
        if (run != null && rs.active == run) {
            // In progress: kill it; its completion reports CANCELLED.
            run.cancelled = true;
            run.control.cancel();
        } else {
            if (run != null) {
                rs.queue.remove(run);
            }
            OperationResult res = cancelledResult(r.req, r.callId);
            r.first.complete(res);
            cancelledNow.add(res);
        }
        // Pacemaker's controller deletes a cancelled recurring op from the status section.
        rs.history.remove(r.req.operationKey());
    }

    private void enqueue(ResourceState rs, Run run) {
        synchronized (this) {
            if (closed) {
                return;
            }
            enqueueLocked(rs, run);
        }
    }

    private void enqueueLocked(ResourceState rs, Run run) {
        run.enqueuedNanos = System.nanoTime();
        rs.queue.addLast(run);
        startNextLocked(rs);
    }

    private void startNextLocked(ResourceState rs) {
        if (rs.active != null || rs.queue.isEmpty() || closed) {
            return;
        }
        Run run = rs.queue.removeFirst();
        rs.active = run;
        if (run.recurring == null || run.recurring.lastReported == null) {
            Instant at = clock.instant();
            dispatch(() -> listener.onStarted(run.req, run.callId, at), run.req.operationKey() + " started");
        }
        workers.execute(() -> execute(rs, run));
    }

    private void execute(ResourceState rs, Run run) {
        long startNanos = System.nanoTime();
        long queueMs = (startNanos - run.enqueuedNanos) / 1_000_000 + (run.recurring == null ? run.req.startDelayMs() : 0);
        ExecOutcome o;
        try {
            o = runner.run(run.req, run.control);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "running " + run.req.operationKey() + " failed inside the LRM", e);
            o = ExecOutcome.immediate(OcfRc.ERR_GENERIC, ExecStatus.ERROR, "the LRM could not run the agent: " + e, clock.instant());
        }
        OperationResult toReport = null;
        synchronized (this) {
            rs.active = null;
            boolean cancelled = run.cancelled || (run.recurring != null && run.recurring.cancelled);
            OperationResult res = result(run.req, run.callId, o, queueMs, rs.history.get(run.req.operationKey()));
            if (cancelled) {
                res = res.withStatus(ExecStatus.CANCELLED, "cancelled");
                toReport = res;
                if (run.recurring != null) {
                    run.recurring.first.complete(res);
                }
            } else {
                rs.history.put(res.operationKey(), res);
                if (!res.isExpected()) {
                    rs.lastFailure = res;
                }
                Recurring r = run.recurring;
                if (r == null) {
                    toReport = res;
                } else {
                    OperationResult last = r.lastReported;
                    if (last == null || last.rcCode() != res.rcCode() || last.execStatus() != res.execStatus()) {
                        r.lastReported = res;
                        toReport = res;
                    }
                    r.first.complete(res);
                    r.run = null;
                    if (!closed) {
                        scheduleRecurringLocked(rs, r, r.req.intervalMs());
                    }
                }
            }
            if (run.future != null) {
                run.future.complete(res);
            }
            // Reported under the lock and before the next operation starts, so results reach the listener in
            // the order they happened (report() only queues to the event thread; it never blocks).
            if (toReport != null) {
                report(toReport);
            }
            startNextLocked(rs);
        }
    }

    private OperationResult result(OperationRequest req, int callId, ExecOutcome o, long queueMs, OperationResult previous) {
        Instant started = o.startedAt();
        Instant rcChange = previous != null && previous.rcCode() == o.rc() && previous.execStatus() == o.status()
                ? previous.lastRcChange() : started;
        return new OperationResult(req.resourceId(), req.agent(), req.action(), req.intervalMs(), callId, o.rc(), o.status(),
                req.expectedRc(), o.exitReason(), started, rcChange, o.execTimeMs(), queueMs, req.transitionKey(),
                OpDigest.of(req), nodeName, o.stdout(), o.stderr(), o.outputDroppedBytes(), o.pid());
    }

    private OperationResult cancelledResult(OperationRequest req, int callId) {
        Instant now = clock.instant();
        return new OperationResult(req.resourceId(), req.agent(), req.action(), req.intervalMs(), callId, OcfRc.ERR_GENERIC,
                ExecStatus.CANCELLED, req.expectedRc(), "cancelled", now, now, 0, 0, req.transitionKey(),
                OpDigest.of(req), nodeName, "", "", 0, -1);
    }

    private void report(OperationResult res) {
        // Pacemaker logs every reported result, and a failure's stderr: the operator's first clue.
        if (res.isExpected() || res.execStatus() == ExecStatus.CANCELLED) {
            LOG.log(Level.INFO, nodeName + ": " + res.summary());
        } else {
            String err = res.stderr().strip();
            String[] lines = err.isEmpty() ? new String[0] : err.split("\n");
            String tail = String.join("\n    ", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 5), lines.length));
            LOG.log(Level.WARNING, nodeName + ": " + res.summary() + " (expected rc " + res.expectedRc() + ")"
                    + (tail.isEmpty() ? "" : "; last error output:\n    " + tail));
        }
        dispatch(() -> listener.onResult(res), res.summary());
    }

    /** Runs a listener call on the event thread, in order; a failing listener is logged, never fatal. */
    private void dispatch(Runnable call, String what) {
        try {
            events.execute(() -> {
                try {
                    call.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "the LRM listener failed on " + what, e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.log(Level.DEBUG, "LRM closed; not reporting " + what);
        }
    }
}
