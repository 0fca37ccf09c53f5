package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.lab.failover.OutagePhases;

/** bench/failover's phase table: each phase of an outage found in the survivors' logs, in ms after the cut. */
class OutagePhasesTest {
    private static final LocalDate DAY = LocalDate.of(2026, 12, 7);

    private static long epoch(String time) {
        return LocalTime.parse(time).atDate(DAY).toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    // A trial of the VIP alone as the lab logged it (n2, holding the VIP, cut at 11:20:02.300; n1 the DC), with a
    // line from before the cut and one about another node that must not count.
    static final List<String> N1 = List.of(
            "11:20:01.000 [INFO] crmd@n1 - transition 9 (policy-engine): [#0 fence n3 (off) on n1]",
            "11:20:02.760 [INFO] org.pulse.messaging.SuspicionGuard@n1 - n1: holding back the suspicion of n2: silent 402 ms",
            "11:20:02.859 [INFO] org.pulse.messaging.SuspicionGuard@n1 - n1: suspecting n2: not heard for 501 ms",
            "11:20:02.861 [INFO] crmd@n1 - suspected: [n2]",
            "11:20:02.879 [INFO] crmd@n1 - view n1.1796642390667922:3: members [n1, n3], DC n1, joined [], left [n2]",
            "11:20:02.894 [INFO] crmd@n1 - view n1.1796642390667922:3: [n1, n3] (was [n2, n1, n3]), DC n1",
            "11:20:02.996 [INFO] crmd@n1 - join of view n1.1796642390667922:3 complete: 2 of 3 votes (quorate), CIB 0.5.12",
            "11:20:03.002 [INFO] crmd@n1 - transition 1 (fencing): [#0 fence n2 (off, device chosen by the fencer) on n1]",
            "11:20:03.153 [INFO] org.pulse.lrm.Lrm@n1 - n1: fence-sim_list_0 call 4: rc 0 (ok) done in 147 ms",
            "11:20:03.655 [INFO] org.pulse.lrm.Lrm@n1 - n1: fence-sim_off_0 call 5: rc 0 (ok) done in 495 ms",
            "11:20:03.674 [INFO] crmd@n1 - fenced n2 with fence-sim",
            "11:20:03.677 [INFO] crmd@n1 - transition 2 (policy-engine): [#0 vip_start_0 on n3, #1 vip_monitor_1000 on n3 after [0]]");
    static final List<String> N3 = List.of(
            "11:20:02.896 [INFO] crmd@n3 - view n1.1796642390667922:3: members [n1, n3], DC n1, joined [], left [n2]",
            "WARNING: Using incubator modules: jdk.incubator.foreign",
            "11:20:03.995 [INFO] org.pulse.lrm.Lrm@n3 - n3: vip_start_0 call 3: rc 0 (ok) done in 299 ms",
            "11:20:04.279 [INFO] org.pulse.lrm.Lrm@n3 - n3: vip_monitor_1000 call 4: rc 0 (ok) done in 260 ms");
    // What the victim logged after the cut never reached anyone: ignored.
    static final List<String> N2 = List.of("11:20:02.500 [INFO] crmd@n2 - view x: members [n2], DC n2, joined [], left [n1, n3]");

    @Test
    void everyPhaseOfAVipFailoverIsFoundInTheSurvivorsLogs() {
        long cut = epoch("11:20:02.300");
        OutagePhases.Phases p = OutagePhases.read(Map.of("n1", N1, "n2", N2, "n3", N3), "n2", cut, cut + 10_000,
                epoch("11:20:04.010"), ZoneOffset.UTC);
        assertEquals(460, p.suspectMs(), "the first suspicion, even one held back");
        assertEquals(579, p.viewMs(), "the first view without n2 (n1's)");
        assertEquals(696, p.joinMs());
        assertEquals(702, p.fencePlanMs());
        assertEquals(706, p.fenceBeganMs(), "the list query began 147 ms before its line");
        assertEquals(1355, p.fenceEndedMs(), "off's end, not list's");
        assertEquals(1374, p.fencedMs());
        assertEquals(1377, p.recoveryPlanMs());
        assertEquals(List.of(new OutagePhases.Start("vip", "n3", 1396, 1695)), p.starts(), "starts only, no monitor");
        assertEquals(1710, p.servedMs());
        long[] parts = p.parts();
        assertEquals(List.of(579L, 127L, 668L, 22L, 299L, 15L), List.of(parts[0], parts[1], parts[2], parts[3], parts[4],
                parts[5]));
        String fields = OutagePhases.summaryFields("group_", List.of(p));
        assertTrue(fields.contains(" group_phase_fence_ms=668"), fields);
    }

    @Test
    void aPhaseNotInTheLogsIsMinusOneAndEventsOutsideTheWindowDoNotCount() {
        long cut = epoch("11:20:02.300");
        // The window ends before the fence: the fence, the recovery and the starts belong to no trial here.
        OutagePhases.Phases p = OutagePhases.read(Map.of("n1", N1, "n3", N3), "n2", cut, epoch("11:20:03.000"), -1,
                ZoneOffset.UTC);
        assertEquals(579, p.viewMs());
        assertEquals(-1, p.fencedMs());
        assertEquals(-1, p.fenceBeganMs());
        assertTrue(p.starts().isEmpty());
        assertEquals(-1, p.parts()[5]);
        assertTrue(OutagePhases.table("(a)", List.of(p)).get(2).contains("  -1"), "missing phases print as -1");
    }

    @Test
    void aLogTimeJustAfterMidnightBelongsToTheNextDay() {
        long cut = epoch("23:59:59.900");
        OutagePhases.Phases p = OutagePhases.read(Map.of("n1", List.of(
                "00:00:00.100 [INFO] crmd@n1 - view v: members [n1, n3], DC n1, joined [], left [n2]")), "n2", cut,
                cut + 10_000, -1, ZoneOffset.UTC);
        assertEquals(200, p.viewMs());
    }
}
