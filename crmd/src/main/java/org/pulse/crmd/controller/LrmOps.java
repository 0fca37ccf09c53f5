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

    /**
     * Fencing actions go to the fencing history, not a resource's history; a cancel leaves no entry either, nor
     * does a notification: as in Pacemaker's controller, a notify says nothing about the resource's state, and
     * recorded as its last operation it hid the start before it (NotifyHistoryTest).
     */
    static boolean recordable(OpResult r) {
        if (r.action().equals("cancel") || r.action().equals("notify")) {
            return false;
        }
        // A fence device's history is its start, stop and monitors; fencing actions and the fencer's
        // list/status queries are the fencer's business (kept in the fence history), as in Pacemaker.
        return !(r.agent().isStonith() && isFencerAction(r.action()));
    }

    /** An action of a fence agent that is not resource management: off, reboot, on, list, status, or a pcmk_*_action name. */
    static boolean isFencerAction(String action) {
        return !(action.equals("start") || action.equals("stop") || action.equals("monitor")
                || action.equals("meta-data"));
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
            // One-shot actions other than probes are preceded by cancelling the recurring monitors. The last failure
            // stays (a failed monitor's record too), as in Pacemaker: crm status shows why, and the policy engine
            // reads when (a lost remote connection's reconnect_interval counts from it).
            res = res.withoutChildren(e -> e.name().equals("lrm_rsc_op") && !"0".equals(e.attr("interval", "0"))
                    && !e.id().endsWith("_last_failure_0"));
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
}
