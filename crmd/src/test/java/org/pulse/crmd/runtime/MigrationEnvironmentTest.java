package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.crmd.controller.AgentSpec;
import org.pulse.crmd.controller.OpRequest;
import org.pulse.lrm.Lrm;
import org.pulse.lrm.OperationResult;

/**
 * A migrate_to as the DC sends it (the policy engine's CRM_meta_migrate_source/target among the
 * parameters) reaches a real agent process, run by crmd's LRM configuration, as
 * OCF_RESKEY_CRM_meta_migrate_source/target, with the agent's own parameters beside them and no
 * CRM_meta_* passed as an agent parameter.
 */
class MigrationEnvironmentTest {
    @TempDir
    Path dir;

    @Test
    void migrateToGetsBothNodesAsCrmMetaVariables() throws Exception {
        Path ocf = dir.resolve("pulse-ocf");
        Path agent = ocf.resolve("resource.d/test/envrec");
        Files.createDirectories(agent.getParent());
        Path out = dir.resolve("env.out");
        Files.writeString(agent, "#!/bin/sh\necho \"$1\" > '" + out + "'\nenv >> '" + out + "'\nexit 0\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        NodeConfig config = NodeConfig.parse(dir.resolve("crmd.conf"), List.of("node = n1", "nodes = n1@127.0.0.1:7801",
                "agent_dirs = " + ocf + ":/usr/lib/ocf", "ha_rsctmp = " + dir.resolve("rsctmp"),
                "socket = " + dir.resolve("crmd.sock")));
        Files.createDirectories(config.haRsctmp());
        OpRequest req = new OpRequest("4:7:0:n1@v1", "vip", new AgentSpec("ocf", "test", "envrec"), "migrate_to", 0,
                20_000, Map.of("ip", "198.51.100.200", "CRM_meta_migrate_source", "n1", "CRM_meta_migrate_target", "n2",
                        "CRM_meta_timeout", "20000", "CRM_meta_on_node", "n1"));
        try (Lrm lrm = new Lrm(CrmdRuntime.lrmConfig(config, null, "/usr/bin:/bin"), r -> { })) {
            OperationResult r = lrm.submit(CrmdRuntime.operationRequest(req)).result().get(20, TimeUnit.SECONDS);
            assertEquals(0, r.rcCode(), "the recording agent failed: " + r);
        }
        List<String> env = Files.readAllLines(out);
        assertEquals("migrate_to", env.get(0), "the action the agent was called with");
        for (String want : List.of("OCF_RESKEY_CRM_meta_migrate_source=n1", "OCF_RESKEY_CRM_meta_migrate_target=n2",
                "OCF_RESKEY_CRM_meta_on_node=n1", "OCF_RESKEY_ip=198.51.100.200", "OCF_RESKEY_CRM_meta_timeout=20000")) {
            assertTrue(env.contains(want), want + " missing from the agent's environment:\n" + String.join("\n", env));
        }
        assertFalse(env.stream().anyMatch(l -> l.startsWith("OCF_RESKEY_migrate_")), "CRM_meta_* passed as a plain"
                + " agent parameter:\n" + String.join("\n", env));
    }
}
