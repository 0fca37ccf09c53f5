package org.pulse.crmd.arbitrator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The arbitrator's wire protocol, one question per TCP connection, in lines of text:
 * <pre>
 * arbitrator: PULSE-ARBITRATOR 1 SERVER_NONCE
 * node:       ASK|RELEASE CLIENT_NONCE CLUSTER NODE ALGORITHM TIE_BREAKER VOTERS MEMBERS MAC
 * arbitrator: GRANT|WAIT|REFUSE LEASE_MS MAC REASON...      (or ERROR - - REASON... to a stranger)
 * </pre>
 * VOTERS and MEMBERS are comma-separated node names. Each side proves it holds the cluster's key:
 * the question's MAC (HMAC-SHA256 with a key derived from the cluster key) covers the arbitrator's
 * fresh nonce, so a recorded question cannot be replayed; the answer's covers both nonces, so a
 * stranger cannot hand both halves of a split a vote, nor replay an old grant.
 */
public final class ArbitratorProtocol {
    public static final int DEFAULT_PORT = 5403;
    static final String GREETING = "PULSE-ARBITRATOR 1";
    /** The label the cluster key is derived with: the arbitrator never sees the key cluster traffic uses. */
    public static final String KEY_LABEL = "pulse/arbitrator/v1";
    static final int MAX_LINE = 8192;

    private ArbitratorProtocol() {
    }

    /** The answer as the node saw it, authenticated. */
    public record Reply(VoteBook.Kind kind, long leaseMs, String reason) {
    }

    static String nonce(SecureRandom random) {
        byte[] b = new byte[16];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String mac(byte[] key, String text) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(m.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    static boolean macMatches(byte[] key, String text, String mac) {
        return MessageDigest.isEqual(mac(key, text).getBytes(StandardCharsets.US_ASCII),
                mac.getBytes(StandardCharsets.US_ASCII));
    }

    static String replyText(String serverNonce, String clientNonce, VoteBook.Kind kind, long leaseMs, String reason) {
        return serverNonce + "\n" + clientNonce + "\n" + kind + " " + leaseMs + " " + reason;
    }

    static String list(List<String> names) {
        return names.isEmpty() ? "-" : String.join(",", names);
    }

    static List<String> names(String field) {
        return field.equals("-") ? List.of() : Arrays.asList(field.split(","));
    }

    /** Reads one line of at most MAX_LINE characters; null at the end of the stream. */
    static String readLine(BufferedReader in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                return b.toString();
            }
            if (b.length() >= MAX_LINE) {
                throw new IOException("a line longer than " + MAX_LINE + " characters");
            }
            b.append((char) c);
        }
        return b.length() == 0 ? null : b.toString();
    }

    /**
     * Asks (or, with {@code release}, lets go) once; throws IOException when the arbitrator cannot be
     * reached within {@code timeoutMs}, refuses this cluster, or answers without proving the key.
     */
    public static Reply ask(InetSocketAddress arbitrator, byte[] key, VoteBook.Ask a, boolean release, int timeoutMs)
            throws IOException {
        try (Socket s = new Socket()) {
            s.connect(arbitrator, timeoutMs);
            s.setSoTimeout(timeoutMs);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            String greeting = readLine(in);
            if (greeting == null || !greeting.startsWith(GREETING + " ") || greeting.split(" ").length != 3) {
                throw new IOException("not a pulse-arbitrator (greeting '" + greeting + "')");
            }
            String serverNonce = greeting.split(" ")[2];
            String clientNonce = nonce(new SecureRandom());
            String question = (release ? "RELEASE" : "ASK") + " " + clientNonce + " " + a.cluster() + " " + a.node()
                    + " " + a.algorithm() + " " + a.tieBreaker() + " " + list(a.voters()) + " " + list(a.members());
            out.write((question + " " + mac(key, serverNonce + "\n" + question) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = readLine(in);
            if (line == null) {
                throw new IOException("the arbitrator closed the connection without an answer");
            }
            String[] f = line.split(" ", 4);
            if (f.length < 3) {
                throw new IOException("a malformed answer '" + line + "'");
            }
            String reason = f.length == 4 ? f[3] : "";
            if (f[0].equals("ERROR")) {
                throw new IOException("the arbitrator refused this node: " + reason);
            }
            VoteBook.Kind kind;
            long leaseMs;
            try {
                kind = VoteBook.Kind.valueOf(f[0]);
                leaseMs = Long.parseLong(f[1]);
            } catch (IllegalArgumentException e) {
                throw new IOException("a malformed answer '" + line + "'");
            }
            if (!macMatches(key, replyText(serverNonce, clientNonce, kind, leaseMs, reason), f[2])) {
                throw new IOException("an answer that does not prove the cluster key (another cluster's arbitrator,"
                        + " or someone between): ignored");
            }
            return new Reply(kind, leaseMs, reason);
        }
    }
}
