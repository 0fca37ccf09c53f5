package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A promotable clone's actions in the order Pacemaker's graph gives them (crm_simulate -G on the same
 * CIBs): on each node the start before the promote, the demote before the stop, the recurring monitor
 * of the new role after the promote; with notify=true every instance's pre-notification before any
 * instance acts and its post-notification after all of them. Found by running ocf:pacemaker:Stateful as
 * an operator configures it: the DC ran the Promoted monitor before the promote (rc 0 where 8 was
 * expected: a failure), then a promote before its start and a demote after its stop (rc 7 both).
 */
class PromotableOrderingTest {
    private static final String MS = "<clone id=\"ms\"><meta_attributes id=\"ms-meta\">"
            + "<nvpair id=\"ms-promotable\" name=\"promotable\" value=\"true\"/>"
            + "<nvpair id=\"ms-notify\" name=\"notify\" value=\"true\"/></meta_attributes>"
            + TestCibs.dummy("st", "<operations><op id=\"st-mon-p\" name=\"monitor\" interval=\"10s\" role=\"Promoted\"/>"
            + "<op id=\"st-mon-u\" name=\"monitor\" interval=\"11s\" role=\"Unpromoted\"/></operations>")
            + "</clone>";

    /** The action of st's instance on node whose key ends with suffix ("_promote_0", "_post_notify_start_0"). */
    private static Act act(PolicyEngine.Stages s, String suffix, String node) {
        for (Act a : s.plan().acts()) {
            if (a.rsc != null && a.node != null && a.node.name.equals(node) && a.key().equals(a.rsc.id + suffix)) {
                return a;
            }
        }
        return null;
    }

    private static void assertAfter(PolicyEngine.Stages s, Act then, Act first) {
        assertNotNull(first, "missing action: " + PlanningStagesTest.described(s.plan().acts()));
        assertNotNull(then, "missing action: " + PlanningStagesTest.described(s.plan().acts()));
        assertTrue(then.inputs.contains(first), then + " does not wait for " + first + ": its inputs are "
                + PlanningStagesTest.described(then.inputs));
    }

    @Test
    void startThenPromoteThenThePromotedMonitorAndNotificationsAroundEveryInstance() {
        PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").resources(MS)
                .transientAttribute("n1", "master-st", "10").transientAttribute("n2", "master-st", "5")
                .notRunning("st", "n1").notRunning("st", "n2")
                .schedule();
        Act start1 = act(s, "_start_0", "n1");
        Act start2 = act(s, "_start_0", "n2");
        Act promote1 = act(s, "_promote_0", "n1");
        assertAfter(s, promote1, start1);
        Act promotedMonitor = act(s, "_monitor_10000", "n1");
        assertAfter(s, promotedMonitor, promote1);
        // as crm_simulate's graph has it: the executor expects 8 from a Promoted monitor
        assertTrue("8".equals(promotedMonitor.extra.get("CRM_meta_op_target_rc")), "op_target_rc: " + promotedMonitor.extra);
        // n2's post-notification of the start waits for n1's start too, and n1's pre-promote comes first
        assertAfter(s, act(s, "_post_notify_start_0", "n2"), start1);
        assertAfter(s, act(s, "_post_notify_start_0", "n1"), start2);
        assertAfter(s, promote1, act(s, "_pre_notify_promote_0", "n2"));
    }

    @Test
    void aPromotedInstanceIsDemotedBeforeItStops() {
        PolicyEngine.Stages s = TestCibs.cluster().node("n1", "standby", "on").node("n2").resources(MS)
                .transientAttribute("n1", "master-st", "10").transientAttribute("n2", "master-st", "5")
                .promotedOn("st", "n1").notRunning("st", "n2")
                .schedule();
        assertAfter(s, act(s, "_stop_0", "n1"), act(s, "_demote_0", "n1"));
    }
}
