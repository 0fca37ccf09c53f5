package org.pulse.crmd.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.pulse.crmd.controller.Event;
import org.pulse.crmd.controller.OpRequest;
import org.pulse.crmd.controller.OpResult;
import org.pulse.crmd.controller.OpStatus;
import org.pulse.lrm.OperationResult;
import org.pulse.lrm.remote.RemoteClient;
import org.pulse.lrm.remote.RemoteProtocol;
import org.slf4j.Logger;

/**
 * This node's connections to remote nodes' pulse-remoted, one per {@code ocf:pacemaker:remote} connection
 * resource it runs (the resource's id is the remote node's name). The connection resource's operations are
 * the connection itself, as Pacemaker's controller treats them: start (and migrate_from) connects and
 * authenticates with the cluster key, a probe finds whether a connection is up, a recurring monitor pings it
 * every interval and fails when it is lost, stop (and migrate_to's source once stopped) closes it. Actions the
 * DC routes to a remote node through this node are relayed over its connection in the order they come;
 * every result the daemon reports comes back as an Event.OperationCompleted naming the remote node.
 * IO happens on this class's threads, never on the event thread.
 */
final class RemoteLinks implements AutoCloseable {
    /** How long a quiet connection goes before the client pings (and twice that before it counts as lost). */
    static final long READ_TIMEOUT_MS = 5_000;
    /** A request's answer (not its operation's result: that comes when the agent ends) is due within this. */
    static final long REQUEST_TIMEOUT_MS = 10_000;

    private final String self;
    private final Path keyFile;
    private final Consumer<Event> post;
    private final Logger log;
    private final ExecutorService io;
    private final ScheduledExecutorService timer;
    private final Map<String, Link> links = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One connection, with a single thread that sends to it, so that operations reach the daemon in order. */
    private final class Link {
        final String node;
        final RemoteClient client;
        final ExecutorService sender;
        volatile OpRequest monitor;
        /** The daemon's reason when it said it is stopping cleanly (SHUTDOWN); null until then. */
        volatile String stopping;
        volatile ScheduledFuture<?> monitorTask;

        Link(String node, RemoteClient client) {
            this.node = node;
            this.client = client;
            this.sender = Executors.newSingleThreadExecutor(named("remote-send-" + node));
        }

        void close() {
            stopMonitor();
            client.close();
            sender.shutdown();
        }

        void stopMonitor() {
            monitor = null;
            ScheduledFuture<?> t = monitorTask;
            if (t != null) {
                t.cancel(false);
            }
        }
    }

    /** Told the name of a remote node whose pulse-remoted is stopping cleanly: its shutdown attribute is written. */
    private final Consumer<String> remoteStopping;

    RemoteLinks(String self, Path keyFile, Consumer<Event> post, Logger log) {
        this(self, keyFile, post, log, node -> { });
    }

    RemoteLinks(String self, Path keyFile, Consumer<Event> post, Logger log, Consumer<String> remoteStopping) {
        this.remoteStopping = remoteStopping;
        this.self = self;
        this.keyFile = keyFile;
        this.post = post;
        this.log = log;
        this.io = Executors.newCachedThreadPool(named("remote-io"));
        this.timer = Executors.newSingleThreadScheduledExecutor(named("remote-monitor"));
    }

    private static java.util.concurrent.ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** An operation of a connection resource (ocf:pacemaker:remote): the connection itself. */
    void connectionOperation(OpRequest req) {
        String node = req.resourceId();
        switch (req.action()) {
            case "start", "migrate_from" -> io.execute(() -> connect(req));
            case "stop" -> {
                Link l = links.remove(node);
                if (l != null) {
                    l.close();
                    log.info("closed the connection to remote node {}", node);
                }
                complete(req, 0, "");
            }
            // The target connects (migrate_from); this side keeps its connection until its stop.
            case "migrate_to", "reload", "reload-agent" -> complete(req, 0, "");
            case "monitor" -> {
                Link l = links.get(node);
                if (req.intervalMs() == 0) {
                    io.execute(() -> complete(req, l != null && pings(l) ? 0 : 7, l == null ? "" : "the connection"
                            + " to " + node + " does not answer"));
                } else if (l == null) {
                    complete(req, 7, "this node holds no connection to remote node " + node);
                } else {
                    startMonitor(l, req);
                }
            }
            case "meta-data", "validate-all" -> complete(req, 0, "");
            default -> complete(req, 3, "a remote node's connection has no action " + req.action());
        }
    }

