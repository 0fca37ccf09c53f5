package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.Cib;
import org.pulse.cib.model.AlertConfig;
import org.pulse.cib.model.CibModel;

/** crmsh's {@code alert} in configure: the XML Pacemaker reads, shown back in the same syntax, and deleted. */
class AlertSyntaxTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="2" num_updates="0" admin_epoch="0">
              <configuration><crm_config/><nodes/><resources/><constraints/></configuration><status/>
            </cib>
            """;

    @TempDir
    Path tmp;

    @Test
    void configureShowAndShowXmlRoundTrip() throws Exception {
        String line = "alert file /usr/share/pacemaker/alerts/alert_file.sh attributes debug_exec_order=false "
                + "meta timeout=10s timestamp-format=\"%H:%M:%S.%06N\" select nodes fencing resources attributes { pingd standby } "
                + "to /var/log/cluster-alerts.log to { /var/log/other.log meta timestamp-format=%H:%M enabled=false }";
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure " + line + "\n"), t.output());
            t.output();
            String xml = t.file();
            CibModel m = CibModel.from(Cib.parse("t", xml).root());
            assertEquals(1, m.alerts().size(), xml);
            AlertConfig a = m.alerts().get(0);
            assertEquals("/usr/share/pacemaker/alerts/alert_file.sh", a.path());
            assertEquals("10s", a.meta().get("timeout"));
            assertEquals("%H:%M:%S.%06N", a.meta().get("timestamp-format"));
            assertEquals("false", a.instanceAttributes().get("debug_exec_order"));
            assertEquals(new AlertConfig.Select(true, true, true, true, java.util.List.of("pingd", "standby")), a.select());
            assertEquals(2, a.recipientList().size());
            assertEquals("file-recipient", a.recipientList().get(0).id());
            assertEquals("/var/log/other.log", a.recipientList().get(1).value());
            assertEquals("false", a.recipientList().get(1).meta().get("enabled"));
            assertEquals("%H:%M", a.recipientList().get(1).meta().get("timestamp-format"));

            assertEquals(0, t.script("configure show file\n"));
            String shown = t.output();
            assertTrue(shown.startsWith("alert file \"/usr/share/pacemaker/alerts/alert_file.sh\""), shown);
            assertTrue(shown.contains("select nodes fencing resources attributes { pingd standby }"), shown);
            assertTrue(shown.contains("to \"/var/log/cluster-alerts.log\""), shown);
            assertTrue(shown.contains("to { \"/var/log/other.log\" meta timestamp-format=\"%H:%M\" enabled=false }"), shown);

            assertEquals(0, t.script("configure show xml file\n"));
            String shownXml = t.output();
            assertTrue(shownXml.contains("<alert id=\"file\" path=\"/usr/share/pacemaker/alerts/alert_file.sh\">"), shownXml);
            assertTrue(shownXml.contains("<select_attributes>"), shownXml);

            // What show printed, configured again after a delete, gives the same XML.
            String cli = shown.strip().replace("\\\n", " ");
            assertEquals(0, t.script("configure delete file\n"), t.output());
            assertTrue(!t.file().contains("<alert "), t.file());
            assertEquals(0, t.script("configure " + cli + "\n"), t.output());
            assertEquals(xml.replaceAll("epoch=\"\\d+\"", ""), t.file().replaceAll("epoch=\"\\d+\"", ""));
        }
    }

    @Test
    void editChangesAnAlertInPlace() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure alert file /bin/true meta timeout=10s to /tmp/a.log\n"), t.output());
            t.env.put("EDITOR", "sed -i 's/timeout=10s/timeout=20s/'");
            assertEquals(0, t.script("configure edit file\n"), t.output());
            CibModel m = CibModel.from(Cib.parse("t", t.file()).root());
            assertEquals(1, m.alerts().size(), t.file());
            assertEquals("20s", m.alerts().get(0).meta().get("timeout"));
            assertEquals(java.util.List.of("/tmp/a.log"), m.alerts().get(0).recipients());
        }
    }

    @Test
    void mistakesAreNamed() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertNotEquals(0, t.script("configure alert a1\n"));
            assertTrue(t.output().contains("path of the alert agent"));
            assertNotEquals(0, t.script("configure alert a1 /bin/true select\n"));
            assertTrue(t.output().contains("nodes, fencing, resources"));
            assertNotEquals(0, t.script("configure alert a1 /bin/true to { /tmp/x\n"));
            assertTrue(t.output().contains("'}'"));
            assertNotEquals(0, t.script("configure alert a1 /bin/true bogus\n"));
            assertTrue(t.output().contains("'attributes', 'meta', 'select' or 'to'"));
            assertTrue(!t.file().contains("<alert "), t.file());
        }
    }
}
