package org.pulse.crmd.controller;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.pulse.cib.xml.XmlElement;

/**
 * The operation history of one resource on one node, as Pacemaker's {@code lrm_resource} holds
 * it: {@code R_last_0} (the last one-shot operation), {@code R_last_failure_0} (the last failure)
 * and one {@code R_monitor_<ms>} per recurring monitor. The node keeps it and reports it at join;
 * the DC writes it into the status section as results arrive.
 */
final class LrmOps {
    static final String OCF_SUCCESS = "0";
    static final int RC_SUCCESS = 0;
    static final int RC_NOT_RUNNING = 7;
    static final int RC_RUNNING_PROMOTED = 8;
    static final String MIGRATE_SOURCE = "CRM_meta_migrate_source";
    static final String MIGRATE_TARGET = "CRM_meta_migrate_target";

    private LrmOps() {
    }

    /** Fencing actions go to the fencing history, not a resource's history; a cancel leaves no entry either. */
    static boolean recordable(OpResult r) {
        if (r.action().equals("cancel")) {
            return false;
        }
        return !(r.agent().isStonith() && (r.action().equals("off") || r.action().equals("reboot")
                || r.action().equals("on")));
    }

    /** Whether a result is a failure of the operation, whatever the transition expected. */
    static boolean isFailure(OpResult r) {
        if (r.status() != OpStatus.DONE) {
            return r.status() != OpStatus.CANCELLED && r.status() != OpStatus.PENDING;
        }
        if (r.action().equals("monitor")) {
            if (r.intervalMs() == 0) {
                return r.rc() != RC_SUCCESS && r.rc() != RC_NOT_RUNNING && r.rc() != RC_RUNNING_PROMOTED;
            }
            return r.rc() != RC_SUCCESS && r.rc() != RC_RUNNING_PROMOTED;
        }
        return r.rc() != RC_SUCCESS;
    }

    static String opId(String resourceId, String action, long intervalMs) {
        return intervalMs > 0 ? resourceId + "_" + action + "_" + intervalMs : resourceId + "_last_0";
    }

    /** The lrm_resource after this result (base may be null for a resource without history). */
    static XmlElement record(XmlElement base, OpResult r, long callId, String node, long nowEpochSec, String opDigest) {
        return record(base, r, callId, node, nowEpochSec, opDigest, null);
    }

    /**
     * As above; {@code requestParams} (the operation's parameters, may be null) give a migration's
     * two nodes, kept as Pacemaker keeps them ({@code migrate_source}, {@code migrate_target} on
     * the entry): the policy engine reads them to tell a partial migration (migrate_to done, to
     * which target) from a resource simply running on the source.
     */
    static XmlElement record(XmlElement base, OpResult r, long callId, String node, long nowEpochSec, String opDigest,
            Map<String, String> requestParams) {
        XmlElement res = base != null ? base : newResource(r.resourceId(), r.agent());
        XmlElement op = opElement(opId(r.resourceId(), r.action(), r.intervalMs()), r, callId, node, nowEpochSec);
        if (opDigest != null) {
            op = op.withAttribute("op-digest", opDigest);
        }
        if (requestParams != null && (r.action().equals("migrate_to") || r.action().equals("migrate_from"))) {
            String source = requestParams.get(MIGRATE_SOURCE);
            String target = requestParams.get(MIGRATE_TARGET);
            if (source != null) {
                op = op.withAttribute("migrate_source", source);
            }
            if (target != null) {
                op = op.withAttribute("migrate_target", target);
            }
        }
        if (r.intervalMs() == 0 && !r.action().equals("monitor")) {
            // One-shot actions other than probes are preceded by cancelling the recurring monitors.
            res = res.withoutChildren(e -> e.name().equals("lrm_rsc_op") && !"0".equals(e.attr("interval", "0")));
        }
        if (r.status() == OpStatus.CANCELLED) {
            String cancelledId = op.id();
            return res.withoutChildren(e -> e.name().equals("lrm_rsc_op") && cancelledId.equals(e.id()));
        }
        XmlElement recorded = op;
        res = res.withChildReplaced(e -> e.name().equals("lrm_rsc_op") && recorded.id().equals(e.id()), recorded);
        if (isFailure(r)) {
            XmlElement failure = recorded.withAttribute("id", r.resourceId() + "_last_failure_0");
            res = res.withChildReplaced(e -> e.name().equals("lrm_rsc_op") && failure.id().equals(e.id()), failure);
        }
        return res;
    }

    /**
     * Whether an operation in flight is recorded as pending (record-pending). Only where pending says more
     * than the history before it: a start or promote (the resource may be active, or promoted, any moment)
     * and a probe (its state there is unknown). A pending stop, demote or migration would hide the record
     * that the resource is active there, and the policy engine takes a pending stop for nothing at all.
     */
    static boolean recordsPending(String action, long intervalMs) {
        return action.equals("start") || action.equals("promote") || (action.equals("monitor") && intervalMs == 0);
    }

