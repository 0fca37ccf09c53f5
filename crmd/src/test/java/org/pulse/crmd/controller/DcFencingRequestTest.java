package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code crm node fence DC}, as Pacemaker's {@code stonith_admin --fence} of the DC: another member runs the
 * device (never the target), the DC goes down with it, and the next DC records the fencing instead of fencing
 * the node a second time. Before, the DC refused ("it is the DC, which runs fencing").
 */
class DcFencingRequestTest {
    static final List<String> NODES = FencingControllerTest.NODES;

    static MiniCluster cluster() throws Exception {
        MiniCluster c = new MiniCluster(NODES, FencingControllerTest.cib("", "", ""), new PolicyEngineScheduler());
        c.view("v1", NODES);
        return c;
    }

    static AdminResult fenceTheDc(MiniCluster c) {
        long id = c.admin("n1", new AdminCommand.Write(new CibEdit.Fence("n1"), false));
        c.settle();
        return c.replies.get(id);
    }

    /** The history n3 (not a DC) shows for n1: one success, run by n2 with n1's own device. */
    static void fencedOnceByN2(MiniCluster c) {
        assertEquals(List.of("n2 fence-n1 n1"), c.fenceLog, "n1's device, run by n2, once; log " + c.log);
        List<String> h = c.nodes.get("n3").status().fenceHistory().stream()
                .map(e -> e.target() + " " + e.executor() + " " + e.device() + " " + e.result()).toList();
        assertTrue(h.contains("n1 n2 fence-n1 " + FenceEvent.SUCCESS), "fence history on n3: " + h);
        assertEquals("down", Cibs.nodeState(c.nodes.get("n2").cib().root(), "n1").orElseThrow().attr("expected"),
                "the next DC recorded n1 as fenced");
    }

    @Test
    void theDcIsFencedByAnotherMemberAndTheNextDcRecordsItWithoutFencingAgain() throws Exception {
        MiniCluster c = cluster();
        // The DC goes down with the run: its result never reaches it.
        c.hold(e -> e.to().equals("n1") && e.message() instanceof Message.OpReport r
                && r.result().resourceId().equals("fence-n1"));
        AdminResult r = fenceTheDc(c);
        assertTrue(r.ok(), r.message());
        assertTrue(r.message().contains("it is the DC") && r.message().contains("going down"), r.message());
        assertEquals(List.of("n2"), c.fenceExecutors, "never the DC itself; log " + c.log);
        c.crash("n1");
        c.view("v2", List.of("n2", "n3"));
        fencedOnceByN2(c);
    }

    @Test
    void aRunStillGoingWhenTheDcIsLostIsWaitedForNotRepeated() throws Exception {
        MiniCluster c = cluster();
        c.hang.add("n2 reboot fence-n1");
        assertTrue(fenceTheDc(c).ok());
        assertTrue(c.hangs("n2 reboot fence-n1"), "asked: " + c.asked);
        c.crash("n1");
        c.view("v2", List.of("n2", "n3"));
        assertEquals(List.of(), c.fenceLog, "the new DC runs no device while its own run against n1 goes on; log "
                + c.log);
        c.finishHung("n2 fence-n1");
        fencedOnceByN2(c);
    }

    @Test
    void aDeviceThatReportsTheDcFencedWhileItStillRunsStopsItInsteadOfCountingItDown() throws Exception {
        MiniCluster c = cluster();
        assertTrue(fenceTheDc(c).ok());
        assertEquals(List.of("n2 fence-n1 n1"), c.fenceLog);
        assertTrue(c.log.stream().anyMatch(l -> l.startsWith("n1 ") && l.contains("fence-reaction=stop")),
                "n1 applies fence-reaction; log " + c.log);
        assertNotEquals("down", Cibs.nodeState(c.nodes.get("n1").cib().root(), "n1").orElseThrow().attr("expected"),
                "what runs on n1 must not count as stopped");
    }
}
