package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.CloneConfig;
import org.pulse.cib.model.ClusterOptions;
import org.pulse.cib.model.GroupConfig;
import org.pulse.cib.model.LrmOp;
import org.pulse.cib.model.LrmResource;
import org.pulse.cib.model.NodeConfig;
import org.pulse.cib.model.NodeState;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.ResourceConfig;
import org.pulse.cib.model.RuleContext;
import org.pulse.cib.model.Scores;

/**
 * Stage 1: the CIB and the time in, nodes and resources with their current state out. Node
 * membership follows Pacemaker's determine_online_status; each resource's history on a node is
 * replayed in call order (unpack_rsc_op) to find its role there, its failures and what they
 * demand (on-fail), and which recurring operations are active.
 */
final class Unpack {
    private final CibModel cib;
    private final Instant now;
    private final ClusterOptions options;
    private final boolean stonithEnabled;
    private final List<SNode> nodes = new ArrayList<>();
    private final Map<String, SNode> byName = new LinkedHashMap<>();
    private final Map<String, SNode> byId = new HashMap<>();
    private final List<Rsc> topLevel = new ArrayList<>();
    private final Map<String, Rsc> rscById = new LinkedHashMap<>();
    /** Remote and guest nodes, in the order Pacemaker creates them (see RemoteNodes). */
    private final List<SNode> remoteNodeList = new ArrayList<>();
    private final Map<String, RemoteNodes.Spec> remoteSpecs = new LinkedHashMap<>();
    private int order;
    private Cluster cluster;
    /** The history stage (HistoryUnpack), made once the nodes and resources are known. */
    private HistoryUnpack hist;

    private Unpack(CibModel cib, Instant now) {
        this.cib = cib;
        this.now = now;
        this.options = cib.options();
        this.stonithEnabled = options.stonithEnabled();
    }

    static Cluster run(CibModel cib, Instant now) {
        return new Unpack(cib, now).unpack();
    }

    private Cluster unpack() {
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
        for (SNode n : nodes) {
            n.rank = byName.size();
            byName.put(n.name, n);
            byId.put(n.id, n);
        }
        boolean hasFence = false;
        for (ResourceConfig rc : cib.resources()) {
            Rsc r = resource(rc, null, null);
            if (r != null) {
                topLevel.add(r);
            }
        }
        guestConnections();
        for (Rsc r : rscById.values()) {
            hasFence |= r.isFenceDevice();
        }
        // As Pacemaker's scheduler: have-watchdog (set by the DC when it runs with a watchdog) counts as a
        // way to fence, since watchdog self-fencing (stonith-watchdog-timeout) needs no fence device.
        hasFence |= options.flag("have-watchdog", false);
        cluster = new Cluster(cib, options, now, cib.haveQuorum(), stonithEnabled, hasFence, nodes, byName, byId,
                topLevel, rscById);
        hist = new HistoryUnpack(this, cib, now, cluster, byName, rscById, topLevel);
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
        orphanedConnections(states, remoteStates);
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
        return cluster;
    }

    // ------------------------------------------------------------------ nodes

    private SNode node(NodeConfig nc, NodeState st, int index) {
        return node(nc, st, index, null);
    }