    private void connect(OpRequest req) {
        String node = req.resourceId();
        // server= on a configured connection; addr= (from remote-addr) on a guest's implicit one; else the name.
        String server = req.params().getOrDefault("server", req.params().getOrDefault("addr", node));
        int port = RemoteProtocol.DEFAULT_PORT;
        String p = req.params().get("port");
        long t0 = System.nanoTime();
        try {
            if (p != null && !p.isBlank()) {
                try {
                    port = Integer.parseInt(p.strip());
                } catch (NumberFormatException e) {
                    complete(req, 6, "port=" + p + " of " + node + " is not a port number");
                    return;
                }
            }
            byte[] key = RemoteProtocol.readKey(keyFile);
            RemoteClient client = RemoteClient.connect(server, port, key, self, Math.min(req.timeoutMs(), REQUEST_TIMEOUT_MS),
                    READ_TIMEOUT_MS, r -> onResult(node, r), why -> onLost(node, why));
            if (!client.remoteNode().equals(node)) {
                // Still usable: the daemon's --node names its results' on_node, the CIB goes by the resource id.
                log.warn("pulse-remoted at {}:{} calls itself {}, the cluster calls it {} (its connection resource's id);"
                        + " start it with --node {}", server, port, client.remoteNode(), node, node);
            }
            Link link = new Link(node, client);
            client.onShutdown(reason -> {
                // Pacemaker Remote's shutdown request: the node's shutdown attribute makes the policy engine move its
                // resources away; the daemon closes once they are stopped, and that close is no failure to fence for.
                link.stopping = reason;
                log.info("remote node {} is stopping cleanly ({}): asking the cluster to move its resources away",
                        node, reason);
                remoteStopping.accept(node);
            });
            Link old = links.put(node, link);
            if (old != null) {
                old.close();
            }
            log.info("connected to remote node {} at {}:{} in {} ms", node, server, port,
                    (System.nanoTime() - t0) / 1_000_000);
            complete(req, 0, "");
            learnHistory(node, client);
        } catch (IOException e) {
            log.error("cannot connect to remote node {}: {}", node, e.getMessage());
            complete(req, 1, e.getMessage());
        }
    }

    /**
     * What the remote node ran before this node held its connection (another member held it, or this node
     * before a restart): reported like results, so that what ended while no member held the connection (an
     * operation recorded pending) reaches the DC; the controller drops what the CIB already records.
     */
    private void learnHistory(String node, RemoteClient client) {
        try {
            // Per resource only its latest one-shot operation: that is its state there (an older probe reported
            // after it would say "not running" of a resource started since). Recurring monitors report by themselves.
            Map<String, OperationResult> latest = new java.util.TreeMap<>();
            for (OperationResult r : client.history(REQUEST_TIMEOUT_MS)) {
                if (r.intervalMs() == 0) {
                    latest.merge(r.resourceId(), r, (a, b) -> a.callId() >= b.callId() ? a : b);
                }
            }
            log.info("remote node {}: {} resources in its executor's history", node, latest.size());
            for (OperationResult r : latest.values()) {
                post.accept(new Event.OperationCompleted(CrmdRuntime.toOpResult(r), node, r.callId()));
            }
        } catch (IOException e) {
            log.warn("could not read remote node {}'s history: {}", node, e.getMessage());
        }
    }

