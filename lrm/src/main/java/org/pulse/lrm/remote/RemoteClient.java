package org.pulse.lrm.remote;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.OperationResult;

/**
 * A cluster node's connection to one pulse-remoted: authenticated both ways on {@link #connect}, then
 * requests (run, cancel, ping, history) answered by id, and every operation result pushed by the daemon
 * handed to {@code onResult} on the connection's reader thread, in the order the daemon sent them.
 * <p>
 * Liveness: the reader's every read has a timeout ({@code readTimeoutMs}); a quiet spell of that length makes
 * it ping, and a second one without any frame ends the connection ({@code onClosed} says why). So a daemon that
 * died without closing its socket is noticed within twice the read timeout, and the daemon (whose idle timeout
 * is longer) keeps hearing from this side.
 */
public final class RemoteClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    /** Seals and opens every frame after the handshake; writes hold {@code out}'s lock, reads are the reader's. */
    private final SealedChannel channel;
    private final int maxFrameBytes;
    private final long readTimeoutMs;
    private final String remoteNode;
    private final String where;
    private final Consumer<OperationResult> onResult;
    private final Consumer<String> onClosed;
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile String closeReason;
    private final Thread reader;
    /** Told the daemon's reason when it says it is stopping cleanly (SHUTDOWN); none until set. */
    private volatile Consumer<String> onShutdown = reason -> { };

    private static final class Pending {
        final CompletableFuture<Frame> answer = new CompletableFuture<>();
        final List<OperationResult> entries = new ArrayList<>();
    }

    private RemoteClient(Socket socket, InputStream in, OutputStream out, SealedChannel channel, int maxFrameBytes,
            long readTimeoutMs, String remoteNode, String where, Consumer<OperationResult> onResult,
            Consumer<String> onClosed) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.channel = channel;
        this.maxFrameBytes = maxFrameBytes;
        this.readTimeoutMs = readTimeoutMs;
        this.remoteNode = remoteNode;
        this.where = where;
        this.onResult = onResult;
        this.onClosed = onClosed;
        this.reader = new Thread(this::readLoop, "remote-" + remoteNode);
        reader.setDaemon(true);
    }

    /**
     * Connects to pulse-remoted at host:port and authenticates as {@code clientName} with {@code key}, within
     * {@code connectTimeoutMs} in all. Throws with a reason for a person: refused, timed out, the daemon
     * refused the key, or the daemon could not prove it has the key.
     */
    public static RemoteClient connect(String host, int port, byte[] key, String clientName, long connectTimeoutMs,
            long readTimeoutMs, Consumer<OperationResult> onResult, Consumer<String> onClosed) throws IOException {
        String where = "pulse-remoted at " + host + ":" + port;
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            try {
                s.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeoutMs));
            } catch (IOException e) {
                throw new IOException("cannot connect to " + where + ": " + e.getMessage()
                        + " (is pulse-remoted running there, and the port open?)", e);
            }
            s.setSoTimeout((int) Math.max(1, connectTimeoutMs));
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            int max = RemoteProtocol.DEFAULT_MAX_FRAME_BYTES;
            Frame hello = handshakeRead(in, max, connectTimeoutMs, where);
            if (!hello.type().equals("HELLO") || !RemoteProtocol.VERSION.equals(hello.get("proto"))) {
                throw new IOException(where + " speaks another protocol (" + hello + "); expected HELLO proto "
                        + RemoteProtocol.VERSION);
            }
            String nonce = RemoteProtocol.nonce(new SecureRandom());
            Frame.of("AUTH", "proto", RemoteProtocol.VERSION, "client", clientName, "nonce", nonce, "mac",
                    RemoteProtocol.mac(key, "pulse-remote-client", hello.require("nonce"), nonce, clientName)).write(out, max);
            Frame answer = handshakeRead(in, max, connectTimeoutMs, where);
            if (answer.type().equals("ERROR")) {
                throw new IOException(where + " refused this node: " + answer.get("reason"));
            }
            String node = hello.require("node");
            if (!answer.type().equals("WELCOME") || !RemoteProtocol.sameMac(
                    RemoteProtocol.mac(key, "pulse-remote-daemon", nonce, hello.require("nonce"), node), answer.get("mac"))) {
                throw new IOException(where + " (says it is " + node + ") did not prove it knows the key: not"
                        + " talking to it (a different authkey there, or not the remote node)");
            }
            s.setSoTimeout((int) Math.max(1, readTimeoutMs));
            // From here on every frame is sealed with keys from the key and both nonces (see SealedChannel).
            SealedChannel channel = SealedChannel.client(key, hello.require("nonce"), nonce, max);
            RemoteClient c = new RemoteClient(s, in, out, channel, max, readTimeoutMs, node, where + " (" + node + ")",
                    onResult, onClosed);
            c.reader.start();
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static Frame handshakeRead(InputStream in, int max, long timeoutMs, String where) throws IOException {
        try {
            Frame f = Frame.read(in, max, timeoutMs);
            if (f == null) {
                throw new IOException(where + " closed the connection during the handshake");
            }
            return f;
        } catch (SocketTimeoutException e) {
            throw new IOException(where + " did not answer the handshake within " + timeoutMs + " ms", e);
        }
    }

    /** The remote node's name, as the daemon says it. */
    public String remoteNode() {
        return remoteNode;
    }

    public boolean isOpen() {
        return !closed;
    }

    /** Why the connection ended (null while open). */
    public String closeReason() {
        return closeReason;
    }

    /** Queues an operation on the remote LRM; returns its call id there. Its result comes through onResult. */
    public int exec(OperationRequest req, long timeoutMs) throws IOException {
        Map<String, String> f = new LinkedHashMap<>(RemoteProtocol.requestFields(req));
        Frame ack = call("EXEC", f, timeoutMs).answer;
        return (int) ack.requireLong("call");
    }

    /** Cancels a recurring operation there; false when there was none. */
    public boolean cancel(String resourceId, String action, long intervalMs, long timeoutMs) throws IOException {
        Frame ack = call("CANCEL", Map.of("rsc", resourceId, "action", action, "interval", Long.toString(intervalMs)),
                timeoutMs).answer;
        return Boolean.parseBoolean(ack.get("found"));
    }

    /** A round trip; returns its duration in ms. */
    public long ping(long timeoutMs) throws IOException {
        long t0 = System.nanoTime();
        call("PING", Map.of(), timeoutMs);
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** The remote LRM's history: the latest result per operation of every resource. */
    public List<OperationResult> history(long timeoutMs) throws IOException {
        return call("HISTORY", Map.of(), timeoutMs).entries;
    }

    private record Answer(Frame answer, List<OperationResult> entries) {
    }

    private Answer call(String type, Map<String, String> fields, long timeoutMs) throws IOException {
        if (closed) {
            throw new IOException("connection to " + where + " is closed: " + closeReason);
        }
        String id = Long.toString(ids.incrementAndGet());
        Map<String, String> f = new LinkedHashMap<>();
        f.put("id", id);
        f.putAll(fields);
        Pending p = new Pending();
        pending.put(id, p);
        try {
            synchronized (out) {
                channel.write(new Frame(type, f), out);
            }
            Frame a = p.answer.get(timeoutMs, TimeUnit.MILLISECONDS);
            if (a.type().equals("ERROR")) {
                throw new IOException(where + " refused " + type + ": " + a.get("reason"));
            }
            synchronized (p) {
                return new Answer(a, List.copyOf(p.entries));
            }
        } catch (TimeoutException e) {
            throw new IOException(where + " did not answer " + type + " within " + timeoutMs + " ms");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + where);
        } catch (IOException e) {
            if (!closed) {
                end("sending " + type + " failed: " + e.getMessage());
            }
            throw e;
        } finally {
            pending.remove(id);
        }
    }

    private void readLoop() {
        boolean pinged = false;
        while (!closed) {
            Frame f;
            try {
                f = channel.read(in, readTimeoutMs);
            } catch (SocketTimeoutException e) {
                if (pinged) {
                    end("nothing heard from " + where + " for " + 2 * readTimeoutMs + " ms");
                    return;
                }
                pinged = true;
                try {
                    synchronized (out) {
                        channel.write(Frame.of("PING", "id", "keepalive"), out);
                    }
                } catch (IOException ex) {
                    end("keepalive to " + where + " failed: " + ex.getMessage());
                    return;
                }
                continue;
            } catch (IOException e) {
                end("connection to " + where + " failed: " + e.getMessage());
                return;
            }
            if (f == null) {
                end(where + " closed the connection");
                return;
            }
            pinged = false;
            try {
                dispatch(f);
            } catch (IOException e) {
                end(where + " sent a bad frame: " + e.getMessage());
                return;
            }
        }
    }

    private void dispatch(Frame f) throws IOException {
        switch (f.type()) {
            case "RESULT" -> onResult.accept(RemoteProtocol.result(f));
            case "SHUTDOWN" -> onShutdown.accept(f.get("reason") == null ? where + " is stopping" : f.get("reason"));
            case "ENTRY" -> {
                Pending p = pending.get(f.require("id"));
                if (p != null) {
                    synchronized (p) {
                        p.entries.add(RemoteProtocol.result(f));
                    }
                }
            }
            case "ERROR" -> {
                String id = f.get("id");
                Pending p = id == null ? null : pending.get(id);
                if (p != null) {
                    p.answer.complete(f);
                } else {
                    throw new Frame.ProtocolException("error: " + f.get("reason"));
                }
            }
            default -> {
                String id = f.get("id");
                Pending p = id == null ? null : pending.get(id);
                if (p != null) {
                    p.answer.complete(f);
                }
            }
        }
    }

    private void end(String reason) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeReason = reason;
        }
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        IOException failure = new IOException(reason);
        pending.values().forEach(p -> p.answer.completeExceptionally(failure));
        onClosed.accept(reason);
    }

    /**
     * What to do when the daemon says it is stopping cleanly (SIGTERM): it then waits for its resources to be
     * stopped before it closes the connection.
     */
    public void onShutdown(Consumer<String> handler) {
        onShutdown = handler;
    }

    /** Closes the connection; the daemon's operations go on. onClosed is not called for this. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closeReason = "closed by this node";
        }
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
        IOException failure = new IOException("connection to " + where + " closed by this node");
        pending.values().forEach(p -> p.answer.completeExceptionally(failure));
    }
}
