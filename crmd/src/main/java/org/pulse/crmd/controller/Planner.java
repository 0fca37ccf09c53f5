package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;

/**
 * The DC's own decisions around the policy engine, in the order they must be taken (DESIGN.md
 * §4): first fence the nodes that may still run something, then probe what new members run,
 * then — only with quorum — let the policy engine place resources; its plan is filtered so that
 * nothing starts where safety is not established. Pure functions of the CIB and the view.
 */
final class Planner {
    private Planner() {
    }

    /**
     * Nodes that must be fenced: members that left the view without a clean shutdown (their
     * node_state still expects them as members — any member may have been told to start
     * something by a DC that did not yet know it was cut off), nodes where a stop failed
     * (the resource's state there is unknown), and members that failed to join (join=pending,
     * still in the membership) while their history says something may be active there: what runs
     * there can be neither stopped nor started elsewhere until then (Pacemaker waits for
     * node-pending-timeout, by default for ever; Pulse fences at once, as Pacemaker's scheduler
     * fences an offline node thought to run a resource). One that runs nothing is only left out.
     * Never this node itself.
     */
    static List<String> nodesToFence(Cib cib, View view, String self) {
        List<String> out = new ArrayList<>();
        for (XmlElement ns : Cibs.nodeStates(cib.root())) {
            String node = ns.attr("uname", ns.id());
            if (node == null || node.equals(self)) {
                continue;
            }
            boolean pending = !view.contains(node) && "pending".equals(ns.attr("join"))
                    && "true".equals(ns.attr("in_ccm"));
            boolean lostUnclean = !view.contains(node) && "member".equals(ns.attr("expected")) && !pending;
            boolean activeWhilePending = pending && Cibs.lrmResources(ns).stream().anyMatch(LrmOps::possiblyActive);
            boolean stopFailed = Cibs.lrmResources(ns).stream().anyMatch(LrmOps::stopFailed);
            if (lostUnclean || activeWhilePending || stopFailed) {
                out.add(node);
            }
        }
        return out;
    }

    /** Status after a node was fenced (or is known down): offline, expected down, no history, no transient attributes. */
    static XmlElement markFenced(XmlElement root, String node, long nowEpochSec) {
        return Cibs.updateNodeState(root, node, ns -> Cibs.withLrm(Cibs.withoutTransient(
                Cibs.withAttrs(ns, "in_ccm", "false", "crmd", "offline", "join", "down", "expected", "down",
                        "pulse-fenced", Long.toString(nowEpochSec))), Cibs.emptyLrm(node)));
    }

    static TransitionPlan fencePlan(List<String> targets, Primitive device, String executor, Cib cib,
            long defaultTimeoutMs) {
        List<PlannedAction> actions = new ArrayList<>();
        String action = Cibs.property(cib, "stonith-action", "reboot").strip().toLowerCase();
        if (!action.equals("off")) {
            action = "reboot";
        }
        long timeoutMs = Cibs.parseDurationMs(Cibs.property(cib, "stonith-timeout", null),
                Cibs.opTimeoutMs(cib, device.id(), "stonith", 0, Math.max(defaultTimeoutMs, 60_000)));
        int id = 0;
        for (String target : targets) {
            Map<String, String> params = new LinkedHashMap<>(device.params());
            params.put("port", target);
            params.put("plug", target);
            params.put("nodename", target);
            actions.add(new PlannedAction(id++, executor, device.id(), device.agent(), action, 0, timeoutMs, params, 0,
                    List.of(), target));
        }
        return new TransitionPlan("fencing", actions);
    }

    /** Resources held back because they may be running on a node that cannot be fenced. */
    static Map<String, String> blockedByUnfenceable(Cib cib, List<String> nodes, String why) {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, Set<String>> active = Cibs.possiblyActive(cib.root());
        for (Map.Entry<String, Set<String>> e : active.entrySet()) {
            for (String n : e.getValue()) {
                if (nodes.contains(n)) {
                    out.put(e.getKey(), "may still be active on " + n + ", which " + why);
                }
            }
        }
        return out;
    }

    /** A probe (monitor, interval 0) of every primitive on every member without a one-shot result for it. */
    static TransitionPlan probes(Cib cib, View view, long defaultTimeoutMs) {
        List<PlannedAction> actions = new ArrayList<>();
        Map<String, Primitive> prims = Cibs.primitives(cib);
        int id = 0;
        for (String node : view.members()) {
            Set<String> known = new HashSet<>();
            // Known means a one-shot result is on record: a cleanup racing with a recurring monitor can
            // leave only the monitor's entry, which does not say whether the resource runs.
            Cibs.nodeState(cib.root(), node).ifPresent(ns -> Cibs.lrmResources(ns).stream()
                    .filter(r -> LrmOps.last(r).isPresent()).forEach(r -> known.add(r.id())));
            for (Primitive p : prims.values()) {
                if (p.agent().isStonith() || known.contains(p.id())) {
                    continue;
                }
                long timeoutMs = Cibs.opTimeoutMs(cib, p.id(), "monitor", 0, defaultTimeoutMs);
                actions.add(new PlannedAction(id++, node, p.id(), p.agent(), "monitor", 0, timeoutMs, p.params(),
                        LrmOps.RC_NOT_RUNNING, List.of(), null));
            }
        }
        return new TransitionPlan("probes", actions);
    }

