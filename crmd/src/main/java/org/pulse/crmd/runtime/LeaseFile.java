package org.pulse.crmd.runtime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The lease of tie_breaker = lease:PATH, a small file on storage every node sees: one line
 * {@code OWNER EXPIRY_EPOCH_MS}. Taking or renewing it happens under an exclusive lock of the file
 * (POSIX record locks: across processes, and over NFS), is fsynced, and succeeds when the file is
 * empty, names this node, or has expired. The holder counts on it only until {@code marginMs} before
 * the expiry it wrote, measured from before it asked for the lock, so clocks a little apart and a
 * slow lock cannot make two holders.
 */
final class LeaseFile {
    private LeaseFile() {
    }

    /** Held until {@code validUntilMs}, or held by {@code owner} until {@code expiryMs}. */
    record Result(boolean held, long validUntilMs, String owner, long expiryMs) {
    }

    static Result acquire(Path file, String self, long nowMs, long leaseMs, long marginMs) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            String[] current = read(ch);
            String owner = current.length >= 2 ? current[0] : "";
            long expiryMs = current.length >= 2 ? parse(current[1]) : 0;
            if (!owner.isEmpty() && !owner.equals(self) && nowMs < expiryMs) {
                return new Result(false, 0, owner, expiryMs);
            }
            long newExpiryMs = nowMs + leaseMs;
            write(ch, self + " " + newExpiryMs + "\n");
            return new Result(true, newExpiryMs - marginMs, self, newExpiryMs);
        }
    }

    /** Lets the lease go if this node holds it (another may take it at once). */
    static void release(Path file, String self) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock lock = ch.lock()) {
            String[] current = read(ch);
            if (current.length >= 1 && current[0].equals(self)) {
                write(ch, "");
            }
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
