package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * crmsh commands operators type that Pulse answered with "unknown command" (compared level by level with
 * crmsh 4.4.1's help): the maintenance level, configure get_property, ra classes and providers, and a pointer
 * for node delete.
 */
class OperatorCommandsTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="2" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="o1" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>
                <nodes><node uname="node1" id="1"/></nodes>
                <resources><primitive id="d1" class="ocf" provider="heartbeat" type="Dummy"/></resources>
                <constraints/>
              </configuration>
              <status/>
            </cib>
            """;

    @TempDir
    Path tmp;

    @Test
    void maintenanceLevelSetsTheClusterPropertyOrAResourcesAttribute() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("maintenance on\n"), t.output());
            assertTrue(t.file().contains("name=\"maintenance-mode\" value=\"true\""), t.file());
            assertEquals(0, t.script("maintenance off\n"), t.output());
            assertTrue(t.file().contains("name=\"maintenance-mode\" value=\"false\""), t.file());
            assertEquals(0, t.script("maintenance on d1\n"), t.output());
            assertTrue(t.file().matches("(?s).*<primitive id=\"d1\".*name=\"maintenance\" value=\"true\".*"), t.file());
            assertNotEquals(0, t.script("maintenance action d1 start\n"));
            assertTrue(t.output().contains("crm ra test"));
        }
    }

    @Test
    void getPropertyPrintsAValueForScripts() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            t.output();
            assertEquals(0, t.script("configure get_property stonith-enabled\n"));
            assertEquals("false\n", t.output());
            assertEquals(0, t.script("configure get_property -t stonith-enabled\n"));
            assertEquals("false\n", t.output());
            // Pacemaker 3's name reads the same option
            assertEquals(0, t.script("configure get_property fencing-enabled\n"));
            assertEquals("false\n", t.output());
            // Unset: its default, as crmsh 4.4.1 prints (CIB_file=F crm configure get_property no-quorum-policy: stop)
            assertEquals(0, t.script("configure get_property no-quorum-policy\n"));
            assertEquals("stop\n", t.output());
            assertEquals(0, t.script("configure get_property cluster-recheck-interval\n"));
            assertEquals("15min\n", t.output());
            assertEquals(0, t.script("configure get_property -t symmetric-cluster\n"));
            assertEquals("true\n", t.output());
            // No default (a typo): an error, as crmsh's "bogus-prop: Property not set" (rc 1)
            assertNotEquals(0, t.script("configure get_property no-quorum-polcy\n"));
            assertTrue(t.output().contains("no-quorum-polcy: property not set"), t.output());
        }
    }

    @Test
    void resourceSecretIsRefusedNamingWhatDoesItsJob() throws Exception {
        // crmsh stashes a value in a node-local file and leaves lrm:// in the CIB; Pulse's LRM reads no such file
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = t.file();
            assertNotEquals(0, t.script("resource secret d1 stash passwd\n"));
            String out = t.output();
            assertTrue(out.contains("Pulse keeps no local secret files") && out.contains("deny xpath:"), out);
            assertNotEquals(0, t.script("resource secret d1 set passwd s3cret\n"));
            assertTrue(t.output().contains("Here: crm resource param d1 set passwd <value>"));
            assertNotEquals(0, t.script("resource secret d1 frob passwd\n"));
            assertTrue(t.output().contains("usage: secret <rsc> set|stash"));
            assertEquals(before, t.file());
        }
    }

    @Test
    void crmshLevelsPulseHasNotSayWhatToUse() throws Exception {
        // crmsh 4.4.1's 'crm help' has these levels; Pulse answered "unknown command"
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String[][] cases = {
                {"options show", "options: Pulse's shell keeps no settings"},
                {"assist weak-bond d1 d2", "configure colocation NAME 100: A B"},
                {"script list", "crm configure load update FILE"},
                {"template list", "configure rsc_template"},
                {"report", "crm history"},
                {"cib cibstatus show", "cib cibstatus: not in Pulse yet"},
                {"configure bundle b podman image=x", "configure bundle: the crm syntax of a bundle is not parsed yet"},
            };
            t.assertRefused(cases);
        }
    }

    @Test
    void nodeDeleteSaysWhereANodeIsRemoved() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            String before = t.file();
            assertNotEquals(0, t.script("node delete node1\n"));
            assertTrue(t.output().contains("crm cluster remove NODE"));
            assertEquals(before, t.file());
        }
    }

    @Test
    void raClassesAndProviders() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Crm crm = new Crm(Map.of(), new ByteArrayInputStream(new byte[0]), ps, ps, Clock.systemUTC());
        CommandLine cl = Crm.commandLine(crm);
        cl.setOut(new java.io.PrintWriter(ps, true));
        cl.setErr(new java.io.PrintWriter(ps, true));
        assertEquals(0, cl.execute("ra", "classes"), bytes.toString(StandardCharsets.UTF_8));
        String classes = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(classes.matches("(?s).*^ocf / .*pulse.*$.*") || classes.contains("ocf / "), classes);
        assertTrue(classes.contains("stonith"), classes);
        bytes.reset();
        assertEquals(0, cl.execute("ra", "providers", "Dummy"), bytes.toString(StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("pulse"), bytes.toString(StandardCharsets.UTF_8));
        bytes.reset();
        assertEquals(1, cl.execute("ra", "providers", "NoSuchAgent"));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("no ocf agent 'NoSuchAgent'"));
    }
}
