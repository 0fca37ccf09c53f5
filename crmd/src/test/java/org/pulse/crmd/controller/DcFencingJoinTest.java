package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * Issue 11 with four nodes: {@code crm node fence DC} run by a member that is not the next DC (here n3: the device
 * is banned from n2, the next DC). Its result cannot reach the DC that asked (it goes down with the run), and the
 * next DC starts the join of the new view without it: before, it fenced the old DC a second time, because the
 * executor reported its run only after the join (a done run with the join's CIB sync, a run in flight when it
 * ended). Now every member reports its runs against its lost DC in its join answer, done or in flight, and the
 * next DC records a done one and waits for one in flight (bounded by the run's timeout) instead of fencing again.
 */
class DcFencingJoinTest {
    static final List<String> NODES = List.of("n1", "n2", "n3", "n4");
    static final List<String> SURVIVORS = List.of("n2", "n3", "n4");

    static Cib cib() throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\"><configuration>"
                + "<crm_config><cluster_property_set id=\"o\"/></crm_config><nodes/><resources>" + ControllerTest.DUMMY
                + FencePlannerTest.perNode("n1") + FencePlannerTest.perNode("n2") + FencePlannerTest.perNode("n3")
                + FencePlannerTest.perNode("n4") + "</resources><constraints>"
                + "<rsc_location id=\"d1-n1\" rsc=\"d1\" node=\"n1\" score=\"100\"/>"
                + FencePlannerTest.ban("fence-n1", "n2") + "</constraints></configuration><status/></cib>"));
    }

    /**
     * Four nodes, n1 DC; crm node fence n1 on n1: n3 runs n1's device (n2 may not), its run hanging if
     * {@code hang}; then n1 is gone and n2, n3, n4 form view v2 (n2 DC).
     */
    static MiniCluster fenceTheDc(boolean hang) throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib(), new PolicyEngineScheduler());
        c.view("v1", NODES);
        assertTrue(c.running.get("n1").contains("d1"), "d1 starts on n1, the DC; log " + c.log);
        if (hang) {
            c.hang.add("n3 reboot fence-n1");
        }
        // The DC goes down with the run: its result never reaches it.
        c.hold(e -> e.to().equals("n1"));
        long id = c.admin("n1", new AdminCommand.Write(new CibEdit.Fence("n1"), false));
        c.settle();
        assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
        assertEquals(hang ? List.of() : List.of("n3 fence-n1 n1"), c.fenceLog, "n3 ran n1's device; log " + c.log);
        assertEquals(hang, c.hangs("n3 reboot fence-n1"), "asked: " + c.asked);
        c.nodes.remove("n1");
        c.view("v2", SURVIVORS);
        return c;
    }

    /** n1 fenced exactly once, by n3, recorded by the next DC n2 (history and CIB), and d1 recovered elsewhere. */
    static void fencedOnceByN3(MiniCluster c) {
        assertEquals(List.of("n3 fence-n1 n1"), c.fenceLog, "n1's device, run by n3, once; log " + c.log);
        List<String> h = c.nodes.get("n4").status().fenceHistory().stream()
                .map(e -> e.target() + " " + e.executor() + " " + e.device() + " " + e.result()).toList();
        assertTrue(h.contains("n1 n3 fence-n1 " + FenceEvent.SUCCESS), "fence history on n4: " + h);
        assertEquals("down", Cibs.nodeState(c.nodes.get("n2").cib().root(), "n1").orElseThrow().attr("expected"),
                "the next DC recorded n1 as fenced");
        assertTrue(SURVIVORS.stream().anyMatch(n -> c.running.get(n).contains("d1")), "d1 recovered; log " + c.log);
    }

    @Test
    void aRunDoneBeforeTheNextDcsJoinIsRecordedFromTheJoinAnswerNotRepeated() throws Exception {
        fencedOnceByN3(fenceTheDc(false));
    }

    @Test
    void aRunInFlightDuringTheNextDcsJoinIsWaitedForNotRepeated() throws Exception {
        MiniCluster c = fenceTheDc(true);
        assertTrue(c.log.stream().anyMatch(l -> l.startsWith("n2 ") && l.contains("waiting for its result")),
                "n2 waits for n3's run; log " + c.log);
        c.finishHung("n3 fence-n1");
        fencedOnceByN3(c);
    }

    @Test
    void aRunInFlightWhoseResultNeverComesCountsFailedAfterItsTimeoutAndTheNextDcFences() throws Exception {
        MiniCluster c = fenceTheDc(true);
        assertEquals(List.of(), c.fenceLog, "nothing more while n3's run goes on; log " + c.log);
        // n3's LRM never reports (its own op-deadline timer is not fired here): n2's wait ends at the run's timeout.
        c.advance(10 * 60_000, "action");
        assertTrue(c.nodes.get("n2").status().fenceHistory().stream().anyMatch(e -> e.target().equals("n1")
                && e.result().equals(FenceEvent.TIMED_OUT)), "the run counted as timed out; log " + c.log);
        c.advance(60_000, "fence-retry");
        c.finishHung("n3 fence-n1");
        assertTrue(c.fenceLog.size() >= 2, "the next DC fenced n1 itself after the wait; log " + c.log);
        assertEquals("down", Cibs.nodeState(c.nodes.get("n2").cib().root(), "n1").orElseThrow().attr("expected"));
    }
}
