package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

class ConsoleViewTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="5" num_updates="2" admin_epoch="0" have-quorum="1">
              <configuration>
                <crm_config><cluster_property_set id="o">
                  <nvpair id="o1" name="stonith-enabled" value="false"/>
                </cluster_property_set></crm_config>
                <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
                <resources>
                  <primitive id="vip" class="ocf" provider="pulse" type="IPaddr"/>
                  <primitive id="db" class="ocf" provider="pulse" type="Dummy"/>
                </resources>
                <constraints><rsc_location id="cli-prefer-vip" rsc="vip" node="n1" score="INFINITY"/></constraints>
              </configuration>
              <status>
                <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="1"><lrm_resources>
                    <lrm_resource id="vip" class="ocf" provider="pulse" type="IPaddr">
                      <lrm_rsc_op id="vip_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"
                                  transition-key="1:1:0:x" on_node="n1"/>
                    </lrm_resource>
                    <lrm_resource id="db" class="ocf" provider="pulse" type="Dummy">
                      <lrm_rsc_op id="db_last_0" operation="monitor" call-id="1" rc-code="7" op-status="0" interval="0"
                                  transition-key="2:1:0:x" on_node="n1"/>
                    </lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
                <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="2"><lrm_resources>
                    <lrm_resource id="db" class="ocf" provider="pulse" type="Dummy">
                      <lrm_rsc_op id="db_last_0" operation="start" call-id="4" rc-code="1" op-status="0" interval="0"
                                  exit-reason="no disk" transition-key="3:1:0:x" on_node="n2"/>
                    </lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
              </status>
            </cib>
            """;

    @Test
    @SuppressWarnings("unchecked")
    void nodesResourcesMovesAndOnlyRealFailures() throws Exception {
        Cib cib = Cib.of(XmlParser.parse("test", CIB));
        Map<String, Object> v = ConsoleView.of(Map.of("node", "n1", "dc", "n1", "quorate", true, "members", "n1,n2"), cib,
                "root", Instant.parse("2026-12-06T09:00:00Z"));
        assertEquals(List.of("n1", "n2"), v.get("members"));
        List<Map<String, Object>> rscs = (List<Map<String, Object>>) v.get("resources");
        Map<String, Object> vip = rscs.stream().filter(r -> r.get("id").equals("vip")).findFirst().orElseThrow();
        assertEquals(List.of("n1"), vip.get("nodes"));
        assertEquals("active", vip.get("status"));
        assertEquals("ocf:pulse:IPaddr", vip.get("agent"));
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) v.get("nodes");
        assertEquals(true, nodes.get(0).get("dc"));
        assertEquals(List.of("vip"), nodes.get(0).get("resources"));
        List<Map<String, Object>> constraints = (List<Map<String, Object>>) v.get("constraints");
        assertEquals("move", constraints.get(0).get("kind"));
        // The probe that found db stopped on n1 is an answer; the start that failed on n2 is a failure.
        List<Map<String, Object>> failed = (List<Map<String, Object>>) v.get("failed_actions");
        assertEquals(1, failed.size(), failed.toString());
        assertEquals("n2", failed.get(0).get("node"));
        assertEquals("no disk", failed.get(0).get("reason"));
    }
}
