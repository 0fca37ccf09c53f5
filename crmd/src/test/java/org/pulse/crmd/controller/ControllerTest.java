package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

class ControllerTest {
    static Cib cib(String resources, String properties) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">"
                + "<configuration><crm_config><cluster_property_set id=\"o\">" + properties
                + "</cluster_property_set></crm_config><nodes/><resources>" + resources
                + "</resources><constraints/></configuration><status/></cib>"));
    }

    static final String DUMMY = "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>";
    static final String FENCE = "<primitive id=\"fence\" class=\"stonith\" type=\"fence_pulse_sim\"/>";

    static AdminCommand.Write property(String name, String value) {
        return new AdminCommand.Write(new CibEdit.ClusterProperty(name, value), false);
    }

    /** crm status's "Last change" and the metrics read cib-last-written: the DC stamps it on every configuration write. */
    @Test
    void aConfigurationWriteStampsCibLastWrittenAsPacemakerWritesIt() throws Exception {
        MiniCluster c = new MiniCluster(List.of("n1", "n2"), Cib.of(XmlParser.parse("t",
                "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\"><configuration><crm_config/><nodes/><resources/>"
                        + "<constraints/></configuration><status/></cib>")), new PolicyEngineScheduler());
        c.view("v1", List.of("n1", "n2"));
        assertNull(c.nodes.get("n1").cib().root().attr("cib-last-written"), "nothing written yet");
        long id = c.admin("n2", property("batch-limit", "5"));
        c.settle();
        assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
        for (String n : List.of("n1", "n2")) {
            assertEquals("Sun Nov 22 12:00:00 2026", c.nodes.get(n).cib().root().attr("cib-last-written"), n);
        }
    }

    /** A write forwarded to a DC that then leaves the cluster is answered at once, not after the 95 s deadline. */
    @Test
    void aWriteForwardedToADcThatLeavesIsAnsweredWhenItLeaves() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib("", ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        // The DC a never receives c's forward (it dies with it).
        c.hold(e -> e.message() instanceof Message.ForwardedAdmin);
        long id = c.admin("c", property("batch-limit", "5"));
        c.settle();
        assertNull(c.replies.get(id), "answered before the DC did anything");
        c.nodes.remove("a");
        c.view("v2", List.of("b", "c"));
        AdminResult r = c.replies.get(id);
        assertNotNull(r, "c still waits for an answer from a DC that left");
        assertEquals(AdminResult.UNCERTAIN, r.code(), r.message());
        assertTrue(r.message().contains("the DC a left the cluster"), r.message());
    }

    @Test
    void aLoneNodeOfThreeJoinsWithoutQuorumAndRefusesConfigurationWrites() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(DUMMY, ""), new PolicyEngineScheduler());
        c.nodes.keySet().retainAll(Set.of("a"));
        c.view("v1", List.of("a"));
        Controller a = c.nodes.get("a");
        assertTrue(a.isDc());
        assertFalse(a.hasConfirmedQuorum(), "1 of 3 votes is no quorum");
        long id = c.admin("a", property("x", "1"));
        c.settle();
        AdminResult r = c.replies.get(id);
        assertEquals(AdminResult.NO_QUORUM, r.code());
        assertTrue(r.message().contains("1 of 3 votes"), r.message());
        assertNull(Cibs.property(a.cib(), "x", null), "a refused write must not change the CIB");
        assertTrue(c.running.get("a").isEmpty(), "nothing starts without quorum");
    }

    @Test
    void aWriteIsAcknowledgedOnlyAfterEveryMemberStoredIt() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib("", ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        assertTrue(c.nodes.get("a").hasConfirmedQuorum());
        c.hold(e -> e.from().equals("c") && e.message() instanceof Message.CibAck);
        long id = c.admin("b", property("x", "1"));
        c.settle();
        assertNull(c.replies.get(id), "acknowledged before c confirmed storing it");
        assertEquals("1", Cibs.property(c.nodes.get("c").cib(), "x", null), "c stored it but its ack is held");
        c.release();
        AdminResult r = c.replies.get(id);
        assertNotNull(r);
        assertTrue(r.ok(), r.message());
        for (Controller n : c.nodes.values()) {
            assertEquals(r.version(), n.cib().version(), n.nodeName() + " is not at the acknowledged version");
        }
    }

    @Test
    void theHighestCibWinsTheJoinWhoeverIsDc() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib("", ""), new PolicyEngineScheduler());
        c.view("v1", List.of("b", "c"));
        long id = c.admin("c", property("written-by-majority", "yes"));
        c.settle();
        assertTrue(c.replies.get(id).ok());
        // a (older CIB) becomes DC of the merged view: the majority's change must survive.
        c.view("v2", List.of("a", "b", "c"));
        assertEquals("yes", Cibs.property(c.nodes.get("a").cib(), "written-by-majority", null));
    }

    @Test
    void aLostNodeIsFencedBeforeItsResourceStartsElsewhere() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(DUMMY + FENCE, ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        String holder = c.running.entrySet().stream().filter(e -> e.getValue().contains("d1")).findFirst()
                .orElseThrow().getKey();
        c.crash(holder);
        List<String> rest = c.nodes.keySet().stream().toList();
        c.view("v2", rest);
        assertEquals(1, c.fenceRequests.size(), "exactly one fencing: " + c.fenceRequests);
        assertEquals(holder, c.fenceRequests.get(0).params().get("port"));
        long activeElsewhere = rest.stream().filter(n -> c.running.get(n).contains("d1")).count();
        assertEquals(1, activeElsewhere, "d1 should run on one survivor after fencing; log: " + c.log);
    }

    @Test
    void withoutAFenceDeviceTheResourceStaysStoppedAndStatusSaysWhy() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(DUMMY, "<nvpair id=\"se\" name=\"stonith-enabled\""
                + " value=\"false\"/>"), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        String holder = c.running.entrySet().stream().filter(e -> e.getValue().contains("d1")).findFirst()
                .orElseThrow().getKey();
        // Now turn fencing on, with no device, and lose the holder.
        long id = c.admin("a", property("stonith-enabled", "true"));
        c.settle();
        assertTrue(c.replies.get(id).ok());
        c.crash(holder);
        List<String> rest = c.nodes.keySet().stream().toList();
        c.view("v2", rest);
        assertTrue(rest.stream().noneMatch(n -> c.running.get(n).contains("d1")), "d1 started without fencing");
        StatusReport s = c.nodes.get(rest.get(0)).status();
        String why = s.blocked().get("d1");
        assertNotNull(why, "status gives no reason for d1: " + s);
        assertTrue(why.contains(holder) && why.contains("no fence device"), why);
    }

    @Test
    void withFencingOnAndNoDeviceNothingStartsAndStatusSaysWhy() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(DUMMY, ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        assertTrue(c.running.values().stream().noneMatch(r -> r.contains("d1")), "d1 started without a fence device");
        String why = c.nodes.get("a").status().blocked().get("d1");
        assertNotNull(why, "status gives no reason why d1 is stopped");
        assertTrue(why.contains("no fence device"), why);
    }

    @Test
    void aStaleDcCannotMoveAMemberThatFollowsTheNewView() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib("", ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        // b and c moved on to v2 without a; a still thinks it is DC of v1.
        for (String m : List.of("b", "c")) {
            c.deliver(m, new Event.ViewChanged(new View("v2", List.of("b", "c"))));
        }
        c.settle();
        OpRequest start = new OpRequest("1:9:0:a@v1", "d1", new AgentSpec("ocf", "pulse", "Dummy"), "start", 0, 20_000,
                java.util.Map.of());
        c.deliver("c", new Event.MessageReceived("a", new Message.Execute("v1", start)));
        c.settle();
        assertFalse(c.running.get("c").contains("d1"), "c obeyed a DC of a view it has left");
    }
}
