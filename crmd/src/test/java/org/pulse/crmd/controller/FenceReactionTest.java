package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node told (by its DC's fence history) that it was fenced, while it still runs, stops for good, or with
 * fence-reaction=panic fences itself, as Pacemaker's controller does: the cluster counts its resources stopped
 * and recovers them elsewhere (the stranger's fence_dummy device that reported success without powering the
 * node off: the node rejoined at the next view with its resources). Fencing of an earlier life is no news.
 */
class FenceReactionTest {
    static List<Effect> tell(MiniCluster c, String node, FenceEvent e) {
        return c.nodes.get(node).handle(new Event.MessageReceived("a", new Message.FenceHistory("v1", List.of(e))), c.now);
    }

    static FenceEvent fenced(String target, long atEpochMs) {
        return new FenceEvent(target, "a", "fence-dummy", 1, "reboot", FenceEvent.SUCCESS, atEpochMs, "");
    }

    @Test
    void aNodeToldItWasFencedStopsForGoodByDefaultAndPanicsWhenAsked() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(ControllerTest.DUMMY + ControllerTest.FENCE, ""),
                new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        long now = c.now.toEpochMilli();

        assertTrue(tell(c, "b", fenced("b", now - 60_000)).stream().noneMatch(FenceReactionTest::reacts),
                "a fencing from before this node started is an earlier life");
        assertTrue(tell(c, "b", fenced("c", now)).stream().noneMatch(FenceReactionTest::reacts), "another node's fencing");
        List<Effect> own = tell(c, "b", fenced("b", now));
        List<Effect> stops = own.stream().filter(f -> f instanceof Effect.StopForGood).toList();
        assertEquals(1, stops.size(), "fence-reaction=stop (the default): " + own);
        assertTrue(((Effect.StopForGood) stops.get(0)).reason().contains("fence-dummy"), stops.toString());
        assertTrue(tell(c, "b", fenced("b", now + 1)).stream().noneMatch(FenceReactionTest::reacts), "once is enough");

        MiniCluster p = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(ControllerTest.DUMMY + ControllerTest.FENCE,
                "<nvpair id=\"o-fr\" name=\"fence-reaction\" value=\"panic\"/>"), new PolicyEngineScheduler());
        p.view("v1", List.of("a", "b", "c"));
        assertTrue(tell(p, "c", fenced("c", p.now.toEpochMilli() + 1_000)).stream().noneMatch(FenceReactionTest::reacts),
                "in the first history, a fencing within the clock margin of this node's start is an earlier life");
        List<Effect> panic = tell(p, "c", fenced("c", p.now.toEpochMilli() + 2_000));
        assertTrue(panic.stream().anyMatch(f -> f instanceof Effect.SelfFence), "fence-reaction=panic: " + panic);

        // A node that rejoins alive after a device lied: its first history holds its fencing, well after its start.
        MiniCluster r = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(ControllerTest.DUMMY + ControllerTest.FENCE, ""),
                new PolicyEngineScheduler());
        r.view("v1", List.of("a", "b", "c"));
        long late = r.now.toEpochMilli() + Controller.OWN_FENCING_CLOCK_MARGIN_MS;
        assertTrue(tell(r, "b", fenced("b", late)).stream().anyMatch(f -> f instanceof Effect.StopForGood),
                "fenced after this node started, first history");
    }

    static boolean reacts(Effect f) {
        return f instanceof Effect.StopForGood || f instanceof Effect.SelfFence;
    }
}
