package org.pulse.messaging;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.View;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.util.MessageBatch;
import org.jgroups.util.Util;

/**
 * Heartbeats along a ring instead of to everyone: FD_ALL3 with the same timeout and interval, but
 * each member sends its heartbeat to the next {@code watchers} members of the view (in view order,
 * wrapping), and watches only the {@code watchers} members before it. A member therefore receives
 * {@code watchers} heartbeats per interval whatever the size of the cluster, where FD_ALL3 over TCP
 * makes every member send to and hear from every other one (bench/scale: 12.5 × (n − 1) heartbeats
 * per node per second at the default timing, 390 at 32 nodes). With {@code n − 1 <= watchers} the
 * ring is FD_ALL3's all-to-all.
 *
 * <p>Detection is unchanged: a watched member silent for the timeout is suspected by each of its
 * watchers after the same time as under FD_ALL3, and a crashed process is still seen by FD_SOCK2.
 * JGroups' failure detectors let only the coordinator raise a suspicion (the others note it and
 * wait); here the watcher is usually not the coordinator, so it forwards its suspicion to the
 * coordinator (one unicast, repeated every check while the suspect stays silent, as FD_ALL3
 * re-raises its own). The coordinator raises it as its own, so it runs the same path as before:
 * VERIFY_SUSPECT2 asks the suspect itself, then {@link SuspicionGuard}'s pause check and second
 * opinion, then GMS.
 *
 * <p>The suspicion guard keeps its strength: a watcher that was itself starved of CPU does not
 * forward (its silence says nothing, {@code starved}); a live suspect keeps sending to its other
 * watchers, and the second opinion the coordinator asks of every member reaches them (they heard it
 * within the last interval), so a watcher's false suspicion is vetoed unless all {@code watchers}
 * watchers missed the suspect at once; VERIFY_SUSPECT2 at the coordinator asks the suspect directly
 * as well. With three watchers, any two members may fail at once and every survivor still has a
 * watcher.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class RingHeartbeats extends FD_ALL3 {
    /** The forwarded suspicion's header; the protocol keeps FD_ALL3's id (see the constructor). */
    static final short HEADER_MAGIC = 3622;
    /** Watchers per member: survives two simultaneous failures, and leaves two witnesses for a second opinion. */
    static final int DEFAULT_WATCHERS = 3;

    static {
        ClassConfigurator.add(HEADER_MAGIC, ForwardedSuspicion.class);
    }

    private final int watchers;
    private final BooleanSupplier starved;
    /** Who this member sends heartbeats to, and whom it watches: from the last view, replaced whole. */
    private volatile List<Address> successors = List.of();
    private volatile Set<Address> watched = Set.of();
    private long forwarded;

    /**
     * @param watchers how many members watch each member (at least 2: one alone gives no second opinion)
     * @param starved  true while this member was starved of CPU within the detection window, so its
     *                 own suspicions are not to be trusted (always false without a guard)
     */
    RingHeartbeats(int watchers, BooleanSupplier starved) {
        if (watchers < 2) {
            throw new IllegalArgumentException("a ring needs at least 2 watchers per member, got " + watchers);
        }
        // FD_ALL3's own protocol id: a heartbeat is the same message whichever detector sent it, so
        // ring nodes and FD_ALL3 nodes (an earlier version, or --all-to-all) consume each other's.
        setId(ClassConfigurator.getProtocolId(FD_ALL3.class));
        this.watchers = watchers;
        this.starved = starved;
    }

    /** The members {@code self} sends heartbeats to: the next {@code k} of the view's ring. */
    static List<Address> successors(List<Address> members, Address self, int k) {
        return neighbours(members, self, k, 1);
    }

    /** The members {@code self} watches: the {@code k} before it in the view's ring. */
    static List<Address> predecessors(List<Address> members, Address self, int k) {
        return neighbours(members, self, k, -1);
    }

    private static List<Address> neighbours(List<Address> members, Address self, int k, int step) {
        int i = members.indexOf(self);
        int n = members.size();
        if (i < 0 || n < 2) {
            return List.of();
        }
        List<Address> out = new ArrayList<>();
        for (int d = 1; d <= Math.min(k, n - 1); d++) {
            out.add(members.get(Math.floorMod(i + step * d, n)));
        }
        return List.copyOf(out);
    }

    @Override
    protected void handleViewChange(View v) {
        List<Address> mbrs = v.getMembers();
        Set<Address> before = watched;
        successors = successors(mbrs, local_addr, watchers);
        Set<Address> now = Set.copyOf(predecessors(mbrs, local_addr, watchers));
        watched = now;
        super.handleViewChange(v);
        // A member newly watched may never have sent this node anything (it sent to others): its
        // timeout starts now, as FD_ALL3's does for a member that just joined.
        for (Address m : now) {
            if (!before.contains(m)) {
                update(m, false, false);
            }
        }
    }

    @Override
    protected <T> boolean needsToBeSuspected(Address mbr, T value) {
        // Called for every member so that FD_ALL3's per-member window keeps moving; only watched ones count.
        boolean silent = super.needsToBeSuspected(mbr, value);
        return silent && watched.contains(mbr);
    }

    @Override
    protected void startHeartbeatSender() {
        lock.lock();
        try {
            if (!isHeartbeatSenderRunning()) {
                heartbeat_sender = timer.scheduleWithFixedDelay(this::sendHeartbeats, 0, interval, TimeUnit.MILLISECONDS,
                        true);
            }
        } finally {
            lock.unlock();
        }
    }

    private void sendHeartbeats() {
        if (mcast_sent.compareAndSet(true, false)) {
            return; // a multicast since the last round reached every member: it counts as a heartbeat
        }
        for (Address to : successors) {
            down_prot.down(new EmptyMessage(to).putHeader(id, new HeartbeatHeader()));
            num_heartbeats_sent++;
        }
    }

    @Override
    protected void suspect(List<Address> suspects) {
        if (suspects == null || suspects.isEmpty()) {
            return;
        }
        Address coordinator;
        synchronized (this) {
            Set<Address> out = new HashSet<>(suspected_mbrs);
            out.addAll(suspects);
            coordinator = members.stream().filter(m -> !out.contains(m)).findFirst().orElse(null);
        }
        // Noted here in any case (an UNSUSPECT follows when the suspect is heard again); raised up
        // only if this member is the coordinator (FailureDetection decides that the same way).
        super.suspect(suspects);
        if (coordinator != null && !coordinator.equals(local_addr) && !starved.getAsBoolean()) {
            down_prot.down(new EmptyMessage(coordinator).putHeader(id, new ForwardedSuspicion(suspects)));
            forwarded++;
        }
    }

    @Override
    public Object up(Message msg) {
        ForwardedSuspicion fs = forwardedSuspicion(msg);
        if (fs != null) {
            received(msg.getSrc(), fs);
            return null;
        }
        return super.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        List<ForwardedSuspicion> forwardedHere = null;
        for (Message msg : batch) {
            ForwardedSuspicion fs = forwardedSuspicion(msg);
            if (fs != null) {
                forwardedHere = forwardedHere == null ? new ArrayList<>() : forwardedHere;
                forwardedHere.add(fs);
            }
        }
        if (forwardedHere != null) {
            batch.removeIf(m -> forwardedSuspicion(m) != null, true);
            forwardedHere.forEach(fs -> received(batch.sender(), fs));
        }
        super.up(batch);
    }

    private ForwardedSuspicion forwardedSuspicion(Message msg) {
        Header h = msg.getHeader(id);
        return h instanceof ForwardedSuspicion fs ? fs : null;
    }

    private void received(Address from, ForwardedSuspicion fs) {
        // Traffic from the forwarder is proof of life for it, as any message is.
        update(from, false, false);
        List<Address> suspects = new ArrayList<>();
        synchronized (this) {
            for (Address a : fs.suspects) {
                if (members.contains(a) && !a.equals(local_addr)) {
                    suspects.add(a);
                }
            }
        }
        if (!suspects.isEmpty()) {
            // As this member's own suspicion: raised up only if it is the coordinator, never forwarded again.
            super.suspect(suspects);
        }
    }

    /** Suspicions this member forwarded to its coordinator since it started. */
    long forwardedCount() {
        return forwarded;
    }

    List<Address> successors() {
        return successors;
    }

    Set<Address> watched() {
        return watched;
    }

    /** A watcher's suspicion, sent to the coordinator, which alone may act on it. */
    public static final class ForwardedSuspicion extends Header {
        List<Address> suspects = List.of();

        public ForwardedSuspicion() {
        }

        ForwardedSuspicion(Collection<Address> suspects) {
            this.suspects = List.copyOf(suspects);
        }

        @Override
        public short getMagicId() {
            return HEADER_MAGIC;
        }

        @Override
        public Supplier<? extends Header> create() {
            return ForwardedSuspicion::new;
        }

        @Override
        public int serializedSize() {
            return Util.size(suspects);
        }

        @Override
        public void writeTo(DataOutput out) throws IOException {
            Util.writeAddresses(suspects, out);
        }

        @Override
        public void readFrom(DataInput in) throws IOException, ClassNotFoundException {
            Collection<? extends Address> read = Util.readAddresses(in, ArrayList::new);
            suspects = read == null ? List.of() : List.copyOf(read);
        }

        @Override
        public String toString() {
            return "forwarded suspicion of " + suspects;
        }
    }
}
