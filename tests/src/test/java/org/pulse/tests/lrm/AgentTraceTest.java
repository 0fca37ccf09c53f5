package org.pulse.tests.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.TestEnv;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecOutcome;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;

/**
 * crm resource trace's effect on a node: an operation with trace_ra=1 runs the real agent, which leaves its
 * shell trace as DIR/TYPE/RSC.ACTION.DATE under the LRM's trace directory (crmd: DATA_DIR/trace_ra), for
 * ClusterLabs' Dummy (ocf-shellfuncs, bash) and Pulse's Dummy (ocf-pulse.sh, dash); an operation without it
 * leaves nothing, and a traced Pulse agent's exit reason still reaches the LRM.
 */
class AgentTraceTest {
    private static final Path PULSE_OCF = TestEnv.root().resolve("resource-agents/src/main/ocf");
    private Path dir;
    private AgentExecutor executor;

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("pulse-operator-trace");
        Files.createDirectories(dir.resolve("rsctmp"));
        executor = new AgentExecutor(LrmConfig.defaults().withAgentDirs(List.of(PULSE_OCF, LrmConfig.DEFAULT_OCF_ROOT))
                .withHaRsctmp(dir.resolve("rsctmp")).withNodeName("node1").withTraceDir(dir.resolve("trace_ra")));
    }

    @AfterEach
    void tearDown() throws Exception {
        executor.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private List<Path> traces(String type) throws Exception {
        Path d = dir.resolve("trace_ra").resolve(type);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(d)) {
            return s.sorted().toList();
        }
    }

    @Test
    void aTracedOperationOfPulsesDummyLeavesItsTrace() throws Exception {
        AgentRef dummy = AgentRef.parse("ocf:pulse:Dummy");
        assertEquals(0, executor.execute(OperationRequest.of("d1", dummy, "start", 20_000, Map.of())).rc());
        assertEquals(List.of(), traces("Dummy"), "an operation without trace_ra left a trace");
        ExecOutcome stop = executor.execute(OperationRequest.of("d1", dummy, "stop", 20_000, Map.of("trace_ra", "1")));
        assertEquals(0, stop.rc(), stop.toString());
        List<Path> t = traces("Dummy");
        assertEquals(1, t.size(), t.toString());
        assertTrue(t.get(0).getFileName().toString().matches("d1\\.stop\\.\\d{4}-\\d\\d-\\d\\d\\.\\d\\d:\\d\\d:\\d\\d"), t.toString());
        assertTrue(Files.readString(t.get(0)).contains("+ __OCF_ACTION=stop"), Files.readString(t.get(0)));
        // traced, the agent's exit reason still goes to the LRM, not into the trace
        ExecOutcome bad = executor.execute(OperationRequest.of("d2", dummy, "start", 20_000,
                Map.of("trace_ra", "1", "state", "relative")));
        assertEquals(6, bad.rc(), bad.toString());
        assertTrue(bad.exitReason().contains("state must be an absolute path"), bad.toString());
    }

    @Test
    void aTracedOperationOfClusterLabsDummyLeavesItsTrace() throws Exception {
        Path agent = Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy");
        TestEnv.require(Files.isExecutable(agent), agent + " (apt-get install resource-agents)");
        AgentRef dummy = AgentRef.parse("ocf:heartbeat:Dummy");
        ExecOutcome start = executor.execute(OperationRequest.of("d3", dummy, "start", 20_000, Map.of("trace_ra", "1")));
        assertEquals(0, start.rc(), start.toString());
        List<Path> t = traces("Dummy");
        assertEquals(1, t.size(), t.toString());
        assertTrue(t.get(0).getFileName().toString().startsWith("d3.start."), t.toString());
        assertTrue(Files.readString(t.get(0)).contains("dummy_start"), Files.readString(t.get(0)));
        assertEquals(0, executor.execute(OperationRequest.of("d3", dummy, "stop", 20_000, Map.of())).rc());
        assertEquals(1, traces("Dummy").size(), "an untraced stop left a trace");
    }
}
