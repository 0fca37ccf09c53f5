package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crmsh's {@code resource trace|untrace} and {@code node clearstate} on a CIB file: trace sets trace_ra=1 in
 * the ops' instance attributes (adding start and stop when missing, as crmsh does) and untrace takes them
 * away again, ops it added included; clearstate makes an offline node's state that of a fenced one and is
 * refused for an online node. Before, both commands were unknown.
 */
class TraceAndClearStateTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="2" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes><node uname="node1" id="1"/><node uname="node2" id="2"/></nodes>
                <resources>
                  <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy">
                    <operations>
                      <op id="d1-monitor-10s" name="monitor" interval="10s" timeout="20s"/>
                    </operations>
                  </primitive>
                  <group id="g1"><primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/></group>
                </resources>
                <constraints/>
              </configuration>
              <status>
                <node_state id="1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="1"><lrm_resources><lrm_resource id="d1" class="ocf" provider="heartbeat" type="Dummy">
                    <lrm_rsc_op id="d1_last_0" operation_key="d1_start_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0" on_node="node1"/>
                  </lrm_resource></lrm_resources></lrm>
                </node_state>
                <node_state id="2" uname="node2" in_ccm="false" crmd="offline" join="down" expected="member">
                  <transient_attributes id="2"><instance_attributes id="status-2"><nvpair id="status-2-fc" name="fail-count-d2#start_0" value="1"/></instance_attributes></transient_attributes>
                  <lrm id="2"><lrm_resources><lrm_resource id="d2" class="ocf" provider="heartbeat" type="Dummy">
                    <lrm_rsc_op id="d2_last_0" operation_key="d2_start_0" operation="start" call-id="4" rc-code="0" op-status="0" interval="0" on_node="node2"/>
                  </lrm_resource></lrm_resources></lrm>
                </node_state>
              </status>
            </cib>
            """;

    @TempDir
    Path tmp;

    @Test
    void traceAddsTraceRaAndUntraceTakesItAway() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = t.file();
            int rc = t.script("resource trace d1\n");
            String out = t.output();
            assertEquals(0, rc, out);
            assertTrue(out.contains("Trace for d1 is written to DATA_DIR/trace_ra"), out);
            String xml = t.file();
            for (String op : new String[] {"d1-monitor-10s", "d1-start-0", "d1-stop-0"}) {
                assertTrue(xml.contains("<nvpair name=\"trace_ra\" value=\"1\" id=\"" + op + "-instance_attributes-trace_ra\"/>"),
                        op + " not traced:\n" + xml);
            }
            assertTrue(xml.contains("<op id=\"d1-start-0\" name=\"start\" interval=\"0\">"), xml);
            assertEquals(0, t.script("configure show d1\n"));
            String shown = t.output();
            assertTrue(shown.contains("op start interval=0 \\\n\top_params trace_ra=1"), shown);
            assertEquals(0, t.script("resource untrace d1\n"), t.output());
            assertEquals(resources(before), resources(t.file()), "untrace did not undo trace");

            // one op with its interval and a directory; probe is the monitor of interval 0
            assertEquals(0, t.script("resource trace d1 monitor 10 /srv/traces\n"), t.output());
            xml = t.file();
            assertTrue(xml.contains("name=\"trace_dir\" value=\"/srv/traces\""), xml);
            assertTrue(!xml.contains("d1-start-0"), xml);
            assertEquals(0, t.script("resource trace d1 probe\n"), t.output());
            assertTrue(t.file().contains("<op id=\"d1-monitor-0\" name=\"monitor\" interval=\"0\">"), t.file());
            assertEquals(0, t.script("resource untrace d1\n"), t.output());
            assertEquals(resources(before), resources(t.file()));

            // refusals name the thing and change nothing
            assertNotEquals(0, t.script("resource trace d1 monitor 30\n"));
            assertTrue(t.output().contains("operation monitor with interval 30 not found in d1 (its operations: monitor interval=10s)"));
            assertNotEquals(0, t.script("resource trace g1\n"));
            assertTrue(t.output().contains("g1 is a group, not a primitive"));
            assertNotEquals(0, t.script("resource trace nosuch\n"));
            assertTrue(t.output().contains("no resource 'nosuch'"));
            assertNotEquals(0, t.script("resource untrace d1 promote\n"));
            assertTrue(t.output().contains("operation promote not found in d1"));
            assertEquals(resources(before), resources(t.file()));
        }
    }

    @Test
    void clearstateForgetsAnOfflineNodesStateAndRefusesAnOnlineOne() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = t.file();
            assertNotEquals(0, t.script("node clearstate node1\n"));
            String err = t.output();
            assertTrue(err.contains("node node1 is online"), err);
            assertEquals(before, t.file());
            assertNotEquals(0, t.script("node clearstate node9\n"));
            assertTrue(t.output().contains("no node named 'node9' in the CIB; known: node1, node2"));
            assertEquals(0, t.script("node clearstate node2\n"), t.output());
            String xml = t.file();
            assertTrue(xml.contains("<node_state id=\"2\" uname=\"node2\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\">"), xml);
            assertTrue(!xml.contains("d2_last_0") && !xml.contains("fail-count-d2"), xml);
            assertTrue(xml.contains("d1_last_0"), "node1's history went too:\n" + xml);
        }
    }

    /** The configuration's resources, canonical (the version and the file's layout aside). */
    private static String resources(String cibXml) throws Exception {
        return Canonical.of(org.pulse.cib.xml.XmlParser.parse("cib", cibXml).element("configuration").orElseThrow()
                .element("resources").orElseThrow());
    }
}
