package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
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

    /** Pacemaker's stonith:fence_watchdog resource: its pcmk_host_list names the nodes that use watchdog fencing. */
    static String fenceWatchdog(String id, String hostList) {
        return "<primitive id=\"" + id + "\" class=\"stonith\" type=\"fence_watchdog\"><instance_attributes id=\"" + id
                + "-ia\"><nvpair id=\"" + id + "-hl\" name=\"pcmk_host_list\" value=\"" + hostList + "\"/>"
                + "</instance_attributes></primitive>";
    }

    @Test
    void aFenceWatchdogHostListSaysWhichNodesTheWatchdogMayFence() throws Exception {
        Cib cib = FencePlannerTest.cib(fenceWatchdog("watchdog", "n2 n3"), "", "", nv("stonith-watchdog-timeout", "10s"));
        WatchdogFencing.Wait w = new WatchdogFencing.Wait(10_000, LOST);
        assertTrue(WatchdogFencing.covers(cib, "n3"));
        assertFalse(WatchdogFencing.covers(cib, "n1"));
        assertInstanceOf(FencePlanner.Step.WatchdogWait.class, step(cib, "n3", LOST.plusSeconds(1), w),
                "listed: the watchdog fences it, never by running fence_watchdog");
        assertInstanceOf(FencePlanner.Step.Fenced.class, step(cib, "n3", LOST.plusSeconds(10), w));
        FencePlanner.Decision d = FencePlanner.next(cib, new View("v3", List.of("n2", "n3")), "n2", "n1",
                FencePlanner.Progress.fresh(), FencePlanner.Answers.none(), LOST.plusSeconds(60), 20_000, w);
        assertInstanceOf(FencePlanner.Step.AttemptFailed.class, d.step(), "not listed: the watchdog may not fence n1");
        assertTrue(String.join("; ", d.notes()).contains("n1 does not use watchdog fencing: it is not in the host list"
                + " of the fence_watchdog device watchdog (pcmk_host_list=n2,n3)"), String.join("; ", d.notes()));
        // With a real device for n1 beside it, that device fences n1 and the watchdog the others.
        Cib mixed = FencePlannerTest.cib(fenceWatchdog("watchdog", "n2 n3") + FencePlannerTest.perNode("n1"), "", "",
                nv("stonith-watchdog-timeout", "10s"));
        assertEquals("run fence-n1 on n2 level 0", FencePlannerTest.describe(FencePlanner.next(mixed,
                new View("v3", List.of("n2", "n3")), "n2", "n1", FencePlanner.Progress.fresh(),
                FencePlanner.Answers.none(), LOST.plusSeconds(60), 20_000, w).step()));
        // In a topology level too.
        Cib level = FencePlannerTest.cib(fenceWatchdog("wd", "n3"), "", FencePlannerTest.level(1, "target-pattern=\"n.*\"",
                "wd"), nv("stonith-watchdog-timeout", "10s"));
        assertInstanceOf(FencePlanner.Step.Fenced.class, step(level, "n3", LOST.plusSeconds(10), w));
        assertInstanceOf(FencePlanner.Step.AttemptFailed.class, FencePlanner.next(level, new View("v3",
                List.of("n2", "n3")), "n2", "n1", FencePlanner.Progress.fresh(), FencePlanner.Answers.none(),
                LOST.plusSeconds(60), 20_000, w).step());
        // Without a host list, every node uses it.
        Cib all = FencePlannerTest.cib(fenceWatchdog("watchdog", ""), "", "", nv("stonith-watchdog-timeout", "10s"));
        assertTrue(WatchdogFencing.covers(all, "n1"));
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
