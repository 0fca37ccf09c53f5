package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.CibVersion;

/**
 * What the DC hands its runtime's ack lane after an event ({@link Controller#ackCount}), on MiniCluster's fake
 * wire: every write still waiting with its writer, the partition and the acks counted; and the rule it answers
 * by, the controller's own: a write is answerable only once every member and the DC stored its version, and its
 * answer is the one the controller gives.
 */
class AckCountTest {
    private static MiniCluster joined() throws Exception {
        return MiniCluster.joinedThree(ControllerTest.FENCE);
    }

    @Test
    void aWriteIsAnswerableOnlyOnceEveryMemberAndTheDcStoredIt() throws Exception {
        MiniCluster c = joined();
        c.slowStores.add("a"); // the DC's own store outstanding
        c.hold(e -> e.from().equals("c") && e.message() instanceof Message.CibAck);
        long local = c.admin("a", ControllerTest.property("x", "1"));
        long forwarded = c.admin("b", ControllerTest.property("y", "1"));
        c.settle();
        assertNull(c.replies.get(local), "answered before c and the DC stored it");
        AckCount count = c.nodes.get("a").ackCount();
        assertEquals(List.of("a", "b", "c"), count.members());
        assertEquals("v1", count.viewId());
        assertEquals(2, count.waiting().size(), "both writes wait: " + count.waiting());
        AckCount.Waiting mine = count.waiting().stream().filter(w -> w.node().equals("a")).findFirst().orElseThrow();
        AckCount.Waiting theirs = count.waiting().stream().filter(w -> w.node().equals("b")).findFirst().orElseThrow();
        assertEquals(local, mine.id());
        assertEquals("v1", theirs.replyViewId());
        assertTrue(mine.version().compareTo(theirs.version()) < 0, "the local write came first: " + count.waiting());
        CibVersion last = theirs.version();
        assertTrue(count.acked().get("b").compareTo(last) >= 0, "b's ack counted: " + count.acked());

        assertEquals(List.of(), count.answerable(Map.of("c", last)), "the DC's own store is not done");
        assertEquals(List.of(), count.answerable(Map.of("a", last)), "c did not store it");
        assertEquals(List.of(mine), count.answerable(Map.of("a", last, "c", mine.version())),
                "c stored the first write only: the second waits");
        assertEquals(count.waiting(), count.answerable(Map.of("a", last, "c", last)));

        // The controller, given the same acks, answers with the same words.
        c.release(e -> true);
        c.finishStores("a");
        c.settle();
        AdminResult byController = c.replies.get(local);
        assertNotNull(byController);
        assertEquals(count.answer(mine), byController);
        assertEquals(AckCount.NONE, c.nodes.get("a").ackCount(), "nothing waits once answered");
    }

    @Test
    void aMemberHasNothingWaiting() throws Exception {
        MiniCluster c = joined();
        c.hold(e -> e.message() instanceof Message.CibAck);
        c.admin("b", ControllerTest.property("x", "1"));
        c.settle();
        assertEquals(AckCount.NONE, c.nodes.get("b").ackCount());
        assertEquals(1, c.nodes.get("a").ackCount().waiting().size());
    }
}
