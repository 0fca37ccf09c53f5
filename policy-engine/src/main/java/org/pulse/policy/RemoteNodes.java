package org.pulse.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.GroupConfig;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.ResourceConfig;
import org.pulse.cib.model.RuleContext;

/**
 * Pacemaker Remote as the scheduler sees it: which nodes exist only through a connection
 * resource, and what a guest node's implicit connection looks like.
 *
 * <ul>
 * <li>A remote node is made by an {@code ocf:pacemaker:remote} primitive: the node is named
 *     after the primitive, which runs on a cluster node and is the node's connection.</li>
 * <li>A guest node is made by meta {@code remote-node} on any primitive (a VM, a container):
 *     the scheduler adds a connection primitive named after the node whose container is that
 *     primitive, exactly as if the operator had configured it.</li>
 * </ul>
 * Nodes are found before resources are unpacked, as Pacemaker does, so that they count among
 * the nodes (a clone's default clone-max).
 */
final class RemoteNodes {
    /** Pacemaker's default remote-connect-timeout: the guest connection's start and monitor timeout. */
    private static final long DEFAULT_CONNECT_TIMEOUT_MS = 60_000;
    /** Interval of the monitor an implicit guest connection gets. */
    private static final long GUEST_MONITOR_INTERVAL_MS = 30_000;

    private RemoteNodes() {
    }

    /**
     * A remote or guest node defined by the resources.
     *
     * @param containerId the guest's resource (a guest node), or null (a remote node)
     */
    record Spec(String name, String containerId) {
        boolean guest() {
            return containerId != null;
        }
    }

    static boolean isConnectionAgent(PrimitiveConfig p) {
        return "ocf".equals(p.cls()) && "pacemaker".equals(p.provider()) && "remote".equals(p.type());
    }

