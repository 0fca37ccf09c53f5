package org.pulse.crmd.runtime;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * The watchdog supervisor: keeps the node's watchdog device fed only while crmd is alive, its event
 * loop answers, and (when the cluster fences through watchdogs) its partition is quorate; otherwise
 * the device resets the node, as SBD's watchdog does. Linux semantics: opening the device arms it,
 * any byte written feeds it, and only 'V' then close disarms it (magic close), which only a clean
 * stop does. A crashed, killed or frozen (SIGSTOP) crmd feeds nothing, so the device fires.
 *
 * <p>Why a thread of crmd and not a process of its own: a process beside crmd could only ask crmd
 * whether it lives; this thread feeds through crmd's own process, so anything that stops crmd stops
 * the feeding with it, and it proves the event loop answers by passing a probe through it each
 * period. The decision ({@link #judge}) is a pure function of what was observed; this class only
 * observes and writes.
 */
final class WatchdogFeeder implements AutoCloseable {
    /**
     * What the supervisor saw at one check. {@code quorate} null: not known (no view yet, joining).
     * {@code peersUnheardMs}: how long since this node heard any other member of its view (-1: no other
     * member, or not known); {@code watchdogFencingMs}: stonith-watchdog-timeout in effect (0: off).
     */
    record Health(long nowMs, long lastLoopAnswerMs, boolean watchdogFencing, Boolean quorate, boolean everQuorate,
            String selfFenceReason, int disksConfigured, int disksReadable, long peersUnheardMs, long watchdogFencingMs) {
        Health(long nowMs, long lastLoopAnswerMs, boolean watchdogFencing, Boolean quorate, boolean everQuorate,
                String selfFenceReason) {
            this(nowMs, lastLoopAnswerMs, watchdogFencing, quorate, everQuorate, selfFenceReason, 0, 0, -1, 0);
        }
    }

    /** Feed or not, whether the refusal is for good (the node must be reset), and why. */
    record Verdict(boolean feed, boolean forGood, String why) {
    }

    /**
     * Not fed: a self-fence request (no-quorum-policy=suicide, a DC's watchdog fencing of this node);
     * with watchdog fencing, a partition that had quorum and lost it (the quorate side counts this node
     * fenced stonith-watchdog-timeout after losing it, so it must be reset before then, and never feed
     * again); an event loop that has not answered for half the timeout. Only the last one may recover.
     */
    static Verdict judge(Health h, long timeoutMs) {
        if (h.selfFenceReason() != null) {
            return new Verdict(false, true, "self-fencing: " + h.selfFenceReason());
        }
        if (h.watchdogFencing() && h.everQuorate() && Boolean.FALSE.equals(h.quorate())) {
            return new Verdict(false, true, "this partition lost quorum and the cluster fences through watchdogs"
                    + " (stonith-watchdog-timeout): the others count this node fenced once that passes");
        }
        if (h.disksConfigured() > 0 && h.disksReadable() * 2 <= h.disksConfigured() && h.everQuorate()
                && Boolean.FALSE.equals(h.quorate())) {
            // sbd's rule: without a majority of its disks a node cannot hear a pill, and without quorum nobody
            // vouches for it; a node that is still quorate keeps running (the cluster can fence it otherwise).
            return new Verdict(false, true, "only " + h.disksReadable() + " of " + h.disksConfigured()
                    + " poison-pill disks are readable and this partition lost quorum");
        }
        long unheardLimitMs = unheardLimitMs(h.watchdogFencingMs(), timeoutMs);
        if (h.watchdogFencing() && Boolean.TRUE.equals(h.quorate()) && unheardLimitMs > 0
                && h.peersUnheardMs() > unheardLimitMs) {
            // The view says quorate, but none of its other members has been heard for that long: this node is cut
            // off and its membership has not noticed (stop 13's CI run: a cut-off member kept its old view for
            // minutes). The quorate side counts it fenced stonith-watchdog-timeout after losing it, so the
            // evidence, not the view, decides. Not for good: hearing them again resumes the feeding.
            return new Verdict(false, false, "no other member of this node's view heard for " + h.peersUnheardMs()
                    + " ms (more than " + unheardLimitMs + " ms) although the view counts this partition quorate:"
                    + " this node is cut off, and the others count it fenced stonith-watchdog-timeout ("
                    + h.watchdogFencingMs() + " ms) after losing it");
        }
        long silentMs = h.nowMs() - h.lastLoopAnswerMs();
        if (silentMs > timeoutMs / 2) {
            return new Verdict(false, false, "crmd's event loop has not answered for " + silentMs + " ms");
        }
        return new Verdict(true, false, "healthy");
    }

    /**
     * How long this node may go without hearing any other member of its (quorate) view before it stops
     * feeding, with watchdog fencing of {@code watchdogFencingMs} (0: off, and no limit: returns 0). Safe:
     * cut off at T, the others lose it at T or later and count it fenced at that + watchdogFencingMs; it
     * feeds last at T + limit + one period and is reset a watchdog timeout after, so limit + period +
     * timeout must stay below watchdogFencingMs; half the room is taken, so a node that merely missed the
     * others for a moment (a busy machine) stops feeding only long after the membership would have acted.
     */
    static long unheardLimitMs(long watchdogFencingMs, long timeoutMs) {
        if (watchdogFencingMs <= 0) {
            return 0;
        }
        long periodMs = periodMs(timeoutMs);
        return Math.max(periodMs, (watchdogFencingMs - timeoutMs - periodMs) / 2);
    }

    /** How often the device is fed: five times per timeout. */
    static long periodMs(long timeoutMs) {
        return Math.max(10, timeoutMs / 5);
    }

    /** What the runtime publishes after each event (read on the feeder thread). */
    record ControllerState(Boolean quorate, boolean watchdogFencing, long watchdogFencingMs) {
        ControllerState(Boolean quorate, boolean watchdogFencing) {
            this(quorate, watchdogFencing, 0);
        }
    }

    private final Path device;
    private final long timeoutMs;
    private final Logger log;
    private final Consumer<Runnable> eventLoop;
    private final Supplier<ControllerState> state;
    private final LongSupplier clockMs;
    private final ScheduledExecutorService ticker;
    private volatile long lastLoopAnswerMs;
    private volatile String selfFenceReason;
    private boolean everQuorate;
    private volatile java.util.function.IntSupplier disksReadable = () -> 0;
    private volatile int disksConfigured;
    private volatile LongSupplier peersUnheardMs = () -> -1;
    private String forGood;
    private boolean lastFed = true;
    private OutputStream out;
    private long feeds;

    /**
     * {@code eventLoop} runs a probe on crmd's event thread; {@code state} gives the controller's state as
     * last published; {@code clockMs} a monotonic clock.
     */
    WatchdogFeeder(Path device, long timeoutMs, Logger log, Consumer<Runnable> eventLoop,
            Supplier<ControllerState> state, LongSupplier clockMs) {
        this.device = device;
        this.timeoutMs = timeoutMs;
        this.log = log;
        this.eventLoop = eventLoop;
        this.state = state;
        this.clockMs = clockMs;
        this.lastLoopAnswerMs = clockMs.getAsLong();
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "crmd-watchdog");
            t.setDaemon(true);
            return t;
        });
    }

    /** Checks the device is there, then arms and feeds it from now on (five times per timeout). */
    void start() throws IOException {
        if (!Files.exists(device)) {
            throw new IOException("watchdog = " + device + ": no such device; load a watchdog driver (e.g."
                    + " modprobe softdog), or for tests start pulse-watchdog-sim on that path, or remove the"
                    + " watchdog line from the node config");
        }
        long periodMs = periodMs(timeoutMs);
        ticker.execute(this::open);
        ticker.scheduleAtFixedRate(this::tick, periodMs, periodMs, TimeUnit.MILLISECONDS);
        log.info("watchdog {}: armed, timeout {} ms, fed every {} ms while crmd answers (and, with watchdog"
                + " fencing, while quorate)", device, timeoutMs, periodMs);
    }

    /** The poison-pill disks this node watches, and how many of them its watcher could read last. */
    void watchDisks(int configured, java.util.function.IntSupplier readable) {
        disksReadable = readable;
        disksConfigured = configured;
    }

    /**
     * How long ago this node last heard any other member of its view (-1: no other member, or not known),
     * read at each check (see {@link #unheardLimitMs}).
     */
    void watchPeers(LongSupplier freshestPeerAgeMs) {
        peersUnheardMs = freshestPeerAgeMs;
    }

    /** Never feed again: the node is reset within the timeout (no-quorum-policy=suicide, fenced by the DC). */
    void selfFence(String reason) {
        selfFenceReason = reason;
        ticker.execute(this::tick);
    }

    private void open() {
        try {
            // Opening arms the device (a simulator's FIFO blocks here until the simulator reads).
            out = new FileOutputStream(device.toFile());
        } catch (IOException e) {
            log.error("watchdog {}: cannot open it ({}); nothing feeds it", device, e.getMessage());
        }
    }

    private void tick() {
        eventLoop.accept(() -> lastLoopAnswerMs = clockMs.getAsLong());
        if (forGood != null || out == null) {
            return;
        }
        ControllerState s = state.get();
        if (s != null && Boolean.TRUE.equals(s.quorate())) {
            everQuorate = true;
        }
        Verdict v = judge(new Health(clockMs.getAsLong(), lastLoopAnswerMs, s != null && s.watchdogFencing(),
                s == null ? null : s.quorate(), everQuorate, selfFenceReason, disksConfigured,
                disksReadable.getAsInt(), peersUnheardMs.getAsLong(), s == null ? 0 : s.watchdogFencingMs()), timeoutMs);
        // Logged when feeding stops or starts again, not at every tick of a hang.
        if (v.feed() != lastFed || v.forGood()) {
            if (v.feed()) {
                log.info("watchdog {}: feeding again ({})", device, v.why());
            } else {
                log.error("watchdog {}: not fed any more: {}; the node {} reset within {} ms", device, v.why(),
                        v.forGood() ? "will be" : "is", timeoutMs);
            }
            lastFed = v.feed();
        }
        if (v.forGood()) {
            forGood = v.why();
            return;
        }
        if (v.feed()) {
            try {
                out.write('1');
                out.flush();
                feeds++;
            } catch (IOException e) {
                log.error("watchdog {}: feeding failed: {}", device, e.getMessage());
            }
        }
    }

    /** Whether feeding stopped for good (the node awaits its reset). */
    boolean stoppedForGood() {
        return forGood != null;
    }

    long feeds() {
        return feeds;
    }

    /**
     * A clean stop: magic close ('V', then close) disarms the device, as every watchdog daemon does when
     * it stops on purpose; but never while the node must be reset.
     */
    @Override
    public void close() {
        ticker.shutdownNow();
        try {
            ticker.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (out == null) {
            return;
        }
        try {
            if (forGood == null && selfFenceReason == null) {
                out.write('V');
                out.flush();
                log.info("watchdog {}: disarmed (magic close) on a clean stop", device);
            }
            out.close();
        } catch (IOException e) {
            log.warn("watchdog {}: closing: {}", device, e.getMessage());
        }
    }
}
