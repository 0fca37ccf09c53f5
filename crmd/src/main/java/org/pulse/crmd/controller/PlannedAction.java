package org.pulse.crmd.controller;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One action of a transition: run {@code operation} of a resource on {@code node}, after the
 * actions {@code inputs} (ids in the same plan) completed as expected. {@code fenceTarget} is
 * set for fencing actions ({@code operation} "off" or "reboot" of a stonith device run on the
 * DC); {@code expectedRc} is what counts as success (7 for a probe that expects "not running").
 */
public record PlannedAction(int id, String node, String resourceId, AgentSpec agent, String operation,
        long intervalMs, long timeoutMs, Map<String, String> params, int expectedRc, List<Integer> inputs,
        String fenceTarget) {
    public PlannedAction {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(resourceId, "resourceId");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(operation, "operation");
        params = Map.copyOf(params);
        inputs = List.copyOf(inputs);
    }

    public boolean isFence() {
        return fenceTarget != null;
    }

    /** Whether it may make a resource active somewhere (held back while that would be unsafe). */
    public boolean activates() {
        return switch (operation) {
            case "start", "promote", "migrate_from", "migrate_to" -> true;
            default -> false;
        };
    }

    public boolean isProbe() {
        return operation.equals("monitor") && intervalMs == 0;
    }

    @Override
    public String toString() {
        // A fence whose device the fencer picks when it runs (topology levels) has no resource yet.
        String what = isFence() ? "fence " + fenceTarget + " (" + operation
                + (resourceId.isEmpty() ? ", device chosen by the fencer" : " via " + resourceId) + ")"
                : resourceId + "_" + operation + "_" + intervalMs;
        return "#" + id + " " + what + " on " + node + (inputs.isEmpty() ? "" : " after " + inputs);
    }
}
