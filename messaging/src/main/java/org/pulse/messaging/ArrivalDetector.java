package org.pulse.messaging;

/**
 * How long one watched member may stay silent before it is suspected, learnt from the gaps between
 * its heartbeats as they arrive here: fast where the arrivals show a quiet machine, as slow as the
 * fixed timeout where they show a busy one. A pure object: fed arrival times, it answers with a
 * timeout; the same arrivals give the same timeout (no clock, no thread, no allocation).
 *
 * <p>The rule: keep an <em>envelope</em> {@code E} of the gaps, the largest gap seen, decaying towards
 * the heartbeat interval with a half-life ({@code halfLifeNanos}) while arrivals are punctual:
 * {@code E = max(gap, I + (E - I) × 2^(-gap / halfLife))}. The timeout is {@code 2 E}, within
 * {@code [floor, ceiling]}. On a quiet machine heartbeats arrive every {@code I} ± a millisecond, so
 * {@code 2 E ≈ 2 I} and the floor decides (125 ms at the default D = 500: a link cut is suspected
 * ~100-150 ms after it). One heartbeat late by {@code x} raises the timeout to {@code 2 (I + x)} at
 * once, and it takes several half-lives of punctual arrivals to come down again; at the ceiling
 * (the fixed timeout used before, 0.64 D) the detector is exactly as patient as before.
 *
 * <p>Why an envelope of the largest gap and not an accrual (phi) detector over a normal fit of the
 * gaps: on a shared machine the delays are not normal but come in bursts (a JVM starting beside
 * us, a collector, a build), a heavy tail that mean + k·σ over a quiet minute underestimates. The
 * envelope remembers the worst recent burst, and the floor keeps a JVM's ordinary hiccups (a
 * safepoint, a young collection: tens of ms) from ever counting as silence.
 *
 * <p>A newly watched member gets twice the ceiling until its first heartbeat arrives, then starts at
 * the ceiling's envelope (no evidence yet; a node that just started is the one most likely to stall
 * while its JIT warms up) and earns a shorter timeout by arriving punctually.
 *
 * <p>Not thread-safe by itself: {@link Heartbeats} updates it under the peer's lock and publishes the
 * timeout through a volatile.
 */
final class ArrivalDetector {
    private final long intervalNanos;
    private final long floorNanos;
    private final long ceilingNanos;
    private final double halfLifeNanos;
    private long envelopeNanos;
    private long lastArrivalNanos;
    private boolean hasArrival;

    /**
     * @param intervalNanos the senders' heartbeat interval, what a punctual gap is
     * @param floorNanos    the shortest timeout, whatever the arrivals (at least two intervals)
     * @param ceilingNanos  the longest timeout (the fixed one used before adaptive detection)
     * @param halfLifeNanos how fast a late heartbeat is forgotten while the later ones are punctual
     */
    ArrivalDetector(long intervalNanos, long floorNanos, long ceilingNanos, long halfLifeNanos) {
        if (intervalNanos <= 0 || floorNanos < 2 * intervalNanos || ceilingNanos < floorNanos || halfLifeNanos <= 0) {
            throw new IllegalArgumentException("arrival detector: need 0 < 2 x interval (" + intervalNanos / 1_000_000
                    + " ms) <= floor (" + floorNanos / 1_000_000 + " ms) <= ceiling (" + ceilingNanos / 1_000_000
                    + " ms) and a positive half-life (" + halfLifeNanos / 1_000_000 + " ms)");
        }
        this.intervalNanos = intervalNanos;
        this.floorNanos = floorNanos;
        this.ceilingNanos = ceilingNanos;
        this.halfLifeNanos = halfLifeNanos;
        reset();
    }

    /** Forgets every arrival: the timeout is the ceiling again until heartbeats arrive punctually. */
    void reset() {
        envelopeNanos = (ceilingNanos + 1) / 2;
        hasArrival = false;
    }

    /**
     * A heartbeat from the member arrived at {@code nowNanos}; true if it came late: its gap alone lifts the
     * timeout above the floor (the guard's stall rule remembers when that last happened).
     */
    boolean arrived(long nowNanos) {
        boolean late = false;
        if (hasArrival) {
            long gap = nowNanos - lastArrivalNanos;
            if (gap < 0) {
                return false; // out of order (two receiver threads): not a gap
            }
            double excess = Math.max(0, envelopeNanos - intervalNanos);
            long decayed = intervalNanos + (long) (excess * Math.pow(2, -gap / halfLifeNanos));
            envelopeNanos = Math.max(gap, decayed);
            late = 2 * gap > floorNanos;
        }
        lastArrivalNanos = nowNanos;
        hasArrival = true;
        return late;
    }

    /**
     * The silence after which the member is suspected, given the arrivals so far. Before the first
     * heartbeat arrived (a member that just joined, or just became watched), twice the ceiling: a JVM
     * that has just started, or just joined on a busy machine, is the likeliest to stall, and has shown
     * nothing yet (StarvedSuspicionTest at load 76-118 saw a rejoining node excluded 0.6 s after its
     * view, at the ceiling); its first heartbeat brings the ceiling back.
     */
    long timeoutNanos() {
        if (!hasArrival) {
            return 2 * ceilingNanos;
        }
        return Math.min(ceilingNanos, Math.max(floorNanos, 2 * envelopeNanos));
    }

    /** The largest recent gap, decayed (see the class comment). */
    long envelopeNanos() {
        return envelopeNanos;
    }

    long floorNanos() {
        return floorNanos;
    }

    long ceilingNanos() {
        return ceilingNanos;
    }

    /**
     * Whether a member silent since {@code lastHeardNanos} is to be suspected at {@code nowNanos} by a
     * watcher that missed {@code stolenNanos} of CPU meanwhile ({@link PauseWatch}). Time this watcher
     * did not run is no evidence of the member's silence (it could not have received anything), so it
     * is taken off the silence; but never more than {@code maxDiscountNanos}, so a watcher starved for
     * good still suspects a dead member at last (bounded, like {@link SuspicionGuard}'s longest hold).
     */
    static boolean silentTooLong(long nowNanos, long lastHeardNanos, long timeoutNanos, long stolenNanos,
            long maxDiscountNanos) {
        long silence = nowNanos - lastHeardNanos;
        long discount = Math.min(Math.max(0, stolenNanos), maxDiscountNanos);
        return silence - discount >= timeoutNanos;
    }
}
