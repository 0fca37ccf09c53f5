package org.pulse.messaging;

/**
 * Which message counters of one sender session were already accepted: the highest, and a
 * bitmap of the {@value #WINDOW} below it (the anti-replay window of IPsec, RFC 4303 §3.4.3).
 * A counter seen before, or too far below the highest to tell, is refused. The window is wide
 * because a sender's counters reach one receiver slightly out of order (threads seal
 * concurrently, two links race); only authenticated messages may move it.
 *
 * <p>Thread-safe.
 */
final class ReplayWindow {
    static final int WINDOW = 4096;

    private final long[] bits = new long[WINDOW / 64];
    private long highest = -1;

    /** True (and remembered) the first time {@code counter} is offered; false for a repeat or one too old. */
    synchronized boolean accept(long counter) {
        if (counter < 0) {
            return false;
        }
        if (counter > highest) {
            long advance = counter - highest;
            if (advance >= WINDOW) {
                java.util.Arrays.fill(bits, 0L);
            } else {
                for (long c = highest + 1; c <= counter; c++) {
                    clear(c);
                }
            }
            highest = counter;
            set(counter);
            return true;
        }
        if (highest - counter >= WINDOW) {
            return false;
        }
        if (isSet(counter)) {
            return false;
        }
        set(counter);
        return true;
    }

    private void set(long c) {
        int i = (int) (c % WINDOW);
        bits[i >>> 6] |= 1L << (i & 63);
    }

    private void clear(long c) {
        int i = (int) (c % WINDOW);
        bits[i >>> 6] &= ~(1L << (i & 63));
    }

    private boolean isSet(long c) {
        int i = (int) (c % WINDOW);
        return (bits[i >>> 6] & (1L << (i & 63))) != 0;
    }
}
