package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * Fencing through the controllers of a small cluster (MiniCluster): the device chosen for the lost
 * node is the one allowed for it, run on another node; topology levels are tried in order; attempts
 * end at stonith-max-attempts with the reason in crm status; crm node fence.
 */
class FencingControllerTest {
    static final List<String> NODES = List.of("n1", "n2", "n3");

    /** d1 prefers n3; one fence_dummy device per node with pcmk_host_list=NODE, as the user had. */
    static Cib cib(String extraResources, String topology, String properties) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\"><configuration>"
                + "<crm_config><cluster_property_set id=\"o\">" + properties + "</cluster_property_set></crm_config>"
                + "<nodes/><resources>" + ControllerTest.DUMMY + FencePlannerTest.THREE + extraResources
                + "</resources><constraints><rsc_location id=\"d1-n3\" rsc=\"d1\" node=\"n3\" score=\"100\"/>"
                + "</constraints>" + (topology.isEmpty() ? "" : "<fencing-topology>" + topology
                + "</fencing-topology>") + "</configuration><status/></cib>"));
    }

    static MiniCluster losesN3(Cib cib) {
        MiniCluster c = new MiniCluster(NODES, cib, new PolicyEngineScheduler());
        c.view("v1", NODES);
        assertTrue(c.running.get("n3").contains("d1"), "d1 starts on n3 (its preference); log " + c.log);
        c.crash("n3");
        c.view("v2", List.of("n1", "n2"));
        return c;
    }

    @Test
    void whenN3DiesOnlyN3sDeviceRunsAndNotOnN3() throws Exception {
        MiniCluster c = losesN3(cib("", "", ""));
        assertEquals(List.of("n1 fence-n3 n3"), c.fenceLog, "only n3's device, run by a survivor; log " + c.log);
        assertEquals("n3", c.fenceRequests.get(0).params().get("port"));
        assertTrue(c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1"),
                "d1 restarts on a survivor after fencing; log " + c.log);
        List<FenceEvent> h = c.nodes.get("n2").status().fenceHistory();
        assertEquals(1, h.size(), "the DC sent its fence history to n2: " + h);
        FenceEvent e = h.get(0);
        assertEquals(List.of("n3", "n1", "fence-n3", "reboot", FenceEvent.SUCCESS),
                List.of(e.target(), e.executor(), e.device(), e.action(), e.result()));
    }

    @Test
    void aFailingFirstLevelFallsBackToTheSecond() throws Exception {
        String pdu = FencePlannerTest.device("pdu", "n1 n2 n3", 0);
        MiniCluster c = new MiniCluster(NODES, cib(pdu, FencePlannerTest.level(1, "target=\"n3\"", "fence-n3")
                + FencePlannerTest.level(2, "target=\"n3\"", "pdu"), ""), new PolicyEngineScheduler());
        c.failingFenceDevices.add("fence-n3");
        c.view("v1", NODES);
        c.crash("n3");
        c.view("v2", List.of("n1", "n2"));
        // Level 1's device fails on n1, is tried again on n2 (pcmk_reboot_retries=2), then level 2.
        assertEquals(List.of("n1 fence-n3 n3", "n2 fence-n3 n3", "n1 pdu n3"), c.fenceLog, "log " + c.log);
        List<FenceEvent> h = c.nodes.get("n1").status().fenceHistory();
        assertEquals(List.of("failed 1", "failed 1", "success 2"), h.stream().map(e -> e.result() + " " + e.level())
                .toList());
        assertTrue(c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1"), "log " + c.log);
    }

    /**
     * The policy engine's one fencing action of n3 stands for the whole level: the DC runs the level's devices in
     * turn under it, and d1 (ordered after it) restarts only once both did.
     */
    @Test
    void aLevelOfTwoDevicesFencesOnlyWhenBothRan() throws Exception {
        String pdu = FencePlannerTest.device("pdu", "n1 n2 n3", 0);
        MiniCluster c = new MiniCluster(NODES, cib(pdu, FencePlannerTest.level(1, "target=\"n3\"", "fence-n3,pdu"),
                ""), new PolicyEngineScheduler());
        c.view("v1", NODES);
        c.crash("n3");
        c.view("v2", List.of("n1", "n2"));
        assertEquals(List.of("fence-n3", "pdu"), c.fenceLog.stream().map(l -> l.split(" ")[1]).toList(),
                "both devices of level 1, in order; log " + c.log);
        assertTrue(c.log.stream().anyMatch(l -> l.contains("fenced n3 with fence-n3 and pdu (topology level 1)")),
                "n3 counts as fenced once both ran; log " + c.log);
        assertTrue(c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1"), "log " + c.log);
    }

    @Test
    void whenEveryLevelFailsAttemptsStopAtTheMaximumAndStatusSaysWhy() throws Exception {
        String pdu = FencePlannerTest.device("pdu", "n1 n2 n3", 0);
        MiniCluster c = new MiniCluster(NODES, cib(pdu, FencePlannerTest.level(1, "target=\"n3\"", "fence-n3")
                + FencePlannerTest.level(2, "target=\"n3\"", "pdu"), "<nvpair id=\"ma\" name=\"stonith-max-attempts\""
                + " value=\"3\"/>"), new PolicyEngineScheduler());
        c.failingFenceDevices.add("fence-n3");
        c.failingFenceDevices.add("pdu");
        c.view("v1", NODES);
        c.crash("n3");
        c.view("v2", List.of("n1", "n2"));
        for (int i = 0; i < 10; i++) {
            c.advance(ControllerConfig.defaults("n1", NODES).fenceRetryMs(), "fence-retry");
        }
        // 3 attempts x 2 levels x 2 tries each, then no more however long we wait.
        assertEquals(12, c.fenceLog.size(), "runs: " + c.fenceLog);
        assertTrue(c.fenceLog.stream().noneMatch(r -> r.startsWith("n3 ")), "n3 never fences itself");
        StatusReport s = c.nodes.get("n1").status();
        String why = s.fencingGivenUp().get("n3");
        assertNotNull(why, "status names n3 as given up: " + s);
        assertTrue(why.contains("stonith-max-attempts=3"), why);
        String blocked = s.blocked().get("d1");
        assertNotNull(blocked, "d1 is held back: " + s.blocked());
        assertTrue(blocked.contains("could not be fenced") && blocked.contains("crm node fence n3"), blocked);
        assertFalse(c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1"),
                "d1 must stay stopped while n3 may still run it");
        assertEquals(FenceEvent.GAVE_UP, s.fenceHistory().get(s.fenceHistory().size() - 1).result());

        // The operator fixes the device and asks again: fenced, d1 moves.
        c.failingFenceDevices.clear();
        long id = c.admin("n2", new AdminCommand.Write(new CibEdit.Fence("n3"), false));
        c.settle();
        assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
        assertEquals("n1 fence-n3 n3", c.fenceLog.get(c.fenceLog.size() - 1));
        assertTrue(c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1"), "log " + c.log);
        assertTrue(c.nodes.get("n1").status().fencingGivenUp().isEmpty());
    }

    @Test
    void crmNodeFenceRefusesAnUnknownNodeAndFencesAKnownOne() throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib("", "", ""), new PolicyEngineScheduler());
        c.view("v1", NODES);
        long bad = c.admin("n2", new AdminCommand.Write(new CibEdit.Fence("n9"), false));
        c.settle();
        AdminResult r = c.replies.get(bad);
        assertEquals(AdminResult.NOT_FOUND, r.code(), "an unknown node is not found, not an invalid CIB");
        assertTrue(r.message().contains("'n9'") && r.message().contains("n1, n2, n3"), r.message());
        assertTrue(c.fenceLog.isEmpty());

        long ok = c.admin("n3", new AdminCommand.Write(new CibEdit.Fence("n2"), false));
        c.settle();
        assertTrue(c.replies.get(ok).ok(), c.replies.get(ok).message());
        assertEquals(List.of("n1 fence-n2 n2"), c.fenceLog);
        assertEquals("down", Cibs.nodeState(c.nodes.get("n1").cib().root(), "n2").orElseThrow().attr("expected"));
    }

    @Test
    void aDynamicListDeviceIsAskedFirstAndUsedOnlyForNodesItLists() throws Exception {
        String sw = "<primitive id=\"sw\" class=\"stonith\" type=\"fence_dummy\"><meta_attributes id=\"sw-m\">"
                + "<nvpair id=\"sw-p\" name=\"priority\" value=\"9\"/></meta_attributes></primitive>";
        MiniCluster c = new MiniCluster(NODES, cib(sw, "", ""), new PolicyEngineScheduler());
        c.deviceLists.put("sw", "n1,\nn2,\n");
        c.view("v1", NODES);
        c.crash("n3");
        c.view("v2", List.of("n1", "n2"));
        assertEquals(List.of("n1 fence-n3 n3"), c.fenceLog, "sw (priority 9) does not list n3; log " + c.log);
        assertTrue(c.log.stream().anyMatch(l -> l.contains("sw answered list")), "sw was asked: " + c.log);
    }

    @Test
    void whenTheExecutorLeavesBeforeItAnswersAnotherMemberRunsTheDevice() throws Exception {
        List<String> four = List.of("n1", "n2", "n3", "n4");
        Cib cib = Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">"
                // no-quorum-policy=ignore: the two that are left (2 of 4) still fence
                + "<configuration><crm_config><cluster_property_set id=\"o\"><nvpair id=\"nq\""
                + " name=\"no-quorum-policy\" value=\"ignore\"/></cluster_property_set></crm_config><nodes/><resources>"
                + ControllerTest.DUMMY + FencePlannerTest.perNode("n4") + "</resources><constraints>"
                + "<rsc_location id=\"d1-n4\" rsc=\"d1\" node=\"n4\" score=\"100\"/>"
                + FencePlannerTest.ban("fence-n4", "n1") + "</constraints></configuration><status/></cib>"));
        MiniCluster c = new MiniCluster(four, cib, new PolicyEngineScheduler());
        c.view("v1", four);
        assertTrue(c.running.get("n4").contains("d1"), "log " + c.log);
        // n2 runs fence-n4 (banned from the DC n1) but its answer never reaches the DC: n2 goes too.
        c.hold(e -> e.from().equals("n2") && e.message() instanceof Message.OpReport r
                && r.result().resourceId().equals("fence-n4"));
        c.crash("n4");
        c.view("v2", List.of("n1", "n2", "n3"));
        assertEquals(List.of("n2 fence-n4 n4"), c.fenceLog);
        c.crash("n2");
        c.view("v3", List.of("n1", "n3"));
        c.release();   // n2's late answer comes from outside the view: ignored
        assertEquals(List.of("n2 fence-n4 n4", "n3 fence-n4 n4"), c.fenceLog, "another member tries; log " + c.log);
        List<FenceEvent> h = c.nodes.get("n1").status().fenceHistory();
        assertEquals(List.of(FenceEvent.EXECUTOR_LEFT + " n2", FenceEvent.SUCCESS + " n3"),
                h.stream().map(e -> e.result() + " " + e.executor()).toList());
    }

    @Test
    void theNextDcFencesTheOldDcWithItsDevice() throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib("", "", ""), new PolicyEngineScheduler());
        c.view("v1", NODES);
        c.crash("n1");
        c.view("v2", List.of("n2", "n3"));
        assertEquals(List.of("n2 fence-n1 n1"), c.fenceLog, "log " + c.log);
        assertNotEquals("n1", c.fenceExecutors.get(0));
    }
}
