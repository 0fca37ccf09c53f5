package org.pulse.lrm.remote;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.OperationResult;

/**
 * What may still run on a remote node, read from its executor's own history: what a clean stop of
 * pulse-remoted waits for the cluster to stop. A resource counts as active when its latest one-shot
 * operation left it running (a start, promote, demote, migration or reload that succeeded, a probe that found it
 * running) or may have (a start or stop that failed or timed out: the cluster still has to stop it), and while an
 * operation the cluster asked for has not reported yet. Pure: the history and the call ids asked for in, the
 * resources still active out.
 */
final class RemoteActivity {
    private RemoteActivity() {
    }

    /**
     * @param history       every resource's latest result per operation (Lrm.history)
     * @param lastRequested per resource, the call id of the latest one-shot operation the cluster asked for
     */
    static List<String> stillActive(Map<String, List<OperationResult>> history, Map<String, Integer> lastRequested) {
        Set<String> names = new java.util.TreeSet<>(history.keySet());
        names.addAll(lastRequested.keySet());
        List<String> out = new ArrayList<>();
        for (String rsc : names) {
            OperationResult latest = null;
            for (OperationResult r : history.getOrDefault(rsc, List.of())) {
                if (r.intervalMs() == 0 && (latest == null || r.callId() > latest.callId())) {
                    latest = r;
                }
            }
            int requested = lastRequested.getOrDefault(rsc, 0);
            if ((latest == null ? 0 : latest.callId()) < requested || (latest != null && leavesActive(latest))) {
                out.add(rsc);
            }
        }
        return out;
    }

    /** Whether the resource may run after this one-shot result. */
    static boolean leavesActive(OperationResult r) {
        boolean ok = r.execStatus() == ExecStatus.DONE && r.rcCode() == 0;
        return switch (r.action()) {
            case "stop" -> !ok;
            // a probe: running (0), running promoted (8), failed (1, 9 and the like) all need a stop; 7 does not
            case "monitor" -> r.execStatus() != ExecStatus.DONE || r.rcCode() != 7;
            case "meta-data", "validate-all" -> false;
            // start, promote, demote, migrate_to (the source runs it until its stop), migrate_from, reload, notify
            default -> true;
        };
    }
}
