package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;

/**
 * Notifications are not history: as Pacemaker's controller, the DC records no notify result in the status
 * section. Recorded as a resource's last operation (R_last_0, operation="notify"), a notification hid the start
 * before it, the policy engine (and crm_simulate) read the resource as stopped there, and a clone with
 * notify=true was probed and restarted transition after transition (found by trying a promotable clone as an
 * operator writes it: over 100 transitions a minute).
 */
class NotifyHistoryTest {
    static final String CLONE = "<clone id=\"c1\"><meta_attributes id=\"c1-meta\">"
            + "<nvpair id=\"c1-notify\" name=\"notify\" value=\"true\"/></meta_attributes>"
            + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><operations>"
            + "<op id=\"d1-mon\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/></operations></primitive></clone>";

    @Test
    void notificationsRunButLeaveNoHistoryAndTheClusterSettles() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(CLONE + ControllerTest.FENCE, ""),
                new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        assertTrue(c.executed.stream().anyMatch(s -> s.contains(" notify ")), "no notification ran: " + c.executed);
        assertEquals(3, c.running.values().stream().filter(s -> s.stream().anyMatch(r -> r.startsWith("d1"))).count(),
                "one copy per node: " + c.running);
        List<XmlElement> notifies = new ArrayList<>();
        collect(c.nodes.get("a").cib().root(), notifies);
        assertEquals(List.of(), notifies, "notify results recorded in the status section");

        // Settled: an unrelated change runs nothing but monitors, again and again.
        for (int round = 0; round < 3; round++) {
            c.executed.clear();
            long id = c.admin("b", new AdminCommand.Write(new CibEdit.ClusterProperty("x", Integer.toString(round)), false));
            c.settle();
            assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
            assertFalse(c.executed.stream().anyMatch(s -> !s.contains(" monitor ")),
                    "round " + round + ": the clone was touched again: " + c.executed + "; log " + c.log);
        }
    }

    /**
     * A notification leaves the resource's recurring monitor alone. Found with ocf:pacemaker:Stateful as a
     * promotable clone with notify=true: the graph runs each instance's notify after its start, unordered with
     * the monitor that follows the start; the notify cancelled that monitor's first run, the DC never heard its
     * result, counted it timed out 65 s later and restarted every instance, again and again.
     */
    @Test
    void aNotificationDoesNotCancelTheRecurringMonitor() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(CLONE + ControllerTest.FENCE, ""),
                new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        AgentSpec dummy = new AgentSpec("ocf", "pulse", "Dummy");
        OpRequest notify = new OpRequest("9:99:0:a@v1", "d1", dummy, "notify", 0, 20_000,
                Map.of("CRM_meta_notify_type", "post", "CRM_meta_notify_operation", "start"));
        List<Effect> effects = c.nodes.get("b").handle(new Event.MessageReceived("a", new Message.Execute("v1", notify)),
                c.now);
        assertTrue(effects.stream().anyMatch(f -> f instanceof Effect.RunOperation r
                && r.request().action().equals("notify")), "the notification did not run: " + effects);
        assertFalse(effects.stream().anyMatch(f -> f instanceof Effect.CancelRecurring),
                "a notification cancelled d1's recurring operations: " + effects);

        // A stop still cancels them (so the assertion above can tell).
        OpRequest stop = new OpRequest("9:99:1:a@v1", "d1", dummy, "stop", 0, 20_000, Map.of());
        assertTrue(c.nodes.get("b").handle(new Event.MessageReceived("a", new Message.Execute("v1", stop)), c.now).stream()
                .anyMatch(f -> f instanceof Effect.CancelRecurring), "a stop did not cancel the recurring operations");
    }

    private static void collect(XmlElement e, List<XmlElement> out) {
        if ("lrm_rsc_op".equals(e.name()) && "notify".equals(e.attr("operation"))) {
            out.add(e);
        }
        for (XmlElement child : e.elements()) {
            collect(child, out);
        }
    }
}
