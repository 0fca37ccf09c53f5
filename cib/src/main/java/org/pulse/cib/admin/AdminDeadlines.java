package org.pulse.cib.admin;

/**
 * How long a CIB write may wait to be confirmed by every member, and every deadline stacked on top
 * of it, worked out in this one place so that they cannot drift apart: the DC's confirmation, the
 * forwarding node's wait for the DC, crmd's admin socket, and the shell's read.
 *
 * <p>The DC answers a write once every member of its partition stored it. On a busy machine a member
 * may be slow, and every new view restarts the join (and clears the members' acknowledgements), so a
 * fixed deadline refused writes while the cluster was still making progress. Instead the DC gives up
 * on a write only when nothing moved for {@code idleMs} (no member that still owed the write
 * acknowledged anything, no join answer or completion) or when {@code capMs} passed since the write
 * reached the DC, whichever comes first; the cap keeps a cluster that churns for ever from holding an
 * operator for ever.
 *
 * <p>Each outer deadline is the inner one plus {@link #MARGIN_MS}, so the inner one always answers
 * first with the more precise message: a forwarded write travels to the DC and back (a message each
 * way, a few ms, seconds on a starved machine), and the admin socket's own deadline only guards
 * against an event loop that does not answer at all.
 *
 * @param idleMs how long the DC waits without any progress on a write before answering it timed out
 * @param capMs the longest the DC keeps a write waiting, progress or not, counted from its arrival
 */
public record AdminDeadlines(long idleMs, long capMs) {
    /** Between two stacked deadlines: a message each way on a starved machine, with room to spare. */
    public static final long MARGIN_MS = 5_000;
    /**
     * 30 s without progress, as the fixed deadline was before (a member silent that long is hung, and the
     * failure detector has long since removed a dead one); the cap allows about three such windows.
     */
    public static final long MAX_CAP_MS = 90_000;
    public static final AdminDeadlines DEFAULTS = new AdminDeadlines(30_000, MAX_CAP_MS);
    /**
     * crmd's resident scheduler answers {@code simulate} within this (ResidentScheduler); below
     * {@link #socketMs()} of the defaults, so the shell's one read bound covers it too.
     */
    public static final long SIMULATE_ANSWER_MS = 60_000;

    public AdminDeadlines {
        if (idleMs <= 0 || capMs < idleMs || capMs > MAX_CAP_MS) {
            throw new IllegalArgumentException("CIB write confirmation deadlines out of range: without progress "
                    + idleMs + " ms, at most " + capMs + " ms; need 0 < cib_confirm_idle_ms <= cib_confirm_cap_ms <= "
                    + MAX_CAP_MS + " (the shell waits for an answer only as long as the defaults allow)");
        }
    }

    /** The cap at three idle windows, within the default cap (tests and simulations scale the idle window). */
    public static AdminDeadlines ofIdle(long idleMs) {
        return new AdminDeadlines(idleMs, Math.min(MAX_CAP_MS, Math.max(idleMs, 3 * idleMs)));
    }

    /** How long a node that forwarded a write to the DC waits for the DC's answer. */
    public long forwardMs() {
        return capMs + MARGIN_MS;
    }

    /** How long crmd's admin socket waits for its event loop's answer to a write. */
    public long socketMs() {
        return forwardMs() + MARGIN_MS;
    }

    /**
     * How long the shell waits for any answer from crmd: the longest the socket may take with the
     * defaults (no node config may raise them) or a resident simulation, plus the margin.
     */
    public static long clientReadMs() {
        return Math.max(DEFAULTS.socketMs(), SIMULATE_ANSWER_MS) + MARGIN_MS;
    }
}
