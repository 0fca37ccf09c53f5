package org.pulse.tests.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.RaTester;

/** The lsb and stonith classes with small agents of the two interfaces. */
class LsbAndStonithTest {
    private static final AgentRef SVC = AgentRef.parse("lsb:pulsetest-svc");
    private static final AgentRef FENCE = AgentRef.parse("stonith:fence_pulsetest");
    private TestAgents agents;
    private AgentExecutor executor;

    @BeforeEach
    void setUp() {
        agents = new TestAgents();
        executor = new AgentExecutor(agents.config());
    }

    @AfterEach
    void tearDown() {
        executor.close();
        agents.close();
    }

    @Test
    void initScriptStatusMapsToOcf() {
        assertEquals(7, executor.execute(OperationRequest.probe("svc", SVC, 5_000, Map.of())).rc(), "status 3 = not running");
        assertEquals(0, executor.execute(OperationRequest.of("svc", SVC, "start", 5_000, Map.of())).rc());
        assertEquals(0, executor.execute(OperationRequest.monitor("svc", SVC, 10_000, 5_000, Map.of())).rc());
        assertEquals(0, executor.execute(OperationRequest.of("svc", SVC, "stop", 5_000, Map.of())).rc());
        ExecOutcome promote = executor.execute(OperationRequest.of("svc", SVC, "promote", 5_000, Map.of()));
        assertEquals(3, promote.rc());
        assertEquals(ExecStatus.NOT_SUPPORTED, promote.status());
    }

    @Test
    void initScriptPassesRaTestAndHasMetadataFromItsHeader() throws Exception {
        RaTester.Report r = new RaTester(executor).run(SVC, Map.of());
        r.steps().forEach(s -> System.out.println(s.format()));
        assertTrue(r.passed(), r.summary());
        AgentMetadata md = executor.metadata(SVC);
        assertEquals("Pulse LSB test service", md.shortdesc());
        assertTrue(executor.catalog().agents("lsb", null).contains(SVC));
    }

    @Test
    void fenceAgentGetsItsOptionsOnStdin() throws Exception {
        Path state = Files.createDirectories(agents.work().resolve("fence"));
        Map<String, String> p = Map.of("statedir", state.toString(), "plug", "node2", "pcmk_host_list", "node2");
        assertEquals(7, executor.execute(OperationRequest.probe("f1", FENCE, 5_000, p)).rc(), "not started yet");
        assertEquals(0, executor.execute(OperationRequest.of("f1", FENCE, "start", 5_000, p)).rc());
        assertEquals(0, executor.execute(OperationRequest.monitor("f1", FENCE, 60_000, 5_000, p)).rc());
        assertEquals(0, executor.execute(OperationRequest.of("f1", FENCE, "off", 5_000, p)).rc());
        assertEquals(7, executor.execute(OperationRequest.of("f1", FENCE, "status", 5_000, p)).rc(), "status 2 = off");
        assertEquals(0, executor.execute(OperationRequest.of("f1", FENCE, "reboot", 5_000, p)).rc());
        assertEquals(0, executor.execute(OperationRequest.of("f1", FENCE, "status", 5_000, p)).rc());
        ExecOutcome list = executor.execute(OperationRequest.of("f1", FENCE, "list", 5_000, p));
        assertEquals("node2", list.stdout().strip());
        assertEquals(List.of("off node2", "reboot node2"), Files.readAllLines(state.resolve("log")));
        assertEquals(0, executor.execute(OperationRequest.of("f1", FENCE, "stop", 5_000, p)).rc());
        assertEquals(7, executor.execute(OperationRequest.monitor("f1", FENCE, 60_000, 5_000, p)).rc());
        AgentMetadata md = executor.metadata(FENCE);
        assertEquals("Fence agent for Pulse's tests", md.shortdesc());
        assertTrue(md.parameter("plug").orElseThrow().required());
        ExecOutcome broken = executor.execute(OperationRequest.of("f1", FENCE, "off", 5_000,
                Map.of("statedir", state.resolve("missing").toString(), "plug", "node2")));
        assertEquals(1, broken.rc());
        assertTrue(broken.exitReason().contains("returned 1"), broken.exitReason());
    }
}
