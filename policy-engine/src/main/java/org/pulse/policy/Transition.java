package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler decided: the actions with their inputs (a DAG the transition engine walks),
 * the nodes and resources before and after, and for every resource the explanation of its
 * placement. Immutable; the same CIB and time give an equal transition.
 *
 * @param actions          in id order; an action may run once every action in its inputs completed
 * @param placementBefore  one entry per primitive (and per clone instance) as the history says
 * @param placementAfter   the same once every action has succeeded
 * @param explanations     per resource (primitive or group): the scores and their sources, on request
 * @param summary          what happens to each resource as a whole, as crm_simulate's "Transition Summary" says it
 */
public record Transition(List<Action> actions, List<NodeSummary> nodes, List<Placement> placementBefore,
                         List<Placement> placementAfter, Explainer explanations,
                         List<String> canonicalPlacement, List<SummaryItem> summary) {
    public Transition {
        actions = List.copyOf(actions);
        nodes = List.copyOf(nodes);
        placementBefore = List.copyOf(placementBefore);
        placementAfter = List.copyOf(placementAfter);
        canonicalPlacement = List.copyOf(canonicalPlacement);
        summary = List.copyOf(summary);
    }

    /**
     * The "== actions ==" section of the canonical text from its action lines (sorted here): one shape for the
     * engine's transition and for what crmd's DC ran (TransitionPlan#canonicalActions), so the two compare.
     */
    public static String actionsSection(List<String> actionLines) {
        List<String> lines = new ArrayList<>(actionLines);
        Collections.sort(lines);
        StringBuilder sb = new StringBuilder("== actions ==\n");
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    /** The canonical text of ../shared/conformance/README.md: sorted action lines, then placement. */
    public String canonical() {
        List<String> lines = new ArrayList<>();
        for (Action a : actions) {
            String l = canonicalLine(a);
            if (l != null) {
                lines.add(l);
            }
        }
        StringBuilder sb = new StringBuilder(actionsSection(lines));
        sb.append("== placement ==\n");
        List<String> pl = new ArrayList<>(canonicalPlacement);
        Collections.sort(pl);
        for (String l : pl) {
            sb.append(l).append('\n');
        }
        return sb.toString();
    }

    static String canonicalLine(Action a) {
        if (a.pseudo() && "stonith".equals(a.operation()) && a.node() != null) {
            // a guest node's fencing: done by recovering its container, listed as such
            return "fence " + a.node() + " (" + a.params().getOrDefault("CRM_meta_stonith_action", "reboot") + ") pseudo";
        }
        if (a.pseudo()) {
            return null;
        }
        switch (a.operation()) {
            case "stonith":
                return "fence " + a.node() + " (" + a.params().getOrDefault("CRM_meta_stonith_action", "reboot") + ")";
            case "do_shutdown":
                return "shutdown " + a.node();
            default:
                break;
        }
        if (a.resource() == null) {
            return a.operation() + " " + a.node();
        }
        String role = a.params().get("CRM_meta_role");
        String rs = role == null ? "" : " role=" + role;
        switch (a.operation()) {
            case "monitor":
                return "monitor " + a.resource() + " " + a.node() + " interval=" + a.intervalMs() + rs;
            case "cancel":
                return "cancel " + a.resource() + " " + a.node() + " " + a.params().getOrDefault("CRM_meta_operation", "monitor")
                        + " interval=" + a.intervalMs() + rs;
            case "notify":
                return "notify " + a.resource() + " " + a.node() + " " + a.params().get("CRM_meta_notify_type") + "-"
                        + a.params().get("CRM_meta_notify_operation");
            case "migrate_to":
                return "migrate_to " + a.resource() + " " + a.node() + " target=" + a.params().get("CRM_meta_migrate_target");
            case "migrate_from":
                return "migrate_from " + a.resource() + " " + a.node() + " source=" + a.params().get("CRM_meta_migrate_source");
            default:
                return a.operation() + " " + a.resource() + " " + a.node();
        }
    }

    /** The graph as XML in the shape of Pacemaker's transition graph (synapses, actions, inputs). */
    public String graphXml() {
        return GraphXml.render(this);
    }

    /** The same graph, streamed to {@code out} in UTF-8 (an 11 MB graph need not be one String). */
    public void writeGraphXml(java.io.OutputStream out) throws java.io.IOException {
        GraphXml.write(this, out);
    }
}
