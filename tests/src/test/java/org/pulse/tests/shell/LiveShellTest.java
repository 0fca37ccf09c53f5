package org.pulse.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.TestEnv;

/**
 * bin/crm against a running crmd (one node on loopback, through its admin socket): the same
 * commands as offline, but the cluster acts on them. A resource configured with crm starts,
 * stop/start move it through target-role, move with a lifetime shows in status and clear removes
 * it, restart waits for the stop, and status --output json reports the DC and quorum.
 */
class LiveShellTest {
    static LocalCluster cluster;
    static Path dir;
    /** Logs are kept for a failed run (the failure names the directory), removed after a good one. */
    static boolean passed;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.startForSuite(LiveShellTest.class, 1, 500);
        dir = cluster.root();
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> cluster.agreedDc(1) != null),
                "crmd did not become DC within 60 s; log in " + dir);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (passed && dir != null) {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static String crm(String... args) throws Exception {
        Map.Entry<Integer, String> r = cluster.crm(1, args);
        assertEquals(0, r.getKey(), "bin/crm " + String.join(" ", args) + " failed:\n" + r.getValue());
        return r.getValue();
    }

    private static boolean statusShows(String text) throws Exception {
        Map.Entry<Integer, String> r = cluster.crm(1, "status");
        return r.getKey() == 0 && r.getValue().contains(text);
    }

    private static void waitForStatus(String text) throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> {
            try {
                return statusShows(text);
            } catch (Exception e) {
                return false;
            }
        }), "status never showed [" + text + "]:\n" + cluster.crm(1, "status").getValue());
    }

    @Test
    void configureResourceAndStatusOnALiveCluster() throws Exception {
        crm("configure", "property", "stonith-enabled=false");
        crm("configure", "primitive", "d1", "ocf:pulse:Dummy", "op", "monitor", "interval=2s", "timeout=10s");
        assertTrue(crm("configure", "show", "d1").contains("primitive d1 ocf:pulse:Dummy"));
        waitForStatus("d1\t(ocf:pulse:Dummy):\t Started node1");

        crm("resource", "stop", "d1");
        waitForStatus("d1\t(ocf:pulse:Dummy):\t Stopped (disabled)");
        crm("resource", "start", "d1");
        waitForStatus("d1\t(ocf:pulse:Dummy):\t Started node1");

        crm("resource", "move", "d1", "node1", "PT1H");
        waitForStatus("cli-prefer-d1: d1 prefers node1 until ");
        crm("resource", "clear", "d1");
        assertTrue(!crm("configure", "show").contains("cli-prefer-d1"), "clear left the constraint");

        String restart = crm("resource", "restart", "d1");
        assertTrue(restart.contains("ordering d1 to stop") && restart.contains("ordering d1 to start"), restart);
        waitForStatus("d1\t(ocf:pulse:Dummy):\t Started node1");

        // Transient node attributes go to crmd; permanent ones are configuration changes.
        crm("node", "standby", "node1", "reboot");
        waitForStatus("Node node1: standby");
        crm("node", "online", "node1");
        waitForStatus("Online: [ node1 ]");
        crm("node", "status-attr", "node1", "set", "pingd", "5");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(20), () -> {
            try {
                return cluster.crm(1, "node", "status-attr", "node1", "show", "pingd").getValue().contains("value=5");
            } catch (Exception e) {
                return false;
            }
        }), "pingd=5 never showed");
        crm("node", "attribute", "node1", "set", "site", "east");
        assertTrue(crm("node", "attribute", "node1", "show", "site").contains("value=east"));
        crm("resource", "failcount", "d1", "set", "node1", "3");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(20), () -> {
            try {
                return cluster.crm(1, "resource", "failcount", "d1", "show", "node1").getValue().contains("value=3");
            } catch (Exception e) {
                return false;
            }
        }), "failcount set did not reach the live CIB");
        crm("resource", "cleanup", "d1");
        // crmsh's cleanup of everything (no resource named) and refresh, live: the shell once sent a
        // request with no resource and failed before it left ("only strings ... travel, not null")
        crm("resource", "failcount", "d1", "set", "node1", "2");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(20), () -> {
            try {
                return cluster.crm(1, "resource", "failcount", "d1", "show", "node1").getValue().contains("value=2");
            } catch (Exception e) {
                return false;
            }
        }), "failcount set did not reach the live CIB");
        assertTrue(crm("resource", "cleanup").contains("Cleaned up all resources"));
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(20), () -> {
            try {
                return cluster.crm(1, "resource", "failcount", "d1", "show", "node1").getValue().contains("value=0");
            } catch (Exception e) {
                return false;
            }
        }), "crm resource cleanup (all) left d1's fail count");
        assertTrue(crm("resource", "refresh", "d1").contains("Refreshed d1"));
        waitForStatus("d1\t(ocf:pulse:Dummy):\t Started node1");
        crm("node", "utilization", "node1", "set", "cpu", "4");
        assertTrue(crm("node", "utilization", "node1", "show", "cpu").contains("value=4"));

        String json = crm("status", "--output", "json");
        assertTrue(json.contains("\"version\": \"pulse-status/1\""), json);
        assertTrue(json.contains("\"dc\": \"node1\"") && json.contains("\"quorate\": true"), json);
        // crmd's own words on quorum (this cluster is one node), beyond what the CIB holds
        assertTrue(json.contains("\"quorumReason\": \"1 of 1 votes\"") && json.contains("\"waitingForAll\": false"), json);
        assertTrue(crm("status").contains("  * Quorum: 1 of 1 votes\n"), crm("status"));

        Map.Entry<Integer, String> bad = cluster.crm(1, "configure", "location", "l1", "nosuch", "100:", "node1");
        assertEquals(1, bad.getKey(), bad.getValue());
        assertTrue(bad.getValue().contains("nosuch"), bad.getValue());
        assertTrue(!crm("configure", "show").contains("l1"), "a refused command changed the live CIB");
        passed = true;
    }

    /**
     * Issue 11 on a live cluster: a stonith primitive with the fencer's pcmk_* parameters is
     * accepted, and load update of a CIB XML file holding only a new stonith primitive merges it
     * into the running configuration (nodes, other resources and properties stay); a malformed
     * file changes nothing.
     */
    @Test
    void stonithParametersAndXmlLoadUpdateMergeOnALiveCluster() throws Exception {
        crm("configure", "property", "stonith-enabled=false");
        crm("configure", "primitive", "keep1", "ocf:pulse:Dummy", "meta", "target-role=Stopped");
        crm("configure", "primitive", "fence_live1", "stonith:fence_dummy", "params", "pcmk_host_list=node1",
                "pcmk_host_check=static-list", "meta", "target-role=Stopped");
        Path xml = dir.resolve("fence-only.xml");
        Files.writeString(xml, """
                <cib><configuration><resources>
                  <primitive id="fence_live2" class="stonith" type="fence_dummy">
                    <instance_attributes id="fence_live2-ia">
                      <nvpair id="fence_live2-ia-hl" name="pcmk_host_list" value="node1"/>
                    </instance_attributes>
                    <meta_attributes id="fence_live2-ma">
                      <nvpair id="fence_live2-ma-tr" name="target-role" value="Stopped"/>
                    </meta_attributes>
                  </primitive>
                </resources></configuration></cib>
                """);
        crm("configure", "load", "update", xml.toString());
        String shown = crm("configure", "show");
        for (String want : List.of("node node1", "primitive keep1 ocf:pulse:Dummy", "primitive fence_live1 stonith:fence_dummy",
                "primitive fence_live2 stonith:fence_dummy", "stonith-enabled=false")) {
            assertTrue(shown.contains(want), "after load update the live configuration lost [" + want + "]:\n" + shown);
        }
        Path broken = dir.resolve("broken.xml");
        Files.writeString(broken, "<cib><configuration><resources>\n<primitive id=\"fence_live3\" class=\"stonith\">\n</resources>");
        Map.Entry<Integer, String> bad = cluster.crm(1, "configure", "load", "update", broken.toString());
        assertEquals(1, bad.getKey(), bad.getValue());
        assertTrue(bad.getValue().contains(broken + ":3"), bad.getValue());
        assertEquals(shown, crm("configure", "show"), "a refused load changed the live CIB");
    }

    /**
     * crm_master, Pacemaker's wrapper of crm_attribute for a promotion score, which redis, conntrackd,
     * SAPInstance, db2 and ocf_promotion_score (under a crm_feature_set older than 3.10) still call as
     * ${HA_SBIN_DIR}/crm_master: Debian's unchanged ocf:heartbeat:Stateful, told an old feature set, scores
     * itself with {@code crm_master -l reboot -v 5} on start, so the cluster promotes it, and the promote
     * raises the score to 10. Without Pulse's stand-in the agent's call fails (its start still succeeds)
     * and the clone stays unpromoted. The stop deletes the score again ({@code crm_master -D}).
     */
    @Test
    void anAgentCallingCrmMasterGetsPromoted() throws Exception {
        Path agent = Path.of("/usr/lib/ocf/resource.d/heartbeat/Stateful");
        TestEnv.require(Files.isExecutable(agent), "resource-agents' " + agent + " (apt-get install resource-agents)");
        crm("configure", "property", "stonith-enabled=false");
        Path xml = dir.resolve("hst.xml");
        // crm_feature_set is no parameter of the agent's meta-data: -F, as an operator would have to
        Files.writeString(xml, """
                <cib><configuration><resources>
                  <clone id="hst-clone">
                    <meta_attributes id="hst-clone-ma"><nvpair id="hst-clone-ma-p" name="promotable" value="true"/></meta_attributes>
                    <primitive id="hst" class="ocf" provider="heartbeat" type="Stateful">
                      <instance_attributes id="hst-ia"><nvpair id="hst-ia-fs" name="crm_feature_set" value="3.2.0"/></instance_attributes>
                      <operations>
                        <op id="hst-mon-p" name="monitor" interval="3s" role="Promoted" timeout="20s"/>
                        <op id="hst-mon-u" name="monitor" interval="4s" role="Unpromoted" timeout="20s"/>
                      </operations>
                    </primitive>
                  </clone>
                </resources></configuration></cib>
                """);
        crm("-F", "configure", "load", "xml", "update", xml.toString());
        waitForStatus("* Promoted: [ node1 ]");
        Map.Entry<Integer, String> score = crmMaster("-r", "hst", "-N", "node1", "-l", "reboot", "-G", "-q");
        assertEquals(Map.entry(0, "10"), Map.entry(score.getKey(), score.getValue().strip()),
                "the promote's crm_master -v 10 did not reach the status section");

        crm("resource", "stop", "hst-clone");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> {
            try {
                return crmMaster("-r", "hst", "-N", "node1", "-l", "reboot", "-G", "-q").getKey() == 105;
            } catch (Exception e) {
                return false;
            }
        }), "the stop's crm_master -D left master-hst: "
                + crmMaster("-r", "hst", "-N", "node1", "-l", "reboot", "-G").getValue());
        // Pacemaker's crm_master without -l: the permanent node attribute (nodes section)
        assertEquals(0, crmMaster("-r", "hst", "-N", "node1", "-v", "3").getKey());
        assertTrue(crm("configure", "show", "node1").contains("master-hst=3"), crm("configure", "show", "node1"));
        assertEquals(0, crmMaster("-r", "hst", "-N", "node1", "-D").getKey());
        Map.Entry<Integer, String> none = crmMaster("-N", "node1", "-G");
        assertEquals(1, none.getKey(), none.getValue());
        assertTrue(none.getValue().contains("No resource specified"), none.getValue());
    }

    /**
     * crmsh's guard on a live cluster: a running resource is neither deleted (the cluster would stop it
     * as an orphan, unasked) nor renamed; --force deletes it anyway.
     */
    @Test
    void aRunningResourceIsNotDeletedOrRenamed() throws Exception {
        crm("configure", "property", "stonith-enabled=false");
        crm("configure", "primitive", "keepme", "ocf:pulse:Dummy");
        waitForStatus("keepme\t(ocf:pulse:Dummy):\t Started node1");
        String refused = crm("configure", "delete", "keepme");
        assertTrue(refused.contains("resource keepme is running, can't delete it"), refused);
        assertTrue(crm("configure", "show").contains("primitive keepme"), "a running resource was deleted");
        Map.Entry<Integer, String> rename = cluster.crm(1, "configure", "rename", "keepme", "other");
        assertEquals(1, rename.getKey(), rename.getValue());
        assertTrue(rename.getValue().contains("cannot rename a running resource (keepme)"), rename.getValue());
        crm("configure", "delete", "--force", "keepme");
        assertTrue(!crm("configure", "show").contains("keepme"), "delete --force left the resource");
    }

    /**
     * crmsh's node standby and online without a node mean the local node. Live that is the node whose
     * crmd the shell talks to (node1 here), not this machine's host name, which names no node of a
     * cluster run on one machine (and need not in any cluster): the shell refused them before.
     */
    @Test
    void nodeStandbyWithoutANodeIsTheNodeTheShellTalksTo() throws Exception {
        crm("node", "standby");
        waitForStatus("Node node1: standby");
        crm("node", "online");
        waitForStatus("Online: [ node1 ]");
    }

    /** bin/crm_master as an agent runs it (on the agents' socket), with its exit code and output. */
    private static Map.Entry<Integer, String> crmMaster(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(TestEnv.root().resolve("bin/crm_master").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // the agents' socket crmd gives the agents it runs (AdminServer.agentSocket)
        pb.environment().put("PULSE_SOCKET", cluster.socket(1).resolveSibling("crmd-agents.sock").toString());
        pb.environment().remove("OCF_RESOURCE_INSTANCE");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS), "crm_master " + String.join(" ", args) + " hung");
        return Map.entry(p.exitValue(), out);
    }
}
