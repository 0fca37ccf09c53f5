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
        return runAgent(null, "env > \"$OUT\"", extraLines);
    }

    /**
     * Runs an agent whose body is {@code script} ($OUT names the file it writes) as crmd runs it, with Pulse's
     * tools in {@code shimDir} (or none); returns what the agent wrote.
     */
    private String runAgent(Path shimDir, String script, String... extraLines) throws Exception {
        Path ocf = dir.resolve("pulse-ocf");
        Path agent = ocf.resolve("resource.d/test/envrec");
        Files.createDirectories(agent.getParent());
        Path out = dir.resolve("env.out");
        Files.writeString(agent, "#!/bin/sh\nOUT='" + out + "'\n" + script + "\nexit 0\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> lines = new java.util.ArrayList<>(List.of("node = n1", "nodes = n1@127.0.0.1:7801",
                "agent_dirs = " + ocf + ":/usr/lib/ocf", "ha_rsctmp = " + dir.resolve("rsctmp"),
                "socket = " + dir.resolve("crmd.sock")));
        lines.addAll(List.of(extraLines));
        NodeConfig config = NodeConfig.parse(dir.resolve("crmd.conf"), lines);
        Files.createDirectories(config.haRsctmp());
        LrmConfig lrmConfig = CrmdRuntime.lrmConfig(config, shimDir, "/usr/bin:/bin");
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

    /**
     * ClusterLabs agents call Pacemaker's tools by absolute path, ${HA_SBIN_DIR}/crm_attribute (Stateful's
     * promotion score) and ${HA_SBIN_DIR}/attrd_updater (ping), with ocf-shellfuncs' default /usr/sbin: they
     * must reach Pulse's tools, not Pacemaker's (which cannot reach this cluster: a promotable clone of
     * ocf:pacemaker:Stateful was never promoted).
     */
    @Test
    void clusterLabsAgentsReachPulsesToolsThroughHaSbinDir() throws Exception {
        Path shims = Files.createDirectories(dir.resolve("pulse-bin"));
        Path tool = shims.resolve("crm_attribute");
        Files.writeString(tool, "#!/bin/sh\necho \"pulse crm_attribute $*\"\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        // as ocf-shellfuncs and Stateful do it
        String out = runAgent(shims, ": ${HA_SBIN_DIR:=/usr/sbin}\n"
                + "\"${HA_SBIN_DIR}/crm_attribute\" --promotion -v 5 > \"$OUT\" 2>&1\n"
                + "echo \"PATH=$PATH\" >> \"$OUT\"");
        assertTrue(out.startsWith("pulse crm_attribute --promotion -v 5"),
                "the agent did not reach Pulse's crm_attribute:\n" + out);
        assertTrue(out.contains("PATH=" + shims + ":/usr/bin:/bin"), out);
    }
}
