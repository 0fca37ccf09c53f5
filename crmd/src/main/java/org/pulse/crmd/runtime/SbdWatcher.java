package org.pulse.crmd.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Reads this node's slot on each poison-pill disk every loop_ms (sbd's servant): a pill (reset/off)
 * makes the watchdog supervisor stop feeding for good, so the watchdog resets the node well within the
 * msgwait the fencer waits. It also counts the disks it could read, for the supervisor's rule that a
 * node without a majority of its disks and without quorum resets itself (one that is quorate keeps
 * running: the cluster can still fence it another way). At start, each disk's header must allow this
 * node's watchdog (its watchdog_ms covers it) and hold a slot for it; a pill left there from before is
 * cleared (the node has been reset since: sbd's start mode "always").
 */
final class SbdWatcher implements AutoCloseable {
    private final List<Path> devices;
    private final String node;
    private final Logger log;
    private final WatchdogFeeder feeder;
    private final ScheduledExecutorService ticker;
    private final Map<Path, Integer> sectors = new HashMap<>();
    private final Map<Path, String> lastError = new HashMap<>();
    private volatile int readable;
    private long loopMs = 1000;
    /** Only the ticker thread touches this: the first pill is enough, the node awaits its reset. */
    private boolean pillSeen;

    SbdWatcher(List<Path> devices, String node, long watchdogTimeoutMs, Logger log, WatchdogFeeder feeder)
            throws IOException {
        this.devices = List.copyOf(devices);
        this.node = node;
        this.log = log;
        this.feeder = feeder;
        int ok = 0;
        for (Path d : devices) {
            SbdDisk.Header h;
            try {
                h = SbdDisk.header(d);
            } catch (IOException e) {
                log.warn("sbd {}: not readable at start ({}); counted as lost until it is", d, e.getMessage());
                continue;
            }
            if (watchdogTimeoutMs > h.watchdogMs()) {
                throw new IOException("sbd " + d + ": this node's watchdog_timeout_ms (" + watchdogTimeoutMs + ") is longer"
                        + " than the disk's watchdog_ms (" + h.watchdogMs() + "), so its msgwait (" + h.msgwaitMs()
                        + " ms) would not cover this node's reset; lay the disk out again with --watchdog-ms of at least "
                        + watchdogTimeoutMs);
            }
            int s = SbdDisk.slotOf(d, h, node);
            if (s < 0) {
                throw new IOException("sbd " + d + " has no slot for " + node + "; lay it out again with " + node
                        + " in --nodes (fence_pulse_sbd create " + d + " --nodes ...)");
            }
            SbdDisk.Slot slot = SbdDisk.slot(d, s);
            if (slot.pill()) {
                log.warn("sbd {}: a {} from {} was left in this node's slot; cleared (this node was reset since)", d,
                        slot.msg(), slot.from());
            }
            SbdDisk.clear(d, s, node);
            sectors.put(d, s);
            loopMs = Math.min(loopMs, h.loopMs());
            ok++;
        }
        readable = ok;
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "crmd-sbd");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        long period = Math.max(50, loopMs);
        ticker.scheduleWithFixedDelay(this::readAll, period, period, TimeUnit.MILLISECONDS);
        log.info("sbd {}: watching this node's slot every {} ms ({} of {} disks readable)", devices, period, readable,
                devices.size());
    }

    int configured() {
        return devices.size();
    }

    int readable() {
        return readable;
    }

    private void readAll() {
        int ok = 0;
        for (Path d : devices) {
            try {
                Integer s = sectors.get(d);
                if (s == null) {
                    SbdDisk.Header h = SbdDisk.header(d);
                    int found = SbdDisk.slotOf(d, h, node);
                    if (found < 0) {
                        throw new IOException("no slot for " + node);
                    }
                    sectors.put(d, found);
                    s = found;
                } else {
                    SbdDisk.header(d);
                }
                SbdDisk.Slot slot = SbdDisk.slot(d, s);
                ok++;
                if (lastError.remove(d) != null) {
                    log.info("sbd {}: readable again", d);
                }
                if (slot.pill() && slot.name().equals(node) && !pillSeen) {
                    pillSeen = true;
                    log.error("sbd {}: poison pill ({}) from {}: resetting through the watchdog", d, slot.msg(), slot.from());
                    feeder.selfFence("poison pill (" + slot.msg() + ") from " + slot.from() + " on " + d);
                }
            } catch (IOException | RuntimeException e) {
                String msg = e.getMessage() == null ? e.toString() : e.getMessage();
                if (!msg.equals(lastError.put(d, msg))) {
                    log.warn("sbd {}: cannot read this node's slot: {}", d, msg);
                }
            }
        }
        readable = ok;
    }

    @Override
    public void close() {
        ticker.shutdownNow();
    }
}
