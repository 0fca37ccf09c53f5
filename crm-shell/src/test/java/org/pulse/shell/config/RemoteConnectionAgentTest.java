package org.pulse.shell.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.lrm.LrmConfig;
import org.pulse.shell.TestShell;

/**
 * A remote node's connection, {@code crm configure primitive rem1 ocf:pacemaker:remote params server=...},
 * on a machine with Pulse but not Pacemaker (no /usr/lib/ocf/resource.d/pacemaker/remote, the placeholder
 * file Pacemaker's package installs): crmd makes the connection itself, so the shell knows the agent and
 * checks its parameters anyway. Before, the command was refused with "no such resource agent".
 */
class RemoteConnectionAgentTest {
    static final String CIB = """
            <cib crm_feature_set="3.16.1" validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
              <configuration><crm_config/><nodes><node uname="n1" id="n1"/><node uname="n2" id="n2"/></nodes>
                <resources/><constraints/></configuration><status/></cib>
            """;

    /** Agents that know only an empty OCF root: no Pacemaker, no resource-agents package. */
    TestShell shell(Path dir) throws Exception {
        Path ocf = Files.createDirectories(dir.resolve("ocf/resource.d"));
        Agents agents = new Agents(LrmConfig.defaults().withAgentDirs(List.of(ocf.getParent())));
        assertTrue(!agents.catalog().locate(org.pulse.lrm.AgentRef.ocf("pacemaker", "remote")).isPresent(),
                "the test needs a catalog without Pacemaker's placeholder file");
        return new TestShell(dir, CIB, true, null, agents);
    }

    @Test
    void theConnectionIsKnownWithoutPacemakersFile(@TempDir Path dir) throws Exception {
        try (TestShell t = shell(dir)) {
            int rc = t.script("configure primitive rem1 ocf:pacemaker:remote params server=192.0.2.7 port=3121"
                    + " reconnect_interval=60s op monitor interval=10s\n");
            assertEquals(0, rc, t.output());
            String cib = Files.readString(t.cibFile);
            assertTrue(cib.contains("<primitive id=\"rem1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\""), cib);
            assertTrue(cib.contains("name=\"server\" value=\"192.0.2.7\""), cib);
        }
    }

    @Test
    void itsParametersAreStillChecked(@TempDir Path dir) throws Exception {
        try (TestShell t = shell(dir)) {
            String before = Files.readString(t.cibFile);
            int rc = t.script("configure primitive rem1 ocf:pacemaker:remote params sever=192.0.2.7\n");
            assertEquals(1, rc);
            String out = t.output();
            assertTrue(out.contains("parameter \"sever\" is not known to ocf:pacemaker:remote") && out.contains("server"),
                    out);
            assertEquals(before, Files.readString(t.cibFile));
        }
    }
}
