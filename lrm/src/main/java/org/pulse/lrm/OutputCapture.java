package org.pulse.lrm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads one of an agent's pipes to its end, keeping the first {@code limitBytes} and counting the rest.
 * Reading never stops before EOF, so an agent that prints megabytes never blocks on a full pipe; and the
 * LRM never waits for that EOF either (a background child may hold the pipe open): it takes a
 * {@link #snapshot} once the agent's main process has exited and the drain time is over.
 * On stderr it also follows the last {@code ocf-exit-reason:} line, over the whole stream, not only the
 * kept part.
 */
final class OutputCapture implements Runnable {
    static final String EXIT_REASON_PREFIX = "ocf-exit-reason:";
    /** Pacemaker keeps this many characters of the exit reason. */
    static final int EXIT_REASON_MAX_CHARS = 128;
    /** Lines are scanned for the exit-reason cookie up to this length; the rest of a longer line is skipped. */
    private static final int LINE_SCAN_BYTES = 4096;

    private final InputStream in;
    private final int limitBytes;
    private final boolean scanExitReason;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final CountDownLatch eof = new CountDownLatch(1);
    private long dropped;
    private String exitReason = "";

    OutputCapture(InputStream in, int limitBytes, boolean scanExitReason) {
        this.in = in;
        this.limitBytes = limitBytes;
        this.scanExitReason = scanExitReason;
    }

    @Override
    public void run() {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                accept(buf, n);
            }
        } catch (IOException e) {
            // The pipe was closed under us (the process is gone): what we have is the output.
        } finally {
            synchronized (this) {
                endLine();
            }
            eof.countDown();
        }
    }

    private synchronized void accept(byte[] buf, int n) {
        int keep = Math.max(0, Math.min(n, limitBytes - kept.size()));
        kept.write(buf, 0, keep);
        dropped += n - keep;
        if (scanExitReason) {
            for (int i = 0; i < n; i++) {
                if (buf[i] == '\n') {
                    endLine();
                } else if (line.size() < LINE_SCAN_BYTES) {
                    line.write(buf[i]);
                }
            }
        }
    }

    private void endLine() {
        if (line.size() == 0) {
            return;
        }
        String s = line.toString(StandardCharsets.UTF_8);
        line.reset();
        int at = s.lastIndexOf(EXIT_REASON_PREFIX);
        if (at >= 0) {
            String reason = s.substring(at + EXIT_REASON_PREFIX.length()).strip();
            exitReason = reason.length() > EXIT_REASON_MAX_CHARS ? reason.substring(0, EXIT_REASON_MAX_CHARS) : reason;
        }
    }

    /** Waits up to {@code ms} for EOF; true if the stream ended. */
    boolean awaitEof(long ms) throws InterruptedException {
        return eof.await(ms, TimeUnit.MILLISECONDS);
    }

    record Snapshot(String text, long droppedBytes, String exitReason) {
    }

    /** What has been read so far. A line still without its newline counts for the exit reason too. */
    synchronized Snapshot snapshot() {
        String reason = exitReason;
        if (scanExitReason && line.size() > 0) {
            String s = line.toString(StandardCharsets.UTF_8);
            int at = s.lastIndexOf(EXIT_REASON_PREFIX);
            if (at >= 0) {
                reason = s.substring(at + EXIT_REASON_PREFIX.length()).strip();
                reason = reason.length() > EXIT_REASON_MAX_CHARS ? reason.substring(0, EXIT_REASON_MAX_CHARS) : reason;
            }
        }
        return new Snapshot(kept.toString(StandardCharsets.UTF_8), dropped, reason);
    }
}
