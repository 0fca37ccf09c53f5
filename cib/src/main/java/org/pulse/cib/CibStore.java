package org.pulse.cib;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;

/**
 * The CIB on disk: {@code cib.xml} and beside it {@code cib.xml.sig}, the SHA-256 of its bytes
 * in hex (the format of {@code sha256sum}, so an operator can check or re-sign a file by hand),
 * plus the last N replaced versions as {@code cib-<n>.xml} (+ {@code .sig}), n growing.
 *
 * <p>Writing, in this order (each step can be interrupted; see {@link #load} for why every
 * interruption leaves the old or the new CIB):
 * <ol>
 *   <li>check the current file; if it verifies, hard-link it as the next backup; if it does not,
 *       move it and its digest aside as {@code cib.xml.refused-<n>} (evidence, never overwritten);</li>
 *   <li>write {@code cib.xml.sig.tmp} and {@code cib.xml.tmp}, and fsync both (at once, from two
 *       threads: the file system commits them together, one disk flush instead of two);</li>
 *   <li>rename {@code cib.xml.tmp} to {@code cib.xml}, then {@code cib.xml.sig.tmp} to
 *       {@code cib.xml.sig}, and fsync the directory once;</li>
 *   <li>delete backups beyond the last N.</li>
 * </ol>
 * Both temporary files are durable before either takes its name. After a crash between the two
 * renames {@code cib.xml} matches {@code cib.xml.sig.tmp} and loading completes the write. The
 * renames become durable together with the one directory fsync; a file system that persisted the
 * second rename without the first leaves {@code cib.xml.sig} matching {@code cib.xml.tmp}, and
 * loading completes that too. Every case loads the old or the new CIB, and {@link #save} returns
 * only once the new one is durable under its name. (One directory fsync less and the two file
 * fsyncs together: on the development machine's disk two fsyncs at once took 1.2 ms, one after the
 * other 2.2 ms; crmd/README has the commit figures.)
 *
 * <p>A journaling store ({@link #journaling}, crmd's) takes those steps only every N saves (a
 * compaction); the saves between append the diff from the CIB before to {@code cib.xml.journal}
 * (a header naming the digest of the cib.xml it extends, then records {@code R <bytes> <crc32c>},
 * a line of JSON, a newline), each fdatasynced before the save returns. {@link #load} of any store
 * replays a journal that names the cib.xml it finds, up to the first incomplete or damaged record
 * (a torn tail: discarded, and named in {@link #journalNote}); the next append overwrites it. A
 * compaction replaces the journal only once the new cib.xml is durable, so a crash in it finds the
 * old cib.xml with its journal, or the new cib.xml with a journal naming another digest (ignored).
 *
 * <p>{@link #save} stores a CIB the cluster has accepted, as it is; {@link #saveChecked} and
 * {@link #saveXml} are for changes from outside and refuse any error the stored CIB did not
 * already have, leaving the stored CIB untouched.
 *
 * <p>Loads and saves hold a lock on {@code cib.xml.lock} (loading may finish an interrupted write,
 * so it writes too), so processes sharing a directory by mistake cannot interleave their steps;
 * within a process they are serialised as well. Files are created
 * readable by their owner only, since resource parameters (fence device passwords) live in the CIB.
 */
public final class CibStore {
    public static final String CIB_FILE = "cib.xml";
    public static final String SIG_SUFFIX = ".sig";
    public static final String JOURNAL_SUFFIX = ".journal";
    public static final int DEFAULT_KEEP_VERSIONS = 10;
    private static final Pattern BACKUP = Pattern.compile("cib-([0-9]+)\\.xml");
    private static final Pattern REFUSED = Pattern.compile("cib\\.xml\\.refused-([0-9]+)");

    /** The points of a write at which a test can interrupt it (by throwing from the hook). */
    enum Step {
        BACKUP, SET_ASIDE, WRITE_SIG_TMP, WRITE_CIB_TMP, FSYNC_SIG_TMP, FSYNC_CIB_TMP, RENAME_CIB, RENAME_SIG, FSYNC_DIR,
        PRUNE, JOURNAL_START, JOURNAL_APPEND, JOURNAL_FSYNC
    }

