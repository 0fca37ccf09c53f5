package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real JGroups channels on 127.0.0.1 (ephemeral ports) in this JVM, sealed with a real key.
 * Prints the measured figures (view formation, detection after close and after a silent hang).
 */
class ClusterTest {
    @TempDir
    Path dir;

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    /** Starts node1..node3 one after another and waits until each has the 3-member view. */
    private static long formThree(TestCluster c) throws Exception {
        long t0 = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            c.start(i);
        }
        long last = 0;
        for (int i = 0; i < 3; i++) {
            last = Math.max(last, c.recorder(i).awaitView(v -> v.size() == 3, 10_000, TestCluster.name(i) + " sees 3 members").atNanos());
        }
        return last - t0;
    }

    @Test
    void threeNodesFormAViewOldestFirstAndExchangeMessages() throws Exception {
        try (TestCluster c = new TestCluster(dir, "form", 3, 500)) {
            long formNanos = formThree(c);
            System.out.printf("FIGURE view formation, 3 nodes started one after another: %.1f ms%n", ms(formNanos));
            Timing t = Timing.derive(500);
            // node1 waits join_timeout for a coordinator that is not there, then the others join at once.
            assertTrue(ms(formNanos) < t.joinTimeoutMs() + 5_000, "3-node view took " + ms(formNanos) + " ms");
            for (int i = 0; i < 3; i++) {
                ClusterView v = c.node(i).view();
                assertEquals(List.of("node1", "node2", "node3"), v.members(), "oldest first on " + TestCluster.name(i));
                assertEquals("node1", v.coordinator());
                assertFalse(v.merge());
            }
            // Callbacks all arrive on the messenger's own delivery thread.
            for (int i = 0; i < 3; i++) {
                for (Recorder.Event e : c.recorder(i).events()) {
                    assertEquals("pulse-messaging-" + TestCluster.name(i), e.thread());
                }
            }

            assertTrue(c.node(0).send("node2", "test.hello", "to two".getBytes(StandardCharsets.UTF_8)));
            assertFalse(c.node(0).send("node9", "test.hello", new byte[0]), "no such member: nothing sent");
            Recorder.Event got = c.recorder(1).await(0, e -> e.message() != null, 5_000, "node2 gets the notice");
            assertEquals("node1", got.message().sender());
            assertEquals("test.hello", got.message().type());
            assertEquals(Envelope.Kind.NOTICE, got.message().kind());
            assertEquals("to two", new String(got.message().payload(), StandardCharsets.UTF_8));

            c.node(2).broadcast("test.all", new byte[] {7});
            c.recorder(0).await(0, e -> e.message() != null && e.message().type().equals("test.all"), 5_000, "node1 gets broadcast");
            c.recorder(1).await(0, e -> e.message() != null && e.message().type().equals("test.all"), 5_000, "node2 gets broadcast");
            Thread.sleep(200);
            assertTrue(c.recorder(2).messages().isEmpty(), "a broadcast does not come back to its sender");

            // Order per sender: 200 notices arrive in the order sent.
            for (int k = 0; k < 200; k++) {
                c.node(1).send("node3", "test.seq", Integer.toString(k).getBytes(StandardCharsets.UTF_8));
            }
            c.recorder(2).await(0, e -> e.message() != null && new String(e.message().payload(), StandardCharsets.UTF_8).equals("199"),
                    5_000, "200 notices");
            List<String> seq = c.recorder(2).messages().stream().filter(e -> e.type().equals("test.seq"))
                    .map(e -> new String(e.payload(), StandardCharsets.UTF_8)).toList();
            for (int k = 0; k < 200; k++) {
                assertEquals(Integer.toString(k), seq.get(k));
            }

            // A payload far above the fragment size (FRAG2 60 KB) arrives whole.
            byte[] big = new byte[300_000];
            new Random(42).nextBytes(big);
            c.node(0).send("node3", "test.big", big);
            Recorder.Event bigGot = c.recorder(2).await(0, e -> e.message() != null && e.message().type().equals("test.big"), 10_000, "big");
            assertTrue(java.util.Arrays.equals(big, bigGot.message().payload()));
        }
    }

    @Test
    void requestCollectsRepliesFromEveryMemberAndReportsTheSilentOnes() throws Exception {
        try (TestCluster c = new TestCluster(dir, "rpc", 3, 500)) {
            formThree(c);
            for (int i = 0; i < 3; i++) {
                Messenger self = c.node(i);
                c.recorder(i).onEachMessage(e -> {
                    if (e.kind() == Envelope.Kind.REQUEST && e.type().equals("test.persist")) {
                        self.reply(e, "test.persisted", ("ok from " + self.nodeName()).getBytes(StandardCharsets.UTF_8));
                    }
                });
            }
            // The DC asks everyone, itself included.
            Replies r = c.node(0).request(List.of("node1", "node2", "node3"), "test.persist", new byte[10], 2_000).get(5, TimeUnit.SECONDS);
            assertTrue(r.allAnswered(), r.toString());
            assertEquals(Set.of("node1", "node2", "node3"), r.replies().keySet());
            assertEquals("ok from node2", new String(r.replies().get("node2").payload(), StandardCharsets.UTF_8));
            assertEquals(r.correlationId(), r.replies().get("node3").correlationId());

            // Medians for the report (not asserted: speed is for benches).
            long[] rtt = new long[200];
            for (int k = 0; k < rtt.length; k++) {
                long t0 = System.nanoTime();
                assertTrue(c.node(0).request(List.of("node2", "node3"), "test.persist", new byte[2048], 2_000)
                        .get(5, TimeUnit.SECONDS).allAnswered());
                rtt[k] = System.nanoTime() - t0;
            }
            java.util.Arrays.sort(rtt);
            System.out.printf("FIGURE request to 2 members, 2 KB, all replies: median %.2f ms, p99 %.2f ms (200 rounds, in one JVM)%n",
                    ms(rtt[100]), ms(rtt[197]));

            // A node that does not answer shows as missing at the deadline; one not in the view as departed.
            c.recorder(2).onEachMessage(e -> { });
            long t0 = System.nanoTime();
            Replies partial = c.node(0).request(List.of("node2", "node3", "node7"), "test.persist", new byte[1], 300).get(5, TimeUnit.SECONDS);
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(Set.of("node2"), partial.replies().keySet());
            assertEquals(Set.of("node3"), partial.missing());
            assertEquals(Set.of("node7"), partial.departed());
            assertFalse(partial.allAnswered());
            assertTrue(tookMs >= 290, "waited the timeout: " + tookMs);
        }
    }

    @Test
    void requestEndsEarlyWhenATargetLeavesTheView() throws Exception {
        try (TestCluster c = new TestCluster(dir, "rpcleave", 3, 500)) {
            formThree(c);
            Messenger one = c.node(1);
            c.recorder(1).onEachMessage(e -> one.reply(e, "test.ack", new byte[0]));
            // node3 never answers, then leaves: the request completes on the view, not the 10 s timeout.
            var future = c.node(0).request(List.of("node2", "node3"), "test.ask", new byte[0], 10_000);
            c.recorder(2).await(0, e -> e.message() != null, 5_000, "node3 got the request");
            c.node(2).close();
            Replies r = future.get(5, TimeUnit.SECONDS);
            assertEquals(Set.of("node2"), r.replies().keySet());
            assertEquals(Set.of("node3"), r.departed());
        }
    }

    @Test
    void closeOfTheCoordinatorGivesANewViewAtOnce() throws Exception {
        try (TestCluster c = new TestCluster(dir, "close", 3, 500)) {
            formThree(c);
            int before1 = c.recorder(1).size();
            int before2 = c.recorder(2).size();
            long t0 = System.nanoTime();
            c.node(0).close();
            long a = c.recorder(1).awaitView(before1, v -> v.members().equals(List.of("node2", "node3")), 5_000, "node2 new view").atNanos();
            long b = c.recorder(2).awaitView(before2, v -> v.members().equals(List.of("node2", "node3")), 5_000, "node3 new view").atNanos();
            double took = ms(Math.max(a, b) - t0);
            System.out.printf("FIGURE graceful close of the coordinator -> survivors' new view: %.1f ms%n", took);
            assertTrue(took < Timing.derive(500).worstCaseSilentDetectionMs(), "graceful leave took " + took + " ms");
            assertEquals("node2", c.node(1).view().coordinator());
        }
    }

    @Test
    void aSilentNodeIsRemovedWithinTheDetectionTime() throws Exception {
        // 500 is the default; 300 shows the knob going lower. (200 ms is allowed, but MessagingSoak
        // saw false suspicions with it at load average 12 on 2 cores, so a test would be flaky.)
        for (long detectionMs : new long[] {500, 300}) {
            try (TestCluster c = new TestCluster(dir, "hang" + detectionMs, 3, detectionMs)) {
                formThree(c);
                Timing t = Timing.derive(detectionMs);
                // Let heartbeats flow first: until a watcher has heard a member once it allows twice the
                // adaptive ceiling (a node that just joined is the one most likely to stall), which is not
                // the case measured here (going silent right after the view gave ~715 ms at D = 500).
                Thread.sleep(4 * t.heartbeatIntervalMs());
                int before0 = c.recorder(0).size();
                int before1 = c.recorder(1).size();
                // node3 goes silent as if hung or cut off: nothing in or out, connections stay open.
                DISCARD discard = new DISCARD().discardAll(true);
                insertAboveTransport(c.node(2), discard);
                long t0 = System.nanoTime();
                // The guard's hold counts the time the detecting node ran: the long pauses this JVM (every node's) suffers
                // meanwhile come on top of the bound.
                PauseWatch pauses = new PauseWatch("clustertest", SuspicionGuard.Settings.of(t).tickMs(), 1_000, t0, true);
                List<String> survivors = List.of("node1", "node2");
                long a = c.recorder(0).awaitView(before0, v -> v.members().equals(survivors), 10_000, "node1 drops node3").atNanos();
                long b = c.recorder(1).awaitView(before1, v -> v.members().equals(survivors), 10_000, "node2 drops node3").atNanos();
                double took = ms(Math.max(a, b) - t0);
                Recorder.Event suspect = c.recorder(0).await(before0, e -> e.suspects() != null, 1_000, "suspicion reported");
                assertTrue(suspect.suspects().contains("node3"), suspect.suspects().toString());
                System.out.printf("FIGURE silent node (DISCARD all) -> new view, detection %d ms (worst case %d): %.1f ms%n",
                        detectionMs, t.worstCaseSilentDetectionMs(), took);
                // The bound plus slack for view installation and a loaded 2-core machine.
                // A detecting node starved of CPU holds its suspicion (SuspicionGuard) for up to the longest hold.
                // So does one whose heartbeat check took the time it did not run off the silence (Heartbeats, the same bound).
                boolean held = c.node(0).heldSuspicions()[0] + c.node(1).heldSuspicions()[0] > 0
                        || c.node(0).heartbeats().excusedCount() + c.node(1).heartbeats().excusedCount() > 0;
                long pausedMs = pauses.longPausesTotalNanos(System.nanoTime()) / 1_000_000;
                pauses.close();
                long boundMs = t.worstCaseSilentDetectionMs() + 250
                        + (held ? SuspicionGuard.Settings.of(t).maxHoldMs() + Heartbeats.Detection.of(t).maxDiscountMs() + pausedMs : 0);
                assertTrue(took <= boundMs, "silent node removed after " + took + " ms, configured "
                        + t.worstCaseSilentDetectionMs() + (held ? " (+ the guard's longest hold: a node was starved)" : ""));
            }
        }
    }

    @Test
    void aMemberCutOffFromEveryoneFormsAViewOfItsOwn() throws Exception {
        // The last member of the view coordinates only without both others, so it must suspect them together
        // (Heartbeats.check). In stop 13's CI run it never did: it kept the old view, believed it had quorum and
        // fed its watchdog (WatchdogFencingLabTest). Three rounds: whether the two fall due in step is chance.
        for (int round = 0; round < 3; round++) {
            try (TestCluster c = new TestCluster(dir, "alone" + round, 3, 500)) {
                formThree(c);
                Thread.sleep(200 + 25 * round); // heartbeats heard; a different phase each round
                int before = c.recorder(2).size();
                insertAboveTransport(c.node(2), new DISCARD().discardAll(true));
                long t0 = System.nanoTime();
                long at = c.recorder(2).awaitView(before, v -> v.members().equals(List.of("node3")), 10_000,
                        "node3, cut off, alone in a view of its own").atNanos();
                System.out.printf("FIGURE cut-off last member -> a view of its own: %.1f ms%n", ms(at - t0));
            }
        }
    }

    @Test
    void aPartitionAndItsHealingYieldAMergeView() throws Exception {
        try (TestCluster c = new TestCluster(dir, "split", 3, 500)) {
            formThree(c);
            DISCARD[] d = new DISCARD[3];
            for (int i = 0; i < 3; i++) {
                d[i] = new DISCARD();
                insertAboveTransport(c.node(i), d[i]);
            }
            org.jgroups.Address a1 = c.node(0).channel().getAddress();
            org.jgroups.Address a2 = c.node(1).channel().getAddress();
            org.jgroups.Address a3 = c.node(2).channel().getAddress();
            int[] before = {c.recorder(0).size(), c.recorder(1).size(), c.recorder(2).size()};
            // {node1} | {node2, node3}
            d[0].addIgnoredMembers(a2, a3);
            d[1].addIgnoreMember(a1);
            d[2].addIgnoreMember(a1);
            c.recorder(0).awaitView(before[0], v -> v.members().equals(List.of("node1")), 10_000, "node1 alone");
            c.recorder(1).awaitView(before[1], v -> v.members().equals(List.of("node2", "node3")), 10_000, "node2 with node3");
            c.recorder(2).awaitView(before[2], v -> v.members().equals(List.of("node2", "node3")), 10_000, "node3 with node2");
            int[] split = {c.recorder(0).size(), c.recorder(1).size(), c.recorder(2).size()};
            long t0 = System.nanoTime();
            for (DISCARD x : d) {
                x.resetIgnoredMembers();
            }
            long last = 0;
            for (int i = 0; i < 3; i++) {
                Recorder.Event e = c.recorder(i).awaitView(split[i], v -> v.merge() && v.size() == 3, 30_000, TestCluster.name(i) + " merge view");
                ClusterView v = e.view();
                assertEquals(2, v.subgroups().size(), v.toString());
                assertTrue(v.subgroups().contains(List.of("node1")), v.toString());
                assertTrue(v.subgroups().contains(List.of("node2", "node3")), v.toString());
                last = Math.max(last, e.atNanos());
            }
            System.out.printf("FIGURE partition healed -> merge view on all 3: %.1f ms (MERGE3 %d..%d ms)%n",
                    ms(last - t0), Timing.derive(500).mergeMinIntervalMs(), Timing.derive(500).mergeMaxIntervalMs());
        }
    }

    @Test
    void garbageBytesSentToThePortsCrashNobody() throws Exception {
        try (TestCluster c = new TestCluster(dir, "garbage", 3, 500)) {
            formThree(c);
            int[] before = {c.recorder(0).size(), c.recorder(1).size(), c.recorder(2).size()};
            long seed = System.nanoTime();
            System.out.println("garbage seed " + seed);
            Random rnd = new Random(seed);
            for (int i = 0; i < 3; i++) {
                int port = c.addresses.get(i).getPort();
                for (int p : new int[] {port, port + MessagingConfig.FD_SOCK_PORT_OFFSET}) {
                    for (int k = 0; k < 5; k++) {
                        byte[] junk = new byte[1 + rnd.nextInt(4096)];
                        rnd.nextBytes(junk);
                        if (k == 0) {
                            // JGroups' TCP cookie ("bela") and a version, then junk: gets past the first check.
                            junk[0] = 'b';
                            if (junk.length > 4) {
                                junk[1] = 'e';
                                junk[2] = 'l';
                                junk[3] = 'a';
                            }
                        }
                        try (Socket s = new Socket(TestNet.LOOPBACK, p); OutputStream out = s.getOutputStream()) {
                            out.write(junk);
                            out.flush();
                        } catch (java.io.IOException e) {
                            // the peer may close on us mid-write: that is a refusal, which is fine
                        }
                    }
                }
            }
            Thread.sleep(1_500);
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of("node1", "node2", "node3"), c.node(i).view().members(), "view intact on " + TestCluster.name(i));
                final int from = before[i];
                assertTrue(c.recorder(i).events().subList(from, c.recorder(i).size()).stream().noneMatch(e -> e.view() != null),
                        "no view change on " + TestCluster.name(i));
            }
            Messenger two = c.node(1);
            c.recorder(1).onEachMessage(e -> two.reply(e, "test.pong", new byte[0]));
            assertTrue(c.node(0).request(List.of("node2"), "test.ping", new byte[0], 2_000).get(5, TimeUnit.SECONDS).allAnswered());
        }
    }

    /**
     * Below the seal, a stranger can speak JGroups' TCP framing: a handshake claiming some address,
     * then a frame announcing 1 GiB. Unbounded, the node would allocate the announced length and wait
     * for it; bounded (StackFactory.MAX_FRAME_BYTES), it drops the connection at once and the view
     * stays. Diagnostics (probe answers below the seal) are off on every node.
     */
    @Test
    void aStrangersHugeFrameIsRefusedAndDiagnosticsAreOff() throws Exception {
        try (TestCluster c = new TestCluster(dir, "hugeframe", 3, 500)) {
            formThree(c);
            for (int i = 0; i < 3; i++) {
                TCP tcp = c.node(i).channel().getProtocolStack().findProtocol(TCP.class);
                assertFalse(tcp.getDiagnosticsHandler().isEnabled(), "diagnostics off on " + TestCluster.name(i));
                assertEquals(StackFactory.MAX_FRAME_BYTES, tcp.getMaxLength());
            }
            int port = c.addresses.get(1).getPort();
            try (Socket s = new Socket(TestNet.LOOPBACK, port)) {
                s.setSoTimeout(5_000);
                java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
                org.jgroups.stack.IpAddress claimed = new org.jgroups.stack.IpAddress(TestNet.LOOPBACK, 1);
                out.write(new byte[] {'b', 'e', 'l', 'a'});
                out.writeShort(org.jgroups.Version.version);
                out.writeShort(claimed.serializedSize());
                claimed.writeTo(out);
                out.writeInt(1 << 30);
                out.write(new byte[1024]);
                out.flush();
                long t0 = System.nanoTime();
                // The node may first send its own handshake; what matters is that it then closes.
                int got;
                try {
                    while ((got = s.getInputStream().read()) != -1) {
                        // drain
                    }
                } catch (java.net.SocketException reset) {
                    got = -1;
                } catch (java.net.SocketTimeoutException stillOpen) {
                    got = -2;
                }
                assertEquals(-1, got, "the node closes a connection that announces a 1 GiB frame (-2: still open after 5 s)");
                System.out.printf("FIGURE 1 GiB frame refused after %.1f ms%n", ms(System.nanoTime() - t0));
            }
            Thread.sleep(500);
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of("node1", "node2", "node3"), c.node(i).view().members(), "view intact on " + TestCluster.name(i));
            }
        }
    }

    /**
     * Only the configured nodes' addresses may connect to the cluster port: a connection from
     * another address (127.0.0.2, reachable on loopback) is closed before anything is read, while
     * one from a configured address (127.0.0.1) is kept waiting for its handshake.
     */
    @Test
    void connectionsFromAddressesThatAreNoConfiguredNodeAreClosedAtOnce() throws Exception {
        try (TestCluster c = new TestCluster(dir, "peerfilter", 3, 500)) {
            formThree(c);
            int port = c.addresses.get(0).getPort();
            try (Socket stranger = new Socket()) {
                stranger.bind(new java.net.InetSocketAddress("127.0.0.2", 0));
                stranger.connect(new java.net.InetSocketAddress(TestNet.LOOPBACK, port), 2_000);
                // Same wait as for the configured address below, far below JGroups' own handshake timeout.
                stranger.setSoTimeout(300);
                int got;
                try {
                    got = stranger.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    got = -1;
                }
                assertEquals(-1, got, "a connection from 127.0.0.2 is closed by node1 at once");
            }
            try (Socket configured = new Socket()) {
                configured.bind(new java.net.InetSocketAddress(TestNet.LOOPBACK, 0));
                configured.connect(new java.net.InetSocketAddress(TestNet.LOOPBACK, port), 2_000);
                configured.setSoTimeout(300);
                assertThrows(java.net.SocketTimeoutException.class, () -> configured.getInputStream().read(),
                        "a connection from a configured address is kept, waiting for its handshake");
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of("node1", "node2", "node3"), c.node(i).view().members(), "view intact on " + TestCluster.name(i));
            }
        }
    }

    static void insertAboveTransport(Messenger m, Protocol p) throws Exception {
        ProtocolStack stack = m.channel().getProtocolStack();
        p.setAddress(m.channel().getAddress());
        Class<? extends Protocol> below = stack.findProtocol(SealProtocol.class) != null ? SealProtocol.class : TCP.class;
        stack.insertProtocol(p, ProtocolStack.Position.ABOVE, below);
    }
}
