package org.pulse.crmd.controller;

import java.util.Map;
import java.util.Objects;

/**
 * One operation for a node's LRM: run {@code action} of {@code resourceId}'s agent with these
 * parameters within {@code timeoutMs}; {@code intervalMs > 0} makes it recurring (a monitor).
 * {@code opKey} names it uniquely (transition, action, view) so its result finds its action.
 */
public record OpRequest(String opKey, String resourceId, AgentSpec agent, String action, long intervalMs,
        long timeoutMs, Map<String, String> params) {
    public OpRequest {
        Objects.requireNonNull(opKey, "opKey");
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(action, "action");
        params = Map.copyOf(params);
        if (timeoutMs <= 0 || intervalMs < 0) {
            throw new IllegalArgumentException("bad timing for " + opKey + ": timeoutMs=" + timeoutMs
                    + " intervalMs=" + intervalMs);
        }
    }

    public boolean recurring() {
        return intervalMs > 0;
    }
}