    /** Called before each step of a write; production code uses none. */
    interface StepHook {
        void before(Step step) throws IOException;
    }

    private final Path dir;
    private final int keepVersions;
    private final StepHook hook;
    /** Whether {@link #save} appends to the journal (crmd) rather than rewriting cib.xml each time; load reads it either way. */
    private final boolean journaling;
    /** A journal this long (records, bytes) is folded into cib.xml at the next save. */
    private final int journalMaxRecords;
    static final long JOURNAL_MAX_BYTES = 8L << 20;
    public static final int DEFAULT_JOURNAL_RECORDS = 100;
    /** What cib.xml plus the journal hold, as last loaded or written by this store; null when unknown. */
    private Cib onDisk;
    /** The journal open for appends (journaling only), its length in bytes and records; null: the next save compacts. */
    private FileChannel journal;
    private long journalLength;
    private int journalRecords;
    /** What the last load found wrong with the journal (a torn tail discarded, a stale journal), or null. */
    private String journalNote;

    /** A store in {@code dir} (created when missing) keeping the last {@value #DEFAULT_KEEP_VERSIONS} versions. */
    public CibStore(Path dir) {
        this(dir, DEFAULT_KEEP_VERSIONS);
    }

    public CibStore(Path dir, int keepVersions) {
        this(dir, keepVersions, step -> { });
    }

    CibStore(Path dir, int keepVersions, StepHook hook) {
        this(dir, keepVersions, hook, 0);
    }

    /**
     * {@code journalMaxRecords} > 0: a journaling store (see {@link #journaling}); 0: every save
     * rewrites cib.xml.
     */
    CibStore(Path dir, int keepVersions, StepHook hook, int journalMaxRecords) {
        if (keepVersions < 0) {
            throw new IllegalArgumentException("keepVersions must be >= 0: " + keepVersions);
        }
        if (journalMaxRecords < 0) {
            throw new IllegalArgumentException("journalMaxRecords must be >= 0: " + journalMaxRecords);
        }
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
        this.keepVersions = keepVersions;
        this.hook = hook;
        this.journaling = journalMaxRecords > 0;
        this.journalMaxRecords = journalMaxRecords;
    }

    /**
     * A store whose saves append the change to {@code cib.xml.journal} (one small record and one
     * fdatasync) and rewrite {@code cib.xml} only every {@code journalMaxRecords} saves (or
     * {@value #JOURNAL_MAX_BYTES} bytes), and at {@link #compact}: crmd's, where every
     * acknowledged change waits for this store. Between compactions cib.xml is the last compacted
     * CIB and the journal the changes since; {@link #load} (of any store) reads both.
     */
    public static CibStore journaling(Path dir, int journalMaxRecords) {
        if (journalMaxRecords < 1) {
            throw new IllegalArgumentException("journalMaxRecords must be >= 1: " + journalMaxRecords);
        }
        return new CibStore(dir, DEFAULT_KEEP_VERSIONS, step -> { }, journalMaxRecords);
    }

    /** The journal beside cib.xml. */
    public Path journalFile() {
        return dir.resolve(CIB_FILE + JOURNAL_SUFFIX);
    }

    /**
     * What the last {@link #load} found wrong with the journal and did about it (a torn tail
     * discarded, a journal left from before a compaction ignored), for the log; null when nothing.
     */
    public synchronized String journalNote() {
        return journalNote;
    }

    public Path directory() {
        return dir;
    }

    public Path cibFile() {
        return dir.resolve(CIB_FILE);
    }

    private Path sigFile() {
        return dir.resolve(CIB_FILE + SIG_SUFFIX);
    }

    private Path cibTmp() {
        return dir.resolve(CIB_FILE + ".tmp");
    }

