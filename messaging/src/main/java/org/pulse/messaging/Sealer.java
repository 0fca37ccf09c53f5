package org.pulse.messaging;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of whole messages with the cluster key: AES-256-GCM, so one pass both
 * hides a message and proves it was made by a holder of the key and not changed since.
 *
 * <p>Layout of a sealed message (all integers big-endian):
 * <pre>
 *   'P' 'S'  version(1)  salt(16)  counter(8)  ciphertext  tag(16)
 * </pre>
 * Each sealer picks a random salt when it is made (once per node start) and seals under the
 * session key HMAC-SHA256(sealRoot, salt), with the nonce 0000 || counter. So a nonce is never
 * used twice under one key, however long the cluster key lives (random 96-bit nonces would cap a
 * key at about 2^32 messages). The header (magic, version, salt, counter) is the additional
 * authenticated data, so it cannot be altered either.
 *
 * <p>Not covered: replay. An eavesdropper can resend a sealed message; JGroups drops replayed
 * reliable messages by their sequence numbers (which are inside the seal), but could accept a
 * replayed heartbeat. Stated in the module notes.
 *
 * <p>Thread-safe; pure apart from the random salt chosen at construction.
 */
final class Sealer {
    static final byte MAGIC_0 = 'P';
    static final byte MAGIC_1 = 'S';
    static final byte VERSION = 1;
    static final int SALT_BYTES = 16;
    static final int HEADER_BYTES = 3 + SALT_BYTES + 8;
    static final int TAG_BYTES = 16;
    /** Session keys of the senders seen recently; a cluster has few nodes, each with one salt per start. */
    private static final int SESSION_KEY_CACHE_SIZE = 64;

    private final byte[] sealRoot;
    private final byte[] salt;
    private final SecretKey sessionKey;
    private final AtomicLong counter = new AtomicLong();
    /** Cipher.getInstance costs about as much as sealing 2 KB; a cipher per thread is re-inited per message instead. */
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(Sealer::newCipher);
    private final Map<ByteBuffer, SecretKey> peerKeys = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, SecretKey> eldest) {
            return size() > SESSION_KEY_CACHE_SIZE;
        }
    };

    /** Why a message was refused; names what a person should check. */
    static final class SealException extends Exception {
        private static final long serialVersionUID = 1L;

        SealException(String message) {
            super(message);
        }
    }

    Sealer(ClusterKey key, SecureRandom random) {
        this.sealRoot = key.derive("pulse/seal/v1");
        this.salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        this.sessionKey = sessionKey(salt);
    }

    byte[] seal(byte[] plain, int offset, int length) {
        long n = counter.getAndIncrement();
        byte[] out = new byte[HEADER_BYTES + length + TAG_BYTES];
        out[0] = MAGIC_0;
        out[1] = MAGIC_1;
        out[2] = VERSION;
        System.arraycopy(salt, 0, out, 3, SALT_BYTES);
        ByteBuffer.wrap(out, 3 + SALT_BYTES, 8).putLong(n);
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.ENCRYPT_MODE, sessionKey, new GCMParameterSpec(TAG_BYTES * 8, nonce(n)));
            cipher.updateAAD(out, 0, HEADER_BYTES);
            int written = cipher.doFinal(plain, offset, length, out, HEADER_BYTES);
            if (written != length + TAG_BYTES) {
                throw new IllegalStateException("AES-GCM wrote " + written + " bytes, expected " + (length + TAG_BYTES));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed while sealing a message", e);
        }
    }

    byte[] open(byte[] sealed, int offset, int length) throws SealException {
        if (length < HEADER_BYTES + TAG_BYTES) {
            throw new SealException("message of " + length + " bytes is too short to be sealed (wrong cluster key"
                    + " setting, or not Pulse: check that every node has security on and the same key)");
        }
        if (sealed[offset] != MAGIC_0 || sealed[offset + 1] != MAGIC_1) {
            throw new SealException("message is not sealed (no Pulse seal marker): the sender runs without the"
                    + " cluster key, or is not Pulse");
        }
        if (sealed[offset + 2] != VERSION) {
            throw new SealException("message sealed with seal version " + sealed[offset + 2] + ", this node speaks "
                    + VERSION + ": upgrade the older node");
        }
        byte[] peerSalt = Arrays.copyOfRange(sealed, offset + 3, offset + 3 + SALT_BYTES);
        long n = ByteBuffer.wrap(sealed, offset + 3 + SALT_BYTES, 8).getLong();
        SecretKey key = peerKey(peerSalt);
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce(n)));
            cipher.updateAAD(sealed, offset, HEADER_BYTES);
            return cipher.doFinal(sealed, offset + HEADER_BYTES, length - HEADER_BYTES);
        } catch (AEADBadTagException e) {
            throw new SealException("message failed authentication: sealed with another cluster key, or altered"
                    + " on the way (compare the key fingerprints the nodes print at start)");
        } catch (GeneralSecurityException e) {
            throw new SealException("message could not be opened: " + e);
        }
    }

    private SecretKey peerKey(byte[] peerSalt) {
        if (Arrays.equals(peerSalt, salt)) {
            return sessionKey;
        }
        ByteBuffer k = ByteBuffer.wrap(peerSalt);
        synchronized (peerKeys) {
            SecretKey key = peerKeys.get(k);
            if (key == null) {
                key = sessionKey(peerSalt);
                peerKeys.put(k, key);
            }
            return key;
        }
    }

    private SecretKey sessionKey(byte[] saltBytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(sealRoot, "HmacSHA256"));
            return new SecretKeySpec(mac.doFinal(saltBytes), "AES");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM/NoPadding is missing from this JDK", e);
        }
    }

    private static byte[] nonce(long n) {
        byte[] nonce = new byte[12];
        ByteBuffer.wrap(nonce, 4, 8).putLong(n);
        return nonce;
    }
}
