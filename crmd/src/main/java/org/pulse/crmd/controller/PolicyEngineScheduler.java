package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.model.Durations;
import org.pulse.policy.Action;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.ResolvedPrimitive;
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
        return plan(cib, PolicyEngine.schedule(cib.root(), now), now);
    }

    /** What the DC runs for the engine's transition {@code t} of {@code cib} (scheduled at {@code now}). */
    static TransitionPlan plan(Cib cib, Transition t, Instant now) {
        Agents agents = new Agents(cib, now);
        List<PlannedAction> out = new ArrayList<>();
        for (Action a : t.actions()) {
            out.add(convert(cib, agents, a));
        }
        Map<String, String> unclean = new LinkedHashMap<>();
        for (org.pulse.policy.NodeSummary n : t.nodes()) {
            if ("unclean".equals(n.state())) {
                unclean.put(n.name(), n.reason() == null ? "unclean" : n.reason());
            }
        }
        return new TransitionPlan(TransitionPlan.POLICY_ENGINE, out, unclean);
    }

    static PlannedAction convert(Cib cib, Agents agents, Action a) {
        Map<String, String> params = new LinkedHashMap<>(a.params());
        long timeoutMs = Durations.parseMs(params.get("CRM_meta_timeout") == null ? null
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
        AgentSpec agent = agents.of(base, node);
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

    /**
     * The agent of each resource an engine action names: crmd's reading of the configuration; for a resource the
     * engine made itself (a guest's connection, ocf:pacemaker:remote named after the guest; a bundle's containers,
     * addresses and connections) the engine's reading of the same CIB, read only when an action names one; for an
     * orphan, its history. A bundle's container once ran as the history's agent, or as ocf:pulse:Dummy.
     */
    static final class Agents {
        private final Cib cib;
        private final Instant at;
        private final Map<String, Primitive> configured;
        private Map<String, ResolvedPrimitive> engineMade;

        Agents(Cib cib, Instant at) {
            this.cib = cib;
            this.at = at;
            this.configured = Cibs.primitives(cib, at);
        }

        AgentSpec of(String resourceId, String node) {
            // clone instances ("rsc:2") run their primitive's agent
            String base = resourceId.contains(":") ? resourceId.substring(0, resourceId.indexOf(':')) : resourceId;
            Primitive p = configured.containsKey(resourceId) ? configured.get(resourceId) : configured.get(base);
            if (p != null) {
                return p.agent();
            }
            if (engineMade == null) {
                engineMade = PolicyEngine.resolvedPrimitives(cib.model(), at);
            }
            ResolvedPrimitive e = engineMade.get(base);
            if (e != null) {
                return new AgentSpec(e.cls() == null ? "ocf" : e.cls(), e.provider(), e.type() == null ? "" : e.type());
            }
            return agentFromHistory(cib, node, resourceId);
        }
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
