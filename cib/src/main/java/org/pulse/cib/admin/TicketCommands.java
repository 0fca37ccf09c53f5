package org.pulse.cib.admin;

import java.util.List;
import java.util.Optional;
import org.pulse.cib.inject.StatusInjector;
import org.pulse.cib.inject.TicketChange;
import org.pulse.cib.xml.XmlElement;

/**
 * crm site ticket grant|revoke|standby|activate|delete as Pacemaker's crm_ticket does them to the ticket's
 * {@code <ticket_state>} in the status section, as a pure function. One place for both callers: crmd's DC
 * applies it to its own current CIB (so a write just before it is kept), and the shell to the CIB file it
 * works on. The policy engine reads the state back (cib.model's TicketState).
 */
public final class TicketCommands {
    /** The actions that change a ticket, in crmsh's help order. */
    public static final List<String> ACTIONS = List.of("grant", "revoke", "standby", "activate", "delete");

    private TicketCommands() {
    }

    /**
     * The CIB with {@code action} done to {@code ticket}: grant sets granted and last-granted (seconds since the
     * epoch, {@code nowEpochS}, as crm_ticket stamps it), revoke clears granted, standby and activate set
     * standby, delete removes granted (crm_ticket -D granted; a ticket never made stays absent).
     *
     * @throws IllegalArgumentException for an action not in {@link #ACTIONS} or an empty ticket name
     */
    public static XmlElement apply(XmlElement cib, String ticket, String action, long nowEpochS) {
        if (ticket == null || ticket.isBlank()) {
            throw new IllegalArgumentException("a ticket command needs the ticket's name");
        }
        return switch (action) {
            case "grant" -> withAttribute(StatusInjector.ticket(cib, ticket, TicketChange.GRANT), ticket, "last-granted",
                    Long.toString(nowEpochS));
            case "revoke" -> StatusInjector.ticket(cib, ticket, TicketChange.REVOKE);
            case "standby" -> StatusInjector.ticket(cib, ticket, TicketChange.STANDBY);
            case "activate" -> StatusInjector.ticket(cib, ticket, TicketChange.ACTIVATE);
            case "delete" -> withAttribute(cib, ticket, "granted", null);
            default -> throw new IllegalArgumentException("unknown ticket action '" + action + "'; use one of "
                    + String.join(", ", ACTIONS));
        };
    }

    /** The ticket's {@code <ticket_state>}, if the status section has one. */
    public static Optional<XmlElement> state(XmlElement cib, String ticket) {
        return cib.element("status").stream().flatMap(s -> s.elements("tickets").stream())
                .flatMap(ts -> ts.elements("ticket_state").stream()).filter(t -> ticket.equals(t.id())).findFirst();
    }

    /** The ticket's state with {@code name} set, or removed when {@code value} is null; none made to remove from. */
    private static XmlElement withAttribute(XmlElement cib, String ticket, String name, String value) {
        Optional<XmlElement> st = state(cib, ticket);
        if (st.isEmpty()) {
            return cib;
        }
        XmlElement updated = value == null ? st.get().withoutAttribute(name) : st.get().withAttribute(name, value);
        XmlElement status = cib.element("status").orElseThrow();
        XmlElement tickets = status.elements("tickets").stream().filter(ts -> ts.elements("ticket_state").contains(st.get()))
                .findFirst().orElseThrow();
        XmlElement newTickets = tickets.withChildReplaced(t -> t == st.get(), updated);
        XmlElement newStatus = status.withChildReplaced(e -> e == tickets, newTickets);
        return cib.withChildReplaced(e -> e == status, newStatus);
    }
}
