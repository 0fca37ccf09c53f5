package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The policy engine's run for a committed write waits until the write is answered (every member and the DC
 * stored it), so the members' acknowledgements are not queued behind it on the DC's event thread; a member
 * that does not acknowledge holds it back at most {@link DcReplication#ENGINE_HOLD_MS} (the "engine-hold"
 * timer), never the transition itself. MiniCluster's fake wire and clock: timers fire only when the test says.
 */
class EngineHoldTest {
    /** A write that adds a Dummy: the engine's run for it probes d1 on every node (Execute messages). */
    private static final AdminCommand.Write ADD_DUMMY = new AdminCommand.Write(new CibEdit.ReplaceSection("resources",
            "<resources>" + ControllerTest.FENCE + ControllerTest.DUMMY + "</resources>"), false);

    private static MiniCluster joined() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(ControllerTest.FENCE, ""),
                new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        return c;
    }

    private static boolean ackFrom(MiniCluster.Envelope e, String node) {
        return e.from().equals(node) && e.message() instanceof Message.CibAck;
    }

    /** Operations the DC asked for about d1 (its probes, then its start). */
    private static long d1Requests(MiniCluster c) {
        return c.sent.stream().filter(e -> e.message() instanceof Message.Execute x
                && "d1".equals(x.request().resourceId())).count();
    }

    /** The write that adds d1, committed while c's acknowledgements are held: its id. */
    private static long addDummyWhileCsAcksAreHeld(MiniCluster c) {
        c.hold(e -> ackFrom(e, "c"));
        long id = c.admin("a", ADD_DUMMY);
        c.settle();
        assertNull(c.replies.get(id), "answered before c stored the change");
        return id;
    }

    @Test
    void theEngineRunsForAWriteOnlyOnceTheWriteIsAnswered() throws Exception {
        MiniCluster c = joined();
        long id = addDummyWhileCsAcksAreHeld(c);
        assertEquals(0, d1Requests(c), "the engine ran while the write waited for c's acknowledgement");

        c.release(e -> true);
        AdminResult r = c.replies.get(id);
        assertTrue(r != null && r.ok(), "answered once c stored the change: " + r);
        assertTrue(d1Requests(c) > 0, "the engine's run followed the answer: d1 was neither probed nor started");
    }

    @Test
    void aMemberThatNeverAcknowledgesHoldsTheEngineBackOnlyUntilTheBound() throws Exception {
        MiniCluster c = joined();
        long id = addDummyWhileCsAcksAreHeld(c);
        c.advance(DcReplication.ENGINE_HOLD_MS - 1, DcReplication.ENGINE_HOLD);
        assertEquals(0, d1Requests(c), "released before the bound");

        c.advance(1, DcReplication.ENGINE_HOLD);
        assertTrue(d1Requests(c) > 0, "the engine still waits for c after " + DcReplication.ENGINE_HOLD_MS + " ms");
        assertNull(c.replies.get(id), "the writer is still owed c's store (DESIGN 3): answered without it");
    }

    @Test
    void aSecondWriteDoesNotPushTheBoundBack() throws Exception {
        // The bound counts from the first write that held the engine: a stream of writes cannot starve it.
        MiniCluster c = joined();
        addDummyWhileCsAcksAreHeld(c);
        c.advance(DcReplication.ENGINE_HOLD_MS / 2, "none");
        c.admin("a", ControllerTest.property("x", "1"));
        c.settle();
        c.advance(DcReplication.ENGINE_HOLD_MS / 2, DcReplication.ENGINE_HOLD);
        assertTrue(d1Requests(c) > 0, "a later write held the engine past the first write's bound");
    }
}
