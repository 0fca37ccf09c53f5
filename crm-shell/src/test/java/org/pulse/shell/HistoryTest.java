package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** crm history over a data dir's saved scheduler inputs: the list, one transition, its CIB changes. */
class HistoryTest {
    @TempDir
    Path dir;

    private static String cib(int epoch, String resources, String lrm) {
        return "<cib admin_epoch=\"0\" epoch=\"" + epoch + "\" num_updates=\"0\" validate-with=\"pacemaker-3.9\" have-quorum=\"1\">"
                + "<configuration><crm_config><cluster_property_set id=\"o\"><nvpair id=\"o-s\" name=\"stonith-enabled\""
                + " value=\"false\"/></cluster_property_set></crm_config><nodes><node id=\"node1\" uname=\"node1\"/></nodes>"
                + "<resources>" + resources + "</resources><constraints/></configuration><status>"
                + "<node_state id=\"node1\" uname=\"node1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
                + "<lrm id=\"node1\"><lrm_resources>" + lrm + "</lrm_resources></lrm></node_state></status></cib>";
    }

    private static String dummy(String id) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>";
    }

    private static String probed(String id, int rc) {
        return "<lrm_resource id=\"" + id + "\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><lrm_rsc_op id=\"" + id
                + "_last_0\" operation_key=\"" + id + "_" + (rc == 0 ? "start" : "monitor") + "_0\" operation=\""
                + (rc == 0 ? "start" : "monitor") + "\" transition-key=\"1:1:" + rc + ":x\" call-id=\"1\" rc-code=\"" + rc
                + "\" op-status=\"0\" interval=\"0\"/></lrm_resource>";
    }

    private String run(int expectRc, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Crm crm = new Crm(Map.of("HOME", dir.toString(), "PULSE_DATA_DIR", dir.toString()),
                new ByteArrayInputStream(new byte[0]), ps, ps, Clock.fixed(TestShell.NOW, ZoneOffset.UTC));
        CommandLine cl = Crm.commandLine(crm);
        int rc = cl.execute(args);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(expectRc, rc, out);
        return out;
    }

    @Test
    void listsTheTransitionsAndShowsOneWithItsChanges() throws Exception {
        Path pe = Files.createDirectories(dir.resolve("pe"));
        Files.writeString(pe.resolve("pe-input-7.xml"), cib(3, dummy("d1"), probed("d1", 7)));
        Files.writeString(pe.resolve("pe-input-8.xml"), cib(4, dummy("d1") + dummy("d2"), probed("d1", 0) + probed("d2", 7)));
        Files.writeString(pe.resolve("pe-input-9.xml"), cib(4, dummy("d1") + dummy("d2"), probed("d1", 0) + probed("d2", 0)));
        Files.setLastModifiedTime(pe.resolve("pe-input-7.xml"), FileTime.from(Instant.parse("2026-12-06T09:00:00Z")));
        Files.setLastModifiedTime(pe.resolve("pe-input-8.xml"), FileTime.from(Instant.parse("2026-12-06T09:00:05Z")));
        String list = run(0, "history");
        assertTrue(list.matches("(?s).*\\n7 +2026-12-06T09:00:00Z +1 +Start d1 on node1\\n.*"), list);
        assertTrue(list.matches("(?s).*\\n8 +2026-12-06T09:00:05Z +\\d+ +.*Start d2 on node1.*"), list);
        String one = run(0, "history", "transition", "8");
        assertTrue(one.startsWith("Transition 8 ("), one);
        assertTrue(one.contains("  Start d2 on node1"), one);
        assertTrue(one.contains("CIB changes since transition 7 (0.3.0 -> 0.4.0, "), one);
        assertTrue(one.contains("+ /cib/configuration[0]/resources[0]: <primitive id=\"d2\""), one);
        assertTrue(one.matches("(?s).*~ /cib/status.*lrm_rsc_op\\[@id='d1_last_0'\\]:.* rc-code=\"0\".*"), one);
        assertTrue(run(0, "history", "transition", "7").contains("(no earlier input kept)"));
        assertTrue(run(1, "history", "transition", "3").contains("no transition 3 in " + pe + " (kept: 7–9)"));
        assertTrue(run(1, "history", "--data-dir", dir.resolve("nowhere").toString()).contains("--data-dir"));
    }
}
