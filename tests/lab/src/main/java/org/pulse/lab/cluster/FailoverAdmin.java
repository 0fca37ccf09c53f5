package org.pulse.lab.cluster;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminProtocolException;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;

/**
 * The few admin-protocol calls the failover demo, lab and benchmark make to a node's socket
 * (the same protocol bin/crm speaks): status, query, resource commands.
 */
public final class FailoverAdmin {
    private final AtomicLong ids = new AtomicLong();

    public AdminResponse call(Path socket, AdminRequest req) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(ch);
            out.write((AdminCodec.encode(req) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new IOException(socket + " closed the admin connection without answering");
            }
            return AdminCodec.decodeResponse(line);
        } catch (AdminProtocolException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    public String nextId() {
        return "fo" + ids.incrementAndGet();
    }

    /** A node's status, or null when it does not answer (yet, or any more). */
    public AdminArgs status(Path socket) {
        try {
            AdminResponse r = call(socket, AdminRequest.status(nextId()));
            return r.ok() ? r.result() : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The whole CIB XML and version as a node has it, or null. */
    public AdminArgs query(Path socket) {
        try {
            AdminResponse r = call(socket, AdminRequest.query(nextId()));
            return r.ok() ? r.result() : null;
        } catch (IOException e) {
            return null;
        }
    }

    public static String str(AdminArgs args, String name) {
        Object v = args == null ? null : args.asMap().get(name);
        return v == null ? null : v.toString();
    }

    /** True when the node says it is joined to a DC in a partition with quorum. */
    public static boolean joinedWithQuorum(AdminArgs s) {
        return s != null && "true".equals(str(s, "joined")) && "true".equals(str(s, "quorate")) && str(s, "dc") != null;
    }

    /**
     * The DC every node of {@code nodes} agrees on: each answers ({@code statusOf} gives null when it
     * does not), is joined to a DC in a partition with quorum, and all name the same one; null while
     * any is not (yet). {@code statusOf} may throw to end a wait at once (a crmd that exited unasked).
     * The one meaning of "the cluster has formed" for the labs, the benchmarks and the demo.
     */
    public static String agreedDc(int[] nodes, java.util.function.IntFunction<AdminArgs> statusOf) {
        String dc = null;
        for (int i : nodes) {
            AdminArgs s = statusOf.apply(i);
            if (!joinedWithQuorum(s)) {
                return null;
            }
            String named = str(s, "dc");
            if (dc != null && !dc.equals(named)) {
                return null;
            }
            dc = named;
        }
        return dc;
    }

    /**
     * Where a status's text says {@code rsc} is started: the node name, "" when it says Stopped,
     * or null when the status does not list it (or lists it on several nodes: "a, b").
     */
    public static String runningOn(AdminArgs status, String rsc) {
        String text = str(status, "text");
        if (text == null) {
            return null;
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith(rsc + ": Started ")) {
                String on = l.substring((rsc + ": Started ").length()).split("[ (]")[0];
                return on.contains(",") ? null : on;
            }
            if (l.startsWith(rsc + ": Stopped")) {
                return "";
            }
        }
        return null;
    }

    /** The nodes a status's text lists for rsc ("Started a, b" → [a, b]); empty when stopped or absent. */
    public static java.util.List<String> activeOn(AdminArgs status, String rsc) {
        String text = str(status, "text");
        if (text == null) {
            return java.util.List.of();
        }
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.startsWith(rsc + ": Started ")) {
                String rest = l.substring((rsc + ": Started ").length());
                int paren = rest.indexOf(" (");
                if (paren >= 0) {
                    rest = rest.substring(0, paren);
                }
                java.util.List<String> out = new java.util.ArrayList<>();
                for (String n : rest.split(",")) {
                    if (!n.isBlank()) {
                        out.add(n.strip());
                    }
                }
                return out;
            }
        }
        return java.util.List.of();
    }
}
