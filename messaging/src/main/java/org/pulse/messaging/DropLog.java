package org.pulse.messaging;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Logs dropped messages without letting a flood of them flood the log: the first drop from a
 * sender for a reason is logged at once, then at most one line per {@code intervalMs} per sender
 * and reason, with the count suppressed in between.
 */
final class DropLog {
    private static final int MAX_KEYS = 1024;

    private final Logger logger;
    private final String nodeName;
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final Map<String, long[]> lastAndSuppressed = new ConcurrentHashMap<>();

    DropLog(Logger logger, String nodeName, long intervalMs, LongSupplier nanoClock) {
        this.logger = logger;
        this.nodeName = nodeName;
        this.intervalNanos = intervalMs * 1_000_000L;
        this.nanoClock = nanoClock;
    }

    void dropped(String sender, String reason) {
        String key = sender + "|" + reason;
        long now = nanoClock.getAsLong();
        if (lastAndSuppressed.size() > MAX_KEYS) {
            lastAndSuppressed.clear(); // a storm of distinct senders: forget, and log afresh
        }
        long[] state = lastAndSuppressed.computeIfAbsent(key, k -> new long[] {now - intervalNanos, 0});
        long suppressed;
        synchronized (state) {
            if (now - state[0] < intervalNanos) {
                state[1]++;
                return;
            }
            suppressed = state[1];
            state[0] = now;
            state[1] = 0;
        }
        logger.log(Level.WARNING, nodeName + ": dropped a message from " + sender + ": " + reason
                + (suppressed > 0 ? " (and " + suppressed + " more like it since the last report)" : ""));
    }
}
