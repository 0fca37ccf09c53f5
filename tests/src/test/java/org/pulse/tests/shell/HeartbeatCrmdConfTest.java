package org.pulse.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.crmd.runtime.NodeConfig;
import org.pulse.shell.importers.HeartbeatImporter;
import org.pulse.shell.importers.ImportResult;

/**
 * The crmd.conf lines `crm configure import heartbeat` prints are ones crmd itself accepts: with
 * each node's address given (--address) and this node's {@code node =} line added, crmd's own
 * config reader takes the fragment, with ha.cf's nodes, deadtime and quorum choice in it.
 */
class HeartbeatCrmdConfTest {
    @TempDir
    Path tmp;

    private NodeConfig load(ImportResult r, String node) throws Exception {
        List<String> lines = new ArrayList<>(List.of("node = " + node));
        lines.addAll(r.crmdConf());
        Path conf = tmp.resolve(node + ".conf");
        Files.write(conf, lines);
        return NodeConfig.load(conf);
    }

    @Test
    void twoNodesWithoutPingGiveTwoNodeMode() throws Exception {
        ImportResult r = HeartbeatImporter.translate("ha.cf", "node a b\ndeadtime 5\n", "haresources",
                "a 192.0.2.10 httpd\n", Map.of("a", "192.0.2.11", "b", "192.0.2.12"));
        NodeConfig c = load(r, "a");
        assertEquals(List.of("a", "b"), c.nodeNames());
        assertTrue(String.join("\n", r.crmdConf()).contains("failure_detection_ms = 5000"), r.crmdConf()::toString);
        assertTrue(r.crmdConf().contains("two_node = true"), r.crmdConf()::toString);
    }

    @Test
    void pingNodesGiveAPingTieBreaker() throws Exception {
        ImportResult r = HeartbeatImporter.translate("ha.cf", "node a b c\nping 198.51.100.1\n", "haresources", "",
                Map.of("a", "198.51.100.11", "b", "198.51.100.12", "c", "198.51.100.13"));
        NodeConfig c = load(r, "c");
        assertEquals(List.of("a", "b", "c"), c.nodeNames());
        assertTrue(r.crmdConf().contains("tie_breaker = ping:198.51.100.1"), r.crmdConf()::toString);
    }
}
