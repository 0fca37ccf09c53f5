package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.Protocol;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Heartbeats along a ring: the neighbours each member sends to and watches, and six real channels on
 * loopback where a silent member that no coordinator watches is still removed within the detection
 * time (its watchers forward their suspicion), while the heartbeats each member hears stay at the
 * ring's three per interval.
 */
class RingHeartbeatsTest {
    @TempDir
    Path dir;


    /** Addresses of this build (with pulse.ord): the ring is off while any member lacks it (a v0.11 node). */
    private static List<Address> addresses(int n) {
        List<Address> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Messenger.addressFor("node" + (i + 1), 1, true));
        }
        return out;
    }

    @Test
    void eachMemberSendsToTheNextThreeAndWatchesTheThreeBefore() {
        List<Address> m = addresses(6);
        assertEquals(List.of(m.get(3), m.get(4), m.get(5)), Heartbeats.successors(m, m.get(2), 3));
        assertEquals(List.of(m.get(1), m.get(0), m.get(5)), Heartbeats.predecessors(m, m.get(2), 3));
        // Wrapping at the end of the view.
        assertEquals(List.of(m.get(0), m.get(1), m.get(2)), Heartbeats.successors(m, m.get(5), 3));
        // Every member is watched by exactly three others.
        for (Address x : m) {
            long watchers = m.stream().filter(o -> Heartbeats.predecessors(m, o, 3).contains(x)).count();
            assertEquals(3, watchers, x + " is watched by " + watchers);
        }
        // Small clusters: everyone watches everyone (FD_ALL3's all-to-all).
        List<Address> three = addresses(3);
        assertEquals(List.of(three.get(1), three.get(2)), Heartbeats.successors(three, three.get(0), 3));
        assertEquals(List.of(three.get(2), three.get(1)), Heartbeats.predecessors(three, three.get(0), 3));
        assertEquals(List.of(), Heartbeats.successors(List.of(m.get(0)), m.get(0), 3));
        assertEquals(List.of(), Heartbeats.successors(m, new UUID(9, 9), 3), "not a member: no neighbours");
    }

    @Test
    void aPauseIsAnnouncedToTheWatchersAndTheFirstTwoMembersOnly() {
        List<Address> m = addresses(7);
        // node5's watchers are node6, node7 and node1; node1 and node2 raise suspicions of anyone.
        assertEquals(List.of(m.get(5), m.get(6), m.get(0), m.get(1)),
                Heartbeats.pauseRecipients(m, m.get(4), Heartbeats.successors(m, m.get(4), 3)));
        // The coordinator's go to its watchers and to node2, which would raise a suspicion of it.
        assertEquals(List.of(m.get(1), m.get(2), m.get(3)),
                Heartbeats.pauseRecipients(m, m.get(0), Heartbeats.successors(m, m.get(0), 3)));
    }

    /**
     * What one heartbeat round of a starved member sends, on a seven-member ring: each of its three watchers gets
     * the heartbeat with the announcement on it (one message, not two), and of the first two members the one
     * that is not a watcher gets the announcement alone; not starved, only the three heartbeats.
     */
    @Test
    void aStarvedMembersHeartbeatsCarryItsPauseAnnouncement() {
        long ms = 1_000_000L;
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000 * ms);
        Timing t = Timing.defaults();
        PauseWatch watch = new PauseWatch("t", 4, t.worstCaseSilentDetectionMs(), clock.get(), false);
        Heartbeats h = new Heartbeats("t", t.heartbeatTimeoutMs(), t.heartbeatIntervalMs(), watch, t.worstCaseSilentDetectionMs(),
                40, clock::get, Heartbeats.DEFAULT_WATCHERS, () -> false, Heartbeats.Detection.of(t));
        List<Message> sent = new ArrayList<>();
        h.setDownProtocol(new Protocol() {
            @Override
            public Object down(Message msg) {
                sent.add(msg);
                return null;
            }
        });
        List<Address> m = addresses(7);
        h.addr(m.get(4));
        h.viewChanged(m);
        for (int i = 0; i < 250; i++) { // 1 s of punctual ticks: no pause
            watch.recordTick(clock.addAndGet(4 * ms));
        }
        h.beat(clock.get());
        assertEquals(List.of(m.get(5), m.get(6), m.get(0)), sent.stream().map(Message::getDest).toList());
        assertTrue(sent.stream().allMatch(x -> Heartbeats.isHeartbeat(x) && x.getHeader(SuspicionGuard.PROTOCOL_ID) == null),
                "not starved: heartbeats without an announcement");

        sent.clear();
        watch.recordTick(clock.addAndGet(200 * ms)); // 200 ms without a tick: starved
        h.beat(clock.get());
        assertEquals(List.of(m.get(5), m.get(6), m.get(0), m.get(1)), sent.stream().map(Message::getDest).toList());
        for (Message x : sent.subList(0, 3)) {
            assertTrue(Heartbeats.isHeartbeat(x) && x.getHeader(SuspicionGuard.PROTOCOL_ID) != null,
                    "a watcher's heartbeat carries the announcement: " + x.printHeaders());
        }
        assertTrue(!Heartbeats.isHeartbeat(sent.get(3)) && sent.get(3).getHeader(SuspicionGuard.PROTOCOL_ID) != null,
                "node2, not a watcher, gets the announcement alone");
    }

    /**
     * Seven real channels, node5 in a JVM of its own (PausedSuspectTest's NodeMain), frozen with SIGSTOP for
     * {@value #PAUSE_MS} ms: its next heartbeats announce the pause, and only to those who judge its silence (its
     * ring watchers and the view's first two members), so a member outside those hears none. Before, the
     * announcement went to every member, each interval while a node is starved: on a loaded machine, where every
     * member is starved, that made (n - 1) x 20 messages a second per member (bench/scale, 16 nodes: 533 of 668).
     * Bound: one 7-node cluster, about 15 s on a quiet machine; every wait is bounded; a view change during the
     * window (a loaded machine) retries, at most three times.
     */
    @Test
    void aPausedMembersAnnouncementsReachOnlyItsWatchersAndTheCoordinators() throws Exception {
        long detectionMs = 500;
        int n = 7;
        int childIndex = 4;
        try (TestCluster c = new TestCluster(dir, "pauses", n, detectionMs)) {
            List<Integer> inJvm = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (i != childIndex) {
                    inJvm.add(i);
                }
            }
            Process child = null;
            try {
                // One at a time, so the view lists them in this order (not needed for the check, which reads the view).
                for (int i = 0; i < n; i++) {
                    if (i == childIndex) {
                        child = PausedSuspectTest.startChild(c, i, dir, detectionMs);
                    } else {
                        c.start(i);
                    }
                    int size = i + 1;
                    c.recorder(0).awaitView(v -> v.members().size() == size, 60_000, "node1 sees " + size + " members");
                }
                for (int i : inJvm) {
                    c.recorder(i).awaitView(v -> v.members().size() == n, 30_000, TestCluster.name(i) + " sees " + n + " members");
                }
                long intervalMs = Timing.derive(detectionMs).heartbeatIntervalMs();
                boolean checked = false;
                for (int attempt = 1; attempt <= 3 && !checked; attempt++) {
                    Thread.sleep(2 * detectionMs); // everyone on the full view's ring
                    org.jgroups.View view = c.node(0).channel().getView();
                    List<Address> members = view.getMembers();
                    Address paused = members.stream().filter(a -> Messenger.nameOf(a).equals(TestCluster.name(childIndex)))
                            .findFirst().orElseThrow();
                    List<Address> recipients = Heartbeats.pauseRecipients(members, paused, Heartbeats.successors(members, paused, 3));
                    long t0 = System.nanoTime();
                    PausedSuspectTest.signal(child, "STOP");
                    Thread.sleep(PAUSE_MS);
                    PausedSuspectTest.signal(child, "CONT");
                    Thread.sleep(6 * intervalMs); // its heartbeats announce the pause
                    long withinMs = (System.nanoTime() - t0) / 1_000_000;
                    boolean sameView = true;
                    for (int i : inJvm) {
                        sameView &= c.node(i).channel().getView().getViewId().equals(view.getViewId());
                    }
                    if (!sameView) {
                        System.out.println("FIGURE pause recipients: attempt " + attempt + ": the view changed, again");
                        continue;
                    }
                    int outside = 0;
                    for (int i : inJvm) {
                        Messenger node = c.node(i);
                        boolean recipient = recipients.contains(node.channel().getAddress());
                        int announcedMs = node.heartbeats().announcedPauseMs(paused, withinMs);
                        System.out.printf("FIGURE pause recipients: %s (%s) heard node5 announce %d ms of CPU missed%n",
                                TestCluster.name(i), recipient ? "watcher or coordinator" : "neither", announcedMs);
                        if (recipient) {
                            assertTrue(announcedMs > 0, TestCluster.name(i) + " judges node5's silence but heard no pause");
                        } else {
                            outside++;
                            assertEquals(0, announcedMs, TestCluster.name(i) + " heard node5's pause announcement");
                        }
                    }
                    assertTrue(outside > 0, "some member is neither watcher nor coordinator: " + recipients);
                    checked = true;
                }
                assertTrue(checked, "the view held still for none of three attempts");
            } finally {
                if (child != null) {
                    PausedSuspectTest.signal(child, "CONT");
                    child.destroyForcibly();
                    child.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
        }
    }

    private static final long PAUSE_MS = 150;

    @Test
    void aSilentMemberWatchedOnlyByNonCoordinatorsIsRemovedWithinTheDetectionTime() throws Exception {
        long detectionMs = 500;
        int n = 6;
        try (TestCluster c = new TestCluster(dir, "ring", n, detectionMs)) {
            for (int i = 0; i < n; i++) {
                c.start(i);
            }
            for (int i = 0; i < n; i++) {
                c.recorder(i).awaitView(v -> v.members().size() == n, 30_000, TestCluster.name(i) + " sees " + n + " members");
            }
            Timing t = Timing.derive(detectionMs);
            // Heartbeats each member hears: three per interval, not n - 1 (any other traffic also
            // suppresses a round, so this is an upper bound).
            List<Heartbeats> rings = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rings.add(c.node(i).heartbeats());
            }
            long[] before = rings.stream().mapToLong(Heartbeats::heartbeatsReceived).toArray();
            long w0 = System.nanoTime();
            Thread.sleep(3000);
            double windowS = (System.nanoTime() - w0) / 1e9;
            for (int i = 0; i < n; i++) {
                double perS = (rings.get(i).heartbeatsReceived() - before[i]) / windowS;
                double ringBound = 3 * 1000.0 / t.heartbeatIntervalMs() * 1.2;
                System.out.printf("FIGURE ring: %s hears %.1f heartbeats/s (ring of 3: at most %.1f; all-to-all would be %.1f)%n",
                        TestCluster.name(i), perS, ringBound / 1.2, (n - 1) * 1000.0 / t.heartbeatIntervalMs());
                assertTrue(perS <= ringBound, TestCluster.name(i) + " heard " + perS + " heartbeats/s");
                assertEquals(3, rings.get(i).watched().size());
            }

            // node3 goes silent. Its watchers are node4, node5 and node6; the coordinator node1 does not watch it.
            int victim = 2;
            assertTrue(!rings.get(0).watched().contains(c.node(victim).channel().getAddress()));
            int[] from = new int[n];
            for (int i = 0; i < n; i++) {
                from[i] = c.recorder(i).size();
            }
            DISCARD discard = new DISCARD().discardAll(true);
            ClusterTest.insertAboveTransport(c.node(victim), discard);
            long t0 = System.nanoTime();
            // The guard's hold counts the time the detecting node ran: this JVM's long pauses come on top of the bound.
            PauseWatch pauses = new PauseWatch("ringtest", SuspicionGuard.Settings.of(t).tickMs(), 1_000, t0, true);
            long last = 0;
            for (int i = 0; i < n; i++) {
                if (i == victim) {
                    continue;
                }
                last = Math.max(last, c.recorder(i).awaitView(from[i], v -> v.members().size() == n - 1 && !v.members().contains("node3"),
                        15_000, TestCluster.name(i) + " drops node3").atNanos());
            }
            double took = (last - t0) / 1e6;
            long forwarded = rings.stream().mapToLong(Heartbeats::forwardedCount).sum();
            boolean held = false;
            for (int i = 0; i < n; i++) {
                held |= i != victim && (c.node(i).heldSuspicions()[0] > 0 || c.node(i).heartbeats().excusedCount() > 0);
            }
            long pausedMs = pauses.longPausesTotalNanos(System.nanoTime()) / 1_000_000;
            pauses.close();
            long boundMs = t.worstCaseSilentDetectionMs() + 400 + (held ? SuspicionGuard.Settings.of(t).maxHoldMs()
                    + Heartbeats.Detection.of(t).maxDiscountMs() + pausedMs : 0);
            System.out.printf("FIGURE ring: silent node3 (watched by non-coordinators only) -> view without it on all %d"
                    + " survivors after %.1f ms (worst case %d ms); %d suspicions forwarded%n", n - 1, took,
                    t.worstCaseSilentDetectionMs(), forwarded);
            assertTrue(forwarded > 0, "node3's watchers forwarded their suspicion to the coordinator");
            assertTrue(took <= boundMs, "silent node removed after " + took + " ms, bound " + boundMs + " ms");
        }
    }
}
