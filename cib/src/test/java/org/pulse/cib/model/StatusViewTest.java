package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;

class StatusViewTest {

    private static final String CIB = """
            <cib><configuration/><status>
              <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
                <transient_attributes id="1"><instance_attributes id="s1">
                  <nvpair id="a1" name="fail-count-d1#monitor_10000" value="2"/>
                  <nvpair id="a2" name="fail-count-d4" value="0"/>
                </instance_attributes></transient_attributes>
                <lrm id="1"><lrm_resources>
                  <lrm_resource id="d2" class="ocf" provider="heartbeat" type="Dummy">
                    <lrm_rsc_op id="d2_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"/>
                    <lrm_rsc_op id="d2_last_failure_0" operation="monitor" call-id="4" rc-code="7" op-status="0" interval="10000"/>
                  </lrm_resource>
                  <lrm_resource id="d3" class="ocf" provider="heartbeat" type="Dummy">
                    <lrm_rsc_op id="d3_last_0" operation="start" call-id="5" rc-code="0" op-status="0" interval="0"/>
                  </lrm_resource>
                </lrm_resources></lrm>
              </node_state>
              <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
            </status></cib>""";

    @Test
    void failuresAreAFailCountOrARecordedLastFailureAsCleanupSeesThem() throws Exception {
        XmlElement root = XmlParser.parse("test", CIB);
        StatusView v = StatusView.of(root);
        assertTrue(v.hasFailures("d1", null), "a per-operation fail count");
        assertTrue(v.hasFailures("d1", "n1"));
        assertFalse(v.hasFailures("d1", "n2"), "nothing failed on n2");
        assertTrue(v.hasFailures("d2", "n1"), "a recorded last failure without a fail count");
        assertFalse(v.hasFailures("d3", null), "a healthy history is not a failure");
        assertFalse(v.hasFailures("d4", null), "a fail count of 0 is none");
        assertFalse(v.hasFailures("nosuch", null));
    }
}
