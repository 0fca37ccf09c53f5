package org.pulse.policy;

/**
 * Formerly the one class holding stages 5–7; they are now stages of their own, listed in
 * {@link PolicyEngine#schedule}. Kept only for {@link #cleanActiveCount}, which Unpack still
 * calls by this name.
 */
final class Planner {
    private Planner() {
    }

    /** See {@link ResourceActions#cleanActiveCount}. */
    static int cleanActiveCount(Rsc r) {
        return ResourceActions.cleanActiveCount(r);
    }
}
