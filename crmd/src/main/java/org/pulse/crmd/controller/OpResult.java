package org.pulse.crmd.controller;

import java.util.Objects;

/**
 * The result of an {@link OpRequest} (for a recurring monitor: of one of its runs). {@code rc} is
 * the OCF exit code; {@code status} says whether it ran to completion at all.
 */
public record OpResult(String opKey, String resourceId, AgentSpec agent, String action, long intervalMs, int rc,
        OpStatus status, String exitReason, long execMs) {
    public OpResult {
        Objects.requireNonNull(opKey, "opKey");
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        exitReason = exitReason == null ? "" : exitReason;
    }

    public static OpResult of(OpRequest req, int rc, OpStatus status, String exitReason, long execMs) {
        return new OpResult(req.opKey(), req.resourceId(), req.agent(), req.action(), req.intervalMs(), rc, status,
                exitReason, execMs);
    }

    /** Ran to completion with this rc. */
    public boolean is(int expectedRc) {
        return status == OpStatus.DONE && rc == expectedRc;
    }
}
