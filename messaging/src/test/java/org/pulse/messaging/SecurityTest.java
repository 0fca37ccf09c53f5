package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.PhysicalAddress;
import org.jgroups.protocols.TP;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node without the cluster key (another key, or none at all) can neither join nor inject a
 * message: real channels on loopback, the intruder pointed at the members' ports.
 */
class SecurityTest {
    @TempDir
    Path dir;

    /** How long the intruder gets: several discovery rounds and MERGE3 rounds (500..2000 ms). */
    private static final long INTRUSION_MS = 4_000;

    private static TestCluster formTwo(Path dir, String name) throws Exception {
        TestCluster c = new TestCluster(dir, name, 3, 500); // third address is the intruder's
        c.start(0);
        c.start(1);
        for (int i = 0; i < 2; i++) {
            c.recorder(i).awaitView(v -> v.size() == 2, 10_000, "two members");
        }
        return c;
    }

    @Test
    void aNodeWithAnotherKeyNeverJoinsAndItsMessagesAreNotDelivered() throws Exception {
        try (TestCluster c = formTwo(dir, "sec-otherkey")) {
            ClusterKey otherKey = ClusterKey.generate(dir.resolve("other-key"));
            assertTrue(!otherKey.fingerprint().equals(c.key.fingerprint()));
            assertEquals(0, c.node(0).rejectedBySeal() + c.node(1).rejectedBySeal(), "members never reject each other");
            Recorder intruderEvents = new Recorder();
            try (Messenger intruder = Messenger.start(c.config(2, otherKey), intruderEvents)) {
                attack(c, intruder);
            }
        }
    }

    @Test
    void aNodeWithoutAnyKeyNeverJoinsAndItsMessagesAreNotDelivered() throws Exception {
        try (TestCluster c = formTwo(dir, "sec-nokey")) {
            MessagingConfig plain = MessagingConfig.builder(c.clusterName, "node3").listenOn(c.addresses.get(2))
                    .peers(c.addresses).failureDetectionMs(500).insecure().build();
            try (Messenger intruder = Messenger.start(plain, new Recorder())) {
                attack(c, intruder);
            }
        }
    }

    /**
     * A fourth key holder under a name that is not a configured node: the members (configured as
     * node1 and node2) refuse its sealed traffic, so it never enters their view; refused at the
     * seal, so counted there. The same for a second process calling itself node2.
     */
    @Test
    void aKeyHolderWithAnUnknownNameOrADuplicateNameNeverJoins() throws Exception {
        try (TestCluster c = new TestCluster(dir, "sec-names", 3, 500)) {
            java.util.List<String> members = List.of("node1", "node2");
            for (int i = 0; i < 2; i++) {
                Recorder r = new Recorder();
                c.nodes.put(TestCluster.name(i), Messenger.start(c.builder(i, TestCluster.name(i), c.key).memberNames(members).build(), r));
                c.recorders.put(TestCluster.name(i), r);
            }
            for (int i = 0; i < 2; i++) {
                c.recorder(i).awaitView(v -> v.size() == 2, 10_000, "two members");
            }
            for (String intruderName : List.of("node9", "node2")) {
                long refusedBefore = c.node(0).rejectedBySeal();
                try (Messenger intruder = Messenger.start(c.builder(2, intruderName, c.key).build(), new Recorder())) {
                    Thread.sleep(INTRUSION_MS);
                    assertEquals(List.of(intruderName), intruder.view().members(), intruderName + " stays alone");
                    for (int i = 0; i < 2; i++) {
                        assertEquals(members, c.node(i).view().members(), "view of " + TestCluster.name(i) + " with " + intruderName + " around");
                    }
                    assertTrue(c.node(0).rejectedBySeal() > refusedBefore, "node1 refused " + intruderName + "'s traffic at the seal");
                }
            }
        }
    }

