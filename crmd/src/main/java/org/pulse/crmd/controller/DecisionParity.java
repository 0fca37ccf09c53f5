package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;
import org.pulse.policy.Action;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;

/**
 * Where the DC's decision and the policy engine's disagree on one input of the DC (issue 11: one decider).
 * Fencing: the DC fences what the policy engine's transition fences (but never itself: held back), so the
 * nodes the DC's decided plan fences are compared with the engine's. No-quorum handling is the engine's alone
 * (the DC runs its transition; replay checks it). Planner still decides probes before the policy engine is
 * asked; its probes are compared with what the policy engine probes on the same CIB, so that the switch can
 * be judged by counts rather than by hope.
 *
 * <p>Everything is read from the input itself, as the policy engine reads it: the DC's partition is the nodes
 * whose node_state says in_ccm=true, crmd=online, join=member; the DC is dc-uuid; quorum is have-quorum.
 * Operator-requested fencing (crm node fence) is not in the CIB and not compared. Pure; for tests and tools.
 */
public final class DecisionParity {
    private DecisionParity() {
    }

    /**
     * The disagreements per kind, each a line for a person; all empty when both decide the same.
     * {@code fenceDevices}: probes of fence devices, kept apart because they differ systematically: the policy
     * engine probes fence devices (as Pacemaker's does), Planner does not.
     */
    public record Result(List<String> fencing, List<String> probes, List<String> fenceDevices) {
        public Result {
            fencing = List.copyOf(fencing);
            probes = List.copyOf(probes);
            fenceDevices = List.copyOf(fenceDevices);
        }

        public boolean agree() {
            return fencing.isEmpty() && probes.isEmpty() && fenceDevices.isEmpty();
        }
    }

    /**
     * Compares on {@code input} (scheduled at {@code now}, or its execution-date when it has one) with the plan
     * the DC {@code decided} on it.
     */
    public static Result compare(Cib input, Instant now, TransitionPlan decided) {
        return compare(input, PolicyEngine.schedule(input.root(), now), decided);
    }

    /** As above, with the policy engine's transition for {@code input} already at hand. */
    public static Result compare(Cib input, Transition t, TransitionPlan decided) {
        XmlElement root = input.root();
        String self = root.attr("dc-uuid");
        List<String> members = new ArrayList<>();
        for (XmlElement ns : Cibs.nodeStates(root)) {
            if ("true".equals(ns.attr("in_ccm")) && "online".equals(ns.attr("crmd"))
                    && "member".equals(ns.attr("join"))) {
                members.add(ns.attr("uname", ns.id()));
            }
        }
        View view = new View("parity", members);
        boolean quorate = "1".equals(root.attr("have-quorum")) || "true".equals(root.attr("have-quorum"));
        String policy = Cibs.noQuorumPolicy(input);

        Set<String> devices = new TreeSet<>();
        Cibs.fenceDevices(input).forEach(d -> devices.add(d.id()));
        Set<String> peFence = new TreeSet<>();
        Set<String> peProbes = new TreeSet<>();
        Set<String> peDeviceProbes = new TreeSet<>();
        for (Action a : t.actions()) {
            if (a.pseudo()) {
                continue;
            }
            if ("stonith".equals(a.operation())) {
                peFence.add(a.node());
            } else if (a.resource() != null && "monitor".equals(a.operation()) && a.intervalMs() == 0) {
                (devices.contains(base(a.resource())) ? peDeviceProbes : peProbes).add(base(a.resource()) + " "
                        + a.node());
            }
        }

        List<String> fencing = new ArrayList<>();
        // The DC never fences itself (held back, documented in DcRole): not a difference.
        Set<String> dcFence = new TreeSet<>(decided.fenceTargets());
        dcFence.remove(self);
        Set<String> peFenceOthers = new TreeSet<>(peFence);
        peFenceOthers.remove(self);
        // Fencing of the partition itself for no-quorum-policy=suicide: each member takes itself down instead.
        boolean suicide = !quorate && policy.equals("suicide");
        if (!suicide && !dcFence.equals(peFenceOthers)) {
            // Which side fences more says which rule is missing where: kept in the text for the counts.
            fencing.add("fence: only the DC " + minus(dcFence, peFenceOthers) + ", only policy engine "
                    + minus(peFenceOthers, dcFence));
        }

        List<String> probes = new ArrayList<>();
        Set<String> plannerProbes = new TreeSet<>();
        for (PlannedAction a : Planner.probes(input, view, 20_000).actions()) {
            plannerProbes.add(base(a.resourceId()) + " " + a.node());
        }
        if (!plannerProbes.equals(peProbes)) {
            probes.add("probe: only Planner " + minus(plannerProbes, peProbes) + ", only policy engine "
                    + minus(peProbes, plannerProbes));
        }

        List<String> fenceDevices = new ArrayList<>();
        if (!peDeviceProbes.isEmpty()) {
            fenceDevices.add("fence-device probes only the policy engine makes: " + peDeviceProbes);
        }
        return new Result(fencing, probes, fenceDevices);
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }

    /** A clone instance ("web:1") is compared as its primitive ("web"): Planner probes primitives. */
    private static String base(String resource) {
        int colon = resource.indexOf(':');
        return colon < 0 ? resource : resource.substring(0, colon);
    }
}
