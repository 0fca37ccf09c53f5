package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.ClusterOptions;
import org.pulse.cib.model.LrmResource;
import org.pulse.cib.model.NodeConfig;
import org.pulse.cib.model.NodeState;
import org.pulse.cib.model.OpConfig;

/**
 * The CIB and the time in, nodes and resources with their current state out, in three stages
 * that hand typed records on: nodes ({@link NodeUnpack}), resources ({@link ResourceUnpack}),
 * then history ({@link HistoryUnpack}: each resource's history on a node replayed in call
 * order to find its role there, its failures and what they demand). Remote nodes sit between:
 * whether one is up is read from its connection's history, so its own history comes after the
 * cluster nodes'. Last, tickets not granted ({@link Tickets}): what they demand depends on where
 * each resource is active.
 *
 * <p>The history stage and Tickets still write into the SNode and Rsc objects the first two
 * stages made (and Cluster holds): they stay mutable until those return records of their own.
 * No stage after this one writes a resource; one still writes remote nodes (see SNode).
 */
final class Unpack {
    private final NodeUnpack nodeStage;
    private final NodeUnpack.Nodes unpackedNodes;
    private final ClusterOptions options;
    private final boolean stonithEnabled;
    private final List<SNode> nodes;
    private final Map<String, SNode> byName;
    private final Map<String, SNode> byId;
    private final Map<String, Rsc> rscById;
    private final List<SNode> remoteNodeList;
    private final HistoryUnpack hist;

    private Unpack(CibModel cib, NodeUnpack nodeStage, NodeUnpack.Nodes unpackedNodes, ResourceUnpack resourceStage,
            Cluster cluster) {
        this.nodeStage = nodeStage;
        this.unpackedNodes = unpackedNodes;
        this.options = cib.options();
        this.stonithEnabled = options.stonithEnabled();
        this.nodes = unpackedNodes.all();
        this.byName = unpackedNodes.byName();
        this.byId = unpackedNodes.byId();
        this.remoteNodeList = unpackedNodes.remote();
        this.rscById = cluster.byId();
        this.hist = new HistoryUnpack(resourceStage, cib, cluster.now(), cluster, byName, rscById, cluster.topLevel());
    }

    static Cluster run(CibModel cib, Instant now) {
        NodeUnpack nodeStage = new NodeUnpack(cib, now);
        NodeUnpack.Nodes nodes = nodeStage.run();
        ResourceUnpack resourceStage = new ResourceUnpack(cib, now, nodes);
        ResourceUnpack.Resources resources = resourceStage.run();
        Cluster cluster = new Cluster(cib, cib.options(), now, cib.haveQuorum(), cib.options().stonithEnabled(),
                resources.hasFenceDevice(), nodes.all(), nodes.byName(), nodes.byId(), resources.topLevel(),
                resources.byId());
        new Unpack(cib, nodeStage, nodes, resourceStage, cluster).histories(cib);
        // a ticket not granted bans or freezes what needs it, as the state just read shows it
        Tickets.apply(cluster);
        // what the configuration-change checks look at is fixed here, before placement changes any node's state
        for (SNode n : nodes.all()) {
            n.decideHistoryChecked();
        }
        return cluster;
    }

    /**
     * The history stage, in the order its parts depend on each other: cluster nodes' histories
     * first (they say whether remote connections and guests' containers run), then remote nodes
     * up or down and their own histories, then per resource where it runs and what failures
     * demand, partial migrations, multiple-active (once every node's cleanliness is known), and
     * shutdown locks.
     */
    private void histories(CibModel cib) {
        // Cluster nodes' histories first: they say whether the remote connections (and guests'
        // containers) run, which decides whether a remote node is up before its own history is read.
        Map<SNode, NodeState> remoteStates = new LinkedHashMap<>();
        for (NodeState ns : cib.status()) {
            SNode n = byId.get(ns.id());
            if (n == null) {
                continue;
            }
            if (n.isRemote()) {
                remoteStates.putIfAbsent(n, ns);
                continue;
            }
            // A node's history counts while it is up, or while fencing may still have to deal with it.
            if (!n.online && !stonithEnabled) {
                continue;
            }
            for (LrmResource lr : ns.resources()) {
                hist.history(n, lr, ns.transientAttributes());
                if (lr.shutdownLock() != null && !n.online && options.flag("shutdown-lock", false)) {
                    hist.lockIfStillValid(lr, n);
                }
            }
        }
        orphanedConnections(unpackedNodes.states(), remoteStates);
        java.util.Set<Rsc> finished = new java.util.HashSet<>();
        if (!remoteNodeList.isEmpty()) {
            java.util.Set<Rsc> containers = new java.util.HashSet<>();
            for (Rsc r : rscById.values()) {
                if (r.container != null) {
                    containers.add(r.container);
                }
            }
            for (Rsc r : rscById.values()) {
                if (r.isPrimitive() && (r.remoteNode != null || containers.contains(r))) {
                    hist.finishState(r);
                    finished.add(r);
                }
            }
            remoteHistories(remoteStates);
        }
        for (Rsc r : rscById.values()) {
            if (r.isPrimitive() && !finished.contains(r)) {
                hist.finishState(r);
            }
        }
        for (Rsc r : rscById.values()) {
            if (r.isPrimitive()) {
                hist.partialMigration(r);
            }
        }
        for (Rsc r : rscById.values()) {
            if (r.isPrimitive()) {
                hist.multiplyActive(r);   // once every node's cleanliness is known
            }
        }
        if (options.flag("shutdown-lock", false)) {
            // resources on a node that is shutting down cleanly stay with it until it comes back
            for (Rsc r : rscById.values()) {
                SNode cur = r.isPrimitive() ? r.currentNode() : null;
                if (cur != null && cur.shutdown && hist.lockable(r)) {
                    r.lockedTo = cur;
                }
            }
        }
    }

