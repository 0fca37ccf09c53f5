package org.pulse.messaging;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.PhysicalAddress;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.Event;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.TP;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.NameCache;

/**
 * One node's connection to its cluster: a JGroups channel (see {@link StackFactory}), sealed
 * with the cluster key, speaking {@link Envelope}s.
 *
 * <p>Threads: JGroups receives on its own threads; this class decodes there and hands every
 * event to one delivery thread ({@code pulse-messaging-NODE}) where the {@link MessagingListener}
 * is called and {@link #request} futures complete, one at a time. The bookkeeping of pending
 * requests lives on that thread only, so it needs no locks. The send methods may be called from
 * any thread.
 *
 * <p>Start with {@link #start}; {@link #close} leaves the cluster gracefully (the others install
 * a new view at once, without waiting for failure detection).
 */
public final class Messenger implements AutoCloseable {
    private static final Logger LOG = System.getLogger("org.pulse.messaging");
    /** The key under which a node's name travels inside its JGroups address. */
    private static final String NAME_KEY = "pulse.node";
    /** The key under which a node's incarnation travels inside its JGroups address (8 bytes, big-endian). */
    private static final String INCARNATION_KEY = "pulse.inc";
    /**
     * Present in the address of a node that reads order sections ({@link EnvelopeCodec.Order}): only when every
     * member has it does this node multicast with one (an older node would refuse the message).
     */
    private static final String ORDERED_KEY = "pulse.ord";
    /**
     * System property: this node neither advertises ordered multicast nor uses it, so a fan-out to every member
     * is one unicast each, as before ordered multicast (to measure what it is worth: bench/runtime, bench/scale).
     */
    static final String UNICAST_FAN_OUT_PROPERTY = "pulse.messaging.unicastFanOut";
    /**
     * How long a message waiting for an earlier one of its sender's other stream ({@link DeliveryOrder}) is
     * held, and how many at most per sender: the earlier one can only be missing if it was lost in a view
     * change, and beyond these bounds the held one is dropped and counted.
     */
    static final long HOLD_OUT_OF_ORDER_MS = 5_000;
    static final int HOLD_OUT_OF_ORDER_MAX = 1024;
    /**
     * How long a message from a node that is not (yet) a member of the delivered view is held, and
     * how many such messages at most: JGroups installs a view at slightly different moments on each
     * member, so the first messages of a new member can arrive before the view that names it.
     * Beyond these bounds they are dropped and counted; crmd never sees a non-member's message.
     */
    static final long HOLD_NON_MEMBER_MS = 5_000;
    static final int HOLD_NON_MEMBER_MAX = 256;
    private static final long DROP_LOG_INTERVAL_MS = 10_000;

    private final MessagingConfig config;
    private final MessagingListener listener;
    private final ScheduledThreadPoolExecutor delivery;
    private final DropLog dropLog;
    private final SealProtocol seal;
    /** Which names may take part (null in insecure mode); {@link #updateMembers} changes it. */
    private final Incarnations book;
    private final JChannel channel;
    private final AtomicLong nextId = new AtomicLong();
    /**
     * Taken by every send that takes an envelope id (not replies): ids then grow in the order messages go
     * down the stack, which {@link SendOrder} relies on.
     */
    private final Object sendLock = new Object();
    private final SendOrder sendOrder = new SendOrder();
    private final boolean ordered = !Boolean.getBoolean(UNICAST_FAN_OUT_PROPERTY);
    /** The pending check of {@link #deliveryOrder}'s deadlines, or null; confined to the delivery thread. */
    private ScheduledFuture<?> outOfOrderExpiry;
    /** Confined to the delivery thread. */
    private final DeliveryOrder<Arrived> deliveryOrder = new DeliveryOrder<>(HOLD_OUT_OF_ORDER_MS * 1_000_000L, HOLD_OUT_OF_ORDER_MAX);
    private final AtomicLong outOfOrderDrops = new AtomicLong();
    private final AtomicLong multicastFanOuts = new AtomicLong();
    /** Written on JGroups' view thread, read by senders: the view name lookups use. */
    private volatile View jgroupsView;
    private volatile ClusterView view;
    /** Confined to the delivery thread. */
    private final Map<Long, Pending> pending = new HashMap<>();
    /** The view the listener was last told of; confined to the delivery thread. */
    private ClusterView deliveredView;
    /** Messages from senders not in {@link #deliveredView}, oldest first; confined to the delivery thread. */
    private final java.util.ArrayDeque<Held> held = new java.util.ArrayDeque<>();
    private final AtomicLong nonMemberDrops = new AtomicLong();
    private final long incarnation;

    /** A message as it arrived: its sender's address, its stream and what it must follow ({@link DeliveryOrder}). */
    private record Arrived(Envelope envelope, Address from, boolean unicast, long after) {
    }

