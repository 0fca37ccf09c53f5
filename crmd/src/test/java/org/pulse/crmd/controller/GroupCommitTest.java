package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.CibVersion;

/**
 * Group commit on the DC (Event.Batch, DcReplication's group), on MiniCluster's fake clock and wire: writes
 * queued together are sent and stored as one change, each still bumps the version and gets its own answer,
 * and only once every member stored the change; a refused write in the group is answered alone.
 */
class GroupCommitTest {
    private static MiniCluster joined() throws Exception {
        return MiniCluster.joinedThree(ControllerTest.FENCE);
    }

    private static long updatesTo(MiniCluster c, String node) {
        return c.sent.stream().filter(e -> e.to().equals(node) && e.message() instanceof Message.CibUpdate).count();
    }

    private static int stores(MiniCluster c, String node) {
        List<Cib> s = c.stored.get(node);
        return s == null ? 0 : s.size();
    }

    private static String property(Controller n, String name) {
        return Cibs.property(n.cib(), name, null);
    }

    @Test
    void queuedWritesGoOutAsOneChangeAndEachWriterGetsItsOwnVersion() throws Exception {
        MiniCluster c = joined();
        CibVersion before = c.nodes.get("a").cib().version();
        long updatesB = updatesTo(c, "b");
        int storesA = stores(c, "a");
        int storesB = stores(c, "b");
        List<Long> ids = c.adminBatch("a", ControllerTest.property("x", "1"), ControllerTest.property("y", "2"),
                ControllerTest.property("z", "3"));
        c.settle();
        assertEquals(1, updatesTo(c, "b") - updatesB, "one diff to each member for the three writes");
        // The first store on each node after the group is its last CIB: no write of it was stored alone
        // (the engine's run after it may store status changes later).
        assertEquals(before.epoch() + 3, c.stored.get("b").get(storesB).version().epoch(),
                "b stores the group's last CIB first: " + c.stored.get("b"));
        assertEquals(before.epoch() + 3, c.stored.get("a").get(storesA).version().epoch(),
                "the DC stores once, the group's last CIB: " + c.stored.get("a"));
        for (int i = 0; i < 3; i++) {
            AdminResult r = c.replies.get(ids.get(i));
            assertTrue(r != null && r.ok(), "write " + i + " answered ok: " + r);
            assertEquals(before.epoch() + i + 1, r.version().epoch(),
                    "each write bumps epoch as it would alone and is answered with its own version: " + r);
        }
        for (String n : List.of("a", "b", "c")) {
            Controller node = c.nodes.get(n);
            assertEquals("1", property(node, "x"), n);
            assertEquals("2", property(node, "y"), n);
            assertEquals("3", property(node, "z"), n);
        }
    }

    @Test
    void aRefusedWriteInTheGroupIsAnsweredAloneAndItsNeighboursAreCommitted() throws Exception {
        MiniCluster c = joined();
        CibVersion before = c.nodes.get("a").cib().version();
        List<Long> ids = c.adminBatch("a", ControllerTest.property("x", "1"),
                new AdminCommand.Write(new CibEdit.ReplaceSection("constraints", "<constraints><rsc_location"
                        + " id=\"loc-ghost\" rsc=\"ghost\" node=\"a\" score=\"100\"/></constraints>"), false),
                ControllerTest.property("y", "2"));
        // Refused at once, before the others are confirmed: nothing of it was applied.
        AdminResult refused = c.replies.get(ids.get(1));
        assertEquals(AdminResult.INVALID, refused == null ? null : refused.code(), String.valueOf(refused));
        assertTrue(refused.message().contains("ghost"), refused.message());
        c.settle();
        AdminResult first = c.replies.get(ids.get(0));
        AdminResult third = c.replies.get(ids.get(2));
        assertTrue(first.ok() && third.ok(), first + " / " + third);
        assertEquals(before.epoch() + 1, first.version().epoch());
        assertEquals(before.epoch() + 2, third.version().epoch(), "the refused write took no version");
        for (Controller n : c.nodes.values()) {
            assertEquals("1", property(n, "x"), n.nodeName());
            assertEquals("2", property(n, "y"), n.nodeName());
            assertTrue(!n.cib().toXml().contains("loc-ghost"), n.nodeName() + " has the refused constraint");
        }
    }

