package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Actions on a remote node go over its connection: what ends a resource there runs before the
 * connection stops, the rest after it starts (Pacemaker's apply_remote_ordering; crm_simulate's graph
 * has these inputs).
 */
class RemoteOrderingTest {
    private static final String CONNECTION = "<primitive id=\"rem1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">"
            + "<meta_attributes id=\"rem1-meta\"><nvpair id=\"rem1-tr\" name=\"target-role\" value=\"%s\"/></meta_attributes>"
            + "<operations><op id=\"rem1-mon\" name=\"monitor\" interval=\"30s\"/></operations></primitive>";

    private static Act act(PolicyEngine.Stages s, String op, String rsc, String node) {
        return PlanningStagesTest.oneShot(s, op, rsc, node);
    }

    @Test
    void aStopOnARemoteNodeRunsBeforeItsConnectionStops() {
        PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").remoteNode("rem1")
                .resources(String.format(CONNECTION, "Stopped")).primitive("d1")
                .location("d1-on-rem1", "d1", "rem1", "100")
                .running("rem1", "n1").notRunning("rem1", "n2")
                .running("d1", "rem1").notRunning("d1", "n1").notRunning("d1", "n2")
                .schedule();
        Act d1Stop = act(s, "stop", "d1", "rem1");
        Act connStop = act(s, "stop", "rem1", "n1");
        assertNotNull(d1Stop, "d1 stops on rem1: " + PlanningStagesTest.described(s.plan().acts()));
        assertNotNull(connStop, "the connection stops: " + PlanningStagesTest.described(s.plan().acts()));
        assertTrue(connStop.inputs.contains(d1Stop), "the connection's stop waits for d1's stop on rem1: "
                + PlanningStagesTest.described(connStop.inputs));
    }

    @Test
    void aStartOnARemoteNodeRunsAfterItsConnectionStarts() {
        PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").remoteNode("rem1")
                .resources(String.format(CONNECTION, "Started")).primitive("d1")
                .location("d1-on-rem1", "d1", "rem1", "100").location("rem1-on-n1", "rem1", "n1", "100")
                .notRunning("rem1", "n1").notRunning("rem1", "n2")
                .notRunning("d1", "rem1").notRunning("d1", "n1").notRunning("d1", "n2")
                .schedule();
        Act d1Start = act(s, "start", "d1", "rem1");
        Act connStart = act(s, "start", "rem1", "n1");
        assertNotNull(d1Start, "d1 starts on rem1: " + PlanningStagesTest.described(s.plan().acts()));
        assertNotNull(connStart, "the connection starts on n1: " + PlanningStagesTest.described(s.plan().acts()));
        assertTrue(d1Start.inputs.contains(connStart), "d1's start waits for the connection: "
                + PlanningStagesTest.described(d1Start.inputs));
    }
}
