package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * Watchdog-only fencing through the controllers of a small cluster on a simulated clock: no fence
 * device, stonith-watchdog-timeout 10 s, 5 s watchdogs. The resource of a lost node stays stopped
 * until 10 s after the loss and starts on a survivor then, never a moment before; a wrong setting
 * is refused by the DC naming the rule; without watchdogs on the nodes nothing counts as fencing.
 */
class WatchdogControllerTest {
    static final List<String> NODES = List.of("n1", "n2", "n3");

    static Cib cib(String properties) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\"><configuration>"
                + "<crm_config><cluster_property_set id=\"o\">" + properties + "</cluster_property_set></crm_config>"
                + "<nodes/><resources>" + ControllerTest.DUMMY + "</resources><constraints><rsc_location id=\"d1-n3\""
                + " rsc=\"d1\" node=\"n3\" score=\"100\"/></constraints></configuration><status/></cib>"));
    }

    static final String TEN_S = "<nvpair id=\"swt\" name=\"stonith-watchdog-timeout\" value=\"10s\"/>";

    static boolean onSurvivor(MiniCluster c) {
        return c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1");
    }

    @Test
    void aLostNodesResourceStartsElsewhereOnlyOnceStonithWatchdogTimeoutHasPassed() throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib(TEN_S), new PolicyEngineScheduler(), 5000);
        c.view("v1", NODES);
        assertTrue(c.running.get("n3").contains("d1"), "d1 starts without a fence device (have-watchdog); log " + c.log);
        c.crash("n3");
        c.view("v2", List.of("n1", "n2"));
        for (int s = 1; s <= 9; s++) {
            c.advance(1000, "fence-retry");
            assertFalse(onSurvivor(c), "d1 started on a survivor " + s + " s after n3 was lost; log " + c.log);
        }
        c.advance(999, "fence-retry");
        assertFalse(onSurvivor(c), "d1 started 1 ms before stonith-watchdog-timeout");
        c.advance(1, "fence-retry");
        assertTrue(onSurvivor(c), "d1 did not start once stonith-watchdog-timeout had passed; log " + c.log);
        assertTrue(c.fenceLog.isEmpty(), "no fence device ran: " + c.fenceLog);
        FenceEvent e = c.nodes.get("n2").status().fenceHistory().get(0);
        assertEquals(List.of("n3", WatchdogFencing.DEVICE, FenceEvent.SUCCESS), List.of(e.target(), e.device(), e.result()));
    }

    @Test
    void theDcRefusesATimeoutNotAboveTheWatchdogsNamingTheRule() throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib(""), new PolicyEngineScheduler(), 5000);
        c.view("v1", NODES);
        long id = c.admin("n2", ControllerTest.property("stonith-watchdog-timeout", "5s"));
        c.settle();
        AdminResult r = c.replies.get(id);
        assertEquals(AdminResult.INVALID, r.code(), r.message());
        assertTrue(r.message().contains("must be greater than the watchdog timeout of n1 (5000 ms)"), r.message());
        long ok = c.admin("n2", ControllerTest.property("stonith-watchdog-timeout", "-1"));
        c.settle();
        assertTrue(c.replies.get(ok).ok(), "a negative value (twice the watchdog) is fine: " + c.replies.get(ok).message());
    }

    @Test
    void withoutWatchdogsOnTheNodesNothingCountsAsFencing() throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib(TEN_S), new PolicyEngineScheduler(), 0);
        c.view("v1", NODES);
        assertFalse(c.running.values().stream().anyMatch(r -> r.contains("d1")),
                "d1 started although nothing can fence; log " + c.log);
        assertTrue(c.nodes.get("n1").status().blocked().get("d1").contains("no fence device"),
                "held back with the reason: " + c.nodes.get("n1").status().blocked());
    }
}
