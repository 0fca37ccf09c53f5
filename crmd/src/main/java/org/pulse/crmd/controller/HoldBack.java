package org.pulse.crmd.controller;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.Cib;

/**
 * What the DC holds back from the policy engine's transition, and why, one concern of {@link DcRole}
 * as pure functions: resources that cannot start safely without fencing, unclean nodes that will not
 * be fenced now, and the plan's actions that must wait (operations in flight, non-members, nodes
 * whose fencing gave up, starts without quorum). The reasons end up in crm status.
 */
final class HoldBack {
    private HoldBack() {
    }

    /** Why unclean {@code node} (the engine's {@code uncleanReason}) is not fenced now; {@code gaveUpWhy} non-null when its fencing gave up. */
    static String whyNotFenced(Cib cib, String node, String uncleanReason, String gaveUpWhy, boolean mayFence,
            boolean watchdogFencingOn) {
        if (gaveUpWhy != null) {
            return "could not be fenced (" + gaveUpWhy + "); fix the fence device, then crm node fence " + node;
        }
        if (!Cibs.stonithEnabled(cib)) {
            return "is unclean (" + uncleanReason + ") and stonith-enabled=false";
        }
        if (!mayFence) {
            return "needs fencing, and a partition without quorum does not fence";
        }
        if (Cibs.fenceDevices(cib).isEmpty() && !watchdogFencingOn) {
            return "needs fencing but no fence device is configured (stonith-enabled=true): configure a stonith"
                    + " resource, or set stonith-enabled=false if you accept the risk";
        }
        return "needs fencing (" + uncleanReason + ")";
    }

    /**
     * Resources not active anywhere that must not start because fencing is needed and impossible, with why
     * (the first reason that applies to a resource wins).
     */
    static Map<String, String> notStartableWithoutFencing(Cib cib, QuorumConfig q, boolean watchdogFencingOn) {
        Map<String, String> out = new LinkedHashMap<>();
        List<Primitive> devices = Cibs.fenceDevices(cib);
        boolean noDevice = devices.isEmpty() && !watchdogFencingOn;
        boolean splitNeedsFencing = q.twoNode() || q.tieBreaker().needsFencing();
        // A watchdog resets a node only once that node loses quorum. Where both halves of a split may
        // keep it (two_node, or both reach the ping target) it resets neither, while each half would count
        // the other as fenced after stonith-watchdog-timeout: there only a real device fences.
        boolean bothMayStayQuorate = q.twoNode() || q.tieBreaker().kind() == QuorumConfig.TieBreaker.Kind.PING;
        boolean watchdogOnly = devices.stream().allMatch(WatchdogFencing::isWatchdogResource);
        boolean splitUnfenceable = bothMayStayQuorate ? watchdogOnly : noDevice;
        if (splitNeedsFencing && (!Cibs.stonithEnabled(cib) || splitUnfenceable)) {
            // Both halves of a split may keep quorum (two_node, or both reach the ping target): only
            // fencing makes sure one of them is gone before the other starts what it ran.
            String setting = q.twoNode() ? "two_node = true" : "tie_breaker = " + q.tieBreaker();
            String lacking = !Cibs.stonithEnabled(cib) ? "stonith-enabled=false"
                    : watchdogFencingOn ? "the only fencing is the watchdog, which resets a node only when it loses"
                            + " quorum, and with this setting both halves may keep it"
                    : "no fence device is configured";
            notActive(cib, "not started: " + setting + " needs fencing (both halves of a split"
                    + " can be quorate, fencing decides which one survives) but " + lacking
                    + "; configure a fence device and set stonith-enabled=true", out);
        }
        if (Cibs.stonithEnabled(cib) && noDevice) {
            // The policy engine, as Pacemaker's, starts nothing while fencing is on and impossible.
            notActive(cib, "not started: stonith-enabled=true but no fence device (stonith"
                    + " resource) is configured; configure one, or set stonith-enabled=false if you accept"
                    + " the risk of a resource running twice", out);
        }
        return out;
    }

    private static void notActive(Cib cib, String why, Map<String, String> out) {
        Set<String> active = Cibs.possiblyActive(cib).keySet();
        for (Primitive p : Cibs.primitives(cib).values()) {
            if (!p.agent().isStonith() && !active.contains(p.id())) {
                out.putIfAbsent(p.id(), why);
            }
        }
    }

    /**
     * The plan minus what must wait (Planner.filter and withoutPending; without quorum, unless
     * no-quorum-policy=ignore, the starts too); {@code removed} gets each action taken out and why.
     */
    static TransitionPlan filter(TransitionPlan p, Cib cib, View view, String self, Map<String, String> blocked,
            Set<String> fencingGaveUp, boolean quorate, Map<String, String> removed) {
        TransitionPlan filtered = Planner.withoutPending(Planner.filter(p, view, RemoteRouting.names(cib), self, blocked,
                fencingGaveUp, removed),
                Planner.pendingOperations(cib), removed);
        if (!quorate && !Cibs.noQuorumPolicy(cib).equals("ignore")) {
            filtered = Planner.withoutStartsWithoutQuorum(filtered, removed);
        }
        return filtered;
    }
}
