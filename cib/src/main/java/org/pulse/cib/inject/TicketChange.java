package org.pulse.cib.inject;

/** What crm_simulate's ticket options do to a ticket's state in the status section. */
public enum TicketChange {
    GRANT("granted", "true"), REVOKE("granted", "false"), STANDBY("standby", "true"), ACTIVATE("standby", "false");

    final String attribute;
    final String value;

    TicketChange(String attribute, String value) {
        this.attribute = attribute;
        this.value = value;
    }
}
