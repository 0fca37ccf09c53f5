package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every crm command and subcommand answers {@code --help} with its usage and exit status 0, found by
 * walking the command tree (so a command added later is checked too). A level (configure, resource,
 * ...) also lists its commands as the shell's own help does. The package's other commands (pulse-crmd,
 * the shims, fence_pulse_sim) are checked from their installed paths by DebPackageTest.
 */
class CommandHelpTest {
    private static void walk(CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (!e.getKey().equals(e.getValue().getCommandName())) {
                continue; // an alias: checked under its own name
            }
            List<String> next = new ArrayList<>(path);
            next.add(e.getKey());
            walk(e.getValue(), next, out);
        }
    }

    @Test
    void everyCommandAnswersHelp() {
        List<List<String>> paths = new ArrayList<>();
        walk(Crm.commandLine(new Crm()), List.of(), paths);
        assertTrue(paths.size() > 20, "the walk found only " + paths);
        for (List<String> path : paths) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            Crm crm = new Crm(Map.of("HOME", "/nonexistent"), new ByteArrayInputStream(new byte[0]), ps, ps, Clock.systemUTC());
            CommandLine cl = Crm.commandLine(crm);
            cl.setOut(new PrintWriter(ps, true));
            cl.setErr(new PrintWriter(ps, true));
            List<String> argv = new ArrayList<>(path);
            argv.add("--help");
            int rc = cl.execute(argv.toArray(new String[0]));
            String out = bytes.toString(StandardCharsets.UTF_8);
            String name = String.join(" ", path);
            assertEquals(0, rc, "crm " + name + " --help: " + out);
            assertTrue(out.contains("Usage: crm" + (path.isEmpty() ? "" : " " + name)), "crm " + name + " --help: " + out);
            CommandLine sub = cl;
            for (String p : path) {
                sub = sub.getSubcommands().get(p);
            }
            assertTrue(sub.getCommandSpec().usageMessage().description().length > 0, "crm " + name + " has no description");
            if (sub.getCommand() instanceof Crm.LevelWords && !List.of("status", "verify", "help").contains(name)
                    && !org.pulse.shell.levels.Shell.NOT_HERE.containsKey(name)) {
                assertTrue(out.contains(name + " commands:"), "crm " + name + " --help lists no commands: " + out);
            }
        }
        System.out.println("CommandHelpTest: " + paths.size() + " crm commands answer --help");
    }
}
