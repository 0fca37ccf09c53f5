package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An operation's own parameters (OCF_CHECK_LEVEL in the op's instance_attributes) reach the agent with
 * that operation, and the monitor settles once it runs. Without them the agent monitored at depth 0,
 * and the digest the LRM recorded (from the parameters it got) never matched the one the engine expects
 * for that op (which counts them), so the engine rescheduled the monitor after every change.
 */
class OperationParametersTest {
    static final String CHECKED = "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><operations>"
            + "<op id=\"d1-mon\" name=\"monitor\" interval=\"10s\" timeout=\"20s\">"
            + "<instance_attributes id=\"d1-mon-ia\"><nvpair id=\"d1-mon-depth\" name=\"OCF_CHECK_LEVEL\" value=\"10\"/>"
            + "</instance_attributes></op></operations></primitive>";

    @Test
    void aMonitorsCheckLevelReachesTheAgentAndTheMonitorSettles() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b"), ControllerTest.cib(CHECKED + ControllerTest.FENCE, ""),
                new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b"));
        List<OpRequest> monitors = recurringMonitors(c);
        assertEquals(1, monitors.size(), "one recurring monitor of d1: " + c.executed);
        assertEquals("10", monitors.get(0).params().get("OCF_CHECK_LEVEL"), "the op's depth, sent with it: "
                + monitors.get(0).params());

        for (int round = 0; round < 3; round++) {
            long id = c.admin("b", ControllerTest.property("x", Integer.toString(round)));
            c.settle();
            assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
        }
        assertEquals(1, recurringMonitors(c).size(), "the monitor was scheduled again after unrelated changes: "
                + c.executed);
    }

    private static List<OpRequest> recurringMonitors(MiniCluster c) {
        return c.requests.stream().filter(r -> r.resourceId().equals("d1") && r.action().equals("monitor")
                && r.intervalMs() > 0).toList();
    }
}
