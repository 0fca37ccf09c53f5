package org.pulse.shell.source;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.pulse.cib.Cib;
import org.pulse.cib.CibException;
import org.pulse.cib.CibProblem;
import org.pulse.cib.CibStore;
import org.pulse.cib.CibStoreException;
import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;

/**
 * A CIB in a plain file, as Pacemaker's tools use with CIB_file: read whole, written whole,
 * atomically (temporary file in the same directory, fsync, rename, fsync the directory), so a
 * crash leaves the old or the new file and never half of one. A missing file reads as an empty
 * CIB and is created on the first commit.
 *
 * <p>A node's own stored CIB ({@code DATA_DIR/cib/cib.xml}, with {@code cib.xml.sig} beside it) is
 * not a plain file: crmd appends each change to {@code cib.xml.journal} and folds it into cib.xml
 * only now and then (and at a clean stop), so after a crash cib.xml alone is older than what the node
 * stored. Such a file is read and written through {@link CibStore}, as crmd does: the journal
 * replayed and the digest checked on reading, the signature and backups written on writing. Writing
 * it is for a stopped node only, as with Pacemaker's CIB_file on its live CIB: a running crmd keeps
 * its own copy and would not see the change.
 */
public final class FileCibSource implements CibSource {
    private final Path file;
    private final String name;

    public FileCibSource(Path file, String name) {
        this.file = file.toAbsolutePath().normalize();
        this.name = name;
    }

    public Path file() {
        return file;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        return file.toString();
    }

    /** Whether the file is a node's stored CIB (signed, maybe with a journal) rather than a plain file. */
    private boolean isNodeStore() {
        return file.getFileName().toString().equals(CibStore.CIB_FILE)
                && Files.exists(file.resolveSibling(CibStore.CIB_FILE + CibStore.SIG_SUFFIX));
    }

    private CibStore nodeStore() {
        return new CibStore(file.getParent());
    }

    private static XmlElement loadStore(CibStore store) throws CrmException {
        try {
            return store.load().map(Cib::root).orElseGet(() -> Cib.empty().root());
        } catch (CibStoreException e) {
            throw new CrmException("cannot read the node's stored CIB in " + store.directory() + ": " + e.getMessage());
        }
    }

    @Override
    public XmlElement load() throws CrmException {
        if (isNodeStore()) {
            return loadStore(nodeStore());
        }
        String xml;
        try {
            xml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Cib.empty().root();
        } catch (IOException e) {
            throw new CrmException("cannot read " + file + ": " + e.getMessage() + "; check the path and permissions");
        }
        try {
            return Cib.parse(file.toString(), xml).root();
        } catch (CibException e) {
            StringBuilder sb = new StringBuilder("cannot read the CIB in " + file);
            for (CibProblem p : e.problems()) {
                sb.append("\n  ").append(p.message());
            }
            throw new CrmException(sb.toString());
        }
    }

    public boolean exists() {
        return Files.exists(file);
    }

    @Override
    public XmlElement replace(XmlElement before, XmlElement after) throws CrmException {
        CibStore store = isNodeStore() ? nodeStore() : null;
        XmlElement current = load();
        if (!current.equals(before)) {
            throw new CrmException(file + " was changed by someone else since it was read; nothing was written. "
                    + "Run the command again (or 'refresh' to load the new content)");
        }
        Cib next = Cib.of(before).next(after);
        if (store == null) {
            write(file, next.toXml());
            return next.root();
        }
        try {
            store.save(next);
        } catch (CibStoreException e) {
            throw new CrmException("cannot write the node's stored CIB in " + store.directory() + ": " + e.getMessage()
                    + "; the stored CIB is unchanged");
        }
        return next.root();
    }

    public static void write(Path file, String content) throws CrmException {
        Path dir = file.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(StandardCharsets.UTF_8.encode(content));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            } catch (IOException ignored) {
                // some filesystems cannot fsync a directory; the rename is still atomic
            }
        } catch (IOException e) {
            throw new CrmException("cannot write " + file + ": " + e.getMessage()
                    + "; the file is unchanged. Check free space and permissions");
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a stray temporary file is harmless
                }
            }
        }
    }
}
