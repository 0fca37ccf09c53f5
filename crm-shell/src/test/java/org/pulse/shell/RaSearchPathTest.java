package org.pulse.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * crm ra looks for agents where configure does: in a source tree Pulse's own fence agent
 * (crmd/src/main/fence/fence_pulse_sim), which configure checked parameters against while
 * 'ra info' said it was not found.
 */
class RaSearchPathTest {

    @Test
    void raInfoFindsTheFenceAgentConfigureFinds() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Crm crm = new Crm(Map.of(), new ByteArrayInputStream(new byte[0]), ps, ps, Clock.systemUTC());
        CommandLine cl = Crm.commandLine(crm);
        cl.setOut(new java.io.PrintWriter(ps, true));
        cl.setErr(new java.io.PrintWriter(ps, true));
        int rc = cl.execute("ra", "info", "stonith:fence_pulse_sim");
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, out);
        assertTrue(out.startsWith("stonith:fence_pulse_sim - "), out);
        assertTrue(out.contains("power_dir"), out);
    }
}
