package org.pulse.crmd.controller;

import java.util.List;
import java.util.Objects;

/**
 * A membership view as the messaging layer installed it: an id that differs between views
 * (two partitions never share one) and the members, oldest first. The DC of a partition is the
 * first member (DESIGN.md §4); a view is not quorum — the DC confirms that by a join round.
 */
public record View(String id, List<String> members) {
    public View {
        Objects.requireNonNull(id, "id");
        members = List.copyOf(members);
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a view has at least one member: " + id);
        }
    }

    public String dc() {
        return members.get(0);
    }

    public boolean contains(String node) {
        return members.contains(node);
    }
}
