package org.pulse.lrm.remote;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.pulse.lrm.Lrm;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.OperationResult;

/**
 * pulse-remoted: the remote executor of a remote node, Pacemaker Remote's role. It is not a cluster member
 * (no membership, no CIB, no votes): it runs the agents a cluster node asks it to run, through the same LRM
 * a cluster node's crmd uses, and reports every result back over the one connection the cluster holds.
 *
 * <ul>
 * <li>Every connection must prove it knows the key (see {@link RemoteProtocol}) within the handshake
 *     timeout before any request is read; a stranger is refused with a log line naming its address.</li>
 * <li>One cluster connection at a time: a newly authenticated one replaces the previous one (the cluster
 *     moved the connection, and the old host may be gone without closing its socket).</li>
 * <li>Operations go on when the connection drops (a recurring monitor keeps running); their results stay in
 *     the LRM's history, which the next connection asks for (HISTORY).</li>
 * <li>Bounded: frames above the limit are refused; each read has a timeout (handshake, then idle: a
 *     connection the client stopped pinging is closed); at most {@link #MAX_HANDSHAKES} connections may be
 *     in their handshake at once.</li>
 * </ul>
 */
public final class RemoteDaemon implements AutoCloseable {
    /** Unauthenticated connections at once; more are closed at once (a scan or a flood must not pile threads up). */
    static final int MAX_HANDSHAKES = 8;

    /**
     * @param listen             address and port to listen on
     * @param keyFile            the shared key's file (for log lines; the key itself is given separately)
     * @param maxFrameBytes      frames above this are refused
     * @param handshakeTimeoutMs a connection must be authenticated within this
     * @param idleTimeoutMs      an authenticated connection with no frame for this long is closed (the client
     *                           pings well within it)
     */
    public record Options(InetSocketAddress listen, Path keyFile, int maxFrameBytes, long handshakeTimeoutMs,
                          long idleTimeoutMs) {
        public Options {
            Objects.requireNonNull(listen, "listen");
            if (maxFrameBytes < 4096 || handshakeTimeoutMs <= 0 || idleTimeoutMs <= 0) {
                throw new IllegalArgumentException("frame limit (>= 4096 bytes) and timeouts (> 0) must be set: "
                        + maxFrameBytes + " bytes, " + handshakeTimeoutMs + " ms, " + idleTimeoutMs + " ms");
            }
        }

        public static Options defaults() {
            return new Options(new InetSocketAddress(RemoteProtocol.DEFAULT_PORT), RemoteProtocol.DEFAULT_KEY,
                    RemoteProtocol.DEFAULT_MAX_FRAME_BYTES, RemoteProtocol.DEFAULT_HANDSHAKE_TIMEOUT_MS, 60_000);
        }

        public Options withListen(InetSocketAddress a) {
            return new Options(a, keyFile, maxFrameBytes, handshakeTimeoutMs, idleTimeoutMs);
        }

        public Options withKeyFile(Path f) {
            return new Options(listen, f, maxFrameBytes, handshakeTimeoutMs, idleTimeoutMs);
        }

        public Options withMaxFrameBytes(int n) {
            return new Options(listen, keyFile, n, handshakeTimeoutMs, idleTimeoutMs);
        }

        public Options withTimeouts(long handshakeMs, long idleMs) {
            return new Options(listen, keyFile, maxFrameBytes, handshakeMs, idleMs);
        }
    }

    private final Options options;
    private final byte[] key;
    private final String nodeName;
    private final Lrm lrm;
    private final Consumer<String> log;
    private final ServerSocket server;
    private final SecureRandom random = new SecureRandom();
    private final AtomicInteger handshaking = new AtomicInteger();
    private final Thread acceptor;
    private final List<Connection> open = new ArrayList<>();
    private Connection current;
    private volatile boolean closed;
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Per resource, the call id of the latest one-shot operation the cluster asked for (a clean stop waits for it). */
    private final Map<String, Integer> lastRequested = new java.util.concurrent.ConcurrentHashMap<>();
    /** Set by {@link #shutdownGracefully}: the cluster is asked to stop what runs here; results wake the wait. */
    private volatile String shutdownReason;