    private record Held(Arrived arrived, long deadlineNanos) {
        Envelope envelope() {
            return arrived.envelope();
        }
    }
    private volatile boolean closed;
    /** Null only when {@link #NO_GUARD_PROPERTY} turned the guard off. */
    private final PauseWatch pauseWatch;
    private final SuspicionGuard guard;
    private final HeardTap heardTap;
    /** System property that turns {@link SuspicionGuard} off, to measure what it is worth. */
    static final String NO_GUARD_PROPERTY = "pulse.messaging.noSuspicionGuard";
    /** System property that puts heartbeats back on JGroups' shared timer (FD_ALL3), to measure the dedicated thread. */
    static final String SHARED_TIMER_PROPERTY = "pulse.messaging.sharedTimerHeartbeats";
    /** System property: every member heartbeats every other instead of along a ring, to measure what the ring saves. */
    static final String ALL_TO_ALL_PROPERTY = "pulse.messaging.allToAllHeartbeats";
    /** Pause announcements to every member rather than to the watchers and coordinators: only to measure (bench/scale). */
    static final String PAUSES_TO_ALL_PROPERTY = "pulse.messaging.pausesToAll";
    /** Null only when {@link #SHARED_TIMER_PROPERTY} put FD_ALL3 in its place. */
    private final Heartbeats heartbeats;
    /** Confirmed suspicions GMS has not acted on (guarded by itself); see {@link #checkStuckSuspicions}. */
    private final StuckSuspicions stuck;
    private final long stuckBoundMs;
    private final AtomicLong stuckResumes = new AtomicLong();
    /** Messages by JGroups kind ({@link TrafficKinds}) and crmd's envelopes by type: what grows with the cluster. */
    private final TrafficKinds trafficKinds = new TrafficKinds();
    private final Map<String, LongAdder> envelopesIn = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> envelopesOut = new ConcurrentHashMap<>();

