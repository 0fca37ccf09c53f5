package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.Lrm;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.OperationResult;

/**
 * An agent run the way crmd runs it (its LrmConfig from the node config, a real process) sees
 * OCF_ROOT=/usr/lib/ocf even when a Pulse agent directory comes first in agent_dirs.
 */
class AgentEnvironmentTest {
    @TempDir
    Path dir;

    /** Runs the recording agent under a node config with these extra lines; returns its environment dump. */
    private String runRecorder(String... extraLines) throws Exception {
        Path ocf = dir.resolve("pulse-ocf");
        Path agent = ocf.resolve("resource.d/test/envrec");
        Files.createDirectories(agent.getParent());
        Path out = dir.resolve("env.out");
        Files.writeString(agent, "#!/bin/sh\nenv > '" + out + "'\nexit 0\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> lines = new java.util.ArrayList<>(List.of("node = n1", "nodes = n1@127.0.0.1:7801",
                "agent_dirs = " + ocf + ":/usr/lib/ocf", "ha_rsctmp = " + dir.resolve("rsctmp"),
                "socket = " + dir.resolve("crmd.sock")));
        lines.addAll(List.of(extraLines));
        NodeConfig config = NodeConfig.parse(dir.resolve("crmd.conf"), lines);
        Files.createDirectories(config.haRsctmp());
        LrmConfig lrmConfig = CrmdRuntime.lrmConfig(config, "/usr/bin:/bin");
        try (Lrm lrm = new Lrm(lrmConfig, r -> { })) {
            OperationResult r = lrm.submit(new OperationRequest("rec", new AgentRef("ocf", "test", "envrec"), "start",
                    0, 10_000, Map.of(), Map.of(), null, 0)).result().get(20, TimeUnit.SECONDS);
            assertEquals(0, r.rcCode(), "the recording agent failed: " + r);
        }
        return Files.readString(out);
    }

    @Test
    void ocfRootStaysUsrLibOcfWhateverAgentDirsListsFirst() throws Exception {
        String env = runRecorder();
        assertTrue(env.lines().anyMatch(l -> l.equals("OCF_ROOT=/usr/lib/ocf")),
                "OCF_ROOT is not /usr/lib/ocf (ClusterLabs agents could not find ocf-shellfuncs):\n" + env);
        assertTrue(env.lines().anyMatch(l -> l.equals("PULSE_NODE=n1")), env);
        // Agents talk to the agents' socket, not the operators' one.
        assertTrue(env.lines().anyMatch(l -> l.equals("PULSE_SOCKET=" + dir.resolve("crmd-agents.sock"))), env);
    }

    @Test
    void anExplicitOcfRootIsGivenToAgents() throws Exception {
        String env = runRecorder("ocf_root = /opt/ocf");
        assertTrue(env.lines().anyMatch(l -> l.equals("OCF_ROOT=/opt/ocf")), env);
    }
}
