package org.pulse.crmd.runtime;

import java.io.File;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.pulse.cib.Cib;
import org.pulse.cib.model.CibModel;
import org.pulse.crmd.alerts.AlertCall;
import org.pulse.crmd.alerts.AlertCalls;
import org.pulse.crmd.alerts.AlertEvent;
import org.pulse.crmd.alerts.AlertEvents;
import org.slf4j.Logger;

/**
 * Runs Pacemaker-style alert agents for the CIBs this node applies. {@link #cibApplied} hands each
 * CIB to one thread that derives the events from the previous CIB and the new one and plans the
 * calls; the calls run on a pool of their own, in parallel, so a slow agent never holds up the controller
 * nor the next event's agents. Each agent runs as the LRM runs agents: in its own process group
 * (setsid), stdin from /dev/null, with a deadline (the alert's {@code timeout} meta, 30 s by
 * default); past it the group gets TERM, and KILL {@link #KILL_GRACE_MS} later. Agents still
 * running when crmd stops are killed; a crmd killed with SIGKILL cannot do that, and leaves them to
 * run to their end (as Pacemaker's controller would).
 * Bounds: {@link #MAX_PARALLEL} agents at once, {@link #MAX_QUEUED} waiting; beyond that a call is
 * dropped with a warning (an alert storm must not grow the daemon's memory without end).
 */
final class AlertRunner implements AutoCloseable {
    static final int MAX_PARALLEL = 16;
    static final int MAX_QUEUED = 1000;
    static final long KILL_GRACE_MS = 2000;
    static final long CLOSE_WAIT_MS = 2000;

    private final String node;
    private final Logger log;
    private final ThreadPoolExecutor pool;
    /** The agents running now (their pids, which are their process groups), for close to end. */
    private final java.util.Set<Long> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /**
     * Derives the events, one CIB after the other in the order applied, off the event thread: reading
     * two CIB models of a big cluster must not hold up the controller.
     */
    private final java.util.concurrent.ExecutorService deriver;
    /** Deriver thread only: the CIB the last events were derived against, and its model once read. */
    private Cib lastCib;
    private CibModel lastModel;
    /** Deriver thread only: CRM_alert_node_sequence of the next event (Pacemaker: per node, rising). */
    private long nextSequence;
    /** When this crmd started: fencing recorded before it happened while this node was away. */
    private final long startedEpochSec;

    AlertRunner(String node, Logger log, Cib initial, long firstSequence, Instant started) {
        this.node = node;
        this.startedEpochSec = started.getEpochSecond();
        this.log = log;
        this.lastCib = initial;
        this.nextSequence = firstSequence;
        this.pool = new ThreadPoolExecutor(MAX_PARALLEL, MAX_PARALLEL, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
                    Thread t = new Thread(r, "crmd-alert-" + node);
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        this.deriver = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "crmd-alert-events-" + node);
            t.setDaemon(true);
            return t;
        });
    }

    /** The node's CIB became {@code cib}: run the agents for what changed. Call in the order applied. */
    void cibApplied(Cib cib, Instant now) {
        try {
            deriver.execute(() -> {
                try {
                    derive(cib, now);
                } catch (RuntimeException ex) {
                    log.error("alerts: could not derive the events of CIB {}: {}", cib.version(), ex.toString(), ex);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // crmd is stopping
        }
    }

    private void derive(Cib cib, Instant now) {
        Cib before = lastCib;
        CibModel beforeModel = lastModel;
        lastCib = cib;
        lastModel = null;
        if (!hasAlerts(cib)) {
            return;
        }
        CibModel after = cib.model();
        lastModel = after;
        if (beforeModel == null && before != null) {
            beforeModel = before.model();
        }
        List<AlertEvent> events = AlertEvents.between(beforeModel, after, node, startedEpochSec);
        if (events.isEmpty()) {
            return;
        }
        List<AlertCall> calls = AlertCalls.plan(after.alerts(), events, now, nextSequence, ZoneId.systemDefault());
        nextSequence += events.size();
        for (AlertCall c : calls) {
            submit(c);
        }
    }

    private static boolean hasAlerts(Cib cib) {
        return cib.configurationSection("alerts").map(a -> !a.elements("alert").isEmpty()).orElse(false);
    }

    void submit(AlertCall c) {
        try {
            pool.execute(() -> run(c));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.warn("{} dropped: {} alert agents are queued already (or crmd is stopping)", c, MAX_QUEUED);
        }
    }

    /** What became of one call. */
    record Outcome(int exitCode, boolean timedOut, long elapsedMs, String spawnError) {
    }

    /** Runs one call to its end or its deadline; any thread. */
    Outcome run(AlertCall c) {
        ProcessBuilder pb = new ProcessBuilder("setsid", c.path());
        Map<String, String> env = pb.environment();
        // The daemon's own environment, without variables an earlier run or OCF could have left to mislead.
        env.keySet().removeIf(k -> k.startsWith("CRM_alert_") || k.startsWith("CRM_notify_") || k.startsWith("OCF_"));
        env.putAll(c.env());
        pb.directory(new File("/"));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            log.warn("{} could not start: {} (check the alert's path; it must be executable by crmd's user)", c,
                    e.getMessage());
            return new Outcome(-1, false, 0, e.getMessage());
        }
        running.add(p.pid());
        boolean timedOut = false;
        try {
            if (!p.waitFor(c.timeoutMs(), TimeUnit.MILLISECONDS)) {
                timedOut = true;
                killGroup(p.pid(), "-TERM");
                if (!p.waitFor(KILL_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    killGroup(p.pid(), "-KILL");
                    p.waitFor(KILL_GRACE_MS, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            killGroup(p.pid(), "-KILL");
            Thread.currentThread().interrupt();
        }
        running.remove(p.pid());
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        int exit = p.isAlive() ? -1 : p.exitValue();
        if (timedOut) {
            log.warn("{} timed out after {} ms (timeout {} ms): its process group was killed", c, elapsedMs,
                    c.timeoutMs());
        } else if (exit != 0) {
            log.warn("{} exited with {} after {} ms", c, exit, elapsedMs);
        } else {
            log.debug("{} done in {} ms", c, elapsedMs);
        }
        return new Outcome(exit, timedOut, elapsedMs, null);
    }

    /** {@code kill SIGNAL -- -PGID}: setsid made the agent's pid its group id. */
    private void killGroup(long pid, String signal) {
        try {
            Process k = new ProcessBuilder("kill", signal, "--", "-" + pid).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!k.waitFor(2, TimeUnit.SECONDS)) {
                k.destroyForcibly();
            }
        } catch (IOException e) {
            ProcessHandle.of(pid).ifPresent(signal.equals("-KILL") ? ProcessHandle::destroyForcibly
                    : ProcessHandle::destroy);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        // Agents already running get a moment to finish (the node's own last events); then their groups are killed.
        // An agent left running would outlive crmd (setsid took it out of crmd's group), so what is still
        // running after the wait is killed here, not left to the pool's threads.
        // The deriver first: the CIBs already handed over still get their agents queued.
        deriver.shutdown();
        try {
            long deadline = System.nanoTime() + CLOSE_WAIT_MS * 1_000_000;
            deriver.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
            pool.shutdown();
            pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        pool.shutdown();
        for (Long pid : List.copyOf(running)) {
            log.warn("alert agent pid {} still running as crmd stops: killing its process group", pid);
            killGroup(pid, "-KILL");
        }
        pool.shutdownNow();
        deriver.shutdownNow();
    }
}
