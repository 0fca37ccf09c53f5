package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimingTest {
    @Test
    void defaultsAreMoreConservativeThanTheMeasuredSafeSetting() {
        Timing t = Timing.defaults();
        assertEquals(500, t.failureDetectionMs());
        // figures.md: FD_ALL3 200/50 + VERIFY_SUSPECT2 50 ran 5 min without a false suspicion.
        assertTrue(t.heartbeatTimeoutMs() >= 200 * 3 / 2, "timeout " + t.heartbeatTimeoutMs());
        assertTrue(t.verifySuspectTimeoutMs() >= 50);
        assertEquals(320, t.heartbeatTimeoutMs());
        assertEquals(50, t.heartbeatIntervalMs());
        assertEquals(125, t.heartbeatFloorMs());
        // The adaptive timeout's ceiling (320) + a check (25) + verify (50) + the second opinion's longest wait (50).
        assertEquals(445, t.worstCaseSilentDetectionMs());
        // The floor (125) + a check (25) + verify (50) + PromptVerifySuspect's millisecond.
        assertEquals(201, t.quietSilentDetectionMs());
        assertEquals(500, t.mergeMinIntervalMs());
        assertEquals(2000, t.mergeMaxIntervalMs());
    }

    @Test
    void theWorstCaseNeverExceedsTheKnob() {
        for (long d = Timing.MIN_FAILURE_DETECTION_MS; d <= Timing.MAX_FAILURE_DETECTION_MS; d += 7) {
            Timing t = Timing.derive(d);
            assertTrue(t.worstCaseSilentDetectionMs() <= d + 1, d + " -> " + t);
            assertTrue(t.heartbeatIntervalMs() < t.heartbeatTimeoutMs());
            assertTrue(t.heartbeatFloorMs() >= Math.min(t.heartbeatTimeoutMs(), Timing.ABSOLUTE_FLOOR_MS), d + " -> " + t);
            assertTrue(t.heartbeatFloorMs() >= 2 * t.heartbeatIntervalMs() && t.heartbeatFloorMs() <= t.heartbeatTimeoutMs());
            assertTrue(t.joinTimeoutMs() >= 1000);
        }
    }

    @Test
    void outOfRangeKnobIsRefusedWithTheRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Timing.derive(50));
        assertTrue(e.getMessage().contains("100..60000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Timing.derive(60_001));
    }

    @Test
    void describeNamesTheSettingsAndTheDetectionTime() {
        String s = Timing.derive(1000).describe();
        System.out.println(s);
        assertTrue(s.contains("failure detection 1000 ms"));
        assertTrue(s.contains("890 ms at worst"), s);
        assertTrue(s.contains("heartbeats every 100 ms"), s);
        assertTrue(s.contains("silent for 250..640 ms"), s);
    }
}
