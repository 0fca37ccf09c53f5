package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** edit and load update keep the ids the parts of an object had (crmsh does too). */
class EditTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="2" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config/>
                <nodes><node uname="node1" id="node1"/></nodes>
                <resources>
                  <primitive id="vip" class="ocf" provider="pulse" type="IPaddr">
                    <instance_attributes id="vip-ia">
                      <nvpair id="vip-ip" name="ip" value="192.0.2.1"/>
                    </instance_attributes>
                    <operations>
                      <op id="vip-mon" name="monitor" interval="10s"/>
                    </operations>
                  </primitive>
                </resources>
                <constraints/>
              </configuration>
              <status/>
            </cib>
            """;

    @TempDir
    Path tmp;

    @Test
    void editKeepsTheIdsOfUnchangedParts() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            t.env.put("EDITOR", "sed -i 's/192.0.2.1/192.0.2.2/; s/interval=10s/interval=10s timeout=20s/'");
            assertEquals(0, t.script("configure edit vip\n"), t.output());
            String xml = t.file();
            assertTrue(xml.contains("<instance_attributes id=\"vip-ia\">"), xml);
            assertTrue(xml.contains("<nvpair name=\"ip\" value=\"192.0.2.2\" id=\"vip-ip\"/>"), xml);
            assertTrue(xml.contains("id=\"vip-mon\""), xml);
            assertTrue(xml.contains("timeout=\"20s\""), xml);
        }
    }

    @Test
    void newPartsGetCrmshIds() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            t.env.put("EDITOR", "sed -i 's/ip=192.0.2.1/ip=192.0.2.1 cidr_netmask=24/'");
            assertEquals(0, t.script("configure edit vip\n"), t.output());
            String xml = t.file();
            assertTrue(xml.contains("name=\"cidr_netmask\" value=\"24\" id=\"vip-ia-cidr_netmask\""), xml);
        }
    }
}
