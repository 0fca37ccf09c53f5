package org.pulse.crmd.controller;

import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.model.LrmOp;
import org.pulse.cib.model.LrmResource;
import org.pulse.cib.xml.XmlElement;

/**
 * What the DC writes into the status section when an operation ends, one concern of {@link DcRole}
 * as pure functions: the node's lrm history with the result, the fail count a failure adds, and the
 * result the DC records itself for an action whose timer popped. DcRole commits what they return.
 */
final class StatusRecords {
    private StatusRecords() {
    }

    /** The root with one operation's result (or pending state) in {@code node}'s history, and its fail count. */
    static XmlElement withResult(XmlElement root, String node, OpResult r, long callId, String opDigest,
            Map<String, String> params, long nowSec) {
        return Cibs.updateNodeState(root, node, ns -> {
            XmlElement lrm = Cibs.lrmOf(ns, node);
            XmlElement lr = lrm.element("lrm_resources").orElse(XmlElement.of("lrm_resources"));
            XmlElement base = lr.elements("lrm_resource").stream().filter(e -> r.resourceId().equals(e.id()))
                    .findFirst().orElse(null);
            XmlElement updated = LrmOps.record(base, r, callId, node, nowSec, opDigest, params);
            XmlElement newLr = lr.withChildReplaced(e -> e.name().equals("lrm_resource")
                    && r.resourceId().equals(e.id()), updated);
            XmlElement newNs = Cibs.withLrm(ns, lrm.withChildReplaced(e -> e.name().equals("lrm_resources"), newLr));
            return LrmOps.isFailure(r) ? withFailure(newNs, node, r, nowSec) : newNs;
        });
    }

    /** One more than the highest call id in the node's recorded history: sorts after everything known there. */
    static long nextCallId(Cib cib, String node) {
        long max = 0;
        var ns = cib.statusView().node(node);
        if (ns.isPresent()) {
            for (LrmResource res : ns.get().resources()) {
                for (LrmOp op : res.ops()) {
                    max = Math.max(max, op.callId());   // an unreadable call id (-1) cannot be the highest
                }
            }
        }
        return max + 1;
    }

    /** The failed result (op-status timed out, rc 1) the DC records for action {@code a} that did not answer. */
    static OpResult timedOut(PlannedAction a, String opKey, long actionMarginMs) {
        return new OpResult(opKey, a.resourceId(), a.agent(), a.operation(), a.intervalMs(), 1,
                OpStatus.TIMEOUT, "no result from " + a.node() + " within " + a.timeoutMs() + " ms + "
                + actionMarginMs + " ms: recorded as timed out by the DC", a.timeoutMs());
    }

    /** Fail counts as Pacemaker keeps them: a failed start bans the node (INFINITY), others count up. */
    private static XmlElement withFailure(XmlElement ns, String node, OpResult r, long nowSec) {
        if (r.action().equals("monitor") && r.intervalMs() == 0) {
            return ns;
        }
        String key = r.resourceId() + "#" + r.action() + "_" + r.intervalMs();
        String count;
        if (r.action().equals("start") || r.action().equals("stop")) {
            count = "INFINITY";
        } else {
            String prev = Cibs.transientAttributes(ns).get("fail-count-" + key);
            long n = 0;
            try {
                n = prev == null ? 0 : Long.parseLong(prev);
            } catch (NumberFormatException e) {
                n = 1_000_000;
            }
            count = Long.toString(Math.min(n + 1, 1_000_000));
        }
        XmlElement out = Cibs.withTransientAttribute(ns, node, "fail-count-" + key, count);
        return Cibs.withTransientAttribute(out, node, "last-failure-" + key, Long.toString(nowSec));
    }
}
