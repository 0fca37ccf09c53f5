package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code crm node clearstate NODE} is Pacemaker's {@code stonith_admin --confirm}: the operator says the node was
 * fenced by hand. Like the fencer, the DC records that in the fence history ("off", executor "a human", with the
 * client and the node it came from), which every member's crm status shows; before, the node's state was cleared
 * and no record said who declared it down.
 */
class ClearStateFenceHistoryTest {
    private static MiniCluster threeNodes() throws Exception {
        MiniCluster c = new MiniCluster(FencingControllerTest.NODES, FencingControllerTest.cib("", "", ""),
                new PolicyEngineScheduler());
        c.view("v1", FencingControllerTest.NODES);
        c.settle();
        return c;
    }

    @Test
    void aClearedNodeHasAnOffByAHumanInEveryMembersFenceHistory() throws Exception {
        MiniCluster c = threeNodes();
        // n3's device fails: the cluster cannot fence n3 itself, the case an operator fences it by hand for.
        c.failingFenceDevices.add("fence-n3");
        c.crash("n3");
        c.view("v2", List.of("n1", "n2"));
        c.settle();
        long id = c.admin("n2", new AdminCommand.Write(new CibEdit.ClearState("n3"), false));
        c.settle();
        AdminResult r = c.replies.get(id);
        assertTrue(r.ok(), r.message());
        List<FenceEvent> manual = c.nodes.get("n2").status().fenceHistory().stream()
                .filter(e -> e.executor().equals(FenceEvent.BY_HAND)).toList();
        assertEquals(1, manual.size(), "one confirmation by hand on n2 (not the DC); history "
                + c.nodes.get("n2").status().fenceHistory() + "; log " + c.log);
        FenceEvent e = manual.get(0);
        assertEquals("n3", e.target());
        assertEquals("off", e.action());
        assertEquals(FenceEvent.SUCCESS, e.result());
        assertTrue(e.detail().contains("client=crm node clearstate"), e.detail());
        assertEquals("down", Cibs.nodeState(c.nodes.get("n1").cib().root(), "n3").orElseThrow().attr("expected"));
    }

    @Test
    void aRefusedClearstateRecordsNothing() throws Exception {
        MiniCluster c = threeNodes();
        long id = c.admin("n1", new AdminCommand.Write(new CibEdit.ClearState("n3"), false));
        c.settle();
        assertTrue(!c.replies.get(id).ok(), "n3 is online: refused");
        assertTrue(c.nodes.get("n1").status().fenceHistory().stream()
                .noneMatch(e -> e.executor().equals(FenceEvent.BY_HAND)), "nothing confirmed, nothing recorded");
    }
}
