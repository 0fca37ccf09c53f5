package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of the shell's parser: valid crm commands with words dropped, doubled, swapped,
 * or replaced by punctuation, quotes, angle brackets and odd characters, run on a CIB file. Each
 * either succeeds or is refused; a refused command leaves the file byte for byte as it was, and no
 * exception escapes the shell (which would print a stack trace instead of a message).
 * -Dfuzz.seed replays a run, -Dfuzz.count scales it.
 */
class ShellParserFuzzTest {
    private static final String CIB = MalformedCommandsTest.CIB;

    private static final String[] VALID = {
        "configure primitive d5 ocf:pulse:Dummy params state=/tmp/x op monitor interval=10s timeout=20s meta target-role=Stopped",
        "configure location l5 d1 100: node1",
        "configure location l6 d1 rule -inf: #uname eq node2 and pingd lt 1",
        "configure colocation c5 inf: d1 g1",
        "configure order o5 Mandatory: d1 ( d2 g1 ) symmetrical=false",
        "configure group g2 d1 meta target-role=Started",
        "configure clone cl1 d1 meta clone-max=2 interleave=true",
        "configure property no-quorum-policy=freeze stonith-timeout=90s",
        "configure rsc_defaults resource-stickiness=100",
        "configure op_defaults timeout=30s",
        "configure delete l5",
        "configure rename d1 d9",
        "resource meta d1 set is-managed false",
        "node attribute node1 set pingd 5",
        "node standby node2",
        "configure location l7 d1 rule 50: date in start=2026-01-01 end=2027-01-01",
    };

    private static final String[] NOISE = {"\"", "'", "<", ">", "&", "\\", "(", ")", "[", "]", "{", "}", ":", "=", "inf:",
        "-inf:", "--", "#uname", "\u00e9", "\u0000", "node3", "d1", "g1", "op", "params", "meta", "rule", "and", "or",
        "\"a b\"", "x=\"<cib/>\"", "id=\"q'\"", "9999999999999999999999", "-", ";", "|"};

    @TempDir
    Path dir;

    @Test
    void mutatedCommandsSucceedOrAreRefusedWithoutTouchingTheCib() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int count = Integer.getInteger("fuzz.count", 1_500);
        System.out.println("ShellParserFuzzTest seed " + seed + " (replay: -Dfuzz.seed=" + seed + "), commands " + count);
        Random rnd = new Random(seed);
        int[] refused = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(240), () -> {
            for (int i = 0; i < count; i++) {
                String line = mutate(VALID[rnd.nextInt(VALID.length)], rnd);
                try (TestShell sh = new TestShell(dir.resolve("c" + i), null, false, null, null)) {
                    java.nio.file.Files.createDirectories(sh.dir);
                    java.nio.file.Files.writeString(sh.cibFile, CIB);
                    String before = sh.file();
                    int status = sh.script(line);
                    String out = sh.output();
                    if (out.contains("\tat org.") || out.contains("Exception in")) {
                        throw new AssertionError("seed " + seed + " command #" + i + " printed a stack trace: " + line + "\n" + out);
                    }
                    if (status != 0) {
                        refused[0]++;
                        assertEquals(before, sh.file(), "seed " + seed + " command #" + i + " was refused but changed the CIB: " + line);
                    }
                }
            }
        }, "seed " + seed + ": the shell hung");
        System.out.println("ShellParserFuzzTest: " + refused[0] + " of " + count + " refused, the rest applied");
    }

    static String mutate(String valid, Random rnd) {
        List<String> words = new ArrayList<>(List.of(valid.split(" ")));
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) {
            // never the first word: it names the level, and an unknown level is a single well-trodden error
            int at = 1 + rnd.nextInt(words.size() - 1);
            switch (rnd.nextInt(5)) {
                case 0 -> words.remove(at);
                case 1 -> words.add(at, words.get(at));
                case 2 -> words.set(at, NOISE[rnd.nextInt(NOISE.length)]);
                case 3 -> words.add(at, NOISE[rnd.nextInt(NOISE.length)]);
                default -> {
                    int other = 1 + rnd.nextInt(words.size() - 1);
                    String w = words.get(at);
                    words.set(at, words.get(other));
                    words.set(other, w);
                }
            }
            if (words.size() < 2) {
                words.add("d1");
            }
        }
        return String.join(" ", words);
    }
}
