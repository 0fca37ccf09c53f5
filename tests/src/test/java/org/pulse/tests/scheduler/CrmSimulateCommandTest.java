package org.pulse.tests.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.lab.support.TestEnv;

/**
 * {@code bin/crm simulate} and {@code bin/crm explain}, run as the operator runs them (a real
 * process on a CIB file), on the golden cases.
 */
class CrmSimulateCommandTest {
    private static Path crm;

    @BeforeAll
    static void needsBuiltShell() throws IOException {
        crm = TestEnv.root().resolve("bin/crm");
        boolean built = Files.isDirectory(TestEnv.root().resolve("crm-shell/target/lib"));
        TestEnv.require(built, "the packaged crm shell (mvn -DskipTests package) for bin/crm");
    }

    private static Path golden(String name) {
        return GoldenSchedulerTest.casesDir().resolve(name);
    }

    record Result(int exit, String out, String err) {
    }

    private static Result run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(crm.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("CIB_file");
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "bin/crm did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void canonicalIsExactlyTheExpectedForm() throws Exception {
        Path c = golden("colocation-follows-primary");
        Result r = run(Map.of(), "--cib-file", c.resolve("cib.xml").toString(), "simulate", "--canonical");
        assertEquals(0, r.exit(), r.err());
        assertEquals(Files.readString(c.resolve("expected.txt")), r.out());
    }

    @Test
    void cibFileEnvironmentWorksLikeTheOption(@TempDir Path tmp) throws Exception {
        Path c = golden("no-quorum-stop");
        Path graph = tmp.resolve("graph.xml");
        Result r = run(Map.of("CIB_file", c.resolve("cib.xml").toString()), "simulate", "--save-graph", graph.toString());
        assertEquals(0, r.exit(), r.err());
        // crm_simulate's sections and words: no revised state without --run
        assertTrue(r.out().contains("Current cluster status:") && r.out().contains("Transition Summary:")
                && !r.out().contains("Revised Cluster Status:"), r.out());
        assertTrue(r.out().matches("(?s).*\\n  \\* Stop +rsc1 +\\( node1 \\).*"), r.out());
        String xml = Files.readString(graph);
        assertTrue(xml.startsWith("<transition_graph") && xml.contains("operation=\"stop\""), xml);
    }

    @Test
    void explainGivesTheScoreTableAndTheSources() throws Exception {
        Path c = golden("stickiness-holds-place");
        Result r = run(Map.of(), "--cib-file", c.resolve("cib.xml").toString(), "explain", "rsc1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith("rsc1 runs on node2 and stays there"), r.out());
        assertTrue(r.out().contains("location constraint pref") && r.out().contains("resource-stickiness"), r.out());
    }

    @Test
    void explainSaysWhyAResourceCannotRun() throws Exception {
        Path c = golden("mandatory-order-blocks-then");
        Result r = run(Map.of(), "--cib-file", c.resolve("cib.xml").toString(), "explain", "then");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("will not start") && r.out().contains("order o1"), r.out());
    }

    @Test
    void badInputNamesTheFileAndWhatToDo(@TempDir Path tmp) throws Exception {
        Path bad = tmp.resolve("broken.xml");
        Files.writeString(bad, "<cib><configuration>");
        Result r = run(Map.of(), "--cib-file", bad.toString(), "simulate");
        assertTrue(r.exit() != 0);
        assertTrue(r.err().contains(bad.toString()), r.err());
        Result none = run(Map.of(), "simulate");
        assertTrue(none.exit() != 0 && none.err().contains("--cib-file"), none.err());
        Result unknown = run(Map.of(), "--cib-file", golden("no-quorum-stop").resolve("cib.xml").toString(), "explain", "nosuch");
        assertTrue(unknown.exit() != 0 && unknown.err().contains("nosuch"), unknown.err());
    }

    /** A group on n1, a location preferring n2, n2 and n3 offline: the group stays and explain says why. */
    @Test
    void explainOfAGroupAndOfNodesThatTakeNoResources(@TempDir Path tmp) throws Exception {
        String state = "<lrm_rsc_op id=\"%1$s_last_0\" operation_key=\"%1$s_start_0\" operation=\"start\" call-id=\"1\""
                + " rc-code=\"0\" op-status=\"0\" interval=\"0\"/>";
        StringBuilder lrm = new StringBuilder();
        StringBuilder members = new StringBuilder();
        for (String m : List.of("a", "b", "c")) {
            members.append("<primitive id=\"").append(m).append("\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"/>");
            lrm.append("<lrm_resource id=\"").append(m).append("\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">")
                    .append(String.format(state, m)).append("</lrm_resource>");
        }
        Path cib = tmp.resolve("cib.xml");
        Files.writeString(cib, "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\""
                + " have-quorum=\"1\" dc-uuid=\"1\"><configuration><crm_config><cluster_property_set id=\"o\">"
                + "<nvpair id=\"o1\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>"
                + "<nodes><node id=\"1\" uname=\"n1\"/><node id=\"2\" uname=\"n2\"/><node id=\"3\" uname=\"n3\"/></nodes>"
                + "<resources><group id=\"g\">" + members + "</group></resources><constraints>"
                + "<rsc_location id=\"l1\" rsc=\"g\" node=\"n2\" score=\"50\"/></constraints></configuration><status>"
                + "<node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
                + "<lrm id=\"1\"><lrm_resources>" + lrm + "</lrm_resources></lrm></node_state>"
                + "<node_state id=\"2\" uname=\"n2\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"/>"
                + "</status></cib>");
        Result g = run(Map.of(), "--cib-file", cib.toString(), "explain", "g");
        assertEquals(0, g.exit(), g.err());
        // the offline nodes score -INFINITY for g: its later members cannot run there, and Pacemaker
        // merges a member's scores as -INFINITY on a node where it is not available
        assertTrue(g.out().startsWith("g runs on n1 and stays there: no node scores higher."), g.out());
        assertTrue(g.out().contains("(offline: takes no resources, whatever the score)"), g.out());
        Result b = run(Map.of(), "--cib-file", cib.toString(), "explain", "b");
        assertTrue(b.out().startsWith("b runs on n1 and stays there"), b.out());
    }
}
