package org.pulse.cib.model;

/** A {@code <ticket_state>} of the status section. A ticket without a state is not granted. */
public record TicketState(String id, boolean granted, boolean standby) {
}
