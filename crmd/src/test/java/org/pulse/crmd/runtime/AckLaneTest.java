package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.CibVersion;
import org.pulse.crmd.controller.AckCount;
import org.pulse.crmd.controller.AdminResult;

/**
 * The DC's ack lane on its own, fed as the runtime feeds it (the controller's count after an event, acks as
 * they come off the wire, the writer thread's report of the DC's store): it answers a writer the moment the
 * last of those lands, never before every member and the DC stored the change, never across a view, and a
 * writer hears once whichever of the lane and the controller answers first.
 */
class AckLaneTest {
    private static final CibVersion V1 = new CibVersion(0, 7, 0);
    private static final CibVersion V2 = new CibVersion(0, 8, 0);

    /** What the lane answered, in order: "local 5 ok" or "forward b#9@v1 ok". */
    private final List<String> answers = new ArrayList<>();
    private final AckLane lane = new AckLane("a", new AckLane.Answers() {
        @Override
        public void local(long requestId, AdminResult result) {
            answers.add("local " + requestId + " " + result.code() + " " + result.version());
        }

        @Override
        public void forwarded(String node, long forwardId, String viewId, AdminResult result) {
            answers.add("forward " + node + "#" + forwardId + "@" + viewId + " " + result.code() + " " + result.version());
        }

        @Override
        public void timed(long sentToLastAckNanos, long lastAckToAnsweredNanos) {
            timings.add(new long[] {sentToLastAckNanos, lastAckToAnsweredNanos});
        }
    });
    private final List<long[]> timings = new ArrayList<>();

    /** The DC a of a, b, c in view v1, with {@code waiting}; b acknowledged V1 already (the controller counted it). */
    private static AckCount count(AckCount.Waiting... waiting) {
        return new AckCount("v1", "a", List.of("a", "b", "c"), Map.of("b", V1), List.of(waiting));
    }

    @Test
    void theLastAckAnswersTheWriterAndTheControllersAnswerIsDropped() {
        lane.viewChanged("v1");
        lane.refresh(count(new AckCount.Waiting(V1, "a", 5, "v1")));
        lane.selfStored("v1", V1);
        assertEquals(List.of(), answers, "c has not stored it");
        lane.ack("c", "v1", V1);
        assertEquals(List.of("local 5 ok " + V1), answers);
        lane.ack("c", "v1", V1);
        assertEquals(1, answers.size(), "answered once");
        assertFalse(lane.controllerAnswers("a", 5, "v1"), "the controller's answer comes second: dropped");
        assertTrue(lane.controllerAnswers("a", 5, "v1"), "only one answer is dropped");
        assertEquals(1, lane.answeredByLane());
    }

    @Test
    void theTimeFromSendingTheChangeToItsLastAckIsReportedOncePerChange() throws Exception {
        lane.viewChanged("v1");
        long sent = System.nanoTime();
        lane.sent(V1, sent);
        lane.refresh(count(new AckCount.Waiting(V1, "a", 1, "v1"), new AckCount.Waiting(V1, "b", 2, "v1")));
        lane.selfStored("v1", V1);
        Thread.sleep(5);
        lane.ack("c", "v1", V1);
        assertEquals(2, answers.size());
        assertEquals(1, timings.size(), "one change, one last ack: " + timings.size());
        assertTrue(timings.get(0)[0] >= 5_000_000L, "sent 5 ms before the last ack: " + timings.get(0)[0] + " ns");
        assertTrue(timings.get(0)[1] >= 0);
        lane.refresh(count(new AckCount.Waiting(V1, "a", 3, "v1")));
        assertEquals(3, answers.size(), "a write waiting on a change every member stored: answered at once");
        assertEquals(1, timings.size(), "no change of its own sent: not timed");
    }

    @Test
    void notBeforeTheDcsOwnStoreNorWithAStoreOrAckOfAnotherView() {
        lane.viewChanged("v1");
        lane.refresh(count(new AckCount.Waiting(V1, "b", 9, "v1")));
        lane.ack("c", "v0", V2);
        lane.selfStored("v0", V2);
        assertEquals(List.of(), answers, "acks and stores of view v0 say nothing of v1's writes");
        lane.ack("c", "v1", V1);
        assertEquals(List.of(), answers, "the DC's own store is not done");
        lane.selfStored("v1", V1);
        assertEquals(List.of("forward b#9@v1 ok " + V1), answers);
    }

    @Test
    void aWriteNeedsEveryMemberToHaveStoredItsVersion() {
        lane.viewChanged("v1");
        lane.refresh(count(new AckCount.Waiting(V1, "a", 1, "v1"), new AckCount.Waiting(V2, "a", 2, "v1")));
        lane.selfStored("v1", V2);
        lane.ack("c", "v1", V2);
        assertEquals(List.of("local 1 ok " + V1), answers, "b acknowledged V1, not V2");
        lane.ack("b", "v1", V2);
        assertEquals(List.of("local 1 ok " + V1, "local 2 ok " + V2), answers);
    }

    @Test
    void nothingWhileMessagingAnnouncedAViewTheControllerHasNotHandled() {
        lane.viewChanged("v1");
        lane.refresh(count(new AckCount.Waiting(V1, "a", 5, "v1")));
        lane.selfStored("v1", V1);
        lane.viewChanged("v2"); // c may have left: the controller answers by the new view
        lane.ack("c", "v1", V1);
        assertEquals(List.of(), answers);
    }

    @Test
    void aWriteTheControllerAnsweredFirstIsNotAnsweredAgain() {
        lane.viewChanged("v1");
        lane.refresh(count(new AckCount.Waiting(V1, "b", 9, "v1")));
        assertTrue(lane.controllerAnswers("b", 9, "v1"), "the controller answers first (a timeout, say)");
        lane.selfStored("v1", V1);
        lane.ack("c", "v1", V1);
        assertEquals(List.of(), answers, "the writer heard already");
    }

    @Test
    void acksHeardBeforeTheCountArrivesAreCounted() {
        // A fast member can ack before the event that sent the change hands the lane its count.
        lane.viewChanged("v1");
        lane.ack("c", "v1", V1);
        lane.selfStored("v1", V1);
        lane.refresh(count(new AckCount.Waiting(V1, "a", 5, "v1")));
        assertEquals(List.of("local 5 ok " + V1), answers);
        // The controller no longer has it waiting (it answered too, that answer dropped): forgotten.
        assertFalse(lane.controllerAnswers("a", 5, "v1"));
        lane.refresh(count());
        assertTrue(lane.controllerAnswers("a", 5, "v1"));
    }

    @Test
    void forwardsAreToldApartByNodeAndView() {
        lane.viewChanged("v1");
        lane.refresh(count(new AckCount.Waiting(V1, "b", 9, "v1"), new AckCount.Waiting(V1, "c", 9, "v1")));
        assertTrue(lane.controllerAnswers("c", 9, "v1"));
        lane.selfStored("v1", V1);
        lane.ack("c", "v1", V1);
        assertEquals(List.of("forward b#9@v1 ok " + V1), answers, "c's forward #9 was answered by the controller");
    }
}
