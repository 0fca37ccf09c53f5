package org.pulse.tests.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.CloneConfig;
import org.pulse.cib.model.GroupConfig;
import org.pulse.cib.model.LrmOp;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.RuleContext;
import org.pulse.cib.model.Scores;
import org.pulse.cib.xml.XmlParser;

/** The typed view of the CIB (org.pulse.cib.model): what the scheduler relies on when reading. */
class CibModelTest {
    private static final String CIB = """
            <cib have-quorum="1" dc-uuid="1" execution-date="1700000000">
              <configuration>
                <crm_config><cluster_property_set id="o">
                  <nvpair id="o1" name="stonith-enabled" value="false"/>
                  <nvpair id="o2" name="no-quorum-policy" value="freeze"/>
                </cluster_property_set></crm_config>
                <nodes>
                  <node id="1" uname="n1" score="5"><instance_attributes id="n1a"><nvpair id="n1a1" name="disk" value="ssd"/></instance_attributes></node>
                  <node id="2" uname="n2"/>
                </nodes>
                <resources>
                  <template id="tmpl" class="ocf" provider="heartbeat" type="Dummy">
                    <instance_attributes id="ti"><nvpair id="ti1" name="state" value="/tmp/t"/><nvpair id="ti2" name="fake" value="t"/></instance_attributes>
                  </template>
                  <primitive id="a" template="tmpl">
                    <instance_attributes id="ai"><nvpair id="ai1" name="fake" value="own"/></instance_attributes>
                    <meta_attributes id="am" score="1"><nvpair id="am1" name="target-role" value="Stopped"/></meta_attributes>
                    <meta_attributes id="am2" score="2"><rule id="r-later" score="0"><date_expression id="d1" operation="gt" start="2030-01-01"/></rule><nvpair id="am21" name="target-role" value="Started"/></meta_attributes>
                    <operations><op id="a-mon" name="monitor" interval="10s" timeout="20s" on-fail="block"/></operations>
                  </primitive>
                  <group id="g"><primitive id="b" class="ocf" provider="heartbeat" type="Dummy"/></group>
                  <master id="ms"><primitive id="s" class="ocf" provider="pacemaker" type="Stateful"/></master>
                  <unknown-thing id="x"/>
                </resources>
                <constraints>
                  <rsc_location id="l1" rsc="a"><rule id="l1r" score="-INFINITY" boolean-op="or">
                    <expression id="l1e" attribute="disk" operation="ne" value="ssd"/>
                    <rule id="l1r2"><date_expression id="l1d" operation="date_spec"><date_spec id="l1ds" weekdays="1-5"/></date_expression></rule>
                  </rule></rsc_location>
                  <rsc_order id="o1" first="a" then="g" kind="Optional"/>
                  <rsc_colocation id="c1" rsc="g" with-rsc="a" score="+INFINITY" rsc-role="Slave"/>
                </constraints>
                <rsc_defaults><meta_attributes id="rd"><nvpair id="rd1" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>
              </configuration>
              <status>
                <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
                  <transient_attributes id="t1"><instance_attributes id="t1a"><nvpair id="f" name="fail-count-a#monitor_10000" value="3"/></instance_attributes></transient_attributes>
                  <lrm id="1"><lrm_resources><lrm_resource id="a" class="ocf" provider="heartbeat" type="Dummy">
                    <lrm_rsc_op id="a_monitor_10000" operation="monitor" call-id="7" rc-code="7" op-status="0" interval="10000" transition-key="3:2:0:abc" op-digest="d" last-rc-change="1699999000"/>
                  </lrm_resource></lrm_resources></lrm>
                </node_state>
              </status>
            </cib>""";

