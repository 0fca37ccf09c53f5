package org.pulse.crmd.controller;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.pulse.cib.Cib;
import org.pulse.cib.model.Durations;
import org.pulse.cib.model.LrmOp;
import org.pulse.cib.model.LrmResource;
import org.pulse.cib.model.NodeState;
import org.pulse.cib.xml.XmlElement;

/**
 * Remote nodes as the DC routes to them, as pure functions of the CIB: a remote node is made by an
 * {@code ocf:pacemaker:remote} primitive whose id is the node's name (Pacemaker's rule); the cluster member
 * where that connection resource runs is the router of every action on the node: the DC sends the action
 * there, that member's crmd relays it to the node's pulse-remoted and reports the result, which the DC
 * records under the remote node's own node_state ({@code remote_node="true"}).
 */
final class RemoteRouting {
    static final String PROVIDER = "pacemaker";
    static final String TYPE = "remote";

    private RemoteRouting() {
    }

    /** Whether an agent is a remote node's connection (its operations are the connection itself). */
    static boolean isConnection(AgentSpec a) {
        return "ocf".equals(a.cls()) && PROVIDER.equals(a.provider()) && TYPE.equals(a.type());
    }

    /**
     * The remote nodes: every connection primitive's id, every guest node (a primitive's meta remote-node: its
     * connection is the policy engine's implicit one, named after the guest), and every node_state marked
     * remote_node.
     */
    static Set<String> names(Cib cib) {
        Set<String> out = new TreeSet<>();
        for (Map.Entry<String, Primitive> e : Cibs.primitives(cib).entrySet()) {
            if (isConnection(e.getValue().agent())) {
                out.add(e.getKey());
            }
        }
        out.addAll(guests(cib).keySet());
        for (Map.Entry<String, NodeState> ns : cib.statusView().nodes().entrySet()) {
            if ("true".equals(ns.getValue().attributes().get("remote_node"))) {
                out.add(ns.getKey());
            }
        }
        return out;
    }

    /**
     * Guest nodes: name → the resource that contains it (a VM, a container), as the policy engine finds them
     * (meta remote-node on a primitive, not naming the primitive itself).
     */
    static Map<String, String> guests(Cib cib) {
        Map<String, String> out = new java.util.TreeMap<>();
        for (Map.Entry<String, Primitive> e : Cibs.primitives(cib).entrySet()) {
            String name = e.getValue().meta().get("remote-node");
            if (name != null && !name.isEmpty() && !name.equals(e.getKey())) {
                out.putIfAbsent(name, e.getKey());
            }
        }
        return out;
    }

    /** Whether {@code node} (not a member of the view: asked only then, it reads the configuration) is remote. */
    static boolean isRemote(Cib cib, String node) {
        return names(cib).contains(node);
    }

    /**
     * The member of {@code view} that holds {@code remoteNode}'s connection now, as the status says (the DC
     * records the connection's start before anything ordered after it is dispatched), or null when no member
     * does. During a migration of the connection both ends hold it: the target (migrate_from) wins, since what
     * the engine orders after the migration goes over the new connection.
     */
    static String router(Cib cib, String remoteNode, View view) {
        String found = null;
        for (String node : cib.statusView().runningOn(remoteNode)) {
            if (!view.contains(node)) {
                continue;
            }
            Optional<LrmResource> h = cib.statusView().history(node, remoteNode);
            LrmOp last = h.map(LrmResource::last).orElse(null);
            if (last != null && "migrate_to".equals(last.operation())) {
                found = found == null ? node : found;
                continue;
            }
            return node;
        }
        return found;
    }

