package org.pulse.crmd.controller;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.model.Durations;
import org.pulse.cib.model.LrmResource;
import org.pulse.cib.model.NodeState;

/**
 * Pacemaker's {@code priority-fencing-delay} cluster property: in a split where this partition
 * does not hold more than half of the nodes, fencing a lost node whose resources weigh the most
 * (the sum of their {@code priority} meta attributes; a promoted instance counts one more) waits
 * this long, so the side that runs what matters wins the fence race and the service need not move.
 * Unlike a per-node {@code pcmk_delay_base} it follows the service, and it costs nothing when a
 * node simply dies in a larger cluster. Pure: the CIB (its status says what ran where before the
 * split), the voters and the view in, a delay out.
 */
final class PriorityFencingDelay {
    private PriorityFencingDelay() {
    }

    static FenceDelay.Delay of(Cib cib, List<String> voters, View view, String target) {
        String text = Cibs.property(cib, "priority-fencing-delay", null);
        if (text == null || text.isBlank()) {
            return new FenceDelay.Delay(0, "");
        }
        long delayMs = Durations.parseMs(text, -1);
        if (delayMs < 0) {
            return new FenceDelay.Delay(0, "priority-fencing-delay '" + text + "' is not a duration (e.g. 15s):"
                    + " ignored; ");
        }
        if (delayMs == 0 || view.contains(target) || view.members().size() * 2 > voters.size()) {
            // A member (a failed stop) or a node lost by a majority: no fence race to win.
            return new FenceDelay.Delay(0, "");
        }
        Map<String, Integer> priority = nodePriorities(cib);
        int top = Integer.MIN_VALUE;
        int low = Integer.MAX_VALUE;
        for (String n : voters) {
            int p = priority.getOrDefault(n, 0);
            top = Math.max(top, p);
            low = Math.min(low, p);
        }
        int mine = priority.getOrDefault(target, 0);
        if (top == low || mine < top) {
            return new FenceDelay.Delay(0, "");
        }
        return new FenceDelay.Delay(delayMs, "priority-fencing-delay=" + text + ": " + target
                + " runs the resources of highest priority (" + mine + "); ");
    }

    /** The sum of the priorities of what may run on each node, from the status section. */
    static Map<String, Integer> nodePriorities(Cib cib) {
        // each primitive's priority: its own meta attribute, else its group's or clone's (inherited)
        Map<String, Integer> resourcePriority = new HashMap<>();
        for (Primitive p : Cibs.primitives(cib).values()) {
            resourcePriority.put(p.id(), parse(p.meta().get("priority"), 0));
        }
        Map<String, Integer> out = new HashMap<>();
        for (Map.Entry<String, NodeState> ns : cib.statusView().nodes().entrySet()) {
            int sum = 0;
            for (LrmResource res : ns.getValue().resources()) {
                if (!res.possiblyActive() || "stonith".equals(res.cls())) {
                    continue;
                }
                String id = res.id();
                int colon = id.indexOf(':');
                int p = resourcePriority.getOrDefault(colon < 0 ? id : id.substring(0, colon), 0);
                sum += p + (res.promoted() ? 1 : 0);
            }
            out.put(ns.getKey(), sum);
        }
        return out;
    }

    private static int parse(String text, int fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
