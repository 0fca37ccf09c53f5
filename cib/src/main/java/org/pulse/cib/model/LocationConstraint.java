package org.pulse.cib.model;

import java.util.List;

/**
 * {@code <rsc_location>}: either {@code node}+{@code score} or {@code rules}; {@code rscPattern}
 * is a regular expression over resource ids.
 *
 * @param resourceDiscovery "always" (default), "never" or "exclusive"
 */
public record LocationConstraint(String id, String rsc, String rscPattern, String node, String score,
                                 String role, List<Rule> rules, String resourceDiscovery,
                                 List<ResourceSet> sets) {
    public LocationConstraint {
        rules = List.copyOf(rules);
        sets = List.copyOf(sets);
    }
}
