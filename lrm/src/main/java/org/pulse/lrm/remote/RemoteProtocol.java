package org.pulse.lrm.remote;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.OperationResult;

/**
 * The remote executor protocol, shared by {@link RemoteDaemon} (pulse-remoted, on the remote node) and
 * {@link RemoteClient} (crmd on the cluster node that holds the connection). Frames: see {@link Frame}.
 *
 * <pre>
 * daemon  → client  HELLO   proto, node, nonce                     (the daemon speaks first)
 * client  → daemon  AUTH    client, nonce, mac = HMAC(key, "pulse-remote-client", daemon nonce, client nonce, client)
 * daemon  → client  WELCOME node, mac = HMAC(key, "pulse-remote-daemon", client nonce, daemon nonce, node)
 *                   or ERROR reason, and the daemon closes
 * then, any number, each with an id the answer repeats:
 * client  → daemon  EXEC {id, request}  → ACK {id, call} | ERROR {id, reason}
 *                   CANCEL {id, rsc, action, interval} → ACK {id, found}   (action "*": every recurring one)
 *                   PING {id} → PONG {id, node, time}
 *                   HISTORY {id} → ENTRY {id, result}* then END {id, count}
 * daemon  → client  RESULT {result}     every operation result, as the LRM reports it (recurring: on change)
 * daemon  → client  SHUTDOWN {node, reason}   a clean stop began (SIGTERM): the cluster records the node's
 *                   shutdown attribute and stops its resources; the daemon closes once nothing runs (bounded).
 *                   A client that does not know it ignores it (a frame without an id).
 * </pre>
 * Both sides prove they know the key (HMAC-SHA256 over both nonces), so neither a stranger nor a daemon
 * without the key is talked to; the key itself never crosses the wire. Every frame after WELCOME is sealed
 * with AES-256-GCM under per-connection, per-direction keys derived from the key and both nonces, its
 * sequence number the nonce ({@link SealedChannel}): Pacemaker Remote's TLS-PSK, which the JDK lacks, in kind.
 */
public final class RemoteProtocol {
    /** 2: frames after WELCOME are sealed (SealedChannel); a version-1 peer is refused with a clear reason. */
    public static final String VERSION = "2";
    /** Pacemaker Remote's port. */
    public static final int DEFAULT_PORT = 3121;
    /** Frames above this are refused by both ends: a history of ~1,000 operations fits many times over. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 1 << 20;
    /** A new connection must complete the handshake within this, or it is dropped. */
    public static final long DEFAULT_HANDSHAKE_TIMEOUT_MS = 5_000;
    /** The default key file, the cluster's: Pacemaker Remote shares /etc/pacemaker/authkey likewise. */
    public static final Path DEFAULT_KEY = Path.of("/etc/pulse/authkey");
    /** A key shorter than this is refused: it would be guessable. */
    public static final int MIN_KEY_BYTES = 16;

    private RemoteProtocol() {
    }

