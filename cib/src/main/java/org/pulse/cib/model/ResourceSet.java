package org.pulse.cib.model;

import java.util.List;

/** A {@code <resource_set>} of a colocation, order or location constraint. */
public record ResourceSet(String id, List<String> resources, boolean sequential, boolean requireAll,
                          String role, String action, String kind, String score) {
    public ResourceSet {
        resources = List.copyOf(resources);
    }
}
