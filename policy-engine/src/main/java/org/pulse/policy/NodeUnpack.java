package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.ClusterOptions;
import org.pulse.cib.model.NodeConfig;
import org.pulse.cib.model.NodeState;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.RuleContext;
import org.pulse.cib.model.Scores;

/**
 * Unpack, stage 1: nodes. Cluster nodes with their membership (Pacemaker's
 * determine_online_status: online, unclean and why, pending, shutting down), standby and
 * maintenance, attributes (permanent by rules, transient over them) and utilization; then the
 * remote and guest nodes that the nodes section and the resources define, down until their
 * connections are known to run (that is read from history, in {@link Unpack}).
 *
 * <p>The SNode objects stay mutable: the resources stage links remote nodes to their
 * connections and may mark them unclean, the history stage fences nodes and brings remote nodes
 * up, and assignment counts what each node holds.
 */
final class NodeUnpack {
    /**
     * The nodes stage's hand-off.
     *
     * @param all         every node, sorted by name (byte order); rank is the index here
     * @param byName      node name → node, in the order of {@code all}
     * @param byId        node id → node
     * @param remote      remote and guest nodes, in the order Pacemaker creates them (see RemoteNodes)
     * @param remoteSpecs remote nodes the resources define (connections, guests' remote-node meta), by name
     * @param states      each node's status section entry, by node id (the first when there are several)
     */
    record Nodes(List<SNode> all, Map<String, SNode> byName, Map<String, SNode> byId, List<SNode> remote,
                 Map<String, RemoteNodes.Spec> remoteSpecs, Map<String, NodeState> states) {
    }

    private final CibModel cib;
    private final Instant now;
    private final ClusterOptions options;
    private final boolean stonithEnabled;
    private final List<SNode> nodes = new ArrayList<>();
    private final List<SNode> remoteNodeList = new ArrayList<>();
    private final Map<String, RemoteNodes.Spec> remoteSpecs = new LinkedHashMap<>();

    NodeUnpack(CibModel cib, Instant now) {
        this.cib = cib;
        this.now = now;
        this.options = cib.options();
        this.stonithEnabled = options.stonithEnabled();
    }

    /**
     * The collections in the record are the ones the Cluster keeps: a remote connection found
     * only in the history adds its node to them later (Unpack.orphanedConnections).
     */
    Nodes run() {
        Map<String, NodeState> states = new HashMap<>();
        for (NodeState ns : cib.status()) {
            states.putIfAbsent(ns.id(), ns);
        }
        int i = 0;
        java.util.Set<String> clusterNames = new java.util.HashSet<>();
        for (NodeConfig nc : cib.nodes()) {
            if (nc.isRemote() || !clusterNames.add(nc.uname())) {
                continue;   // remote nodes: below, once their connections are known
            }
            nodes.add(node(nc, states.get(nc.id()), i++));
        }
        i = remoteNodes(states, clusterNames, i);
        // Ties between equal scores are broken by name in plain byte order (strcmp), as Pacemaker's
        // node comparison does ("node10" before "node2")
        nodes.sort((a, b) -> a.name.compareTo(b.name));
        if (!cib.haveQuorum() && cib.noQuorumPanic() && "suicide".equals(options.noQuorumPolicy()) && stonithEnabled) {
            // no-quorum-policy=suicide: a partition that lost quorum (not one never quorate) fences
            // every node in it; they stay members, so fencing them needs no quorum (Cluster.canFence)
            for (SNode n : nodes) {
                if (n.online) {
                    fence(n, "cluster does not have quorum");
                }
            }
        }
        Map<String, SNode> byName = new LinkedHashMap<>();
        Map<String, SNode> byId = new HashMap<>();
        for (SNode n : nodes) {
            n.rank = byName.size();
            byName.put(n.name, n);
            byId.put(n.id, n);
        }
        return new Nodes(nodes, byName, byId, remoteNodeList, remoteSpecs, states);
    }

    private SNode node(NodeConfig nc, NodeState st, int index) {
        return node(nc, st, index, null);
    }

