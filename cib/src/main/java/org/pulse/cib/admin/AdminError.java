package org.pulse.cib.admin;

import java.util.Objects;

/**
 * Why an operation failed: a stable {@code code} for programs and a {@code message} for the
 * person at the terminal (what went wrong, with which thing, and what to do).
 */
public record AdminError(String code, String message) {
    /** The request could not be read or lacks an argument. */
    public static final String BAD_REQUEST = "bad-request";
    /** The server does not know the operation. */
    public static final String UNKNOWN_OP = "unknown-op";
    /** The client speaks a protocol version the server does not. */
    public static final String UNSUPPORTED_VERSION = "unsupported-version";
    /** A resource, node or id named in the request does not exist. */
    public static final String NOT_FOUND = "not-found";
    /**
     * The request is understood but cannot be carried out as the cluster stands (crm node fence of the DC
     * itself, or with fencing off); the message says why and what to do instead.
     */
    public static final String REFUSED = "refused";
    /** The CIB in the request (or the result of the change) is not valid. */
    public static final String INVALID_CIB = "invalid-cib";
    /** A diff was made from another CIB version; fetch the CIB and retry. */
    public static final String VERSION_MISMATCH = "version-mismatch";
    /** Configuration writes are refused without quorum (unless forced). */
    public static final String NO_QUORUM = "no-quorum";
    /** The change could not be completed in time (e.g. not every member acknowledged it). */
    public static final String TIMEOUT = "timeout";
    /**
     * The caller may not do this: not a user crmd serves (neither root, hacluster nor haclient),
     * an operation its socket does not offer, or a change the CIB's ACLs forbid (the message names
     * the rule).
     */
    public static final String ACCESS_DENIED = "access-denied";
    /** The request is larger than the server can take on now (e.g. a CIB too big for crmd's heap). */
    public static final String TOO_LARGE = "too-large";
    /** The server is at its limit of work of this kind; retry in a moment (or do it elsewhere). */
    public static final String BUSY = "busy";
    /** Anything else; the message says what. */
    public static final String INTERNAL = "internal";

    public AdminError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
    }
}
