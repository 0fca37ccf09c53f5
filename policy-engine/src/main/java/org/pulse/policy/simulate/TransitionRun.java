package org.pulse.policy.simulate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.pulse.cib.inject.OpSpec;
import org.pulse.cib.inject.StatusInjector;
import org.pulse.cib.xml.XmlElement;
import org.pulse.policy.Action;
import org.pulse.policy.ParamDigest;
import org.pulse.policy.Transition;

/**
 * {@code crm simulate --run}: carries a transition out on the CIB as crm_simulate -S does, so the
 * result can be shown, saved (--save-output) and scheduled again.
 *
 * <p>Actions run as crm_simulate fires them: passes over the graph in id order, each action
 * as soon as its inputs are done. Each resource action records its result in the history (the expected rc: 7 for a probe
 * that finds the resource stopped, 8 for a promoted monitor), with the digest of the parameters
 * it ran with; fencing takes the node down and clears its history. An action named by --op-fail
 * returns that rc instead: its failure is recorded and counted, and, as a DC aborts a transition
 * on an unexpected result, no further action starts. Cancels, deletes and cluster events
 * (shutdown, clear_failcount) leave no history, as in crm_simulate.
 */
final class TransitionRun {
    /** The CIB after the run; what ran, in order, as crm_simulate words it; the failed actions. */
    record Result(XmlElement cib, List<String> executed, List<String> failed) {
    }

    private TransitionRun() {
    }

    static Result apply(XmlElement cib, Transition t, List<OpSpec> opFails, long nowEpochS) {
        Map<Integer, Action> byId = new LinkedHashMap<>();
        for (Action a : t.actions()) {
            byId.put(a.id(), a);
        }
        Set<Integer> done = new HashSet<>();
        List<String> executed = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        // passes over the actions in id order, each firing whatever is ready at that moment (so an
        // action enabled earlier in the pass runs in it); once one failed, nothing more runs
        boolean progress = true;
        while (progress) {
            progress = false;
            for (Action a : byId.values()) {
                if (done.contains(a.id()) || !done.containsAll(a.inputs().stream().filter(byId::containsKey).toList())) {
                    continue;
                }
                if (!failed.isEmpty() && !a.pseudo()) {
                    continue;
                }
                done.add(a.id());
                progress = true;
                if (a.pseudo()) {
                    continue;
                }
                if ("stonith".equals(a.operation())) {
                    cib = StatusInjector.nodeDown(cib, a.node());
                    executed.add("Fencing " + a.node() + " (" + a.params().getOrDefault("CRM_meta_stonith_action", "reboot") + ")");
                    continue;
                }
                if (a.resource() == null || !"rsc_op".equals(a.kind()) || List.of("cancel", "delete", "lrm_delete")
                        .contains(a.operation())) {
                    executed.add(Simulation.describe(a));
                    continue;
                }
                String lrmId = historyId(cib, a.resource());
                int expected = expectedRc(a);
                int rc = expected;
                for (OpSpec f : opFails) {
                    if (f.node().equals(a.node()) && f.task().equals(a.operation()) && f.intervalMs() == a.intervalMs()
                            && (f.resource().equals(a.resource()) || f.resource().equals(lrmId))) {
                        rc = f.rc();
                    }
                }
                OpSpec result = new OpSpec(lrmId, a.operation(), a.intervalMs(), a.node(), rc);
                cib = StatusInjector.recordResult(cib, result, expected, digest(a), nowEpochS);
                executed.add("Resource action: " + a.resource() + " " + a.operation()
                        + (a.intervalMs() > 0 ? "=" + a.intervalMs() : "") + " on " + a.node()
                        + (rc != expected ? " (failed: rc=" + rc + ", expected " + expected + ")" : ""));
                if (rc != expected) {
                    failed.add(result.toString());
                }
            }
        }
        return new Result(cib, executed, failed);
    }

    /** The rc the action is expected to return (Pacemaker puts it in CRM_meta_op_target_rc). */
    private static int expectedRc(Action a) {
        String target = a.params().get("CRM_meta_op_target_rc");
        if (target != null) {
            try {
                return Integer.parseInt(target);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
        return "monitor".equals(a.operation()) && a.intervalMs() > 0 && "Promoted".equals(a.role()) ? 8 : 0;
    }

    /** The digest Pacemaker records: the agent's parameters, plus the timeout for recurring operations. */
    private static String digest(Action a) {
        Map<String, String> p = new LinkedHashMap<>();
        a.params().forEach((k, v) -> {
            if (!k.startsWith("CRM_meta_")) {
                p.put(k, v);
            }
        });
        if (a.intervalMs() > 0 && a.params().containsKey("CRM_meta_timeout")) {
            p.put("CRM_meta_timeout", a.params().get("CRM_meta_timeout"));
        }
        return ParamDigest.of(p);
    }

    /**
     * The id the history keeps for this resource: an instance of a globally-unique clone keeps
     * its ":N", an instance of an anonymous clone is recorded under the primitive's id.
     */
    static String historyId(XmlElement cib, String resource) {
        if (!resource.matches(".*:\\d+$")) {
            return resource;
        }
        String base = resource.replaceAll(":\\d+$", "");
        Optional<XmlElement> clone = cib.element("configuration").flatMap(c -> c.element("resources"))
                .flatMap(r -> parentClone(r, base, null));
        boolean unique = clone.map(c -> c.elements("meta_attributes").stream().flatMap(m -> m.elements("nvpair").stream())
                .anyMatch(n -> "globally-unique".equals(n.attr("name")) && "true".equalsIgnoreCase(n.attr("value"))))
                .orElse(false);
        return unique ? resource : base;
    }

    private static Optional<XmlElement> parentClone(XmlElement e, String primitive, XmlElement clone) {
        for (XmlElement c : e.elements()) {
            XmlElement inClone = c.name().equals("clone") || c.name().equals("master") ? c : clone;
            if (c.name().equals("primitive") && primitive.equals(c.id())) {
                return Optional.ofNullable(clone);
            }
            Optional<XmlElement> f = parentClone(c, primitive, inClone);
            if (f.isPresent()) {
                return f;
            }
        }
        return Optional.empty();
    }
}
