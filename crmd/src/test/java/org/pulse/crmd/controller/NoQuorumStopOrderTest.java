package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/** A partition that loses quorum stops a group in reverse order, as a normal stop would. */
class NoQuorumStopOrderTest {
    private static String running(String id) {
        return "<lrm_resource id=\"" + id + "\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><lrm_rsc_op id=\"" + id
                + "_last_0\" operation_key=\"" + id + "_start_0\" operation=\"start\" call-id=\"1\" rc-code=\"0\""
                + " op-status=\"0\" interval=\"0\"/></lrm_resource>";
    }

    @Test
    void eachMemberStopsAfterTheOneAfterIt() throws Exception {
        Cib cib = Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\""
                + " validate-with=\"pacemaker-3.9\"><configuration><crm_config/><nodes><node id=\"1\" uname=\"n1\"/>"
                + "<node id=\"2\" uname=\"n2\"/><node id=\"3\" uname=\"n3\"/></nodes><resources>"
                + "<group id=\"g\"><primitive id=\"vip\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "<primitive id=\"fs\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "<primitive id=\"web\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/></group>"
                + "<primitive id=\"alone\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "</resources><constraints/></configuration><status>"
                + "<node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
                + "<lrm id=\"1\"><lrm_resources>" + running("vip") + running("fs") + running("web") + running("alone")
                + "</lrm_resources></lrm></node_state></status></cib>"));
        TransitionPlan plan = Planner.noQuorum(cib, new View("v1", List.of("n1")), "stop", 20_000, new HashMap<>());
        Map<String, PlannedAction> byRsc = new HashMap<>();
        for (PlannedAction a : plan.actions()) {
            assertEquals("stop", a.operation());
            byRsc.put(a.resourceId(), a);
        }
        assertEquals(4, byRsc.size(), "every running resource stops: " + plan.actions());
        assertEquals(List.of(byRsc.get("fs").id()), byRsc.get("vip").inputs(), "the address goes last, after fs");
        assertEquals(List.of(byRsc.get("web").id()), byRsc.get("fs").inputs(), "fs is unmounted after web stops");
        assertEquals(List.of(), byRsc.get("web").inputs(), "the last member stops first");
        assertEquals(List.of(), byRsc.get("alone").inputs(), "a resource outside the group waits for nothing");
    }
}
