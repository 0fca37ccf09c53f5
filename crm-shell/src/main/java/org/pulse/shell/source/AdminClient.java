package org.pulse.shell.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminDeadlines;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.shell.CrmException;

/**
 * One request, one response over crmd's admin socket (the cib module's admin protocol: a JSON
 * object per line). A connection per request keeps the shell simple; the daemon's answer
 * carries its own error code and message, which are passed on to the operator as they are.
 * The answer is awaited at most {@link AdminDeadlines#clientReadMs()}: past every deadline crmd
 * itself keeps, so crmd's own answer (with its reason) comes first, and a hung crmd cannot hold
 * the shell for ever.
 */
public final class AdminClient {
    public static final Path DEFAULT_SOCKET = Path.of("/run/pulse/crmd.sock");
    /** Operations that only read: a timed-out one changed nothing. */
    private static final Set<String> READS = Set.of(AdminOp.QUERY, AdminOp.STATUS, AdminOp.SIMULATE);
    private final Path socket;
    private final long readTimeoutMs;
    private int counter;

    public AdminClient(Path socket) {
        this(socket, AdminDeadlines.clientReadMs());
    }

    AdminClient(Path socket, long readTimeoutMs) {
        this.socket = socket;
        this.readTimeoutMs = readTimeoutMs;
    }

    public Path socket() {
        return socket;
    }

    public AdminResponse call(AdminRequest request) throws CrmException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap((AdminCodec.encode(request) + "\n").getBytes(StandardCharsets.UTF_8));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            String line = readLine(ch, request);
            if (line == null) {
                throw new CrmException("crmd at " + socket + " closed the connection without answering; "
                        + "check its log");
            }
            return AdminCodec.decodeResponse(line);
        } catch (IOException e) {
            throw new CrmException("cannot reach crmd at " + socket + " (" + e.getMessage() + "); start crmd, "
                    + "give its socket with --socket PATH (or PULSE_SOCKET), or work on a file with --cib-file FILE");
        } catch (AdminProtocolException e) {
            throw new CrmException("crmd at " + socket + " answered something the shell cannot read: "
                    + e.getMessage());
        }
    }

    /** One line, waited for at most readTimeoutMs in all; null when crmd closed the connection first. */
    private String readLine(SocketChannel ch, AdminRequest request) throws IOException, CrmException {
        ch.configureBlocking(false);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long deadlineNs = System.nanoTime() + readTimeoutMs * 1_000_000;
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ);
            while (true) {
                long leftMs = (deadlineNs - System.nanoTime()) / 1_000_000;
                if (leftMs <= 0) {
                    throw new CrmException(noAnswer(request));
                }
                selector.select(leftMs);
                selector.selectedKeys().clear();
                buf.clear();
                int n = ch.read(buf);
                if (n < 0) {
                    return got.size() == 0 ? null : got.toString(StandardCharsets.UTF_8);
                }
                for (int i = 0; i < n; i++) {
                    byte b = buf.get(i);
                    if (b == '\n') {
                        return got.toString(StandardCharsets.UTF_8);
                    }
                    got.write(b);
                }
            }
        }
    }

    private String noAnswer(AdminRequest request) {
        String what = READS.contains(request.op()) ? "nothing was changed; retry, and check crmd's log if it stays silent"
                : "the write may still be applied: check with crm configure show (and crm status)";
        return "no answer from crmd within " + readTimeoutMs / 1000 + " s: crmd at " + socket + " is stuck or"
                + " the cluster too busy to confirm the " + request.op() + "; " + what;
    }

    public String nextId() {
        return "crm-" + ProcessHandle.current().pid() + "-" + (++counter);
    }

    /** The response's result, or its error as a CrmException with crmd's message. */
    public AdminResponse require(AdminRequest request) throws CrmException {
        AdminResponse resp = call(request);
        if (!resp.ok()) {
            throw new CrmException(resp.error().message() + " [" + resp.error().code() + "]");
        }
        return resp;
    }
}