    /**
     * What a partition without quorum does, per no-quorum-policy: stop everything (stop),
     * demote promoted instances and stop the rest (demote), nothing (freeze). It never starts
     * anything. A resource whose stop already failed is left alone (it waits for fencing).
     */
    static TransitionPlan noQuorum(Cib cib, View view, String policy, long defaultTimeoutMs,
            Map<String, String> blocked) {
        List<PlannedAction> actions = new ArrayList<>();
        if (policy.equals("freeze") || policy.equals("ignore") || policy.equals("suicide")) {
            return new TransitionPlan("no-quorum-" + policy, actions);
        }
        Map<String, Primitive> prims = Cibs.primitives(cib);
        int id = 0;
        for (String node : view.members()) {
            var ns = Cibs.nodeState(cib.root(), node);
            if (ns.isEmpty()) {
                continue;
            }
            for (XmlElement res : Cibs.lrmResources(ns.get())) {
                if (!LrmOps.possiblyActive(res) || LrmOps.agentOf(res).isStonith()) {
                    continue;
                }
                if (LrmOps.stopFailed(res)) {
                    blocked.put(res.id(), "its stop failed on " + node + "; it waits for fencing, which needs quorum");
                    continue;
                }
                Primitive p = prims.get(res.id());
                boolean promotable = p != null && p.promotable();
                Map<String, String> params = p != null ? p.params() : Map.of();
                String op = policy.equals("demote") && promotable ? (LrmOps.promoted(res) ? "demote" : null) : "stop";
                if (op == null) {
                    continue;
                }
                long timeoutMs = Cibs.opTimeoutMs(cib, res.id(), op, 0, defaultTimeoutMs);
                actions.add(new PlannedAction(id++, node, res.id(), LrmOps.agentOf(res), op, 0, timeoutMs, params,
                        0, List.of(), null));
            }
        }
        return new TransitionPlan("no-quorum-" + policy, inGroupOrder(cib, actions));
    }

    /**
     * A group stops in reverse order, also when quorum is lost: each member's stop (or demote)
     * waits for that of the member after it on the same node, so httpd has let go of the
     * filesystem before it is unmounted and the address goes last.
     */
    static List<PlannedAction> inGroupOrder(Cib cib, List<PlannedAction> actions) {
        Map<String, String> nextMember = new HashMap<>();
        collectGroups(Cibs.section(cib.root(), "resources"), nextMember);
        Map<String, PlannedAction> byResourceAndNode = new HashMap<>();
        for (PlannedAction a : actions) {
            byResourceAndNode.put(baseId(a.resourceId()) + "\u0000" + a.node(), a);
        }
        List<PlannedAction> out = new ArrayList<>(actions.size());
        for (PlannedAction a : actions) {
            String next = nextMember.get(baseId(a.resourceId()));
            PlannedAction after = next == null ? null : byResourceAndNode.get(next + "\u0000" + a.node());
            if (after == null) {
                out.add(a);
                continue;
            }
            List<Integer> inputs = new ArrayList<>(a.inputs());
            inputs.add(after.id());
            out.add(new PlannedAction(a.id(), a.node(), a.resourceId(), a.agent(), a.operation(), a.intervalMs(),
                    a.timeoutMs(), a.params(), a.expectedRc(), inputs, a.fenceTarget()));
        }
        return out;
    }

    private static void collectGroups(XmlElement parent, Map<String, String> nextMember) {
        for (XmlElement e : parent.elements()) {
            if (e.name().equals("group")) {
                List<XmlElement> members = e.elements("primitive");
                for (int i = 0; i + 1 < members.size(); i++) {
                    nextMember.put(members.get(i).id(), members.get(i + 1).id());
                }
            } else if (e.name().equals("clone") || e.name().equals("master")) {
                collectGroups(e, nextMember);
            }
        }
    }

    /** A clone instance's history id ("web:1") names the primitive "web". */
    private static String baseId(String resourceId) {
        int colon = resourceId.indexOf(':');
        return colon < 0 ? resourceId : resourceId.substring(0, colon);
    }

    /**
     * The policy engine's plan minus what must not run: actions for nodes outside the view, and
     * actions that would make a blocked resource active (it may still run on an unfenced node);
     * whatever depends on a removed action goes too. Fencing actions run on the DC.
     */
    static TransitionPlan filter(TransitionPlan plan, View view, String self, Map<String, String> blocked,
            Map<String, String> removedWhy) {
        Map<Integer, PlannedAction> kept = new LinkedHashMap<>();
        Set<Integer> removed = new HashSet<>();
        for (PlannedAction a : plan.actions()) {
            if (a.isFence()) {
                kept.put(a.id(), new PlannedAction(a.id(), self, a.resourceId(), a.agent(), a.operation(),
                        a.intervalMs(), a.timeoutMs(), a.params(), a.expectedRc(), a.inputs(), a.fenceTarget()));
            } else if (!view.contains(a.node())) {
                removed.add(a.id());
                removedWhy.put(a.toString(), a.node() + " is not a member");
            } else if (a.activates() && blocked.containsKey(a.resourceId())) {
                removed.add(a.id());
                removedWhy.put(a.toString(), blocked.get(a.resourceId()));
            } else {
                kept.put(a.id(), a);
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (PlannedAction a : new ArrayList<>(kept.values())) {
                for (int input : a.inputs()) {
                    if (removed.contains(input)) {
                        kept.remove(a.id());
                        removed.add(a.id());
                        removedWhy.put(a.toString(), "it comes after an action that cannot run now");
                        changed = true;
                        break;
                    }
                }
            }
        }
        return new TransitionPlan(plan.source(), new ArrayList<>(kept.values()));
    }

    /** Resources possibly active on nodes outside the view: they must not start elsewhere. */
    static Map<String, String> activeOnNonMembers(Cib cib, View view) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, Set<String>> e : Cibs.possiblyActive(cib.root()).entrySet()) {
            for (String n : e.getValue()) {
                if (!view.contains(n)) {
                    out.put(e.getKey(), "may still be active on " + n + ", which left and was not fenced");
                }
            }
        }
        return out;
    }
}
