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
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.shell.parse.Lexer;
import org.pulse.shell.parse.Token;
import picocli.CommandLine;

/**
 * Transcript tests, in the manner of etcd's datadriven: each file in
 * src/test/resources/transcripts is a sequence of blocks
 *
 * <pre>
 * # prose
 * crm configure primitive vip ocf:pulse:IPaddr params ip=192.0.2.10
 * ----
 * the expected output (stdout and stderr as written), then "[exit N]" when the status is not 0
 * (blank line)
 * </pre>
 *
 * Commands: {@code crm WORDS} runs bin/crm's main in-process on the transcript's CIB file (CIB_file);
 * {@code script} takes the lines up to "----" as {@code crm -f -} input; {@code cib NAME} starts
 * over from transcripts/cibs/NAME.xml; {@code file} prints the CIB file; {@code env NAME=VALUE}
 * sets a variable (e.g. EDITOR). The clock is fixed at 2026-11-22 12:00:00 UTC and the temporary
 * directory prints as $TMP. Run with {@code -Dtranscripts.rewrite=true} to rewrite the expected
 * output from what the shell prints (then review the diff before committing).
 */
class TranscriptTest {
    static final Path DIR = Path.of("src/test/resources/transcripts");
    static final boolean REWRITE = Boolean.getBoolean("transcripts.rewrite");

    @TempDir
    Path tmp;

    @TestFactory
    Stream<DynamicTest> transcripts() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(DIR)) {
            files = s.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
        }
        assertTrue(!files.isEmpty(), "no transcripts in " + DIR.toAbsolutePath());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
    }

    private record Block(List<String> preamble, String command, List<String> input, String expected) {
    }

    private void run(Path file) throws Exception {
        List<String> lines = Files.readAllLines(file);
        List<Block> blocks = parse(lines);
        Path dir = Files.createDirectories(tmp.resolve(file.getFileName().toString().replace(".txt", "")));
        Path cib = dir.resolve("cib.xml");
        Map<String, String> env = new HashMap<>();
        env.put("CIB_file", cib.toString());
        env.put("HOME", dir.toString());
        env.put("CIB_shadow_dir", dir.resolve("shadow").toString());
        env.put("HOSTNAME", "node1");
        env.put("PULSE_OCF_DIRS", TestShell.repoRoot().resolve("resource-agents/src/main/ocf").toString());
        StringBuilder rewritten = new StringBuilder();
        List<String> failures = new ArrayList<>();
        for (Block b : blocks) {
            String actual = execute(b, dir, cib, env);
            b.preamble().forEach(l -> rewritten.append(l).append('\n'));
            rewritten.append(b.command()).append('\n');
            b.input().forEach(l -> rewritten.append(l).append('\n'));
            String shown = actual.isEmpty() || actual.endsWith("\n") ? actual : actual + "\n";
            if (shown.contains("\n\n") || shown.startsWith("\n")) {
                rewritten.append("----\n----\n").append(shown).append("----\n----\n");
            } else {
                rewritten.append("----\n").append(shown);
            }
            rewritten.append('\n');
            String want = b.expected();
            if (!(actual.isEmpty() || actual.endsWith("\n") ? actual : actual + "\n").equals(want)) {
                failures.add(b.command() + "\n--- expected ---\n" + b.expected() + "--- actual ---\n" + actual);
            }
        }
        if (REWRITE) {
            String text = rewritten.toString();
            Files.writeString(file, text.endsWith("\n\n") ? text.substring(0, text.length() - 1) : text);
            return;
        }
        assertEquals("", String.join("\n", failures), "transcript " + file.getFileName()
                + " differs (rerun with -Dtranscripts.rewrite=true to accept the new output after review)");
    }

    private static List<Block> parse(List<String> lines) {
        List<Block> out = new ArrayList<>();
        int i = 0;
        while (i < lines.size()) {
            List<String> pre = new ArrayList<>();
            while (i < lines.size() && (lines.get(i).startsWith("#") || lines.get(i).isBlank())) {
                pre.add(lines.get(i++));
            }
            if (i >= lines.size()) {
                break;
            }
            String command = lines.get(i++);
            List<String> input = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).equals("----")) {
                input.add(lines.get(i++));
            }
            i++; // ----
            StringBuilder expected = new StringBuilder();
            if (i < lines.size() && lines.get(i).equals("----")) {
                // Output with blank lines in it sits between "----\n----" and "----\n----", as in datadriven.
                i++;
                while (i + 1 < lines.size() && !(lines.get(i).equals("----") && lines.get(i + 1).equals("----"))) {
                    expected.append(lines.get(i++)).append('\n');
                }
                i += 2;
            } else {
                while (i < lines.size() && !lines.get(i).isEmpty()) {
                    expected.append(lines.get(i++)).append('\n');
                }
            }
            i++; // the blank line that ends the block
            out.add(new Block(pre, command, input, expected.toString()));
        }
        return out;
    }

    private String execute(Block b, Path dir, Path cib, Map<String, String> env) throws Exception {
        String cmd = b.command();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int rc;
        if (cmd.startsWith("cib ")) {
            Files.copy(DIR.resolve("cibs/" + cmd.substring(4).trim() + ".xml"), cib,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return "";
        } else if (cmd.equals("file")) {
            return Files.readString(cib);
        } else if (cmd.startsWith("env ")) {
            String kv = cmd.substring(4);
            int eq = kv.indexOf('=');
            env.put(kv.substring(0, eq), kv.substring(eq + 1).replace("$TMP", dir.toString()));
            return "";
        } else if (cmd.startsWith("write ")) {
            Files.writeString(dir.resolve(cmd.substring(6).trim()), String.join("\n", b.input()) + "\n");
            return "";
        } else if (cmd.equals("script") || cmd.startsWith("crm")) {
            List<String> words = new ArrayList<>();
            String stdin = "";
            if (cmd.equals("script")) {
                words.add("-f");
                words.add("-");
                stdin = String.join("\n", b.input()) + "\n";
            } else {
                for (Token t : Lexer.split(cmd.substring(3))) {
                    words.add(t.text().replace("$TMP", dir.toString()));
                }
            }
            Crm crm = new Crm(env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), ps, ps,
                    Clock.fixed(TestShell.NOW, ZoneOffset.UTC));
            CommandLine cl = Crm.commandLine(crm);
            cl.setOut(new java.io.PrintWriter(ps, true));
            cl.setErr(new java.io.PrintWriter(ps, true));
            rc = cl.execute(words.toArray(new String[0]));
        } else {
            throw new IllegalArgumentException("unknown transcript command: " + cmd);
        }
        ps.flush();
        String out = bytes.toString(StandardCharsets.UTF_8).replace(dir.toString(), "$TMP");
        if (rc != 0) {
            out += "[exit " + rc + "]\n";
        }
        return out;
    }
}
