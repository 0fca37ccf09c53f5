package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminDeadlines;

/**
 * How long the DC keeps a write waiting for its members (AdminDeadlines), on a fake clock: a write
 * lives while the members that owe it move forward, ends once nothing moved for the idle window,
 * and never outlives the cap; a write refused before it was committed leaves nothing behind, and
 * a committed one that timed out says the DC kept it.
 */
class WriteConfirmationTest {
    private static final AdminDeadlines D = AdminDeadlines.DEFAULTS;

    private static MiniCluster joined() throws Exception {
        return MiniCluster.joinedThree("");
    }

    private static boolean ackFrom(MiniCluster.Envelope e, String node) {
        return e.from().equals(node) && e.message() instanceof Message.CibAck;
    }

    private static String property(Controller n, String name) {
        return Cibs.property(n.cib(), name, null);
    }

    @Test
    void acksTricklingInKeepAWriteAlivePastTheIdleWindow() throws Exception {
        MiniCluster c = joined();
        c.hold(e -> ackFrom(e, "b") || ackFrom(e, "c"));
        long id = c.admin("a", ControllerTest.property("x", "1"));
        c.settle();
        c.advance(D.idleMs() - 5_000, "write");
        c.release(e -> ackFrom(e, "b"));
        // Past the old fixed 30 s deadline: b's ack was progress, so the write still waits for c.
        c.advance(D.idleMs() - 10_000, "write");
        assertNull(c.replies.get(id), "answered although b's ack moved it forward: " + c.replies.get(id));
        c.release(e -> true);
        AdminResult r = c.replies.get(id);
        assertTrue(r != null && r.ok(), "the write should be confirmed by all 3 once c's ack came: " + r);
    }

    @Test
    void noProgressEndsTheWriteAtTheIdleWindowAndTheDcKeepsIt() throws Exception {
        MiniCluster c = joined();
        c.hold(e -> ackFrom(e, "c"));
        long id = c.admin("a", ControllerTest.property("x", "1"));
        c.settle();
        // b confirmed at once; later writes that b acknowledges are no progress for this one (b owes it nothing).
        c.advance(D.idleMs() / 2, "write");
        long later = c.admin("a", ControllerTest.property("y", "1"));
        c.settle();
        c.advance(D.idleMs() / 2 - 1, "write");
        assertNull(c.replies.get(id), "answered before the idle window: " + c.replies.get(id));
        c.advance(1, "write");
        AdminResult r = c.replies.get(id);
        assertEquals(AdminResult.TIMEOUT, r == null ? null : r.code(), "no progress for " + D.idleMs() + " ms: " + r);
        assertTrue(r.message().contains("no member that still owed it") && r.message().contains("[c]")
                && r.message().contains("the DC stored it"), r.message());
        assertEquals("1", property(c.nodes.get("a"), "x"), "the DC keeps the change it answered timed out");
        assertNull(c.replies.get(later), "the later write has its own deadline");
        c.release(e -> true);
        assertTrue(c.replies.get(later).ok(), String.valueOf(c.replies.get(later)));
        assertEquals("1", property(c.nodes.get("c"), "x"), "c gets the change once it answers again");
    }

    @Test
    void theCapHoldsWhileViewsKeepChanging() throws Exception {
        MiniCluster c = joined();
        c.hold(e -> ackFrom(e, "c"));
        long id = c.admin("a", ControllerTest.property("x", "1"));
        c.settle();
        // A new view every 25 s: each join is answered (progress), c never confirms; without the cap the
        // write would wait for ever.
        long elapsed = 0;
        int views = 2;
        while (elapsed + 25_000 < D.capMs()) {
            c.advance(25_000, "write");
            elapsed += 25_000;
            c.view("v" + views++, List.of("a", "b", "c"));
            assertNull(c.replies.get(id), "answered at " + elapsed + " ms although every join moved on: "
                    + c.replies.get(id));
        }
        c.advance(D.capMs() - elapsed - 1, "write");
        assertNull(c.replies.get(id), "answered before the cap: " + c.replies.get(id));
        c.advance(1, "write");
        AdminResult r = c.replies.get(id);
        assertEquals(AdminResult.TIMEOUT, r == null ? null : r.code(), "the cap of " + D.capMs() + " ms: " + r);
        assertTrue(r.message().contains("the cap"), r.message());
    }

    @Test
    void aWriteQueuedBeforeTheJoinIsRefusedWithNothingApplied() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib("", ""), new PolicyEngineScheduler());
        c.hold(e -> e.from().equals("c") && e.message() instanceof Message.JoinResponse);
        c.view("v1", List.of("a", "b", "c"));
        long id = c.admin("a", ControllerTest.property("x", "1"));
        c.settle();
        c.advance(D.idleMs(), "queued");
        AdminResult r = c.replies.get(id);
        assertEquals(AdminResult.NO_DC, r == null ? null : r.code(), String.valueOf(r));
        assertTrue(r.message().contains("nothing was applied"), r.message());
        c.release(e -> true);
        assertNull(property(c.nodes.get("a"), "x"), "a refused write must leave nothing behind");
    }

    @Test
    void aForwardedWriteGetsTheDcsReasonBeforeItsOwnDeadline() throws Exception {
        MiniCluster c = joined();
        c.hold(e -> ackFrom(e, "c"));
        long id = c.admin("b", ControllerTest.property("x", "1"));
        c.settle();
        c.advance(D.idleMs(), "write");
        AdminResult r = c.replies.get(id);
        assertEquals(AdminResult.TIMEOUT, r == null ? null : r.code(), String.valueOf(r));
        assertTrue(r.message().contains("the DC stored it"), "the DC's reason, not the forwarder's: " + r.message());
        assertTrue(D.forwardMs() > D.capMs() && D.socketMs() > D.forwardMs()
                && AdminDeadlines.clientReadMs() > D.socketMs(), "each outer deadline past the inner one");
    }
}
