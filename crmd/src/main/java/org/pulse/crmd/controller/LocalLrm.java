package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pulse.cib.xml.XmlElement;
import org.pulse.lrm.OpDigest;

/**
 * A node's own view of its LRM: the operation history of every resource it ran since this crmd
 * started (reported to each new DC at join), the operations in flight, and the recurring
 * monitors it keeps. Call ids grow by one per recorded result, so "latest" is well defined.
 */
final class LocalLrm {
    private final String node;
    private final Map<String, XmlElement> resources = new TreeMap<>();
    private final Map<String, OpRequest> inFlight = new LinkedHashMap<>();
    private final Map<String, OpRequest> recurring = new LinkedHashMap<>();
    private long lastCallId;

    LocalLrm(String node) {
        this.node = node;
    }

    void started(OpRequest req) {
        if (req.recurring()) {
            recurring.put(req.opKey(), req);
        }
        inFlight.remove(req.opKey());
        inFlight.put(req.opKey(), req);
    }

    /**
     * A remote node's call ids are its daemon's: the next result recorded gets at least {@code callId}, so the
     * ids the DC records stay in the daemon's order whichever cluster node relays them.
     */
    void advanceCallIds(long callId) {
        lastCallId = Math.max(lastCallId, callId - 1);
    }

    boolean isInFlight(String opKey) {
        return inFlight.containsKey(opKey);
    }

    List<OpRequest> inFlight() {
        return List.copyOf(inFlight.values());
    }

    /** Recurring monitors of the resource stop; their history entries go with them. */
    void cancelRecurring(String resourceId) {
        recurring.values().removeIf(r -> r.resourceId().equals(resourceId));
        inFlight.values().removeIf(r -> r.resourceId().equals(resourceId) && r.recurring());
        XmlElement res = resources.get(resourceId);
        if (res != null) {
            resources.put(resourceId, res.withoutChildren(e -> e.name().equals("lrm_rsc_op")
                    && !"0".equals(e.attr("interval", "0"))));
        }
    }

    /** What a result means to this node: whether it completes an Execute, and whether the DC must hear of it. */
    record Recorded(long callId, boolean completesRequest, boolean report, String opDigest) {
    }

    Recorded record(OpResult r, long nowEpochSec) {
        OpRequest req = inFlight.remove(r.opKey());
        boolean wasInFlight = req != null;
        if (wasInFlight && r.intervalMs() == 0) {
            // The LRM runs one operation of a resource at a time, in order: a result means every one-shot
            // operation of the resource started before it is over, whether or not its own result came
            // (one that never returns must not be reported pending at every join from now on).
            List<String> superseded = new ArrayList<>();
            for (OpRequest earlier : inFlight.values()) {
                if (earlier.opKey().equals(r.opKey())) {
                    break;
                }
                if (earlier.resourceId().equals(r.resourceId()) && !earlier.recurring()) {
                    superseded.add(earlier.opKey());
                }
            }
            superseded.forEach(inFlight::remove);
        }
        if (req == null) {
            req = recurring.get(r.opKey());
        }
        String digest = req == null ? null : OpDigest.of(req.params(), req.intervalMs(), req.timeoutMs());
        if (!LrmOps.recordable(r)) {
            return new Recorded(++lastCallId, wasInFlight, true, null);
        }
        if (r.intervalMs() > 0 && !recurring.containsKey(r.opKey())) {
            // A run of a monitor cancelled meanwhile: stale, forget it.
            return new Recorded(0, wasInFlight, false, null);
        }
        XmlElement base = resources.get(r.resourceId());
        boolean changed = true;
        if (!wasInFlight && r.intervalMs() > 0 && base != null) {
            // Later runs of a recurring monitor are reported only when their outcome changes.
            var prev = LrmOps.op(base, LrmOps.opId(r.resourceId(), r.action(), r.intervalMs()));
            changed = prev.isEmpty() || !prev.get().attr("rc-code", "").equals(Integer.toString(r.rc()))
                    || !prev.get().attr("op-status", "").equals(Integer.toString(r.status().code()));
        }
        if (!changed) {
            return new Recorded(0, false, false, null);
        }
        long callId = ++lastCallId;
        resources.put(r.resourceId(), LrmOps.record(base, r, callId, node, nowEpochSec, digest,
                req == null ? null : req.params()));
        return new Recorded(callId, wasInFlight, true, digest);
    }

    /**
     * The history with the operations still in flight on top, as pending (Pacemaker's record-pending:
     * op-status -1, rc 193, call-id -1; see {@link LrmOps#recordsPending}), in the order they started: what
     * a join answer carries, so that the DC neither starts such a resource elsewhere nor starts it here
     * again while the operation runs.
     */
    XmlElement toXmlWithPending(long nowEpochSec) {
        Map<String, XmlElement> withPending = new TreeMap<>(resources);
        for (OpRequest req : inFlight.values()) {
            if (!LrmOps.recordsPending(req.action(), req.intervalMs())
                    || !LrmOps.recordable(OpResult.of(req, 0, OpStatus.PENDING, "", 0))) {
                continue;
            }
            withPending.put(req.resourceId(), LrmOps.recordPending(withPending.get(req.resourceId()), req, -1, node,
                    nowEpochSec));
        }
        return toXml(withPending);
    }

    private XmlElement toXml(Map<String, XmlElement> byResource) {
        List<org.pulse.cib.xml.XmlNode> list = new ArrayList<>(byResource.values());
        return new XmlElement("lrm", Map.of("id", node), List.of(new XmlElement("lrm_resources", Map.of(), list)));
    }

    /** Forget a resource's history (null: all; cleanup): the next probe finds out afresh. */
    void forget(String resourceId) {
        if (resourceId == null) {
            resources.clear();
            return;
        }
        resources.remove(resourceId);
    }
}
