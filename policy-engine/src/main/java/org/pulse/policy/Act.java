package org.pulse.policy;

import java.util.ArrayList;
import java.util.List;

/** An action while the transition is being built; frozen into {@link Action} at the end. */
final class Act {
    final String op;
    final Rsc rsc;
    final SNode node;
    final long intervalMs;
    final String role;
    boolean pseudo;
    boolean runnable = true;
    String unrunnableReason;
    /** Why it is needed, in Pacemaker's words, where the summary says it ("resource definition change"). */
    String reason;
    /** Extra meta for the agent (notify type, migrate target...). */
    final java.util.Map<String, String> extra = new java.util.LinkedHashMap<>();
    /** Actions that must complete before this one. */
    final List<Act> inputs = new ArrayList<>();
    int id = -1;

    Act(String op, Rsc rsc, SNode node, long intervalMs, String role) {
        this.op = op;
        this.rsc = rsc;
        this.node = node;
        this.intervalMs = intervalMs;
        this.role = role;
    }

    /** Pacemaker's operation key: rsc_op_interval (or the op alone for node actions). */
    /** Set for actions whose key is not rsc_op_interval (notifications). */
    String keyOverride;

    String key() {
        if (keyOverride != null) {
            return keyOverride;
        }
        if (rsc == null) {
            return op;
        }
        return rsc.id + "_" + op + "_" + intervalMs;
    }

    void after(Act first) {
        if (first != null && first != this && !inputs.contains(first)) {
            inputs.add(first);
        }
    }

    @Override
    public String toString() {
        return op + " " + (rsc == null ? "" : rsc.id + " ") + (node == null ? "" : node.name);
    }
}
