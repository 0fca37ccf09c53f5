package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.policy.Action;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;

/**
 * org.pulse.policy's scheduler as the DC uses it: each policy Action becomes a PlannedAction with
 * its agent (from the configuration, or from the history for a resource no longer configured),
 * its expected rc and its timeout. Node-less actions (pseudo events, shutdown) and the DC's own
 * bookkeeping (clear_failcount, lrm_delete) keep their operation names; the DC completes them
 * itself. Fencing names the node to fence; the DC runs it through a fence device.
 */
public final class PolicyEngineScheduler implements Scheduler {
    @Override
    public TransitionPlan schedule(Cib cib, Instant now) {
        Transition t = PolicyEngine.schedule(cib.root(), now);
        Map<String, Primitive> prims = Cibs.primitives(cib, now);
        List<PlannedAction> out = new ArrayList<>();
        for (Action a : t.actions()) {
            out.add(convert(cib, prims, a));
        }
        Map<String, String> unclean = new LinkedHashMap<>();
        for (org.pulse.policy.NodeSummary n : t.nodes()) {
            if ("unclean".equals(n.state())) {
                unclean.put(n.name(), n.reason() == null ? "unclean" : n.reason());
            }
        }
        return new TransitionPlan(TransitionPlan.POLICY_ENGINE, out, unclean);
    }

    static PlannedAction convert(Cib cib, Map<String, Primitive> prims, Action a) {
        Map<String, String> params = new LinkedHashMap<>(a.params());
        long timeoutMs = Cibs.parseDurationMs(params.get("CRM_meta_timeout") == null ? null
                : params.get("CRM_meta_timeout") + "ms", 20_000);
        String node = a.node() == null ? "" : a.node();
        if ("stonith".equals(a.operation()) && a.pseudo()) {
            // A guest node's "fencing": its container's recovery does it; the DC completes this event and
            // records the guest as fenced (params keep CRM_meta_stonith_action, which says so).
            return new PlannedAction(a.id(), node, "", new AgentSpec("pseudo", null, "pseudo"), "pseudo", 0, timeoutMs,
                    params, 0, a.inputs(), null);
        }
        if ("stonith".equals(a.operation())) {
            String action = params.getOrDefault("CRM_meta_stonith_action", "reboot");
            // The DC picks the device and runs it; node names the target.
            return new PlannedAction(a.id(), node, "", new AgentSpec("stonith", null, ""), action, 0,
                    Math.max(timeoutMs, 60_000), params, 0, a.inputs(), node);
        }
        if (a.pseudo() || a.resource() == null) {
            String op = a.pseudo() ? "pseudo" : a.operation();
            return new PlannedAction(a.id(), node, a.resource() == null ? "" : a.resource(),
                    new AgentSpec("pseudo", null, "pseudo"), op, a.intervalMs(), timeoutMs, params, 0, a.inputs(), null);
        }
        String base = a.resource();
        Primitive p = prims.get(base);
        if (p == null && base.contains(":")) {
            p = prims.get(base.substring(0, base.indexOf(':')));
        }
        // A guest node's connection is not configured: the policy engine makes it (ocf:pacemaker:remote named after
        // the guest, as Pacemaker does), and its parameters come with the action.
        AgentSpec agent = p != null ? p.agent() : RemoteRouting.guests(cib).containsKey(base)
                ? new AgentSpec("ocf", RemoteRouting.PROVIDER, RemoteRouting.TYPE) : agentFromHistory(cib, node, base);
        int expected = 0;
        String target = params.get("CRM_meta_op_target_rc");
        if (target != null) {
            try {
                expected = Integer.parseInt(target);
            } catch (NumberFormatException e) {
                expected = 0;
            }
        } else if ("monitor".equals(a.operation())
                && ("Promoted".equals(a.role()) || "Master".equals(a.role()))) {
            expected = LrmOps.RC_RUNNING_PROMOTED;
        }
        return new PlannedAction(a.id(), node, base, agent, a.operation(), a.intervalMs(), timeoutMs, params,
                expected, a.inputs(), null);
    }

    private static AgentSpec agentFromHistory(Cib cib, String node, String resourceId) {
        var res = cib.statusView().history(node, resourceId);
        if (res.isPresent()) {
            return new AgentSpec(res.get().cls() == null ? "ocf" : res.get().cls(), res.get().provider(),
                    res.get().type() == null ? "" : res.get().type());
        }
        return new AgentSpec("ocf", "pulse", "Dummy");
    }
}
