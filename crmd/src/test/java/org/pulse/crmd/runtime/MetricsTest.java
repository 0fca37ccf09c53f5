package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.CibVersion;
import org.pulse.cib.xml.XmlParser;
import org.pulse.crmd.controller.StatusReport;

class MetricsTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="5" num_updates="2" admin_epoch="0" have-quorum="1"
                 cib-last-written="Sun Dec  6 08:00:00 2026">
              <configuration>
                <crm_config><cluster_property_set id="o">
                  <nvpair id="o1" name="stonith-enabled" value="false"/>
                </cluster_property_set></crm_config>
                <nodes><node id="1" uname="n1"/><node id="2" uname="n2"/><node id="3" uname="n3"/></nodes>
                <resources>
                  <group id="web">
                    <primitive id="vip" class="ocf" provider="pulse" type="IPaddr">
                      <meta_attributes id="vip-m"><nvpair id="vip-m1" name="migration-threshold" value="3"/></meta_attributes>
                    </primitive>
                  </group>
                </resources>
                <constraints><rsc_location id="prefer-n1" rsc="web" node="n1" score="INFINITY"/></constraints>
              </configuration>
              <status>
                <node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member">
                  <transient_attributes id="1"><instance_attributes id="s1">
                    <nvpair id="s1a" name="fail-count-vip#monitor_10000" value="2"/>
                    <nvpair id="s1b" name="fail-count-vip#start_0" value="INFINITY"/>
                    <nvpair id="s1c" name="pingd" value="say &quot;hi&quot;"/>
                  </instance_attributes></transient_attributes>
                  <lrm id="1"><lrm_resources>
                    <lrm_resource id="vip" class="ocf" provider="pulse" type="IPaddr">
                      <lrm_rsc_op id="vip_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"
                                  transition-key="1:1:0:x" on_node="n1"/>
                    </lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
                <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
                <node_state id="3" uname="n3" in_ccm="false" crmd="offline" join="down" expected="down"/>
              </status>
            </cib>
            """;

    @Test
    void theCibAndTheViewAsHaClusterExporterNamesThem() throws Exception {
        Cib cib = Cib.of(XmlParser.parse("test", CIB));
        StatusReport s = new StatusReport("n2", "n1:4", List.of("n1", "n2"), "n1", true, true, 3, new CibVersion(0, 5, 2),
                null, Map.of(), List.of(), "2 of 3 votes", false);
        String text = Metrics.render(s, cib, 1, Instant.parse("2026-12-06T09:00:00Z"));
        assertTrue(text.contains("ha_cluster_pacemaker_nodes{node=\"n1\",status=\"online\",type=\"member\"} 1"), text);
        assertTrue(text.contains("ha_cluster_pacemaker_nodes{node=\"n1\",status=\"dc\",type=\"member\"} 1"), text);
        assertTrue(text.contains("ha_cluster_pacemaker_nodes{node=\"n3\",status=\"online\",type=\"member\"} 0"), text);
        assertTrue(text.contains("ha_cluster_pacemaker_resources{agent=\"ocf:pulse:IPaddr\",clone=\"\",group=\"web\","
                + "managed=\"true\",node=\"n1\",resource=\"vip\",role=\"started\",status=\"active\"} 1"), text);
        assertTrue(text.contains("ha_cluster_pacemaker_fail_count{node=\"n1\",resource=\"vip\"} +Inf"),
                "per-operation fail counts add up, INFINITY wins:\n" + text);
        assertTrue(text.contains("ha_cluster_pacemaker_migration_threshold{node=\"n2\",resource=\"vip\"} 3"), text);
        assertTrue(text.contains("ha_cluster_pacemaker_location_constraints{constraint=\"prefer-n1\",node=\"n1\","
                + "resource=\"web\",role=\"\"} +Inf"), text);
        assertTrue(text.contains("ha_cluster_pacemaker_node_attributes{node=\"n1\",name=\"pingd\",value=\"say \\\"hi\\\"\"} 1"),
                "label values escaped:\n" + text);
        assertTrue(text.contains("ha_cluster_pacemaker_stonith_enabled 0"), text);
        assertTrue(text.contains("ha_cluster_pacemaker_config_last_change 1796544000"), text);
        assertTrue(text.contains("ha_cluster_corosync_quorate 1"), text);
        assertTrue(text.contains("ha_cluster_corosync_quorum_votes{type=\"quorum\"} 2"), text);
        assertTrue(text.contains("ha_cluster_corosync_member_votes{local=\"true\",node=\"n2\",node_id=\"2\"} 1"), text);
        assertTrue(text.contains("pulse_pending_fencing 0"), text);
        // Every family announced once, before its samples.
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String name = line.split(" ")[2];
                assertEquals(1, text.split("# TYPE " + name + " ", -1).length - 1, name);
            }
        }
    }

    @Test
    void scoresAndCountsParseAsPacemakerWritesThem() {
        assertEquals(Double.POSITIVE_INFINITY, Metrics.number("INFINITY"));
        assertEquals(Double.POSITIVE_INFINITY, Metrics.number("+inf"));
        assertEquals(Double.NEGATIVE_INFINITY, Metrics.number("-INFINITY"));
        assertEquals(-100.0, Metrics.number("-100"));
        assertEquals("a\\\\b\\\"c\\nd", Metrics.escape("a\\b\"c\nd"));
    }
}
