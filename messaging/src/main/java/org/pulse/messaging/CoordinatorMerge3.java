package org.pulse.messaging;

import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Event;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.PingData;
import org.jgroups.util.TimeScheduler;
import org.jgroups.util.Util;

/**
 * MERGE3 in which only the coordinator of each view runs full rounds. Over TCP, MERGE3 cannot
 * multicast its INFO: every member, every round (1-3 s at D = 500), runs a discovery round (a
 * request to every configured node, each answers) and then sends its INFO to each node that
 * answered, so a cluster of n sends about 3 n (n - 1) messages a round: the square of its size, and
 * the largest part of an idle 32-node cluster's traffic once heartbeats went along a ring.
 *
 * <p>Here a coordinator runs JGroups' rounds unchanged. A member that does not coordinate sends, each
 * round, one INFO to its own view's coordinator, and runs a full round only every
 * {@value #FULL_ROUND_EVERY}th time. Why that is enough:
 * <ul>
 * <li>Every partition has a coordinator (its first member), whose INFO reaches every configured node,
 *     other partitions' coordinators included: partitions are found as before.</li>
 * <li>A member whose coordinator has left it behind (it installed a view that its coordinator had
 *     already replaced by one without it: seen in bench/failover at load 100-160, where n2 rejoined,
 *     was suspected at once, and kept the stale view) tells that coordinator its view with its next
 *     INFO; the coordinator sees a view other than its own and merges it back. Without that INFO the
 *     member stayed out for good: it hears its old peers (their INFO and discovery), so it never
 *     suspects them all and never becomes a coordinator itself, and the coordinator never hears of its
 *     view (the first version of this class, caught by that bench run).</li>
 * <li>Whatever else a stale view may look like (its coordinator no longer coordinates anything), the
 *     member's occasional full round reaches every coordinator, within {@value #FULL_ROUND_EVERY} rounds.</li>
 * </ul>
 * Per round: the coordinator sends n - 1 requests and n - 1 INFO; every other member sends one INFO
 * and hears one request and one INFO; plus the members' full rounds, an eighth of JGroups' traffic.
 *
 * <p>{@code -Dpulse.messaging.allMembersMerge3=true} puts JGroups' behaviour back (every member
 * runs full rounds), to measure the difference; never in production.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class CoordinatorMerge3 extends MERGE3 {
    /** System property: every member runs MERGE3 rounds, as JGroups does, to measure what this saves. */
    static final String ALL_MEMBERS_PROPERTY = "pulse.messaging.allMembersMerge3";

    private final boolean allMembers;
    /** A member that does not coordinate runs JGroups' full round every this many of its rounds. */
    static final int FULL_ROUND_EVERY = 8;

    private final AtomicLong infoSent = new AtomicLong();
    private final AtomicLong fullRounds = new AtomicLong();
    private Future<?> memberRounds;

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
        if (evt.getType() == Event.VIEW_CHANGE && evt.getArg() instanceof View && !allMembers) {
            if (isCoord()) {
                stopMemberRounds();
            } else {
                // MERGE3 has just (re)started its full rounds for the new view; a member that does not
                // coordinate runs its own lighter ones instead.
                stopInfoSender();
                startMemberRounds();
            }
        }
        return r;
    }

    @Override
    public void stop() {
        stopMemberRounds();
        super.stop();
    }

    private synchronized void startMemberRounds() {
        if (memberRounds == null || memberRounds.isDone()) {
            memberRounds = timer.scheduleWithDynamicInterval(new MemberRound(), false);
        }
    }

    private synchronized void stopMemberRounds() {
        if (memberRounds != null) {
            memberRounds.cancel(false);
            memberRounds = null;
        }
    }

    /** A round of a member that does not coordinate: INFO to its coordinator; every FULL_ROUND_EVERY-th, JGroups' full round. */
    private final class MemberRound implements TimeScheduler.Task {
        private long count;

        @Override
        public void run() {
            View v = view;
            if (v == null || isCoord()) {
                return;
            }
            if (++count % FULL_ROUND_EVERY == 0) {
                fullRounds.incrementAndGet();
                sendInfo(); // discovery, then INFO to every node that answers (sendInfoMessage)
                return;
            }
            Address coordinator = v.getCoord();
            if (coordinator != null && !coordinator.equals(local_addr)) {
                infoSent.incrementAndGet();
                down_prot.down(new EmptyMessage(coordinator).putHeader(getId(), createInfo())
                        .setFlag(Message.TransientFlag.DONT_LOOPBACK));
            }
        }

        @Override
        public long nextInterval() {
            // MERGE3's own spacing (InfoSender): between max / 2 and 1.5 max, at least min.
            return Math.max(min_interval, Util.random(max_interval) + max_interval / 2);
        }
    }

    @Override
    protected void sendInfoMessage(PingData data) {
        if (data != null && !local_addr.equals(data.getAddress())) {
            infoSent.incrementAndGet();
        }
        super.sendInfoMessage(data);
    }

    /** Full rounds (discovery + INFO to every node) this member ran while it did not coordinate. */
    long memberFullRounds() {
        return fullRounds.get();
    }

    /** INFO messages this member sent. */
    long infoSent() {
        return infoSent.get();
    }
}