    private Path sigTmp() {
        return dir.resolve(CIB_FILE + SIG_SUFFIX + ".tmp");
    }

    /**
     * The stored CIB, or empty when the directory holds none yet.
     *
     * @throws CibStoreException when cib.xml does not match its digest, has none, or cannot be
     *     read or parsed; the file is left as it is, for inspection
     */
    public synchronized Optional<Cib> load() throws CibStoreException {
        if (!Files.exists(cibFile())) {
            return Optional.empty();
        }
        try (DirectoryLock lock = lock(false)) {
            Cib loaded = loadLocked();
            onDisk = loaded;
            if (stored == null || !stored.equals(loaded)) {
                stored = loaded;
                storedErrors = null;
                acceptedConfiguration = null;
            }
            return Optional.of(loaded);
        }
    }

    private Cib loadLocked() throws CibStoreException {
        Path cib = cibFile();
        byte[] bytes = verifiedBytes();
        String xml = new String(bytes, StandardCharsets.UTF_8);
        Cib base;
        try {
            base = Cib.parse(cib.toString(), xml);
        } catch (CibException e) {
            throw new CibStoreException(cib, cib + " matches its digest but is not a readable CIB: "
                    + e.getMessage() + "; restore a backup (cib-<n>.xml in " + dir + ") or fix the file and re-sign it", e);
        }
        return replayJournal(base, sha256(bytes));
    }

    /**
     * cib.xml ({@code base}, whose digest is {@code baseDigest}) with the journal's records applied,
     * in order, up to the first that is incomplete or damaged: a record is written whole and
     * fdatasynced before the save returns, so such a record (a write a crash cut short) was never
     * acknowledged, and it and anything after it are discarded (named in {@link #journalNote}; the
     * next append overwrites them). A journal whose header names another cib.xml is from before a
     * compaction that completed (cib.xml already holds its records): ignored, replaced at the next save.
     */
    private Cib replayJournal(Cib base, String baseDigest) throws CibStoreException {
        closeJournal();
        journalNote = null;
        Path file = journalFile();
        byte[] bytes = readIfExists(file);
        if (bytes == null) {
            return base;
        }
        int headerEnd = indexOf(bytes, 0, (byte) '\n');
        String header = headerEnd < 0 ? "" : new String(bytes, 0, headerEnd, StandardCharsets.US_ASCII);
        if (!header.equals(JOURNAL_HEADER + baseDigest)) {
            journalNote = header.startsWith(JOURNAL_HEADER) ? "ignored " + file + ": it extends an earlier " + CIB_FILE
                    + " (a compaction finished before the journal was replaced; " + CIB_FILE + " holds its records)"
                    : "ignored " + file + ": no journal header (a compaction cut short before its journal's first record)";
            return base;
        }
        Cib cur = base;
        int pos = headerEnd + 1;
        int records = 0;
        String damage = null;
        while (pos < bytes.length) {
            int lineEnd = indexOf(bytes, pos, (byte) '\n');
            String[] head = lineEnd < 0 ? new String[0]
                    : new String(bytes, pos, lineEnd - pos, StandardCharsets.US_ASCII).split(" ");
            if (head.length != 3 || !head[0].equals("R")) {
                damage = lineEnd < 0 ? "an incomplete record header" : "a record header that is not one";
                break;
            }
            int length;
            long crc;
            try {
                length = Integer.parseInt(head[1]);
                crc = Long.parseLong(head[2], 16);
            } catch (NumberFormatException e) {
                damage = "a record header that is not one";
                break;
            }
            int payload = lineEnd + 1;
            if (length < 0 || (long) payload + length + 1 > bytes.length) {
                damage = "a record shorter than its header says (" + (bytes.length - payload) + " of " + length + " bytes)";
                break;
            }
            if (crc32c(bytes, payload, length) != crc || bytes[payload + length] != '\n') {
                damage = "a record whose checksum does not match";
                break;
            }
            try {
                cur = CibDiff.fromJson(new String(bytes, payload, length, StandardCharsets.UTF_8)).apply(cur);
            } catch (CibException e) {
                damage = "a record that does not apply to the CIB before it (" + e.getMessage() + ")";
                break;
            }
            records++;
            pos = payload + length + 1;
        }
        if (damage != null) {
            journalNote = "discarded the last " + (bytes.length - pos) + " bytes of " + file + " (from offset " + pos
                    + ", after " + records + " whole records): " + damage + ", a write cut short by a crash and never"
                    + " acknowledged; the CIB is " + cur.version();
        }
        if (journaling) {
            try {
                journal = FileChannel.open(file, StandardOpenOption.WRITE);
                journalLength = pos;
                journalRecords = records;
            } catch (IOException e) {
                journal = null; // the next save compacts
            }
        }
        return cur;
    }

