package org.pulse.cib.model;

import java.util.List;

/** The {@code <constraints>} section, by kind, in document order (tickets are not read yet). */
public record Constraints(List<LocationConstraint> locations, List<ColocationConstraint> colocations,
                          List<OrderConstraint> orders) {
    public Constraints {
        locations = List.copyOf(locations);
        colocations = List.copyOf(colocations);
        orders = List.copyOf(orders);
    }
}
