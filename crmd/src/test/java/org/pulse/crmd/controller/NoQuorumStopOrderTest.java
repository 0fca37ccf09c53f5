package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/** A partition without quorum (no-quorum-policy=stop): the policy engine stops a group in reverse order. */
class NoQuorumStopOrderTest {
    private static String running(String id) {
        return "<lrm_resource id=\"" + id + "\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><lrm_rsc_op id=\"" + id
                + "_last_0\" operation_key=\"" + id + "_start_0\" operation=\"start\" call-id=\"1\" rc-code=\"0\""
                + " op-status=\"0\" interval=\"0\"/></lrm_resource>";
    }

    @Test
    void eachMemberStopsAfterTheOneAfterIt() throws Exception {
        Cib cib = Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\""
                + " validate-with=\"pacemaker-3.9\" have-quorum=\"0\"><configuration><crm_config/><nodes><node id=\"1\" uname=\"n1\"/>"
                + "<node id=\"2\" uname=\"n2\"/><node id=\"3\" uname=\"n3\"/></nodes><resources>"
                + "<group id=\"g\"><primitive id=\"vip\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "<primitive id=\"fs\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "<primitive id=\"web\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/></group>"
                + "<primitive id=\"alone\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "</resources><constraints/></configuration><status>"
                + "<node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
                + "<lrm id=\"1\"><lrm_resources>" + running("vip") + running("fs") + running("web") + running("alone")
                + "</lrm_resources></lrm></node_state></status></cib>"));
        TransitionPlan plan = new PolicyEngineScheduler().schedule(cib, java.time.Instant.parse("2026-12-06T09:00:00Z"));
        Map<String, PlannedAction> byRsc = new HashMap<>();
        for (PlannedAction a : plan.actions()) {
            if (!a.operation().equals("pseudo") && !a.resourceId().isEmpty()) {
                assertEquals("stop", a.operation(), "without quorum only stops: " + plan.actions());
                byRsc.put(a.resourceId(), a);
            }
        }
        assertEquals(4, byRsc.size(), "every running resource stops: " + plan.actions());
        assertTrue(after(plan, byRsc.get("vip"), byRsc.get("fs")), "the address goes last, after fs: " + plan);
        assertTrue(after(plan, byRsc.get("fs"), byRsc.get("web")), "fs is unmounted after web stops: " + plan);
        assertFalse(after(plan, byRsc.get("web"), byRsc.get("fs")), "the last member stops first: " + plan);
        assertFalse(after(plan, byRsc.get("alone"), byRsc.get("web")), "a resource outside the group waits for"
                + " nothing of it: " + plan);
    }

    /** Whether {@code later} waits (through any chain of inputs) for {@code earlier}. */
    private static boolean after(TransitionPlan plan, PlannedAction later, PlannedAction earlier) {
        Map<Integer, PlannedAction> byId = new HashMap<>();
        plan.actions().forEach(a -> byId.put(a.id(), a));
        java.util.Deque<Integer> todo = new java.util.ArrayDeque<>(later.inputs());
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            int id = todo.pop();
            if (id == earlier.id()) {
                return true;
            }
            if (seen.add(id) && byId.containsKey(id)) {
                todo.addAll(byId.get(id).inputs());
            }
        }
        return false;
    }
}
