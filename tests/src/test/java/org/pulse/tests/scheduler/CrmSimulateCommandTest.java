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
import org.pulse.tests.support.TestEnv;

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
        assertTrue(r.out().contains("Current cluster status:") && r.out().contains("Revised cluster status:"), r.out());
        assertTrue(r.out().contains("Stop rsc1 on node1"), r.out());
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
}
