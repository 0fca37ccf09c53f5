package org.pulse.crmd.runtime;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.pulse.cib.Cib;
import org.pulse.cib.model.EffectivePrimitive;
import org.pulse.crmd.controller.FenceEvent;
import org.pulse.crmd.controller.StatusReport;

/** The human-readable status a node gives on its admin socket (crm status renders its own from the CIB). */
final class StatusText {
    private StatusText() {
    }

    static String render(StatusReport s, Cib cib) {
        StringBuilder b = new StringBuilder();
        b.append("Node ").append(s.node()).append(": view ").append(s.viewId()).append(' ').append(s.members())
                .append('\n');
        b.append("DC: ").append(s.dc() == null ? "none" : s.dc()).append(" (")
                .append(s.quorate() == null ? "quorum unknown" : s.quorate() ? "partition with quorum"
                        : "partition WITHOUT quorum")
                .append(", ").append(s.members().size()).append(" of ").append(s.expectedVotes()).append(" votes)\n");
        b.append("Quorum: ").append(s.quorumReason()).append('\n');
        if (s.waitingForAll()) {
            b.append("wait_for_all: this node has not yet seen every node as a member together since it started\n");
        }
        b.append("CIB: ").append(s.cibVersion()).append(s.joined() ? "" : " (not joined to the DC yet)").append('\n');
        b.append("Transition: ").append(s.transition()).append('\n');
        Map<String, String> placement = new TreeMap<>();
        for (String id : EffectivePrimitive.all(cib.model(), cib.model().executionDate()).keySet()) {
            Set<String> on = cib.statusView().runningOn(id);
            placement.put(id, on.isEmpty() ? "Stopped" : "Started " + String.join(", ", on));
        }
        b.append("Resources:\n");
        placement.forEach((rsc, where) -> b.append("  ").append(rsc).append(": ").append(where)
                .append(s.blocked().containsKey(rsc) ? " (blocked: " + s.blocked().get(rsc) + ")" : "").append('\n'));
        if (!s.pendingFencing().isEmpty()) {
            b.append("Fencing pending: ").append(s.pendingFencing()).append('\n');
        }
        s.fencingGivenUp().forEach((node, why) -> b.append("Fencing of ").append(node).append(" stopped: ")
                .append(why).append('\n'));
        if (!s.fenceHistory().isEmpty()) {
            b.append("Fencing history (newest last):\n");
            for (FenceEvent e : s.fenceHistory()) {
                b.append("  ").append(java.time.Instant.ofEpochMilli(e.atEpochMs())).append(' ').append(e.action())
                        .append(" of ").append(e.target()).append(": ").append(e.result());
                if (!e.device().isEmpty()) {
                    b.append(" (").append(e.device()).append(" on ").append(e.executor())
                            .append(e.level() > 0 ? ", level " + e.level() : "").append(')');
                } else if (!e.executor().isEmpty()) {
                    b.append(" (by ").append(e.executor()).append(')');
                }
                b.append(e.detail().isEmpty() ? "" : ": " + e.detail()).append('\n');
            }
        }
        return b.toString();
    }

    /**
     * The fence history for the admin answer: one event a line, newest last, fields separated by tabs:
     * completed (ISO 8601), target, action, result, device, executor, level, detail (tabs and line
     * breaks in it become spaces). crm status parses this.
     */
    static String fenceHistoryLines(List<FenceEvent> events) {
        StringBuilder b = new StringBuilder();
        for (FenceEvent e : events) {
            b.append(java.time.Instant.ofEpochMilli(e.atEpochMs())).append('\t').append(e.target()).append('\t')
                    .append(e.action()).append('\t').append(e.result()).append('\t').append(e.device()).append('\t')
                    .append(e.executor()).append('\t').append(e.level()).append('\t')
                    .append(e.detail().replaceAll("[\t\r\n]+", " ")).append('\n');
        }
        return b.toString().strip();
    }
}
