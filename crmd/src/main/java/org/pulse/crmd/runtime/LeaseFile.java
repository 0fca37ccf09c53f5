package org.pulse.crmd.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The lease of tie_breaker = lease:PATH, a small file on storage every node sees: one line
 * {@code OWNER EXPIRY_EPOCH_MS MAC}. Taking or renewing it happens under an exclusive lock of the
 * file (POSIX record locks: across processes, and over NFS), is fsynced, and succeeds when the file
 * is empty, names this node, or has expired. The holder counts on it only until {@code marginMs}
 * before the expiry it wrote, measured from before it asked for the lock, so clocks a little apart
 * and a slow lock cannot make two holders.
 *
 * <p>The file is trusted only as far as it must be: it is opened without following a symbolic link
 * and refused unless it is a regular file owned by this user (or root) that nobody else may write;
 * its line carries an HMAC under a key derived from the cluster key, so whoever can write the file
 * but has no key can at most empty it (a line that does not verify counts as no lease), never make
 * a node believe the other half holds it.
 */
final class LeaseFile {
    private static final Set<PosixFilePermission> WRITABLE_BY_OTHERS = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);
    private static final OpenOption[] OPEN = {StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS};

    private LeaseFile() {
    }

    /** Held until {@code validUntilMs}, or held by {@code owner} until {@code expiryMs}. */
    record Result(boolean held, long validUntilMs, String owner, long expiryMs) {
    }

    static Result acquire(Path file, String self, long nowMs, long leaseMs, long marginMs, byte[] macKey) throws IOException {
        try (FileChannel ch = open(file); FileLock lock = ch.lock()) {
            String[] current = verified(read(ch), macKey);
            String owner = current.length >= 2 ? current[0] : "";
            long expiryMs = current.length >= 2 ? parse(current[1]) : 0;
            if (!owner.isEmpty() && !owner.equals(self) && nowMs < expiryMs) {
                return new Result(false, 0, owner, expiryMs);
            }
            long newExpiryMs = nowMs + leaseMs;
            String line = self + " " + newExpiryMs;
            write(ch, line + " " + mac(macKey, line) + "\n");
            return new Result(true, newExpiryMs - marginMs, self, newExpiryMs);
        }
    }

    /** Lets the lease go if this node holds it (another may take it at once). */
    static void release(Path file, String self, byte[] macKey) throws IOException {
        try (FileChannel ch = open(file); FileLock lock = ch.lock()) {
            String[] current = verified(read(ch), macKey);
            if (current.length >= 1 && current[0].equals(self)) {
                write(ch, "");
            }
        }
    }

    /** Creates the file owner-only if missing; opens it only if it is safe to trust. */
    private static FileChannel open(Path file) throws IOException {
        try {
            FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))).close();
        } catch (FileAlreadyExistsException exists) {
            // the usual case: another node (or an earlier run) made it
        }
        PosixFileAttributes a = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (a.isSymbolicLink() || !a.isRegularFile()) {
            throw new IOException("lease file " + file + " is " + (a.isSymbolicLink() ? "a symbolic link" : "not a regular file")
                    + "; refusing it. Fix: remove it (a node makes it anew) and check who could plant it");
        }
        String owner = a.owner().getName();
        String me = System.getProperty("user.name");
        if (!owner.equals(me) && !owner.equals("root")) {
            throw new IOException("lease file " + file + " is owned by " + owner + ", not by " + me + " or root; refusing"
                    + " it. Fix: chown " + me + " " + file);
        }
        if (a.permissions().stream().anyMatch(WRITABLE_BY_OTHERS::contains)) {
            throw new IOException("lease file " + file + " has mode " + PosixFilePermissions.toString(a.permissions())
                    + ", writable by others; refusing it. Fix: chmod 0600 " + file);
        }
        return FileChannel.open(file, OPEN);
    }

    /** The owner and expiry of an authentic line; nothing for an empty, damaged or forged one. */
    private static String[] verified(String[] fields, byte[] macKey) {
        if (fields.length != 3) {
            return new String[0];
        }
        byte[] expected = mac(macKey, fields[0] + " " + fields[1]).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, fields[2].getBytes(StandardCharsets.US_ASCII))
                ? new String[] {fields[0], fields[1]} : new String[0];
    }

    private static String mac(byte[] macKey, String line) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(line.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }

    private static String[] read(FileChannel ch) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(ch.size(), 4096));
        ch.read(buf, 0);
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? new String[0] : text.split("\\s+");
    }

    private static void write(FileChannel ch, String content) throws IOException {
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)), 0);
        ch.force(true);
    }

    /** An unreadable expiry counts as expired: a damaged file must not block every node forever. */
    private static long parse(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
