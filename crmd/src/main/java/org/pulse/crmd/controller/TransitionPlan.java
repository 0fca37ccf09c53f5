package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A transition graph: actions with their inputs; {@code source} says who made it (policy engine, probes, ...).
 * {@code unclean}: the nodes the policy engine found unclean (they need fencing), with why; the DC reports
 * what waits for them when their fencing cannot run.
 */
public record TransitionPlan(String source, List<PlannedAction> actions, Map<String, String> unclean) {
    /** The source of a plan the policy engine made (replayable from its saved input). */
    public static final String POLICY_ENGINE = "policy-engine";

    public TransitionPlan {
        actions = List.copyOf(actions);
        unclean = Map.copyOf(unclean);
    }

    public TransitionPlan(String source, List<PlannedAction> actions) {
        this(source, actions, Map.of());
    }

    /** The nodes this plan fences, in action order. */
    public List<String> fenceTargets() {
        List<String> out = new ArrayList<>();
        for (PlannedAction a : actions) {
            if (a.isFence() && !out.contains(a.fenceTarget())) {
                out.add(a.fenceTarget());
            }
        }
        return out;
    }

    /**
     * The actions in the canonical form of the conformance cases (org.pulse.policy.Transition#canonical's
     * "== actions ==" part: one sorted line per real action, pseudo events left out), so that what the DC
     * ran can be compared with {@code crm simulate --canonical} on the saved input.
     */
    public String canonicalActions() {
        List<String> lines = new ArrayList<>();
        for (PlannedAction a : actions) {
            String l = canonicalLine(a);
            if (l != null) {
                lines.add(l);
            }
        }
        return org.pulse.policy.Transition.actionsSection(lines);
    }

    private static String canonicalLine(PlannedAction a) {
        Map<String, String> p = a.params();
        if (a.operation().equals("pseudo")) {
            return null;
        }
        if (a.isFence()) {
            return "fence " + a.fenceTarget() + " (" + a.operation() + ")";
        }
        if (a.operation().equals("do_shutdown")) {
            return "shutdown " + a.node();
        }
        if (a.resourceId().isEmpty()) {
            return a.operation() + " " + a.node();
        }
        String role = p.get("CRM_meta_role");
        String rs = role == null ? "" : " role=" + role;
        return switch (a.operation()) {
            case "monitor" -> "monitor " + a.resourceId() + " " + a.node() + " interval=" + a.intervalMs() + rs;
            case "cancel" -> "cancel " + a.resourceId() + " " + a.node() + " "
                    + p.getOrDefault("CRM_meta_operation", "monitor") + " interval=" + a.intervalMs() + rs;
            case "notify" -> "notify " + a.resourceId() + " " + a.node() + " " + p.get("CRM_meta_notify_type") + "-"
                    + p.get("CRM_meta_notify_operation");
            case "migrate_to" -> "migrate_to " + a.resourceId() + " " + a.node() + " target="
                    + p.get("CRM_meta_migrate_target");
            case "migrate_from" -> "migrate_from " + a.resourceId() + " " + a.node() + " source="
                    + p.get("CRM_meta_migrate_source");
            default -> a.operation() + " " + a.resourceId() + " " + a.node();
        };
    }

    public boolean isEmpty() {
        return actions.isEmpty();
    }
}
