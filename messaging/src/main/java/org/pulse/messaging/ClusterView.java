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
 * @param creatorIncarnation the creator's incarnation (its start number, persisted and growing at
 *                  every start): with it, {@link #id()} never repeats, also after every node restarted
 */
public record ClusterView(long viewId, String creator, List<String> members, boolean merge, List<List<String>> subgroups,
        long creatorIncarnation) {
    /** A view whose creator's incarnation is not known (tests, tools): {@link #id()} may then repeat. */
    public ClusterView(long viewId, String creator, List<String> members, boolean merge, List<List<String>> subgroups) {
        this(viewId, creator, members, merge, subgroups, 0);
    }

    public ClusterView {
        Objects.requireNonNull(creator, "creator");
        members = List.copyOf(members);
        subgroups = subgroups.stream().map(List::copyOf).toList();
        if (!merge && !subgroups.isEmpty()) {
            throw new IllegalArgumentException("only a merge view has subgroups");
        }
    }

    /**
     * A name for this view that no other view of the cluster has, before or after any restart:
     * {@code creator.creatorIncarnation:viewId}. JGroups' own view id ({@code creator|viewId})
     * starts again at 1 whenever its creator restarts, so a message tagged with a view of an earlier
     * start could be taken for one of the current view; with the incarnation it cannot.
     */
    public String id() {
        return creator + "." + creatorIncarnation + ":" + viewId;
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
        return (merge ? "MergeView" : "View") + "[" + creator + "." + creatorIncarnation + "|" + viewId + "] " + members
                + (merge ? " subgroups " + subgroups : "");
    }
}
