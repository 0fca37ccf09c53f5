package org.pulse.cib.model;

import java.util.List;

/** The {@code <constraints>} section, by kind, in document order. */
public record Constraints(List<LocationConstraint> locations, List<ColocationConstraint> colocations,
                          List<OrderConstraint> orders, List<TicketConstraint> tickets) {
    public Constraints {
        locations = List.copyOf(locations);
        colocations = List.copyOf(colocations);
        orders = List.copyOf(orders);
        tickets = List.copyOf(tickets);
    }
}
