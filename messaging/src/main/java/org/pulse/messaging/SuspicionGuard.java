package org.pulse.messaging;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.View;
import org.jgroups.stack.Protocol;

/**
 * Sits right above VERIFY_SUSPECT2 and holds back a confirmed suspicion this node formed while it
 * was itself starved of CPU ({@link PauseWatch}): such a node did not run long enough to hear the
 * suspect's heartbeats, nor its answer to VERIFY_SUSPECT2, so its "silent" says nothing about the
 * suspect. Left alone, the suspicion makes GMS install a view without the suspect, and crmd's DC
 * of that view fences a healthy node (seen on 2 busy cores: a survivor suspected the healthy DC
 * while a fenced node restarted, formed a partition with it and fenced the DC).
 *
 * <p>How: a suspicion arrives (FD_ALL3 or FD_SOCK2, confirmed by VERIFY_SUSPECT2). If this node
 * missed at least {@code thresholdMs} of CPU during the last {@code windowMs} (the time over which
 * the suspicion was formed), it is dropped and remembered as held. FD_ALL3 raises it again every
 * heartbeat interval while the suspect stays silent, each time with a fresh VERIFY_SUSPECT2 round,
 * so the suspicion goes through at the first one formed in a window in which this node ran; an
 * UNSUSPECT (the suspect was heard after all) ends the hold and is counted as a false suspicion
 * avoided. A hold never lasts longer than {@code maxHoldMs}: a suspect still silent then is let
 * through even if this node keeps being starved, so a real failure is never ignored, only
 * detected later, and only on a node that could not run.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class SuspicionGuard extends Protocol {
    private static final Logger LOG = System.getLogger(SuspicionGuard.class.getName());

    private final String nodeName;
    private final PauseWatch watch;
    private final LongSupplier nanoTime;
    private final long windowNanos;
    private final long thresholdNanos;
    private final long maxHoldNanos;
    /** Suspect → when its suspicion was first held (nanoTime). */
    private final Map<Address, Long> heldSince = new ConcurrentHashMap<>();
    private final AtomicLong heldCount = new AtomicLong();
    private final AtomicLong avoidedCount = new AtomicLong();
    private final AtomicLong expiredCount = new AtomicLong();

    SuspicionGuard(String nodeName, PauseWatch watch, LongSupplier nanoTime, Settings settings) {
        this.nodeName = nodeName;
        this.watch = watch;
        this.nanoTime = nanoTime;
        this.windowNanos = settings.windowMs() * 1_000_000L;
        this.thresholdNanos = settings.thresholdMs() * 1_000_000L;
        this.maxHoldNanos = settings.maxHoldMs() * 1_000_000L;
    }

    /**
     * The guard's settings from the failure detection timing.
     *
     * @param windowMs    the time over which a suspicion forms: the worst case from silence to a
     *                    confirmed suspicion ({@link Timing#worstCaseSilentDetectionMs()})
     * @param thresholdMs CPU missed within the window that makes this node's suspicions unreliable:
     *                    half a heartbeat interval (a node that missed that much may have missed
     *                    a heartbeat, or the suspect's answer to VERIFY_SUSPECT2, which is shorter)
     * @param maxHoldMs   the longest a suspicion is held: 4 × the detection time, at least 2 s
     * @param tickMs      how often the pause watch wakes: a tenth of the threshold, 2..10 ms
     */
    record Settings(long windowMs, long thresholdMs, long maxHoldMs, long tickMs) {
        static Settings of(Timing t) {
            long threshold = Math.max(5, t.heartbeatIntervalMs() / 2);
            return new Settings(t.worstCaseSilentDetectionMs(), threshold, Math.max(2_000, 4 * t.failureDetectionMs()),
                    Math.max(2, Math.min(10, threshold / 10)));
        }

        String describe() {
            return "a node that missed " + thresholdMs + " ms of CPU within " + windowMs + " ms holds back its own suspicions"
                    + " (up to " + maxHoldMs + " ms; pause watch every " + tickMs + " ms)";
        }
    }

    @Override
    public Object up(Event evt) {
        switch (evt.getType()) {
            case Event.SUSPECT -> {
                List<Address> pass = screen(addresses(evt.getArg()));
                return pass.isEmpty() ? null : up_prot.up(new Event(Event.SUSPECT, pass));
            }
            case Event.UNSUSPECT -> {
                Object arg = evt.getArg();
                if (arg instanceof Address a) {
                    Long since = heldSince.remove(a);
                    if (since != null) {
                        avoidedCount.incrementAndGet();
                        LOG.log(Level.INFO, nodeName + ": " + Messenger.nameOf(a) + " was heard again "
                                + (nanoTime.getAsLong() - since) / 1_000_000 + " ms after this node held back its"
                                + " suspicion (formed while this node was starved of CPU): a false suspicion avoided");
                    }
                }
            }
            default -> {
            }
        }
        return up_prot.up(evt);
    }

    @Override
    public Object down(Event evt) {
        if (evt.getType() == Event.VIEW_CHANGE && evt.getArg() instanceof View v) {
            heldSince.keySet().retainAll(v.getMembers());
        }
        return down_prot.down(evt);
    }

    /** The suspects to pass up now; the others are held (see the class comment). */
    List<Address> screen(Collection<Address> suspects) {
        long now = nanoTime.getAsLong();
        long stolen = watch.stolenWithinNanos(windowNanos, now);
        List<Address> pass = new ArrayList<>(suspects.size());
        for (Address a : suspects) {
            Long since = heldSince.get(a);
            boolean starved = stolen >= thresholdNanos;
            if (starved && (since == null || now - since < maxHoldNanos)) {
                heldCount.incrementAndGet();
                if (since == null) {
                    heldSince.put(a, now);
                    LOG.log(Level.INFO, nodeName + ": holding back the suspicion of " + Messenger.nameOf(a) + ": this node"
                            + " missed " + stolen / 1_000_000 + " ms of CPU in the last " + windowNanos / 1_000_000
                            + " ms (worst single pause so far " + watch.worstLatenessNanos() / 1_000_000 + " ms), so it may"
                            + " not have heard it; asking again while it stays silent");
                }
                continue;
            }
            if (since != null) {
                heldSince.remove(a);
                if (starved) {
                    expiredCount.incrementAndGet();
                }
                LOG.log(Level.INFO, nodeName + ": suspecting " + Messenger.nameOf(a) + " after holding the suspicion back "
                        + (now - since) / 1_000_000 + " ms" + (starved ? " (the longest hold; this node is still starved)"
                                : " (this node ran normally for " + windowNanos / 1_000_000 + " ms since)"));
            }
            pass.add(a);
        }
        return pass;
    }

    static List<Address> addresses(Object arg) {
        if (arg instanceof Collection<?> c) {
            return c.stream().filter(Address.class::isInstance).map(Address.class::cast).toList();
        }
        if (arg instanceof Address a) {
            return List.of(a);
        }
        return List.of();
    }

    /** Suspicion events held back (each re-raised suspicion counts). */
    long heldCount() {
        return heldCount.get();
    }

    /** Held suspects heard from again: false suspicions that did not become view changes. */
    long avoidedCount() {
        return avoidedCount.get();
    }

    /** Held suspicions let through at the longest hold while this node was still starved. */
    long expiredCount() {
        return expiredCount.get();
    }
}
