package org.pulse.policy;

import java.util.List;
import java.util.Map;

/**
 * One action of a transition, as the transition engine runs it.
 *
 * @param id          unique within the transition; inputs refer to it
 * @param operation   start, stop, monitor, promote, demote, notify, migrate_to, migrate_from,
 *                    cancel, clear_failcount, lrm_delete, stonith, do_shutdown
 * @param key         Pacemaker's operation key ("vip_monitor_10000"), or the operation for node actions
 * @param resource    the primitive's id (clone instances keep ":N"), or null for node actions
 * @param node        where it runs (for stonith: the node to fence)
 * @param intervalMs  recurring interval; 0 for one-shot actions (a monitor with 0 is a probe)
 * @param kind        "rsc_op", "crm_event" (fencing, shutdown, clear_failcount) or "pseudo_event"
 * @param params      the agent's parameters plus the CRM_meta_* the LRM needs (timeout, interval, ...)
 * @param inputs      ids of the actions that must complete first
 */
public record Action(int id, String operation, String key, String resource, String node, long intervalMs,
                     String role, String kind, Map<String, String> params, List<Integer> inputs) {
    public Action {
        // sorted and immutable, so the graph and every comparison are the same byte for byte
        params = ParamMap.of(params);
        inputs = List.copyOf(inputs);
    }

    public boolean pseudo() {
        return "pseudo_event".equals(kind);
    }
}