    private Messenger(MessagingConfig config, MessagingListener listener) throws Exception {
        this.config = config;
        this.listener = listener;
        String node = config.nodeName();
        this.delivery = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "pulse-messaging-" + node);
            t.setDaemon(true);
            return t;
        });
        delivery.setRemoveOnCancelPolicy(true);
        this.dropLog = new DropLog(LOG, node, DROP_LOG_INTERVAL_MS, System::nanoTime);
        // A new incarnation per start of the channel, durable before the first message; also
        // without the seal, where it still makes view ids unique.
        this.incarnation = Incarnations.nextOwn(config.stateDir(), Messenger::wallClockMicros);
        if (config.insecure()) {
            this.seal = null;
            this.book = null;
        } else {
            // A restarted node is silent for at least a JVM start; a live one is heard every heartbeat.
            this.book = Incarnations.of(config.memberNames(), config.stateDir(),
                    config.timing().heartbeatTimeoutMs(), System::nanoTime);
            this.seal = new SealProtocol(new Sealer(config.clusterKey(), config.acceptKeys(), new SecureRandom(), node, incarnation, book), dropLog,
                    config.secondLink() != null);
        }
        SuspectTap tap = new SuspectTap(this::suspected);
        SuspicionGuard.Settings guardSettings = SuspicionGuard.Settings.of(config.timing());
        boolean guardOff = Boolean.parseBoolean(System.getProperty(NO_GUARD_PROPERTY, "false"));
        this.pauseWatch = guardOff ? null
                : new PauseWatch(node, guardSettings.tickMs(), guardSettings.windowMs(), System.nanoTime(), true);
        SuspicionGuard[] guardRef = new SuspicionGuard[1];
        if (Boolean.parseBoolean(System.getProperty(SHARED_TIMER_PROPERTY, "false"))) {
            // For measuring what the dedicated heartbeat thread is worth (HeartbeatPathTest); never in production.
            this.heartbeats = null;
            LOG.log(Level.WARNING, node + ": " + SHARED_TIMER_PROPERTY + " is set: heartbeats run on JGroups' shared timer"
                    + " (FD_ALL3), which a busy stack delays (for measurements only)");
        } else {
            // Along a ring of 3 watchers per member (all-to-all only to measure what the ring saves: bench/scale
            // --all-to-all); a watcher starved of CPU forwards no suspicion (the guard, made below, knows).
            int watchers = Boolean.getBoolean(ALL_TO_ALL_PROPERTY) ? 0 : Heartbeats.DEFAULT_WATCHERS;
            this.heartbeats = new Heartbeats(node, config.timing().heartbeatTimeoutMs(), config.timing().heartbeatIntervalMs(),
                    pauseWatch, guardSettings.windowMs(), guardSettings.thresholdMs(), System::nanoTime, watchers,
                    () -> guardRef[0] != null && guardRef[0].starvedNow(), Heartbeats.Detection.of(config.timing()));
            if (Boolean.getBoolean(PAUSES_TO_ALL_PROPERTY)) {
                heartbeats.announcePausesToAll();
                LOG.log(Level.WARNING, node + ": " + PAUSES_TO_ALL_PROPERTY + " is set: pause announcements go to every"
                        + " member (for measurements only)");
            }
        }
        if (guardOff) {
            // For measuring what the guard is worth (bench/failover --no-guard); never in production.
            this.heardTap = null;
            this.guard = null;
            LOG.log(Level.WARNING, node + ": " + NO_GUARD_PROPERTY + " is set: suspicions formed while this node was"
                    + " starved of CPU go through unchecked (for measurements only)");
        } else {
            this.heardTap = new HeardTap(System::nanoTime);
            this.guard = new SuspicionGuard(node, pauseWatch, heardTap, heartbeats, System::nanoTime, guardSettings);
            guardRef[0] = this.guard;
        }
        this.channel = new JChannel(StackFactory.build(config, seal, heardTap, heartbeats, guard, tap, trafficKinds, dropLog));
        channel.name(node);
        channel.addAddressGenerator(() -> addressFor(node, incarnation, ordered));
        channel.setReceiver(new ChannelReceiver());
        this.stuckBoundMs = StuckSuspicions.boundMs(config.timing());
        this.stuck = new StuckSuspicions(stuckBoundMs);
        long checkMs = Math.max(100, config.timing().failureDetectionMs() / 2);
        delivery.scheduleWithFixedDelay(this::checkStuckSuspicions, checkMs, checkMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Builds the channel and joins the cluster; returns once this node is in a view (alone, if no
     * peer answered within the join timeout). Callbacks may arrive before this returns.
     */
    public static Messenger start(MessagingConfig config, MessagingListener listener) {
        Messenger m;
        try {
            m = new Messenger(config, listener);
        } catch (Exception e) {
            throw new MessagingException("node " + config.nodeName() + ": could not build the JGroups stack: " + e, e);
        }
        try {
            m.channel.connect(config.clusterName());
        } catch (Exception e) {
            m.close();
            throw new MessagingException("node " + config.nodeName() + ": could not join cluster " + config.clusterName()
                    + " on " + config.primaryLink() + " (is the address local and the port and port+"
                    + MessagingConfig.FD_SOCK_PORT_OFFSET + " free?): " + e, e);
        }
        if (config.secondLink() != null && config.peerSecondLinks().isEmpty()) {
            LOG.log(Level.WARNING, config.nodeName() + ": a second link " + config.secondLink() + " is configured but no peer"
                    + " has a second address, so all traffic uses the first link: give each peer's second address too");
        }
        LOG.log(Level.INFO, config.nodeName() + ": joined cluster " + config.clusterName() + " on " + config.primaryLink()
                + (config.insecure() ? " WITHOUT authentication or encryption (insecure mode)"
                        : " with cluster key " + config.clusterKey().fingerprint()));
        return m;
    }

    public String nodeName() {
        return config.nodeName();
    }

    /** The current view (null only before the first view, i.e. never after {@link #start} returned). */
    public ClusterView view() {
        return view;
    }

    /**
     * How long ago this node last heard any other member of its current view (any message: heartbeats,
     * traffic), in ms: -1 when the view has no other member or nothing records it (the guard is off);
     * {@link Long#MAX_VALUE} when none of them was ever heard. Evidence independent of the view itself:
     * a node whose view has other members it has not heard for long is cut off, whatever the view says
     * (crmd's watchdog feeder stops feeding then).
     */
    public long freshestPeerAgeMs() {
        org.jgroups.View v = channel.getView();
        if (heardTap == null || v == null) {
            return -1;
        }
        long freshest = -1;
        for (Address a : v.getMembers()) {
            if (a.equals(channel.getAddress())) {
                continue;
            }
            long age = heardTap.ageMs(a);
            long asAge = age < 0 ? Long.MAX_VALUE : age;
            freshest = freshest < 0 ? asAge : Math.min(freshest, asAge);
        }
        return freshest;
    }

    /** The derived timing settings and detection times, for crmd to print at start. */
    public String describeTiming() {
        return config.timing().describe() + (guard == null ? "; suspicions formed while starved of CPU are NOT held back"
                : "; " + SuspicionGuard.Settings.of(config.timing()).describe());
    }

    /**
     * Sends a notice to one member. Returns false, sending nothing, when that node is not in the
     * current view.
     */
    public boolean send(String nodeName, String type, byte[] payload) {
        Address to = addressOf(nodeName);
        if (to == null) {
            return false;
        }
        synchronized (sendLock) {
            unicastNotice(to, type, payload);
        }
        return true;
    }

    /**
     * Sends a notice to every other member of the current view (not to this node): one multicast, sealed
     * once. When every member reads order sections, each delivers it after what this node sent it earlier.
     */
    public void broadcast(String type, byte[] payload) {
        View v = jgroupsView;
        synchronized (sendLock) {
            multicast(v, v != null && allOrdered(v), type, payload);
        }
    }

    /**
     * Sends one notice to each of {@code targets}, each delivering it after everything this node sent it
     * before (replies aside): when the targets are exactly the other members of the view and every member
     * reads order sections, as one multicast, sealed once, whose size and cost on this node do not grow with
     * the members; otherwise as one unicast each. Returns the targets not in the view, to which nothing was
     * sent.
     */
    public List<String> sendToEach(Collection<String> targets, String type, byte[] payload) {
        View v = jgroupsView;
        Set<String> wanted = new HashSet<>(targets);
        if (v != null && allOrdered(v) && wanted.size() == v.size() - 1 && !wanted.contains(config.nodeName())
                && v.getMembers().stream().allMatch(a -> a.equals(channel.getAddress()) || wanted.contains(nameOf(a)))) {
            synchronized (sendLock) {
                multicast(v, true, type, payload);
            }
            multicastFanOuts.incrementAndGet();
            return List.of();
        }
        List<String> absent = new ArrayList<>();
        synchronized (sendLock) {
            for (String t : new LinkedHashSet<>(targets)) {
                Address to = addressOf(t);
                if (to == null) {
                    absent.add(t);
                } else {
                    unicastNotice(to, type, payload);
                }
            }
        }
        return absent;
    }

    /** How many fan-outs went as one ordered multicast ({@link #sendToEach}): for metrics and tests. */
    public long multicastFanOuts() {
        return multicastFanOuts.get();
    }

    /** Messages dropped since start because an earlier message of their sender never came (see {@link DeliveryOrder}). */
    public long outOfOrderDrops() {
        return outOfOrderDrops.get();
    }

    /** Whether every member of {@code v} reads order sections (this node included: it may have them off). */
    private boolean allOrdered(View v) {
        if (!ordered) {
            return false;
        }
        for (Address a : v.getMembers()) {
            if (!advertisesOrder(a)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether {@code a}'s address says its node reads order sections ({@code pulse.ord}): every build since
     * v0.11 that has not turned ordered multicast off; never v0.11, whose address has no such key.
     */
    static boolean advertisesOrder(Address a) {
        return a instanceof ExtendedUUID e && e.get(ORDERED_KEY) != null;
    }

    /** Under {@link #sendLock}: one envelope to {@code to}, after the multicasts it has not yet followed. */
    private void unicastNotice(Address to, String type, byte[] payload) {
        long id = nextId.incrementAndGet();
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, type, config.nodeName(), id, payload);
        counted(envelopesOut, type);
        long after = sendOrder.unicast(to, id);
        transmit(to, EnvelopeCodec.encode(e, after == 0 ? EnvelopeCodec.Order.NONE : new EnvelopeCodec.Order(after, Map.of())));
    }

    /** Under {@link #sendLock}: one notice to every other member of {@code v}, in order when {@code withOrder}. */
    private void multicast(View v, boolean withOrder, String type, byte[] payload) {
        long id = nextId.incrementAndGet();
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, type, config.nodeName(), id, payload);
        counted(envelopesOut, type);
        EnvelopeCodec.Order order = EnvelopeCodec.Order.NONE;
        if (withOrder) {
            List<Address> others = new ArrayList<>(v.getMembers());
            others.remove(channel.getAddress());
            Map<String, Long> after = sendOrder.multicast(id, others, Messenger::nameOf);
            order = new EnvelopeCodec.Order(0, after);
        }
        Message msg = new BytesMessage(null, EnvelopeCodec.encode(e, order)).setFlag(Message.TransientFlag.DONT_LOOPBACK);
        try {
            channel.send(msg);
        } catch (Exception ex) {
            throw new MessagingException(config.nodeName() + ": broadcast of " + type + " failed: " + ex, ex);
        }
    }

    /**
     * Sends a request to each target (this node may be one) and collects their replies. The
     * future completes, on the delivery thread, as soon as every target has replied or left the
     * view, or after {@code timeoutMs} with whatever came: see {@link Replies}. It never
     * completes exceptionally except when the messenger is closed.
     */
    public CompletableFuture<Replies> request(Collection<String> targets, String type, byte[] payload, long timeoutMs) {
        if (timeoutMs <= 0) {
            throw new IllegalArgumentException("request timeout must be positive, got " + timeoutMs + " ms");
        }
        if (closed) {
            return CompletableFuture.failedFuture(new MessagingException(config.nodeName() + ": messenger closed"));
        }
        Set<String> targetSet = new LinkedHashSet<>(targets);
        Map<String, Address> addresses = new HashMap<>();
        Set<String> absent = new HashSet<>();
        for (String t : targetSet) {
            Address a = addressOf(t);
            if (a == null) {
                absent.add(t);
            } else {
                addresses.put(t, a);
            }
        }
        CompletableFuture<Replies> future = new CompletableFuture<>();
        synchronized (sendLock) {
            long id = nextId.incrementAndGet();
            // Registered on the delivery thread before anything is sent, so a reply (which also
            // goes through that thread) always finds its request.
            try {
                delivery.execute(() -> register(new Pending(id, targetSet, absent, future), timeoutMs));
            } catch (RejectedExecutionException ex) {
                return CompletableFuture.failedFuture(new MessagingException(config.nodeName() + ": messenger closed"));
            }
            sendRequest(id, type, payload, addresses);
        }
        return future;
    }

    /** Under {@link #sendLock}: request {@code id} to each target, with its own order section where it needs one. */
    private void sendRequest(long id, String type, byte[] payload, Map<String, Address> addresses) {
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.REQUEST, type, config.nodeName(), id, payload);
        byte[] plain = EnvelopeCodec.encode(e);
        for (Map.Entry<String, Address> t : addresses.entrySet()) {
            try {
                long after = sendOrder.unicast(t.getValue(), id);
                counted(envelopesOut, type);
                byte[] bytes = after == 0 ? plain : EnvelopeCodec.encode(e, new EnvelopeCodec.Order(after, Map.of()));
                channel.send(new BytesMessage(t.getValue(), bytes));
            } catch (Exception ex) {
                LOG.log(Level.WARNING, config.nodeName() + ": request " + type + " #" + id + " to " + t.getKey() + " failed: " + ex);
                delivery.execute(() -> {
                    Pending p = pending.get(id);
                    if (p != null) {
                        p.departed.add(t.getKey());
                        p.maybeComplete();
                    }
                });
            }
        }
    }

    /**
     * Answers a request received in {@link MessagingListener#onMessage}. Returns false, sending
     * nothing, when the requester has left the view.
     */
    public boolean reply(Envelope request, String type, byte[] payload) {
        if (request.kind() != Envelope.Kind.REQUEST) {
            throw new IllegalArgumentException("can only reply to a REQUEST, got " + request);
        }
        Address to = addressOf(request.sender());
        if (to == null) {
            return false;
        }
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.REPLY, type, config.nodeName(), request.correlationId(), payload);
        counted(envelopesOut, type);
        transmit(to, EnvelopeCodec.encode(e));
        return true;
    }

    /**
     * The cluster's node list changed while this node runs (crm cluster add/remove): from now on
     * only {@code memberNames} take part (others are refused at the seal), connections are accepted
     * from the hosts of {@code peers}, and discovery asks exactly {@code peers}. Members already in
     * the view stay until they leave; a removed node is expected to be stopped before its removal.
     * Second links of added nodes are not taken up here (they need a restart).
     */
    public void updateMembers(Set<String> memberNames, List<java.net.InetSocketAddress> peers) {
        if (memberNames.isEmpty() || peers.isEmpty()) {
            throw new IllegalArgumentException(config.nodeName() + ": the node list cannot become empty");
        }
        if (!memberNames.contains(config.nodeName())) {
            throw new IllegalArgumentException(config.nodeName() + " is not among the new node list " + memberNames);
        }
        if (book != null) {
            book.allow(memberNames);
        }
        TP tp = channel.getProtocolStack().getTransport();
        if (tp.getSocketFactory() instanceof PeerAddressFilter filter) {
            Set<java.net.InetAddress> hosts = new HashSet<>();
            config.links().forEach(a -> hosts.add(a.getAddress()));
            config.peerSecondLinks().values().forEach(a -> hosts.add(a.getAddress()));
            peers.forEach(a -> hosts.add(a.getAddress()));
            filter.allow(hosts);
        }
        org.jgroups.protocols.TCPPING ping = channel.getProtocolStack().findProtocol(org.jgroups.protocols.TCPPING.class);
        if (ping != null) {
            ping.setInitialHosts(peers);
        }
        LOG.log(Level.INFO, config.nodeName() + ": node list now " + memberNames + " at " + peers);
    }

    /** Leaves the cluster gracefully and stops the delivery thread; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        channel.close();
        if (pauseWatch != null) {
            pauseWatch.close();
        }
        delivery.execute(() -> {
            for (Pending p : List.copyOf(pending.values())) {
                p.future.completeExceptionally(new MessagingException(config.nodeName() + ": messenger closed"));
            }
            pending.clear();
        });
        delivery.shutdown();
        if (Thread.currentThread().getName().equals("pulse-messaging-" + config.nodeName())) {
            return; // closed from a callback: the thread finishes its queue and ends by itself
        }
        try {
            delivery.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- internals ----

    private static long wallClockMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    JChannel channel() {
        return channel;
    }

    /** Null only when {@link #SHARED_TIMER_PROPERTY} is set. */
    Heartbeats heartbeats() {
        return heartbeats;
    }

    /** Suspicions of a member that had announced a pause: held for the grace, and of those, dropped when it was heard. */
    long[] pauseGraces() {
        return guard == null ? new long[2] : new long[] {guard.graceCount(), guard.forgivenCount()};
    }

    /** Suspicions held back (starved or vetoed), how many proved false, how many a second opinion vetoed; zeros without a guard. */
    long[] heldSuspicions() {
        return guard == null ? new long[3] : new long[] {guard.heldCount(), guard.avoidedCount(), guard.vetoCount()};
    }

    /**
     * Messages this node's transport received and sent since it started, JGroups' own count: a
     * multicast counts once when sent (TCP then writes it to every member) and once on each member
     * that receives it. For metrics and bench/scale, which shows how heartbeat traffic grows with
     * the cluster.
     */
    public long messagesReceived() {
        return channel.getProtocolStack().getTransport().getMessageStats().getNumMsgsReceived();
    }

    /** See {@link #messagesReceived()}. */
    public long messagesSent() {
        return channel.getProtocolStack().getTransport().getMessageStats().getNumMsgsSent();
    }

    /**
     * Messages this node received ("in ...") and sent ("out ...", a multicast once) since it started, by kind:
     * JGroups' by the header of the protocol that made them ({@link TrafficKinds}), crmd's by envelope type
     * ("crmd ..."; also counted among JGroups' crmd-unicast/crmd-multicast). For metrics and bench/scale.
     */
    public Map<String, Long> messagesByKind() {
        Map<String, Long> out = new TreeMap<>(trafficKinds.snapshot());
        envelopesIn.forEach((type, n) -> out.put("in crmd " + type, n.sum()));
        envelopesOut.forEach((type, n) -> out.put("out crmd " + type, n.sum()));
        return out;
    }

    private static void counted(Map<String, LongAdder> counts, String type) {
        LongAdder n = counts.get(type);
        if (n == null) {
            n = counts.computeIfAbsent(type, t -> new LongAdder());
        }
        n.increment();
    }

    /** Messages the seal refused since this node started (wrong key, replayed, earlier incarnation): for metrics. */
    public long rejectedBySeal() {
        return seal == null ? 0 : seal.rejectedCount();
    }

    private void transmit(Address to, byte[] bytes) {
        try {
            channel.send(new BytesMessage(to, bytes));
        } catch (Exception ex) {
            throw new MessagingException(config.nodeName() + ": send to " + nameOf(to) + " failed: " + ex, ex);
        }
    }

    private Address addressOf(String nodeName) {
        View v = jgroupsView;
        if (v == null) {
            return null;
        }
        for (Address a : v.getMembers()) {
            if (nodeName.equals(nameOf(a))) {
                return a;
            }
        }
        return null;
    }

    /**
     * A fresh address for this start of {@code node}. The name travels inside the address, so every member can name
     * every other one even if it never saw its discovery reply (e.g. after a merge). The incarnation is 8 big-endian
     * bytes, the form every release reads: view ids are made from it, so a node that sent another form (decimal text,
     * tried in one unreleased build to keep NULs out of JGroups' log lines) led views whose ids older members spelled
     * differently, and they never answered its joins (RollingUpgradeTest, a new node made coordinator by a merge).
     */
    static ExtendedUUID addressFor(String node, long incarnation, boolean ordered) {
        ExtendedUUID a = ExtendedUUID.randomUUID(node).put(NAME_KEY, node.getBytes(StandardCharsets.US_ASCII))
                .put(INCARNATION_KEY, java.nio.ByteBuffer.allocate(8).putLong(incarnation).array());
        return ordered ? a.put(ORDERED_KEY, new byte[] {1}) : a;
    }

    /** The incarnation a node's address names, or 0 for an address without one. */
    static long incarnationOf(Address a) {
        if (a instanceof ExtendedUUID e) {
            byte[] inc = e.get(INCARNATION_KEY);
            if (inc != null && inc.length == 8) {
                return java.nio.ByteBuffer.wrap(inc).getLong();
            }
        }
        return 0;
    }

    /** This node's incarnation for this start. */
    public long incarnation() {
        return incarnation;
    }

    /** Messages dropped since start because their sender was not a member of the view (held too long, or too many). */
    public long nonMemberDrops() {
        return nonMemberDrops.get();
    }

    static String nameOf(Address a) {
        if (a instanceof ExtendedUUID e) {
            byte[] name = e.get(NAME_KEY);
            if (name != null) {
                return new String(name, StandardCharsets.US_ASCII);
            }
        }
        String cached = NameCache.get(a);
        return cached != null ? cached : String.valueOf(a);
    }

    private String describeSender(Address a) {
        TP tp = channel.getProtocolStack().getTransport();
        PhysicalAddress phys = tp == null ? null : tp.getPhysicalAddressFromCache(a);
        return nameOf(a) + (phys != null ? " at " + phys : "");
    }

    private void suspected(Collection<Address> suspects) {
        synchronized (stuck) {
            stuck.suspected(suspects, System.nanoTime());
        }
        Set<String> names = new LinkedHashSet<>();
        for (Address a : suspects) {
            names.add(nameOf(a));
        }
        deliver(() -> listener.onSuspect(Set.copyOf(names)), "onSuspect");
    }

    /**
     * A member suspected (confirmed) for longer than a merge, a view's acks and two detections may take,
     * yet still in the view, means GMS dropped the suspicion. Seen once in a restart soak under heavy load:
     * the next coordinator re-raised its suspicion of the killed coordinator for over 60 s and nothing was
     * fenced. JGroups drops membership requests while its view handler is suspended for a merge and resumes
     * it after the merge's timeout; if it is still suspended well past that, it is stuck, and this resumes
     * it and hands GMS the suspicion again. Either way the state of GMS goes to the log, to learn the cause.
     */
    private void checkStuckSuspicions() {
        List<Object> overdue;
        synchronized (stuck) {
            overdue = stuck.overdue(System.nanoTime());
        }
        if (overdue.isEmpty() || closed) {
            return;
        }
        GMS gms = channel.getProtocolStack().findProtocol(GMS.class);
        boolean suspended = gms.isViewHandlerSuspended();
        List<Address> addresses = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (Object o : overdue) {
            if (o instanceof Address a) {
                addresses.add(a);
                names.add(nameOf(a));
            }
        }
        String history = gms.dumpViewHandlerHistory();
        String[] lines = history == null ? new String[0] : history.split("\\R");
        String recent = String.join(" | ", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 5), lines.length));
        LOG.log(Level.WARNING, config.nodeName() + ": " + names + " suspected for over " + stuckBoundMs + " ms and still in view "
                + view + ": GMS is " + gms.getImplementation() + ", its view handler " + (suspended ? "SUSPENDED" : "running")
                + ", merge id " + gms.getMergeId() + ", queue [" + gms.dumpViewHandlerQueue().replace('\n', ' ') + "], last requests: "
                + recent + (suspended ? "; resuming the view handler and handing GMS the suspicion again" : "; handing GMS the suspicion again")
                + (suspended ? "" : viewHandlerStacks()));
        if (suspended) {
            gms.resumeViewHandler();
            stuckResumes.incrementAndGet();
        }
        gms.up(new Event(Event.SUSPECT, addresses));
    }

    /**
     * Where a running view handler is: the restart soak's stall ("n2 was not fenced in 60 s") had GMS's handler
     * running with the suspicion queued for a minute, its last request taken a minute before; only a stack says
     * what it waits for. Rare (once per stuck bound), so the cost of reading every thread's stack does not matter.
     */
    private String viewHandlerStacks() {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            String name = e.getKey().getName();
            // JGroups names it after the cluster and the local address; a JVM of one node (crmd) has just one anyway.
            if (name.contains("ViewHandler") && (name.contains(config.nodeName()) || !name.contains(","))) {
                out.append("; thread ").append(name).append(" (").append(e.getKey().getState()).append(") at");
                StackTraceElement[] frames = e.getValue();
                for (int i = 0; i < Math.min(25, frames.length); i++) {
                    out.append(' ').append(frames[i]);
                }
            }
        }
        return out.length() == 0 ? "; no ViewHandler thread named after this node found" : out.toString();
    }

    /** How often a stuck suspicion made this node resume GMS's view handler (tests, metrics). */
    long stuckResumes() {
        return stuckResumes.get();
    }

    private void deliver(Runnable callback, String what) {
        try {
            delivery.execute(() -> {
                try {
                    callback.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, config.nodeName() + ": listener " + what + " threw; delivery goes on", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: nothing more is delivered
        }
    }

    private static ClusterView toClusterView(View v) {
        List<String> members = v.getMembers().stream().map(Messenger::nameOf).toList();
        List<List<String>> subgroups = new ArrayList<>();
        boolean merge = v instanceof MergeView;
        if (merge) {
            for (View sub : ((MergeView) v).getSubgroups()) {
                subgroups.add(sub.getMembers().stream().map(Messenger::nameOf).toList());
            }
        }
        return new ClusterView(v.getViewId().getId(), nameOf(v.getCreator()), members, merge, subgroups,
                incarnationOf(v.getCreator()));
    }

    private final class ChannelReceiver implements Receiver {
        @Override
        public void viewAccepted(View v) {
            ClusterView cv = toClusterView(v);
            if (new HashSet<>(cv.members()).size() != cv.size()) {
                LOG.log(Level.ERROR, config.nodeName() + ": view " + cv + " has two members with the same name; node names"
                        + " must be unique (a node restarted before its old incarnation left? check the node configs)."
                        + " Messages to that name go to the oldest of them");
            }
            jgroupsView = v;
            view = cv;
            // Not under sendLock: a send holding it may wait for flow-control credits that this view releases.
            sendOrder.retain(v.getMembers());
            synchronized (stuck) {
                stuck.view(v.getMembers());
            }
            Set<Address> memberAddresses = Set.copyOf(v.getMembers());
            deliver(() -> {
                deliveredView = cv;
                List<Arrived> gone = new ArrayList<>(0);
                deliveryOrder.retainSenders(memberAddresses::contains, gone);
                for (Arrived g : gone) {
                    dropNonMember(g.envelope(), "its sender left the view while it waited for an earlier message of that sender");
                }
                for (Pending p : List.copyOf(pending.values())) {
                    p.viewChanged(cv);
                }
                listener.onView(cv);
                releaseHeld();
            }, "onView");
        }

        @Override
        public void receive(Message msg) {
            Address src = msg.getSrc();
            EnvelopeCodec.Decoded d;
            try {
                if (!msg.hasArray()) {
                    throw new EnvelopeCodec.MalformedEnvelopeException("message has no payload");
                }
                d = EnvelopeCodec.decodeWire(msg.getArray(), msg.getOffset(), msg.getLength());
            } catch (EnvelopeCodec.MalformedEnvelopeException ex) {
                dropLog.dropped(describeSender(src), "not a valid envelope: " + ex.getMessage());
                return;
            } catch (RuntimeException ex) {
                dropLog.dropped(describeSender(src), "envelope could not be read: " + ex);
                return;
            }
            Envelope e = d.envelope();
            counted(envelopesIn, e.type());
            String actual = nameOf(src);
            if (!e.sender().equals(actual)) {
                dropLog.dropped(describeSender(src), "envelope claims sender " + e.sender() + " but came from " + actual);
                return;
            }
            // Which of the sender's two streams carried it, and the other stream's message it must follow.
            boolean unicast = msg.getDest() != null;
            long after = unicast ? d.order().afterMulticast() : d.order().afterUnicast().getOrDefault(config.nodeName(), 0L);
            Arrived a = new Arrived(e, src, unicast, after);
            deliver(() -> fromSender(a), "onMessage");
        }
    }

    // ---- membership of senders: delivery thread only ----

    /**
     * A message reaches the listener (or its request) only from a member of the view the listener
     * was told of: a node outside the view (cut off, not yet joined, or a recording of one) must
     * not act in it. A message that arrives just before its sender's view is held for that view.
     */
    private void fromSender(Arrived a) {
        Envelope e = a.envelope();
        ClusterView v = deliveredView;
        if (v != null && v.contains(e.sender())) {
            dispatch(a);
            return;
        }
        expireHeld();
        if (held.size() >= HOLD_NON_MEMBER_MAX) {
            dropNonMember(held.poll().envelope(), "more than " + HOLD_NON_MEMBER_MAX + " messages from non-members held");
        }
        held.add(new Held(a, System.nanoTime() + HOLD_NON_MEMBER_MS * 1_000_000L));
        delivery.schedule(this::expireHeld, HOLD_NON_MEMBER_MS + 1, TimeUnit.MILLISECONDS);
    }

    /**
     * A member's message, in its sender's order: one that must follow an earlier message of the sender's
     * other stream waits for it ({@link DeliveryOrder}). Replies are not ordered: their id is the request's.
     */
    private void dispatch(Arrived a) {
        if (a.envelope().kind() == Envelope.Kind.REPLY) {
            toListener(a.envelope());
            return;
        }
        List<Arrived> dropped = new ArrayList<>(0);
        List<Arrived> ready = deliveryOrder.arrived(new DeliveryOrder.Arrival<>(a.from(), a.unicast(),
                a.envelope().correlationId(), a.after(), a), System.nanoTime(), dropped);
        dropOutOfOrder(dropped, "more than " + HOLD_OUT_OF_ORDER_MAX + " of its sender's messages waited for an earlier one");
        for (Arrived r : ready) {
            toListener(r.envelope());
        }
        scheduleOutOfOrderExpiry();
    }

    /** While messages are held for their order, one check is scheduled, at the earliest deadline. */
    private void scheduleOutOfOrderExpiry() {
        if (outOfOrderExpiry == null && deliveryOrder.holding()) {
            long inNanos = Math.max(0, deliveryOrder.nextDeadlineNanos() - System.nanoTime());
            outOfOrderExpiry = delivery.schedule(this::expireOutOfOrder, inNanos / 1_000_000L + 1, TimeUnit.MILLISECONDS);
        }
    }

    private void expireOutOfOrder() {
        outOfOrderExpiry = null;
        List<Arrived> dropped = new ArrayList<>(0);
        List<Arrived> ready = deliveryOrder.expire(System.nanoTime(), dropped);
        dropOutOfOrder(dropped, "the earlier message of its sender it must follow did not come within " + HOLD_OUT_OF_ORDER_MS + " ms");
        for (Arrived r : ready) {
            toListener(r.envelope());
        }
        scheduleOutOfOrderExpiry();
    }

    private void dropOutOfOrder(List<Arrived> dropped, String why) {
        for (Arrived d : dropped) {
            outOfOrderDrops.incrementAndGet();
            dropLog.dropped(d.envelope().sender(), d.envelope().kind() + " " + d.envelope().type() + " #"
                    + d.envelope().correlationId() + ": " + why);
        }
    }

    private void toListener(Envelope e) {
        try {
            if (e.kind() == Envelope.Kind.REPLY) {
                replied(e);
            } else {
                listener.onMessage(e);
            }
        } catch (RuntimeException ex) {
            LOG.log(Level.ERROR, config.nodeName() + ": listener onMessage threw; delivery goes on", ex);
        }
    }

    /** After a view: what its members sent before it arrived goes out now, in arrival order. */
    private void releaseHeld() {
        if (held.isEmpty()) {
            return;
        }
        java.util.ArrayDeque<Held> waiting = new java.util.ArrayDeque<>(held);
        held.clear();
        for (Held h : waiting) {
            if (deliveredView.contains(h.envelope().sender())) {
                dispatch(h.arrived());
            } else {
                held.add(h);
            }
        }
        expireHeld();
    }

    private void expireHeld() {
        long now = System.nanoTime();
        while (!held.isEmpty() && now - held.peek().deadlineNanos() >= 0) {
            dropNonMember(held.poll().envelope(), "its sender was not a member of the view within "
                    + HOLD_NON_MEMBER_MS + " ms");
        }
    }

    private void dropNonMember(Envelope e, String why) {
        nonMemberDrops.incrementAndGet();
        dropLog.dropped(e.sender(), e.kind() + " " + e.type() + ": " + why);
    }

    // ---- request bookkeeping: delivery thread only ----

    private void register(Pending p, long timeoutMs) {
        if (closed) {
            p.future.completeExceptionally(new MessagingException(config.nodeName() + ": messenger closed"));
            return;
        }
        pending.put(p.id, p);
        ClusterView v = view;
        if (v != null) {
            p.viewChanged(v);
        }
        if (pending.containsKey(p.id)) {
            p.timeout = delivery.schedule(p::timedOut, timeoutMs, TimeUnit.MILLISECONDS);
        }
    }

    private void replied(Envelope reply) {
        Pending p = pending.get(reply.correlationId());
        if (p == null) {
            LOG.log(Level.DEBUG, config.nodeName() + ": late or unknown reply " + reply + " ignored");
            return;
        }
        if (!p.targets.contains(reply.sender())) {
            dropLog.dropped(reply.sender(), "reply to request #" + reply.correlationId() + " which was not sent to it");
            return;
        }
        p.replies.put(reply.sender(), reply);
        p.departed.remove(reply.sender());
        p.maybeComplete();
    }

    private final class Pending {
        final long id;
        final Set<String> targets;
        final Map<String, Envelope> replies = new HashMap<>();
        final Set<String> departed;
        final CompletableFuture<Replies> future;
        ScheduledFuture<?> timeout;

        Pending(long id, Set<String> targets, Set<String> departed, CompletableFuture<Replies> future) {
            this.id = id;
            this.targets = targets;
            this.departed = new HashSet<>(departed);
            this.future = future;
        }

        void viewChanged(ClusterView v) {
            for (String t : targets) {
                if (!v.contains(t) && !replies.containsKey(t)) {
                    departed.add(t);
                }
            }
            maybeComplete();
        }

        void maybeComplete() {
            if (replies.size() + departed.size() >= targets.size()) {
                finish();
            }
        }

        void timedOut() {
            finish();
        }

        private void finish() {
            if (pending.remove(id) == null) {
                return;
            }
            if (timeout != null) {
                timeout.cancel(false);
            }
            Set<String> missing = new HashSet<>(targets);
            missing.removeAll(replies.keySet());
            missing.removeAll(departed);
            future.complete(new Replies(id, replies, missing, departed));
        }
    }
}