    /** An in-flight operation, recorded as pending (op-status -1) so the DC treats it as possibly active. */
    static XmlElement recordPending(XmlElement base, OpRequest req, long callId, String node, long nowEpochSec) {
        OpResult pending = new OpResult(req.opKey(), req.resourceId(), req.agent(), req.action(), req.intervalMs(),
                193, OpStatus.PENDING, "", 0);
        return record(base, pending, callId, node, nowEpochSec, null);
    }

    static XmlElement newResource(String resourceId, AgentSpec agent) {
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("id", resourceId);
        attrs.put("type", agent.type());
        attrs.put("class", agent.cls());
        if (agent.provider() != null) {
            attrs.put("provider", agent.provider());
        }
        return new XmlElement("lrm_resource", attrs, java.util.List.of());
    }

    private static XmlElement opElement(String id, OpResult r, long callId, String node, long nowEpochSec) {
        return Cibs.withAttrs(XmlElement.of("lrm_rsc_op"),
                "id", id,
                "operation_key", r.resourceId() + "_" + r.action() + "_" + r.intervalMs(),
                "operation", r.action(),
                "crm-debug-origin", "pulse",
                "transition-key", r.opKey(),
                "on_node", node,
                "call-id", Long.toString(callId),
                "rc-code", Integer.toString(r.rc()),
                "op-status", Integer.toString(r.status().code()),
                "interval", Long.toString(r.intervalMs()),
                "last-rc-change", Long.toString(nowEpochSec),
                "exec-time", Long.toString(r.execMs()),
                "exit-reason", r.exitReason());
    }

    static Optional<XmlElement> op(XmlElement res, String id) {
        for (XmlElement op : res.elements("lrm_rsc_op")) {
            if (id.equals(op.id())) {
                return Optional.of(op);
            }
        }
        return Optional.empty();
    }

    static Optional<XmlElement> last(XmlElement res) {
        return op(res, res.id() + "_last_0");
    }

    static AgentSpec agentOf(XmlElement res) {
        return new AgentSpec(res.attr("class", "ocf"), res.attr("provider"), res.attr("type", ""));
    }

    private static int rc(XmlElement op) {
        try {
            return Integer.parseInt(op.attr("rc-code", "1"));
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    private static int opStatus(XmlElement op) {
        try {
            return Integer.parseInt(op.attr("op-status", "4"));
        } catch (NumberFormatException e) {
            return 4;
        }
    }

    private static boolean anyPending(XmlElement res) {
        for (XmlElement op : res.elements("lrm_rsc_op")) {
            if (opStatus(op) == OpStatus.PENDING.code() && !op.id().endsWith("_last_failure_0")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the resource may be active on the node: everything but a clean stop, a probe that
     * found it not running, or no history at all counts as possibly active — a failed start or
     * stop leaves it in an unknown state, and unknown must be treated as running.
     */
    static boolean possiblyActive(XmlElement res) {
        if (anyPending(res)) {
            return true;
        }
        Optional<XmlElement> last = last(res);
        if (last.isEmpty()) {
            // Only recurring entries (should not happen) still mean something ran.
            return !res.elements("lrm_rsc_op").isEmpty()
                    && res.elements("lrm_rsc_op").stream().anyMatch(o -> !o.id().endsWith("_last_failure_0"));
        }
        XmlElement op = last.get();
        boolean done = opStatus(op) == OpStatus.DONE.code();
        String action = op.attr("operation", "");
        if (action.equals("stop")) {
            return !(done && rc(op) == RC_SUCCESS);
        }
        if (action.equals("monitor")) {
            return !(done && rc(op) == RC_NOT_RUNNING);
        }
        return true;
    }

    /** A stop that did not succeed: the resource's state is unknown and the node must be fenced. */
    static boolean stopFailed(XmlElement res) {
        Optional<XmlElement> last = last(res);
        return last.isPresent() && last.get().attr("operation", "").equals("stop")
                && !(opStatus(last.get()) == OpStatus.DONE.code() && rc(last.get()) == RC_SUCCESS)
                && opStatus(last.get()) != OpStatus.PENDING.code();
    }

    /** Running promoted according to the latest of its one-shot op and its recurring monitors. */
    static boolean promoted(XmlElement res) {
        XmlElement latest = null;
        long latestCall = -1;
        for (XmlElement op : res.elements("lrm_rsc_op")) {
            if (op.id().endsWith("_last_failure_0")) {
                continue;
            }
            long call = Long.parseLong(op.attr("call-id", "0"));
            if (call > latestCall) {
                latestCall = call;
                latest = op;
            }
        }
        if (latest == null || opStatus(latest) != OpStatus.DONE.code()) {
            return false;
        }
        String action = latest.attr("operation", "");
        return (action.equals("promote") && rc(latest) == RC_SUCCESS) || rc(latest) == RC_RUNNING_PROMOTED;
    }
}
