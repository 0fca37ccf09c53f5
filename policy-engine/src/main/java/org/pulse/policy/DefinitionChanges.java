package org.pulse.policy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.OpConfig;

/**
 * Has a resource's (or a recurring operation's) definition changed since the history recorded
 * it? The recorded digests against the configuration now: a start made with other parameters
 * restarts (or reloads), a monitor recorded with others is scheduled again, a failure recorded
 * with others no longer counts. Pure questions; one instance per scheduling run caches each
 * resource's parameter digest.
 */
final class DefinitionChanges {
    private final Cluster c;
    private final Map<Rsc, String> digests = new HashMap<>();

    DefinitionChanges(Cluster c) {
        this.c = c;
    }

    /** The start recorded here was made with other parameters (or none recorded): restart. */
    boolean paramsChanged(Rsc r, Rsc.NodeHistory h) {
        if (h == null || h.lastStart == null || r.orphan) {
            return false;
        }
        String recorded = h.lastStart.opDigest();
        if (Bundles.implicit(r) && recorded != null) {
            return false;   // a bundle's implicit resources: their parameters are not rebuilt exactly (see Bundles)
        }
        if (recorded == null) {
            return true;
        }
        if (recorded.equals(digest(r))) {
            return false;
        }
        // a recorded history may mask secret parameters (passwords): then the secure digest,
        // made without them, decides
        String secureParams = h.lastStart.attributes().get("op-secure-params");
        String secureDigest = h.lastStart.attributes().get("op-secure-digest");
        if (secureParams != null && secureDigest != null) {
            Map<String, String> p = new LinkedHashMap<>(r.params);
            for (String name : secureParams.trim().split("\\s+")) {
                p.remove(name);
            }
            if (r.isFenceDevice()) {
                // the fencer's own pcmk_* options take no part in the secure digest
                p.keySet().removeIf(k -> k.startsWith("pcmk_"));
            }
            return !secureDigest.equals(Digests.of(p));
        }
        return true;
    }

