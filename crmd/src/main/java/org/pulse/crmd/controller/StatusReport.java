package org.pulse.crmd.controller;

import java.util.List;
import java.util.Map;
import org.pulse.cib.CibVersion;

/**
 * A node's view of the cluster for {@code crm status}: membership, DC, quorum, what the DC is
 * doing, and why resources are held back. {@code quorate} is null when this node does not know
 * (no DC confirmed yet). {@code quorumReason} says why, in words (votes, two_node, the tie-breaker,
 * or what wait_for_all still waits for); {@code waitingForAll} is true while this node's wait_for_all
 * has not seen every node together yet. {@code fenceHistory}: the DC's fence history (newest last);
 * {@code fencingGivenUp}: nodes whose fencing stopped at stonith-max-attempts, with why (DC only).
 * Resource placement is read from the CIB's status by the client.
 */
public record StatusReport(String node, String viewId, List<String> members, String dc, boolean joined,
        Boolean quorate, int expectedVotes, CibVersion cibVersion, String transition,
        Map<String, String> blocked, List<String> pendingFencing, String quorumReason, boolean waitingForAll,
        List<FenceEvent> fenceHistory, Map<String, String> fencingGivenUp) {
    public StatusReport {
        members = members == null ? List.of() : List.copyOf(members);
        blocked = Map.copyOf(blocked);
        pendingFencing = List.copyOf(pendingFencing);
        fenceHistory = fenceHistory == null ? List.of() : List.copyOf(fenceHistory);
        fencingGivenUp = fencingGivenUp == null ? Map.of() : Map.copyOf(fencingGivenUp);
    }

    /** Without fence history (a node that knows none). */
    public StatusReport(String node, String viewId, List<String> members, String dc, boolean joined,
            Boolean quorate, int expectedVotes, CibVersion cibVersion, String transition,
            Map<String, String> blocked, List<String> pendingFencing, String quorumReason, boolean waitingForAll) {
        this(node, viewId, members, dc, joined, quorate, expectedVotes, cibVersion, transition, blocked,
                pendingFencing, quorumReason, waitingForAll, List.of(), Map.of());
    }
}
