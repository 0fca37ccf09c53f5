package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;

/**
 * Messages of another view are refused (counted and logged), never applied: a recorded "stop
 * failed" replayed after its node was fenced and rejoined fences nobody; a forwarded write replayed
 * into a later view is not applied; an answer to a forward is taken only from the DC of the
 * forward's view. The sealed transport stops most replays; this is what holds when it does not
 * (a receiver restarted since the recording and its replay window started empty).
 */
class StaleMessageTest {
    static final List<String> NODES = FencingControllerTest.NODES;

    @Test
    void aRecordedStopFailureReplayedInALaterViewFencesNobody() throws Exception {
        Cib cib = FencingControllerTest.cib("", "", "");
        MiniCluster c = new MiniCluster(NODES, cib, new PolicyEngineScheduler());
        c.view("n1.100:1", NODES);
        assertTrue(c.running.get("n3").contains("d1"), "d1 runs on n3: " + c.log);

        // What an eavesdropper records: n3 failing to stop d1 (a real failure: n3 is fenced for it).
        c.failOnce.add("n3 stop d1");
        long standby = c.admin("n1", new AdminCommand.Write(new CibEdit.NodeAttribute("n3", "standby", "on", false),
                false));
        c.settle();
        assertTrue(c.replies.get(standby).ok(), c.replies.get(standby).message());
        MiniCluster.Envelope recorded = c.sent.stream()
                .filter(e -> e.message() instanceof Message.OpReport r && r.result().action().equals("stop")
                        && r.result().rc() != 0)
                .findFirst().orElseThrow(() -> new AssertionError("no failed stop was reported: " + c.log));
        assertTrue(c.fenceLog.contains("n1 fence-n3 n3"), "the real failure fences n3: " + c.log);

        // n3 reboots (fenced: nothing runs there), rejoins, is taken out of standby; d1 goes back.
        c.running.get("n3").clear();
        c.crash("n3");
        c.view("n1.100:2", List.of("n1", "n2"));
        c.nodes.put("n3", new Controller(ControllerConfig.defaults("n3", NODES), new PolicyEngineScheduler(), cib));
        c.view("n1.100:3", NODES);
        long online = c.admin("n2", new AdminCommand.Write(new CibEdit.NodeAttribute("n3", "standby", "off", false),
                false));
        c.settle();
        assertTrue(c.replies.get(online).ok(), c.replies.get(online).message());
        assertTrue(c.running.get("n3").contains("d1"), "d1 back on n3: " + c.running);
        long refusedBefore = c.nodes.get("n1").refusedStale();
        int fencesBefore = c.fenceLog.size();
        int opsBefore = c.executed.size();

        c.replay(recorded);

        assertEquals(refusedBefore + 1, c.nodes.get("n1").refusedStale(), "the replay is counted: " + c.log);
        assertTrue(c.log.stream().anyMatch(l -> l.startsWith("n1 refused d1 stop rc 1 reported by n3 in view n1.100:1")),
                "and logged: " + c.log);
        assertEquals(fencesBefore, c.fenceLog.size(), "nobody is fenced: " + c.fenceLog);
        assertEquals(opsBefore, c.executed.size(), "nothing is stopped or started: " + c.executed);
        assertTrue(c.running.get("n3").contains("d1"), "d1 stays on n3");
    }

    @Test
    void aForwardedWriteReplayedInALaterViewIsNotApplied() throws Exception {
        MiniCluster c = new MiniCluster(NODES, FencingControllerTest.cib("", "", ""), new PolicyEngineScheduler());
        c.view("n1.100:1", NODES);
        long id = c.admin("n2", ControllerTest.property("stonith-timeout", "90s"));
        c.settle();
        assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
        MiniCluster.Envelope recorded = c.sent.stream().filter(e -> e.message() instanceof Message.ForwardedAdmin)
                .findFirst().orElseThrow();
        MiniCluster.Envelope answer = c.sent.stream().filter(e -> e.message() instanceof Message.ForwardedReply)
                .findFirst().orElseThrow();

        // Changed since, in a later view; then the recording is played to the DC.
        c.view("n1.100:2", NODES);
        long later = c.admin("n1", ControllerTest.property("stonith-timeout", "120s"));
        c.settle();
        assertTrue(c.replies.get(later).ok());
        var version = c.nodes.get("n1").cib().version();
        c.replay(recorded);
        assertEquals(version, c.nodes.get("n1").cib().version(), "the replayed write changed nothing");
        assertEquals("120s", Cibs.property(c.nodes.get("n1").cib(), "stonith-timeout", ""));
        assertEquals(1, c.nodes.get("n1").refusedStale());

        // n2 restarts, so its forward ids start over; its first forward of the new view is held back on
        // the wire while the recorded answer (same forward id, earlier view) is played to it.
        c.crash("n2");
        c.view("n1.100:3", List.of("n1", "n3"));
        c.nodes.put("n2", new Controller(ControllerConfig.defaults("n2", NODES), new PolicyEngineScheduler(),
                c.nodes.get("n1").cib()));
        c.view("n1.100:4", NODES);
        c.hold(e -> e.message() instanceof Message.ForwardedAdmin);
        long pending = c.admin("n2", ControllerTest.property("stonith-timeout", "150s"));
        c.settle();
        c.replay(answer);
        assertTrue(!c.replies.containsKey(pending), "an answer of another view does not complete the forward: "
                + c.replies.get(pending));
        assertEquals(1, c.nodes.get("n2").refusedStale(), "n2 counted the stale answer: " + c.log);
        c.release();
        assertTrue(c.replies.get(pending).ok(), c.replies.get(pending).message());
        assertEquals("150s", Cibs.property(c.nodes.get("n1").cib(), "stonith-timeout", ""));
    }
}
