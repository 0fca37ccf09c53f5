package org.pulse.crmd.controller;

import java.util.List;

/** A transition graph: actions with their inputs; {@code source} says who made it (policy engine, probes, ...). */
public record TransitionPlan(String source, List<PlannedAction> actions) {
    public TransitionPlan {
        actions = List.copyOf(actions);
    }

    public boolean isEmpty() {
        return actions.isEmpty();
    }
}
