package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.CibVersion;

/**
 * The DC's own store of a change runs while its members store theirs (Effect.PersistCib reported, the outcome
 * as Event.CibStored), on MiniCluster's fake wire: a writer is answered only once every member and the DC
 * stored the change, whichever finishes last; a DC that could not store it answers no writer "stored" and
 * takes no more writes.
 */
class DcOwnStoreTest {
    private static MiniCluster joined(String resources) throws Exception {
        return MiniCluster.joinedThree(resources);
    }

    private static boolean ackFrom(MiniCluster.Envelope e, String node) {
        return e.from().equals(node) && e.message() instanceof Message.CibAck;
    }

    /** Write {@code id} is not answered until {@code lastStore} (the last store it waits for) ends; then answered ok. */
    private static AdminResult answeredOnlyAfter(MiniCluster c, long id, String lastStoreName, Runnable lastStore) {
        assertNull(c.replies.get(id), "answered before " + lastStoreName + " completed: " + c.replies.get(id));
        lastStore.run();
        AdminResult r = c.replies.get(id);
        assertTrue(r != null && r.ok(), "answered once " + lastStoreName + " completed: " + r);
        return r;
    }

    private static long updatesSent(MiniCluster c) {
        return c.sent.stream().filter(e -> e.message() instanceof Message.CibUpdate).count();
    }

    @Test
    void theDcSendsTheChangeWithoutWaitingForItsOwnStoreAndAsksForItsReport() throws Exception {
        MiniCluster c = joined(ControllerTest.FENCE);
        long before = updatesSent(c);
        List<Effect> effects = c.nodes.get("a").handle(new Event.AdminRequest(99, ControllerTest.property("x", "1")),
                c.now);
        int persist = -1;
        int lastUpdate = -1;
        for (int i = 0; i < effects.size(); i++) {
            if (effects.get(i) instanceof Effect.PersistCib p && persist < 0) {
                assertTrue(p.durable() && p.reported(), "the DC's store of a configuration change is reported: " + p);
                persist = i;
            }
            if (effects.get(i) instanceof Effect.Send s && s.message() instanceof Message.CibUpdate) {
                lastUpdate = i;
            }
        }
        assertTrue(persist > lastUpdate && lastUpdate >= 0, "the diff to the members first, then the DC's store: "
                + effects);
        assertFalse(effects.stream().anyMatch(f -> f instanceof Effect.ReplyAdmin), "answered at once: " + effects);
        assertEquals(before, updatesSent(c), "handled outside the wire: nothing recorded");
    }

    @Test
    void membersStoredFirstTheWriterWaitsForTheDcsOwnStore() throws Exception {
        MiniCluster c = joined(ControllerTest.FENCE);
        c.slowStores.add("a");
        long id = c.admin("a", ControllerTest.property("x", "1"));
        c.settle();
        CibVersion written = c.nodes.get("a").cib().version();
        assertEquals(written, c.nodes.get("b").cib().version(), "b stored and acknowledged the change");
        assertEquals(written, c.nodes.get("c").cib().version(), "c stored and acknowledged the change");
        AdminResult r = answeredOnlyAfter(c, id, "the DC's own store", () -> c.finishStores("a"));
        assertEquals(written, r.version());
    }

    @Test
    void theDcStoredFirstTheWriterWaitsForTheLastMember() throws Exception {
        MiniCluster c = joined(ControllerTest.FENCE);
        c.hold(e -> ackFrom(e, "c"));
        long id = c.admin("a", ControllerTest.property("x", "1"));
        c.settle();
        answeredOnlyAfter(c, id, "c's store", () -> c.release(e -> true));
    }

    @Test
    void statusChangesStoredBehindTheDcsDurableStoreDoNotAnswerItEarly() throws Exception {
        // The write adds a resource: the engine starts it and the DC records the result, a status change
        // stored lazily behind the write's durable store, which the members acknowledge at once.
        MiniCluster c = joined(ControllerTest.FENCE);
        c.slowStores.add("a");
        long id = c.admin("a", new AdminCommand.Write(new CibEdit.ReplaceSection("resources", "<resources>"
                + ControllerTest.FENCE + ControllerTest.DUMMY + "</resources>"), false));
        c.settle();
        CibVersion now = c.nodes.get("a").cib().version();
        assertTrue(now.numUpdates() > 0, "status changes committed after the write: " + now);
        assertEquals(now, c.nodes.get("b").cib().version(), "b acknowledged the status changes too");
        // Before the fix the members' acks of the later status change answered it.
        answeredOnlyAfter(c, id, "the DC's durable store of the write", () -> c.finishStores("a"));
    }

    @Test
    void aDcThatCannotStoreAnswersNoWriterStoredAndTakesNoMoreWrites() throws Exception {
        MiniCluster c = joined(ControllerTest.FENCE);
        c.failingStores.add("a");
        c.slowStores.add("a");
        long local = c.admin("a", ControllerTest.property("x", "1"));
        long forwarded = c.admin("b", ControllerTest.property("y", "1"));
        c.settle();
        assertNull(c.replies.get(local), "answered before the DC's store ended: " + c.replies.get(local));
        assertNull(c.replies.get(forwarded), "answered before the DC's store ended: " + c.replies.get(forwarded));
        c.finishStores("a"); // both reports: failed
        for (long id : List.of(local, forwarded)) {
            AdminResult r = c.replies.get(id);
            assertNotNull(r, "a writer left without an answer once the DC's store failed");
            assertEquals(AdminResult.UNCERTAIN, r.code(), "members stored it, the DC did not: " + r);
            assertTrue(r.message().contains("could not store") && r.message().contains("crm configure show"),
                    r.message());
        }
        long later = c.admin("c", ControllerTest.property("z", "1"));
        c.settle();
        AdminResult refused = c.replies.get(later);
        assertNotNull(refused, "a write to a DC that cannot store waits unanswered");
        assertEquals(AdminResult.NO_DC, refused.code(), refused.toString());
        assertTrue(refused.message().contains("nothing was applied"), refused.message());
        assertNull(Cibs.property(c.nodes.get("c").cib(), "z", null), "the refused write reached a member");
        assertTrue(c.replies.values().stream().noneMatch(AdminResult::confirmsWrite),
                "a write answered as stored by a DC that could not store: " + c.replies);
    }
}
