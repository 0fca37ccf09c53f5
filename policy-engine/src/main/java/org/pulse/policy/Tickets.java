package org.pulse.policy;

import java.util.ArrayList;
import java.util.List;
import org.pulse.cib.model.ResourceSet;
import org.pulse.cib.model.TicketConstraint;
import org.pulse.cib.model.TicketState;

/**
 * The last part of unpacking ({@link Unpack#run}): resources bound to a ticket that is not
 * granted (or is in standby). With
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
            // tags and templates stand for each of their resources; a set's role is its members'
            List<String> ids = new ArrayList<>(refs.expand(tc.rsc()));
            List<String> roles = new ArrayList<>();
            for (int i = 0; i < ids.size(); i++) {
                roles.add(tc.rscRole());
            }
            for (ResourceSet set : tc.sets()) {
                for (String id : set.resources()) {
                    for (String one : refs.expand(id)) {
                        ids.add(one);
                        roles.add(set.role());
                    }
                }
            }
            String lossPolicy = tc.lossPolicy() == null ? "stop" : tc.lossPolicy();
            boolean standby = st != null && st.granted();
            for (int i = 0; i < ids.size(); i++) {
                Rsc r = c.byId().get(ids.get(i));
                if (r == null) {
                    continue;
                }
                boolean promotedRole = Role.parse(roles.get(i), Role.UNKNOWN) == Role.PROMOTED;
                String policy = lossPolicy;
                if (standby) {
                    // granted but in standby: what needs it stops in good order (only its promotion,
                    // when the ticket is for the Promoted role and loss-policy is not stop); the
                    // loss-policy (fence, freeze) is for a ticket that was lost
                    policy = promotedRole && !"stop".equals(lossPolicy) ? "demote" : "stop";
                }
                String why = "ticket " + tc.ticket() + (standby ? " is in standby (" : " is not granted (") + tc.id()
                        + ", loss-policy=" + policy + ")";
                // Pacemaker's rules, per primitive: a ticket for the Promoted role always bans
                // promotion; while the resource is active and the ticket lost, stop bans it, demote
                // bans it unless the ticket is for Promoted, and fence and freeze act only on a
                // resource in the ticket's role (fence: banned, its nodes fenced; freeze: left as
                // it is, unmanaged); inactive (or the ticket in standby), it is banned unless the
                // ticket is for Promoted with a loss-policy other than stop
                for (Rsc p : r.primitives()) {
                    if (promotedRole) {
                        p.promotionBan = why;
                    }
                    boolean active = !p.runningOn.isEmpty() && !standby;
                    boolean inRole = !promotedRole || p.role == Role.PROMOTED;
                    if (!active) {
                        if (!promotedRole || "stop".equals(policy)) {
                            p.ticketBan = why;
                        }
                        continue;
                    }
                    switch (policy) {
                        case "demote" -> {
                            if (!promotedRole) {
                                p.ticketBan = why;
                            }
                        }
                        case "fence" -> {
                            if (inRole) {
                                p.ticketBan = why;
                                for (SNode n : p.runningOn) {
                                    if (!n.unclean) {
                                        // still a member of the partition (it stays
                                        // online until fenced), so it may be fenced
                                        // without quorum, as Pacemaker's pe_can_fence allows;
                                        // unclean for this decision only: the cluster's
                                        // state (unpacked again) shows it as it was
                                        n.unclean = true;
                                        n.uncleanForDecision = true;
                                        n.uncleanReason = why;
                                    }
                                }
                            }
                        }
                        case "freeze" -> {
                            if (inRole && p.managed) {
                                // frozen where it is: left alone as an unmanaged resource would be,
                                // even on a node it would otherwise leave (standby, a ban); only for
                                // this decision, so the state shown is not marked unmanaged
                                p.ticketFreeze = why;
                                p.managed = false;
                                p.frozenByTicket = true;
                            }
                        }
                        default -> p.ticketBan = why;
                    }
                }
            }
        }
    }
}
