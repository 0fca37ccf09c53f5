package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;

/** Pending changes, questions, commits to the file: versions, atomic writes, concurrent edits. */
class SessionTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="5" num_updates="2" admin_epoch="0">
              <configuration>
                <crm_config>
                  <cluster_property_set id="cib-bootstrap-options">
                    <nvpair name="stonith-enabled" value="false" id="cib-bootstrap-options-stonith-enabled"/>
                  </cluster_property_set>
                </crm_config>
                <nodes><node uname="node1" id="node1"/></nodes>
                <resources/>
                <constraints/>
              </configuration>
              <status>
                <node_state id="node1" uname="node1" in_ccm="true" crmd="online" join="member" expected="member">
                  <transient_attributes id="node1">
                    <instance_attributes id="status-node1">
                      <nvpair id="status-node1-fail-count-d1" name="fail-count-d1#monitor_10000" value="2"/>
                    </instance_attributes>
                  </transient_attributes>
                </node_state>
              </status>
            </cib>
            """;

    @TempDir
    Path tmp;

    private static XmlElement root(TestShell t) throws Exception {
        return XmlParser.parse("cib", t.file());
    }

    @Test
    void leavingWithPendingChangesAsksInATerminal() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, "y\n")) {
            t.shell.execLine("configure");
            t.shell.execLine("primitive d1 ocf:pulse:Dummy");
            assertFalse(t.file().contains("\"d1\""), "nothing is written before the question");
            t.shell.execLine("up");
            assertTrue(t.output().contains("There are changes pending. Do you want to commit them (y/n)?"));
            assertTrue(t.file().contains("id=\"d1\""), "answered y: committed");
        }
        Path other = Files.createDirectories(tmp.resolve("n"));
        try (TestShell t = new TestShell(other, CIB, false, "n\n")) {
            t.shell.execLine("configure");
            t.shell.execLine("primitive d1 ocf:pulse:Dummy");
            t.shell.execLine("quit");
            assertEquals(CIB, t.file(), "answered n: the file is as it was");
        }
    }

    @Test
    void eraseAsksAndKeepsNodes() throws Exception {
        String withResource = CIB.replace("<resources/>",
                "<resources><primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/></resources>");
        try (TestShell t = new TestShell(tmp, withResource, false, "n\ny\n")) {
            t.shell.execLine("configure");
            t.shell.execLine("erase");
            assertTrue(t.output().contains("Do you really want to erase"));
            t.shell.execLine("commit");
            assertTrue(t.file().contains("id=\"d1\""), "answered n: nothing erased");
            t.shell.execLine("erase");
            t.shell.execLine("commit");
            assertFalse(t.file().contains("id=\"d1\""), "answered y: erased");
            assertTrue(t.file().contains("uname=\"node1\""), "nodes stay");
        }
    }

    @Test
    void configurationChangesBumpEpochStatusChangesBumpNumUpdates() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            assertEquals(0, t.script("configure primitive d1 ocf:pulse:Dummy\n"), t.output());
            XmlElement r = root(t);
            assertEquals("6", r.attr("epoch"));
            assertEquals("0", r.attr("num_updates"));
            assertEquals(0, t.script("resource cleanup d1\n"), t.output());
            r = root(t);
            assertEquals("6", r.attr("epoch"), "a status change keeps the epoch");
            assertEquals("1", r.attr("num_updates"), "a status change bumps num_updates");
            try (Stream<Path> files = Files.list(tmp)) {
                assertEquals(0, files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count(),
                        "no temporary files are left beside the CIB");
            }
        }
    }

    @Test
    void aFileChangedBehindTheShellsBackIsNotOverwritten() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            t.shell.execLine("configure");
            t.shell.execLine("primitive d1 ocf:pulse:Dummy");
            String theirs = CIB.replace("epoch=\"5\"", "epoch=\"9\"");
            Files.writeString(t.cibFile, theirs);
            assertEquals(1, t.shell.execLine("commit"));
            assertTrue(t.output().contains("was changed by someone else since it was read; nothing was written"));
            assertEquals(theirs, t.file());
        }
    }

    @Test
    void aScriptWithAnErrorWritesNothing() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, false, null)) {
            int rc = t.script("configure\nprimitive d1 ocf:pulse:Dummy\nlocation l1 d1 100 node1\nprimitive d2 ocf:pulse:Dummy\n");
            assertEquals(1, rc);
            assertTrue(t.output().contains("not committed: 1 command(s) failed"));
            assertEquals(CIB, t.file());
        }
    }
}
