package org.pulse.messaging;

/**
 * Every timing setting of the JGroups stack, worked out from one operator knob: the failure
 * detection time, i.e. the longest time from a node going silent (cut link, hung or frozen
 * process) until the others have confirmed the suspicion and start installing a view without it.
 *
 * <p>How the budget {@code D} is split (figures.md, JGroups 5.5.7 on a 2-core machine):
 * <ul>
 * <li>{@link Heartbeats} (FD_ALL3 until issue 17, on a dedicated thread) sends heartbeats every
 *     {@code heartbeatIntervalMs = 0.1 D} and suspects a member silent for its adaptive timeout
 *     ({@link ArrivalDetector}): twice the largest recent gap between that member's heartbeats, at
 *     least {@code heartbeatFloorMs = max(100 ms, 2.5 intervals)} (125 ms at D = 500: a quiet machine)
 *     and at most {@code heartbeatTimeoutMs = 0.64 D} (the fixed timeout before: a busy one). It checks
 *     every half interval, so a silent member is suspected at most timeout + 0.05 D after its last
 *     heartbeat.</li>
 * <li>VERIFY_SUSPECT2 then checks the suspect for {@code verifySuspectTimeoutMs = 0.1 D}: that timeout and
 *     a millisecond ({@link PromptVerifySuspect}; JGroups' own periodic checker alone took one to two
 *     timeouts, figures.md). {@link SuspicionGuard}'s second opinion follows: a round trip, at most
 *     the same timeout.</li>
 * <li>A crashed process is faster: its TCP connection breaks, FD_SOCK2 notices in 13–30 ms, and
 *     only VERIFY_SUSPECT2 follows.</li>
 * </ul>
 * The default of 500 ms gives heartbeats every 50 ms, a timeout of 125..320 ms and VERIFY_SUSPECT2 50.
 * Before the adaptive timeout it was a fixed 320/80 (FD_ALL3's timeout/interval): one and a half times the
 * 200/50/50 that ran 5 minutes idle without a false suspicion, because ours must hold on a loaded
 * 2-core machine. Measured with {@code MessagingSoak} (3 JVMs on loopback, a spinning thread, load
 * average 10-15 on 2 cores from everyone's builds): 500 ms gave no view change in 7 minutes (one
 * transient suspicion that VERIFY_SUSPECT2 let through but GMS did not act on); 200 ms gave 15
 * suspicions and 36 view changes in 2 minutes. Below 100 ms (FD_ALL3 64/16) figures.md already saw
 * transient suspicions on an idle machine, so the knob stops there.
 *
 * <p>The worst case below is the design bound; scheduling delays on a loaded machine come on top
 * (a silent node at 500 ms was removed after 424-528 ms in ClusterTest), and so does
 * {@link SuspicionGuard}: a node starved of CPU holds its suspicions until it ran normally for D
 * (at most max(2 s, 4 D) of its running time), and a second opinion costs a round trip (at most 0.1 D).
 *
 * <p>The other settings follow from D so the whole stack speeds up or slows down together: a
 * join waits {@code joinTimeoutMs = max(1000, 2 D)} for a coordinator; the coordinator waits
 * {@code viewAckTimeoutMs = D} for view acks (a member that cannot ack within D is about to be
 * suspected anyway, and a long wait is what let an isolated node hold a stale 2-of-3 view for a
 * second in figures.md); MERGE3 looks for other partitions every {@code max(500, D)} to
 * {@code 4×} that (500/2000 merged fastest in figures.md); a merge may take
 * {@code mergeTimeoutMs = max(2000, 4 D)}.
 */
