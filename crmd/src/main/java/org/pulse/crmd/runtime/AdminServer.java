package org.pulse.crmd.runtime;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminError;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.slf4j.Logger;

/**
 * The admin socket: a unix domain socket speaking the cib module's admin protocol, one JSON request
 * per line, one response per line, as many as the client likes per connection. Each connection has
 * its own thread; requests reach the controller as events through {@link AdminHandler}.
 *
 * <p>Who: every connection is identified by its peer credentials ({@link AdminAccess}) before a
 * byte is read; a caller that may not use crmd gets one error line and the connection closes.
 *
 * <p>Bounds, so no client can hurt crmd: a request line longer than {@link Limits#maxLineBytes} is
 * refused and the connection closed (the rest of it is never read); the bytes all connections
 * hold in unfinished lines together stay under {@link Limits#bufferedBytes} (a second huge line
 * at the same moment is refused, not queued); at most {@link Limits#maxConnections} connections
 * at once (at the limit the connection idle the longest is closed to make room; only when all are
 * busy does the next get an error line); a connection that sends no complete request
 * for {@link Limits#idleTimeoutMs} while none of its requests is being handled is closed.
 */
final class AdminServer implements AutoCloseable {
    /** How a request is answered: the runtime's {@link AdminHandler}, or a test's stand-in. */
    interface Handler {
        AdminResponse handle(AdminRequest request, AdminAccess.Caller caller);
    }

    /** The bounds; {@link #defaults()} sizes them from the heap crmd was given. */
    record Limits(int maxLineBytes, long bufferedBytes, int maxConnections, long idleTimeoutMs) {
        static final int MAX_LINE_BYTES = 16 * 1024 * 1024;

        /**
         * 16 MiB lines (a whole CIB of thousands of resources fits), but never more than an eighth of
         * the heap per line and a quarter for all lines together: a line is held as bytes, then as a
         * String, then parsed, and crmd exits on OutOfMemoryError. 64 connections; 2 minutes idle.
         */
        static Limits defaults() {
            long heap = Runtime.getRuntime().maxMemory();
            int line = (int) Math.min(MAX_LINE_BYTES, heap / 8);
            return new Limits(line, Math.max(line, heap / 4), 64, 120_000);
        }
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final boolean agentSocket;
    private final Handler handler;
    private final AdminAccess access;
    private final Limits limits;
    private final Logger log;
    private final ExecutorService connections;
    private final ScheduledExecutorService reaper;
    private final Semaphore slots;
    private final AtomicLong buffered = new AtomicLong();
    private final Map<SocketChannel, Connection> open = new ConcurrentHashMap<>();
    /** Where a connection's set-up time is counted (bench/runtime's breakdown): the runtime's stages. */
    interface Stages {
        void add(String stage, String event, long nanos);
    }

    private volatile Stages stages = (stage, event, nanos) -> { };
    private volatile AdminServer agents;
    /** What else closes with the socket (the handler's resident scheduler). */
    private volatile AutoCloseable alsoClose;
    private volatile boolean closed;

    private static final class Connection {
        volatile long lastActiveMs = System.nanoTime() / 1_000_000;
        volatile boolean busy;
    }