    private void startMonitor(Link l, OpRequest req) {
        l.stopMonitor();
        l.monitor = req;
        // A ping unanswered within the monitor's timeout fails it, as any monitor that times out: a hung daemon
        // (stopped, or its host unreachable without a reset) is found by this, not only by the reader's silence.
        long pingTimeoutMs = Math.min(req.timeoutMs(), REQUEST_TIMEOUT_MS);
        io.execute(() -> {
            boolean ok = pings(l, pingTimeoutMs);
            complete(req, ok ? 0 : 1, ok ? "" : "the connection to remote node " + l.node + " does not answer");
            if (ok && l.monitor == req) {
                l.monitorTask = timer.scheduleWithFixedDelay(() -> io.execute(() -> {
                    if (l.monitor == req && !pings(l, pingTimeoutMs) && l.monitor == req) {
                        lost(l, "no answer to a ping within " + pingTimeoutMs + " ms (pulse-remoted hung, or its host"
                                + " unreachable)");
                    }
                }), req.intervalMs(), req.intervalMs(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private boolean pings(Link l) {
        return pings(l, REQUEST_TIMEOUT_MS);
    }

    private boolean pings(Link l, long timeoutMs) {
        try {
            l.client.ping(timeoutMs);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void onResult(String node, OperationResult r) {
        post.accept(new Event.OperationCompleted(CrmdRuntime.toOpResult(r), node, r.callId()));
    }

    private void onLost(String node, String why) {
        Link l = links.get(node);
        if (l != null && !l.client.isOpen()) {
            lost(l, why);
        }
    }

    /** The connection failed: its recurring monitor reports the failure, so the DC recovers the connection. */
    private void lost(Link l, String why) {
        if (!links.remove(l.node, l)) {
            return;
        }
        OpRequest monitor = l.monitor;
        l.close();
        String stopping = l.stopping;
        if (stopping != null) {
            // Still the monitor's failure (the connection is gone): the policy engine does not fence a remote node
            // that asked to shut down, and the reason says why it went.
            log.info("the connection to remote node {} ended: its pulse-remoted stopped cleanly ({})", l.node, why);
            why = "pulse-remoted stopped cleanly after asking the cluster to stop its resources (" + stopping + ")";
        } else {
            log.error("lost the connection to remote node {}: {}", l.node, why);
        }
        if (monitor != null && !closed) {
            complete(monitor, 1, "connection to remote node " + l.node + " lost: " + why);
        }
    }

    /** An action the DC routed to {@code node} through this node: relayed over the connection, in order. */
    void relay(String node, OpRequest req) {
        Link l = links.get(node);
        if (l == null) {
            post.accept(new Event.OperationCompleted(OpResult.of(req, 1, OpStatus.ERROR, "this node ("
                    + self + ") holds no connection to remote node " + node, 0), node, 0));
            return;
        }
        l.sender.execute(() -> {
            try {
                l.client.exec(CrmdRuntime.operationRequest(req), REQUEST_TIMEOUT_MS);
            } catch (IOException | RuntimeException e) {
                post.accept(new Event.OperationCompleted(OpResult.of(req, 1, OpStatus.ERROR, "not run on remote node "
                        + node + ": " + e.getMessage(), 0), node, 0));
            }
        });
    }

    /** Stops {@code node}'s recurring operations of a resource, in order with what was relayed before. */
    void cancelRecurring(String node, String resourceId) {
        Link l = links.get(node);
        if (l != null) {
            l.sender.execute(() -> {
                try {
                    l.client.cancel(resourceId, "*", 0, REQUEST_TIMEOUT_MS);
                } catch (IOException e) {
                    log.warn("could not cancel {}'s recurring operations on remote node {}: {}", resourceId, node,
                            e.getMessage());
                }
            });
        }
    }

    /** The recurring monitor of connection {@code resourceId} (if this node holds it) stops. */
    void cancelMonitor(String resourceId) {
        Link l = links.get(resourceId);
        if (l != null) {
            l.stopMonitor();
        }
    }

    private void complete(OpRequest req, int rc, String reason) {
        post.accept(new Event.OperationCompleted(OpResult.of(req, rc, OpStatus.DONE, rc == 0 ? "" : reason, 0)));
    }

    @Override
    public void close() {
        closed = true;
        links.values().forEach(Link::close);
        links.clear();
        io.shutdownNow();
        timer.shutdownNow();
    }
}
