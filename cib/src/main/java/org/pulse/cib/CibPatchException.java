package org.pulse.cib;

/**
 * A diff that does not fit the CIB it was applied to: the CIB's version is not the one the
 * diff was made from, or (for a damaged diff) an element it names is not there. The CIB is
 * unchanged. A node that gets this from a replicated diff asks the DC for the whole CIB.
 */
public final class CibPatchException extends CibException {
    private static final long serialVersionUID = 1L;
    private final CibVersion cibVersion;
    private final CibVersion diffFrom;

    CibPatchException(String message, CibVersion cibVersion, CibVersion diffFrom) {
        super(message);
        this.cibVersion = cibVersion;
        this.diffFrom = diffFrom;
    }

    /** The version of the CIB the diff was applied to. */
    public CibVersion cibVersion() {
        return cibVersion;
    }

    /** The version the diff was made from. */
    public CibVersion diffFrom() {
        return diffFrom;
    }

    /** True when the refusal is a version mismatch (as opposed to a diff that names missing elements). */
    public boolean isVersionMismatch() {
        return !cibVersion.equals(diffFrom);
    }
}
