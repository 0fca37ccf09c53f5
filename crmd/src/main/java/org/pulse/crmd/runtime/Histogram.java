package org.pulse.crmd.runtime;

import java.util.Arrays;

/**
 * One Prometheus histogram series: fixed upper bounds, cumulative counts, a sum. Thread-safe; an
 * observation is a few additions under the object's lock, so the threads that observe (the event
 * thread, the LRM's) are never held up by a scrape for longer than a copy of the counts.
 */
final class Histogram {
    private final double[] upperBounds;
    /** Per bucket (not cumulative); the last one is +Inf. */
    private final long[] counts;
    private double sum;

    Histogram(double[] upperBounds) {
        for (int i = 1; i < upperBounds.length; i++) {
            if (!(upperBounds[i] > upperBounds[i - 1])) {
                throw new IllegalArgumentException("histogram bounds must rise: " + Arrays.toString(upperBounds));
            }
        }
        this.upperBounds = upperBounds.clone();
        this.counts = new long[upperBounds.length + 1];
    }

    synchronized void observe(double value) {
        int i = 0;
        while (i < upperBounds.length && value > upperBounds[i]) {
            i++;
        }
        counts[i]++;
        sum += value;
    }

    /** Cumulative counts per bound (the last is +Inf, the total count) and the sum, taken together. */
    synchronized Snapshot snapshot() {
        long[] cumulative = new long[counts.length];
        long c = 0;
        for (int i = 0; i < counts.length; i++) {
            c += counts[i];
            cumulative[i] = c;
        }
        return new Snapshot(upperBounds, cumulative, sum);
    }

    record Snapshot(double[] upperBounds, long[] cumulative, double sum) {
        long count() {
            return cumulative[cumulative.length - 1];
        }
    }
}
