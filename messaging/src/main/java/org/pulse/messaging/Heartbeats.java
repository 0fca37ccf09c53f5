package org.pulse.messaging;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Event;
import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FailureDetection;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;

/**
 * Failure detection by silence, in place of JGroups' FD_ALL3: every member multicasts a heartbeat
 * every {@code intervalMs} and suspects a member it has heard nothing from (heartbeat or any
 * other message) for that member's adaptive timeout ({@link ArrivalDetector}: twice its recent
 * largest heartbeat gap, between the {@link Detection}'s floor and {@code timeoutMs}; the time this
 * node itself did not run is taken off the silence first), checked when the first member's timeout ends and
 * at least every {@link Detection#checkMs},
 * raising the suspicion again every interval while the member stays silent (VERIFY_SUSPECT2 and {@link SuspicionGuard} above rely on that), and
 * withdrawing it (UNSUSPECT) as soon as the member is heard.
 *
 * <p>Why not FD_ALL3: it sends and checks on the transport's shared timer, whose one runner thread
 * also runs every retransmission, stability and merge task of the stack. A task that takes long
 * there (or a timer starved along with the rest of a busy JVM) stops this node's heartbeats, and
 * its peers suspect a healthy node ({@code HeartbeatPathTest} blocks the timer and shows it). Here
 * one dedicated thread per node, at {@link Thread#MAX_PRIORITY}, does both jobs and nothing else.
 * On Linux the JVM honours the priority only with {@code -XX:ThreadPriorityPolicy=1} and the
 * right to lower a nice value (root, as crmd runs): then the thread runs at nice -5 and gets about
 * three times the CPU share of a busy-looping process at nice 0. Without it, the dedicated thread
 * still keeps the heartbeats off every shared queue.
 *
 * <p>No allocation on the path this class owns: the heartbeat message and its header are built once
 * and sent again and again (the seal below serializes a message synchronously in the sending thread,
 * so nothing keeps a reference to it); the check walks an array rebuilt only on view changes and
 * reads each peer's last-heard time from a volatile long; what it allocates is the suspicion event,
 * when there is one. The seal and the transport below allocate their buffer per send (a ~100 byte
 * frame): that is theirs, and an allocation that small does not make a collector run on its own.
 *
 * <p>On the wire a heartbeat is FD_ALL3's (its header and protocol id), so a node of the previous
 * version, which runs FD_ALL3, hears this one's heartbeats and the other way round: a rolling
 * upgrade keeps working (crmd/README "Versions and rolling upgrades").
 *
 * <p>A member whose {@link PauseWatch} saw it starved (at least {@code announceThresholdMs} of CPU
 * missed within the last detection window) says so to those who judge its silence (all others; on a
 * ring its watchers and the coordinator, {@link #pauseRecipients}), with the heartbeat it sends
 * right after the pause and with every one while the pause is within the window: {@link SuspicionGuard}'s
 * header, type PAUSED, on the heartbeat itself for a ring successor, else on a message of its own (a
 * node of the previous version reads it on either; FD_ALL3 ignores it). {@link SuspicionGuard} gives a member that announced such a pause lately a bounded grace
 * before its silence becomes a suspicion GMS acts on (see {@link #announcedPauseMs}).
 *
 * <p><b>Along a ring</b> beyond {@code watchers + 1} members: each member sends its heartbeat to the
 * next {@code watchers} members of the view (view order, wrapping) and watches only the
 * {@code watchers} before it, so a member hears {@code watchers} heartbeats per interval whatever
 * the cluster's size, where all-to-all over TCP grows with the square of it (messaging/README,
 * "Heartbeats along a ring"). Up to {@code watchers + 1} members it is all-to-all. Detection time is
 * unchanged: each watcher suspects after the same timeout.
 *
 * <p>Like FD_ALL3, only the member that would coordinate the view without the suspects raises the
 * suspicion: GMS acts on nobody else's. On a ring the watcher is usually not the coordinator, so it
 * forwards its suspicion there (one unicast, {@link ForwardedSuspicion}, again at every check while
 * the suspect stays silent), unless it was itself starved of CPU lately (its silence then says
 * nothing); the coordinator raises it as its own, so VERIFY_SUSPECT2 and {@link SuspicionGuard}'s
 * pause check and second opinion (which reaches the suspect's other watchers) run as before.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class Heartbeats extends Protocol {
    /** FD_ALL3's protocol id: heartbeats carry its header under it, as FD_ALL3 sends them. */
    static final short PROTOCOL_ID = ClassConfigurator.getProtocolId(FD_ALL3.class);

    private final String nodeName;
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    /** Null when the guard is off: heartbeats then announce no pause. */
    private final PauseWatch watch;
    private final long announceWindowNanos;
    private final long announceThresholdNanos;

    /** Watchers per member on a ring: survives two failures at once and leaves two for a second opinion. */
    static final int DEFAULT_WATCHERS = 3;
    /** The forwarded suspicion's header magic (under FD_ALL3's protocol id, which these heartbeats keep). */
    static final short FORWARDED_MAGIC = 3622;

    static {
        ClassConfigurator.add(FORWARDED_MAGIC, ForwardedSuspicion.class);
    }

    /** One member as this node sees it; a fixed object per member and view, so the check allocates nothing. */
    static final class Peer {
        final Address address;
        volatile long lastHeardNanos;
        volatile boolean suspected;
        /** What the member's newest pause announcement said it missed, and when it came. */
        volatile int announcedPauseMs;
        volatile long announcedAtNanos = Long.MIN_VALUE;
        /** Learns this member's timeout from its heartbeats' arrivals; guarded by this Peer. */
        final ArrivalDetector detector;
        /** The detector's current timeout, read by the heartbeat thread without the lock. */
        volatile long timeoutNanos;
        /**
         * When a heartbeat of the member last came late (a gap that alone lifts its timeout above the floor), or when
         * it became watched (no evidence yet counts as late): the guard's stall rule asks how long ago. Written under
         * the lock, read without it.
         */
        volatile long lateAtNanos;
        /** When this node last raised (or forwarded) a suspicion of the member. */
        long raisedAtNanos;

        Peer(Address address, long nowNanos, Detection d) {
            this.address = address;
            this.lastHeardNanos = nowNanos;
            this.detector = d.newDetector();
            this.timeoutNanos = detector.timeoutNanos();
            this.lateAtNanos = nowNanos;
        }

        /** A heartbeat (not any message: other traffic has no rhythm to learn) arrived at {@code nowNanos}. */
        void heartbeatArrived(long nowNanos) {
            synchronized (this) {
                if (detector.arrived(nowNanos)) {
                    lateAtNanos = nowNanos;
                }
                timeoutNanos = detector.timeoutNanos();
            }
        }

        /** Newly watched at {@code nowNanos}: no evidence yet, so the ceiling, and late as of now. */
        void resetDetector(long nowNanos) {
            synchronized (this) {
                lateAtNanos = nowNanos;
                detector.reset();
                timeoutNanos = detector.timeoutNanos();
            }
        }
    }

    /**
     * The adaptive timeout's bounds ({@link ArrivalDetector}).
     *
     * @param floorMs         the shortest timeout (a quiet machine)
     * @param ceilingMs       the longest (a busy one; the fixed timeout before issue 17)
     * @param halfLifeMs      how fast a late heartbeat is forgotten while the later ones are punctual
     * @param maxDiscountMs   at most this much of a silence is excused because this node itself did not
     *                        run ({@link PauseWatch}): the ceiling (the guard then holds what a starved node raises)
     * @param checkMs         how often silence is checked (heartbeats go out every interval)
     */
    record Detection(long intervalMs, long floorMs, long ceilingMs, long halfLifeMs, long maxDiscountMs, long checkMs) {
        /** Half-life of a late heartbeat's memory: long against bursts, short enough to be fast again a minute after one. */
        static final long DEFAULT_HALF_LIFE_MS = 10_000;

        static Detection of(Timing t) {
            // The discount is bounded by the ceiling, not by the guard's longest hold: the guard holds what this node
            // raises while starved for up to that hold again, and the two must not add up to twice the hold
            // (ClusterTest at load ~100: 3.2 s for a silent node with a 2 s discount before a 2 s hold).
            return new Detection(t.heartbeatIntervalMs(), t.heartbeatFloorMs(), t.heartbeatTimeoutMs(), DEFAULT_HALF_LIFE_MS,
                    t.heartbeatTimeoutMs(), t.heartbeatCheckMs());
        }

        /** The fixed timeout of before (floor = ceiling), checked every interval: what the older constructors give. */
        static Detection fixed(long timeoutMs, long intervalMs) {
            return new Detection(intervalMs, timeoutMs, timeoutMs, DEFAULT_HALF_LIFE_MS, 0, intervalMs);
        }

        ArrivalDetector newDetector() {
            long ms = 1_000_000L;
            return new ArrivalDetector(intervalMs * ms, Math.max(floorMs, 2 * intervalMs) * ms, Math.max(ceilingMs,
                    Math.max(floorMs, 2 * intervalMs)) * ms, halfLifeMs * ms);
        }
    }

    /** 0: all-to-all; else the ring's width (see the class comment). */
    private final int watchers;
    /** True while this node was starved of CPU lately: it then forwards no suspicion of its own. */
    private final BooleanSupplier starved;
    private final Map<Address, Peer> byAddress = new ConcurrentHashMap<>();
    /** The members this node watches (all others, or its ring predecessors); replaced (never changed) on a view change. */
    private volatile Peer[] peers = new Peer[0];
    /** The ring successors' heartbeats, one prebuilt message each; null: one multicast to all. */
    private volatile Message[] ringBeats;
    private volatile List<Address> successors = List.of();
    private volatile List<Address> members = List.of();
    private final Message outgoing = heartbeat(null);
    private final SuspicionGuard.OpinionHeader pauseHeader = new SuspicionGuard.OpinionHeader(
            SuspicionGuard.OpinionHeader.PAUSED, 0, null, 0);
    private final Message pauseAnnouncement = announcing(oob(null));
    /**
     * On a ring, the successors' heartbeats again, each also carrying the pause announcement, prebuilt (the
     * announcement rides on the heartbeat instead of a message of its own: a receiver reads both headers in one
     * message, on the connection's thread); null off a ring or while announcing to all (measurements).
     */
    private volatile Message[] ringBeatsWithPause;
    /** On a ring, the announcement alone to the rest of {@link #pauseRecipients}; null: one multicast to all. */
    private volatile Message[] ringPauseAnnouncements;
    /** Only to measure what {@link #pauseRecipients} saves: announce pauses to every member, as before. */
    private volatile boolean pausesToAll;
    private Thread thread;
    private volatile boolean running;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong announced = new AtomicLong();
    private final AtomicLong suspicionsRaised = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong excused = new AtomicLong();
    private volatile long worstSendLatenessNanos;
    private final Detection detection;
    private final long checkNanos;
    private final long maxDiscountNanos;

    /**
     * @param timeoutMs        silence after which a member is suspected
     * @param intervalMs       how often heartbeats are sent and silence is checked
     * @param watch            this node's pause watch, whose figure each heartbeat carries (null: none)
     * @param announceWindowMs the window over which that figure is taken (the detection window)
     * @param announceThresholdMs CPU missed within that window that is announced as a pause
     */
    Heartbeats(String nodeName, long timeoutMs, long intervalMs, PauseWatch watch, long announceWindowMs,
            long announceThresholdMs, LongSupplier nanoTime) {
        this(nodeName, timeoutMs, intervalMs, watch, announceWindowMs, announceThresholdMs, nanoTime, 0, () -> false,
                Detection.fixed(timeoutMs, intervalMs));
    }

    /**
     * @param watchers 0: every member heartbeats every other; else along a ring of this width (at least 2:
     *                 one watcher alone gives no second opinion)
     * @param starved  true while this node's own suspicions are not to be trusted (its pause watch)
     */
    Heartbeats(String nodeName, long timeoutMs, long intervalMs, PauseWatch watch, long announceWindowMs,
            long announceThresholdMs, LongSupplier nanoTime, int watchers, BooleanSupplier starved) {
        this(nodeName, timeoutMs, intervalMs, watch, announceWindowMs, announceThresholdMs, nanoTime, watchers, starved,
                Detection.fixed(timeoutMs, intervalMs));
    }

    /**
     * @param detection the adaptive timeout's bounds; {@code timeoutMs} is then its ceiling
     */
    Heartbeats(String nodeName, long timeoutMs, long intervalMs, PauseWatch watch, long announceWindowMs,
            long announceThresholdMs, LongSupplier nanoTime, int watchers, BooleanSupplier starved, Detection detection) {
        if (watchers == 1 || watchers < 0) {
            throw new IllegalArgumentException("heartbeats: a ring needs at least 2 watchers per member, got " + watchers);
        }
        this.watchers = watchers;
        this.starved = starved;
        if (intervalMs <= 0 || timeoutMs <= intervalMs) {
            throw new IllegalArgumentException("heartbeats: timeout " + timeoutMs + " ms must exceed the interval "
                    + intervalMs + " ms");
        }
        setId(PROTOCOL_ID);
        this.nodeName = nodeName;
        this.intervalNanos = intervalMs * 1_000_000L;
        this.watch = watch;
        this.announceWindowNanos = announceWindowMs * 1_000_000L;
        this.announceThresholdNanos = announceThresholdMs * 1_000_000L;
        this.nanoTime = nanoTime;
        this.detection = detection;
        this.checkNanos = Math.max(1, Math.min(detection.checkMs(), intervalMs)) * 1_000_000L;
        this.maxDiscountNanos = detection.maxDiscountMs() * 1_000_000L;
    }

    @Override
    public void start() throws Exception {
        super.start();
        running = true;
        thread = new Thread(this::loop, "pulse-heartbeats-" + nodeName);
        thread.setDaemon(true);
        thread.setPriority(Thread.MAX_PRIORITY);
        thread.start();
    }

    @Override
    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
        super.stop();
    }

    private void loop() {
        long nextBeat = nanoTime.getAsLong();
        long nextCheck = nextBeat + checkNanos;
        while (running) {
            long now = nanoTime.getAsLong();
            long wait = Math.min(nextBeat, nextCheck) - now;
            if (wait > 0) {
                LockSupport.parkNanos(wait);
                continue;
            }
            try {
                if (now >= nextBeat) {
                    if (now - nextBeat > worstSendLatenessNanos) {
                        worstSendLatenessNanos = now - nextBeat;
                    }
                    beat(now);
                    // From now, not from the missed deadline: after a pause, one beat at once, then the rhythm.
                    nextBeat = nanoTime.getAsLong() + intervalNanos;
                }
                if (now >= nextCheck) {
                    // Checked more often than beats are sent: a suspicion follows the adaptive timeout by at most a
                    // check, not a whole interval (a check sends nothing and allocates nothing when all are heard).
                    check(now);
                    nextCheck = nextCheckNanos(nanoTime.getAsLong());
                }
            } catch (RuntimeException e) {
                // A failed send (the channel closing) must not end the heartbeats of a running node.
                if (running) {
                    System.getLogger(Heartbeats.class.getName()).log(System.Logger.Level.WARNING,
                            nodeName + ": heartbeat round failed: " + e);
                }
                nextBeat = nanoTime.getAsLong() + intervalNanos;
                nextCheck = nanoTime.getAsLong() + checkNanos;
            }
        }
    }

    /** The least time between two checks, so that a member due again at once never makes the loop spin. */
    static final long MIN_CHECK_NANOS = 1_000_000L;

    /**
     * When to check for silence next: when the first member's adaptive timeout ends, so that its suspicion follows
     * the timeout at once rather than up to a check later (12 ms on average at the default detection); at the
     * latest after a check period (a silence excused for CPU this node missed, a timeout that adapts meanwhile);
     * for a member already suspected, when it may be raised again. Reads volatile fields only, allocates nothing.
     */
    long nextCheckNanos(long nowNanos) {
        long next = nowNanos + checkNanos;
        for (Peer p : peers) {
            long timeout = p.timeoutNanos;
            long heard = p.lastHeardNanos;
            long due = nowNanos - heard < timeout ? heard + timeout
                    : p.suspected ? p.raisedAtNanos + intervalNanos : next;
            if (due < next) {
                next = due;
            }
        }
        return Math.max(next, nowNanos + MIN_CHECK_NANOS);
    }

    /** Sends one heartbeat to every member (if there is anyone to send to). */
    void beat(long nowNanos) {
        if (peers.length == 0) {
            return;
        }
        long paused = watch == null ? 0 : watch.stolenWithinNanos(announceWindowNanos, nowNanos);
        if (pauseHeader.about == null) {
            pauseHeader.about = getAddress();
        }
        boolean announce = paused >= announceThresholdNanos && pauseHeader.about != null;
        if (announce) {
            pauseHeader.ageMs = paused / 1_000_000L;
        }
        Message[] ring = ringBeats;
        Message[] withPause = ringBeatsWithPause;
        if (ring == null) {
            down_prot.down(outgoing);
            sent.incrementAndGet();
        } else {
            for (Message m : announce && withPause != null ? withPause : ring) {
                down_prot.down(m);
                sent.incrementAndGet();
            }
        }
        if (announce) {
            Message[] pausesOnly = ringPauseAnnouncements;
            if (pausesOnly == null) {
                down_prot.down(pauseAnnouncement);
            } else {
                for (Message m : pausesOnly) {
                    down_prot.down(m);
                }
            }
            announced.incrementAndGet();
        }
    }

    /**
     * Raises a suspicion of every member silent for its adaptive timeout, if this node would coordinate
     * without them (else forwards it on a ring); again at most once an interval while they stay silent.
     * Time this node itself did not run is taken off the silence first: it is no evidence
     * ({@link ArrivalDetector#silentTooLong}).
     *
     * <p>Every silent member goes into the one suspicion, also one raised less than an interval ago: the
     * interval only limits how often a suspicion is raised, never which members it names. Whether this
     * node would coordinate depends on the whole set: a member cut off from everyone that is last in the
     * view coordinates only without all the others. Throttled one by one (silence checked every 25 ms,
     * raised again every 50), the others' suspicions fell out of step and alternated, each raised alone,
     * none making this node the coordinator, so the cut-off member never left the old view and crmd kept
     * feeding its watchdog (the CI run of stop 13, WatchdogFencingLabTest; ClusterTest
     * aMemberCutOffFromEveryoneFormsAViewOfItsOwn).
     */
    void check(long nowNanos) {
        Peer[] ps = peers;
        boolean anyPastTimeout = false;
        for (Peer p : ps) {
            if (nowNanos - p.lastHeardNanos >= p.timeoutNanos) {
                anyPastTimeout = true;
                break;
            }
        }
        if (!anyPastTimeout) {
            return; // the usual case: nothing allocated, nothing counted
        }
        List<Peer> silent = new ArrayList<>(ps.length);
        boolean due = false;
        for (Peer p : ps) {
            if (silentTooLong(p, nowNanos)) {
                silent.add(p);
                due |= !p.suspected || nowNanos - p.raisedAtNanos >= intervalNanos;
            }
        }
        if (!due) {
            return;
        }
        List<Address> suspects = new ArrayList<>(silent.size());
        for (Peer p : silent) {
            p.suspected = true;
            p.raisedAtNanos = nowNanos;
            suspects.add(p.address);
        }
        raiseOrForward(suspects, true);
    }

    /**
     * Whether {@code p} has been silent for its adaptive timeout once the CPU this node missed during that
     * silence is taken off (counted as excused otherwise).
     */
    private boolean silentTooLong(Peer p, long nowNanos) {
        long silence = nowNanos - p.lastHeardNanos;
        long timeout = p.timeoutNanos;
        if (silence < timeout) {
            return false;
        }
        long stolen = watch == null ? 0 : watch.stolenWithinNanos(Math.min(silence, announceWindowNanos), nowNanos);
        if (!ArrivalDetector.silentTooLong(nowNanos, p.lastHeardNanos, timeout, stolen, maxDiscountNanos)) {
            excused.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Raises {@code suspects} if this node would coordinate without them; else, own ones on a ring, forwards them there. */
    private void raiseOrForward(List<Address> suspects, boolean own) {
        if (coordinatorWithout(suspects)) {
            suspicionsRaised.incrementAndGet();
            up_prot.up(new Event(Event.SUSPECT, suspects));
            down_prot.down(new Event(Event.SUSPECT, suspects));
            return;
        }
        Address coordinator = firstMemberWithout(suspects);
        if (own && ringBeats != null && coordinator != null && !starved.getAsBoolean()) {
            down_prot.down(new EmptyMessage(coordinator).setFlag(Message.Flag.OOB)
                    .putHeader(PROTOCOL_ID, new ForwardedSuspicion(suspects)));
            forwarded.incrementAndGet();
        }
    }

    /** Whether this node is the first member of the view that remains without {@code suspects}. */
    private boolean coordinatorWithout(List<Address> suspects) {
        Address first = firstMemberWithout(suspects);
        return first != null && first.equals(getAddress());
    }

    private Address firstMemberWithout(List<Address> suspects) {
        for (Address m : members) {
            if (!suspects.contains(m)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Whether {@code msg} is a heartbeat: all this protocol and those below it do with one is note when its sender was
     * heard, so {@link SealProtocol} lets it go up on the connection's receiver thread ({@link OobOnReceiverThread}).
     */
    static boolean isHeartbeat(Message msg) {
        return msg.getHeader(PROTOCOL_ID) instanceof FailureDetection.HeartbeatHeader;
    }

    @Override
    public Object up(Message msg) {
        Header h = msg.getHeader(PROTOCOL_ID);
        heard(msg.getSrc(), pauseOf(msg));
        if (h instanceof ForwardedSuspicion fs) {
            forwardedHere(fs);
            return null;
        }
        if (h != null) {
            received.incrementAndGet();
            heartbeatFrom(msg.getSrc());
            return null;
        }
        return up_prot.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        long pausedMs = -1;
        for (java.util.Iterator<Message> it = batch.iterator(); it.hasNext();) {
            Message msg = it.next();
            if (msg == null) {
                continue;
            }
            pausedMs = Math.max(pausedMs, pauseOf(msg));
            Header h = msg.getHeader(PROTOCOL_ID);
            if (h instanceof ForwardedSuspicion fs) {
                forwardedHere(fs);
                it.remove();
            } else if (h != null) {
                received.incrementAndGet();
                heartbeatFrom(msg.getSrc());
                it.remove();
            }
        }
        heard(batch.sender(), pausedMs);
        if (!batch.isEmpty()) {
            up_prot.up(batch);
        }
    }

    /** The pause a PAUSED announcement reports, or -1 if {@code msg} is none (it goes on up to the guard, which drops it). */
    private static long pauseOf(Message msg) {
        Object h = msg.getHeader(SuspicionGuard.PROTOCOL_ID);
        return h instanceof SuspicionGuard.OpinionHeader o && o.type == SuspicionGuard.OpinionHeader.PAUSED ? o.ageMs : -1;
    }

    private void heartbeatFrom(Address sender) {
        Peer p = sender == null ? null : byAddress.get(sender);
        if (p != null) {
            p.heartbeatArrived(nanoTime.getAsLong());
        }
    }

    private void heard(Address sender, long pausedMs) {
        if (sender == null) {
            return;
        }
        Peer p = byAddress.get(sender);
        if (p == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        p.lastHeardNanos = now;
        if (pausedMs >= 0) {
            p.announcedPauseMs = (int) Math.min(Integer.MAX_VALUE, pausedMs);
            p.announcedAtNanos = now;
        }
        if (p.suspected) {
            p.suspected = false;
            up_prot.up(new Event(Event.UNSUSPECT, sender));
        }
    }

    @Override
    public Object down(Event evt) {
        switch (evt.getType()) {
            case Event.VIEW_CHANGE -> {
                Object r = down_prot.down(evt);
                if (evt.getArg() instanceof View v) {
                    viewChanged(v.getMembers());
                }
                return r;
            }
            case Event.UNSUSPECT -> {
                // VERIFY_SUSPECT2 heard the suspect answer: start its silence over.
                if (evt.getArg() instanceof Address a) {
                    Peer p = byAddress.get(a);
                    if (p != null) {
                        p.lastHeardNanos = nanoTime.getAsLong();
                        p.suspected = false;
                    }
                }
            }
            default -> {
            }
        }
        return down_prot.down(evt);
    }

    /** A watcher's suspicion: raised here as this node's own if it coordinates without the suspects, never forwarded again. */
    private void forwardedHere(ForwardedSuspicion fs) {
        List<Address> suspects = new ArrayList<>(fs.suspects.size());
        List<Address> view = members;
        for (Address a : fs.suspects) {
            if (view.contains(a) && !a.equals(getAddress())) {
                suspects.add(a);
                Peer p = byAddress.get(a);
                if (p != null) {
                    p.suspected = true;   // heard again: UNSUSPECT, as for its own suspicions
                }
            }
        }
        if (!suspects.isEmpty()) {
            raiseOrForward(suspects, false);
        }
    }

    void viewChanged(List<Address> view) {
        long now = nanoTime.getAsLong();
        Address self = getAddress();
        // A v0.11 member runs FD_ALL3, which expects every member's heartbeat: on a ring it would hear only the
        // members whose successor it is and, as coordinator, suspect the others again and again (a 5-node mixed
        // cluster lost members so under load). So the ring only while every member's address says it is newer.
        boolean ring = watchers > 0 && self != null && view.contains(self) && view.size() - 1 > watchers
                && view.stream().allMatch(Messenger::advertisesOrder);
        List<Address> watch = ring ? predecessors(view, self, watchers) : view;
        // Every member has a record (when it was last heard, what pause it announced: the guard asks about any
        // suspect); only the watched ones are checked for silence.
        for (Address a : view) {
            if (!a.equals(self)) {
                byAddress.computeIfAbsent(a, x -> new Peer(x, now, detection));
            }
        }
        byAddress.keySet().retainAll(view);
        java.util.Set<Address> before = new java.util.HashSet<>();
        for (Peer p : peers) {
            before.add(p.address);
        }
        List<Peer> next = new ArrayList<>(view.size());
        for (Address a : watch) {
            if (a.equals(self)) {
                continue;
            }
            Peer p = byAddress.get(a);
            if (!before.contains(a)) {
                // Newly watched: its timeout starts now, as for a member that just joined (on a ring it may
                // never have sent this node anything: it sent to others).
                p.lastHeardNanos = now;
                p.suspected = false;
                p.resetDetector(now);
            }
            next.add(p);
        }
        members = List.copyOf(view);
        if (ring) {
            List<Address> to = successors(view, self, watchers);
            Message[] beats = new Message[to.size()];
            Message[] beatsWithPause = new Message[to.size()];
            for (int i = 0; i < beats.length; i++) {
                beats[i] = heartbeat(to.get(i));
                beatsWithPause[i] = announcing(heartbeat(to.get(i)));
            }
            // The successors hear the announcement on their heartbeat; the others of pauseRecipients alone.
            List<Address> pauseOnlyTo = new ArrayList<>(pauseRecipients(view, self, to));
            pauseOnlyTo.removeAll(to);
            Message[] pauses = new Message[pauseOnlyTo.size()];
            for (int i = 0; i < pauses.length; i++) {
                pauses[i] = announcing(oob(pauseOnlyTo.get(i)));
            }
            successors = to;
            ringBeats = beats;
            ringBeatsWithPause = pausesToAll ? null : beatsWithPause;
            ringPauseAnnouncements = pausesToAll ? null : pauses;
        } else {
            successors = watch.stream().filter(a -> !a.equals(self)).toList();
            ringBeats = null;
            ringBeatsWithPause = null;
            ringPauseAnnouncements = null;
        }
        peers = next.toArray(new Peer[0]);
    }

    /** An out-of-band control message to {@code to} (null: every member), never looped back. */
    private static Message oob(Address to) {
        return new EmptyMessage(to).setFlag(Message.Flag.OOB).setFlag(Message.TransientFlag.DONT_LOOPBACK);
    }

    private static Message heartbeat(Address to) {
        return oob(to).putHeader(PROTOCOL_ID, new FailureDetection.HeartbeatHeader());
    }

    /** {@code m} also carrying this node's pause announcement (the one header, updated in place before sending). */
    private Message announcing(Message m) {
        return m.putHeader(SuspicionGuard.PROTOCOL_ID, pauseHeader);
    }

    /**
     * Who hears {@code self}'s pause announcements on a ring: its watchers (the successors it heartbeats, who
     * judge its silence) and the view's first two members, one of which raises any suspicion of it to GMS and
     * asks its guard whether the pause buys a grace (the coordinator; the next member when the coordinator
     * is the one suspected). Nobody else reads them. A multicast to all, as before, made every member receive
     * every starved member's announcement each interval: on a loaded machine, where every member is starved,
     * (n - 1) x 20 messages a second per member at the default detection (114 of 175 a node received at 8
     * nodes, load 45), whose cost starved them further.
     */
    static List<Address> pauseRecipients(List<Address> view, Address self, List<Address> successors) {
        java.util.Set<Address> to = new java.util.LinkedHashSet<>(successors);
        for (int i = 0; i < Math.min(2, view.size()); i++) {
            to.add(view.get(i));
        }
        to.remove(self);
        return List.copyOf(to);
    }

    /** For measurements only (bench/scale): pause announcements to every member; call before the first view. */
    void announcePausesToAll() {
        pausesToAll = true;
    }

    /** The members {@code self} sends heartbeats to on a ring: the next {@code k} of the view. */
    static List<Address> successors(List<Address> members, Address self, int k) {
        return neighbours(members, self, k, 1);
    }

    /** The members {@code self} watches on a ring: the {@code k} before it in the view. */
    static List<Address> predecessors(List<Address> members, Address self, int k) {
        return neighbours(members, self, k, -1);
    }

    private static List<Address> neighbours(List<Address> members, Address self, int k, int step) {
        int i = members.indexOf(self);
        int n = members.size();
        if (i < 0 || n < 2) {
            return List.of();
        }
        List<Address> out = new ArrayList<>();
        for (int d = 1; d <= Math.min(k, n - 1); d++) {
            out.add(members.get(Math.floorMod(i + step * d, n)));
        }
        return List.copyOf(out);
    }

    /** Whom this node watches (all other members, or its ring predecessors). */
    List<Address> watched() {
        List<Address> out = new ArrayList<>();
        for (Peer p : peers) {
            out.add(p.address);
        }
        return out;
    }

    List<Address> successors() {
        return successors;
    }

    /** Heartbeats received since start (each one from a watched or any other member). */
    long heartbeatsReceived() {
        return received.get();
    }

    /** Suspicions this node forwarded to its coordinator since it started. */
    long forwardedCount() {
        return forwarded.get();
    }

    /**
     * What {@code member}'s newest pause announcement said it missed of CPU within its last
     * detection window, if that announcement arrived within {@code withinMs}; 0 otherwise.
     */
    int announcedPauseMs(Address member, long withinMs) {
        Peer p = byAddress.get(member);
        if (p == null || p.announcedAtNanos == Long.MIN_VALUE
                || nanoTime.getAsLong() - p.announcedAtNanos > withinMs * 1_000_000L) {
            return 0;
        }
        return p.announcedPauseMs;
    }

    long heartbeatsSent() {
        return sent.get();
    }

    /** Silences not suspected because this node itself had not run for part of them (each check counts). */
    long excusedCount() {
        return excused.get();
    }

    /**
     * Whether {@code member} looks stalled rather than dead: silent for less than {@code minSilenceMs} while its own
     * heartbeats came late lately: its adaptive timeout is above the quiet floor (this machine is busy) and one of its
     * heartbeats came late within {@code lateMemoryMs} (or it became watched that recently). The second half judges a
     * member by its recent behaviour: the timeout keeps a JVM's start-up lateness for tens of seconds (it decays
     * with a 10 s half-life), long after the member has been punctual again. Not watched (a ring member's
     * non-neighbour): false.
     */
    boolean stalledRatherThanDead(Address member, long minSilenceMs, long lateMemoryMs) {
        Peer p = byAddress.get(member);
        if (p == null) {
            return false;
        }
        long now = nanoTime.getAsLong();
        long silentMs = (now - p.lastHeardNanos) / 1_000_000L;
        return p.timeoutNanos / 1_000_000L > detection.floorMs() && silentMs < minSilenceMs
                && (now - p.lateAtNanos) / 1_000_000L < lateMemoryMs;
    }

    /** How long ago a heartbeat of {@code member} last came late, or it became watched, in ms (-1: not watched here). */
    long lateAgoMsOf(Address member) {
        Peer p = byAddress.get(member);
        return p == null ? -1 : (nanoTime.getAsLong() - p.lateAtNanos) / 1_000_000L;
    }

    /** How long {@code member} has been silent, in ms (-1: not watched here). */
    long silentMsOf(Address member) {
        Peer p = byAddress.get(member);
        return p == null ? -1 : (nanoTime.getAsLong() - p.lastHeardNanos) / 1_000_000L;
    }

    /** {@code member}'s current adaptive timeout in ms (-1: not a member). */
    long timeoutMsOf(Address member) {
        Peer p = byAddress.get(member);
        return p == null ? -1 : p.timeoutNanos / 1_000_000L;
    }

    /** Pause announcements sent (one with each heartbeat while this node's recent pause is within the window). */
    long pausesAnnounced() {
        return announced.get();
    }

    /** Suspicion events raised (each re-raise counts): a healthy cluster raises none. */
    long suspicionsRaised() {
        return suspicionsRaised.get();
    }

    /** The latest this node's heartbeat thread ever ran after its due time. */
    long worstSendLatenessNanos() {
        return worstSendLatenessNanos;
    }

    /** A watcher's suspicion, sent to the coordinator, which alone may act on it. */
    public static final class ForwardedSuspicion extends Header {
        List<Address> suspects = List.of();

        public ForwardedSuspicion() {
        }

        ForwardedSuspicion(Collection<Address> suspects) {
            this.suspects = List.copyOf(suspects);
        }

        @Override
        public short getMagicId() {
            return FORWARDED_MAGIC;
        }

        @Override
        public Supplier<? extends Header> create() {
            return ForwardedSuspicion::new;
        }

        @Override
        public int serializedSize() {
            return Util.size(suspects);
        }

        @Override
        public void writeTo(DataOutput out) throws IOException {
            Util.writeAddresses(suspects, out);
        }

        @Override
        public void readFrom(DataInput in) throws IOException, ClassNotFoundException {
            Collection<? extends Address> read = Util.readAddresses(in, ArrayList::new);
            suspects = read == null ? List.of() : List.copyOf(read);
        }

        @Override
        public String toString() {
            return "forwarded suspicion of " + suspects;
        }
    }
}
