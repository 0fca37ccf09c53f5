package org.pulse.tests.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.TestEnv;
import org.pulse.shell.commands.RaCommand;
import picocli.CommandLine;

/** {@code crm ra list|info|test} as an operator types them. */
class RaCommandTest {
    private TestAgents agents;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        agents = new TestAgents();
    }

    @AfterEach
    void tearDown() {
        agents.close();
    }

    private int crmRa(String... args) {
        out.reset();
        err.reset();
        RaCommand ra = new RaCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of("PULSE_OCF_DIRS", agents.dir.resolve("ocf").toString()));
        return new CommandLine(ra).execute(args);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void listShowsClassesProvidersAndAgents() {
        assertEquals(0, crmRa("list"));
        assertTrue(out().contains("ocf lsb stonith") && out().contains("pulsetest"), out());
        assertEquals(0, crmRa("list", "ocf", "pulsetest"));
        assertTrue(out().contains("envdump") && out().contains("flip"), out());
        assertTrue(!out().contains("notexec"), "a non-executable file is not an agent: " + out());
        assertEquals(2, crmRa("list", "systemd"));
        assertTrue(err().contains("unknown class 'systemd'"), err());
    }

    @Test
    void infoShowsParametersAndAdvisedTimeouts() {
        assertEquals(0, crmRa("info", "ocf:pulsetest:flip"));
        assertTrue(out().contains("rcfile*") && out().contains("monitor") && out().contains("interval=1s"), out());
        assertEquals(1, crmRa("info", "ocf:pulsetest:badmeta"));
        assertTrue(err().contains("not well-formed"), err());
        assertEquals(1, crmRa("info", "ocf:pulsetest:nope"));
        assertTrue(err().contains("not found"), err());
    }

    @Test
    void testPrintsEachStepAndFailsWhenOneFails() throws Exception {
        TestEnv.require(Files.isExecutable(ClusterLabsDummyTest.DUMMY), ClusterLabsDummyTest.DUMMY + " (apt-get install resource-agents)");
        assertEquals(0, crmRa("test", "ocf:heartbeat:Dummy", "fake=x", "--rsctmp", agents.dir.resolve("rsctmp").toString()));
        System.out.print(out());
        assertTrue(out().contains("start (again)") && out().contains("PASS"), out());
        assertEquals(1, crmRa("test", "ocf:pulsetest:exit137"));
        System.out.print(out());
        assertTrue(out().contains("FAIL") && out().contains("137"), out());
        assertEquals(2, crmRa("test", "ocf:heartbeat:Dummy", "novalue"));
        assertTrue(err().contains("NAME=VALUE"), err());
    }
}
