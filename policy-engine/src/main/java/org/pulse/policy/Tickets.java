package org.pulse.policy;

import java.util.ArrayList;
import java.util.List;
import org.pulse.cib.model.ResourceSet;
import org.pulse.cib.model.TicketConstraint;
import org.pulse.cib.model.TicketState;

/**
 * Stage 1b: resources bound to a ticket that is not granted (or is in standby). With
 * loss-policy stop (the default) they may run nowhere; demote keeps promotable ones unpromoted;
 * fence fences every node where they are active; freeze leaves them where they are.
 */
final class Tickets {
    private Tickets() {
    }

    static void apply(Cluster c) {
        References refs = null;
        for (TicketConstraint tc : c.cib().constraints().tickets()) {
            if (refs == null) {
                refs = new References(c);
            }
            TicketState st = c.cib().tickets().get(tc.ticket());
            if (st != null && st.granted() && !st.standby()) {
                continue;
            }
            // tags and templates stand for each of their resources
            List<String> ids = new ArrayList<>(refs.expand(tc.rsc()));
            for (ResourceSet set : tc.sets()) {
                for (String id : set.resources()) {
                    ids.addAll(refs.expand(id));
                }
            }
            String policy = tc.lossPolicy() == null ? "stop" : tc.lossPolicy();
            if (st != null && st.granted()) {
                // granted but in standby: what needs it stops (or demotes) in good order; the
                // loss-policy (fence, freeze) is for a ticket that was lost
                policy = "demote".equals(policy) ? "demote" : "stop";
            }
            String why = "ticket " + tc.ticket() + " is not granted (" + tc.id() + ", loss-policy=" + policy + ")";
            for (String id : ids) {
                Rsc r = c.byId().get(id);
                if (r == null) {
                    continue;
                }
                boolean promotedOnly = "Promoted".equals(tc.rscRole()) || ("demote".equals(policy) && r.promotable);
                for (Rsc p : r.primitives()) {
                    if (promotedOnly) {
                        p.promotionBan = why;
                        continue;
                    }
                    if ("freeze".equals(policy)) {
                        p.ticketFreeze = why;
                        continue;
                    }
                    p.ticketBan = why;
                    if ("fence".equals(policy)) {
                        for (SNode n : p.runningOn) {
                            if (!n.unclean) {
                                n.unclean = true;
                                n.online = false;
                                n.uncleanReason = why;
                            }
                        }
                    }
                }
            }
        }
    }
}