    /**
     * Listens at once and serves until closed. {@code lrmConfig} says where agents are and whose node this is
     * (its node name is what results carry as on_node); {@code log} gets one line per event worth a log.
     */
    public static RemoteDaemon start(Options options, byte[] key, LrmConfig lrmConfig, Consumer<String> log)
            throws IOException {
        return new RemoteDaemon(options, key, lrmConfig, log);
    }

    private RemoteDaemon(Options options, byte[] key, LrmConfig lrmConfig, Consumer<String> log) throws IOException {
        this.options = options;
        this.key = key.clone();
        this.nodeName = lrmConfig.nodeName();
        this.log = log;
        this.lrm = new Lrm(lrmConfig, this::onResult);
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(options.listen());
        } catch (IOException e) {
            s.close();
            lrm.close();
            throw new IOException("cannot listen on " + options.listen() + ": " + e.getMessage()
                    + " (another pulse-remoted running? choose another with --listen ADDR:PORT)", e);
        }
        this.server = s;
        this.acceptor = new Thread(this::acceptLoop, "remoted-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        log.accept("pulse-remoted " + nodeName + " listening on " + server.getLocalSocketAddress() + " (key "
                + options.keyFile() + ", frames up to " + options.maxFrameBytes() + " bytes)");
    }

    /** The port listened on (useful with port 0). */
    public int port() {
        return server.getLocalPort();
    }

    public String nodeName() {
        return nodeName;
    }