    /** Remote and guest nodes defined by top-level primitives and group members, in configuration order. */
    static List<Spec> find(CibModel cib, RuleContext ctx) {
        Map<String, Spec> out = new LinkedHashMap<>();
        for (ResourceConfig rc : cib.resources()) {
            if (rc instanceof PrimitiveConfig p) {
                if (isConnectionAgent(p)) {
                    out.putIfAbsent(p.id(), new Spec(p.id(), null));
                } else {
                    guest(p, ctx, out);
                }
            } else if (rc instanceof GroupConfig g) {
                // a guest's resource may sit in a group (a clone of guests is not supported, as in Pacemaker)
                for (PrimitiveConfig m : g.members()) {
                    guest(m, ctx, out);
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    private static void guest(PrimitiveConfig p, RuleContext ctx, Map<String, Spec> out) {
        String name = NvSet.merge(p.metaAttributes(), ctx).get("remote-node");
        if (name != null && !name.isEmpty() && !name.equals(p.id())) {
            out.putIfAbsent(name, new Spec(name, p.id()));
        }
    }

    /**
     * The connection primitive a guest node gets: {@code ocf:pacemaker:remote} named after the
     * node, reaching it at remote-addr (default: the node's name) and remote-port, with a 30 s
     * monitor, and its guest's resource as container.
     */
    static PrimitiveConfig guestConnection(PrimitiveConfig vm, String nodeName, RuleContext ctx) {
        Map<String, String> meta = NvSet.merge(vm.metaAttributes(), ctx);
        // only what the operator gave: the node's name is the address otherwise (and the
        // parameters' digest in the history must match what Pacemaker recorded)
        Map<String, String> params = new LinkedHashMap<>();
        if (meta.get("remote-addr") != null) {
            params.put("addr", meta.get("remote-addr"));
        }
        if (meta.get("remote-port") != null) {
            params.put("port", meta.get("remote-port"));
        }
        Map<String, String> metaOut = new LinkedHashMap<>();
        metaOut.put("container", vm.id());
        if (meta.get("allow-migrate") != null) {
            metaOut.put("allow-migrate", meta.get("allow-migrate"));   // the connection moves as its guest does
        }
        if (meta.get("is-managed") != null) {
            metaOut.put("is-managed", meta.get("is-managed"));
        }
        // a 30 s monitor with a 30 s timeout; a start timeout only when remote-connect-timeout is set
        List<OpConfig> ops = new ArrayList<>();
        ops.add(op(nodeName + "-monitor-interval-30s", "monitor", GUEST_MONITOR_INTERVAL_MS, GUEST_MONITOR_INTERVAL_MS));
        if (meta.get("remote-connect-timeout") != null) {
            ops.add(op(nodeName + "-start-interval-0", "start", 0,
                    org.pulse.cib.model.Durations.parseMs(meta.get("remote-connect-timeout"), DEFAULT_CONNECT_TIMEOUT_MS)));
        }
        return new PrimitiveConfig(nodeName, "ocf", "pacemaker", "remote",
                List.of(new NvSet(nodeName + "-instance_attributes", "instance_attributes", 0, null, params)),
                List.of(new NvSet(nodeName + "-meta_attributes", "meta_attributes", 0, null, metaOut)),
                List.of(), ops, null);
    }

    private static OpConfig op(String id, String name, long intervalMs, long timeoutMs) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("id", id);
        attrs.put("name", name);
        attrs.put("interval", intervalMs / 1000 + "s");
        attrs.put("timeout", timeoutMs / 1000 + "s");
        return new OpConfig(id, name, intervalMs, null, timeoutMs, null, true, attrs, List.of(), List.of());
    }

    /**
     * Implicit mandatory orders: a container before what runs in it (a guest's connection
     * included), and a guest's container before the resources on the guest, so that recovering
     * the container restarts them (for a remote node the connection is only waited for, see
     * Pacemaker's apply_remote_ordering, and a connection that moves restarts nothing).
     */
    static void containerOrders(Cluster c, Allocation alloc, java.util.function.Consumer<OrderGraph.Edge> add) {
        for (Rsc r : c.byId().values()) {
            if (!r.isPrimitive()) {
                continue;
            }
            if (r.container != null) {
                add.accept(new OrderGraph.Edge(r.container, r, true, true, "start", "start", "resource-with-container"));
            }
            SNode assigned = alloc.node(r);
            SNode guest = assigned != null && assigned.isGuest() ? assigned
                    : r.currentNode() != null && r.currentNode().isGuest() ? r.currentNode() : null;
            if (guest != null && guest.connection != null && guest.connection.container != null && r.remoteNode == null) {
                add.accept(new OrderGraph.Edge(guest.connection.container, r, true, true, "start", "start", "guest-resource"));
            }
        }
    }

    // ------------------------------------------------------------------ placement

    /**
     * Remote nodes host neither remote connections nor fence devices nor guests' resources (no
     * nesting); a resource whose container is a remote connection or a guest's resource must
     * run on that remote or guest node.
     */
    static void placementTerms(Cluster c, Rsc r, ScoreTable t) {
        boolean avoidsRemote = r.remoteNode != null || r.isFenceDevice() || hostsGuest(c, r);
        if (avoidsRemote) {
            for (SNode n : c.nodes()) {
                if (n.isRemote()) {
                    t.add(n, -org.pulse.cib.model.Scores.INFINITY, r.remoteNode != null ? "remote nodes cannot host remote connections"
                            : r.isFenceDevice() ? "remote nodes cannot run fence devices" : "guest resources cannot run on remote nodes");
                }
            }
        }
        SNode inside = r.container == null || r.remoteNode != null ? null
                : r.container.remoteNode != null ? r.container.remoteNode : guestOf(c, r.container);
        if (inside != null) {
            for (SNode n : c.nodes()) {
                if (n != inside) {
                    t.add(n, -org.pulse.cib.model.Scores.INFINITY, "runs in container " + r.container.id + " (node " + inside.name + ")");
                }
            }
        }
    }

    /** Is {@code r} the resource of a guest node (or a group holding one)? */
    private static boolean hostsGuest(Cluster c, Rsc r) {
        // a bundle's container may run on a remote node: its connection then runs on that node's host
        return guestOf(c, r) != null && !r.meta.containsKey(Bundles.BUNDLE_META);
    }

    /** The guest node whose resource is {@code r}, or null. */
    static SNode guestOf(Cluster c, Rsc r) {
        for (SNode n : c.nodes()) {
            if (n.isGuest() && n.connection != null && n.connection.container == r) {
                return n;
            }
        }
        return null;
    }

    /**
     * A resource in a container that is not a remote node (and a guest's connection) runs where
     * its container runs: an INFINITY colocation, as Pacemaker adds.
     */
    static List<Colocation> containerColocations(Cluster c) {
        List<Colocation> out = new ArrayList<>();
        for (Rsc r : c.byId().values()) {
            if (!r.isPrimitive() || r.container == null) {
                continue;
            }
            boolean intoRemote = r.remoteNode == null
                    && (r.container.remoteNode != null || guestOf(c, r.container) != null);
            if (!intoRemote) {
                out.add(new Colocation("resource-with-container", r, r.container, org.pulse.cib.model.Scores.INFINITY,
                        Role.UNKNOWN, Role.UNKNOWN, null, true));
            }
        }
        return out;
    }

    /**
     * Once a connection is placed, its node's fate is known: up if the connection will run (an
     * unseen remote node is then no longer fenced: connecting to it is enough), shutting down if
     * not.
     */
    static void connectionAssigned(Rsc conn, SNode assigned) {
        SNode n = conn.remoteNode;
        if (assigned != null && conn.targetRole != Role.STOPPED) {
            n.online = true;
            if (n.unseen) {
                n.unclean = false;
                n.uncleanReason = null;
            }
        } else {
            n.shutdown = true;
        }
    }

    /** May {@code r} run (or be probed) on a remote node at all? */
    static boolean mayRunOn(Cluster c, Rsc r) {
        return r.remoteNode == null && !r.isFenceDevice() && !hostsGuest(c, r);
    }

    /**
     * Whether {@code r} is probed on {@code n} as far as containers go: what runs inside a
     * container is never probed on its own (its container's state says it all), and nothing is
     * probed on a guest whose container is stopped, stopping, restarting or moving (everything
     * in it is stopped, or will be).
     */
    static boolean probed(Allocation alloc, Rsc r, SNode n) {
        if (r.container != null && r.remoteNode == null) {
            return false;
        }
        if (n.isGuest() && n.connection != null && n.connection.container != null) {
            Rsc vm = n.connection.container;
            if (vm.runningOn.isEmpty() || n.remoteRequiresReset || n.unclean || vm.failed || alloc.node(vm) == null
                    || !vm.runningOn.contains(alloc.node(vm))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Guests are fenced by stopping their container: possible wherever the container's host is
     * up or can itself be fenced, whatever stonith-enabled says.
     */
    static boolean canFenceGuest(Cluster c, SNode guest) {
        Rsc container = guest.connection == null ? null : guest.connection.container;
        if (container == null) {
            return false;
        }
        for (SNode host : container.runningOn) {
            if (!host.online && !c.canFence(host)) {
                return false;
            }
        }
        return true;
    }

    /**
     * A remote node's state once the transition has run: up exactly when its connection runs
     * then (a fenced or reset node whose connection is recovered is back up), with its own
     * standby or maintenance shown as for any node. A remote node whose connection is unmanaged
     * (is-managed=false, maintenance, maintenance-mode, or its host in maintenance) is itself in
     * maintenance, as Pacemaker marks it when unpacking, and shows so. A connection still failed
     * after the transition (unmanaged or blocked, so nobody recovers it) leaves its node offline,
     * maintenance or not: Pacemaker takes a remote node for online only while its connection is
     * started and not failed.
     */
    static String stateAfter(SNode n, String now, Placement connection) {
        if (connection == null || connection.nodes().isEmpty() || connection.failed()) {
            return "offline";
        }
        if (n.standby) {
            return "standby";
        }
        if (n.maintenanceAttribute || connection.unmanaged()) {
            return "maintenance";
        }
        return "online";
    }

    /**
     * Pacemaker's "failed" remote connection state: a connection that will not run again here
     * (not placed, or held down) while it sits on a lost cluster node or has failed. Whatever is
     * active on its remote node can then be stopped only by fencing the node, so the node is
     * marked unclean (its stops become implied by the fencing).
     */
    static void unrecoverableConnections(Cluster c, Allocation alloc) {
        for (SNode n : c.nodes()) {
            Rsc conn = n.connection;
            if (!n.isRemote() || n.isGuest() || conn == null || n.unclean || !conn.managed) {
                continue;
            }
            boolean down = alloc.node(conn) == null || conn.targetRole == Role.STOPPED;
            SNode host = conn.currentNode();
            boolean failed = host != null && host.unclean
                    || conn.failed && !(conn.targetRole == Role.STOPPED && conn.reconnectIntervalMs > 0 && n.remoteWasFenced
                            && !n.shutdown);
            if (!down || !failed) {
                continue;
            }
            for (Rsc r : c.byId().values()) {
                if (r.isPrimitive() && r.managed && r.runningOn.contains(n)) {
                    n.unclean = true;
                    n.online = false;
                    n.uncleanReason = "resources are active but connection is unrecoverable";
                    break;
                }
            }
        }
    }
}