    /**
     * The plan with every action on a remote node ordered after the start (or migrate_from) of that node's
     * connection in the same plan, as Pacemaker orders them: the action needs the connection it is relayed
     * over (the policy engine re-issues a remote node's monitors when its connection moves, and orders them
     * after nothing). Stops and demotes stay as they are (they run over the connection the node has now,
     * before it moves); so does an action the connection's start itself comes after (no cycle).
     */
    static TransitionPlan afterConnections(TransitionPlan plan, Set<String> remote) {
        if (remote.isEmpty()) {
            return plan;
        }
        Map<String, Integer> connectionStart = new java.util.HashMap<>();
        Map<Integer, PlannedAction> byId = new java.util.HashMap<>();
        for (PlannedAction a : plan.actions()) {
            byId.put(a.id(), a);
            if (!a.isFence() && remote.contains(a.resourceId())
                    && (a.operation().equals("start") || a.operation().equals("migrate_from"))) {
                connectionStart.put(a.resourceId(), a.id());
            }
        }
        if (connectionStart.isEmpty()) {
            return plan;
        }
        java.util.List<PlannedAction> out = new java.util.ArrayList<>();
        boolean changed = false;
        for (PlannedAction a : plan.actions()) {
            Integer start = a.isFence() ? null : connectionStart.get(a.node());
            if (start == null || a.inputs().contains(start) || Set.of("stop", "demote", "migrate_to", "pseudo")
                    .contains(a.operation()) || comesAfter(byId, start, a.id())) {
                out.add(a);
                continue;
            }
            java.util.List<Integer> inputs = new java.util.ArrayList<>(a.inputs());
            inputs.add(start);
            out.add(new PlannedAction(a.id(), a.node(), a.resourceId(), a.agent(), a.operation(), a.intervalMs(),
                    a.timeoutMs(), a.params(), a.expectedRc(), inputs, a.fenceTarget()));
            changed = true;
        }
        return changed ? new TransitionPlan(plan.source(), out, plan.unclean()) : plan;
    }

    /** Whether action {@code id} comes (transitively) after action {@code before} in the plan. */
    private static boolean comesAfter(Map<Integer, PlannedAction> byId, int id, int before) {
        java.util.Deque<Integer> todo = new java.util.ArrayDeque<>(java.util.List.of(id));
        Set<Integer> seen = new java.util.HashSet<>();
        while (!todo.isEmpty()) {
            PlannedAction a = byId.get(todo.pop());
            if (a == null || !seen.add(a.id())) {
                continue;
            }
            for (int in : a.inputs()) {
                if (in == before) {
                    return true;
                }
                todo.push(in);
            }
        }
        return false;
    }

    /**
     * When (epoch ms) the first remote connection that was lost and has reconnect_interval may be connected again,
     * if that is after {@code nowMs}; else -1. The policy engine keeps such a connection stopped until
     * reconnect_interval has passed since its failure; nothing else would make the DC schedule then, so it sets a
     * timer for this time (as Pacemaker's scheduler sets the next recheck), not waiting for cluster-recheck-interval.
     */
    static long nextReconnectAtMs(Cib cib, long nowMs) {
        long first = -1;
        for (Map.Entry<String, Primitive> e : Cibs.primitives(cib).entrySet()) {
            if (!isConnection(e.getValue().agent())) {
                continue;
            }
            long intervalMs = Durations.parseMs(e.getValue().params().get("reconnect_interval"), 0);
            if (intervalMs <= 0) {
                continue;
            }
            for (String node : cib.statusView().nodes().keySet()) {
                LrmOp failed = cib.statusView().history(node, e.getKey()).map(LrmResource::lastFailure).orElse(null);
                if (failed == null) {
                    continue;
                }
                long at = failed.lastRcChange() * 1000 + intervalMs;
                if (at > nowMs && (first < 0 || at < first)) {
                    first = at;
                }
            }
        }
        return first;
    }

    /** A remote (or guest) node fenced: node_fenced="1" until its connection starts again (see {@link #connected}). */
    static XmlElement markedFenced(XmlElement root, String node) {
        return Cibs.updateNodeState(root, node, ns -> Cibs.withAttrs(ns, "remote_node", "true", "node_fenced", "1"));
    }

    /**
     * A remote node whose connection started: node_fenced="0" (when its node_state says anything about it), and a
     * shutdown it asked for is over (its shutdown attribute goes, as Pacemaker's controller purges a remote node's
     * transient attributes when it connects), so that it may run resources again.
     */
    static XmlElement connected(XmlElement root, String node) {
        XmlElement ns = Cibs.nodeState(root, node).orElse(null);
        boolean fencedMark = ns != null && ns.attr("node_fenced") != null;
        boolean shutdown = ns != null && Cibs.transientAttributes(ns).containsKey("shutdown");
        if (!fencedMark && !shutdown) {
            return root;
        }
        return Cibs.updateNodeState(root, node, s -> {
            XmlElement out = fencedMark ? Cibs.withAttrs(s, "node_fenced", "0") : s;
            return shutdown ? Cibs.withTransientAttribute(out, node, "shutdown", null) : out;
        });
    }

    /** The root with {@code node}'s node_state marked as a remote node's, as Pacemaker's controller keeps it. */
    static XmlElement markedRemote(XmlElement root, String node) {
        return Cibs.updateNodeState(root, node, ns -> Cibs.withAttrs(ns, "remote_node", "true"));
    }
}
