package org.pulse.crmd.controller;

import java.util.Objects;
import org.pulse.cib.Cib;
import org.pulse.cib.CibVersion;

/**
 * The answer to an admin request. {@code code} is "ok" or a stable error code ({@link #NO_QUORUM},
 * ...); {@code message} is for a person. {@code version} is the CIB version the answer refers to
 * (for a write: the version that every member of the partition stored).
 */
public record AdminResult(String code, String message, CibVersion version, Cib cib, StatusReport status) {
    public static final String OK = "ok";
    public static final String NO_QUORUM = "no-quorum";
    public static final String NO_DC = "no-dc";
    public static final String INVALID = "invalid";
    public static final String CONFLICT = "conflict";
    public static final String TIMEOUT = "timeout";
    public static final String UNCERTAIN = "outcome-unknown";
    /** The request names something the CIB does not have (a node, a running resource). */
    public static final String NOT_FOUND = "not-found";
    /** Understood, but not something this cluster can do as it stands (the message says why and what to do). */
    public static final String REFUSED = "refused";
    /** The CIB's ACLs do not let the requester make this change (the message names the rule). */
    public static final String ACCESS_DENIED = "access-denied";

    public AdminResult {
        Objects.requireNonNull(code, "code");
        message = message == null ? "" : message;
    }

    public boolean ok() {
        return OK.equals(code);
    }

    /** Whether this answer tells a writer its change was stored (by every member of the partition). */
    public boolean confirmsWrite() {
        return ok() && version != null && cib == null && status == null;
    }

    static AdminResult error(String code, String message) {
        return new AdminResult(code, message, null, null, null);
    }

    static AdminResult written(CibVersion version, String message) {
        return new AdminResult(OK, message, version, null, null);
    }
}
