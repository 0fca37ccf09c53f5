package org.pulse.tests.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentMetadata;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecOutcome;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.RaTester;
import org.pulse.lab.support.TestEnv;

/** ClusterLabs' Dummy, unchanged from Debian's resource-agents package, through Pulse's LRM. */
class ClusterLabsDummyTest {
    static final Path DUMMY = Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy");
    private TestAgents agents;
    private AgentExecutor executor;

    @BeforeEach
    void setUp() {
        TestEnv.require(Files.isExecutable(DUMMY), DUMMY + " (apt-get install resource-agents)");
        agents = new TestAgents();
        executor = new AgentExecutor(LrmConfig.defaults().withHaRsctmp(agents.dir.resolve("rsctmp")).withNodeName("node1"));
    }

    @AfterEach
    void tearDown() {
        if (executor != null) {
            executor.close();
            agents.close();
        }
    }

    @Test
    void dummyCompletesTheRaTestLifecycle() {
        List<String> printed = new java.util.ArrayList<>();
        RaTester.Report r = new RaTester(executor).run(AgentRef.parse("ocf:heartbeat:Dummy"), "d1", Map.of(),
                s -> printed.add(s.format()));
        printed.forEach(System.out::println);
        System.out.println(r.summary());
        assertTrue(r.passed(), String.join("\n", printed));
        assertEquals(List.of("meta-data", "validate-all", "monitor (probe)", "start", "monitor (interval 10s)",
                "start (again)", "stop", "stop (again)", "monitor (stopped)"), r.steps().stream().map(RaTester.Step::name).toList());
        assertFalse(Files.exists(agents.dir.resolve("rsctmp/Dummy-d1.state")), "stop left the state file");
    }

    @Test
    void dummyKeepsItsStateInThisTestsRsctmp() throws Exception {
        ExecOutcome start = executor.execute(OperationRequest.of("d2", AgentRef.parse("ocf:heartbeat:Dummy"), "start", 20_000, Map.of()));
        assertEquals(0, start.rc(), start.toString());
        assertTrue(Files.exists(agents.dir.resolve("rsctmp/Dummy-d2.state")), "HA_RSCTMP was not honoured");
        assertEquals(0, executor.execute(OperationRequest.of("d2", AgentRef.parse("ocf:heartbeat:Dummy"), "stop", 20_000, Map.of())).rc());
    }

    @Test
    void dummyMetadataParses() throws Exception {
        AgentMetadata md = executor.metadata(AgentRef.parse("ocf:heartbeat:Dummy"));
        assertEquals("Dummy", md.name());
        assertTrue(md.parameter("state").orElseThrow().unique());
        assertEquals(20_000, md.timeoutMs("start", -1));
        assertTrue(md.advertises("migrate_to"));
        // Pacemaker's meta-data call: instance = type, so the default state file names the type.
        assertTrue(md.parameter("state").orElseThrow().defaultValue().endsWith("Dummy-Dummy.state"),
                md.parameter("state").orElseThrow().defaultValue());
        assertEquals(md, executor.metadata(AgentRef.parse("ocf:heartbeat:Dummy")), "cached");
    }
}
