package org.pulse.cib;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.xml.XmlElement;

/**
 * The status section's checks: one node_state per node id, and operation history entries whose
 * fields the scheduler reads as numbers.
 */
final class StatusChecks {
    /** Operation history fields the scheduler reads as whole numbers. */
    private static final List<String> OP_NUMBERS = List.of(
            "call-id", "rc-code", "op-status", "interval", "last-rc-change", "last-run", "exec-time", "queue-time");

    private StatusChecks() {
    }

    static void status(CheckContext c, XmlElement status) {
        Map<String, XmlElement> seen = new HashMap<>();
        for (XmlElement n : status.elements("node_state")) {
            for (XmlElement lrm : n.elements("lrm")) {
                for (XmlElement rscs : lrm.elements("lrm_resources")) {
                    for (XmlElement rsc : rscs.elements("lrm_resource")) {
                        for (XmlElement op : rsc.elements("lrm_rsc_op")) {
                            history(c, op, n);
                        }
                    }
                }
            }
            if (n.id() == null) {
                c.error(n, n.attr("uname"), "a <node_state> has no id", "add the node's id (as in the nodes section)");
                continue;
            }
            XmlElement first = seen.putIfAbsent(n.id(), n);
            if (first != null) {
                c.error(n, n.id(), "two <node_state> entries for node id '" + n.id() + "'",
                        "remove one; the status holds one node_state per node");
            }
        }
    }

    /**
     * An operation result as crmd records it: a wrong value here would make the scheduler
     * misread what ran where (a resource's history is how it knows).
     */
    static void history(CheckContext c, XmlElement op, XmlElement nodeState) {
        String here = op.id() != null ? op.id() : nodeState.id();
        if (op.attr("operation") == null) {
            c.error(op, here, "<lrm_rsc_op> on node " + nodeState.attr("uname", nodeState.id()) + " has no operation",
                    "add operation=\"start\" (or the action it records) or remove the entry; crmd writes these itself");
        }
        for (String attr : OP_NUMBERS) {
            String v = op.attr(attr);
            if (v != null && !CibValidator.INTEGER.matcher(v.strip()).matches()) {
                c.error(op, here, attr + "=\"" + v + "\" in the operation history is not a whole number",
                        "correct it or remove the entry (crmd records the next result afresh)");
            }
        }
    }
}
