package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * crmd reads the configuration through cib.model, as the policy engine does: templates, id-refs,
 * rules and inheritance count; durations in every spelling the CIB allows (ISO 8601 too); and a
 * status-only change bumps num_updates through the one version rule (Cib.next).
 */
class CibReadingTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    static Cib cib(String crmConfig, String resources, String status) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch='0' epoch='1' num_updates='0'><configuration>"
                + "<crm_config><cluster_property_set id='cib-bootstrap-options'>" + crmConfig
                + "</cluster_property_set></crm_config><nodes><node id='n1' uname='n1'/><node id='n2' uname='n2'/></nodes>"
                + "<resources>" + resources + "</resources><constraints/></configuration><status>" + status
                + "</status></cib>"));
    }

    @Test
    void stonithTimeoutInIso8601IsUnderstood() throws Exception {
        Cib c = cib("<nvpair id='t' name='stonith-timeout' value='PT90S'/>",
                "<primitive id='dev' class='stonith' type='fence_dummy'/>", "");
        FenceDevices.Device d = FenceDevices.all(c).get(0);
        assertEquals(90_000, FenceDevices.timeoutMs(c, d, "reboot", 20_000));
        Cib fencing = cib("<nvpair id='t' name='fencing-timeout' value='P2M'/>",
                "<primitive id='dev' class='stonith' type='fence_dummy'/>", "");
        // "P2M" is two months in ISO 8601's date part; Pacemaker reads PT2M for minutes
        Cib minutes = cib("<nvpair id='t' name='fencing-timeout' value='PT2M'/>",
                "<primitive id='dev' class='stonith' type='fence_dummy'/>", "");
        assertEquals(120_000, FenceDevices.timeoutMs(minutes, FenceDevices.all(minutes).get(0), "off", 20_000));
        assertTrue(FenceDevices.timeoutMs(fencing, FenceDevices.all(fencing).get(0), "off", 20_000) > 120_000);
    }

    @Test
    void aTemplatedFenceDeviceHasItsTemplatesAgentAndParameters() throws Exception {
        Cib c = cib("", "<template id='ipmi' class='stonith' type='fence_ipmilan'><instance_attributes id='ti'>"
                + "<nvpair id='ti-l' name='lanplus' value='1'/><nvpair id='ti-h' name='pcmk_host_list' value='n9'/>"
                + "</instance_attributes></template>"
                + "<primitive id='f1' template='ipmi'><instance_attributes id='f1-i'>"
                + "<nvpair id='f1-h' name='pcmk_host_list' value='n1'/></instance_attributes></primitive>", "");
        List<Primitive> devices = Cibs.fenceDevices(c);
        assertEquals(1, devices.size(), "the templated primitive is a fence device: " + devices);
        Primitive f1 = devices.get(0);
        assertEquals("stonith:fence_ipmilan", f1.agent().toString());
        assertEquals(Map.of("lanplus", "1", "pcmk_host_list", "n1"), f1.params(), "the primitive's value wins");
    }

    @Test
    void idRefsAndRulesResolveAsTheEngineDoes() throws Exception {
        Cib c = cib("", "<primitive id='a' class='ocf' provider='pacemaker' type='Dummy'>"
                + "<instance_attributes id='shared'><nvpair id='s-1' name='state' value='/run/a'/></instance_attributes>"
                + "</primitive>"
                + "<group id='g'><meta_attributes id='g-m'><nvpair id='g-tr' name='target-role' value='Stopped'/>"
                + "</meta_attributes><primitive id='b' class='stonith' type='fence_dummy'>"
                + "<instance_attributes id-ref='shared'/>"
                + "<instance_attributes id='b-r' score='10'><rule id='b-rule' score='0'>"
                + "<date_expression id='b-d' operation='lt' end='2000-01-01'/></rule>"
                + "<nvpair id='b-old' name='state' value='/old'/></instance_attributes></primitive></group>", "");
        Map<String, Primitive> prims = Cibs.primitives(c, NOW);
        assertEquals(Map.of("state", "/run/a"), prims.get("b").params(),
                "the id-ref gives a's set; the expired rule's set does not apply");
        assertEquals("Stopped", prims.get("b").meta().get("target-role"), "b inherits its group's meta");
        assertTrue(Cibs.fenceDevices(c).isEmpty(), "a device stopped through its group is not usable");
    }

    @Test
    void theStatusViewSaysWhereEachResourceMayBeActive() throws Exception {
        String ok = "op-status='0' rc-code='0'";
        Cib c = cib("", "<primitive id='r' class='ocf' provider='pacemaker' type='Dummy'/>",
                "<node_state id='n1' uname='n1'><lrm id='n1'><lrm_resources>"
                        + "<lrm_resource id='r' class='ocf' provider='pacemaker' type='Dummy'>"
                        + "<lrm_rsc_op id='r_last_0' operation='start' call-id='3' " + ok + " interval='0'/>"
                        + "</lrm_resource></lrm_resources></lrm></node_state>"
                        + "<node_state id='n2' uname='n2'><lrm id='n2'><lrm_resources>"
                        + "<lrm_resource id='r' class='ocf' provider='pacemaker' type='Dummy'>"
                        + "<lrm_rsc_op id='r_last_0' operation='stop' call-id='4' " + ok + " interval='0'/>"
                        + "</lrm_resource></lrm_resources></lrm>"
                        + "<transient_attributes id='n2'><instance_attributes id='s-n2'>"
                        + "<nvpair id='fc1' name='fail-count-r#start_0' value='2'/>"
                        + "<nvpair id='fc2' name='fail-count-r#monitor_10000' value='1'/>"
                        + "</instance_attributes></transient_attributes></node_state>");
        assertEquals(List.of("n1"), List.copyOf(Cibs.possiblyActive(c).get("r")));
        assertEquals(Map.of("r", 3), c.statusView().failCounts("n2"));
        assertTrue(c.statusView().pending("n1").isEmpty());
        assertFalse(c.statusView().history("n2", "r").orElseThrow().possiblyActive());
    }

    @Test
    void aStatusChangeBumpsNumUpdatesThroughTheOneVersionRule() throws Exception {
        Cib c = cib("", "", "");
        Cib quorate = c.next(c.root().withAttribute("have-quorum", "1").withAttribute("crm_feature_set",
                Cibs.CRM_FEATURE_SET));
        assertEquals(c.version().epoch(), quorate.version().epoch(), "have-quorum and the feature set are bookkeeping");
        assertEquals(c.version().numUpdates() + 1, quorate.version().numUpdates());
    }
}
