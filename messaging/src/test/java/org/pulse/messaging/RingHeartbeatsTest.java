package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
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


    private static List<Address> addresses(int n) {
        List<Address> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new UUID(0, i + 1));
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
