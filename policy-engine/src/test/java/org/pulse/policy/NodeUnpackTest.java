package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pulse.policy.TestCibs.cluster;
import static org.pulse.policy.TestCibs.node;
import static org.pulse.policy.TestCibs.rsc;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The nodes stage (and what the history stage adds to nodes) on small hand-built clusters. */
class NodeUnpackTest {
    @Test
    void standbyAttributeMakesAnOnlineNodeStandbyButStillOnline() {
        Cluster c = cluster().node("n1", "standby", "on").node("n2").unpack();
        assertTrue(node(c, "n1").standby);
        assertTrue(node(c, "n1").online);
        assertFalse(node(c, "n1").canHost(), "a standby node takes no resources");
        assertFalse(node(c, "n2").standby);
        assertTrue(node(c, "n2").canHost());
    }

    @Test
    void nodeLostWithoutFencingDoneIsUncleanWithItsReason() {
        Cluster c = cluster().option("stonith-enabled", "true").node("n1").lostNode("n2").unpack();
        SNode n2 = node(c, "n2");
        assertFalse(n2.online);
        assertTrue(n2.unclean, "lost while expected up: must be fenced before anything of it is trusted");
        assertEquals("peer is no longer part of the cluster", n2.uncleanReason);
        assertFalse(node(c, "n1").unclean);
    }

    @Test
    void nodeLostWithFencingDisabledIsJustOffline() {
        Cluster c = cluster().node("n1").lostNode("n2").unpack();
        assertFalse(node(c, "n2").online);
        assertFalse(node(c, "n2").unclean, "no fencing: nothing to wait for");
    }

    @Test
    void nodeNeverSeenIsUncleanOnlyWithStartupFencing() {
        Cluster fenced = cluster().option("stonith-enabled", "true").node("n1").unseenNode("n2").unpack();
        assertTrue(node(fenced, "n2").unclean);
        assertEquals("peer has not been seen by the cluster", node(fenced, "n2").uncleanReason);
        Cluster trusting = cluster().option("stonith-enabled", "true").option("startup-fencing", "false")
                .node("n1").unseenNode("n2").unpack();
        assertFalse(node(trusting, "n2").unclean);
        assertFalse(node(trusting, "n2").online);
    }

    @Test
    void maintenanceNodeLeavesWhatRunsThereUnmanaged() {
        Cluster c = cluster().node("n1", "maintenance", "true").node("n2")
                .primitive("a").primitive("b").started("a", "n1").started("b", "n2").unpack();
        assertTrue(node(c, "n1").maintenance);
        assertFalse(node(c, "n2").maintenance);
        assertFalse(rsc(c, "a").managed, "running on a node in maintenance");
        assertTrue(rsc(c, "a").maintenance);
        assertTrue(rsc(c, "b").managed);
    }

    @Test
    void maintenanceModeOptionPutsEveryNodeInMaintenance() {
        Cluster c = cluster().option("maintenance-mode", "true").node("n1").node("n2").unpack();
        assertTrue(node(c, "n1").maintenance && node(c, "n2").maintenance);
        assertFalse(node(c, "n1").maintenanceAttribute, "the option, not the node's own attribute");
    }

    @Test
    void nodesAreRankedByNameInByteOrder() {
        Cluster c = cluster().unseenNode("node2").unseenNode("node10").unseenNode("node1").unpack();
        assertEquals(List.of("node1", "node10", "node2"), c.nodes().stream().map(n -> n.name).toList());
        for (int i = 0; i < c.nodes().size(); i++) {
            assertEquals(i, c.nodes().get(i).rank);
        }
    }

    @Test
    void nodeAttributeRuleByNodeNameApplies() {
        // a set with a rule on #uname applies only to the node it names
        TestCibs b = cluster();
        String set = "<instance_attributes id=\"ia\"><rule id=\"r\" score=\"0\"><expression id=\"e\" attribute=\"#uname\""
                + " operation=\"eq\" value=\"n1\"/></rule><nvpair id=\"rack\" name=\"rack\" value=\"r1\"/></instance_attributes>";
        Cluster c = b.nodeRaw("n1", set).nodeRaw("n2", set.replace("\"ia\"", "\"ia2\"").replace("\"r\"", "\"r2\"")
                .replace("\"e\"", "\"e2\"").replace("\"rack\" name", "\"rack2\" name")).unpack();
        assertEquals("r1", node(c, "n1").attributes.get("rack"));
        assertNull(node(c, "n2").attributes.get("rack"));
    }

    @Test
    void nodesStageAloneMakesRemoteNodesDownUntilTheirConnectionsRun() {
        TestCibs b = cluster().node("n1")
                .resources("<primitive id=\"rn1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"/>");
        NodeUnpack.Nodes nodes = new NodeUnpack(b.model(), TestCibs.NOW).run();
        assertEquals(List.of("n1", "rn1"), nodes.all().stream().map(n -> n.name).toList());
        assertEquals(List.of("rn1"), nodes.remote().stream().map(n -> n.name).toList());
        SNode rn1 = nodes.byName().get("rn1");
        assertTrue(rn1.isRemote());
        assertFalse(rn1.online, "down until the history says its connection runs");
        assertNull(rn1.connection, "linked by the resources stage");
        ResourceUnpack.Resources resources = new ResourceUnpack(b.model(), TestCibs.NOW, nodes).run();
        assertEquals(resources.byId().get("rn1"), rn1.connection);
    }
}
