package org.pulse.messaging;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
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
 *   'P' 'S'  version(1)  salt(16)  counter(8)  incarnation(8)  nameLength(1)  name  ciphertext  tag(16)
 * </pre>
 * The sender's node name and incarnation (its start number, {@link Incarnations}) are in the
 * authenticated header: a receiver refuses a name that is not a configured node, and an earlier
 * incarnation of a node than the latest it has heard, even after it restarted itself.
 * Each sealer picks a random salt when it is made (once per node start) and seals under the
 * session key HMAC-SHA256(sealRoot, salt), with the nonce 0000 || counter. So a nonce is never
 * used twice under one key, however long the cluster key lives (random 96-bit nonces would cap a
 * key at about 2^32 messages). The header (magic, version, salt, counter) is the additional
 * authenticated data, so it cannot be altered either.
 *
 * <p>Replay: each sender session's counters pass a {@link ReplayWindow}, so a message seen before
 * is refused (which also drops the second copy when a message travels over two links). Not
 * covered: a replay of a session this node never saw (recorded before this node started), whose
 * window starts empty; stated in the module notes.
 *
 * <p>Thread-safe; pure apart from the random salt chosen at construction.
 */
final class Sealer {
    static final byte MAGIC_0 = 'P';
    static final byte MAGIC_1 = 'S';
    static final byte VERSION = 2;
    static final int SALT_BYTES = 16;
    /** The header up to the name: magic, version, salt, counter, incarnation, name length. */
    static final int FIXED_HEADER_BYTES = 3 + SALT_BYTES + 8 + 8 + 1;
    static final int TAG_BYTES = 16;
    /** Session keys of the senders seen recently; a cluster has few nodes, each with one salt per start. */
    private static final int SESSION_KEY_CACHE_SIZE = 64;

