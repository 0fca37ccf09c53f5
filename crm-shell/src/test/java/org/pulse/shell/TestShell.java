package org.pulse.shell;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.pulse.shell.config.Agents;
import org.pulse.shell.levels.Batch;
import org.pulse.shell.levels.Shell;
import org.pulse.shell.source.FileCibSource;

/**
 * A shell on a CIB file in a temporary directory, with its output (stdout and stderr in the
 * order written) captured and a fixed clock, for the tests of this module.
 */
public final class TestShell implements AutoCloseable {
    static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
    final Path dir;
    public final Path cibFile;
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(captured, true, StandardCharsets.UTF_8);
    final Map<String, String> env = new HashMap<>();
    public final Shell shell;

    public TestShell(Path dir, String cibXml, boolean agentChecks, String answers) throws IOException {
        this(dir, cibXml, agentChecks, answers, Agents.standard(repoRoot(), null));
    }

    /** {@code agents} null: no agent catalog (bare types resolve to ocf:heartbeat, as crmsh on a stock machine). */
    public TestShell(Path dir, String cibXml, boolean agentChecks, String answers, Agents agents) throws IOException {
        this.dir = dir;
        this.cibFile = dir.resolve("cib.xml");
        if (cibXml != null) {
            Files.writeString(cibFile, cibXml);
        }
        env.put("HOME", dir.toString());
        env.put("CIB_shadow_dir", dir.resolve("shadow").toString());
        Session s = new Session(new FileCibSource(cibFile, "cib.xml"), stream, stream,
                new BufferedReader(new StringReader(answers == null ? "" : answers)), env,
                Clock.fixed(NOW, ZoneOffset.UTC), agents, answers != null);
        s.agentChecks = agentChecks;
        s.shadowDir = dir.resolve("shadow");
        shell = new Shell(s);
    }

    static Path repoRoot() {
        String p = System.getProperty("pulse.root");
        return p != null ? Path.of(p) : Path.of("..").toAbsolutePath().normalize();
    }

    /** A CIB with one node (node1), no properties, these resources and constraints, and an empty status. */
    public static String cib(String resources, String constraints) {
        return "<cib validate-with=\"pacemaker-3.9\" epoch=\"2\" num_updates=\"0\" admin_epoch=\"0\">\n<configuration>"
                + "<crm_config/><nodes><node uname=\"node1\" id=\"1\"/></nodes>\n<resources>\n" + resources
                + "\n</resources>\n<constraints>" + constraints + "</constraints>\n</configuration>\n<status/>\n</cib>\n";
    }

    /** Each {command, what its error says}: refused (non-zero), saying so, the file left as it was. */
    public void assertRefused(String[][] commandsAndErrors) throws IOException {
        String before = file();
        for (String[] c : commandsAndErrors) {
            org.junit.jupiter.api.Assertions.assertNotEquals(0, script(c[0] + "\n"), c[0]);
            String out = output();
            org.junit.jupiter.api.Assertions.assertTrue(out.contains(c[1]), c[0] + " said: " + out);
            org.junit.jupiter.api.Assertions.assertEquals(before, file(), c[0] + " changed the file");
        }
    }

    /** Runs a script as crm -f does; returns its status. */
    public int script(String text) {
        return Batch.run(shell, text, "test");
    }

    public String output() {
        String s = captured.toString(StandardCharsets.UTF_8);
        captured.reset();
        return s;
    }

    public String file() throws IOException {
        return Files.readString(cibFile);
    }

    @Override
    public void close() {
        shell.session.close();
    }
}
