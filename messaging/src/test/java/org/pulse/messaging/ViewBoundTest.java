package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jgroups.BytesMessage;
import org.jgroups.Message;
import org.jgroups.util.ExtendedUUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What binds traffic to the view it belongs to: view ids that never repeat across restarts (the
 * creator's incarnation is part of them), messages from non-members held for their sender's view
 * and dropped when it does not come, and FD_SOCK2's port closed to addresses of no configured node.
 */
class ViewBoundTest {
    @TempDir
    Path dir;

    /** JGroups counts views from 1 again after a restart; Pulse's view id does not repeat. */
    @Test
    void aRestartedCoordinatorNeverRepeatsAViewId() throws Exception {
        try (TestCluster c = new TestCluster(dir, "viewids", 1, 500)) {
            MessagingConfig config = c.builder(0, "node1", c.key).memberNames(java.util.Set.of("node1"))
                    .stateDir(dir.resolve("state1")).build();
            Recorder first = new Recorder();
            ClusterView before;
            try (Messenger m = Messenger.start(config, first)) {
                before = first.awaitView(v -> true, 10_000, "node1's first view").view();
                assertEquals(m.incarnation(), before.creatorIncarnation());
            }
            Recorder second = new Recorder();
            try (Messenger m = Messenger.start(config, second)) {
                ClusterView after = second.awaitView(v -> true, 10_000, "node1's view after a restart").view();
                assertEquals(before.viewId(), after.viewId(), "JGroups' own counter starts over");
                assertTrue(after.creatorIncarnation() > before.creatorIncarnation(), "a later incarnation");
                assertNotEquals(before.id(), after.id(), "but the view id does not repeat");
                System.out.println("view ids: " + before.id() + " then " + after.id());
            }
        }
    }

    /**
     * Sealed traffic recorded on node1's wire, replayed into node1 after both nodes restarted (each
     * with its state directory, as crmd runs them): every message is refused at the seal as of an
     * earlier incarnation of its sender, nothing reaches the listener, the view stays.
     */
    @Test
    void aRecordingReplayedAfterEveryNodeRestartedIsRefused() throws Exception {
        try (TestCluster c = new TestCluster(dir, "replayrestart", 2, 500)) {
            java.util.Set<String> names = java.util.Set.of("node1", "node2");
            MessagingConfig[] configs = new MessagingConfig[2];
            for (int i = 0; i < 2; i++) {
                configs[i] = c.builder(i, TestCluster.name(i), c.key).memberNames(names)
                        .stateDir(dir.resolve("state-" + i)).build();
            }
            List<Message> wire = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Recorder r1 = new Recorder();
            Recorder r2 = new Recorder();
            try (Messenger m1 = Messenger.start(configs[0], r1); Messenger m2 = Messenger.start(configs[1], r2)) {
                r1.awaitView(v -> v.size() == 2, 10_000, "node1 sees node2");
                r2.awaitView(v -> v.size() == 2, 10_000, "node2 sees node1");
                org.jgroups.stack.Protocol tap = new org.jgroups.stack.Protocol() {
                    @Override
                    public Object up(Message msg) {
                        wire.add(msg.copy(true, true));
                        return up_prot.up(msg);
                    }

                    @Override
                    public void up(org.jgroups.util.MessageBatch batch) {
                        for (Message m : batch) {
                            wire.add(m.copy(true, true));
                        }
                        up_prot.up(batch);
                    }
                };
                m1.channel().getProtocolStack().insertProtocol(tap, org.jgroups.stack.ProtocolStack.Position.BELOW,
                        SealProtocol.class);
                m2.send("node1", "test.stopfailed", new byte[] {1});
                r1.await(0, e -> e.message() != null, 5_000, "the original");
                Thread.sleep(300);
            }
            List<Message> captured = List.copyOf(wire);
            assertFalse(captured.isEmpty(), "something was recorded");
            Recorder again1 = new Recorder();
            Recorder again2 = new Recorder();
            try (Messenger m1 = Messenger.start(configs[0], again1); Messenger m2 = Messenger.start(configs[1], again2)) {
                again1.awaitView(v -> v.size() == 2, 10_000, "node1 sees node2 again");
                long before = m1.rejectedBySeal();
                SealProtocol seal = m1.channel().getProtocolStack().findProtocol(SealProtocol.class);
                for (Message m : captured) {
                    seal.up(m.copy(true, true));
                }
                Thread.sleep(500);
                assertTrue(again1.messages().isEmpty(), "nothing replayed was delivered: " + again1.messages());
                assertEquals(before + captured.size(), m1.rejectedBySeal(), "every replayed message was refused");
                assertEquals(List.of("node1", "node2"), m1.view().members(), "the view stays");
                System.out.println("replay after restart: " + captured.size() + " recorded messages, all refused");
            }
        }
    }

    /**
     * A message whose sender is not in the view (here: given to the messenger as JGroups would hand
     * it up, from a node2 that is not a member) is held, not delivered; when node2 really joins,
     * what it sent before its view is delivered; what a non-member sent and whose view never comes
     * is dropped and counted after {@link Messenger#HOLD_NON_MEMBER_MS}.
     */
    @Test
    void aNonMembersMessagesAreHeldForItsViewAndOtherwiseDropped() throws Exception {
        try (TestCluster c = new TestCluster(dir, "nonmember", 3, 500)) {
            Messenger m1 = c.start(0);
            c.recorder(0).awaitView(v -> v.size() == 1, 10_000, "node1 alone");
            inject(m1, "node2", "early.note", "before my view");
            inject(m1, "node3", "stray.note", "never a member");
            Thread.sleep(300);
            assertTrue(c.recorder(0).messages().isEmpty(), "nothing from non-members is delivered: " + c.recorder(0).messages());

            c.start(1);
            c.recorder(0).awaitView(v -> v.contains("node2"), 10_000, "node2 joins");
            Recorder.Event early = c.recorder(0).await(0, e -> e.message() != null, 5_000, "node2's early message");
            assertEquals("early.note", early.message().type(), "released once node2 is a member");

            long dropsBefore = m1.nonMemberDrops();
            long deadline = System.currentTimeMillis() + Messenger.HOLD_NON_MEMBER_MS + 5_000;
            while (m1.nonMemberDrops() == dropsBefore && System.currentTimeMillis() < deadline) {
                Thread.sleep(100);
            }
            assertEquals(dropsBefore + 1, m1.nonMemberDrops(), "node3's message dropped after the hold");
            assertFalse(c.recorder(0).messages().stream().anyMatch(e -> e.sender().equals("node3")),
                    "and never delivered");
        }
    }

    private static void inject(Messenger to, String sender, String type, String text) throws Exception {
        ExtendedUUID src = ExtendedUUID.randomUUID(sender).put("pulse.node", sender.getBytes(StandardCharsets.US_ASCII));
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, type, sender, 1,
                text.getBytes(StandardCharsets.UTF_8));
        Message msg = new BytesMessage(to.channel().getAddress(), EnvelopeCodec.encode(e)).setSrc(src);
        to.channel().getReceiver().receive(msg);
    }

    /**
     * FD_SOCK2 listens on the cluster port + 100, below the seal: a connection from an address that
     * is no configured node (127.0.0.2) is closed at once; one from a configured address stays, and
     * the cluster keeps its view.
     */
    @Test
    void theFailureDetectionPortKeepsOnlyConfiguredAddresses() throws Exception {
        try (TestCluster c = new TestCluster(dir, "fdfilter", 3, 500)) {
            for (int i = 0; i < 3; i++) {
                c.start(i);
            }
            for (int i = 0; i < 3; i++) {
                c.recorder(i).awaitView(v -> v.size() == 3, 10_000, TestCluster.name(i) + " sees 3 members");
            }
            int fdPort = c.addresses.get(0).getPort() + MessagingConfig.FD_SOCK_PORT_OFFSET;
            try (Socket stranger = new Socket()) {
                stranger.bind(new InetSocketAddress("127.0.0.2", 0));
                stranger.connect(new InetSocketAddress(TestNet.LOOPBACK, fdPort), 2_000);
                stranger.setSoTimeout(2_000);
                int got;
                try {
                    got = stranger.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    got = -1;
                }
                assertEquals(-1, got, "a connection to FD_SOCK2 from 127.0.0.2 is closed by node1");
            }
            try (Socket configured = new Socket()) {
                configured.bind(new InetSocketAddress(TestNet.LOOPBACK, 0));
                configured.connect(new InetSocketAddress(TestNet.LOOPBACK, fdPort), 2_000);
                configured.setSoTimeout(300);
                assertThrows(java.net.SocketTimeoutException.class, () -> configured.getInputStream().read(),
                        "a connection from a configured address is kept");
            }
            Thread.sleep(500);
            for (int i = 0; i < 3; i++) {
                assertEquals(List.of("node1", "node2", "node3"), c.node(i).view().members(),
                        "view intact on " + TestCluster.name(i));
            }
        }
    }
}