    @Test
    void noWriterOfTheGroupIsAnsweredBeforeEveryMemberStoredTheChange() throws Exception {
        MiniCluster c = joined();
        c.hold(e -> e.from().equals("c") && e.message() instanceof Message.CibAck);
        // The second write changes nothing on the CIB the first left: it is not answered before the first is durable.
        List<Long> ids = c.adminBatch("a", ControllerTest.property("x", "1"), ControllerTest.property("x", "1"),
                ControllerTest.property("y", "2"));
        c.settle();
        for (long id : ids) {
            assertNull(c.replies.get(id), "answered although c has not stored the change: " + c.replies.get(id));
        }
        c.release(e -> true);
        for (long id : ids) {
            AdminResult r = c.replies.get(id);
            assertTrue(r != null && r.ok(), "answered once c stored it: " + r);
        }
        assertEquals("2", property(c.nodes.get("c"), "y"));
    }

    @Test
    void aCleanupInTheBatchEndsTheGroupSoItsHistoryResetFollowsItsOwnChange() throws Exception {
        MiniCluster c = joined();
        int sentBefore = c.sent.size();
        List<Long> ids = c.adminBatch("a", ControllerTest.property("x", "1"), ControllerTest.property("y", "2"),
                new AdminCommand.Write(new CibEdit.Cleanup(null, null), false), ControllerTest.property("z", "3"));
        c.settle();
        for (long id : ids) {
            AdminResult r = c.replies.get(id);
            assertTrue(r != null && r.ok(), String.valueOf(r));
        }
        // To b, in order: x and y as one change, then the cleanup's own change, then its history reset.
        List<Message> toB = c.sent.subList(sentBefore, c.sent.size()).stream().filter(e -> e.to().equals("b"))
                .map(MiniCluster.Envelope::message).toList();
        int forget = -1;
        for (int i = 0; i < toB.size() && forget < 0; i++) {
            if (toB.get(i) instanceof Message.ForgetHistory) {
                forget = i;
            }
        }
        List<Message.CibUpdate> before = toB.subList(0, Math.max(0, forget)).stream()
                .filter(m -> m instanceof Message.CibUpdate).map(m -> (Message.CibUpdate) m).toList();
        assertEquals(2, before.size(), "the group's change and the cleanup's, before the reset: " + toB);
        assertEquals(2, before.get(0).diff().to().epoch() - before.get(0).diff().from().epoch(),
                "x and y in one change: " + before.get(0).diff().from() + " -> " + before.get(0).diff().to());
        assertEquals("3", property(c.nodes.get("b"), "z"));
    }

    @Test
    void writesForwardedByAnotherNodeShareOneCommitAndEachForwarderIsAnswered() throws Exception {
        MiniCluster c = joined();
        CibVersion before = c.nodes.get("a").cib().version();
        c.hold(e -> e.to().equals("a") && e.message() instanceof Message.ForwardedAdmin);
        long x = c.admin("b", ControllerTest.property("x", "1"));
        long y = c.admin("c", ControllerTest.property("y", "2"));
        long z = c.admin("b", ControllerTest.property("z", "3"));
        c.settle();
        long updatesB = updatesTo(c, "b");
        c.releaseAsBatch(e -> e.to().equals("a") && e.message() instanceof Message.ForwardedAdmin);
        List<Message.CibUpdate> toB = c.sent.stream().filter(e -> e.to().equals("b")
                && e.message() instanceof Message.CibUpdate).map(e -> (Message.CibUpdate) e.message()).toList();
        Message.CibUpdate first = toB.get((int) updatesB);
        assertEquals(before.epoch() + 3, first.diff().to().epoch(), "the three forwarded writes in one change: "
                + first.diff().from() + " -> " + first.diff().to());
        for (long id : List.of(x, y, z)) {
            AdminResult r = c.replies.get(id);
            assertTrue(r != null && r.ok(), "the forwarder answered: " + r);
        }
        assertEquals("3", property(c.nodes.get("c"), "z"));
    }
}