    /** @param remoteKind null for a cluster node, else "remote" or "container" (a guest) */
    private SNode node(NodeConfig nc, NodeState st, int index, String remoteKind) {
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
        }
        return n;
    }

    // ------------------------------------------------------------------ remote and guest nodes

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

    /**
     * Adds each guest's implicit connection (after the configured resources, as Pacemaker adds
     * it to the resources section) and links every remote node with its connection.
     */
    private void guestConnections() {
        for (RemoteNodes.Spec sp : remoteSpecs.values()) {
            Rsc vm = sp.guest() ? rscById.get(sp.containerId()) : null;
            if (vm != null && vm.prim != null && !rscById.containsKey(sp.name())) {
                Rsc conn = resource(RemoteNodes.guestConnection(vm.prim, sp.name(), RuleContext.at(now)), null, null);
                topLevel.add(conn);
            }
        }
        boolean startupFencing = stonithEnabled && options.flag("startup-fencing", true);
        for (SNode n : remoteNodeList) {
            Rsc conn = rscById.get(n.name);
            if (conn == null || conn.prim == null || !RemoteNodes.isConnectionAgent(conn.prim)) {
                continue;   // left over in the nodes section: always down, never fenced
            }
            n.connection = conn;
            conn.remoteNode = n;
            if (!n.isGuest() && conn.meta.get("allow-migrate") == null) {
                // a remote connection moves by migrating unless told otherwise (it holds no state to lose)
                Map<String, String> meta = new LinkedHashMap<>(conn.meta);
                meta.put("allow-migrate", "true");
                conn.meta = meta;
            }
            conn.reconnectIntervalMs = org.pulse.cib.model.Durations.parseMs(conn.params.get("reconnect_interval"), 0);
            if (!n.isGuest()) {
                // a remote node is unclean until seen, as a cluster node is (see remoteHistories)
                n.unseen = true;
                if (startupFencing) {
                    fence(n, "peer has not been seen by the cluster");
                }
            }
        }
        for (Rsc r : rscById.values()) {
            String container = r.meta.get("container");
            if (r.isPrimitive() && container != null && rscById.get(container) != null && rscById.get(container) != r) {
                r.container = rscById.get(container);
            }
        }
    }

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
                n = node(new NodeConfig(r.id, r.id, "remote", 0, List.of(), List.of()), states.get(r.id), nodes.size(), "remote");
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
     * connection runs, or (fencing enabled) any node, since what runs there may need fencing.
     */
    private void remoteHistories(Map<SNode, NodeState> states) {
        for (SNode n : remoteNodeList) {
            remoteOnline(n);
            NodeState st = states.get(n);
            if (st == null || (!n.online && !stonithEnabled)) {
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

    // ------------------------------------------------------------------ resources

    /** "name_interval" of every operation configured twice or more (see Rsc.duplicateOps). */
    private static java.util.Set<String> duplicateOps(List<OpConfig> ops) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        java.util.Set<String> dup = new java.util.HashSet<>();
        for (OpConfig o : ops) {
            String key = o.name() + "_" + o.intervalMs();
            if (!seen.add(key)) {
                dup.add(key);
            }
        }
        return dup.isEmpty() ? java.util.Set.of() : dup;
    }

    private Rsc resource(ResourceConfig rc, Rsc parent, String suffix) {
        String sfx = suffix == null ? "" : suffix;
        if (rc instanceof PrimitiveConfig) {
            PrimitiveConfig p = (PrimitiveConfig) rc;
            Rsc r = new Rsc(suffix == null ? p.id() : p.id() + suffix, Rsc.Kind.PRIMITIVE, parent, order++);
            r.prim = p;
            r.ops = p.operations();
            r.duplicateOps = duplicateOps(r.ops);
            configure(r, p.metaAttributes(), p.instanceAttributes());
            Map<String, Integer> util = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : NvSet.merge(p.utilization(), RuleContext.at(now)).entrySet()) {
                util.put(e.getKey(), Scores.parse(e.getValue(), 0));
            }
            r.utilization = util;
            register(r, parent);
            return r;
        }
        if (rc instanceof GroupConfig) {
            GroupConfig g = (GroupConfig) rc;
            Rsc r = new Rsc(g.id() + sfx, Rsc.Kind.GROUP, parent, order++);
            configure(r, g.metaAttributes(), g.instanceAttributes());
            register(r, parent);
            for (PrimitiveConfig m : g.members()) {
                resource(m, r, suffix);
            }
            return r;
        }
        if (rc instanceof CloneConfig) {
            CloneConfig c = (CloneConfig) rc;
            Rsc r = new Rsc(c.id(), Rsc.Kind.CLONE, parent, order++);
            configure(r, c.metaAttributes(), c.instanceAttributes());
            r.promotable = c.legacyMaster() || ClusterOptions.isTrue(r.meta.get("promotable"));
            r.uniqueClone = ClusterOptions.isTrue(r.meta.get("globally-unique")) && !forcedAnonymous(c.child());
            r.cloneMax = Scores.parse(r.meta.get("clone-max"), nodes.size());
            if (r.meta.get("clone-max") == null && r.meta.get("master-max") == null) {
                r.cloneMax = nodes.size();
            }
            r.cloneNodeMax = Scores.parse(r.meta.get("clone-node-max"), 1);
            if (ClusterOptions.isTrue(r.meta.get("globally-unique")) && forcedAnonymous(c.child())) {
                // made anonymous: at most one instance per node, so no more than there are nodes
                r.cloneNodeMax = 1;
                r.cloneMax = Math.min(r.cloneMax, nodes.size());
            }
            r.promotedMax = Scores.parse(first(r.meta, "promoted-max", "master-max"), 1);
            r.promotedNodeMax = Scores.parse(first(r.meta, "promoted-node-max", "master-node-max"), 1);
            r.notify = ClusterOptions.isTrue(r.meta.get("notify"));
            r.interleave = ClusterOptions.isTrue(r.meta.get("interleave"));
            r.ordered = ClusterOptions.isTrue(r.meta.get("ordered"));
            register(r, parent);
            for (int i = 0; i < r.cloneMax; i++) {
                resource(c.child(), r, ":" + i);
            }
            if (ClusterOptions.isTrue(r.meta.get("globally-unique")) && c.child() instanceof GroupConfig g
                    && forcedAnonymous(g)) {
                // Pacemaker makes the clone anonymous each time it reads an LSB member, clearing
                // "unique" on that member and on the instances read completely before it; nothing
                // comes after the last instance, so its other members keep their instance number
                if (!r.children.isEmpty()) {
                    for (Rsc m : r.children.get(r.children.size() - 1).children) {
                        m.keepsInstanceNumber = m.prim != null && !"lsb".equals(m.prim.cls());
                    }
                }
            }
            return r;
        }
        return null;   // bundles: tier 3
    }

    /**
     * LSB services cannot be globally unique instances (an init script cannot tell instances
     * apart): a clone of one is anonymous whatever globally-unique says.
     */
    private static boolean forcedAnonymous(ResourceConfig child) {
        if (child instanceof PrimitiveConfig) {
            String cls = ((PrimitiveConfig) child).cls();
            return "lsb".equals(cls);
        }
        if (child instanceof GroupConfig) {
            // a cloned group with an LSB member cannot be unique either
            for (PrimitiveConfig m : ((GroupConfig) child).members()) {
                if (forcedAnonymous(m)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String first(Map<String, String> m, String a, String b) {
        return m.get(a) != null ? m.get(a) : m.get(b);
    }

    private void register(Rsc r, Rsc parent) {
        if (parent != null) {
            parent.children.add(r);
        }
        rscById.put(r.id, r);
    }

    /** Meta attributes: own, then inherited from the parents, then rsc_defaults. */
    int nextOrder() {
        return order++;
    }

    void configure(Rsc r, List<NvSet> metaSets, List<NvSet> instanceSets) {
        Map<String, String> meta = new LinkedHashMap<>();
        RuleContext ctx = r.prim == null ? RuleContext.at(now)
                : new RuleContext(Map.of(), now, r.prim.cls(), r.prim.provider(), r.prim.type(), null, null);
        NvSet.mergeIntoWithoutDefaults(meta, metaSets, ctx);
        if (r.parent != null) {
            for (Map.Entry<String, String> e : r.parent.meta.entrySet()) {
                meta.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        NvSet.mergeIntoWithoutDefaults(meta, cib.rscDefaults(), ctx);
        r.meta = meta;
        Map<String, String> params = new LinkedHashMap<>();
        NvSet.mergeIntoWithoutDefaults(params, instanceSets, ctx);
        if (r.parent != null) {
            for (Map.Entry<String, String> e : r.parent.params.entrySet()) {
                params.putIfAbsent(e.getKey(), e.getValue());
            }
        }
        r.params = params;
        r.priority = Scores.parse(meta.get("priority"), 0);
        String stick = meta.get("resource-stickiness");
        if (stick == null) {
            stick = meta.get("resource_stickiness");
        }
        boolean inClone = r.kind == Rsc.Kind.CLONE || r.cloneAncestor() != null;
        r.stickiness = stick != null ? Scores.parse(stick, 0)
                : (options.get("default-resource-stickiness") != null ? options.defaultResourceStickiness()
                : (inClone ? 1 : 0));
        String mt = meta.get("migration-threshold");
        int threshold = Scores.parse(mt, Scores.INFINITY);
        r.migrationThreshold = threshold <= 0 ? Scores.INFINITY : threshold;
        r.failureTimeoutMs = org.pulse.cib.model.Durations.parseMs(meta.get("failure-timeout"), 0);
        r.targetRole = Role.parse(meta.get("target-role"), Role.UNKNOWN);
        String managed = meta.get("is-managed");
        r.maintenance = options.maintenanceMode() || ClusterOptions.isTrue(meta.get("maintenance"));
        r.managed = (managed == null || ClusterOptions.isTrue(managed)) && !r.maintenance;
        String requires = meta.get("requires");
        if (requires == null) {
            requires = (r.prim != null && r.prim.isFenceDevice()) || !stonithEnabled ? "quorum" : "fencing";
        }
        r.requiresFencing = "fencing".equals(requires) || "unfencing".equals(requires);
        r.requiresNothing = "nothing".equals(requires);
    }

    // ------------------------------------------------------------------ configuration lookups

    static OpConfig findOp(Rsc r, String name, long intervalMs) {
        for (OpConfig o : r.ops) {
            if (o.name() != null && o.name().equals(name) && o.intervalMs() == intervalMs) {
                return o;
            }
        }
        return null;
    }
}
