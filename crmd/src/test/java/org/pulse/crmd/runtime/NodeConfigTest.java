package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class NodeConfigTest {
    static final Path FILE = Path.of("/etc/pulse/crmd.conf");

    @Test
    void readsTheDocumentedExample() throws Exception {
        NodeConfig c = NodeConfig.parse(FILE, List.of(
                "# comment", "node = node2", "nodes = node1@127.0.0.1:7801, node2@127.0.0.1:7802",
                "key = /k", "data_dir = /d", "socket = /s.sock", "agent_dirs = /a:/b", "failure_detection_ms = 300"));
        assertEquals("node2", c.node());
        assertEquals(7802, c.listen().getPort());
        assertEquals(List.of("node1", "node2"), c.nodeNames());
        assertEquals(List.of(Path.of("/a"), Path.of("/b")), c.agentDirs());
        assertEquals(300, c.failureDetectionMs());
        assertEquals(Path.of("/run/resource-agents"), c.haRsctmp());
        assertEquals(null, c.link2());
    }

    @Test
    void aNodeMayListASecondLink() throws Exception {
        NodeConfig c = NodeConfig.parse(FILE, List.of("node = node1",
                "nodes = node1@127.0.0.1:7801+127.0.0.2:7801, node2@127.0.0.1:7802"));
        assertEquals("127.0.0.2", c.link2().getHostString());
        assertEquals(1, c.secondLinks().size());
    }

    @Test
    void everyNodeWithTwoAddressesIsAPeerOverBothLinks() throws Exception {
        NodeConfig c = NodeConfig.parse(FILE, List.of("node = node2",
                "nodes = node1@198.51.100.1:7801+203.0.113.1:7801, node2@198.51.100.2:7802+203.0.113.2:7802,"
                        + " node3@198.51.100.3:7803"));
        org.pulse.messaging.MessagingConfig m = CrmdRuntime.messaging(c).insecure().build();
        assertEquals(List.of(new java.net.InetSocketAddress("198.51.100.2", 7802),
                new java.net.InetSocketAddress("203.0.113.2", 7802)), m.links(), "node2 listens on both its links");
        assertEquals(new java.net.InetSocketAddress("203.0.113.1", 7801),
                m.peerSecondLinks().get(new java.net.InetSocketAddress("198.51.100.1", 7801)), "node1's second link");
        assertEquals(new java.net.InetSocketAddress("203.0.113.2", 7802),
                m.peerSecondLinks().get(new java.net.InetSocketAddress("198.51.100.2", 7802)), "node2's second link");
        assertEquals(2, m.peerSecondLinks().size(), "node3 has one link: " + m.peerSecondLinks());
        assertTrue(m.peers().contains(new java.net.InetSocketAddress("198.51.100.3", 7803)));
    }

    @Test
    void mistakesNameTheLineAndWhatToDo() {
        NodeConfig.ConfigException e = assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.parse(FILE,
                List.of("node = node3", "nodes = node1@127.0.0.1:7801")));
        assertTrue(e.getMessage().contains("crmd.conf:1") && e.getMessage().contains("node3@host:port"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.parse(FILE,
                List.of("node = a", "nodez = a@127.0.0.1:1")));
        assertTrue(e.getMessage().contains(":2: unknown key 'nodez'"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.parse(FILE,
                List.of("node = a", "nodes = a@127.0.0.1:1", "failure_detection_ms = fast")));
        assertTrue(e.getMessage().contains(":3:") && e.getMessage().contains("positive whole number"), e.getMessage());
    }

    @Test
    void failsafeSettingsHaveSafeDefaultsAndRefuseNonsense() throws Exception {
        NodeConfig d = NodeConfig.parse(FILE, List.of("node = a", "nodes = a@127.0.0.1:1"));
        assertEquals(NodeConfig.Failsafe.DEFAULTS, d.failsafe());
        assertEquals("reboot", d.failsafe().selfFence(), "suicide is a real fence unless told otherwise");
        NodeConfig c = NodeConfig.parse(FILE, List.of("node = a", "nodes = a@127.0.0.1:1", "cib_write_deadline_ms = 3000",
                "self_fence = exec:/usr/local/sbin/reset-me"));
        assertEquals(new NodeConfig.Failsafe(3000, "exec:/usr/local/sbin/reset-me"), c.failsafe());
        NodeConfig.ConfigException e = assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.parse(FILE,
                List.of("node = a", "nodes = a@127.0.0.1:1", "self_fence = maybe")));
        assertTrue(e.getMessage().contains(":3:") && e.getMessage().contains("reboot, off, exit, exec:COMMAND"),
                e.getMessage());
    }

    @Test
    void aDuplicateNameOrAddressInNodesIsRefused() {
        NodeConfig.ConfigException e = assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.parse(FILE,
                List.of("node = a", "nodes = a@127.0.0.1:7801, b@127.0.0.1:7801")));
        assertTrue(e.getMessage().contains(":2: nodes a and b have the same address 127.0.0.1:7801"), e.getMessage());
        e = assertThrows(NodeConfig.ConfigException.class, () -> NodeConfig.parse(FILE,
                List.of("node = a", "nodes = a@127.0.0.1:7801, a@127.0.0.1:7802")));
        assertTrue(e.getMessage().contains("node 'a' is listed twice"), e.getMessage());
    }
}
