package org.pulse.messaging;

import java.util.List;
import java.util.Objects;

/**
 * A membership view as JGroups installed it, in node names.
 *
 * @param viewId    JGroups' view number, increasing within a partition (two partitions may use
 *                  the same number; {@code creator} tells them apart)
 * @param creator   the node that installed the view (the coordinator)
 * @param members   node names, oldest first: {@code members.get(0)} is the coordinator, and so
 *                  Pulse's DC. A view is not quorum: crmd counts votes against the configured nodes
 * @param merge     true when this view merged partitions
 * @param subgroups for a merge view, the member lists of the partitions that merged (each oldest
 *                  first); empty otherwise
 */
public record ClusterView(long viewId, String creator, List<String> members, boolean merge, List<List<String>> subgroups) {
    public ClusterView {
        Objects.requireNonNull(creator, "creator");
        members = List.copyOf(members);
        subgroups = subgroups.stream().map(List::copyOf).toList();
        if (!merge && !subgroups.isEmpty()) {
            throw new IllegalArgumentException("only a merge view has subgroups");
        }
    }

    /** The coordinator, which Pulse makes the DC. */
    public String coordinator() {
        return members.get(0);
    }

    public boolean contains(String nodeName) {
        return members.contains(nodeName);
    }

    public int size() {
        return members.size();
    }

    @Override
    public String toString() {
        return (merge ? "MergeView" : "View") + "[" + creator + "|" + viewId + "] " + members
                + (merge ? " subgroups " + subgroups : "");
    }
}