    private AdminServer(Path path, ServerSocketChannel server, boolean agentSocket, Handler handler,
            AdminAccess access, Limits limits, Logger log) {
        this.path = path;
        this.server = server;
        this.agentSocket = agentSocket;
        this.handler = handler;
        this.access = access;
        this.limits = limits;
        this.log = log;
        this.slots = new Semaphore(limits.maxConnections());
        String name = agentSocket ? "crmd-agents" : "crmd-admin";
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        this.reaper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name + "-idle");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, Math.min(1_000, limits.idleTimeoutMs() / 4));
        reaper.scheduleWithFixedDelay(this::closeIdle, every, every, TimeUnit.MILLISECONDS);
    }

    /** The agents' socket beside the admin socket: crmd.sock → crmd-agents.sock. */
    static Path agentSocket(Path adminSocket) {
        String name = adminSocket.getFileName().toString();
        String base = name.endsWith(".sock") ? name.substring(0, name.length() - 5) : name;
        return adminSocket.resolveSibling(base + "-agents.sock");
    }

    /** The admin socket (mode 0660, group haclient) and the agents' socket beside it (mode 0600). */
    static AdminServer start(Path path, AdminHandler plain, CrmdRuntime runtime, Logger log) throws IOException {
        // Counted (bench/runtime's breakdown): what the socket's client waits beyond this is the
        // connection, the hand-over to a connection thread and the reading and writing of the lines.
        Handler handler = (req, caller) -> {
            long t0 = System.nanoTime();
            try {
                return plain.handle(req, caller);
            } finally {
                runtime.stage("handled", "admin_" + req.op(), System.nanoTime() - t0);
            }
        };
        AdminAccess access = new AdminAccess(() -> System.nanoTime() / 1_000_000);
        AdminServer main = start(path, false, handler, access, Limits.defaults(), log);
        main.stages = runtime::stage;
        main.alsoClose = plain;
        try {
            main.agents = start(agentSocket(path), true, handler, access, Limits.defaults(), log);
        } catch (IOException e) {
            main.close();
            throw e;
        }
        return main;
    }

    static AdminServer start(Path path, boolean agentSocket, Handler handler, AdminAccess access, Limits limits,
            Logger log) throws IOException {
        Files.createDirectories(path.toAbsolutePath().getParent());
        if (Files.exists(path)) {
            // A socket file left by a crmd that died: refuse if someone still answers on it.
            try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                probe.connect(UnixDomainSocketAddress.of(path));
                throw new IOException("another crmd already listens on " + path + "; stop it, or give this node"
                        + " its own socket in its config (socket = ...)");
            } catch (IOException e) {
                if (e.getMessage() != null && e.getMessage().startsWith("another crmd")) {
                    throw e;
                }
                Files.deleteIfExists(path);
            }
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(agentSocket ? "rw-------" : "rw-rw----"));
        if (!agentSocket) {
            try {
                var group = path.getFileSystem().getUserPrincipalLookupService()
                        .lookupPrincipalByGroupName(AdminAccess.CLUSTER_GROUP);
                Files.getFileAttributeView(path, java.nio.file.attribute.PosixFileAttributeView.class).setGroup(group);
            } catch (IOException | UnsupportedOperationException e) {
                // No haclient group on this machine: the owner's group keeps access (peer credentials decide).
            }
        }
        AdminServer s = new AdminServer(path, server, agentSocket, handler, access, limits, log);
        Thread t = new Thread(s::acceptLoop, agentSocket ? "crmd-agents-accept" : "crmd-admin-accept");
        t.setDaemon(true);
        t.start();
        log.info("{} socket {}", agentSocket ? "agents'" : "admin", path);
        return s;
    }

    /**
     * One thread accepts and hands each connection to a pool thread. (Tried: the accepting thread serving
     * the connection itself after waking the next acceptor, one wake-up less on a new connection's path; at
     * load 25 bench/runtime measured accept to the first request read 1.2-1.4 ms that way against 0.7-1.1 ms
     * this way, the woken acceptor competing for the two cores, so this simpler way stays.)
     */
    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("admin socket {}: {}", path, e.getMessage());
                }
                return;
            }
            long acceptedNanos = System.nanoTime();
            if (!slots.tryAcquire() && !(evictIdlest() && acquireSoon())) {
                refuse(ch, AdminError.INTERNAL, "crmd already serves " + limits.maxConnections() + " admin connections"
                        + " (its limit), all busy; retry in a moment");
                continue;
            }
            try {
                connections.execute(() -> {
                    try {
                        serve(ch, acceptedNanos);
                    } finally {
                        slots.release();
                    }
                });
            } catch (RuntimeException e) {
                slots.release();
                refuse(ch, AdminError.INTERNAL, "crmd is stopping");
            }
        }
    }

    /**
     * At the limit, the connection idle the longest makes room (as a web server drops keep-alive
     * connections): idle clients cannot lock operators out, only connections at work count.
     */
    private boolean evictIdlest() {
        Map.Entry<SocketChannel, Connection> idlest = null;
        for (Map.Entry<SocketChannel, Connection> e : open.entrySet()) {
            if (!e.getValue().busy && (idlest == null || e.getValue().lastActiveMs < idlest.getValue().lastActiveMs)) {
                idlest = e;
            }
        }
        if (idlest == null) {
            return false;
        }
        log.debug("admin connections at their limit ({}): the one idle longest is closed", limits.maxConnections());
        try {
            idlest.getKey().close();
        } catch (IOException e) {
            // closing anyway
        }
        return true;
    }

    private boolean acquireSoon() {
        try {
            return slots.tryAcquire(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * One error line, then close. The client may still be sending its request: what it sends in the
     * next 200 ms (up to 1 MiB) is read and dropped, so its write does not fail (a broken pipe would
     * kill a simple client before it reads the reason).
     */
    private static void refuse(SocketChannel ch, String code, String message) {
        try (ch) {
            ch.write(ByteBuffer.wrap((AdminCodec.encode(AdminResponse.error("?", code, message)) + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            ch.shutdownOutput();
            ch.configureBlocking(false);
            ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            long drained = 0;
            while (System.nanoTime() < deadline && drained < (1 << 20)) {
                sink.clear();
                int n = ch.read(sink);
                if (n < 0) {
                    break;
                }
                drained += n;
                if (n == 0) {
                    Thread.sleep(10);
                }
            }
        } catch (IOException e) {
            // the client is gone already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeIdle() {
        long now = System.nanoTime() / 1_000_000;
        open.forEach((ch, c) -> {
            if (!c.busy && now - c.lastActiveMs > limits.idleTimeoutMs()) {
                log.debug("admin connection idle for {} ms: closed", now - c.lastActiveMs);
                try {
                    ch.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        });
    }

    /** A line longer than allowed, or too many bytes held at once. */
    private static final class LineRefused extends Exception {
        LineRefused(String message) {
            super(message);
        }
    }

    /** {@code acceptedNanos}: when accept returned it (the connection's set-up is counted from there). */
    private void serve(SocketChannel ch, long acceptedNanos) {
        AdminAccess.Caller caller;
        try {
            long identifyNanos = System.nanoTime();
            caller = access.identify(ch, agentSocket);
            stages.add("identified", "admin_connection", System.nanoTime() - identifyNanos);
        } catch (AdminAccess.Refused e) {
            log.warn("{}: {}", path, e.getMessage());
            refuse(ch, AdminError.ACCESS_DENIED, e.getMessage());
            return;
        }
        Connection conn = new Connection();
        open.put(ch, conn);
        boolean first = true;
        // 8 KiB: a request line longer than that grows readLine's own buffer; a new connection per crm
        // command should not cost 64 KiB of a young generation of 2 MB (bin/crmd's -Xmn2m).
        try (ch; InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 8 * 1024);
                OutputStream out = Channels.newOutputStream(ch)) {
            while (true) {
                String line;
                try {
                    line = readLine(in);
                    if (first) {
                        // accept to the first request read: the server's part of a new connection's cost
                        // (identify included; the client's bytes are normally there already).
                        stages.add("first_line", "admin_connection", System.nanoTime() - acceptedNanos);
                        first = false;
                    }
                } catch (LineRefused e) {
                    log.warn("admin request of user {} refused: {}", caller.user(), e.getMessage());
                    out.write((AdminCodec.encode(AdminResponse.error("?", AdminError.BAD_REQUEST, e.getMessage()))
                            + "\n").getBytes(StandardCharsets.UTF_8));
                    return;
                }
                if (line == null) {
                    return;
                }
                if (line.isBlank()) {
                    continue;
                }
                conn.busy = true;
                long lineNanos = System.nanoTime();
                AdminResponse response;
                try {
                    AdminRequest req = AdminCodec.decodeRequest(line);
                    response = handler.handle(req, caller);
                } catch (AdminProtocolException e) {
                    response = AdminResponse.error("?", AdminError.BAD_REQUEST, e.getMessage());
                } catch (RuntimeException e) {
                    log.error("admin request failed: {}", e.toString(), e);
                    response = AdminResponse.error("?", AdminError.INTERNAL, "crmd failed on this request: " + e);
                }
                line = null;
                out.write((AdminCodec.encode(response) + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                // line read to answer written: "handled" (the handler) plus the JSON both ways and the write
                stages.add("served", "admin_line", System.nanoTime() - lineNanos);
                conn.lastActiveMs = System.nanoTime() / 1_000_000;
                conn.busy = false;
            }
        } catch (IOException e) {
            log.debug("admin connection ended: {}", e.getMessage());
        } finally {
            open.remove(ch);
        }
    }

    /**
     * One line (without its newline) or null at the end of the stream. The buffer's growth is
     * reserved against the shared budget and given back when the line is done.
     */
    private String readLine(InputStream in) throws IOException, LineRefused {
        byte[] buf = new byte[8 * 1024];
        int len = 0;
        long reserved = 0;
        try {
            while (true) {
                int b = in.read();
                if (b < 0) {
                    return len == 0 ? null : new String(buf, 0, len, StandardCharsets.UTF_8);
                }
                if (b == '\n') {
                    return new String(buf, 0, len, StandardCharsets.UTF_8);
                }
                if (len == limits.maxLineBytes()) {
                    throw new LineRefused("request line longer than " + limits.maxLineBytes() + " bytes (crmd's limit);"
                            + " the connection is closed; send a smaller change (a patch rather than the whole CIB)");
                }
                if (len == buf.length) {
                    int grown = (int) Math.min((long) buf.length * 2, limits.maxLineBytes());
                    long more = grown - buf.length;
                    if (buffered.addAndGet(more) > limits.bufferedBytes()) {
                        buffered.addAndGet(-more);
                        throw new LineRefused("crmd is reading other large requests right now (" + limits.bufferedBytes()
                                + " bytes at most at once); the connection is closed; retry in a moment");
                    }
                    reserved += more;
                    buf = Arrays.copyOf(buf, grown);
                }
                buf[len++] = (byte) b;
            }
        } finally {
            buffered.addAndGet(-reserved);
        }
    }

    /** Connections open now (for tests). */
    int openConnections() {
        return open.size();
    }

    @Override
    public void close() {
        closed = true;
        AdminServer a = agents;
        if (a != null) {
            a.close();
        }
        AutoCloseable other = alsoClose;
        if (other != null) {
            try {
                other.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        reaper.shutdownNow();
        connections.shutdownNow();
        open.keySet().forEach(ch -> {
            try {
                ch.close();
            } catch (IOException e) {
                // closing anyway
            }
        });
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // nothing more to do
        }
    }
}