    static final String JOURNAL_HEADER = "pulse-cib-journal 1 ";

    private static int indexOf(byte[] bytes, int from, byte b) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static long crc32c(byte[] bytes, int off, int len) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(bytes, off, len);
        return c.getValue();
    }

    private void closeJournal() {
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException ignored) {
                // nothing was pending: every append was forced before it returned
            }
            journal = null;
        }
    }

    /**
     * Folds the journal into cib.xml (a whole write of the CIB it holds), so that cib.xml alone is
     * the CIB again, as Pacemaker's tools read it; crmd calls this when it stops. Nothing to do
     * when the journal is empty or this store has not loaded or written yet.
     */
    public synchronized void compact() throws CibStoreException {
        if (onDisk != null && journal != null && journalRecords > 0) {
            try (DirectoryLock lock = lock(true)) {
                fullWrite(onDisk);
            }
        }
    }

    /** Reads cib.xml and checks it against its digest, finishing an interrupted write if that is the case. */
    private byte[] verifiedBytes() throws CibStoreException {
        Path cib = cibFile();
        byte[] bytes;
        try {
            bytes = XmlParser.readFile(cib);   // (no native copy of the whole file beside it)
        } catch (IOException e) {
            throw new CibStoreException(cib, "cannot read " + cib + ": " + e + "; check its permissions and the disk", e);
        }
        String actual = sha256(bytes);
        String expected = readDigest(sigFile());
        if (actual.equals(expected)) {
            return bytes;
        }
        // A write that stopped between its two renames: the new cib.xml is in place and its
        // digest, already durable, still waits in the temporary file. Finish the write.
        if (actual.equals(readDigest(sigTmp()))) {
            try {
                Files.move(sigTmp(), sigFile(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                fsyncDirectory();
            } catch (IOException e) {
                throw new CibStoreException(sigFile(), "cannot finish the interrupted write of " + cib
                        + " (renaming " + sigTmp() + " to " + sigFile() + "): " + e + "; check the disk", e);
            }
            return bytes;
        }
        // A file system that made the second rename durable without the first (both are made durable
        // by one directory fsync): the new digest has its name, the new CIB is still the temporary
        // file. Finish the write.
        byte[] pending = expected == null ? null : readIfExists(cibTmp());
        if (pending != null && sha256(pending).equals(expected)) {
            try {
                Files.move(cibTmp(), cib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                fsyncDirectory();
            } catch (IOException e) {
                throw new CibStoreException(cib, "cannot finish the interrupted write of " + cib + " (renaming "
                        + cibTmp() + " to " + cib + "): " + e + "; check the disk", e);
            }
            return pending;
        }
        if (expected == null) {
            throw new CibStoreException(cib, cib + " has no digest file " + sigFile() + ", so Pulse cannot tell it is intact; "
                    + "if you placed it there yourself and trust it, sign it with: sha256sum " + cib + " > " + sigFile());
        }
        throw new CibStoreException(cib, cib + " does not match its digest in " + sigFile()
                + " (SHA-256 of the file is " + actual + ", the digest file says " + expected + "): the file was changed "
                + "outside Pulse or damaged. It is left in place for inspection. Restore a backup (cib-<n>.xml with its .sig in "
                + dir + "), or, if you changed it on purpose and trust it, re-sign it with: sha256sum " + cib + " > " + sigFile());
    }

    private static byte[] readIfExists(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** The hex digest from a digest file ("hex" or sha256sum's "hex  name"), or null when absent or empty. */
    private static String readDigest(Path sig) {
        try {
            String s = Files.readString(sig, StandardCharsets.UTF_8).strip();
            int space = s.indexOf(' ');
            String hex = space < 0 ? s : s.substring(0, space);
            return hex.isEmpty() ? null : hex.toLowerCase(java.util.Locale.ROOT);
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Writes {@code cib} as the stored CIB, as it is. For CIBs the cluster has already accepted
     * (crmd persisting what the DC committed, or a CIB adopted at join): every node must store
     * what the cluster decided, so the content is not judged here; a change from outside is
     * checked before it is committed, with {@link CibValidator} or {@link #saveChecked}.
     *
     * @throws CibStoreException when the disk refuses (the previous CIB is still loadable)
     */
    public synchronized void save(Cib cib) throws CibStoreException {
        write(cib);
        stored = cib;
        storedErrors = null;
        acceptedConfiguration = null;
    }

    /**
     * Checks {@code cib} with {@link CibValidator} and writes it as the stored CIB. Refused are
     * errors the stored CIB does not have already: a change must not make the CIB worse, but a
     * CIB that was stored (or placed by an operator) before a check existed can still take
     * status updates and fixes.
     *
     * @throws CibException listing the new errors (nothing on disk changes), or a
     *     {@link CibStoreException} when the disk refuses (the previous CIB is still loadable)
     */
    public synchronized void saveChecked(Cib cib) throws CibException {
        XmlElement configuration = cib.root().element("configuration").orElse(null);
        List<CibProblem> errors;
        boolean complete = !(configuration != null && configuration == acceptedConfiguration);
        if (!complete) {
            // A status update shares the configuration accepted last time (the same object, so
            // the same content): checking it again would only cost time on every operation result.
            errors = errors(CibValidator.validateAllButConfiguration(cib));
        } else {
            errors = errors(CibValidator.validate(cib));
        }
        refuseNewErrors(cib, errors);
        write(cib);
        remember(cib, errors, complete);
    }

    /**
     * Parses, checks and stores XML text from outside ({@code source} names it in errors), under
     * the same rule as {@link #saveChecked}.
     *
     * @return the stored CIB
     * @throws CibException naming every new error; nothing on disk changes
     */
    public synchronized Cib saveXml(String source, String xml) throws CibException {
        Cib cib = Cib.parse(source, xml);
        List<CibProblem> errors = errors(CibValidator.validate(cib));
        refuseNewErrors(cib, errors);
        write(cib);
        remember(cib, errors, true);
        return cib;
    }

    /** The configuration of the CIB last loaded or written, whose errors (if any) are tolerated. */
    private XmlElement acceptedConfiguration;
    private Cib stored;
    /** Errors of {@link #stored}, keyed without their line numbers (lines move when a CIB is edited). */
    private java.util.Set<String> storedErrors;

    private static List<CibProblem> errors(List<CibProblem> problems) {
        return problems.stream().filter(CibProblem::isError).toList();
    }


    private void refuseNewErrors(Cib cib, List<CibProblem> errors) throws CibException {
        if (errors.isEmpty()) {
            return;
        }
        if (storedErrors == null) {
            storedErrors = new java.util.HashSet<>();
            if (stored != null) {
                errors(CibValidator.validate(stored)).forEach(p -> storedErrors.add(p.identity()));
            }
        }
        List<CibProblem> fresh = errors.stream().filter(p -> !storedErrors.contains(p.identity())).toList();
        if (!fresh.isEmpty()) {
            throw new CibException(cib.source() + " is not a valid CIB (" + fresh.size()
                    + (fresh.size() == 1 ? " error)" : " errors)"), fresh);
        }
    }

    /**
     * After a write: {@code errors} are all of {@code cib}'s errors when {@code complete}, or only
     * those outside the configuration when the configuration was the accepted one (its errors,
     * if any, are still those known).
     */
    private void remember(Cib cib, List<CibProblem> errors, boolean complete) {
        stored = cib;
        acceptedConfiguration = cib.root().element("configuration").orElse(null);
        if (complete || storedErrors != null) {
            java.util.Set<String> keys = complete ? new java.util.HashSet<>() : new java.util.HashSet<>(storedErrors);
            errors.forEach(p -> keys.add(p.identity()));
            storedErrors = keys;
        }
        // else unknown: computed from `stored` when first needed
    }

    /**
     * Held while reading or writing, so that two processes given the same directory by mistake
     * (two crmd on one machine, or crm reading while crmd writes) never see each other's
     * half-done steps. An flock-style lock: the kernel drops it when the process dies.
     */
    private final class DirectoryLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        DirectoryLock(boolean forWriting) throws CibStoreException {
            Path lockFile = dir.resolve(CIB_FILE + ".lock");
            FileChannel ch;
            boolean shared = false;
            try {
                if (forWriting) {
                    Files.createDirectories(dir);
                }
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            } catch (AccessDeniedException e) {
                if (forWriting) {
                    throw new CibStoreException(lockFile, "cannot open the lock file " + lockFile + ": permission denied; "
                            + "write the CIB as the user that owns " + dir, e);
                }
                // A reader without write access (crm run by an operator) still waits for a
                // writer through a shared lock, when the lock file is there to be read.
                try {
                    ch = FileChannel.open(lockFile, StandardOpenOption.READ);
                    shared = true;
                } catch (IOException noLock) {
                    ch = null;
                }
            } catch (IOException e) {
                throw new CibStoreException(lockFile, "cannot open the lock file " + lockFile + ": " + e
                        + "; check that " + dir + " is writable by this user", e);
            }
            channel = ch;
            if (channel == null) {
                lock = null;
                return;
            }
            try {
                lock = channel.lock(0, Long.MAX_VALUE, shared);
            } catch (IOException | RuntimeException e) {
                closeQuietly();
                throw new CibStoreException(lockFile, "cannot lock " + lockFile + ": " + e, e);
            }
        }

        private void closeQuietly() {
            if (channel == null) {
                return;
            }
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock; nothing else to undo
            }
        }

        @Override
        public void close() {
            try {
                if (lock != null) {
                    lock.release();
                }
            } catch (IOException ignored) {
                // the channel's close below releases it as well
            }
            closeQuietly();
        }
    }

    private DirectoryLock lock(boolean forWriting) throws CibStoreException {
        return new DirectoryLock(forWriting);
    }

    private void write(Cib cib) throws CibStoreException {
        try (DirectoryLock lock = lock(true)) {
            if (journaling && onDisk != null && journal != null && journalRecords < journalMaxRecords
                    && journalLength < JOURNAL_MAX_BYTES) {
                try {
                    append(cib);
                    return;
                } catch (IOException e) {
                    // A record half written (a full disk): the whole write below starts a new journal, or
                    // fails naming the disk, and the old CIB stays loadable either way.
                    closeJournal();
                }
            }
            fullWrite(cib);
        }
    }

    /**
     * One change as a journal record: {@code R <bytes> <crc32c>}, a line of JSON (the diff from
     * the CIB before), a newline; written at the end of the last whole record (overwriting
     * whatever a failed append left) and fdatasynced: the one disk flush of a save.
     */
    private void append(Cib cib) throws IOException {
        step(Step.JOURNAL_APPEND);
        byte[] payload = CibDiff.diff(onDisk, cib).toJson().getBytes(StandardCharsets.UTF_8);
        byte[] head = ("R " + payload.length + " " + Long.toHexString(crc32c(payload, 0, payload.length)) + "\n")
                .getBytes(StandardCharsets.US_ASCII);
        ByteBuffer buf = ByteBuffer.allocate(head.length + payload.length + 1).put(head).put(payload).put((byte) '\n')
                .flip();
        if (journal.size() != journalLength) {
            journal.truncate(journalLength);
        }
        long at = journalLength;
        while (buf.hasRemaining()) {
            at += journal.write(buf, at);
        }
        step(Step.JOURNAL_FSYNC);
        journal.force(false);
        journalLength = at;
        journalRecords++;
        onDisk = cib;
    }

    /**
     * cib.xml rewritten whole (the steps in the class comment); then, for a journaling store, a new
     * empty journal naming the new cib.xml replaces the old one, and for any other store an old
     * journal is removed. Either only once the new cib.xml is durable under its name: until then
     * the old journal, extending the old cib.xml, is what a crash must find.
     */
    private void fullWrite(Cib cib) throws CibStoreException {
        closeJournal();
        String digest = writeLocked(cib);
        onDisk = cib;
        Path file = journalFile();
        try {
            if (journaling) {
                step(Step.JOURNAL_START);
                Path tmp = dir.resolve(CIB_FILE + JOURNAL_SUFFIX + ".tmp");
                byte[] header = (JOURNAL_HEADER + digest + "\n").getBytes(StandardCharsets.US_ASCII);
                // Not forced here: the first record's fdatasync carries the header with it, and a crash
                // before that leaves an empty journal, which loads as none.
                writeFile(tmp, header).close();
                move(tmp, file);
                fsyncDirectory();
                journal = FileChannel.open(file, StandardOpenOption.WRITE);
                journalLength = header.length;
                journalRecords = 0;
            } else if (Files.deleteIfExists(file)) {
                fsyncDirectory();
            }
        } catch (IOException e) {
            closeJournal(); // cib.xml is written and durable; the next save tries a journal again
            if (!journaling) {
                throw new CibStoreException(file, "wrote " + cibFile() + " but cannot remove the old journal " + file
                        + ": " + e + "; remove it by hand before crmd starts, or it is applied to the new CIB", e);
            }
        }
    }

    /** @return the digest of the bytes written */
    private String writeLocked(Cib cib) throws CibStoreException {
        byte[] bytes = cib.toXml().getBytes(StandardCharsets.UTF_8);
        String digest = sha256(bytes);
        try {
            Files.createDirectories(dir);
            keepCurrent();
            step(Step.WRITE_SIG_TMP);
            try (FileChannel sig = writeFile(sigTmp(), (digest + "  " + CIB_FILE + "\n").getBytes(StandardCharsets.US_ASCII))) {
                step(Step.WRITE_CIB_TMP);
                try (FileChannel data = writeFile(cibTmp(), bytes)) {
                    step(Step.FSYNC_SIG_TMP);
                    step(Step.FSYNC_CIB_TMP);
                    forceBoth(sig, data);
                }
            }
            step(Step.RENAME_CIB);
            move(cibTmp(), cibFile());
            step(Step.RENAME_SIG);
            move(sigTmp(), sigFile());
            step(Step.FSYNC_DIR);
            fsyncDirectory();
            step(Step.PRUNE);
            prune();
            return digest;
        } catch (IOException e) {
            throw new CibStoreException(cibFile(), "cannot write the CIB to " + cibFile() + ": " + e
                    + "; the previous CIB is still in place. Check free space and permissions of " + dir, e);
        }
    }

    /**
     * Before replacing cib.xml: a verified one becomes the next backup (a hard link, so no copy and
     * no window without the file); one that fails its check is moved aside, never overwritten.
     */
    private void keepCurrent() throws IOException {
        Path cib = cibFile();
        if (!Files.exists(cib)) {
            return;
        }
        boolean verified;
        try {
            verifiedBytes();
            verified = true;
        } catch (CibStoreException e) {
            verified = false;
        }
        if (verified) {
            if (keepVersions == 0) {
                return;
            }
            step(Step.BACKUP);
            long n = highest(BACKUP) + 1;
            Path backup = dir.resolve("cib-" + n + ".xml");
            Path backupSig = dir.resolve("cib-" + n + ".xml" + SIG_SUFFIX);
            Files.deleteIfExists(backupSig);
            Files.deleteIfExists(backup);
            Files.createLink(backup, cib);
            Files.copy(sigFile(), backupSig, StandardCopyOption.REPLACE_EXISTING);
        } else {
            step(Step.SET_ASIDE);
            long n = highest(REFUSED) + 1;
            Path aside = dir.resolve(CIB_FILE + ".refused-" + n);
            Files.createLink(aside, cib);
            if (Files.exists(sigFile())) {
                Path asideSig = dir.resolve(CIB_FILE + ".refused-" + n + SIG_SUFFIX);
                Files.deleteIfExists(asideSig);
                Files.copy(sigFile(), asideSig);
            }
            fsyncDirectory();
        }
    }

    /** The backups on disk, oldest first. */
    public List<Path> backups() throws IOException {
        return new ArrayList<>(numbered(BACKUP).values());
    }

    /** Files set aside because they failed their check when a new CIB was written, oldest first. */
    public List<Path> setAside() throws IOException {
        return new ArrayList<>(numbered(REFUSED).values());
    }

    private void prune() throws IOException {
        TreeMap<Long, Path> backups = numbered(BACKUP);
        while (backups.size() > keepVersions) {
            Path oldest = backups.pollFirstEntry().getValue();
            Files.deleteIfExists(dir.resolve(oldest.getFileName() + SIG_SUFFIX));
            Files.deleteIfExists(oldest);
        }
    }

    private long highest(Pattern p) throws IOException {
        TreeMap<Long, Path> m = numbered(p);
        return m.isEmpty() ? 0 : m.lastKey();
    }

    private TreeMap<Long, Path> numbered(Pattern p) throws IOException {
        TreeMap<Long, Path> out = new TreeMap<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                Matcher m = p.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.put(Long.parseLong(m.group(1)), f);
                }
            }
        }
        return out;
    }

    private void step(Step s) throws IOException {
        hook.before(s);
    }

    /** Creates {@code file} with {@code bytes}, not yet forced to disk; the caller forces and closes it. */
    private FileChannel writeFile(Path file, byte[] bytes) throws IOException {
        Files.deleteIfExists(file);
        FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), ownerOnly());
        try {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Forces both files to disk, the first on a helper thread while this one forces the second: a
     * journaling file system commits concurrent fsyncs in one transaction, so two files cost about
     * one flush. Returns once both are durable; throws if either failed.
     */
    private static void forceBoth(FileChannel first, FileChannel second) throws IOException {
        java.util.concurrent.CompletableFuture<Void> other = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                first.force(true);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, FSYNC_HELPER);
        IOException mine = null;
        try {
            second.force(true);
        } catch (IOException e) {
            mine = e;
        }
        try {
            other.join();
        } catch (java.util.concurrent.CompletionException e) {
            IOException theirs = e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause()
                    : new IOException("fsync failed: " + e.getCause(), e.getCause());
            if (mine != null) {
                mine.addSuppressed(theirs);
            } else {
                mine = theirs;
            }
        }
        if (mine != null) {
            throw mine;
        }
    }

    /** One daemon thread for the second fsync of every store in the process (saves are short and rare). */
    private static final java.util.concurrent.ExecutorService FSYNC_HELPER = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "pulse-cib-fsync");
                t.setDaemon(true);
                return t;
            });

    private FileAttribute<?>[] ownerOnly() {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))};
        }
        return new FileAttribute<?>[0];
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + to.getParent() + " cannot rename atomically; "
                    + "keep the CIB directory on a local file system", e);
        }
    }

    /** Makes the renames durable: without it a crash may forget a rename that already happened. */
    private void fsyncDirectory() throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
