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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.MergeView;
import org.jgroups.Message;
import org.jgroups.PhysicalAddress;
import org.jgroups.Receiver;
import org.jgroups.View;
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
    private static final long DROP_LOG_INTERVAL_MS = 10_000;

    private final MessagingConfig config;
    private final MessagingListener listener;
    private final ScheduledThreadPoolExecutor delivery;
    private final DropLog dropLog;
    private final SealProtocol seal;
    private final JChannel channel;
    private final AtomicLong nextId = new AtomicLong();
    /** Written on JGroups' view thread, read by senders: the view name lookups use. */
    private volatile View jgroupsView;
    private volatile ClusterView view;
    /** Confined to the delivery thread. */
    private final Map<Long, Pending> pending = new HashMap<>();
    private volatile boolean closed;

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
        if (config.insecure()) {
            this.seal = null;
        } else {
            // A new incarnation per start of the channel, durable before the first message.
            long incarnation = Incarnations.nextOwn(config.stateDir(), Messenger::wallClockMicros);
            // A restarted node is silent for at least a JVM start; a live one is heard every heartbeat.
            Incarnations book = Incarnations.of(config.memberNames(), config.stateDir(),
                    config.timing().heartbeatTimeoutMs(), System::nanoTime);
            this.seal = new SealProtocol(new Sealer(config.clusterKey(), config.acceptKeys(), new SecureRandom(), node, incarnation, book), dropLog,
                    config.secondLink() != null);
        }
        SuspectTap tap = new SuspectTap(this::suspected);
        this.channel = new JChannel(StackFactory.build(config, seal, tap, dropLog));
        channel.name(node);
        // The name travels inside the address, so every member can name every other one even if
        // it never saw its discovery reply (e.g. after a merge).
        byte[] nameBytes = node.getBytes(StandardCharsets.US_ASCII);
        channel.addAddressGenerator(() -> ExtendedUUID.randomUUID(node).put(NAME_KEY, nameBytes));
        channel.setReceiver(new ChannelReceiver());
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

    /** The derived timing settings and detection times, for crmd to print at start. */
    public String describeTiming() {
        return config.timing().describe();
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
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, type, config.nodeName(), nextId.incrementAndGet(), payload);
        transmit(to, EnvelopeCodec.encode(e));
        return true;
    }

    /** Sends a notice to every other member of the current view (not to this node). */
    public void broadcast(String type, byte[] payload) {
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, type, config.nodeName(), nextId.incrementAndGet(), payload);
        Message msg = new BytesMessage(null, EnvelopeCodec.encode(e)).setFlag(Message.TransientFlag.DONT_LOOPBACK);
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
        long id = nextId.incrementAndGet();
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.REQUEST, type, config.nodeName(), id, payload);
        byte[] bytes = EnvelopeCodec.encode(e);
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
        // Registered on the delivery thread before anything is sent, so a reply (which also
        // goes through that thread) always finds its request.
        try {
            delivery.execute(() -> register(new Pending(id, targetSet, absent, future), timeoutMs));
        } catch (RejectedExecutionException ex) {
            return CompletableFuture.failedFuture(new MessagingException(config.nodeName() + ": messenger closed"));
        }
        for (Map.Entry<String, Address> t : addresses.entrySet()) {
            try {
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
        return future;
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
        transmit(to, EnvelopeCodec.encode(e));
        return true;
    }

    /** Leaves the cluster gracefully and stops the delivery thread; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        channel.close();
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
        Set<String> names = new LinkedHashSet<>();
        for (Address a : suspects) {
            names.add(nameOf(a));
        }
        deliver(() -> listener.onSuspect(Set.copyOf(names)), "onSuspect");
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
        return new ClusterView(v.getViewId().getId(), nameOf(v.getCreator()), members, merge, subgroups);
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
            deliver(() -> {
                for (Pending p : List.copyOf(pending.values())) {
                    p.viewChanged(cv);
                }
                listener.onView(cv);
            }, "onView");
        }

        @Override
        public void receive(Message msg) {
            Address src = msg.getSrc();
            Envelope e;
            try {
                if (!msg.hasArray()) {
                    throw new EnvelopeCodec.MalformedEnvelopeException("message has no payload");
                }
                e = EnvelopeCodec.decode(msg.getArray(), msg.getOffset(), msg.getLength());
            } catch (EnvelopeCodec.MalformedEnvelopeException ex) {
                dropLog.dropped(describeSender(src), "not a valid envelope: " + ex.getMessage());
                return;
            } catch (RuntimeException ex) {
                dropLog.dropped(describeSender(src), "envelope could not be read: " + ex);
                return;
            }
            String actual = nameOf(src);
            if (!e.sender().equals(actual)) {
                dropLog.dropped(describeSender(src), "envelope claims sender " + e.sender() + " but came from " + actual);
                return;
            }
            if (e.kind() == Envelope.Kind.REPLY) {
                deliver(() -> replied(e), "reply");
            } else {
                deliver(() -> listener.onMessage(e), "onMessage");
            }
        }
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
