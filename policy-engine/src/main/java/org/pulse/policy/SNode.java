package org.pulse.policy;

import java.util.Map;

/**
 * A node as the scheduler sees it after unpacking. Mutable, because several stages write it in
 * turn: the nodes stage (NodeUnpack: membership, standby, maintenance, attributes), the
 * resources stage (ResourceUnpack: a remote node's connection, unseen and unclean), the history
 * stage (Unpack/HistoryUnpack: remote nodes up or down, unclean when fencing must deal with what
 * failed there, standby after on-fail=standby) and Tickets (loss-policy=fence), all within
 * {@link Unpack#run}. After that, one
 * writer is left: RemoteNodes sets a remote node's online, unclean and shutdown flags once its
 * connection is placed ({@link RemoteNodes#connectionAssigned} during assignment,
 * {@link RemoteNodes#unrecoverableConnections} as fencing starts), because every later reader
 * asks the node itself ({@link #canHost} and the rest). What assignment counts per node (resources
 * placed, capacity used) is Assignment's own work state, not the node's.
 */
final class SNode {
    final String id;
    final String name;
    final int index;
    final Map<String, String> attributes;
    final int baseScore;
    final Map<String, Integer> capacity;
    boolean online;
    boolean unclean;
    boolean standby;
    boolean pending;
    boolean maintenance;
    /** Its own maintenance attribute (the cluster's maintenance-mode sets maintenance but not this). */
    boolean maintenanceAttribute;
    boolean shutdown;
    boolean isDc;
    boolean expectedUp;
    boolean hasState;
    String uncleanReason;
    /**
     * Made unclean by a decision (a lost ticket's loss-policy=fence), not by its state: the
     * status shown before and, unless fenced, after the transition is its unpacked one.
     */
    boolean uncleanForDecision;
    /** Position in the node list sorted by name (natural order): the last tie-breaker. */
    int rank;
    /** Whether any fail-count-* attribute exists here (most nodes have none; skip the scan). */
    boolean hasFailCounts;
    /** fail-count-* attributes by resource (see FailCounts.index). */
    Map<String, java.util.List<String[]>> failCounts = Map.of();
    /**
     * Pacemaker Remote: "remote" for a remote node, "container" for a guest node, null for a
     * cluster node. Such a node is up only while its connection resource runs (see RemoteNodes).
     */
    String remoteKind;
    /** The connection resource that makes this remote or guest node (null: left over, always down). */
    Rsc connection;
    /** Not seen yet: fencing it is revoked if its connection is going to (re)start (Pacemaker's "unseen"). */
    boolean unseen;
    /** A guest (or remote) node that must be reset: a guest by recovering its container. */
    boolean remoteRequiresReset;
    /** node_fenced on its node_state: fenced since it was last up. */
    boolean remoteWasFenced;
    /**
     * A remote node whose own shutdown attribute is set: its pulse-remoted asked to stop cleanly (Pacemaker Remote's
     * shutdown request), so its connection ending is expected, not a reason to fence it.
     */
    boolean remoteShutdownRequested;
    /** See {@link #historyChecked()}. */
    private boolean historyChecked;
    SNode(String id, String name, int index, Map<String, String> attributes, int baseScore, Map<String, Integer> capacity) {
        this.id = id;
        this.name = name;
        this.index = index;
        this.attributes = attributes;
        this.baseScore = baseScore;
        this.capacity = capacity;
    }

    /** Identity equality, the node's index as hash: see Rsc.hashCode. */
    @Override
    public int hashCode() {
        return index;
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    /** May new resources be placed here (before any score is looked at)? */
    boolean canHost() {
        return online && !unclean && !standby && !pending && !shutdown && !maintenance;
    }

    /** May the scheduler ask this node to run operations (probes, stops)? */
    boolean canRunOps() {
        return online && !unclean && !pending;
    }

    /**
     * Does the scheduler look at this node's operation history for configuration changes
     * (parameters changed, operations no longer configured, maintenance) and act on what it
     * finds? Only where the node could run resources, or is itself in maintenance (its monitors
     * must stop), as Pacemaker checks: a standby, shutting-down or unclean node is left as it is.
     * Decided once unpacking is done (see {@link Unpack#run}), before anything is placed, as
     * Pacemaker checks before assignment: a remote node whose failed connection is recovered in
     * this transition is up afterwards, but its history is not checked now.
     */
    boolean historyChecked() {
        return historyChecked;
    }

    /** Sets {@link #historyChecked()} from the node's state as unpacked; called once, at the end of unpacking. */
    void decideHistoryChecked() {
        historyChecked = maintenanceAttribute || (online && !unclean && !standby && !shutdown);
    }

    boolean isRemote() {
        return remoteKind != null;
    }

    boolean isGuest() {
        return "container".equals(remoteKind);
    }

    @Override
    public String toString() {
        return name;
    }
}
