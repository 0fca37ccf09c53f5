package org.pulse.shell.levels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.shell.TestShell;

/** What TAB offers, without a terminal (the tmux test in the tests module drives the real one). */
class CompletionsTest {
    private static final String CIB = """
            <cib validate-with="pacemaker-3.9" epoch="1" num_updates="0" admin_epoch="0">
              <configuration>
                <crm_config/>
                <nodes><node uname="node1" id="node1"/><node uname="node2" id="node2"/></nodes>
                <resources>
                  <primitive id="vip" class="ocf" provider="pulse" type="IPaddr"/>
                  <primitive id="web" class="ocf" provider="pulse" type="httpd"/>
                </resources>
                <constraints/>
              </configuration>
              <status/>
            </cib>
            """;

    @TempDir
    Path tmp;

    @Test
    void commandsIdsNodesAgentsAndParameters() throws Exception {
        try (TestShell t = new TestShell(tmp, CIB, true, null)) {
            Shell s = t.shell;
            assertTrue(Completions.candidates(s, List.of(), "conf").contains("configure"));
            assertEquals(List.of("primitive"), Completions.candidates(s, List.of("configure"), "prim"));
            assertEquals(List.of("vip"), Completions.candidates(s, List.of("resource", "stop"), "v"));
            assertEquals(List.of("node1", "node2"), Completions.candidates(s, List.of("resource", "move", "vip"), "n"));
            assertEquals(List.of("node2"), Completions.candidates(s, List.of("node", "standby"), "node2"));
            assertTrue(Completions.candidates(s, List.of("configure", "primitive", "v2"), "ocf:pulse:IP")
                    .contains("ocf:pulse:IPaddr"));
            assertEquals(List.of("cidr_netmask="), Completions.candidates(s,
                    List.of("configure", "primitive", "v2", "ocf:pulse:IPaddr", "params"), "cidr"));
            assertTrue(Completions.candidates(s, List.of("configure", "show"), "").containsAll(List.of("vip", "web", "xml")));
            // the fencer's parameters on any stonith agent, not the ones the fencer sets itself
            assertEquals(List.of("pcmk_host_list="), Completions.candidates(s,
                    List.of("configure", "primitive", "f1", "stonith:fence_dummy", "params"), "pcmk_host_l"));
            assertTrue(Completions.candidates(s, List.of("configure", "primitive", "f1", "stonith:fence_dummy", "params"),
                    "act").isEmpty());
            assertTrue(Completions.candidates(s, List.of("configure", "primitive", "v2", "ocf:pulse:Dummy", "op"), "")
                    .contains("monitor"));
        }
    }
}
