package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Golden tests of {@code crm configure import}: every sample configuration Debian's keepalived
 * package ships (/usr/share/doc/keepalived/samples, installed by .ci/run) and our own keepalived
 * and heartbeat v1 files (src/test/resources/importers, written from the documented formats).
 * Each case's {@code --dry-run} output (the crm commands, crmd.conf lines and the not-imported
 * list with reasons) must equal its golden file in src/test/resources/importers/golden; then the
 * same import, applied to an empty CIB file, must succeed, create every object the dry run named,
 * and pass {@code crm configure verify}. Golden files are rewritten only with
 * {@code -Dimporters.rewrite=true} (review the diff before committing).
 */
class ImportGoldenTest {
    static final Path RESOURCES = Path.of("src/test/resources/importers");
    static final Path GOLDEN = RESOURCES.resolve("golden");
    static final Path DEBIAN_SAMPLES = Path.of("/usr/share/doc/keepalived/samples");
    static final boolean REWRITE = Boolean.getBoolean("importers.rewrite");

    @TempDir
    Path tmp;

    /** One import: a name, the words after "crm configure import", and whether lsb agents may be missing here. */
    private record Case(String name, List<String> args, boolean force) {
    }

    private List<Case> cases() throws IOException {
        List<Case> out = new ArrayList<>();
        assertTrue(Files.isDirectory(DEBIAN_SAMPLES), DEBIAN_SAMPLES + " is missing: apt-get install keepalived "
                + "(.ci/run does; the service need not run)");
        try (Stream<Path> s = Files.list(DEBIAN_SAMPLES)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith("keepalived.conf")).sorted().toList()) {
                out.add(new Case("debian-" + p.getFileName(), List.of("keepalived", "node1=" + p), false));
            }
        }
        assertTrue(out.size() >= 20, "expected Debian's keepalived samples, found " + out.size());
        // the conditional sample read as its two nodes, "high" and "low" (keepalived -i high / -i low)
        String cond = DEBIAN_SAMPLES.resolve("keepalived.conf.conditional_conf").toString();
        out.add(new Case("debian-conditional-high-low", List.of("keepalived", "high=" + cond, "low=" + cond), false));
        Path in = tmp.resolve("in");
        copyTree(RESOURCES, in);
        String two = in.resolve("keepalived/two-node/keepalived.conf").toString();
        out.add(new Case("keepalived-two-node", List.of("keepalived", "node1=" + two, "node2=" + two), false));
        String np = in.resolve("keepalived/nopreempt.conf").toString();
        out.add(new Case("keepalived-nopreempt", List.of("keepalived", "--node", "node1=" + np, "--node", "node2=" + np),
                false));
        out.add(new Case("keepalived-broken", List.of("keepalived", "node1=" + in.resolve("keepalived/broken.conf")), false));
        Path basic = in.resolve("heartbeat/basic");
        out.add(new Case("heartbeat-basic-addresses", List.of("heartbeat", "--address", "node1=192.0.2.11", "--address",
                "node2=192.0.2.12", "--address", "node9=192.0.2.19", basic.resolve("ha.cf").toString(),
                basic.resolve("haresources").toString()), true));
        for (String hb : List.of("basic", "ipfail")) {
            Path d = in.resolve("heartbeat/" + hb);
            out.add(new Case("heartbeat-" + hb, List.of("heartbeat", d.resolve("ha.cf").toString(),
                    d.resolve("haresources").toString()), true));
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    @TestFactory
    Stream<DynamicTest> importsMatchTheirGoldenFilesAndPassVerify() throws IOException {
        return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> run(c)));
    }

    private void run(Case c) throws Exception {
        List<String> dry = new ArrayList<>(List.of("configure", "import"));
        dry.add(c.args().get(0));
        dry.add("--dry-run");
        dry.addAll(c.args().subList(1, c.args().size()));
        Path cib = tmp.resolve(c.name() + ".xml");
        Result r = crm(cib, dry);
        String shown = r.output() + (r.rc() == 0 ? "" : "[exit " + r.rc() + "]\n");
        Path golden = GOLDEN.resolve(c.name() + ".crm");
        if (REWRITE) {
            Files.createDirectories(GOLDEN);
            Files.writeString(golden, shown);
        } else {
            assertTrue(Files.exists(golden), golden + " is missing; run with -Dimporters.rewrite=true and review it");
            assertEquals(Files.readString(golden), shown, c.name() + " differs from " + golden
                    + " (rerun with -Dimporters.rewrite=true to accept after review)");
        }
        if (r.rc() != 0) {
            assertEquals(1, r.rc(), "a refused import exits 1");
            assertTrue(!Files.exists(cib) || !Files.readString(cib).contains("<primitive"), "a refused import wrote");
            return;
        }
        // Apply the same import and check the result is a valid configuration with every object.
        List<String> apply = new ArrayList<>();
        if (c.force()) {
            apply.add("-F"); // the lsb scripts of the sample are not installed on this machine
        }
        apply.addAll(List.of("configure", "import"));
        apply.addAll(c.args());
        Result applied = crm(cib, apply);
        assertEquals(0, applied.rc(), "applying " + c.name() + ":\n" + applied.output());
        Result verify = crm(cib, List.of("configure", "verify"));
        assertEquals(0, verify.rc(), c.name() + " does not pass crm configure verify:\n" + verify.output());
        String show = crm(cib, List.of("configure", "show")).output();
        for (String line : r.output().split("\n")) {
            String[] w = line.split(" ");
            if (w.length > 1 && List.of("primitive", "group", "clone", "location", "colocation").contains(w[0])) {
                assertTrue(show.contains(w[0] + " " + w[1] + " "), c.name() + ": " + w[0] + " " + w[1]
                        + " was not created:\n" + show);
            }
        }
    }

    /** A failing command in the middle of an import leaves the configuration as it was. */
    @Test
    void anImportThatCannotApplyChangesNothing() throws Exception {
        Path cib = tmp.resolve("clash.xml");
        Path conf = tmp.resolve("k.conf");
        Files.writeString(conf, "vrrp_instance VI_1 {\n interface eth0\n virtual_ipaddress {\n  192.0.2.10/24\n }\n}\n");
        assertEquals(0, crm(cib, List.of("configure", "primitive", "VI_1-prio-node1", "ocf:pulse:Dummy")).rc());
        String before = Files.readString(cib);
        Result r = crm(cib, List.of("configure", "import", "keepalived", "node1=" + conf));
        assertEquals(1, r.rc(), r.output());
        assertTrue(r.output().contains("nothing was imported") && r.output().contains("VI_1-prio-node1"), r.output());
        assertEquals(before, Files.readString(cib), "a refused import changed the CIB");
    }

    /**
     * An import adds no node (a node in the CIB is a quorum vote): a name the cluster does not have
     * is warned about and left out of the nodes section.
     */
    @Test
    void anImportNeverAddsNodesAndWarnsAboutStrangers() throws Exception {
        Path cib = tmp.resolve("nodes.xml");
        Path conf = tmp.resolve("k.conf");
        Files.writeString(conf, "vrrp_instance VI_1 {\n priority 120\n virtual_ipaddress {\n  192.0.2.10/24 dev eth0\n }\n}\n");
        assertEquals(0, crm(cib, List.of("configure", "node", "n1")).rc());
        Result r = crm(cib, List.of("configure", "import", "keepalived", "n1=" + conf, "node1=" + conf));
        assertEquals(0, r.rc(), r.output());
        assertTrue(r.output().contains("WARNING: node node1 named by the keepalived configuration is not a node of this "
                + "cluster (n1)"), r.output());
        String show = crm(cib, List.of("configure", "show")).output();
        assertTrue(show.contains("node n1\n") && !show.contains("node node1"), show);
        assertTrue(show.contains("location VI_1-prio-node1 VI_1 120: node1"), show);
    }

    /** Without NODE=, one file is this node's (HOSTNAME); two such files are refused. */
    @Test
    void aBareFileIsThisNodesAndTwoAreRefused() throws Exception {
        Path cib = tmp.resolve("bare.xml");
        Path conf = tmp.resolve("k.conf");
        Files.writeString(conf, "vrrp_instance VI_1 {\n priority 120\n virtual_ipaddress {\n  192.0.2.10/24 dev eth0\n }\n}\n");
        Result one = crm(cib, List.of("configure", "import", "keepalived", "--dry-run", conf.toString()));
        assertEquals(0, one.rc(), one.output());
        assertTrue(one.output().contains("location VI_1-prio-node7 VI_1 120: node7"), one.output());
        Result two = crm(cib, List.of("configure", "import", "keepalived", conf.toString(), conf.toString()));
        assertEquals(1, two.rc(), two.output());
        assertTrue(two.output().contains("NODE=FILE"), two.output());
    }

    private record Result(int rc, String output) {
    }

    private Result crm(Path cib, List<String> words) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Map<String, String> env = new HashMap<>();
        env.put("CIB_file", cib.toString());
        env.put("HOME", tmp.toString());
        env.put("HOSTNAME", "node7");
        env.put("PULSE_OCF_DIRS", TestShell.repoRoot().resolve("resource-agents/src/main/ocf").toString());
        Crm crm = new Crm(env, new ByteArrayInputStream(new byte[0]), ps, ps, Clock.fixed(TestShell.NOW, ZoneOffset.UTC));
        CommandLine cl = Crm.commandLine(crm);
        cl.setOut(new java.io.PrintWriter(ps, true));
        cl.setErr(new java.io.PrintWriter(ps, true));
        int rc = cl.execute(words.toArray(new String[0]));
        ps.flush();
        return new Result(rc, bytes.toString(StandardCharsets.UTF_8).replace(tmp.resolve("in").toString(), "$IN"));
    }
}