    private final byte[] sealRoot;
    /**
     * Seal roots of keys accepted besides our own, during a rolling key change: a node opens what
     * any of them sealed and seals with its own key only (crmd/README.md, "Changing the key").
     */
    private final List<byte[]> acceptedRoots;
    private final byte[] salt;
    private final byte[] nameBytes;
    private final String ownName;
    private final long incarnation;
    private final Incarnations incarnations;
    private final SecretKey sessionKey;
    private final AtomicLong counter = new AtomicLong();
    /** Cipher.getInstance costs about as much as sealing 2 KB; a cipher per thread is re-inited per message instead. */
    private final ThreadLocal<Cipher> ciphers = ThreadLocal.withInitial(Sealer::newCipher);
    private final Session ownSession;
    private final Map<ByteBuffer, Session> peerSessions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ByteBuffer, Session> eldest) {
            return size() > SESSION_KEY_CACHE_SIZE;
        }
    };

    /** A sender's session (one per start of that node): its key and the counters already accepted. */
    private record Session(SecretKey key, ReplayWindow window) {
    }

    /** Why a message was refused; names what a person should check. */
    static class SealException extends Exception {
        private static final long serialVersionUID = 1L;

        SealException(String message) {
            super(message);
        }
    }

    /**
     * An authentic message seen before: a replay, or the second copy of a message sent over two
     * links (which is normal, so callers count it apart and do not warn).
     */
    static final class DuplicateException extends SealException {
        private static final long serialVersionUID = 1L;

        DuplicateException(String message) {
            super(message);
        }
    }

    /** What an opened message says of its sender, authenticated. */
    record Opened(byte[] plain, String sender, long incarnation) {
    }

    /** For tools and tests: any name is accepted; this sealer speaks as a random name, incarnation 0. */
    Sealer(ClusterKey key, SecureRandom random) {
        this(key, random, "node-" + Long.toHexString(random.nextLong()), 0, Incarnations.open());
    }

    Sealer(ClusterKey key, SecureRandom random, String nodeName, long incarnation, Incarnations incarnations) {
        this(key, List.of(), random, nodeName, incarnation, incarnations);
    }

    Sealer(ClusterKey key, List<ClusterKey> alsoAccepted, SecureRandom random, String nodeName, long incarnation,
            Incarnations incarnations) {
        this.ownName = nodeName;
        this.nameBytes = nodeName.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length > 255) {
            throw new IllegalArgumentException("node name '" + nodeName + "' must be 1-255 ASCII characters");
        }
        this.incarnation = incarnation;
        this.incarnations = incarnations;
        this.sealRoot = key.derive("pulse/seal/v1");
        this.acceptedRoots = alsoAccepted.stream().filter(k -> !k.equals(key)).map(k -> k.derive("pulse/seal/v1")).toList();
        this.salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        this.sessionKey = sessionKey(salt);
        this.ownSession = new Session(sessionKey, new ReplayWindow());
    }

    /** Header bytes of this sealer's messages (the name's length varies per node). */
    int headerBytes() {
        return FIXED_HEADER_BYTES + nameBytes.length;
    }

    byte[] seal(byte[] plain, int offset, int length) {
        long n = counter.getAndIncrement();
        int header = headerBytes();
        byte[] out = new byte[header + length + TAG_BYTES];
        out[0] = MAGIC_0;
        out[1] = MAGIC_1;
        out[2] = VERSION;
        System.arraycopy(salt, 0, out, 3, SALT_BYTES);
        ByteBuffer.wrap(out, 3 + SALT_BYTES, 17).putLong(n).putLong(incarnation).put((byte) nameBytes.length);
        System.arraycopy(nameBytes, 0, out, FIXED_HEADER_BYTES, nameBytes.length);
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.ENCRYPT_MODE, sessionKey, new GCMParameterSpec(TAG_BYTES * 8, nonce(n)));
            cipher.updateAAD(out, 0, header);
            int written = cipher.doFinal(plain, offset, length, out, header);
            if (written != length + TAG_BYTES) {
                throw new IllegalStateException("AES-GCM wrote " + written + " bytes, expected " + (length + TAG_BYTES));
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed while sealing a message", e);
        }
    }

    Opened open(byte[] sealed, int offset, int length) throws SealException {
        if (length < FIXED_HEADER_BYTES + 1 + TAG_BYTES) {
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
        ByteBuffer fixed = ByteBuffer.wrap(sealed, offset + 3 + SALT_BYTES, 17);
        long n = fixed.getLong();
        long peerIncarnation = fixed.getLong();
        int nameLength = fixed.get() & 0xff;
        int header = FIXED_HEADER_BYTES + nameLength;
        if (nameLength == 0 || length < header + TAG_BYTES) {
            throw new SealException("sealed message of " + length + " bytes has a malformed header");
        }
        String sender = new String(sealed, offset + FIXED_HEADER_BYTES, nameLength, java.nio.charset.StandardCharsets.US_ASCII);
        if (!incarnations.allowed(sender)) {
            // Not yet authenticated, but nothing of it is used: refused either way, and cheaply.
            throw new SealException("sender '" + sender + "' is not a node of this cluster (not in the configured"
                    + " nodes): a key holder under another name; add it to every node's 'nodes' to let it join");
        }
        Session session = knownSession(peerSalt);
        SecretKey key = session != null ? session.key() : sessionKey(sealRoot, peerSalt);
        byte[] plain = decrypt(key, n, sealed, offset, header, length);
        if (plain == null && session == null) {
            // A sender session we do not know yet may be sealed with a key accepted during a key change.
            for (byte[] root : acceptedRoots) {
                SecretKey candidate = sessionKey(root, peerSalt);
                plain = decrypt(candidate, n, sealed, offset, header, length);
                if (plain != null) {
                    key = candidate;
                    break;
                }
            }
        }
        if (plain == null) {
            throw new SealException("message failed authentication: sealed with another cluster key, or altered"
                    + " on the way (compare the key fingerprints the nodes print at start)");
        }
        // Only now, the message being authentic, may it create a session or move a window:
        // otherwise a forger could evict real sessions from the bounded map, or push a window
        // ahead and get real messages refused.
        if (session != ownSession && sender.equals(ownName)) {
            throw new SealException("another process calls itself " + sender + ", this node's own name: two nodes"
                    + " configured with the same name; give every node its own name");
        }
        if (session != ownSession) {
            switch (incarnations.check(sender, peerIncarnation, peerSalt)) {
                case ACCEPT -> { }
                case NOT_A_MEMBER -> throw new SealException("sender '" + sender + "' is not a node of this cluster");
                case EARLIER_INCARNATION -> throw new SealException("message from incarnation " + peerIncarnation + " of "
                        + sender + ", which has since restarted as incarnation " + incarnations.highest(sender)
                        + ": recorded traffic replayed, or a stale process of that node still running");
                case SECOND_SESSION -> throw new SealException("a second sender calls itself " + sender + " (incarnation "
                        + peerIncarnation + ", already heard from another process): two nodes configured with the"
                        + " same name, or a replay; give every node its own name");
            }
        }
        if (session == null) {
            session = registerSession(peerSalt, key);
        }
        if (!session.window().accept(n)) {
            throw new DuplicateException("message #" + n + " of this sender session was already received"
                    + " (a copy from the other link, or a replay)");
        }
        return new Opened(plain, sender, peerIncarnation);
    }

    private Session knownSession(byte[] peerSalt) {
        if (Arrays.equals(peerSalt, salt)) {
            return ownSession;
        }
        synchronized (peerSessions) {
            return peerSessions.get(ByteBuffer.wrap(peerSalt));
        }
    }

    private Session registerSession(byte[] peerSalt, SecretKey key) {
        synchronized (peerSessions) {
            return peerSessions.computeIfAbsent(ByteBuffer.wrap(peerSalt), k -> new Session(key, new ReplayWindow()));
        }
    }

    /** The plaintext, or null when the tag does not verify under {@code key}. */
    private byte[] decrypt(SecretKey key, long n, byte[] sealed, int offset, int header, int length) throws SealException {
        try {
            Cipher cipher = ciphers.get();
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce(n)));
            cipher.updateAAD(sealed, offset, header);
            return cipher.doFinal(sealed, offset + header, length - header);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new SealException("message could not be opened: " + e);
        }
    }

    private SecretKey sessionKey(byte[] saltBytes) {
        return sessionKey(sealRoot, saltBytes);
    }

    private static SecretKey sessionKey(byte[] root, byte[] saltBytes) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(root, "HmacSHA256"));
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
