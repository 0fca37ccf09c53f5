package org.pulse.shell.levels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.shell.TestShell;

/**
 * crm resource move/ban/clear on a CIB file (--cib-file), through the rule crmd's DC uses too
 * (cib's MoveBanClear): what a move puts in, clear takes out again, and a refused ban changes
 * nothing in the file.
 */
class MoveBanClearOnFileTest {
    /** Two nodes; d1 started on node1, d2 in a group running on node2. */
    static final String CIB = """
            <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="7" num_updates="3" admin_epoch="0">
              <configuration>
                <crm_config/>
                <nodes>
                  <node uname="node1" id="node1"/>
                  <node uname="node2" id="node2"/>
                </nodes>
                <resources>
                  <primitive id="d1" class="ocf" provider="pulse" type="Dummy"/>
                  <group id="g1">
                    <primitive id="d2" class="ocf" provider="pulse" type="Dummy"/>
                  </group>
                </resources>
                <constraints>
                  <rsc_location id="l1" rsc="d1" node="node2" score="10"/>
                </constraints>
              </configuration>
              <status>
                <node_state id="node1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="node1"><lrm_resources>
                    <lrm_resource id="d1" class="ocf" provider="pulse" type="Dummy">
                      <lrm_rsc_op id="d1_last_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0"/>
                    </lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
                <node_state id="node2" uname="node2" in_ccm="true" crmd="online" join="member" expected="member">
                  <lrm id="node2"><lrm_resources>
                    <lrm_resource id="d2" class="ocf" provider="pulse" type="Dummy">
                      <lrm_rsc_op id="d2_last_0" operation="start" call-id="3" rc-code="0" op-status="0" interval="0"/>
                    </lrm_resource>
                  </lrm_resources></lrm>
                </node_state>
              </status>
            </cib>
            """;

    @TempDir
    Path tmp;

    /** Configuration and status as written; the version counts every write and is checked apart. */
    private static XmlElement content(String xml, String section) throws Exception {
        return XmlParser.parse("cib", xml).element(section).orElseThrow();
    }

    @Test
    void everyMoveAndBanThenClearLeavesTheFileAsItWas() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = Files.readString(t.cibFile);
            String[][] cases = {
                    {"resource move d1 node2", "resource clear d1"},
                    {"resource move d1 node2 PT1H", "resource clear d1"},
                    {"resource ban d1 node1", "resource unban d1"},
                    {"resource ban d1 node2 P1D", "resource clear d1"},
                    {"resource move d1", "resource clear d1"},
                    // a group runs where its primitives do: moved away from node2
                    {"resource move g1", "resource clear g1"},
            };
            int writes = 0;
            for (String[] c : cases) {
                assertEquals(0, t.script(c[0]), c[0] + ": " + t.output());
                String moved = Files.readString(t.cibFile);
                assertTrue(moved.contains("cli-"), c[0] + " put no constraint in the file:\n" + moved);
                assertEquals(0, t.script(c[1]), c[1] + ": " + t.output());
                writes += 2;
                String after = Files.readString(t.cibFile);
                assertEquals(content(before, "configuration"), content(after, "configuration"), c[0] + " then " + c[1]);
                assertEquals(content(before, "status"), content(after, "status"), c[0] + " then " + c[1]);
                assertEquals(String.valueOf(7 + writes), XmlParser.parse("cib", after).attr("epoch"),
                        "one configuration version per command");
            }
        }
    }

    @Test
    void aBanOfAnUnknownResourceOrNodeIsRefusedNamingItAndTheFileIsUntouched() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = Files.readString(t.cibFile);
            assertEquals(1, t.script("resource ban nosuch node1"));
            String out = t.output();
            assertTrue(out.contains("no resource 'nosuch'"), out);
            assertEquals(before, Files.readString(t.cibFile));

            assertEquals(1, t.script("resource ban d1 node9"));
            out = t.output();
            assertTrue(out.contains("node 'node9' is not a cluster node; the nodes are node1, node2"), out);
            assertEquals(before, Files.readString(t.cibFile));

            assertEquals(1, t.script("resource move d1 node9 PT1H"));
            assertTrue(t.output().contains("'node9'"));
            assertEquals(before, Files.readString(t.cibFile));
        }
    }
}
