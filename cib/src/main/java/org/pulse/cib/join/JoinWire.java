package org.pulse.cib.join;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The join exchange, four frames on one TCP connection (each a 4-byte length and {@code key=value}
 * lines, at most {@value #MAX_FRAME_BYTES} bytes):
 *
 * <ol>
 * <li>joiner: {@code magic, protocol, token-id, nonce} in the clear (the id is a hash of the token's
 *     secret, not the secret);</li>
 * <li>answerer: {@code protocol, nonce}, or {@code error}: an unknown protocol version or token is
 *     refused here, naming both versions;</li>
 * <li>joiner: the request ({@code node, address, cluster}) sealed with AES-256-GCM under
 *     HMAC-SHA256(secret, both nonces): only a holder of the secret can make it;</li>
 * <li>answerer: the cluster key and the shared settings, sealed the same way (so only the secret's
 *     holder reads them, and only the answerer could have written them), or {@code error}.</li>
 * </ol>
 *
 * A session key depends on both nonces, so a recorded exchange replayed gets nowhere. Both sides
 * bound every read ({@link #READ_TIMEOUT_MS}); nothing waits forever.
 */
public final class JoinWire {
    /**
     * This build's join protocol version. Version 1: the exchange above. A newer joiner announcing a
     * version this node does not speak is refused with both versions named (see crmd/README "Versions").
     */
    public static final int PROTOCOL_VERSION = 1;
    /** The oldest joiner version this node still answers. */
    public static final int OLDEST_SUPPORTED = 1;
    /** The join port is the node's cluster port plus this (FD_SOCK2 takes +100..+105). */
    public static final int PORT_OFFSET = 200;
    static final String MAGIC = "pulse-join";
    static final int MAX_FRAME_BYTES = 64 * 1024;
    /** Each read of the answering side, and the joiner's wait for the hello's answer. */
    public static final int READ_TIMEOUT_MS = 5_000;
    private static final int NONCE_BYTES = 16;
    private static final int IV_BYTES = 12;

    private JoinWire() {
    }

    /** The cluster key's fingerprint as crmd prints it: HMAC-SHA256(key, label), first 8 bytes in hex. */
    public static String fingerprint(byte[] clusterKey) {
        return HexFormat.of().formatHex(hmac(clusterKey, "pulse/key-fingerprint/v1".getBytes(StandardCharsets.US_ASCII)), 0, 8);
    }

    static byte[] nonce(SecureRandom random) {
        byte[] n = new byte[NONCE_BYTES];
        random.nextBytes(n);
        return n;
    }

    static byte[] sessionKey(byte[] secret, byte[] joinerNonce, byte[] answererNonce) {
        ByteArrayOutputStream label = new ByteArrayOutputStream();
        label.writeBytes("pulse/join/v1".getBytes(StandardCharsets.US_ASCII));
        label.writeBytes(joinerNonce);
        label.writeBytes(answererNonce);
        return hmac(secret, label.toByteArray());
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** AES-GCM under the session key; {@code direction} is authenticated so a frame cannot be reflected. */
    static String seal(byte[] key, String direction, Map<String, String> fields, SecureRandom random) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, iv));
            c.updateAAD(direction.getBytes(StandardCharsets.US_ASCII));
            byte[] ct = c.doFinal(text(fields).getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[iv.length + ct.length];
            System.arraycopy(iv, 0, out, 0, iv.length);
            System.arraycopy(ct, 0, out, iv.length, ct.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is missing from this JDK", e);
        }
    }

    /** The fields of a sealed frame, or null when it was not sealed with this key (a wrong token). */
    static Map<String, String> open(byte[] key, String direction, String sealed) {
        try {
            byte[] in = Base64.getDecoder().decode(sealed);
            if (in.length < IV_BYTES + 16) {
                return null;
            }
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, in, 0, IV_BYTES));
            c.updateAAD(direction.getBytes(StandardCharsets.US_ASCII));
            byte[] pt = c.doFinal(in, IV_BYTES, in.length - IV_BYTES);
            return fields(new String(pt, StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return null;
        }
    }

    static void write(OutputStream out, Map<String, String> fields) throws IOException {
        byte[] b = text(fields).getBytes(StandardCharsets.UTF_8);
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(b.length);
        d.write(b);
        d.flush();
    }

    static Map<String, String> read(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int len;
        try {
            len = d.readInt();
        } catch (EOFException e) {
            throw new EOFException("the other side closed the connection");
        }
        if (len < 0 || len > MAX_FRAME_BYTES) {
            throw new IOException("a frame of " + len + " bytes announced; at most " + MAX_FRAME_BYTES
                    + " (is this a Pulse join port?)");
        }
        byte[] b = new byte[len];
        d.readFully(b);
        return fields(new String(b, StandardCharsets.UTF_8));
    }

    static String text(Map<String, String> fields) {
        StringBuilder sb = new StringBuilder();
        fields.forEach((k, v) -> {
            if (k.contains("=") || k.contains("\n") || v.contains("\n")) {
                throw new IllegalArgumentException("join field " + k + " cannot hold '=' in its name or a newline");
            }
            sb.append(k).append('=').append(v).append('\n');
        });
        return sb.toString();
    }

    static Map<String, String> fields(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return out;
    }
}
