package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The adaptive timeout on hand-made arrival sequences (no clock, no thread): fast on punctual
 * arrivals, as patient as the fixed timeout after late ones, slow to forget a burst, and a watcher's
 * own starvation never counted as the member's silence. The random sequences print their seed.
 */
class ArrivalDetectorTest {
    private static final long MS = 1_000_000L;
    private static final Timing T = Timing.defaults();
    private static final Heartbeats.Detection D = Heartbeats.Detection.of(T);

    private static ArrivalDetector detector() {
        return D.newDetector();
    }

    /** Feeds {@code n} arrivals {@code gapMs} apart starting after {@code fromNanos}; returns the last arrival's time. */
    private static long feed(ArrivalDetector d, long fromNanos, int n, long gapMs) {
        long t = fromNanos;
        for (int i = 0; i < n; i++) {
            t += gapMs * MS;
            d.arrived(t);
        }
        return t;
    }

    @Test
    void theDefaultsGiveAFastFloorAndTheOldTimeoutAsCeiling() {
        assertEquals(50, T.heartbeatIntervalMs());
        assertEquals(125, T.heartbeatFloorMs());
        assertEquals(320, T.heartbeatTimeoutMs());
        assertEquals(25, T.heartbeatCheckMs());
        // A cut link on a quiet machine: the floor, one check, VERIFY_SUSPECT2 (50 ms and a millisecond).
        assertEquals(201, T.quietSilentDetectionMs());
        assertTrue(T.worstCaseSilentDetectionMs() <= T.failureDetectionMs());
    }

    @Test
    void aNewMemberStartsAtTheCeilingAndEarnsTheFloorByArrivingPunctually() {
        ArrivalDetector d = detector();
        assertEquals(640 * MS, d.timeoutNanos(), "not one heartbeat yet: twice the old fixed timeout");
        long t = feed(d, 0, 1, 50);
        assertEquals(320 * MS, d.timeoutNanos(), "one arrival is no gap: the old fixed timeout");
        // Punctual heartbeats (50 ms, a millisecond of jitter) for 40 s: 2 E falls to the floor.
        for (int i = 0; i < 800; i++) {
            t = feed(d, t, 1, 50 + (i % 2));
        }
        assertEquals(125 * MS, d.timeoutNanos());
    }

    @Test
    void oneLateHeartbeatRaisesTheTimeoutAtOnceAndItComesDownOverHalfLives() {
        ArrivalDetector d = detector();
        long t = feed(d, 0, 1_000, 50);
        assertEquals(125 * MS, d.timeoutNanos());
        t = feed(d, t, 1, 110); // one heartbeat 60 ms late
        assertEquals(220 * MS, d.timeoutNanos(), "twice the gap just seen");
        t = feed(d, t, 1, 200); // a burst: 150 ms late
        assertEquals(320 * MS, d.timeoutNanos(), "never above the ceiling");
        // Ten seconds (one half-life) of punctual arrivals: the excess over the interval halves.
        t = feed(d, t, 200, 50);
        long e = d.envelopeNanos();
        assertTrue(e > 120 * MS && e < 128 * MS, "envelope after one half-life: " + e / MS + " ms");
        t = feed(d, t, 200, 50);
        long e2 = d.envelopeNanos();
        assertTrue(e2 > 85 * MS && e2 < 90 * MS, "after two: " + e2 / MS + " ms");
        feed(d, t, 1_000, 50);
        assertEquals(125 * MS, d.timeoutNanos(), "a minute later: fast again");
    }

    @Test
    void resetForgetsEverything() {
        ArrivalDetector d = detector();
        feed(d, 0, 1_000, 50);
        d.reset();
        assertEquals(640 * MS, d.timeoutNanos());
    }

    @Test
    void anOutOfOrderArrivalIsNotAGap() {
        ArrivalDetector d = detector();
        long t = feed(d, 0, 1_000, 50);
        d.arrived(t - 5 * MS);
        assertEquals(125 * MS, d.timeoutNanos());
    }

    @Test
    void sameArrivalsSameTimeouts() {
        long seed = System.nanoTime();
        System.out.println("ArrivalDetectorTest.sameArrivalsSameTimeouts seed=" + seed);
        ArrivalDetector a = detector();
        ArrivalDetector b = detector();
        Random r1 = new Random(seed);
        Random r2 = new Random(seed);
        long t1 = 0;
        long t2 = 0;
        for (int i = 0; i < 5_000; i++) {
            t1 += (40 + r1.nextInt(200)) * MS;
            t2 += (40 + r2.nextInt(200)) * MS;
            a.arrived(t1);
            b.arrived(t2);
            assertEquals(a.timeoutNanos(), b.timeoutNanos(), "seed " + seed + " step " + i);
        }
    }

    /**
     * Seeded jitter: heartbeats 50 ms apart, each late by a random amount; whatever the sequence, the
     * timeout stays within its bounds and is never shorter than twice the last gap (below the ceiling),
     * so the member is never suspected before a silence longer than anything it just showed.
     */
    @Test
    void underRandomJitterTheTimeoutCoversTheLastGapAndStaysInItsBounds() {
        long seed = System.nanoTime() ^ 0x5DEECE66DL;
        System.out.println("ArrivalDetectorTest.underRandomJitter seed=" + seed);
        Random r = new Random(seed);
        ArrivalDetector d = detector();
        long t = 0;
        for (int i = 0; i < 20_000; i++) {
            // Mostly punctual; now and then a burst (a JVM starting beside us) of up to 300 ms.
            long late = r.nextInt(100) < 95 ? r.nextInt(3) : r.nextInt(300);
            long gap = 50 + late;
            t += gap * MS;
            d.arrived(t);
            long timeout = d.timeoutNanos();
            assertTrue(timeout >= 125 * MS && timeout <= 320 * MS, "seed " + seed + " step " + i + ": " + timeout);
            assertTrue(timeout >= Math.min(320 * MS, 2 * gap * MS), "seed " + seed + " step " + i + ": timeout "
                    + timeout / MS + " ms after a gap of " + gap + " ms");
        }
    }

    @Test
    void aWatcherThatDidNotRunDoesNotCountItsOwnPauseAsTheMembersSilence() {
        long timeout = 125 * MS;
        long maxDiscount = 2_000 * MS;
        // 130 ms of silence, this node ran throughout: suspect.
        assertTrue(ArrivalDetector.silentTooLong(1_130 * MS, 1_000 * MS, timeout, 0, maxDiscount));
        // 130 ms of silence, of which this node missed 100 ms of CPU: only 30 ms of evidence.
        assertFalse(ArrivalDetector.silentTooLong(1_130 * MS, 1_000 * MS, timeout, 100 * MS, maxDiscount));
        // Still silent 100 ms after it ran again: suspect.
        assertTrue(ArrivalDetector.silentTooLong(1_230 * MS, 1_000 * MS, timeout, 100 * MS, maxDiscount));
        // Starved for good: the discount is bounded, so a dead member is suspected at last.
        assertFalse(ArrivalDetector.silentTooLong(3_000 * MS, 1_000 * MS, timeout, 1_000_000 * MS, maxDiscount));
        assertTrue(ArrivalDetector.silentTooLong(3_125 * MS, 1_000 * MS, timeout, 1_000_000 * MS, maxDiscount));
    }

    @Test
    void inconsistentBoundsAreRefusedWithTheirValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ArrivalDetector(50 * MS, 60 * MS, 320 * MS, 10_000 * MS));
        assertTrue(e.getMessage().contains("floor (60 ms)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ArrivalDetector(50 * MS, 125 * MS, 100 * MS, 10_000 * MS));
    }
}
