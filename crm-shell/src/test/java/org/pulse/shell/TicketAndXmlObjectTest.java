package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator coming from crmsh writes and expects back: rsc_ticket objects, a rule nested in a
 * rule (shown as crmsh's {@code xml} form, so save and load keep it), and a file whose group comes
 * before its primitives.
 */
class TicketAndXmlObjectTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="2" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes><node uname="node1" id="1"/><node uname="node2" id="2"/></nodes>
                <resources>
                  <primitive id="d1" class="ocf" provider="pacemaker" type="Dummy"/>
                  <primitive id="d2" class="ocf" provider="pacemaker" type="Dummy"/>
                </resources>
                <constraints>
                  <rsc_location id="loc1" rsc="d1">
                    <rule id="loc1-rule" score="100" boolean-op="or">
                      <expression id="loc1-e1" attribute="#uname" operation="eq" value="node1"/>
                      <rule id="loc1-rule-n" boolean-op="and">
                        <expression id="loc1-e2" attribute="site" operation="eq" value="a b"/>
                        <date_expression id="loc1-d" operation="date_spec"><date_spec id="loc1-ds" hours="9-17" weekdays="1-5"/></date_expression>
                      </rule>
                    </rule>
                  </rsc_location>
                </constraints>
              </configuration>
              <status/>
            </cib>
            """;

    @TempDir
    Path tmp;

    @Test
    void rscTicketIsAnObjectAsInCrmsh() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("""
                    configure rsc_ticket tk1 ticketA: d1 loss-policy=fence
                    configure rsc_ticket tk2 ticketB: d1:Promoted d2:Promoted
                    configure rsc_ticket tk3 ticketC: d2:Master
                    configure rsc_ticket tk4 ticketD: d1 d2 loss-policy=freeze
                    """), t.output());
            String xml = t.file();
            assertTrue(xml.contains("<rsc_ticket id=\"tk1\" ticket=\"ticketA\" loss-policy=\"fence\" rsc=\"d1\"/>"), xml);
            assertTrue(xml.contains("<rsc_ticket id=\"tk3\" ticket=\"ticketC\" rsc=\"d2\" rsc-role=\"Promoted\"/>")
                    || xml.contains("<rsc_ticket id=\"tk3\" ticket=\"ticketC\" rsc=\"d2\" rsc-role=\"Master\"/>"), xml);
            assertTrue(xml.contains("<resource_set role=\"Promoted\" id=\"tk2-0\">"), xml);
            t.output();
            assertEquals(0, t.script("configure show type:rsc_ticket\n"));
            String shown = t.output();
            assertTrue(shown.contains("rsc_ticket tk1 ticketA: d1 loss-policy=fence\n"), shown);
            assertTrue(shown.contains("rsc_ticket tk2 ticketB: d1:Promoted d2:Promoted\n"), shown);
            assertTrue(shown.contains("rsc_ticket tk4 ticketD: d1 d2 loss-policy=freeze\n"), shown);
            // a misspelt loss-policy is refused, naming it and the choices; nothing is written
            String before = t.file();
            assertNotEquals(0, t.script("configure rsc_ticket tk5 ticketE: d1 loss-policy=stopp\n"));
            String err = t.output();
            assertTrue(err.contains("unknown loss-policy 'stopp'; use one of stop, demote, fence, freeze"), err);
            assertNotEquals(0, t.script("configure rsc_ticket tk5 ticketE d1\n"));
            assertTrue(t.output().contains("<ticket>:"));
            assertEquals(before, t.file());
        }
    }

    @Test
    void aRuleNestedInARuleSurvivesShowSaveAndLoad() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure show loc1\n"));
            String shown = t.output();
            assertTrue(shown.startsWith("xml <rsc_location id=\"loc1\" rsc=\"d1\"> \\\n"), shown);
            assertTrue(shown.contains("<rule id=\"loc1-rule-n\" boolean-op=\"and\">"), shown);
            Path saved = tmp.resolve("saved.crm");
            assertEquals(0, t.script("configure save " + saved + "\nconfigure erase --force\n"), t.output());
            assertTrue(!t.file().contains("loc1-rule-n"));
            assertEquals(0, t.script("configure load replace " + saved + "\n"), t.output());
            String xml = t.file();
            assertTrue(xml.contains("<rule id=\"loc1-rule-n\" boolean-op=\"and\">"), xml);
            assertTrue(xml.contains("value=\"a b\""), xml);
            assertTrue(xml.contains("<date_spec id=\"loc1-ds\" hours=\"9-17\" weekdays=\"1-5\"/>"), xml);
            t.output();
            assertEquals(0, t.script("configure show\n"));
            assertEquals(Files.readString(saved), t.output());
        }
    }

    @Test
    void xmlCommandRefusesWhatIsNotAnObject() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = t.file();
            assertNotEquals(0, t.script("configure xml <rsc_location id=\"x\" rsc=\"d1\"\n"));
            String err = t.output();
            assertTrue(err.contains("not well-formed XML"), err);
            assertNotEquals(0, t.script("configure xml <nvpair id=\"x\" name=\"a\" value=\"b\"/>\n"));
            err = t.output();
            assertTrue(err.contains("<nvpair> is not a configuration object"), err);
            assertEquals(before, t.file());
        }
    }

    @Test
    void loadUpdateTakesAGroupBeforeItsPrimitives() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            Path file = tmp.resolve("g.crm");
            Files.writeString(file, """
                    # a group first, as crmsh allows
                    group g1 a1 a2 \\
                    \tmeta target-role=Started
                    primitive a1 ocf:pacemaker:Dummy
                    primitive a2 ocf:pacemaker:Dummy \\
                        op monitor interval=10s
                    """);
            assertEquals(0, t.script("configure load update " + file + "\n"), t.output());
            String xml = t.file();
            assertTrue(xml.matches("(?s).*<group id=\"g1\">.*<primitive id=\"a1\".*<primitive id=\"a2\".*</group>.*"), xml);
        }
    }

    /**
     * A rule nested in a group's own meta_attributes and in a clone's own instance_attributes: each is shown
     * as one xml object holding its resources (crmsh shows those resources again on their own, so a saved
     * file defined them twice and its load was refused: "id 'd1' is already used"), and show, save, erase,
     * load replace gives back the same configuration.
     */
    @Test
    void aRuleNestedInAGroupOrCloneSetSurvivesShowSaveAndLoad() throws Exception {
        String nested = """
                <cib validate-with="pacemaker-3.9" epoch="2" num_updates="0" admin_epoch="0">
                  <configuration>
                    <crm_config/>
                    <nodes><node uname="node1" id="1"/></nodes>
                    <resources>
                      <primitive id="d4" class="ocf" provider="heartbeat" type="Dummy"/>
                      <group id="g1">
                        <meta_attributes id="g1-m">
                          <rule id="g1-r" score="INFINITY" boolean-op="or">
                            <rule id="g1-r-in" boolean-op="and"><expression id="g1-e1" attribute="#uname" operation="eq" value="node1"/><expression id="g1-e3" attribute="x" operation="eq" value="1"/></rule>
                            <expression id="g1-e2" attribute="site" operation="defined"/>
                          </rule>
                          <nvpair id="g1-m-tr" name="target-role" value="Stopped"/>
                        </meta_attributes>
                        <primitive id="d1" class="ocf" provider="heartbeat" type="Dummy"/>
                        <primitive id="d2" class="ocf" provider="heartbeat" type="Dummy"/>
                      </group>
                      <clone id="c1">
                        <instance_attributes id="c1-i">
                          <rule id="c1-r" score="0" boolean-op="and">
                            <rule id="c1-r-in" boolean-op="or"><expression id="c1-e1" attribute="#uname" operation="eq" value="node1"/><expression id="c1-e3" attribute="x" operation="eq" value="1"/></rule>
                          </rule>
                          <nvpair id="c1-i-f" name="foo" value="bar"/>
                        </instance_attributes>
                        <group id="cg"><primitive id="d3" class="ocf" provider="heartbeat" type="Dummy"/></group>
                      </clone>
                    </resources>
                    <constraints/>
                  </configuration>
                  <status/>
                </cib>
                """;
        try (TestShell t = new TestShell(tmp, nested, false, null)) {
            int rc = t.script("configure show\n");
            String shown = t.output();
            assertEquals(0, rc, shown);
            for (String held : new String[] {"primitive d1 ", "primitive d2 ", "primitive d3 ", "group cg "}) {
                assertTrue(!shown.contains(held), "[" + held + "] shown beside the xml that holds it:\n" + shown);
            }
            assertTrue(shown.contains("primitive d4 Dummy\n"), shown);
            assertTrue(shown.contains("xml <group id=\"g1\"> \\\n") && shown.contains("xml <clone id=\"c1\"> \\\n"), shown);
            String resourcesBefore = resources(t.file());
            Path saved = tmp.resolve("nested.crm");
            assertEquals(0, t.script("configure save " + saved + "\nconfigure erase --force\n"), t.output());
            assertTrue(!t.file().contains("g1-r-in"), t.file());
            assertEquals(0, t.script("configure load replace " + saved + "\n"), t.output());
            assertEquals(resourcesBefore, resources(t.file()));
            t.output();
            assertEquals(0, t.script("configure show\n"));
            assertEquals(Files.readString(saved), t.output());
            // one of the held resources alone is still shown by its name
            assertEquals(0, t.script("configure show d1\n"));
            assertEquals("primitive d1 Dummy\n", t.output());
        }
    }

    /** The resources section of a CIB file, without white space between elements. */
    private static String resources(String cibXml) {
        String r = cibXml.substring(cibXml.indexOf("<resources>"), cibXml.indexOf("</resources>"));
        return r.replaceAll(">\\s+<", "><");
    }
}
