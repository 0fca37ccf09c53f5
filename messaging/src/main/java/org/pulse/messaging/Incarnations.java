package org.pulse.messaging;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Which start ("incarnation") of each node is the live one, so that traffic recorded from an
 * earlier start and replayed later is refused even by a receiver that has restarted since.
 *
 * <p>A node's own incarnation grows at every start and is written to {@code incarnation} in its
 * state directory before the node says anything; it is at least the wall clock in ms, so a node
 * whose state directory was lost still comes back higher than before. What a node learns of the
 * others (the highest incarnation seen per name, from authentic messages only) is kept in
 * {@code peer-incarnations} beside it. Without a state directory both live in memory only.
 *
 * <p>Also the list of names that may take part at all: the configured nodes. A key holder under
 * another name is refused at the seal, so it never joins a view nor votes.
 *
 * <p>Thread-safe.
 */
final class Incarnations {
    /** Replaced whole when the cluster's node list changes at run time ({@link #allow}). */
    private volatile Set<String> allowedNames;
    private final Path stateDir;
    private final long takeoverSilenceNanos;
    private final LongSupplier nanoClock;
    /** When each name's live session was last heard (nanoClock). */
    private final Map<String, Long> lastHeardNanos = new HashMap<>();
    private final Map<String, Long> highest = new TreeMap<>();
    /** The sender session (salt) of each name's current incarnation; in memory only. */
    private final Map<String, ByteBuffer> liveSession = new HashMap<>();

    /** Why a message was refused by the incarnation check. */
    enum Verdict { ACCEPT, NOT_A_MEMBER, EARLIER_INCARNATION, SECOND_SESSION }

    private Incarnations(Set<String> allowedNames, Path stateDir, Map<String, Long> known, long takeoverSilenceMs,
            LongSupplier nanoClock) {
        this.allowedNames = Set.copyOf(allowedNames);
        this.stateDir = stateDir;
        this.takeoverSilenceNanos = takeoverSilenceMs * 1_000_000L;
        this.nanoClock = nanoClock;
        this.highest.putAll(known);
    }

    /** In memory, any name allowed: for tools and tests that do not name a cluster's nodes. */
    static Incarnations open() {
        return new Incarnations(Set.of(), null, Map.of(), 0, System::nanoTime);
    }

    /**
     * The book for a node: {@code allowedNames} empty allows any name; {@code stateDir} null keeps
     * everything in memory. A newer incarnation of a name is taken as that node's restart only once
     * the live one has been silent {@code takeoverSilenceMs} (a dead process is silent at once; a
     * second process started under a live node's name is refused instead of displacing it).
     */
    static Incarnations of(Set<String> allowedNames, Path stateDir, long takeoverSilenceMs, LongSupplier nanoClock)
            throws IOException {
        Map<String, Long> known = new HashMap<>();
        if (stateDir != null) {
            Path f = stateDir.resolve("peer-incarnations");
            if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                int lineNo = 0;
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    lineNo++;
                    String[] p = line.strip().split("\\s+");
                    if (line.isBlank()) {
                        continue;
                    }
                    try {
                        known.put(p[0], Long.parseLong(p[1]));
                    } catch (RuntimeException e) {
                        throw new IOException(f + ":" + lineNo + ": expected 'NODE INCARNATION', got '" + line
                                + "'; remove the file to start afresh (replays from before now are then not refused)");
                    }
                }
            }
        }
        return new Incarnations(allowedNames, stateDir, known, takeoverSilenceMs, nanoClock);
    }

    /**
     * This node's incarnation for the start under way: one more than the last, and at least the
     * wall clock in microseconds; made durable before it is used.
     */
    static long nextOwn(Path stateDir, LongSupplier wallClockMicros) throws IOException {
        long last = 0;
        Path f = stateDir == null ? null : stateDir.resolve("incarnation");
        if (f != null && Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
            String s = Files.readString(f, StandardCharsets.US_ASCII).strip();
            try {
                last = Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new IOException(f + " holds '" + s + "', not a number; remove it (the next start counts from the clock)");
            }
        }
        long next = Math.max(last + 1, wallClockMicros.getAsLong());
        if (f != null) {
            writeDurably(f, Long.toString(next) + "\n");
        }
        return next;
    }

    /**
     * The cluster's node list changed while running (crm cluster add/remove): from now on only these
     * names take part; empty would allow any name and is refused.
     */
    void allow(Set<String> names) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a running node's list of allowed names cannot become empty");
        }
        allowedNames = Set.copyOf(names);
    }

    boolean allowed(String name) {
        return allowedNames.isEmpty() || allowedNames.contains(name);
    }

    /**
     * Decides on an authentic message from {@code name}, incarnation {@code incarnation}, sender
     * session {@code salt}; a newer incarnation is remembered (and written) at once.
     */
    synchronized Verdict check(String name, long incarnation, byte[] salt) {
        if (!allowed(name)) {
            return Verdict.NOT_A_MEMBER;
        }
        long known = highest.getOrDefault(name, Long.MIN_VALUE);
        ByteBuffer session = ByteBuffer.wrap(salt);
        ByteBuffer live = liveSession.get(name);
        long now = nanoClock.getAsLong();
        if (incarnation < known) {
            return Verdict.EARLIER_INCARNATION;
        }
        if (incarnation > known) {
            if (live != null && now - lastHeardNanos.get(name) < takeoverSilenceNanos) {
                return Verdict.SECOND_SESSION;
            }
            highest.put(name, incarnation);
            liveSession.put(name, ByteBuffer.wrap(salt.clone()));
            lastHeardNanos.put(name, now);
            persist();
            return Verdict.ACCEPT;
        }
        if (live == null) {
            // Known from before this node's own restart: the first session heard is taken as the
            // live one (the window this leaves is stated in the module notes).
            liveSession.put(name, ByteBuffer.wrap(salt.clone()));
            lastHeardNanos.put(name, now);
            return Verdict.ACCEPT;
        }
        if (!live.equals(session)) {
            return Verdict.SECOND_SESSION;
        }
        lastHeardNanos.put(name, now);
        return Verdict.ACCEPT;
    }

    synchronized long highest(String name) {
        return highest.getOrDefault(name, Long.MIN_VALUE);
    }

    private void persist() {
        if (stateDir == null) {
            return;
        }
        StringBuilder b = new StringBuilder();
        highest.forEach((n, i) -> b.append(n).append(' ').append(i).append('\n'));
        try {
            writeDurably(stateDir.resolve("peer-incarnations"), b.toString());
        } catch (IOException e) {
            // The check still holds in memory; only a restart of this node would forget it.
            System.getLogger(Incarnations.class.getName()).log(System.Logger.Level.WARNING,
                    "cannot write " + stateDir.resolve("peer-incarnations") + ": " + e + "; replays of earlier"
                            + " incarnations are refused until this node restarts, not after");
        }
    }

    private static void writeDurably(Path f, String content) throws IOException {
        Files.createDirectories(f.getParent());
        Path tmp = f.resolveSibling("." + f.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
