package org.pulse.messaging;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * Notices when this JVM did not get the CPU: a dedicated thread asks to wake every
 * {@code tickMs} and adds up how late it woke ("stolen" time: a stop-the-world collection, a
 * machine whose cores are busy with other processes, a frozen VM). A node that was not running
 * cannot have heard its peers' heartbeats in time, so a suspicion it formed meanwhile says more
 * about itself than about the suspect; {@link SuspicionGuard} asks this watch before it lets one
 * through.
 *
 * <p>The loop allocates nothing and takes no lock (only parks, reads the clock and writes
 * volatile longs), so only what starves the JVM's other threads holds it up. It runs at normal
 * priority on purpose: it stands in for the threads that receive heartbeats, and a watch that
 * got the CPU before them would report less starvation than they suffer. Stolen time is kept
 * as a running total plus a ring of the total at the start of each bucket, so "stolen within the
 * last W ms" is two reads.
 */
final class PauseWatch implements AutoCloseable {
    /** Lateness below this per tick is ordinary timer jitter, not starvation. */
    static final long JITTER_NANOS = 1_000_000L;
    private static final int BUCKETS = 128;

    private final long tickNanos;
    private final long bucketNanos;
    private final AtomicLongArray totalAtBucketStart = new AtomicLongArray(BUCKETS);
    private final AtomicLongArray bucketIndexStored = new AtomicLongArray(BUCKETS);
    private volatile long stolenTotalNanos;
    /**
     * What the long pauses alone add up to: those of at least {@link #longPauseNanos}, 5 ticks (40 ms at D = 500). A
     * loaded machine wakes the watch a few ms late on most ticks; that is not a node that stopped hearing its peers,
     * and counting it would stretch {@link SuspicionGuard}'s holds on every busy machine.
     */
    private volatile long longPausesTotalNanos;
    private final long longPauseNanos;
    private volatile long worstLatenessNanos;
    private volatile long lastTickNanos;
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param name      thread name suffix (the node name)
     * @param tickMs    how often the thread wakes
     * @param horizonMs the longest window {@link #stolenWithinNanos} is asked about
     * @param startThread false in unit tests, which feed {@link #recordTick} themselves
     */
    PauseWatch(String name, long tickMs, long horizonMs, long nowNanos, boolean startThread) {
        if (tickMs <= 0 || horizonMs < tickMs) {
            throw new IllegalArgumentException("pause watch: tick " + tickMs + " ms must be positive and at most the horizon "
                    + horizonMs + " ms");
        }
        this.tickNanos = tickMs * 1_000_000L;
        this.longPauseNanos = 5 * tickNanos;
        // Room for the horizon plus one partial bucket at each end.
        this.bucketNanos = Math.max(tickNanos, (horizonMs * 1_000_000L) / (BUCKETS - 2) + 1);
        this.lastTickNanos = nowNanos;
        for (int i = 0; i < BUCKETS; i++) {
            bucketIndexStored.set(i, -1);
        }
        mark(nowNanos);
        if (startThread) {
            thread = new Thread(this::loop, "pulse-pause-watch-" + name);
            thread.setDaemon(true);
            thread.start();
        } else {
            thread = null;
        }
    }

    private void loop() {
        while (running) {
            LockSupport.parkNanos(tickNanos);
            recordTick(System.nanoTime());
        }
    }

    /**
     * One wake-up at {@code nowNanos}: what exceeds the tick (and jitter) was stolen. Synchronized with the totals'
     * readers: between moving {@code lastTickNanos} and adding the pause, a reader would see the pause in neither
     * (or, the other way round, in both) and the guard's ran clock would step back (negative "ms of which this node
     * ran" in the 24-node logs). Uncontended: this thread every tick, the readers once per suspicion.
     */
    synchronized void recordTick(long nowNanos) {
        long late = nowNanos - lastTickNanos - tickNanos;
        lastTickNanos = nowNanos;
        // Mark first: a pause that ends in a new bucket is counted in windows that start there.
        mark(nowNanos);
        if (late > JITTER_NANOS) {
            stolenTotalNanos += late; // single writer: this thread
            if (late >= longPauseNanos) {
                longPausesTotalNanos += late;
            }
            if (late > worstLatenessNanos) {
                worstLatenessNanos = late;
            }
        }
    }

    /** Records the running total at the start of the bucket {@code nowNanos} falls in, once per bucket. */
    private void mark(long nowNanos) {
        long index = Math.floorDiv(nowNanos, bucketNanos);
        int slot = (int) Math.floorMod(index, (long) BUCKETS);
        if (bucketIndexStored.get(slot) != index) {
            totalAtBucketStart.set(slot, stolenTotalNanos);
            bucketIndexStored.set(slot, index);
        }
    }

    /**
     * CPU time this JVM missed during about the last {@code windowNanos} (from the first wake-up
     * at or after the window's start, whose bucket boundary may lie up to a bucket before it), including a pause
     * still going on now (the watch has not woken yet to record it).
     */
    long stolenWithinNanos(long windowNanos, long nowNanos) {
        long ongoing = Math.max(0, nowNanos - lastTickNanos - tickNanos);
        long total = stolenTotalNanos(nowNanos);
        long index = Math.floorDiv(nowNanos - windowNanos, bucketNanos);
        long newest = Math.floorDiv(nowNanos, bucketNanos);
        // The first bucket the watch woke in, from the window's start on. A bucket it did not wake
        // in was slept through: a pause, which the next wake-up adds to the total after marking its
        // bucket, so counting from that bucket still includes it.
        for (long b = index; b <= newest; b++) {
            int s = (int) Math.floorMod(b, (long) BUCKETS);
            if (bucketIndexStored.get(s) == b) {
                return cap(Math.max(0, total - totalAtBucketStart.get(s)), windowNanos, ongoing);
            }
        }
        // No wake-up in the whole window: the pause going on now covers it.
        return cap(total, windowNanos, ongoing);
    }

    /** Never more than the window (or the pause going on now, if longer): an overstatement stays readable. */
    private static long cap(long stolenNanos, long windowNanos, long ongoingNanos) {
        return Math.min(stolenNanos, Math.max(windowNanos, ongoingNanos));
    }

    long stolenTotalNanos() {
        return stolenTotalNanos;
    }

    private synchronized long stolenTotalNanos(long nowNanos) {
        long ongoing = Math.max(0, nowNanos - lastTickNanos - tickNanos);
        return stolenTotalNanos + (ongoing > JITTER_NANOS ? ongoing : 0);
    }

    /** The CPU time this JVM missed in long pauses (5 ticks or more each) until {@code nowNanos}, one going on included. */
    synchronized long longPausesTotalNanos(long nowNanos) {
        long ongoing = Math.max(0, nowNanos - lastTickNanos - tickNanos);
        return longPausesTotalNanos + (ongoing >= longPauseNanos ? ongoing : 0);
    }

    long worstLatenessNanos() {
        return worstLatenessNanos;
    }

    @Override
    public void close() {
        running = false;
        if (thread != null) {
            LockSupport.unpark(thread);
        }
    }
}
