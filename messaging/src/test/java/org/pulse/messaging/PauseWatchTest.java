package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The watch's accounting, fed synthetic wake-ups (no thread, no real clock). */
class PauseWatchTest {
    private static final long MS = 1_000_000L;

    @Test
    void punctualTicksStealNothing() {
        PauseWatch w = new PauseWatch("t", 10, 500, 0, false);
        long now = 0;
        for (int i = 0; i < 200; i++) {
            now += 10 * MS + MS / 2; // half a millisecond late each time: jitter, not starvation
            w.recordTick(now);
        }
        assertEquals(0, w.stolenWithinNanos(500 * MS, now));
        assertEquals(0, w.stolenTotalNanos());
    }

    @Test
    void aPauseCountsWhileItIsInTheWindowAndNotAfter() {
        PauseWatch w = new PauseWatch("t", 10, 500, 0, false);
        long now = 0;
        for (int i = 0; i < 100; i++) {
            now += 10 * MS;
            w.recordTick(now);
        }
        now += 310 * MS; // woke 300 ms late: a stop-the-world pause, or no core free
        w.recordTick(now);
        long stolen = w.stolenWithinNanos(500 * MS, now);
        assertTrue(stolen >= 300 * MS && stolen < 310 * MS, "stolen " + stolen / MS + " ms");
        assertEquals(300, w.worstLatenessNanos() / MS);
        for (int i = 0; i < 60; i++) { // 600 ms of punctual ticks later, the window has moved past it
            now += 10 * MS;
            w.recordTick(now);
        }
        assertEquals(0, w.stolenWithinNanos(500 * MS, now));
        assertEquals(300, w.stolenTotalNanos() / MS);
    }

    /** The guard's holds count only long pauses as time this node did not run: a busy machine's small lateness is not. */
    @Test
    void onlyLongPausesAddToTheLongPauseTotal() {
        PauseWatch w = new PauseWatch("t", 4, 500, 0, false); // long: 5 ticks, 20 ms
        long now = 0;
        for (int i = 0; i < 1000; i++) {
            now += 4 * MS + 3 * MS; // 3 ms late on every tick: 3 s of lateness in 7 s, as at load 20
            w.recordTick(now);
        }
        assertEquals(3_000, w.stolenTotalNanos() / MS);
        assertEquals(0, w.longPausesTotalNanos(now));
        now += 4 * MS + 250 * MS; // a 250 ms pause
        w.recordTick(now);
        assertEquals(250, w.longPausesTotalNanos(now) / MS);
        assertEquals(250 + 100, w.longPausesTotalNanos(now + 104 * MS) / MS, "a long pause going on now counts");
        assertEquals(250, w.longPausesTotalNanos(now + 10 * MS) / MS, "a short delay going on now does not");
    }

    @Test
    void ticksThatSkipBucketsDoNotInflateTheFigure() {
        // A 4 ms tick over a 500 ms horizon: buckets of about 4 ms, some of which no tick falls in.
        PauseWatch w = new PauseWatch("t", 4, 500, 0, false);
        long now = 0;
        for (int i = 0; i < 1_000; i++) {
            now += 4 * MS + (i % 7 == 0 ? 2 * MS : 0); // now and then 2 ms late: 2 ms stolen each time
            w.recordTick(now);
        }
        long stolen = w.stolenWithinNanos(500 * MS, now);
        // About 500 / 4.3 ticks in the window, one in seven of them late by 2 ms: ~33 ms, never the whole window.
        assertTrue(stolen >= 20 * MS && stolen <= 50 * MS, "stolen " + stolen / MS + " ms");
    }

    @Test
    void aPauseStillGoingOnCountsBeforeTheWatchWakes() {
        PauseWatch w = new PauseWatch("t", 10, 500, 0, false);
        w.recordTick(10 * MS);
        // Nothing recorded since: the watch itself is starved right now.
        long stolen = w.stolenWithinNanos(500 * MS, 210 * MS);
        assertEquals(190, stolen / MS);
    }

    @Test
    void aRealWatchSeesNoPauseOnAnIdleJvmAndStops() throws Exception {
        try (PauseWatch w = new PauseWatch("real", 5, 500, System.nanoTime(), true)) {
            Thread.sleep(100);
            // Not asserting zero: the machine may be busy; only that the figures are sane.
            assertTrue(w.stolenWithinNanos(500 * MS, System.nanoTime()) <= 600 * MS);
        }
    }
}
