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
        assertTrue(list.matches("(?s).*\\n7 +2026-12-06T09:00:00Z +local +1  not run +- \\| Start d1 on node1\\n.*"), list);
        assertTrue(list.matches("(?s).*\\n8 +2026-12-06T09:00:05Z +local +\\d+ .*Start d2 on node1.*"), list);
        String one = run(0, "history", "transition", "8");
        assertTrue(one.startsWith("Transition 8 ("), one);
        assertTrue(one.contains("  Start d2 on node1"), one);
        assertTrue(one.contains("CIB changes since transition 7 (0.3.0 -> 0.4.0, "), one);
        assertTrue(one.contains("+ /cib/configuration[0]/resources[0]: <primitive id=\"d2\""), one);
        assertTrue(one.matches("(?s).*~ /cib/status.*lrm_rsc_op\\[@id='d1_last_0'\\]:.* rc-code=\"0\".*"), one);
        assertTrue(run(0, "history", "transition", "7").contains("(no earlier input kept)"));
        assertTrue(run(1, "history", "transition", "3").contains("no transition 3 in " + pe + " (kept: local 7–9)"));
        assertTrue(run(1, "history", "transition", "x").contains("'x' is not a transition number"));
        assertTrue(run(1, "history", "--data-dir", dir.resolve("nowhere").toString()).contains("--data-dir"));
    }

    /**
     * A report of two nodes: node1 was DC (its input and history log name transition 4), node2 ran the start; the
     * transition shows both nodes' lines, the resource and node events come from both, unknown ones are refused.
     */
    @Test
    void aReportOfTwoNodesGathersEveryNodesLinesForATransition() throws Exception {
        Path report = dir.resolve("report");
        Path pe = Files.createDirectories(report.resolve("node1/pe"));
        Files.createDirectories(report.resolve("node2/data/pe"));
        Files.writeString(pe.resolve("pe-input-3.xml"), cib(3, dummy("d1"), probed("d1", 7)));
        Files.setLastModifiedTime(pe.resolve("pe-input-3.xml"), FileTime.from(Instant.parse("2026-12-06T09:00:00Z")));
        String tag = "transition 4 of node1 (view node1.1:2)";
        Files.writeString(report.resolve("node1/history.log"), String.join("\n",
                "2026-12-06T08:59:59.100Z node1 view node1.1:2: members [node1, node2], DC node1, joined [node2], left []",
                "2026-12-06T09:00:00.010Z node1 " + tag + " started from pe-input-3",
                "2026-12-06T09:00:00.300Z node1 " + tag + " ended: complete in 290 ms, 1 actions; trigger: CIB 0.3.0 changed",
                "2026-12-06T09:00:01.000Z node1 transition 1 of node1 (view node1.1:1): start of other on node1: ok (rc 0) in 5 ms",
                "") );
        Files.writeString(report.resolve("node2/data/history.log"), String.join("\n",
                "2026-12-06T09:00:00.200Z node2 " + tag + ": start of d1 on node2: ok (rc 0) in 12 ms",
                "2026-12-06T09:00:02.000Z node2 operation monitor_10000 of d1 on node2: failed, expected rc 0 (rc 7) in 3 ms"
                        + " (recurring, started by " + tag + ")",
                "2026-12-06T09:00:02.500Z node2 transition 5 of node1 (view node1.1:2): reboot of fence on node2 (target node3):"
                        + " timed out (rc 1) in 15015 ms: timed out after 15000 ms",
                "2026-12-06T09:00:03.000Z node2 transition 5 of node1 (view node1.1:2): reboot of fence on node2 (target node3): ok (rc 0) in 40 ms",
                "") );
        String r = report.toString();
        String list = run(0, "history", "--report", r);
        assertTrue(list.matches("(?s).*\\n3 +2026-12-06T09:00:00Z +node1 +1  complete +CIB 0.3.0 changed \\| Start d1 on node1\\n.*"), list);
        String one = run(0, "history", "--report", r, "transition", "3");
        assertTrue(one.contains("  trigger: CIB 0.3.0 changed"), one);
        assertTrue(one.contains("  result: complete in 290 ms (" + tag + ")"), one);
        assertTrue(one.contains("Log lines for " + tag + " (from the history logs of node1, node2; 2 nodes have some):\n"
                + "  2026-12-06T09:00:00.010Z node1 " + tag + " started from pe-input-3\n"
                + "  2026-12-06T09:00:00.200Z node2 " + tag + ": start of d1 on node2: ok (rc 0) in 12 ms\n"
                + "  2026-12-06T09:00:00.300Z node1 " + tag + " ended: complete"), one);
        assertTrue(!one.contains("start of other") && !one.contains("monitor_10000"), "only the transition's own lines:\n" + one);
        String d1 = run(0, "history", "--report", r, "resource", "d1");
        assertTrue(d1.matches("(?s).*transition +node1 +transition 3: Start d1 on node1 \\(complete\\).*"), d1);
        assertTrue(d1.matches("(?s).*operation +node2 +" + java.util.regex.Pattern.quote(tag) + ": start of d1 on node2: ok.*"), d1);
        assertTrue(d1.matches("(?s).*failure +node2 +operation monitor_10000 of d1 on node2: failed.*"), d1);
        String n3 = run(0, "history", "--report", r, "node", "node3");
        assertTrue(n3.matches("(?s).*fenced +node2 +transition 5 of node1 .*reboot of fence on node2 \\(target node3\\): ok.*"), n3);
        // a try that failed is not "fenced"
        assertTrue(n3.matches("(?s).*fence-fail +node2 +transition 5 of node1 .*\\(target node3\\): timed out.*"), n3);
        assertTrue(!n3.matches("(?s).*fenced +node2 [^\\n]*timed out.*"), n3);
        String n2 = run(0, "history", "--report", r, "node", "node2");
        assertTrue(n2.matches("(?s).*joined +node2 +view node1.1:2 \\(seen by node1\\).*"), n2);
        assertTrue(n2.matches("(?s).*failure +node2 .*monitor_10000 of d1.*"), n2);
        assertTrue(run(1, "history", "--report", r, "resource", "nope").contains("no resource 'nope' in the saved inputs or history "
                + "logs of node1, node2 (resources: d1, fence, other)"));
        assertTrue(run(1, "history", "--report", r, "node", "node7").contains("no node 'node7'"));
        assertTrue(run(1, "history", "--report", r, "transition", "node2:3").contains("no transition node2:3 in "));
        assertTrue(run(1, "history", "--report", r, "transition", "9").contains("(kept: node1 3–3)"));
        assertTrue(run(1, "history", "--report", dir.resolve("none").toString()).contains("no report directory"));
        assertTrue(run(1, "history", "--report", r, "bogus", "x").contains("expected nothing (list), 'transition N', 'resource RSC' or 'node NODE'"));
    }
}