    /** Blocks until {@link #close()}. */
    public void awaitClose() throws InterruptedException {
        stopped.await();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.accept("accept failed: " + e.getMessage());
                }
                continue;
            }
            if (handshaking.incrementAndGet() > MAX_HANDSHAKES) {
                handshaking.decrementAndGet();
                log.accept("refused connection from " + s.getRemoteSocketAddress() + ": " + MAX_HANDSHAKES
                        + " connections are already authenticating");
                closeQuietly(s);
                continue;
            }
            Thread t = new Thread(() -> serve(s), "remoted-conn-" + s.getPort());
            t.setDaemon(true);
            t.start();
        }
    }

    /** One connection: the handshake, then requests until it ends. */
    private void serve(Socket s) {
        String peer = String.valueOf(s.getRemoteSocketAddress());
        Connection c = null;
        boolean authenticating = true;
        try {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, options.handshakeTimeoutMs()));
            InputStream in = new BufferedInputStream(s.getInputStream());
            c = new Connection(s, new BufferedOutputStream(s.getOutputStream()), peer);
            String nonce = RemoteProtocol.nonce(random);
            c.send(Frame.of("HELLO", "proto", RemoteProtocol.VERSION, "node", nodeName, "nonce", nonce));
            Frame auth = Frame.read(in, options.maxFrameBytes(), options.handshakeTimeoutMs());
            if (auth == null) {
                log.accept("connection from " + peer + " closed before authenticating");
                return;
            }
            String client = auth.get("client") == null ? "(unnamed)" : auth.get("client");
            if (!auth.type().equals("AUTH") || auth.get("nonce") == null) {
                log.accept("refused connection from " + peer + ": sent " + auth.type() + " instead of AUTH");
                c.send(Frame.of("ERROR", "reason", "expected AUTH first"));
                return;
            }
            if (!RemoteProtocol.VERSION.equals(auth.get("proto"))) {
                log.accept("refused connection from " + peer + " (says it is " + client + "): it speaks protocol "
                        + (auth.get("proto") == null ? "1" : auth.get("proto")) + ", this daemon " + RemoteProtocol.VERSION);
                c.send(Frame.of("ERROR", "reason", "protocol " + RemoteProtocol.VERSION + " (sealed frames) expected;"
                        + " upgrade " + client + " and " + nodeName + " to the same Pulse release"));
                return;
            }
            String expected = RemoteProtocol.mac(key, "pulse-remote-client", nonce, auth.get("nonce"), client);
            if (!RemoteProtocol.sameMac(expected, auth.get("mac"))) {
                log.accept("refused connection from " + peer + " (says it is " + client + "): authentication failed,"
                        + " its key differs from " + options.keyFile());
                c.send(Frame.of("ERROR", "reason", "authentication failed: the key of " + client + " differs from "
                        + nodeName + "'s " + options.keyFile() + "; copy the same authkey to both"));
                return;
            }
            c.send(Frame.of("WELCOME", "node", nodeName, "mac",
                    RemoteProtocol.mac(key, "pulse-remote-daemon", auth.get("nonce"), nonce, nodeName)));
            // From here on every frame is sealed (see SealedChannel): the requests, the results, the history.
            c.seal(SealedChannel.daemon(key, nonce, auth.get("nonce"), options.maxFrameBytes()));
            handshaking.decrementAndGet();
            authenticating = false;
            c.client = client;
            adopt(c);
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, options.idleTimeoutMs()));
            requests(c, in);
        } catch (SocketTimeoutException e) {
            log.accept((authenticating ? "dropped connection from " + peer + ": no authentication within "
                    + options.handshakeTimeoutMs() + " ms" : "closed connection of " + (c == null ? peer : c.client)
                    + " from " + peer + ": nothing received for " + options.idleTimeoutMs() + " ms"));
        } catch (Frame.ProtocolException e) {
            log.accept("closed connection from " + peer + (c != null && c.client != null ? " (" + c.client + ")" : "")
                    + ": " + e.getMessage());
            if (c != null) {
                c.trySend(Frame.of("ERROR", "reason", e.getMessage()));
            }
        } catch (IOException e) {
            if (!closed && c != null && !c.closed) {
                log.accept("connection from " + peer + (c.client != null ? " (" + c.client + ")" : "") + " ended: "
                        + e.getMessage());
            }
        } finally {
            if (authenticating) {
                handshaking.decrementAndGet();
            }
            if (c != null) {
                drop(c);
            }
            closeQuietly(s);
        }
    }

    private void adopt(Connection c) {
        Connection old;
        synchronized (this) {
            old = current;
            current = c;
            open.add(c);
        }
        log.accept("cluster connection from " + c.client + " at " + c.peer + " authenticated"
                + (old == null ? "" : "; it replaces the one from " + old.client + " at " + old.peer));
        if (old != null) {
            old.close();
        }
        String stopping = shutdownReason;
        if (stopping != null) {
            c.trySend(Frame.of("SHUTDOWN", "node", nodeName, "reason", stopping));
        }
    }

    private void drop(Connection c) {
        boolean wasCurrent;
        synchronized (this) {
            open.remove(c);
            wasCurrent = current == c;
            if (wasCurrent) {
                current = null;
            }
        }
        c.close();
        if (wasCurrent && !closed) {
            log.accept("no cluster connection now (" + c.client + " at " + c.peer + " went away); operations go on,"
                    + " their results wait in the history");
        }
    }

    private void requests(Connection c, InputStream in) throws IOException {
        while (!closed) {
            Frame f = c.channel.read(in, options.idleTimeoutMs());
            if (f == null) {
                log.accept("cluster connection from " + c.client + " at " + c.peer + " closed");
                return;
            }
            String id = f.require("id");
            switch (f.type()) {
                case "PING" -> c.send(Frame.of("PONG", "id", id, "node", nodeName, "time",
                        Long.toString(Instant.now().toEpochMilli())));
                case "EXEC" -> {
                    OperationRequest req;
                    try {
                        req = RemoteProtocol.request(f);
                    } catch (Frame.ProtocolException e) {
                        c.send(Frame.of("ERROR", "id", id, "reason", e.getMessage()));
                        continue;
                    }
                    try {
                        Lrm.Submission sub = lrm.submit(req);
                        if (req.intervalMs() == 0) {
                            lastRequested.merge(req.resourceId(), sub.callId(), Math::max);
                        }
                        c.send(Frame.of("ACK", "id", id, "call", Integer.toString(sub.callId())));
                    } catch (RuntimeException e) {
                        c.send(Frame.of("ERROR", "id", id, "reason", req.operationKey() + " not run: " + e.getMessage()));
                    }
                }
                case "CANCEL" -> {
                    String rsc = f.require("rsc");
                    boolean found = false;
                    if (f.require("action").equals("*")) {
                        // every recurring operation of the resource (the cluster node's books name them, not its wire)
                        for (OperationRequest r : lrm.recurring(rsc)) {
                            found |= lrm.cancel(rsc, r.action(), r.intervalMs());
                        }
                    } else {
                        found = lrm.cancel(rsc, f.require("action"), f.requireLong("interval"));
                    }
                    c.send(Frame.of("ACK", "id", id, "found", Boolean.toString(found)));
                }
                case "HISTORY" -> {
                    int n = 0;
                    for (Map.Entry<String, List<OperationResult>> e : lrm.history().entrySet()) {
                        for (OperationResult r : e.getValue()) {
                            Map<String, String> fields = new java.util.LinkedHashMap<>();
                            fields.put("id", id);
                            fields.putAll(RemoteProtocol.resultFields(r));
                            c.send(new Frame("ENTRY", fields));
                            n++;
                        }
                    }
                    c.send(Frame.of("END", "id", id, "count", Integer.toString(n)));
                }
                default -> c.send(Frame.of("ERROR", "id", id, "reason", "unknown request " + f.type()));
            }
        }
    }

    /** Every result the LRM reports goes to the cluster connection, if there is one; the history keeps it anyway. */
    private void onResult(OperationResult r) {
        Connection c;
        synchronized (this) {
            c = current;
        }
        if (c != null) {
            c.trySend(new Frame("RESULT", RemoteProtocol.resultFields(r)));
        }
        if (shutdownReason != null) {
            // Sent first: the cluster must have the stop's result before this daemon may leave.
            synchronized (lastRequested) {
                lastRequested.notifyAll();
            }
        }
    }

    /**
     * A clean stop (SIGTERM, as systemd stops the service), as Pacemaker Remote's: the cluster is told this node
     * is shutting down (SHUTDOWN: it records the node's shutdown attribute and moves its resources away), and the
     * daemon waits until nothing it ran is active any more, at most {@code timeoutMs}, then closes. Without a
     * cluster connection there is nobody to tell and it closes at once. Past the wait it closes anyway, saying
     * what still runs (the cluster may then fence this node).
     */
    public void shutdownGracefully(long timeoutMs) {
        Connection c;
        synchronized (this) {
            c = current;
            shutdownReason = "pulse-remoted on " + nodeName + " is stopping";
        }
        if (c == null) {
            log.accept("stopping: no cluster connection to tell");
            close();
            return;
        }
        c.trySend(Frame.of("SHUTDOWN", "node", nodeName, "reason", shutdownReason));
        log.accept("stopping: asked the cluster (" + c.client + ") to stop this node's resources; waiting up to "
                + timeoutMs / 1000 + " s for them to stop");
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        List<String> active = RemoteActivity.stillActive(lrm.history(), lastRequested);
        try {
            synchronized (lastRequested) {
                while (!active.isEmpty() && System.nanoTime() < deadline && !closed) {
                    lastRequested.wait(Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000L)));
                    active = RemoteActivity.stillActive(lrm.history(), lastRequested);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.accept(active.isEmpty() ? "nothing of the cluster runs here any more: stopping"
                : "still active after " + timeoutMs / 1000 + " s: " + String.join(", ", active)
                        + "; stopping anyway (the cluster may fence this node)");
        close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(server);
        List<Connection> all;
        synchronized (this) {
            all = new ArrayList<>(open);
            current = null;
        }
        all.forEach(Connection::close);
        lrm.close();
        stopped.countDown();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing: nothing left to do with it
        }
    }

    private final class Connection {
        final Socket socket;
        final OutputStream out;
        final String peer;
        volatile String client;
        volatile boolean closed;
        /** Set once the handshake succeeded; frames before it (HELLO, WELCOME, ERROR) go in the clear. */
        private SealedChannel channel;

        Connection(Socket socket, OutputStream out, String peer) {
            this.socket = socket;
            this.out = out;
            this.peer = peer;
        }

        synchronized void seal(SealedChannel ch) {
            channel = ch;
        }

        synchronized void send(Frame f) throws IOException {
            if (channel != null) {
                channel.write(f, out);
            } else {
                f.write(out, options.maxFrameBytes());
            }
        }

        void trySend(Frame f) {
            try {
                send(f);
            } catch (IOException e) {
                // the reader sees the broken connection and drops it
                close();
            }
        }

        void close() {
            closed = true;
            closeQuietly(socket);
        }
    }

    // ---- the command line

    /** How long a clean stop waits for the cluster to stop this node's resources, by default. */
    static final long DEFAULT_SHUTDOWN_TIMEOUT_MS = 60_000;

    static final String USAGE = "usage: pulse-remoted [--listen ADDR:PORT] [--authkey FILE] [--node NAME]\n"
            + "                     [--agent-dirs DIR:DIR] [--stonith-dirs DIR:DIR] [--ha-rsctmp DIR]\n"
            + "                     [--max-frame-bytes N] [--idle-timeout-ms MS] [--shutdown-timeout-ms MS]\n"
            + "Runs resource agents for the cluster as a remote node (not a member). Defaults: --listen 0.0.0.0:"
            + RemoteProtocol.DEFAULT_PORT + ", --authkey " + RemoteProtocol.DEFAULT_KEY + ", --node the host name,\n"
            + "--agent-dirs /usr/lib/ocf. The cluster's connection resource is ocf:pacemaker:remote with\n"
            + "server=ADDR port=PORT; the cluster node holding it uses the same key. SIGTERM stops cleanly: the\n"
            + "cluster is asked to stop this node's resources first (waiting at most --shutdown-timeout-ms, 60 s).";

    public static void main(String[] args) {
        // Before anything starts a process: agents are started by vfork + exec, not through jspawnhelper.
        org.pulse.lrm.SpawnMechanism.preferVfork();
        Options o = Options.defaults();
        LrmConfig lrm = LrmConfig.defaults();
        long shutdownTimeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS;
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("-h") || a.equals("--help")) {
                    System.out.println(USAGE);
                    return;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--listen" -> o = o.withListen(address(v));
                    case "--authkey" -> o = o.withKeyFile(Path.of(v));
                    case "--node" -> lrm = lrm.withNodeName(v);
                    case "--agent-dirs" -> lrm = lrm.withAgentDirs(paths(v));
                    case "--stonith-dirs" -> lrm = lrm.withStonithDirs(paths(v));
                    case "--ha-rsctmp" -> lrm = lrm.withHaRsctmp(Path.of(v));
                    case "--max-frame-bytes" -> o = o.withMaxFrameBytes(Integer.parseInt(v));
                    case "--idle-timeout-ms" -> o = o.withTimeouts(o.handshakeTimeoutMs(), Long.parseLong(v));
                    case "--shutdown-timeout-ms" -> shutdownTimeoutMs = Long.parseLong(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("pulse-remoted: " + e.getMessage() + "\n" + USAGE);
            System.exit(2);
        }
        String node = lrm.nodeName();
        Consumer<String> log = line -> System.err.println(Instant.now() + " pulse-remoted[" + node + "]: " + line);
        RemoteDaemon d;
        try {
            d = start(o, RemoteProtocol.readKey(o.keyFile()), lrm, log);
        } catch (IOException e) {
            System.err.println("pulse-remoted: " + e.getMessage());
            System.exit(1);
            return;
        }
        long waitMs = shutdownTimeoutMs;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> d.shutdownGracefully(waitMs), "remoted-shutdown"));
        try {
            d.awaitClose();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static InetSocketAddress address(String v) {
        int colon = v.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("--listen " + v + " is not ADDR:PORT (e.g. 0.0.0.0:3121)");
        }
        String host = v.substring(0, colon).replace("[", "").replace("]", "");
        int port;
        try {
            port = Integer.parseInt(v.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen " + v + ": port is not a number");
        }
        try {
            return new InetSocketAddress(host.isEmpty() ? InetAddress.getByName("0.0.0.0") : InetAddress.getByName(host), port);
        } catch (IOException e) {
            throw new IllegalArgumentException("--listen " + v + ": unknown address " + host);
        }
    }

    private static List<Path> paths(String v) {
        List<Path> out = new ArrayList<>();
        for (String p : v.split(":")) {
            if (!p.isBlank()) {
                out.add(Path.of(p));
            }
        }
        return out;
    }
}
