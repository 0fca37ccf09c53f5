package org.pulse.cib.join;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/** The answering side of {@link JoinWire}, one connection at a time: crmd runs it on its join port. */
public final class JoinServer {
    /** What admits a node: changes the cluster's node list, then returns the cluster key and the shared settings. */
    public interface Admitter {
        JoinClient.Admission admit(Map<String, String> request) throws JoinException;
    }

    private JoinServer() {
    }

    /**
     * Answers one joiner on {@code s} (closed by the caller). Returns what happened, for the log.
     * The token is spent only when the admission succeeded.
     */
    public static String serve(Socket s, Path tokenFile, String build, Admitter admitter, LongSupplier nowEpochMs,
            SecureRandom random) throws IOException {
        s.setSoTimeout(JoinWire.READ_TIMEOUT_MS);
        Map<String, String> hello = JoinWire.read(s.getInputStream());
        if (!JoinWire.MAGIC.equals(hello.get("magic"))) {
            return "not a join request (no magic); closed";
        }
        int version;
        try {
            version = Integer.parseInt(hello.getOrDefault("protocol", ""));
        } catch (NumberFormatException e) {
            version = -1;
        }
        if (version < JoinWire.OLDEST_SUPPORTED || version > JoinWire.PROTOCOL_VERSION) {
            String msg = "this node (" + build + ") speaks join protocol " + JoinWire.OLDEST_SUPPORTED
                    + (JoinWire.OLDEST_SUPPORTED == JoinWire.PROTOCOL_VERSION ? "" : ".." + JoinWire.PROTOCOL_VERSION)
                    + ", the joining node speaks " + hello.get("protocol") + ": "
                    + (version > JoinWire.PROTOCOL_VERSION
                            ? "join with the same version as the cluster, or upgrade the cluster first (one node at a time)"
                            : "upgrade the joining node's package first");
            JoinWire.write(s.getOutputStream(), Map.of("error", msg));
            return "refused protocol " + hello.get("protocol");
        }
        String id = hello.getOrDefault("token-id", "");
        byte[] secret = JoinTokens.secret(tokenFile, id, nowEpochMs.getAsLong());
        if (secret == null) {
            JoinWire.write(s.getOutputStream(), Map.of("error", "the token is unknown here, used already or expired: a"
                    + " token is kept by the node that made it, so join through that node's address, or make a new one"
                    + " with 'crm cluster token' on the node you join through"));
            return "refused token " + id + " (unknown, used or expired)";
        }
        byte[] nonce = JoinWire.nonce(random);
        JoinWire.write(s.getOutputStream(), Map.of("protocol", Integer.toString(JoinWire.PROTOCOL_VERSION),
                "nonce", Base64.getEncoder().encodeToString(nonce)));
        byte[] theirs = Base64.getDecoder().decode(hello.getOrDefault("nonce", ""));
        byte[] key = JoinWire.sessionKey(secret, theirs, nonce);
        Map<String, String> sealed = JoinWire.read(s.getInputStream());
        Map<String, String> request = JoinWire.open(key, "joiner", sealed.getOrDefault("sealed", ""));
        if (request == null) {
            JoinWire.write(s.getOutputStream(), Map.of("error", "the request was not sealed with the token's secret"
                    + " (a damaged or forged token): copy the token whole"));
            return "refused a request not sealed with token " + id;
        }
        JoinClient.Admission admitted;
        try {
            admitted = admitter.admit(request);
        } catch (JoinException e) {
            JoinWire.write(s.getOutputStream(), Map.of("error", e.getMessage()));
            return "refused " + request.get("node") + ": " + e.getMessage();
        }
        JoinTokens.consume(tokenFile, id, nowEpochMs.getAsLong());
        Map<String, String> accept = new LinkedHashMap<>(admitted.settings());
        accept.put("key", Base64.getEncoder().encodeToString(admitted.key()));
        JoinWire.write(s.getOutputStream(), Map.of("sealed", JoinWire.seal(key, "answerer", accept, random)));
        return "admitted " + request.get("node") + " at " + request.get("address") + " with token " + id;
    }

    /**
     * Refuses a connection before reading its request: one error line, then the end of our side;
     * what the peer sent is read (at most 64 KiB, 2 s) and dropped, never parsed, so that closing
     * does not reset the connection before the line has arrived.
     */
    public static void refuse(Socket s, String message) throws IOException {
        JoinWire.write(s.getOutputStream(), Map.of("error", message));
        s.shutdownOutput();
        s.setSoTimeout(2_000);
        byte[] buf = new byte[4096];
        int total = 0;
        try {
            for (int n; total < 65_536 && (n = s.getInputStream().read(buf)) > 0; ) {
                total += n;
            }
        } catch (java.net.SocketTimeoutException e) {
            // a peer that keeps sending: closed anyway
        }
    }
}
