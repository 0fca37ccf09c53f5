package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The graph's inputs between resources: a symmetrical ordering's inverse swaps the sides and inverts
 * each action, as Pacemaker's does, and actions that wait for each other are never ready (the graph
 * walker stalls on them, as crm_simulate's does: "Transition failed: terminated").
 */
class OrderingsTest {
    private static Act act(PolicyEngine.Stages s, String op, String rsc, String node) {
        return PlanningStagesTest.oneShot(s, op, rsc, node);
    }

    /** Both recover where they are; "rsc1 start then rsc2 stop" (Optional, so symmetrical). */
    private static PolicyEngine.Stages startThenStop() {
        return TestCibs.cluster().node("n1").node("n2").primitive("rsc1").primitive("rsc2")
                .constraints("<rsc_order id=\"o\" first=\"rsc1\" first-action=\"start\" then=\"rsc2\" then-action=\"stop\""
                        + " kind=\"Optional\"/>")
                .location("rsc1-n1", "rsc1", "n1", "100").location("rsc2-n2", "rsc2", "n2", "100")
                .monitorFailed("rsc1", "n1").notRunning("rsc1", "n2")
                .monitorFailed("rsc2", "n2").notRunning("rsc2", "n1")
                .schedule();
    }

    @Test
    void theInverseOfStartThenStopOrdersTheThenStartBeforeTheFirstStop() {
        PolicyEngine.Stages s = startThenStop();
        Act later = act(s, "stop", "rsc1", "n1");
        Act earlier = act(s, "start", "rsc2", "n2");
        String all = PlanningStagesTest.described(s.plan().acts()).toString();
        assertTrue(later != null && earlier != null && later.inputs.contains(earlier),
                "rsc1's stop waits for rsc2's start (the inverse): " + all);
    }

    @Test
    void actionsWaitingForEachOtherAreNeverReadyAndTheRecoveriesDoNotHappen() {
        PolicyEngine.Stages s = startThenStop();
        Set<Act> never = s.plan().neverReady();
        for (String[] a : List.of(new String[] {"stop", "rsc1", "n1"}, new String[] {"start", "rsc1", "n1"},
                new String[] {"stop", "rsc2", "n2"}, new String[] {"start", "rsc2", "n2"})) {
            Act x = act(s, a[0], a[1], a[2]);
            assertNotNull(x, String.join(" ", a));
            assertTrue(never.contains(x), String.join(" ", a) + " is on the cycle: never ready");
        }
        // the transition stalls before either recovery: both stay where they failed, still failed
        String placement = s.transition().canonical();
        assertTrue(placement.contains("placed rsc1 n1 failed\n"), placement);
        assertTrue(placement.contains("placed rsc2 n2 failed\n"), placement);
    }

    @Test
    void onCyclesFindsOnlyTheActionsOnACycle() {
        Act a = new Act("start", null, null, 0, null);
        Act b = new Act("stop", null, null, 0, null);
        Act c = new Act("monitor", null, null, 0, null);
        Act d = new Act("start", null, null, 0, null);
        a.after(b);
        b.after(a);
        c.after(a);    // behind the cycle, not on it
        d.after(c);
        Act blocked = new Act("stop", null, null, 0, null);
        blocked.runnable = false;
        Act e = new Act("start", null, null, 0, null);
        e.after(blocked);
        blocked.after(e);   // a cycle through an action that cannot run is no cycle of the graph
        assertEquals(Set.of(a, b), Orderings.onCycles(List.of(a, b, c, d, blocked, e)));
        assertFalse(Orderings.onCycles(List.of(c, d)).contains(c));
    }
}
