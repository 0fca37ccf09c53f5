package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;

/**
 * stonith-watchdog-timeout as Pacemaker documents it (0 off, positive greater than the watchdog timeout,
 * negative twice it, a watchdog needed on the node, the fencing- alias) and the fencer's watchdog
 * pseudo-device: no fence device, or after every device, or named in a topology level; the target counts
 * fenced only once the timeout has passed since it was lost.
 */
class WatchdogFencingTest {
    static final Instant LOST = FencePlannerTest.NOW.minusSeconds(3);

    static Cib props(String nvpairs) throws Exception {
        return FencePlannerTest.cib("", "", "", nvpairs);
    }

    static String nv(String name, String value) {
        return "<nvpair id=\"o-" + name + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
    }

    @Test
    void timingRulesAreCheckedAgainstTheNodesWatchdog() throws Exception {
        assertNull(WatchdogFencing.problem(props(""), "n1", 0), "unset: off, nothing to check");
        assertNull(WatchdogFencing.problem(props(nv("stonith-watchdog-timeout", "0")), "n1", 5000));
        assertEquals(0, WatchdogFencing.timeoutMs(props(""), "n1", 5000));
        Cib ten = props(nv("stonith-watchdog-timeout", "10s"));
        assertNull(WatchdogFencing.problem(ten, "n1", 5000));
        assertEquals(10_000, WatchdogFencing.timeoutMs(ten, "n1", 5000));
        Cib five = props(nv("stonith-watchdog-timeout", "5s"));
        String p = WatchdogFencing.problem(five, "n1", 5000);
        assertTrue(p.contains("must be greater than the watchdog timeout of n1 (5000 ms)"), p);
        assertEquals(0, WatchdogFencing.timeoutMs(five, "n1", 5000), "a refused setting fences nothing");
        Cib negative = props(nv("stonith-watchdog-timeout", "-1"));
        assertNull(WatchdogFencing.problem(negative, "n1", 4000));
        assertEquals(8000, WatchdogFencing.timeoutMs(negative, "n1", 4000), "negative: twice the watchdog timeout");
        assertEquals(8000, WatchdogFencing.timeoutMs(props(nv("stonith-watchdog-timeout", "auto")), "n1", 4000),
                "not a duration: auto, as Pacemaker reads it");
        String none = WatchdogFencing.problem(ten, "n2", 0);
        assertTrue(none.contains("needs a watchdog on every node, and n2 has none"), none);
        assertEquals(10_000, WatchdogFencing.timeoutMs(props(nv("fencing-watchdog-timeout", "10s")), "n1", 5000),
                "Pacemaker 3's name");
        assertEquals(0, WatchdogFencing.timeoutMs(props(nv("stonith-watchdog-timeout", "10s")
                + nv("stonith-enabled", "false")), "n1", 5000), "fencing disabled");
    }

    static FencePlanner.Step step(Cib cib, String target, Instant now, WatchdogFencing.Wait w) {
        return FencePlanner.next(cib, FencePlannerTest.N1_N2, "n1", target, FencePlanner.Progress.fresh(),
                FencePlanner.Answers.none(), now, 20_000, w).step();
    }

    @Test
    void withoutADeviceTheTargetCountsFencedOnlyOnceTheTimeoutHasPassedSinceItWasLost() throws Exception {
        Cib cib = props(nv("stonith-watchdog-timeout", "10s"));
        WatchdogFencing.Wait w = new WatchdogFencing.Wait(10_000, LOST);
        FencePlanner.Step before = step(cib, "n3", LOST.plusMillis(9_999), w);
        FencePlanner.Step.WatchdogWait wait = assertInstanceOf(FencePlanner.Step.WatchdogWait.class, before);
        assertEquals(LOST.plusMillis(10_000), wait.readyAt());
        FencePlanner.Step.Fenced f = assertInstanceOf(FencePlanner.Step.Fenced.class, step(cib, "n3",
                LOST.plusMillis(10_000), w));
        assertEquals(java.util.List.of(WatchdogFencing.DEVICE), f.devices());
        assertInstanceOf(FencePlanner.Step.AttemptFailed.class, step(cib, "n3", LOST.plusSeconds(60),
                WatchdogFencing.Wait.OFF), "watchdog fencing off and no device: nothing can fence");
    }

    @Test
    void aRealDeviceComesFirstAndTheWatchdogAfterItFails() throws Exception {
        Cib cib = FencePlannerTest.cib(FencePlannerTest.perNode("n3"), "", "", nv("stonith-watchdog-timeout", "10s"));
        WatchdogFencing.Wait w = new WatchdogFencing.Wait(10_000, LOST);
        assertEquals("run fence-n3 on n1 level 0", FencePlannerTest.describe(step(cib, "n3", FencePlannerTest.NOW, w)));
        FencePlanner.Progress failed = FencePlanner.failed(FencePlanner.failed(FencePlanner.Progress.fresh(), "fence-n3",
                "n1", "rc 1"), "fence-n3", "n2", "rc 1");
        FencePlanner.Step after = FencePlanner.next(cib, FencePlannerTest.N1_N2, "n1", "n3", failed,
                FencePlanner.Answers.none(), LOST.plusSeconds(11), 20_000, w).step();
        assertInstanceOf(FencePlanner.Step.Fenced.class, after, "the device failed its tries: the watchdog fences");
    }

    @Test
    void aTopologyLevelMayNameTheWatchdog() throws Exception {
        Cib cib = FencePlannerTest.cib(FencePlannerTest.perNode("n3"), "",
                FencePlannerTest.level(1, "target=\"n3\"", "watchdog"), nv("stonith-watchdog-timeout", "10s"));
        WatchdogFencing.Wait w = new WatchdogFencing.Wait(10_000, LOST);
        assertInstanceOf(FencePlanner.Step.WatchdogWait.class, step(cib, "n3", LOST.plusSeconds(1), w),
                "level 1 is the watchdog alone: fence-n3 is not used");
        assertInstanceOf(FencePlanner.Step.Fenced.class, step(cib, "n3", LOST.plusSeconds(10), w));
    }

    @Test
    void theDcRecordsHaveWatchdogOnlyWhenItChanges() throws Exception {
        Cib cib = props("");
        assertTrue(Cibs.withHaveWatchdog(cib.root(), false) == cib.root(), "absent and false: no change, no epoch");
        var on = Cibs.withHaveWatchdog(cib.root(), true);
        assertEquals("true", Cibs.property(Cib.of(on), "have-watchdog", null));
        assertTrue(Cibs.withHaveWatchdog(on, true) == on);
        assertEquals("false", Cibs.property(Cib.of(Cibs.withHaveWatchdog(on, false)), "have-watchdog", null));
    }
}
