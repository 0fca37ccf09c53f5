package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.pulse.crmd.controller.FenceEvent;
import org.pulse.policy.Placement;

class ObservationsTest {
    private static final long START_MS = 1_000_000;

    private static String text(Observations o) {
        StringBuilder b = new StringBuilder();
        o.render(b);
        return b.toString();
    }

    @Test
    void histogramsCountIntoCumulativeBucketsWithSumAndCount() {
        Observations o = new Observations(START_MS, () -> 0);
        o.operation("ocf:pulse:Dummy", "start", 40);
        o.operation("ocf:pulse:Dummy", "start", 300);
        o.operation("ocf:pulse:Dummy", "monitor", 3);
        String t = text(o);
        String start = "pulse_operation_duration_seconds_bucket{agent=\"ocf:pulse:Dummy\",operation=\"start\",";
        assertTrue(t.contains(start + "le=\"0.025\"} 0\n"), t);
        assertTrue(t.contains(start + "le=\"0.05\"} 1\n"), t);
        assertTrue(t.contains(start + "le=\"0.5\"} 2\n"), t);
        assertTrue(t.contains(start + "le=\"+Inf\"} 2\n"), t);
        assertTrue(t.contains("pulse_operation_duration_seconds_count{agent=\"ocf:pulse:Dummy\",operation=\"start\"} 2\n"), t);
        String sum = Observations.samples(t, "pulse_operation_duration_seconds_sum{agent=\"ocf:pulse:Dummy\",operation=\"start\"}")
                .get(0).split(" ")[1];
        assertEquals(0.34, Double.parseDouble(sum), 1e-9, t);
        assertTrue(t.contains("pulse_operation_duration_seconds_count{agent=\"ocf:pulse:Dummy\",operation=\"monitor\"} 1\n"), t);
        // Unlabelled histograms exist from the start, at 0.
        assertTrue(t.contains("pulse_failover_duration_seconds_count 0\n"), t);
        o.failover(12_500);
        o.transitionEnded(7, 800, false);
        o.fencing("ipmi-n1", 2_000);
        t = text(o);
        assertTrue(t.contains("pulse_failover_duration_seconds_bucket{le=\"10\"} 0\n"), t);
        assertTrue(t.contains("pulse_failover_duration_seconds_bucket{le=\"15\"} 1\n"), t);
        assertTrue(t.contains("pulse_failover_duration_seconds_count 1\n"), t);
        assertTrue(t.contains("pulse_transition_actions_bucket{le=\"10\"} 1\n"), t);
        assertTrue(t.contains("pulse_transition_actions_bucket{le=\"5\"} 0\n"), t);
        assertTrue(t.contains("pulse_transition_duration_seconds_sum 0.8\n"), t);
        assertTrue(t.contains("pulse_transitions_incomplete_total 1\n"), t);
        assertTrue(t.contains("pulse_fencing_duration_seconds_bucket{device=\"ipmi-n1\",le=\"2.5\"} 1\n"), t);
    }

    @Test
    void messagesByKindAreOneSampleEachWithDirectionAndKindLabels() {
        Observations o = new Observations(START_MS, () -> 0, () -> 0, () -> 0, () -> 0, () -> 0,
                () -> java.util.Map.of("in heartbeat", 120L, "out GMS.JOIN_REQ", 1L, "in crmd a\"b", 3L));
        String t = text(o);
        assertTrue(t.contains("# TYPE pulse_messages_by_kind_total counter\n"), t);
        assertTrue(t.contains("pulse_messages_by_kind_total{dir=\"in\",kind=\"heartbeat\"} 120\n"), t);
        assertTrue(t.contains("pulse_messages_by_kind_total{dir=\"out\",kind=\"GMS.JOIN_REQ\"} 1\n"), t);
        assertTrue(t.contains("pulse_messages_by_kind_total{dir=\"in\",kind=\"crmd a\\\"b\"} 3\n"), "escaped:\n" + t);
    }

    @Test
    void aNewFirstMemberIsAnElectionAndEveryViewAChange() {
        Observations o = new Observations(START_MS, () -> 0);
        o.view(List.of("n1", "n2", "n3"));
        o.view(List.of("n1", "n2"));
        o.view(List.of("n2"));
        o.view(List.of("n2", "n1"));
        o.suspected(2);
        String t = text(o);
        assertTrue(t.contains("pulse_view_changes_total 4\n"), t);
        assertTrue(t.contains("pulse_dc_elections_total 2\n"), "n1, then n2:\n" + t);
        assertTrue(t.contains("pulse_suspicions_total 2\n"), t);
    }

