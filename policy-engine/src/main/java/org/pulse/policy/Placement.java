package org.pulse.policy;

import java.util.List;

/**
 * Where a resource is, before or after the transition.
 *
 * @param nodes  empty when stopped
 * @param role   Started, Promoted, Unpromoted or Stopped
 */
public record Placement(String resource, List<String> nodes, String role, boolean failed, boolean unmanaged,
                        boolean blocked, boolean orphaned) {
    public Placement {
        nodes = List.copyOf(nodes);
    }
}