public record Timing(
        long failureDetectionMs,
        long heartbeatTimeoutMs,
        long heartbeatFloorMs,
        long heartbeatIntervalMs,
        long verifySuspectTimeoutMs,
        int fdSockConnectTimeoutMs,
        long joinTimeoutMs,
        long viewAckTimeoutMs,
        long mergeMinIntervalMs,
        long mergeMaxIntervalMs,
        long mergeTimeoutMs) {

    public static final long DEFAULT_FAILURE_DETECTION_MS = 500;
    public static final long MIN_FAILURE_DETECTION_MS = 100;
    public static final long MAX_FAILURE_DETECTION_MS = 60_000;
    /**
     * The adaptive timeout never goes below this, whatever D: a healthy JVM's ordinary stalls (a
     * safepoint, a young collection, a JIT deoptimisation) last tens of ms, and must never look
     * like silence.
     */
    static final long ABSOLUTE_FLOOR_MS = 100;

    public Timing {
        if (heartbeatIntervalMs <= 0 || heartbeatTimeoutMs <= heartbeatIntervalMs || verifySuspectTimeoutMs <= 0
                || heartbeatFloorMs < 2 * heartbeatIntervalMs || heartbeatFloorMs > heartbeatTimeoutMs) {
            throw new IllegalArgumentException("inconsistent timing: heartbeat timeout " + heartbeatTimeoutMs
                    + " ms must exceed the interval " + heartbeatIntervalMs + " ms, the adaptive floor " + heartbeatFloorMs
                    + " ms must lie between two intervals and that timeout, and verify timeout "
                    + verifySuspectTimeoutMs + " ms must be positive");
        }
    }

    /** The settings for the default detection time (500 ms). */
    public static Timing defaults() {
        return derive(DEFAULT_FAILURE_DETECTION_MS);
    }

    /**
     * All settings from the failure detection time, in ms (between {@value #MIN_FAILURE_DETECTION_MS}
     * and {@value #MAX_FAILURE_DETECTION_MS}).
     */
    public static Timing derive(long failureDetectionMs) {
        if (failureDetectionMs < MIN_FAILURE_DETECTION_MS || failureDetectionMs > MAX_FAILURE_DETECTION_MS) {
            throw new IllegalArgumentException("failure detection time " + failureDetectionMs + " ms is out of range: use "
                    + MIN_FAILURE_DETECTION_MS + ".." + MAX_FAILURE_DETECTION_MS + " ms (default "
                    + DEFAULT_FAILURE_DETECTION_MS + "; below " + MIN_FAILURE_DETECTION_MS
                    + " ms a busy machine raises false suspicions)");
        }
        long d = failureDetectionMs;
        long heartbeatTimeoutMs = Math.round(d * 0.64);
        long heartbeatIntervalMs = Math.max(1, d / 10);
        long heartbeatFloorMs = Math.min(heartbeatTimeoutMs, Math.max(ABSOLUTE_FLOOR_MS, heartbeatIntervalMs * 5 / 2));
        long verifyMs = Math.max(10, d / 10);
        int connectMs = (int) Math.min(1000, Math.max(100, Math.round(d * 0.6)));
        long mergeMinMs = Math.max(500, d);
        return new Timing(d, heartbeatTimeoutMs, heartbeatFloorMs, heartbeatIntervalMs, verifyMs, connectMs,
                Math.max(1000, 2 * d), d, mergeMinMs, 4 * mergeMinMs, Math.max(2000, 4 * d));
    }

    /**
     * How long FD_SOCK2 waits for its new ring neighbour's answer to CONNECT before suspecting it:
     * {@code max(2 s, 4 D)}, not the TCP connect timeout. A dead process refuses the connection at once
     * (the kernel answers), so this wait only ever applies to a live process that is slow to answer: a JVM
     * that just joined on a busy machine (seconds at load 40-140 with a batch of JVMs starting), which the
     * heartbeats judge anyway. At 0.6 D every view change of a forming cluster had members suspect their new
     * neighbour, and FD_SOCK2's suspicion passes as a crash.
     */
    public int fdSockAnswerTimeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(2000, 4 * failureDetectionMs));
    }

    /**
     * How long a node accepting a TCP connection waits for the connecting peer to send its address: {@code max(5 s,
     * 10 D)}, not JGroups' 1 s. Only a live process can be slow here (a dead one's connection closes, which ends
     * the wait at once): a JVM that connected and was then starved of CPU. bench/scale at 24 nodes (D = 500, load
     * 100-180) refused 126 such connections after 1 s ("failed accepting connection ... Read timed out"), and a
     * refused member hears nobody until it connects again. The wait holds JGroups' one accepting thread, so a
     * connection behind it is accepted that much later, never refused; that is the price of a peer that connected
     * and then froze, which is rare (a cut link between the connect and the first write).
     */
    public int peerAddressReadTimeoutMs() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(5000, 10 * failureDetectionMs));
    }

    /**
     * How often {@link Heartbeats} checks for silence: half the heartbeat interval, so a suspicion
     * follows the timeout by at most that (checks allocate nothing and send nothing).
     */
    public long heartbeatCheckMs() {
        return Math.max(1, heartbeatIntervalMs / 2);
    }

    /**
     * Worst case from a silent failure to a confirmed suspicion: the adaptive timeout at its ceiling
     * + one check + verify + the second opinion's longest wait (the verify timeout again; a suspect that
     * announced a pause lately: plus D, SuspicionGuard).
     */
    public long worstCaseSilentDetectionMs() {
        return heartbeatTimeoutMs + heartbeatCheckMs() + 2 * verifySuspectTimeoutMs;
    }

    /**
     * A quiet machine (heartbeats arriving punctually for a while): the adaptive floor + one check +
     * verify, counted from the last heartbeat heard (from a cut link, up to an interval less), and the
     * second opinion's round trip on top.
     */
    public long quietSilentDetectionMs() {
        return heartbeatFloorMs + heartbeatCheckMs() + verifySuspectTimeoutMs + PromptVerifySuspect.MARGIN_MS;
    }

    /** Worst case for a crashed process whose TCP connections break: FD_SOCK2 (~30 ms) + verify, with slack. */
    public long worstCaseCrashDetectionMs() {
        return 30 + 2 * verifySuspectTimeoutMs;
    }

    /** What crmd prints at start: the derived settings and the detection times they give. */
    public String describe() {
        return "failure detection " + failureDetectionMs + " ms: heartbeats every " + heartbeatIntervalMs
                + " ms (on a dedicated thread), a member silent for " + heartbeatFloorMs + ".." + heartbeatTimeoutMs
                + " ms (adaptive: twice its recent largest heartbeat gap) is suspected and checked for "
                + verifySuspectTimeoutMs + " ms (VERIFY_SUSPECT2); from a cut link or hung node to its"
                + " removal: " + quietSilentDetectionMs() + " ms on a quiet machine, " + worstCaseSilentDetectionMs()
                + " ms at worst; from a crashed process (connection reset, FD_SOCK2): ~"
                + worstCaseCrashDetectionMs() + " ms; plus a few ms to install the view. Joins wait up to "
                + joinTimeoutMs + " ms for a coordinator, views wait " + viewAckTimeoutMs + " ms for acks,"
                + " partitions are looked for every " + mergeMinIntervalMs + ".." + mergeMaxIntervalMs
                + " ms and merge within " + mergeTimeoutMs + " ms (MERGE3)";
    }
}