    @Test
    void fenceAttemptsAreCountedOnceEachByResultAndNotFromBeforeTheStart() {
        AtomicLong refused = new AtomicLong(3);
        Observations o = new Observations(START_MS, refused::get);
        FenceEvent old = new FenceEvent("n3", "n1", "sim", 0, "off", FenceEvent.SUCCESS, START_MS - 1, "");
        FenceEvent failed = new FenceEvent("n3", "n1", "sim", 1, "off", FenceEvent.TIMED_OUT, START_MS + 5, "");
        FenceEvent ok = new FenceEvent("n3", "n2", "sim", 1, "off", FenceEvent.SUCCESS, START_MS + 9, "");
        o.fenceHistory(List.of(old, failed));
        o.fenceHistory(List.of(old, failed, ok));
        o.fenceHistory(List.of(failed, ok)); // the oldest dropped from the bounded history
        refused.set(7);
        String t = text(o);
        assertTrue(t.contains("pulse_fence_attempts_total{result=\"success\"} 1\n"), t);
        assertTrue(t.contains("pulse_fence_attempts_total{result=\"timed_out\"} 1\n"), t);
        assertTrue(t.contains("pulse_fence_attempts_total{result=\"gave_up\"} 0\n"), t);
        assertTrue(t.contains("pulse_messages_refused_total 7\n"), t);
    }

    @Test
    void transportMessageCountsAreCounters() {
        AtomicLong received = new AtomicLong(11);
        Observations o = new Observations(START_MS, () -> 0, received::get, () -> 5, () -> 7, () -> 2);
        received.set(40);
        String t = text(o);
        assertTrue(t.contains("# TYPE pulse_messages_received_total counter\n"), t);
        assertTrue(t.contains("pulse_messages_received_total 40\n"), t);
        assertTrue(t.contains("pulse_messages_sent_total 5\n"), t);
        assertTrue(t.contains("pulse_messages_multicast_fanouts_total 7\n"), t);
        assertTrue(t.contains("# TYPE pulse_messages_out_of_order_dropped_total counter\n"), t);
        assertTrue(t.contains("pulse_messages_out_of_order_dropped_total 2\n"), t);
    }

    @Test
    void aFailoverEndsWhenEveryResourceOfTheLostNodeIsActiveElsewhere() {
        FailoverWatch w = new FailoverWatch();
        Instant lost = Instant.parse("2026-12-06T10:00:00Z");
        List<Placement> before = List.of(p("vip", "n1"), p("web", "n1"), p("db", "n2"), p("clone:0", "n1"));
        w.nodeLost("n1", lost, before);
        assertTrue(w.watching());
        assertEquals(List.of(), w.placed(List.of(p("vip", "n1"), p("web", "n1"), p("db", "n2")), lost.plusSeconds(1)),
                "not fenced yet");
        assertEquals(List.of(), w.placed(List.of(p("vip", "n2"), p("web"), p("db", "n2")), lost.plusSeconds(4)),
                "web not started yet");
        assertEquals(List.of(6_000L), w.placed(List.of(p("vip", "n2"), p("web", "n3"), p("db", "n2"), p("clone:0")),
                lost.plusSeconds(6)), "the clone instance has nowhere to go and is not waited for");
        assertTrue(!w.watching());
    }

    @Test
    void aNodeThatComesBackOrNeverRecoversEndsTheWatchWithoutAFigure() {
        FailoverWatch w = new FailoverWatch();
        Instant lost = Instant.parse("2026-12-06T10:00:00Z");
        w.nodeLost("n1", lost, List.of(p("vip", "n1")));
        w.nodeBack("n1");
        assertTrue(!w.watching());
        w.nodeLost("n2", lost, List.of(p("vip", "n2")));
        w.nodeLost("n3", lost, List.of(p("db", "n2")));
        assertEquals(List.of(), w.placed(List.of(p("vip")), lost.plus(FailoverWatch.GIVE_UP).plusSeconds(1)));
        assertTrue(!w.watching(), "given up after " + FailoverWatch.GIVE_UP);
    }

    private static Placement p(String rsc, String... nodes) {
        return new Placement(rsc, List.of(nodes), nodes.length == 0 ? "Stopped" : "Started", false, false, false, false);
    }
}