    private static void attack(TestCluster c, Messenger intruder) throws Exception {
        // Let it try: discovery, join, MERGE3 probes all reach the members' ports (they are in its
        // peer list) and must all be refused.
        Thread.sleep(INTRUSION_MS);
        assertEquals(List.of("node3"), intruder.view().members(), "the intruder is alone");
        for (int i = 0; i < 2; i++) {
            for (ClusterView v : c.recorder(i).views()) {
                assertTrue(!v.contains("node3"), "intruder appeared in a view of " + TestCluster.name(i) + ": " + v);
            }
            assertEquals(List.of("node1", "node2"), c.node(i).view().members());
        }
        long rejectedBefore = c.node(0).rejectedBySeal();
        assertTrue(rejectedBefore > 0, "node1's seal refused the intruder's traffic (so it did arrive)");

        // Injection: teach the intruder where node1 is, and send it a well-formed envelope directly.
        Address target = c.node(0).channel().getAddress();
        TP memberTransport = c.node(0).channel().getProtocolStack().getTransport();
        PhysicalAddress where = memberTransport.getPhysicalAddressFromCache(target);
        intruder.channel().getProtocolStack().getTransport().addPhysicalAddressToCache(target, where);
        byte[] forged = EnvelopeCodec.encode(new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, "cib.replace", "node2", 1,
                "<cib/>".getBytes(StandardCharsets.UTF_8)));
        for (int k = 0; k < 5; k++) {
            intruder.channel().send(new BytesMessage(target, forged));
        }
        // Control: the same bytes over the same path from a real member are delivered.
        c.node(1).channel().send(new BytesMessage(target, forged));
        Recorder.Event control = c.recorder(0).await(0, e -> e.message() != null, 5_000, "the member's control message");
        assertEquals("node2", control.message().sender());
        Thread.sleep(1_500);
        assertEquals(1, c.recorder(0).messages().size(), "only the member's message was delivered: " + c.recorder(0).messages());
        assertTrue(c.node(0).rejectedBySeal() > rejectedBefore, "the injected messages reached node1 and were refused");
        System.out.println("intruder: node1 refused " + c.node(0).rejectedBySeal() + " messages, node2 " + c.node(1).rejectedBySeal());
    }

    @Test
    void aReplayedMessageIsRefused() throws Exception {
        try (TestCluster c = formTwo(dir, "sec-replay")) {
            // Record what arrives on node1's wire (below the seal), as an eavesdropper would.
            List<org.jgroups.Message> wire = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            org.jgroups.stack.Protocol tap = new org.jgroups.stack.Protocol() {
                @Override
                public Object up(org.jgroups.Message msg) {
                    wire.add(msg.copy(true, true));
                    return up_prot.up(msg);
                }

                @Override
                public void up(org.jgroups.util.MessageBatch batch) {
                    for (org.jgroups.Message m : batch) {
                        wire.add(m.copy(true, true));
                    }
                    up_prot.up(batch);
                }
            };
            org.jgroups.stack.ProtocolStack stack = c.node(0).channel().getProtocolStack();
            stack.insertProtocol(tap, org.jgroups.stack.ProtocolStack.Position.BELOW, SealProtocol.class);
            c.node(1).send("node1", "test.once", new byte[] {42});
            c.recorder(0).await(0, e -> e.message() != null, 5_000, "the original");
            Thread.sleep(200);
            List<org.jgroups.Message> captured = List.copyOf(wire);
            assertTrue(!captured.isEmpty());
            long rejectedBefore = c.node(0).rejectedBySeal();
            SealProtocol seal = stack.findProtocol(SealProtocol.class);
            for (org.jgroups.Message m : captured) {
                seal.up(m.copy(true, true));
            }
            Thread.sleep(500);
            assertEquals(1, c.recorder(0).messages().size(), "the replay delivered nothing new: " + c.recorder(0).messages());
            assertEquals(rejectedBefore + captured.size(), c.node(0).rejectedBySeal(), "every replayed message was refused");
            System.out.println("replay: " + captured.size() + " captured messages replayed, all refused");
        }
    }

    @Test
    void aMemberCannotImpersonateAnotherInTheEnvelope() throws Exception {
        try (TestCluster c = formTwo(dir, "sec-spoof")) {
            Address target = c.node(0).channel().getAddress();
            byte[] spoofed = EnvelopeCodec.encode(new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, "test.x", "node7", 1, new byte[0]));
            byte[] honest = EnvelopeCodec.encode(new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, "test.y", "node2", 2, new byte[0]));
            c.node(1).channel().send(new BytesMessage(target, spoofed));
            c.node(1).channel().send(new BytesMessage(target, new byte[] {1, 2, 3}));
            c.node(1).channel().send(new BytesMessage(target, honest));
            c.recorder(0).await(0, e -> e.message() != null, 5_000, "honest message");
            Thread.sleep(300);
            assertEquals(List.of("test.y"), c.recorder(0).messages().stream().map(Envelope::type).toList());
        }
    }
}
