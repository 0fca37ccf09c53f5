package org.pulse.messaging;

import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Event;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.PingData;

/**
 * MERGE3 in which only the coordinator of each view looks for other partitions. Over TCP, MERGE3
 * cannot multicast its INFO: every member, every round (0.5-2 s), runs a discovery round (a request
 * to every configured node, each answers) and then sends its INFO to each node that answered, so
 * a cluster of n sends about 3 n (n - 1) messages a round: the square of its size, and the largest
 * part of an idle 32-node cluster's traffic once heartbeats went along a ring.
 *
 * <p>Why the coordinators' rounds are enough: a merge is decided by a coordinator that hears INFO
 * of a view other than its own, and every partition, however it formed, has a coordinator (its
 * first member), whose INFO reaches every configured node, other partitions' coordinators
 * included. What only non-coordinators' INFO could show is a member whose view its own
 * coordinator has already left behind; such a member stops hearing its ring neighbours'
 * heartbeats, suspects them and becomes the coordinator of a view of its own, which then takes
 * part in merges like any other. So per round: one coordinator sends n - 1 requests and n - 1
 * INFO and hears n - 1 answers, every other member hears one request and one INFO: O(n) for the
 * cluster, O(1) for a member that does not coordinate.
 *
 * <p>{@code -Dpulse.messaging.allMembersMerge3=true} puts JGroups' behaviour back (every member
 * runs rounds), to measure the difference; never in production.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class CoordinatorMerge3 extends MERGE3 {
    /** System property: every member runs MERGE3 rounds, as JGroups does, to measure what this saves. */
    static final String ALL_MEMBERS_PROPERTY = "pulse.messaging.allMembersMerge3";

    private final boolean allMembers;
    private final AtomicLong infoSent = new AtomicLong();

    public CoordinatorMerge3() {
        this(Boolean.getBoolean(ALL_MEMBERS_PROPERTY));
    }

    CoordinatorMerge3(boolean allMembers) {
        this.allMembers = allMembers;
        // MERGE3's own protocol id: its headers, and so its messages, are the same as a plain MERGE3's (a node of
        // the previous version reads them; a subclass would otherwise have no id at all).
        setId(ClassConfigurator.getProtocolId(MERGE3.class));
    }

    @Override
    public Object down(Event evt) {
        Object r = super.down(evt);
        if (evt.getType() == Event.VIEW_CHANGE && evt.getArg() instanceof View && !allMembers && !isCoord()) {
            // MERGE3 has just (re)started its rounds for the new view; a member that does not coordinate needs none.
            stopInfoSender();
        }
        return r;
    }

    @Override
    protected void sendInfoMessage(PingData data) {
        if (data != null && !local_addr.equals(data.getAddress())) {
            infoSent.incrementAndGet();
        }
        super.sendInfoMessage(data);
    }

    /** INFO messages this member sent. */
    long infoSent() {
        return infoSent.get();
    }
}
