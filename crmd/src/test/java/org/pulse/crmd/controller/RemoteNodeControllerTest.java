package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * Remote nodes through real controllers and the real policy engine (MiniCluster: simulated wire and LRMs):
 * the connection resource starts on a member, the DC routes the Dummy's actions on the remote node to that
 * member, which relays them (Effect.RunOperation naming the remote node) and reports them back under the
 * remote node, and the DC records them in a remote_node="true" node_state, so the Dummy runs there for good
 * (no further transition moves it).
 */
class RemoteNodeControllerTest {
    @Test
    void aResourceOnARemoteNodeIsRelayedByTheConnectionsHostAndRecordedUnderTheRemoteNode() throws Exception {
        Cib cib = Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">"
                + "<configuration><crm_config><cluster_property_set id=\"o\">"
                + "<nvpair id=\"se\" name=\"stonith-enabled\" value=\"false\"/></cluster_property_set></crm_config>"
                + "<nodes/><resources>"
                + "<primitive id=\"remote1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"/>"
                + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
                + "<operations><op id=\"d1-m\" name=\"monitor\" interval=\"10s\"/></operations></primitive>"
                + "</resources><constraints>"
                + "<rsc_location id=\"l\" rsc=\"d1\" node=\"remote1\" score=\"INFINITY\"/></constraints>"
                + "</configuration><status/></cib>"));
        MiniCluster c = new MiniCluster(List.of("a", "b"), cib, new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b"));
        Cib dc = c.nodes.get("a").cib();
        Set<String> hosts = dc.statusView().runningOn("remote1");
        assertEquals(1, hosts.size(), "the connection runs on one member: " + hosts + "\n" + c.log);
        String host = hosts.iterator().next();
        assertEquals(Set.of("remote1"), dc.statusView().runningOn("d1"), "d1 is not recorded on remote1\n" + c.log);
        assertTrue(c.relayed.contains(host + " -> remote1 start d1"), "d1's start was not relayed by " + host + ": "
                + c.relayed);
        assertTrue(c.relayed.contains(host + " -> remote1 monitor d1"), "d1's monitor was not relayed: " + c.relayed);
        // members only probe it (the location allows remote1 alone; probes run everywhere, as Pacemaker's)
        assertTrue(c.executed.stream().noneMatch(e -> e.endsWith(" d1") && !e.startsWith("remote1 ")
                && !e.contains(" monitor ")), "d1 ran on a member: " + c.executed);
        assertEquals("true", Cibs.nodeState(dc.root(), "remote1").orElseThrow().attr("remote_node"));
        // the remote node's call ids are its daemon's (MiniCluster's count from 101), whichever member relays
        assertTrue(dc.statusView().history("remote1", "d1").orElseThrow().last().callId() > 100);
        // and every member has the same record (it was replicated like any status change)
        assertEquals(Set.of("remote1"), c.nodes.get("b").cib().statusView().runningOn("d1"));
    }

    @Test
    void aRemoteNodesEntryInTheNodesSectionIsNoVoter() throws Exception {
        // what `crm node standby rem1` writes, as Pacemaker does: a nodes entry of type remote
        Cib cib = Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">"
                + "<configuration><crm_config/><nodes>"
                + "<node id=\"1\" uname=\"a\"/><node id=\"2\" uname=\"b\"/><node id=\"3\" uname=\"c\"/>"
                + "<node id=\"rem1\" uname=\"rem1\" type=\"remote\"><instance_attributes id=\"rem1-ia\">"
                + "<nvpair id=\"rem1-sb\" name=\"standby\" value=\"on\"/></instance_attributes></node>"
                + "</nodes><resources>"
                + "<primitive id=\"rem1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"/>"
                + "</resources><constraints/></configuration><status/></cib>"));
        assertEquals(List.of("a", "b", "c"), Cibs.votingNodes(cib));
        assertTrue(Cibs.configuredNodes(cib).contains("rem1"), "still a known node (fencing, attributes)");
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib, new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        assertEquals(List.of("a", "b", "c"), c.nodes.get("a").voters(c.nodes.get("a").cib()).stream().sorted().toList(),
                "3 votes, not 4: a member down must leave 2 of 3 (quorate)");
    }
}