    /**
     * Is this node's fail count for the resource cleared by a clearing scheduled while the
     * history is unpacked (its failures expired, or a failure was recorded with a digest that no
     * longer matches)? Such a fail count does not force the resource away at migration-threshold
     * (Pacemaker's check_failure_threshold looks for the clearing action).
     */
    boolean failCountClearedAtUnpack(Rsc r, SNode node, Rsc.NodeHistory h) {
        if (h == null || r.orphan) {
            return false;
        }
        if (h.clearFailcount) {
            return true;
        }
        // only a recorded digest that differs is seen that early: a failure without one, or of an
        // op no longer configured, is cleared later, once placement has applied the threshold
        if (r.isFenceDevice() || Bundles.implicit(r)) {
            return false;
        }
        for (org.pulse.cib.model.LrmOp f : h.lastFailures) {
            if (f.opDigest() == null || !"start".equals(f.operation()) && !"monitor".equals(f.operation())) {
                continue;
            }
            OpConfig cfg = f.intervalMs() > 0 ? Unpack.findOp(r, f.operation(), f.intervalMs()) : null;
            if (f.intervalMs() > 0 && cfg == null) {
                continue;
            }
            if (!f.opDigest().equals(cfg != null ? Digests.of(recurringDigestParams(r, cfg)) : digest(r))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A recorded start or monitor failure whose digest no longer matches the configuration (its
     * parameters changed, or the operation was disabled or removed) no longer counts: its fail
     * count is cleared (Pacemaker's check_operation_expiry, "resource parameters have changed").
     */
    boolean failedWithOtherParameters(Rsc r, SNode node, Rsc.NodeHistory h) {
        // (indexed: asked for every history entry, most with no failure, and C1 allocates an iterator per for-each)
        List<org.pulse.cib.model.LrmOp> failures = h.lastFailures;
        for (int i = 0, n = failures.size(); i < n; i++) {
            org.pulse.cib.model.LrmOp f = failures.get(i);
            String recorded = f.opDigest();
            if (r.isFenceDevice() || Bundles.implicit(r)) {
                continue;
            }
            if (recorded == null) {
                // no digest: what the op ran with is unknown. For a recurring op still scheduled
                // (recorded since the last start, the resource active here) Pacemaker reads that as its definition changed,
                // and a definition change clears the fail count; a failed start without a digest
                // is merely not compared
                boolean sinceStart = h.lastStart == null || f.callId() > h.lastStart.callId();
                OpConfig rc = f.intervalMs() > 0 ? Unpack.findOp(r, f.operation(), f.intervalMs()) : null;
                // (in maintenance the recurring ops are only cancelled: their definition is not checked)
                if (rc != null && rc.enabled() && sinceStart && node.historyChecked() && !node.maintenance && !r.maintenance
                        && r.runningOn.contains(node)
                        && FailCounts.count(r, node, c.now().getEpochSecond(), true, h.blockFailure) > 0) {
                    return true;
                }
                continue;
            }
            OpConfig cfg = f.intervalMs() > 0 ? Unpack.findOp(r, f.operation(), f.intervalMs()) : null;
            if (f.intervalMs() > 0 && (cfg == null || !cfg.enabled())
                    && FailCounts.count(r, node, c.now().getEpochSecond(), true, h.blockFailure) > 0) {
                return true;   // the failed operation is gone or disabled: its fail count goes too
            }
            if (f.intervalMs() > 0 && cfg == null) {
                continue;      // nothing to compare the digest with
            }
            // the digest is made from the operation's configuration, even when it is disabled
            String now = cfg != null ? Digests.of(recurringDigestParams(r, cfg)) : digest(r);
            if (!recorded.equals(now)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What a recurring operation's digest covers: the resource's parameters, the operation's own
     * instance attributes (OCF_CHECK_LEVEL and the like) and its timeout.
     */
    private Map<String, String> recurringDigestParams(Rsc r, OpConfig op) {
        Map<String, String> p = new LinkedHashMap<>(r.params);
        if (!op.instanceAttributes().isEmpty()) {
            p.putAll(org.pulse.cib.model.NvSet.merge(op.instanceAttributes(),
                    org.pulse.cib.model.RuleContext.at(c.now())));
        }
        long timeoutMs = timeoutMs(r, op);
        p.put("CRM_meta_timeout", Long.toString(timeoutMs));
        return p;
    }

    /** A recurring monitor recorded with other parameters is scheduled again. */
    /**
     * Pacemaker checks the definition of every entry recorded since the last start, the recorded
     * failure of a recurring op included: one whose digest does not match (or is missing) has
     * the op rescheduled even while the op's own entry matches (a failure ignored or expired).
     */
    boolean recordedFailureChanged(Rsc r, Rsc.NodeHistory h, OpConfig op) {
        for (org.pulse.cib.model.LrmOp f : h.lastFailures) {
            boolean sinceStart = h.lastStart == null || f.callId() > h.lastStart.callId();
            if (sinceStart && f.intervalMs() == op.intervalMs() && op.name().equals(f.operation())
                    && recurringParamsChanged(r, op, f)) {
                return true;
            }
        }
        return false;
    }

    boolean recurringParamsChanged(Rsc r, OpConfig op, org.pulse.cib.model.LrmOp active) {
        String recorded = active.opDigest();
        if (r.orphan || Bundles.implicit(r)) {
            return false;
        }
        if (recorded == null) {
            return true;   // unknown: Pacemaker reschedules the op, as for a changed definition
        }
        Map<String, String> p = recurringDigestParams(r, op);
        if (recorded.equals(Digests.of(p))) {
            return false;
        }
        // as for starts: a history that masks secret parameters is compared by its secure digest
        String secureParams = active.attributes().get("op-secure-params");
        String secureDigest = active.attributes().get("op-secure-digest");
        if (secureParams != null && secureDigest != null) {
            for (String name : secureParams.trim().split("\\s+")) {
                p.remove(name);
            }
            if (r.isFenceDevice()) {
                p.keySet().removeIf(k -> k.startsWith("pcmk_"));
            }
            if (!newerFeatureSet(active.attributes().get("crm_feature_set"))) {
                // before feature set 3.16.0 the secure digest of a recurring op had no timeout in it
                p.remove("CRM_meta_timeout");
            }
            return !secureDigest.equals(Digests.of(p));
        }
        return true;
    }

    /** Is a recorded crm_feature_set 3.16.0 or later? */
    private static boolean newerFeatureSet(String v) {
        if (v == null) {
            return false;
        }
        String[] f = v.split("\\.");
        int[] want = {3, 16, 0};
        for (int i = 0; i < 3; i++) {
            int x;
            try {
                x = i < f.length ? Integer.parseInt(f[i].trim()) : 0;
            } catch (NumberFormatException e) {
                return false;
            }
            if (x != want[i]) {
                return x > want[i];
            }
        }
        return true;
    }

    /**
     * The recorded start has a restart digest (op-restart-digest) over the parameters that force
     * a restart: those listed in op-force-restart, or every parameter when no list was recorded.
     * When that digest still matches, only reloadable ones changed (the full op-digest, which
     * also covers the operation's own settings, may still differ: that is what is reloaded).
     */
    static boolean onlyReloadableChanged(Rsc r, Rsc.NodeHistory h) {
        String force = h.lastStart.attributes().get("op-force-restart");
        String restartDigest = h.lastStart.restartDigest();
        if (restartDigest == null) {
            return false;
        }
        Map<String, String> p = new LinkedHashMap<>();
        if (force == null) {
            p.putAll(r.params);
        } else {
            for (String name : force.trim().split("\\s+")) {
                if (r.params.containsKey(name)) {
                    p.put(name, r.params.get(name));
                }
            }
        }
        return restartDigest.equals(Digests.of(p));
    }

    /** The op's timeout, else op_defaults', else Pacemaker's 20 s (cib.model's one rule, as the graph and crmd read it). */
    private long timeoutMs(Rsc r, OpConfig op) {
        Long ms = org.pulse.cib.model.EffectivePrimitive.opTimeoutMs(c.cib(), r.prim.cls(), r.prim.provider(),
                r.prim.type(), op, op.name(), op.intervalMs(), c.now());
        return ms != null ? ms : org.pulse.cib.model.EffectivePrimitive.DEFAULT_OP_TIMEOUT_MS;
    }

    private String digest(Rsc r) {
        // one-shot operations digest the parameters alone (the timeout counts for recurring ones only)
        return digests.computeIfAbsent(r, x -> Digests.of(x.params));
    }
}
