package org.pulse.tests.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.lab.support.TestEnv;

/**
 * The class-data archives of bin/pulse-cds as bin/pulse-launch uses them, on a copy of the
 * installed layout (bin/ and lib/ as the package lays them out, archives in PULSE_CDS_DIR): a
 * matching archive is used and changes nothing a command prints; after a jar changes, the old
 * archive is not used (the launcher looks for another name), the command runs as before, and the
 * archive for the new jars is made in the background, replacing the old one; an archive that does
 * not match under the expected name (copied, corrupt) is refused by the JVM, with the command's
 * output untouched. Bound: about 8 crm runs and 2 training runs, ~20 s of CPU.
 */
class ClassDataArchiveTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" admin_epoch="0" epoch="3" num_updates="0">
              <configuration>
                <crm_config><cluster_property_set id="o"><nvpair id="o-s" name="stonith-enabled" value="false"/>
                </cluster_property_set></crm_config>
                <nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
                <resources><primitive id="d1" class="ocf" provider="pulse" type="Dummy"/></resources>
                <constraints/>
              </configuration>
              <status>
                <node_state id="n1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"/>
                <node_state id="n2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/>
              </status>
            </cib>
            """;

    /** What a class-load log says of a class that came from the application's (dynamic) archive. */
    private static final String FROM_ARCHIVE = "source: shared objects file (top)";

    @BeforeAll
    static void needsBuiltShell() {
        TestEnv.require(Files.isDirectory(TestEnv.root().resolve("crm-shell/target/lib")),
                "the packaged crm shell (mvn -DskipTests package) for bin/crm");
    }

    record Result(int exit, String out, String err) {
    }

    /** bin/ and lib/ as the package installs them under /usr/lib/pulse. */
    private static Path installedLayout(Path tmp) throws IOException {
        Path root = tmp.resolve("pulse");
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("lib"));
        for (String f : List.of("crm", "pulse-launch", "pulse-cds")) {
            Path to = root.resolve("bin").resolve(f);
            Files.copy(TestEnv.root().resolve("bin").resolve(f), to);
            assertTrue(to.toFile().setExecutable(true));
        }
        Path target = TestEnv.root().resolve("crm-shell/target");
        try (Stream<Path> jars = Files.list(target)) {
            Path jar = jars.filter(p -> p.getFileName().toString().matches("crm-shell-.*\\.jar")
                    && !p.getFileName().toString().matches(".*-(sources|tests)\\.jar")).findFirst().orElseThrow();
            Files.copy(jar, root.resolve("lib/crm-shell.jar"));
        }
        try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, root.resolve("lib").resolve(jar.getFileName()));
            }
        }
        return root;
    }

    private static Result run(Path root, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(args[0].startsWith("/") ? args[0] : root.resolve("bin").resolve(args[0]).toString());
        cmd.addAll(List.of(args).subList(1, args.length));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (String v : List.of("CIB_file", "PULSE_JAVA_OPTS", "PULSE_EXTRA_JAVA_OPTS", "PULSE_CDS")) {
            pb.environment().remove(v);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", cmd) + " did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    /** crm simulate with a class-load log; the result and whether any class came from the archive. */
    private static Result simulate(Path root, Map<String, String> env, Path cib, Path loadLog) throws Exception {
        Map<String, String> e = new HashMap<>(env);
        e.put("PULSE_EXTRA_JAVA_OPTS", "-Xlog:class+load=info:file=" + loadLog);
        return run(root, e, "crm", "--cib-file", cib.toString(), "simulate");
    }

    private static boolean usedArchive(Path loadLog) throws IOException {
        return Files.readString(loadLog).contains(FROM_ARCHIVE);
    }

    /** Waits for a background training run to leave its archive (and let go of its lock). */
    private static void awaitArchive(Path jsa) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline && !(Files.isRegularFile(jsa) && !Files.exists(Path.of(jsa + ".lock")))) {
            Thread.sleep(200);
        }
        assertTrue(Files.isRegularFile(jsa), "no archive made in the background within 120 s: " + jsa);
    }

    @Test
    void aMatchingArchiveIsUsedAStaleOneIgnoredAndReplaced(@TempDir Path tmp) throws Exception {
        Path root = installedLayout(tmp);
        Path cds = tmp.resolve("cds");
        Map<String, String> env = Map.of("PULSE_CDS_DIR", cds.toString());
        Path cib = tmp.resolve("cib.xml");
        Files.writeString(cib, CIB);
        Result plain = run(root, Map.of("PULSE_CDS", "0"), "crm", "--cib-file", cib.toString(), "simulate");
        assertEquals(0, plain.exit(), plain.err());
        assertTrue(plain.out().contains("Transition Summary:") && plain.out().matches("(?s).*Start\\s+d1.*"), plain.out());

        // Made by one training run, named after the JDK and the jars; crm then maps it.
        Path first = Path.of(run(root, env, "pulse-cds", "--path", "crm-shell").out().strip());
        assertEquals(cds, first.getParent());
        assertTrue(first.getFileName().toString().matches("crm-shell-[0-9a-f]{12}\\.jsa"), first.toString());
        Result trained = run(root, env, "pulse-cds", "crm-shell");
        assertEquals(0, trained.exit(), trained.err());
        assertTrue(Files.size(first) > 1_000_000, "archive " + first);
        Result shared = simulate(root, env, cib, tmp.resolve("load-1.log"));
        assertEquals(0, shared.exit(), shared.err());
        assertEquals(plain.out(), shared.out(), "the archive changed what crm prints");
        assertTrue(usedArchive(tmp.resolve("load-1.log")), "crm did not use the archive " + first);

        // A changed jar (a rebuild, an upgrade): another name; the old archive is not used.
        Path jar = root.resolve("lib/crm-shell.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 86_400_000L));
        Path second = Path.of(run(root, env, "pulse-cds", "--path", "crm-shell").out().strip());
        assertNotEquals(first, second);
        Result stale = simulate(root, env, cib, tmp.resolve("load-2.log"));
        assertEquals(0, stale.exit(), stale.err());
        assertEquals(plain.out(), stale.out());
        assertFalse(usedArchive(tmp.resolve("load-2.log")), "crm used the archive of the old jars");
        // ... and the launcher has the new one made in the background, replacing the old one.
        awaitArchive(second);
        assertFalse(Files.exists(first), "the old jars' archive stays beside the new one");
        Result again = simulate(root, env, cib, tmp.resolve("load-3.log"));
        assertEquals(plain.out(), again.out());
        assertTrue(usedArchive(tmp.resolve("load-3.log")), "crm did not use the new archive " + second);

        // Under the expected name, an archive made for other jars: the JVM checks the jars itself,
        // refuses it (a warning on stderr, never on stdout) and runs without.
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() + 86_400_000L));
        Path third = Path.of(run(root, env, "pulse-cds", "--path", "crm-shell").out().strip());
        Files.copy(second, third);
        Result mismatched = simulate(root, env, cib, tmp.resolve("load-4.log"));
        assertEquals(0, mismatched.exit(), mismatched.err());
        assertEquals(plain.out(), mismatched.out());
        assertFalse(usedArchive(tmp.resolve("load-4.log")), "crm used an archive made for other jars");

        // Not an archive at all (a truncated or overwritten file): the same.
        Files.delete(third);
        Files.write(third, new byte[64 * 1024]);
        Result corrupt = simulate(root, env, cib, tmp.resolve("load-5.log"));
        assertEquals(0, corrupt.exit(), corrupt.err());
        assertEquals(plain.out(), corrupt.out());
        assertFalse(usedArchive(tmp.resolve("load-5.log")));
    }

    @Test
    void offTurnsItOffAndNothingIsMade(@TempDir Path tmp) throws Exception {
        Path root = installedLayout(tmp);
        Path cds = tmp.resolve("cds");
        Path cib = tmp.resolve("cib.xml");
        Files.writeString(cib, CIB);
        Result r = simulate(root, Map.of("PULSE_CDS_DIR", cds.toString(), "PULSE_CDS", "0"), cib, tmp.resolve("load.log"));
        assertEquals(0, r.exit(), r.err());
        assertFalse(usedArchive(tmp.resolve("load.log")));
        Thread.sleep(2000);
        assertFalse(Files.exists(cds), "PULSE_CDS=0 still made an archive directory");
    }
}
