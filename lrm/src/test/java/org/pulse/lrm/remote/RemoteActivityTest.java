package org.pulse.lrm.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.OperationResult;

/** What a clean stop of pulse-remoted waits for, read from its executor's history (RemoteActivity). */
class RemoteActivityTest {
    static OperationResult result(String rsc, String action, long intervalMs, int call, int rc, ExecStatus status) {
        Instant t = Instant.parse("2026-12-07T00:00:00Z");
        return new OperationResult(rsc, AgentRef.ocf("test", "t"), action, intervalMs, call, rc, status, 0, "", t, t, 1, 0,
                null, null, "remote1", "", "", 0, 0);
    }

    @Test
    void startedFailedOrAskedForIsActiveStoppedOrNotRunningIsNot() {
        Map<String, List<OperationResult>> history = Map.of(
                "started", List.of(result("started", "start", 0, 1, 0, ExecStatus.DONE),
                        result("started", "monitor", 10_000, 2, 0, ExecStatus.DONE)),
                "stopped", List.of(result("stopped", "start", 0, 3, 0, ExecStatus.DONE),
                        result("stopped", "stop", 0, 4, 0, ExecStatus.DONE)),
                "stopFailed", List.of(result("stopFailed", "stop", 0, 5, 1, ExecStatus.DONE)),
                "startTimedOut", List.of(result("startTimedOut", "start", 0, 6, 1, ExecStatus.TIMED_OUT)),
                "probedAbsent", List.of(result("probedAbsent", "monitor", 0, 7, 7, ExecStatus.DONE)),
                "probedRunning", List.of(result("probedRunning", "monitor", 0, 8, 0, ExecStatus.DONE)),
                "stopInFlight", List.of(result("stopInFlight", "start", 0, 9, 0, ExecStatus.DONE)));
        // stopInFlight: its stop (call 12) was asked for and has not reported; stopped's stop (4) has
        List<String> active = RemoteActivity.stillActive(history, Map.of("stopInFlight", 12, "stopped", 4,
                "neverRun", 13));
        assertEquals(List.of("neverRun", "probedRunning", "startTimedOut", "started", "stopFailed", "stopInFlight"), active);
    }
}
