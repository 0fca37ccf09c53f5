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
 * Fencing: the DC fences what the policy engine's transition fences, so the
 * nodes the DC's decided plan fences are compared with the engine's. Probes and no-quorum handling are the
 * engine's alone (the DC runs its transition; the replay of saved inputs checks it).
 *
 * <p>Everything is read from the input itself, as the policy engine reads it: the DC is dc-uuid; quorum is
 * have-quorum.
 * Operator-requested fencing (crm node fence) is not in the CIB and not compared. Pure; for tests and tools.
 */
public final class DecisionParity {
    private DecisionParity() {
    }

    /** The disagreements, each a line for a person; empty when both decide the same. */
    public record Result(List<String> fencing) {
        public Result {
            fencing = List.copyOf(fencing);
        }

        public boolean agree() {
            return fencing.isEmpty();
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
        boolean quorate = "1".equals(root.attr("have-quorum")) || "true".equals(root.attr("have-quorum"));
        String policy = Cibs.noQuorumPolicy(input);

        Set<String> peFence = new TreeSet<>();
        for (Action a : t.actions()) {
            if (!a.pseudo() && "stonith".equals(a.operation())) {
                peFence.add(a.node());
            }
        }

        List<String> fencing = new ArrayList<>();
        Set<String> dcFence = new TreeSet<>(decided.fenceTargets());
        Set<String> peFenceOthers = new TreeSet<>(peFence);
        // Fencing of the partition itself for no-quorum-policy=suicide: each member takes itself down instead.
        boolean suicide = !quorate && policy.equals("suicide");
        if (!suicide && !dcFence.equals(peFenceOthers)) {
            // Which side fences more says which rule is missing where: kept in the text for the counts.
            fencing.add("fence: only the DC " + minus(dcFence, peFenceOthers) + ", only policy engine "
                    + minus(peFenceOthers, dcFence));
        }
        return new Result(fencing);
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> out = new TreeSet<>(a);
        out.removeAll(b);
        return out;
    }
}