    @Test
    void readsConfigurationWithTemplatesDefaultsAndLegacyNames() throws Exception {
        CibModel m = CibModel.from(XmlParser.parse("test", CIB));
        assertFalse(m.options().stonithEnabled());
        assertEquals("freeze", m.options().noQuorumPolicy());
        assertTrue(m.haveQuorum());
        assertEquals(Instant.ofEpochSecond(1_700_000_000L), m.executionDate());
        assertEquals(5, m.nodes().get(0).score());
        assertEquals(3, m.resources().size(), "unknown elements are left to the XML tree: " + m.resources());
        PrimitiveConfig a = (PrimitiveConfig) m.resources().get(0);
        assertEquals("ocf:heartbeat:Dummy", a.agent());
        Map<String, String> params = NvSet.merge(a.instanceAttributes(), RuleContext.at(m.executionDate()));
        assertEquals(Map.of("fake", "own", "state", "/tmp/t"), params, "the primitive's own values win over its template's");
        // the higher-scored set applies only after 2030, so the lower one decides today
        assertEquals("Stopped", NvSet.merge(a.metaAttributes(), RuleContext.at(m.executionDate())).get("target-role"));
        assertEquals("Started", NvSet.merge(a.metaAttributes(), RuleContext.at(Instant.parse("2031-01-01T00:00:00Z"))).get("target-role"));
        assertEquals(10_000L, a.operations().get(0).intervalMs());
        assertEquals(20_000L, a.operations().get(0).timeoutMs());
        assertEquals("block", a.operations().get(0).onFail());
        assertTrue(m.resources().get(1) instanceof GroupConfig);
        CloneConfig ms = (CloneConfig) m.resources().get(2);
        assertTrue(ms.legacyMaster());
        assertEquals("Unpromoted", m.constraints().colocations().get(0).rscRole());
        assertEquals(Scores.INFINITY, Scores.parse(m.constraints().colocations().get(0).score(), 0));
        assertEquals("Optional", m.constraints().orders().get(0).kind());
        assertNull(m.constraints().orders().get(0).symmetrical());
    }

    @Test
    void rulesEvaluateNodeAttributesAndDates() throws Exception {
        CibModel m = CibModel.from(XmlParser.parse("test", CIB));
        var rule = m.constraints().locations().get(0).rules().get(0);
        Instant monday = Instant.parse("2024-01-01T12:00:00Z");
        Instant sunday = Instant.parse("2024-01-07T12:00:00Z");
        assertTrue(rule.matches(RuleContext.forNode(Map.of("disk", "hdd"), sunday)), "ne ssd holds on hdd");
        assertFalse(rule.matches(RuleContext.forNode(Map.of("disk", "ssd"), sunday)), "neither part holds");
        assertTrue(rule.matches(RuleContext.forNode(Map.of("disk", "ssd"), monday)), "weekday date_spec holds");
    }

    @Test
    void readsStatusHistoryAndTransientAttributes() throws Exception {
        CibModel m = CibModel.from(XmlParser.parse("test", CIB));
        var ns = m.status().get(0);
        assertEquals("true", ns.inCcm());
        assertEquals("3", ns.transientAttributes().get("fail-count-a#monitor_10000"));
        LrmOp op = ns.resources().get(0).ops().get(0);
        assertEquals(7, op.callId());
        assertEquals(7, op.rcCode());
        assertEquals(0, op.expectedRc(), "the expected rc is the third field of transition-key");
        assertEquals(10_000L, op.intervalMs());
        assertEquals(1_699_999_000L, op.lastRcChange());
        assertFalse(op.isProbe());
        assertEquals(List.of(), m.fencingLevels());
    }

    @Test
    void scoresFollowPacemakerArithmetic() {
        assertEquals(-Scores.INFINITY, Scores.add(Scores.INFINITY, -Scores.INFINITY));
        assertEquals(Scores.INFINITY, Scores.add(Scores.INFINITY, -5));
        assertEquals(Scores.INFINITY, Scores.parse("+INFINITY", 0));
        assertEquals(Scores.INFINITY, Scores.parse("99999999", 0));
        assertEquals(7, Scores.parse("garbage", 7));
    }
}
