package org.pulse.crmd.controller;

import java.util.Objects;

/**
 * The result of an {@link OpRequest} (for a recurring monitor: of one of its runs). {@code rc} is
 * the OCF exit code; {@code status} says whether it ran to completion at all. {@code output} is the
 * agent's stdout where the controller needs it (a fence device's {@code list}, which names the nodes
 * it can fence), else empty.
 */
public record OpResult(String opKey, String resourceId, AgentSpec agent, String action, long intervalMs, int rc,
        OpStatus status, String exitReason, long execMs, String output) {
    /** Output kept of a list action: bounded, since it travels to the DC. */
    public static final int MAX_OUTPUT_CHARS = 64 * 1024;

    public OpResult {
        Objects.requireNonNull(opKey, "opKey");
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(status, "status");
        exitReason = exitReason == null ? "" : exitReason;
        output = output == null ? "" : output.length() > MAX_OUTPUT_CHARS ? output.substring(0, MAX_OUTPUT_CHARS)
                : output;
    }

    public OpResult(String opKey, String resourceId, AgentSpec agent, String action, long intervalMs, int rc,
            OpStatus status, String exitReason, long execMs) {
        this(opKey, resourceId, agent, action, intervalMs, rc, status, exitReason, execMs, "");
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
