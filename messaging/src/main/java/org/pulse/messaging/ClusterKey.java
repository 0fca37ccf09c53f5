package org.pulse.messaging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The shared secret of a cluster: 32 random bytes in a file readable by its owner only
 * (DESIGN.md §11: {@code /etc/pulse/authkey}, mode 0400). Every node of a cluster loads the same
 * file; a node without it can neither join nor inject a message (see {@link SealProtocol}).
 *
 * <p>The raw key never leaves this class: callers get keys derived for one purpose
 * ({@link #derive(String)}), and {@link #fingerprint()} lets an operator compare the keys of two
 * nodes in logs without revealing them.
 */
public final class ClusterKey {
    /** Size of the key file, in bytes (256 bits: AES-256 and HMAC-SHA256 both take it whole). */
    public static final int KEY_BYTES = 32;

    private static final Set<PosixFilePermission> OWNER_READ_ONLY = Set.copyOf(PosixFilePermissions.fromString("r--------"));
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private final byte[] keyBytes;
    private final String fingerprint;

    private ClusterKey(byte[] keyBytes) {
        this.keyBytes = keyBytes.clone();
        this.fingerprint = HexFormat.of().formatHex(derive("pulse/key-fingerprint/v1"), 0, 8);
    }

    /**
     * Writes a new random key to {@code file} with mode 0400 and returns it. Refuses to overwrite
     * an existing file: replacing the key of a running cluster must be a deliberate act
     * (remove the old file first, then copy the new one to every node).
     */
    public static ClusterKey generate(Path file) throws IOException {
        byte[] bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new NoSuchFileException(parent.toString(), null,
                    "cannot create cluster key " + file + ": directory " + parent + " does not exist; create it first");
        }
        // CREATE_NEW fails atomically if the file appeared meanwhile; the file is born 0600 (we
        // must write it) and only narrowed to 0400 once complete, so a crash in between leaves a
        // file that load() refuses by size or mode instead of a silently short key.
        try (FileChannel ch = FileChannel.open(file, EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            throw new FileAlreadyExistsException(file.toString(), null,
                    "cluster key " + file + " already exists; refusing to overwrite it (remove it first if you really mean to replace the key)");
        }
        Files.setPosixFilePermissions(file, OWNER_READ_ONLY);
        return new ClusterKey(bytes);
    }

    /**
     * Loads a key file, refusing one that others may read or write, or that has the wrong size,
     * with a message naming the file and the fix.
     */
    public static ClusterKey load(Path file) throws IOException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new NoSuchFileException(file.toString(), null,
                    "cluster key " + file + " does not exist; create one with `crmd --generate-key " + file
                            + "` on one node and copy it to every node (mode 0400)");
        }
        // Every check on the file itself, never on what a link points to: a link planted where
        // the key should be would otherwise hand the cluster's identity to whoever owns the target.
        PosixFileAttributes attrs = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attrs.isSymbolicLink()) {
            throw new IOException("cluster key " + file + " is a symbolic link; refusing to follow it. Fix: copy the key"
                    + " itself to " + file + " (mode 0400, owned by the user crmd runs as)");
        }
        if (!attrs.isRegularFile()) {
            throw new IOException("cluster key " + file + " is not a regular file");
        }
        String owner = attrs.owner().getName();
        String me = System.getProperty("user.name");
        if (!owner.equals(me) && !owner.equals("root")) {
            throw new IOException("cluster key " + file + " is owned by " + owner + ", not by " + me + " (who runs crmd)"
                    + " or root; whoever owns it can replace it. Fix: chown " + me + " " + file);
        }
        Set<PosixFilePermission> perms = attrs.permissions();
        Set<PosixFilePermission> loose = EnumSet.noneOf(PosixFilePermission.class);
        loose.addAll(perms);
        loose.retainAll(GROUP_OR_OTHER);
        if (!loose.isEmpty()) {
            throw new IOException("cluster key " + file + " has mode " + PosixFilePermissions.toString(perms)
                    + ", which lets other users read or change it; refusing to use it. Fix: chmod 0400 " + file);
        }
        long size = attrs.size();
        if (size != KEY_BYTES) {
            throw new IOException("cluster key " + file + " has " + size + " bytes, expected exactly " + KEY_BYTES
                    + "; it is not a Pulse cluster key (or was truncated). Make a new one with `crmd --generate-key FILE`"
                    + " and copy it to every node");
        }
        byte[] bytes = new byte[KEY_BYTES + 1];
        int read = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            int n;
            while ((n = ch.read(buf)) > 0) {
                read += n;
            }
        }
        if (read != KEY_BYTES) {
            throw new IOException("cluster key " + file + " changed size while being read; try again");
        }
        return new ClusterKey(Arrays.copyOf(bytes, KEY_BYTES));
    }

    /** A key from raw bytes; for tests (a real node loads a file). */
    static ClusterKey ofBytes(byte[] bytes) {
        if (bytes.length != KEY_BYTES) {
            throw new IllegalArgumentException("a cluster key has " + KEY_BYTES + " bytes, got " + bytes.length);
        }
        return new ClusterKey(bytes);
    }

    /**
     * HMAC-SHA256(key, label): a separate 32-byte key per purpose, so that the seal key and any
     * other use of the cluster key (crmd's lease file) never share key material. The raw key
     * cannot be recovered from a derived one.
     */
    public byte[] derive(String label) {
        return derive(label.getBytes(StandardCharsets.UTF_8));
    }

    byte[] derive(byte[] label) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(keyBytes, "HmacSHA256"));
            return mac.doFinal(label);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    /** 16 hex digits identifying the key (not revealing it): equal on nodes that share a key. */
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClusterKey other && MessageDigest.isEqual(keyBytes, other.keyBytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(fingerprint.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "ClusterKey[fingerprint=" + fingerprint + "]";
    }
}
