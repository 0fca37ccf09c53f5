package org.pulse.cib.model;

import java.util.List;

/**
 * {@code <rsc_ticket>}: {@code rsc} (in {@code rscRole}) may run only while {@code ticket} is
 * granted; {@code lossPolicy} (stop, demote, fence, freeze) says what happens when it is not.
 */
public record TicketConstraint(String id, String rsc, String rscRole, String ticket, String lossPolicy,
                               List<ResourceSet> sets) {
    public TicketConstraint {
        sets = List.copyOf(sets);
    }
}
