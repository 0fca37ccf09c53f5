package org.pulse.cib;

import java.nio.file.Path;

/**
 * The on-disk CIB cannot be used: its digest does not match, it cannot be read, or it cannot
 * be written. The message names the file and what to do. Files that fail their check are left
 * in place (and set aside, never overwritten, when a new CIB is written later).
 */
public final class CibStoreException extends CibException {
    private static final long serialVersionUID = 1L;
    private final transient Path path;

    CibStoreException(Path path, String message) {
        super(message);
        this.path = path;
    }

    CibStoreException(Path path, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
    }

    /** The file (or directory) concerned. */
    public Path path() {
        return path;
    }
}
