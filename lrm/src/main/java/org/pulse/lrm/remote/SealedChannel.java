package org.pulse.lrm.remote;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The remote link after the handshake: every frame sealed with AES-256-GCM, one key per direction.
 * <p>
 * Why this and not TLS: Pacemaker Remote runs TLS with a pre-shared key (TLS-PSK), and the JDK has no TLS-PSK
 * cipher suites. Certificates would add a PKI an operator of a remote node does not have today (one authkey file
 * is the whole setup, as in Pacemaker). So the link keeps its key and handshake, and seals what follows:
 * <ul>
 * <li>Keys: HKDF-SHA256 (RFC 5869) with the shared key as input keying material and both handshake nonces
 *     (daemon's, then client's) as salt; one 32-byte key per direction ("c2s", "s2c" in the info). Fresh nonces
 *     on both sides make every connection's keys new, so a frame recorded on one connection means nothing on
 *     another, and neither side alone chooses the keys.</li>
 * <li>Nonces: the frame's sequence number in its direction (0, 1, 2, ...), never sent: each side counts what it
 *     sent and what it received. A key is never used twice with one nonce (one writer per direction, counting).
 *     A frame replayed, dropped, or reordered is opened with the wrong nonce and fails its tag: the connection
 *     ends with that reason, nothing of the frame is used.</li>
 * <li>The tag also covers the frame's length (as associated data), so a frame cut or padded fails too.</li>
 * </ul>
 * Not thread-safe by itself: the caller serialises writes (one lock per connection) and reads (one reader).
 */
final class SealedChannel {
    static final int TAG_BYTES = 16;
    private static final String CIPHER = "AES/GCM/NoPadding";

    private final SecretKeySpec sendKey;
    private final SecretKeySpec receiveKey;
    private final int maxFrameBytes;
    private long sent;
    private long received;

    private SealedChannel(byte[] sendKey, byte[] receiveKey, int maxFrameBytes) {
        this.sendKey = new SecretKeySpec(sendKey, "AES");
        this.receiveKey = new SecretKeySpec(receiveKey, "AES");
        this.maxFrameBytes = maxFrameBytes;
    }

    /** The client's end: sends with the client-to-server key. */
    static SealedChannel client(byte[] key, String daemonNonce, String clientNonce, int maxFrameBytes) {
        byte[] salt = salt(daemonNonce, clientNonce);
        return new SealedChannel(hkdf(key, salt, "pulse-remote c2s"), hkdf(key, salt, "pulse-remote s2c"), maxFrameBytes);
    }

    /** The daemon's end: sends with the server-to-client key. */
    static SealedChannel daemon(byte[] key, String daemonNonce, String clientNonce, int maxFrameBytes) {
        byte[] salt = salt(daemonNonce, clientNonce);
        return new SealedChannel(hkdf(key, salt, "pulse-remote s2c"), hkdf(key, salt, "pulse-remote c2s"), maxFrameBytes);
    }

    private static byte[] salt(String daemonNonce, String clientNonce) {
        return (daemonNonce + "\n" + clientNonce).getBytes(StandardCharsets.US_ASCII);
    }

    /** HKDF-SHA256, extract then expand to 32 bytes (one block: T(1) = HMAC(PRK, info || 0x01)). */
    static byte[] hkdf(byte[] ikm, byte[] salt, String info) {
        return hkdf(ikm, salt, info.getBytes(StandardCharsets.US_ASCII));
    }

    static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info) {
        try {
            Mac extract = Mac.getInstance("HmacSHA256");
            extract.init(new SecretKeySpec(salt, "HmacSHA256"));
            byte[] prk = extract.doFinal(ikm);
            Mac expand = Mac.getInstance("HmacSHA256");
            expand.init(new SecretKeySpec(prk, "HmacSHA256"));
            expand.update(info);
            expand.update((byte) 1);
            return expand.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static GCMParameterSpec nonce(long sequence) {
        byte[] iv = new byte[12];
        ByteBuffer.wrap(iv, 4, 8).putLong(sequence);
        return new GCMParameterSpec(TAG_BYTES * 8, iv);
    }

    private static byte[] lengthAad(int sealedLength) {
        return ByteBuffer.allocate(4).putInt(sealedLength).array();
    }

    /** Seals and writes one frame; refuses (before writing anything) one above the frame limit. */
    void write(Frame f, OutputStream out) throws IOException {
        byte[] plain = f.payload();
        if (plain.length > maxFrameBytes) {
            throw new Frame.ProtocolException(f.type() + " frame of " + plain.length + " bytes is above the limit of "
                    + maxFrameBytes + " bytes; not sent");
        }
        Frame.writePayload(out, seal(plain));
    }

    /** Seals the next frame of this direction (it takes the next sequence number). */
    byte[] seal(byte[] plain) {
        try {
            Cipher c = Cipher.getInstance(CIPHER);
            c.init(Cipher.ENCRYPT_MODE, sendKey, nonce(sent++));
            c.updateAAD(lengthAad(plain.length + TAG_BYTES));
            return c.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** Reads and opens one frame; null at a clean end of stream; a frame that does not open ends the link. */
    Frame read(InputStream in, long frameTimeoutMs) throws IOException {
        byte[] sealed = Frame.readPayload(in, maxFrameBytes + TAG_BYTES, frameTimeoutMs);
        return sealed == null ? null : Frame.parse(open(sealed));
    }

    /** Opens the next frame of this direction, or refuses it: tampered, replayed, reordered, or another key. */
    byte[] open(byte[] sealed) throws Frame.ProtocolException {
        if (sealed.length < TAG_BYTES) {
            throw new Frame.ProtocolException("sealed frame of " + sealed.length + " bytes is shorter than its tag");
        }
        try {
            Cipher c = Cipher.getInstance(CIPHER);
            c.init(Cipher.DECRYPT_MODE, receiveKey, nonce(received));
            c.updateAAD(lengthAad(sealed.length));
            byte[] plain = c.doFinal(sealed);
            received++;
            return plain;
        } catch (AEADBadTagException e) {
            throw new Frame.ProtocolException("frame " + received + " failed authentication (altered, replayed,"
                    + " reordered, or sealed with another key): connection refused");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }
}
