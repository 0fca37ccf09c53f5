package org.pulse.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.TestEnv;

/**
 * The README's first command, as a newcomer runs it: {@code bin/pulse-demo --auto} starts a
 * 3-node cluster on loopback, kills the node running the web service and shows it recovering on
 * another node after fencing, then cleans up. It must say so, exit 0 within a bound, and leave
 * no process and no directory behind.
 */
class PulseDemoTest {
    static final long BOUND_SECONDS = 300;

    @Test
    void theDemoShowsARecoveryAndLeavesNothingBehind() throws Exception {
        Path repo = TestEnv.requireBuiltJars();
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/pulse-demo").toString(), "--auto");
        // This JVM's classpath holds the bench module's classes (the demo) and every dependency, before
        // the module is packaged (mvn verify runs the tests first).
        pb.environment().put("PULSE_DEMO_CLASSPATH", System.getProperty("java.class.path"));
        pb.redirectErrorStream(true);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path outFile = Files.createTempFile("pulse-demo-test", ".out");
        pb.redirectOutput(outFile.toFile());
        long t0 = System.nanoTime();
        Process p = pb.start();
        boolean exited = p.waitFor(BOUND_SECONDS, TimeUnit.SECONDS);
        if (!exited) {
            // SIGTERM first: the demo's shutdown hook cleans up what it started.
            p.destroy();
            p.waitFor(30, TimeUnit.SECONDS);
            p.destroyForcibly().waitFor();
        }
        String out = Files.readString(outFile, StandardCharsets.UTF_8);
        Files.deleteIfExists(outFile);
        System.out.println(out);
        System.out.printf("pulse-demo --auto took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertTrue(exited, "bin/pulse-demo --auto did not finish within " + BOUND_SECONDS + " s");
        assertEquals(0, p.exitValue(), "bin/pulse-demo --auto failed");

        Matcher work = Pattern.compile("work directory (\\S+)").matcher(out);
        assertTrue(work.find(), "the demo does not say where its work directory is");
        Path dir = Path.of(work.group(1));
        Matcher summary = Pattern.compile("demo outage_ms=(\\d+) from=(node\\d) to=(node\\d) fenced=(yes|no)").matcher(out);
        assertTrue(summary.find(), "no summary line 'demo outage_ms=… from=… to=… fenced=…'");
        assertFalse(summary.group(2).equals(summary.group(3)), "the service did not move: " + summary.group());
        assertEquals("yes", summary.group(4), "the killed node was not fenced");
        long outageMs = Long.parseLong(summary.group(1));
        assertTrue(outageMs > 0 && outageMs < 60_000, "implausible outage " + outageMs + " ms");
        assertTrue(out.contains("the service answers again, from " + summary.group(3)),
                "the demo does not show the recovery");
        assertTrue(out.contains("cleaned up: stopped"), "the demo does not say it cleaned up");

        // Nothing left: no live process that belongs to the demo, no work directory.
        List<String> left = liveProcessesMentioning(dir.toString());
        assertTrue(left.isEmpty(), "the demo left processes behind: " + left);
        assertFalse(Files.exists(dir), "the demo left its work directory " + dir);
        assertNotNull(summary.group(3));
    }

    /** Live (not zombie) processes whose command line mentions {@code text}. */
    static List<String> liveProcessesMentioning(String text) throws IOException {
        List<String> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String pid = p.getFileName().toString();
                if (!pid.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                            .replace('\0', ' ');
                    String stat = Files.readString(p.resolve("stat"));
                    String state = stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
                    if (cmd.contains(text) && !state.equals("Z")) {
                        found.add(pid + " " + cmd.strip());
                    }
                } catch (IOException | RuntimeException gone) {
                    // exited while we looked
                }
            }
        }
        return found;
    }
}
