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
    public static final int DEFAULT_KEEP_VERSIONS = 10;
    private static final Pattern BACKUP = Pattern.compile("cib-([0-9]+)\\.xml");
    private static final Pattern REFUSED = Pattern.compile("cib\\.xml\\.refused-([0-9]+)");

    /** The points of a write at which a test can interrupt it (by throwing from the hook). */
    enum Step {
        BACKUP, SET_ASIDE, WRITE_SIG_TMP, WRITE_CIB_TMP, FSYNC_SIG_TMP, FSYNC_CIB_TMP, RENAME_CIB, RENAME_SIG, FSYNC_DIR,
        PRUNE
    }

    /** Called before each step of a write; production code uses none. */
    interface StepHook {
        void before(Step step) throws IOException;
    }

    private final Path dir;
    private final int keepVersions;
    private final StepHook hook;

    /** A store in {@code dir} (created when missing) keeping the last {@value #DEFAULT_KEEP_VERSIONS} versions. */
    public CibStore(Path dir) {
        this(dir, DEFAULT_KEEP_VERSIONS);
    }

    public CibStore(Path dir, int keepVersions) {
        this(dir, keepVersions, step -> { });
    }

    CibStore(Path dir, int keepVersions, StepHook hook) {
        if (keepVersions < 0) {
            throw new IllegalArgumentException("keepVersions must be >= 0: " + keepVersions);
        }
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath();
        this.keepVersions = keepVersions;
        this.hook = hook;
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
        try {
            return Cib.parse(cib.toString(), xml);
        } catch (CibException e) {
            throw new CibStoreException(cib, cib + " matches its digest but is not a readable CIB: "
                    + e.getMessage() + "; restore a backup (cib-<n>.xml in " + dir + ") or fix the file and re-sign it", e);
        }
    }

    /** Reads cib.xml and checks it against its digest, finishing an interrupted write if that is the case. */
    private byte[] verifiedBytes() throws CibStoreException {
        Path cib = cibFile();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(cib);
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
            writeLocked(cib);
        }
    }

    private void writeLocked(Cib cib) throws CibStoreException {
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
