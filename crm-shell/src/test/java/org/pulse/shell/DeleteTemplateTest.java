package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Deleting an rsc_template takes the primitives made from it along, as crmsh does; before, the commit failed. */
class DeleteTemplateTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="2" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config/>
                <nodes><node uname="node1" id="1"/></nodes>
                <resources>
                  <template id="tpl" class="ocf" provider="pacemaker" type="Dummy"/>
                  <primitive id="w1" template="tpl"/>
                  <primitive id="other" class="ocf" provider="pacemaker" type="Dummy"/>
                </resources>
                <constraints>
                  <rsc_location id="l1" rsc="w1" score="10" node="node1"/>
                </constraints>
              </configuration>
              <status/>
            </cib>
            """;

    @TempDir
    Path tmp;

    @Test
    void aTemplateGoesWithThePrimitivesMadeFromIt() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure delete tpl\n"));
            String out = t.output();
            assertTrue(out.contains("INFO: hanging primitive:w1 deleted"), out);
            String xml = t.file();
            assertTrue(!xml.contains("id=\"tpl\"") && !xml.contains("id=\"w1\"") && !xml.contains("id=\"l1\""), xml);
            assertTrue(xml.contains("<primitive id=\"other\""), xml);
        }
    }
}
