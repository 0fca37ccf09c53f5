package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FenceDelayTest {
    static long delay(Map<String, String> params, String action, String target, long seed) {
        return FenceDelay.of(params, action, target, new SplittableRandom(seed)).delayMs();
    }

    @Test
    void aPerTargetBaseDelaysOnlyThatTarget() {
        Map<String, String> p = Map.of("pcmk_delay_base", "node1:5s;node2:0s");
        assertEquals(5000, delay(p, "reboot", "node1", 1));
        assertEquals(0, delay(p, "reboot", "node2", 1));
        assertEquals(0, delay(p, "reboot", "node3", 1), "a target the map does not name waits nothing");
        assertEquals(2500, delay(Map.of("pcmk_delay_base", " node1:2500ms node2:1s"), "off", "node1", 1),
                "spaces separate too; ms works");
    }

    @Test
    void aSingleBaseDelaysEveryTarget() {
        assertEquals(3000, delay(Map.of("pcmk_delay_base", "3"), "reboot", "x", 1), "a bare number is seconds");
    }

    @Test
    void onlyOffAndRebootWait() {
        assertEquals(0, delay(Map.of("pcmk_delay_base", "5s"), "monitor", "x", 1));
        assertEquals(0, delay(Map.of("pcmk_delay_base", "5s"), "on", "x", 1));
    }

    @Test
    void theRandomPartStaysBetweenBaseAndMaxAndFollowsTheSeed() {
        Map<String, String> p = Map.of("pcmk_delay_base", "2s", "pcmk_delay_max", "4s");
        java.util.Set<Long> seen = new java.util.TreeSet<>();
        for (long seed = 0; seed < 200; seed++) {
            long d = delay(p, "reboot", "n", seed);
            assertTrue(d >= 2000 && d <= 4000, "seed " + seed + ": " + d);
            assertEquals(d, delay(p, "reboot", "n", seed), "seed " + seed + " is not replayable");
            seen.add(d);
        }
        assertTrue(seen.size() > 50, "too few distinct delays: " + seen.size());
        long maxOnly = delay(Map.of("pcmk_delay_max", "1s"), "off", "n", 42);
        assertTrue(maxOnly >= 0 && maxOnly <= 1000, String.valueOf(maxOnly));
    }

    @Test
    void aBaseAboveTheMaxIsLimitedToTheMax() {
        FenceDelay.Delay d = FenceDelay.of(Map.of("pcmk_delay_base", "9s", "pcmk_delay_max", "3s"), "reboot", "n",
                new SplittableRandom(1));
        assertEquals(3000, d.delayMs());
        assertTrue(d.explanation().contains("larger than pcmk_delay_max"), d.explanation());
    }

    @Test
    void badValuesAreExplainedAndDelayNothing() {
        FenceDelay.Delay d = FenceDelay.of(Map.of("pcmk_delay_base", "node1;node2:soon"), "reboot", "node2",
                new SplittableRandom(1));
        assertEquals(0, d.delayMs());
        assertTrue(d.explanation().contains("malformed entry 'node1'") && d.explanation().contains("'soon'"),
                d.explanation());
    }
}
