package org.pulse.policy;

import java.util.List;
import java.util.Map;

/**
 * Why a resource is where it is: the total per node, each term with its source, where it was
 * placed and where it ends up, and in words why it cannot run when it cannot.
 *
 * @param totals   node → total score, in node order (absent: the node may not run it at all)
 * @param assigned the node chosen, or null
 * @param endNode  where it runs after the transition, or null
 * @param reason   why it is not running (null when it runs)
 * @param cannotHost nodes in {@code totals} that take no resources whatever their score, and why
 *                   (offline, standby, unclean, ...)
 */
public record Explanation(String resource, Map<String, Integer> totals, List<ScoreContribution> contributions,
                          String assigned, String endNode, String current, String reason,
                          Map<String, String> cannotHost) {
    public Explanation {
        totals = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(totals));
        contributions = List.copyOf(contributions);
        cannotHost = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(cannotHost));
    }
}
