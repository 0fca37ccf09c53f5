package org.pulse.cib.model;

import java.util.List;

/**
 * {@code <rsc_order>}.
 *
 * @param kind         "Mandatory", "Optional", "Serialize", or null (then {@code score} decides)
 * @param symmetrical  null when not given (Pacemaker: true, except for Serialize)
 */
public record OrderConstraint(String id, String first, String then, String firstAction, String thenAction,
                              String kind, String score, Boolean symmetrical, boolean requireAll,
                              List<ResourceSet> sets) {
    public OrderConstraint {
        sets = List.copyOf(sets);
    }
}
