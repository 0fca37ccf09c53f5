package org.pulse.shell.source;

import org.pulse.cib.xml.XmlElement;
import org.pulse.shell.CrmException;

/**
 * Where the shell reads the CIB and writes changes: a file (offline, --cib-file / CIB_file), a
 * shadow copy, or a live cluster through crmd's admin socket.
 */
public interface CibSource {
    /** For the prompt: "live", or the shadow's name. */
    String name();

    /** For messages: the file path or the socket. */
    String describe();

    XmlElement load() throws CrmException;

    /**
     * Writes {@code after}, which was made from {@code before}; the version is bumped by the
     * CIB's rules. Refused (with nothing written) when the stored CIB is no longer {@code before}.
     * Returns the CIB as stored, with its new version.
     */
    XmlElement replace(XmlElement before, XmlElement after) throws CrmException;

    /**
     * The CIB for crm status, with what crmd says of its partition beyond the CIB: "quorum" (why it
     * is or is not quorate), "wait_for_all" ("true" while it waits), "blocked" (one "resource: why"
     * per line), "fencing_pending" (nodes, comma separated), "fencing_failed" (one "node: why" per line,
     * nodes whose fencing stopped at stonith-max-attempts), "fence_history" (one event per line, tab
     * separated: completed, target, action, result, device, executor, level, detail). No partition
     * words offline.
     */
    default ForStatus loadForStatus() throws CrmException {
        return new ForStatus(load(), java.util.Map.of());
    }

    /** See {@link #loadForStatus}. */
    record ForStatus(XmlElement cib, java.util.Map<String, String> partition) {
    }

    /** True when commands act on a running cluster (resource start really starts it). */
    default boolean live() {
        return false;
    }
}