    /** The key file's bytes, whatever their format; a clear error when missing, unreadable or too short. */
    public static byte[] readKey(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException("authkey " + file + " does not exist: copy the cluster's key there (mode 0400)"
                    + " or name another with --authkey FILE");
        }
        byte[] key;
        try {
            key = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IOException("authkey " + file + " cannot be read: " + e.getMessage()
                    + " (run as root or as the key's owner)", e);
        }
        if (key.length < MIN_KEY_BYTES) {
            throw new IOException("authkey " + file + " has " + key.length + " bytes, fewer than " + MIN_KEY_BYTES
                    + ": make one with crmd --generate-key FILE");
        }
        return key;
    }

    static String nonce(java.security.SecureRandom random) {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** HMAC-SHA256 over the parts, each followed by a newline (so no two part lists give the same input). */
    static String mac(byte[] key, String... parts) {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(new SecretKeySpec(key, "HmacSHA256"));
            for (String p : parts) {
                m.update(p.getBytes(StandardCharsets.UTF_8));
                m.update((byte) '\n');
            }
            return HexFormat.of().formatHex(m.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Compares in constant time, so timing tells a stranger nothing about the expected value. */
    static boolean sameMac(String expected, String given) {
        return given != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.getBytes(StandardCharsets.US_ASCII));
    }

    // ---- operations as fields

    static Map<String, String> requestFields(OperationRequest r) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("rsc", r.resourceId());
        f.put("agent", r.agent().toString());
        f.put("action", r.action());
        f.put("interval", Long.toString(r.intervalMs()));
        f.put("timeout", Long.toString(r.timeoutMs()));
        f.put("start_delay", Long.toString(r.startDelayMs()));
        if (r.transitionKey() != null) {
            f.put("key", r.transitionKey());
        }
        r.params().forEach((k, v) -> f.put("p." + k, v));
        r.meta().forEach((k, v) -> f.put("m." + k, v));
        return f;
    }

    static OperationRequest request(Frame f) throws Frame.ProtocolException {
        Map<String, String> params = new TreeMap<>();
        Map<String, String> meta = new TreeMap<>();
        f.fields().forEach((k, v) -> {
            if (k.startsWith("p.")) {
                params.put(k.substring(2), v);
            } else if (k.startsWith("m.")) {
                meta.put(k.substring(2), v);
            }
        });
        try {
            return new OperationRequest(f.require("rsc"), AgentRef.parse(f.require("agent")), f.require("action"),
                    f.requireLong("interval"), f.requireLong("timeout"), params, meta, f.get("key"),
                    f.get("start_delay") == null ? 0 : f.requireLong("start_delay"));
        } catch (IllegalArgumentException e) {
            throw new Frame.ProtocolException("EXEC refused: " + e.getMessage());
        }
    }

    static Map<String, String> resultFields(OperationResult r) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("rsc", r.resourceId());
        f.put("agent", r.agent().toString());
        f.put("action", r.action());
        f.put("interval", Long.toString(r.intervalMs()));
        f.put("call", Integer.toString(r.callId()));
        f.put("rc", Integer.toString(r.rcCode()));
        f.put("status", r.execStatus().name());
        f.put("expected", Integer.toString(r.expectedRc()));
        f.put("reason", r.exitReason());
        f.put("last_run", Long.toString(r.lastRun().toEpochMilli()));
        f.put("last_rc_change", Long.toString(r.lastRcChange().toEpochMilli()));
        f.put("exec_ms", Long.toString(r.execTimeMs()));
        f.put("queue_ms", Long.toString(r.queueTimeMs()));
        if (r.transitionKey() != null) {
            f.put("key", r.transitionKey());
        }
        f.put("digest", r.opDigest() == null ? "" : r.opDigest());
        f.put("node", r.nodeName());
        f.put("stdout", r.stdout());
        f.put("stderr", r.stderr());
        f.put("dropped", Long.toString(r.outputDroppedBytes()));
        f.put("pid", Long.toString(r.pid()));
        return f;
    }

    static OperationResult result(Frame f) throws Frame.ProtocolException {
        try {
            return new OperationResult(f.require("rsc"), AgentRef.parse(f.require("agent")), f.require("action"),
                    f.requireLong("interval"), (int) f.requireLong("call"), (int) f.requireLong("rc"),
                    ExecStatus.valueOf(f.require("status")), (int) f.requireLong("expected"), f.get("reason"),
                    Instant.ofEpochMilli(f.requireLong("last_run")), Instant.ofEpochMilli(f.requireLong("last_rc_change")),
                    f.requireLong("exec_ms"), f.requireLong("queue_ms"), f.get("key"), f.get("digest"),
                    f.require("node"), f.get("stdout"), f.get("stderr"), f.requireLong("dropped"), f.requireLong("pid"));
        } catch (IllegalArgumentException e) {
            throw new Frame.ProtocolException(f.type() + " frame with a bad result: " + e.getMessage());
        }
    }
}