    /** @param remoteKind null for a cluster node, else "remote" or "container" (a guest) */
    SNode node(NodeConfig nc, NodeState st, int index, String remoteKind) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("#uname", nc.uname());
        attrs.put("#id", nc.id());
        attrs.put("#kind", remoteKind == null ? "cluster" : remoteKind);
        boolean dc = nc.id().equals(cib.dcUuid());
        attrs.put("#is_dc", dc ? "true" : "false");
        String clusterName = options.get("cluster-name");
        if (clusterName != null) {
            attrs.put("#cluster-name", clusterName);
        }
        Map<String, String> configured = NvSet.merge(nc.attributes(), RuleContext.forNode(attrs, now));
        if (st != null) {
            // transient attributes override the permanent ones of the same name
            for (Map.Entry<String, String> e : st.transientAttributes().entrySet()) {
                attrs.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, String> e : configured.entrySet()) {
            attrs.putIfAbsent(e.getKey(), e.getValue());
        }
        Map<String, Integer> cap = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : NvSet.merge(nc.utilization(), RuleContext.forNode(attrs, now)).entrySet()) {
            cap.put(e.getKey(), Scores.parse(e.getValue(), 0));
        }
        SNode n = new SNode(nc.id(), nc.uname(), index, attrs, nc.score(), cap);
        n.hasFailCounts = FailCounts.hasFailCounts(attrs);
        if (n.hasFailCounts) {
            n.failCounts = FailCounts.index(attrs, FailCounts.perOperation(cib.crmFeatureSet()));
        }
        n.isDc = dc;
        n.standby = ClusterOptions.isTrue(attrs.get("standby"));
        n.maintenanceAttribute = ClusterOptions.isTrue(attrs.get("maintenance"));
        n.maintenance = n.maintenanceAttribute || options.maintenanceMode();
        if (remoteKind == null) {
            membership(n, st);
        } else {
            // down until its connection is known to run (remoteHistories)
            n.remoteKind = remoteKind;
            n.hasState = st != null;
            n.remoteWasFenced = st != null && truthy(st.attributes().get("node_fenced"));
            String sd = attrs.get("shutdown");
            n.shutdown = sd != null && !sd.isEmpty() && !sd.equals("0") && !sd.equalsIgnoreCase("false");
            n.remoteShutdownRequested = n.shutdown;
        }
        return n;
    }

    /**
     * Remote nodes of the nodes section, then those the resources define (remote connections,
     * guests' remote-node meta), as Pacemaker creates them: before the resources, so that they
     * count as nodes.
     */
    private int remoteNodes(Map<String, NodeState> states, java.util.Set<String> clusterNames, int index) {
        Map<String, NodeConfig> configured = new LinkedHashMap<>();
        for (NodeConfig nc : cib.nodes()) {
            if (nc.isRemote() && !clusterNames.contains(nc.uname())) {
                configured.putIfAbsent(nc.uname(), nc);
            }
        }
        for (RemoteNodes.Spec sp : RemoteNodes.find(cib, RuleContext.at(now))) {
            if (!clusterNames.contains(sp.name())) {
                remoteSpecs.putIfAbsent(sp.name(), sp);
                configured.putIfAbsent(sp.name(), new NodeConfig(sp.name(), sp.name(), "remote", 0, List.of(), List.of()));
            }
        }
        for (NodeConfig nc : configured.values()) {
            RemoteNodes.Spec sp = remoteSpecs.get(nc.uname());
            NodeState st = states.get(nc.id());
            SNode n = node(nc, st, index++, sp != null && sp.guest() ? "container" : "remote");
            nodes.add(n);
            remoteNodeList.add(n);
        }
        return index;
    }

    private void membership(SNode n, NodeState st) {
        if (st == null) {
            n.hasState = false;
            if (stonithEnabled && options.flag("startup-fencing", true)) {
                fence(n, "peer has not been seen by the cluster");
            }
            return;
        }
        n.hasState = true;
        String shutdownAttr = n.attributes.get("shutdown");
        if (shutdownAttr == null) {
            shutdownAttr = st.attributes().get("shutdown");
        }
        n.shutdown = shutdownAttr != null && !shutdownAttr.isEmpty() && !shutdownAttr.equals("0")
                && !shutdownAttr.equalsIgnoreCase("false");
        n.expectedUp = !n.shutdown && "member".equalsIgnoreCase(st.expected());
        boolean inCluster = truthy(st.inCcm());
        boolean crmdOnline = "online".equalsIgnoreCase(st.crmd()) || numericPositive(st.crmd());
        String join = st.join();
        String exp = st.expected() == null ? "down" : st.expected();
        if (!stonithEnabled) {
            if (!inCluster) {
                n.online = false;
            } else if (crmdOnline) {
                if ("member".equalsIgnoreCase(join)) {
                    n.online = true;
                }
            } else if (n.expectedUp) {
                fence(n, "peer is unexpectedly down");
            }
        } else {
            String term = n.attributes.get("terminate");
            boolean terminate = ClusterOptions.isTrue(term)
                    || (term != null && !term.isEmpty() && term.charAt(0) != '0' && Character.isDigit(term.charAt(0)));
            boolean online = inCluster;
            if (n.shutdown) {
                online = crmdOnline;
            } else if (st.inCcm() == null) {
                fence(n, "peer has not been seen by the cluster");
            } else if ("nack".equalsIgnoreCase(join)) {
                fence(n, "peer failed membership criteria");
            } else if (!terminate && "down".equalsIgnoreCase(exp)) {
                if (inCluster || crmdOnline) {
                    n.standby = true;
                    n.pending = true;
                }
            } else if (terminate && "down".equalsIgnoreCase(join) && !inCluster && !crmdOnline) {
                online = false;
            } else if (!inCluster) {
                fence(n, "peer is no longer part of the cluster");
            } else if (!crmdOnline) {
                fence(n, "peer process is no longer available");
            } else if (terminate) {
                fence(n, "termination was requested");
            } else if ("member".equalsIgnoreCase(join)) {
                // active
            } else if ("pending".equalsIgnoreCase(join) || "down".equalsIgnoreCase(join)) {
                n.standby = true;
                n.pending = true;
            } else {
                fence(n, "peer was in an unknown state");
            }
            n.online = online && !n.unclean;
            if (n.unclean) {
                n.online = false;
            }
        }
    }

    static void fence(SNode n, String reason) {
        if (!n.unclean) {
            n.unclean = true;
            n.uncleanReason = reason;
        }
    }

    private static boolean truthy(String s) {
        return ClusterOptions.isTrue(s) || numericPositive(s);
    }

    private static boolean numericPositive(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        try {
            return Long.parseLong(s.trim()) > 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