    // ------------------------------------------------------------------ remote and guest nodes

    /**
     * A remote connection found only in the history (removed from the configuration) still makes
     * its node, which is then shutting down: what runs there is stopped before the connection is.
     * The node is created now, after the resources, so it does not count for clone-max.
     */
    private void orphanedConnections(Map<String, NodeState> states, Map<SNode, NodeState> remoteStates) {
        boolean added = false;
        for (Rsc r : new ArrayList<>(rscById.values())) {
            if (!r.orphan || !r.isPrimitive() || r.remoteNode != null || r.prim == null || !RemoteNodes.isConnectionAgent(r.prim)) {
                continue;
            }
            SNode n = byName.get(r.id);
            if (n == null) {
                n = nodeStage.node(new NodeConfig(r.id, r.id, "remote", 0, List.of(), List.of()), states.get(r.id), nodes.size(), "remote");
                nodes.add(n);
                remoteNodeList.add(n);
                byId.put(n.id, n);
                if (states.get(r.id) != null) {
                    remoteStates.putIfAbsent(n, states.get(r.id));
                }
                added = true;
            } else if (!n.isRemote() || n.connection != null) {
                continue;
            }
            n.connection = r;
            r.remoteNode = n;
            n.shutdown = true;
            Rsc container = hist.orphanContainers.get(r) == null ? null : rscById.get(hist.orphanContainers.get(r));
            if (container != null && container != r) {
                // the history names the guest's resource: an orphaned guest node
                r.container = container;
                n.remoteKind = "container";
                n.attributes.put("#kind", "container");
                n.unseen = false;
            }
        }
        if (added) {
            nodes.sort((a, b) -> a.name.compareTo(b.name));
            byName.clear();
            for (SNode n : nodes) {
                n.rank = byName.size();
                byName.put(n.name, n);
            }
        }
    }

    /**
     * Pacemaker's determine_remote_online_status: a remote node is up while its connection runs
     * (and a guest's container); a failed container means the guest must be reset, a failed
     * connection that the node is down; a guest whose host is lost is lost with it.
     */
    private static void remoteOnline(SNode n) {
        Rsc conn = n.connection;
        if (conn == null) {
            n.online = false;
            return;
        }
        Rsc container = conn.container;
        boolean started = !conn.runningOn.isEmpty();
        n.online = started;
        if (started && conn.targetRole == Role.STOPPED) {
            n.shutdown = true;
        }
        SNode host = container != null && conn.runningOn.size() == 1 ? conn.runningOn.get(0) : null;
        if (container != null && container.failed) {
            n.online = false;
            n.remoteRequiresReset = true;
        } else if (conn.failed) {
            n.online = false;
        } else if (!started || (container != null && container.runningOn.isEmpty())) {
            n.online = false;
            n.remoteRequiresReset = false;
        } else if (host != null && !host.online && host.unclean) {
            n.online = false;
            n.remoteRequiresReset = true;
        }
    }

    /**
     * Remote nodes' own histories, read once their connections' state is known: a node whose
     * connection is active (failed or not: a failed connection makes the node offline, yet what
     * was probed there stays known, as in Pacemaker's unpack_node_history), a guest whose container
     * is active too, a remote node under shutdown-lock, or (fencing enabled) any node, since what
     * runs there may need fencing.
     */
    private void remoteHistories(Map<SNode, NodeState> states) {
        boolean shutdownLock = options.flag("shutdown-lock", false);
        for (SNode n : remoteNodeList) {
            remoteOnline(n);
            NodeState st = states.get(n);
            if (st == null || !(stonithEnabled || connectionActive(n) || (shutdownLock && !n.isGuest()))) {
                continue;
            }
            if (!n.remoteRequiresReset) {
                n.unclean = false;
                n.uncleanReason = null;
                n.unseen = false;
            }
            if (n.connection != null && !n.connection.managed) {
                n.maintenance = true;
            }
            for (LrmResource lr : st.resources()) {
                hist.history(n, lr, st.transientAttributes());
            }
        }
    }

    /** The node's connection is active somewhere (and a guest's container too), whether it failed or not. */
    private static boolean connectionActive(SNode n) {
        Rsc conn = n.connection;
        return conn != null && !conn.runningOn.isEmpty()
                && (conn.container == null || !conn.container.runningOn.isEmpty());
    }

    // ------------------------------------------------------------------ configuration lookups

    static OpConfig findOp(Rsc r, String name, long intervalMs) {
        List<OpConfig> ops = r.ops;
        for (int i = 0, n = ops.size(); i < n; i++) {   // (indexed: C1 allocates an iterator per for-each)
            OpConfig o = ops.get(i);
            if (o.name() != null && o.name().equals(name) && o.intervalMs() == intervalMs) {
                return o;
            }
        }
        return null;
    }
}
