package org.pulse.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Clone notifications: around each kind of action a clone with notify=true takes (stop, demote,
 * start, promote), every instance active at that point is told before (pre) and after (post).
 * After runnability and migrations: only what will really happen is announced, and where each
 * instance ends up decides who hears the post-notifications.
 */
final class Notifications {
    private final Cluster c;
    private final ActionTable t;
    private final List<Act> added = new ArrayList<>();

    private Notifications(Cluster c, ActionTable t) {
        this.c = c;
        this.t = t;
    }

    /** Adds the notifications, each ordered around the action it announces; returns them in order. */
    static List<Act> run(Cluster c, ActionTable t) {
        Notifications n = new Notifications(c, t);
        n.notifications();
        return List.copyOf(n.added);
    }

    private Act find(Rsc r, String op, SNode n) {
        return t.find(r, op, n);
    }

    private boolean fenced(SNode n) {
        return t.fenced(n);
    }

    private SNode endNode(Rsc p) {
        return t.endNode(p);
    }

    /**
     * Clones with notify=true: around each kind of action the clone takes (stop, demote, start,
     * promote), every instance active at that point is told before (pre) and after (post).
     */
    private void notifications() {
        for (Rsc clone : c.topLevel()) {
            if (clone.kind != Rsc.Kind.CLONE) {
                continue;
            }
            if (!clone.notify) {
                notifyAfterImpliedStops(clone);
                continue;
            }
            List<Rsc> prims = clone.primitives();
            Map<String, Boolean> happens = new LinkedHashMap<>();
            for (String op : List.of("stop", "demote", "start", "promote")) {
                boolean any = false;
                for (Rsc p : prims) {
                    for (SNode n : c.nodes()) {
                        Act a = find(p, op, n);
                        // a stop implied by fencing an unclean node counts too (Pacemaker notifies the
                        // survivors of it once the fencing is scheduled, whether or not a device can reach
                        // that node; with no fencing scheduled, no device at all, nothing is implied),
                        // and so does a demotion there once the node is really fenced
                        // and so does a stop or demotion implied by a guest's "fencing" (its container's recovery)
                        boolean impliedOnGuest = n.isGuest() && fenced(n) && ("stop".equals(op) || "demote".equals(op));
                        if (a != null && ((a.runnable && !a.pseudo) || ("stop".equals(op) && n.unclean && fenced(n)) || ("demote".equals(op) && n.unclean && fenced(n)) || impliedOnGuest)) {
                            any = true;
                        }
                    }
                }
                if ("start".equals(op)) {
                    // an unmanaged instance that failed is due a recovery (stop and start) that is never
                    // scheduled; Pacemaker still counts its start, so the others hear of a start (not of a stop)
                    for (Rsc p : prims) {
                        any |= !p.managed && p.failed && !p.runningOn.isEmpty();
                    }
                }
                happens.put(op, any);
            }
            for (Rsc p : prims) {
                if (!p.managed) {
                    continue;   // an unmanaged instance's actions are never scheduled, notifications included
                }
                SNode end = endNode(p);
                for (SNode cur : p.runningOn) {
                    if (!cur.canRunOps() || cur.isGuest() && fenced(cur)) {
                        continue;   // (a guest being reset hears nothing before its reset)
                    }
                    Act stop = find(p, "stop", cur);
                    boolean stays = stop == null || !stop.runnable;
                    if (happens.get("stop")) {
                        notify(p, cur, "pre", "stop");
                        if (stays) {
                            notify(p, cur, "post", "stop");
                        }
                    }
                    if (happens.get("demote")) {
                        notify(p, cur, "pre", "demote");
                        notify(p, cur, "post", "demote");
                    }
                    if (happens.get("start") && stays) {
                        notify(p, cur, "pre", "start");
                    }
                }
                if (end != null && end.canRunOps()) {
                    if (happens.get("start")) {
                        notify(p, end, "post", "start");
                    }
                    if (happens.get("promote")) {
                        notify(p, end, "pre", "promote");
                        notify(p, end, "post", "promote");
                    }
                }
            }
        }
    }

    /**
     * A clone that does not notify, whose instance asks for notifications itself (notify=true in
     * the primitive's own meta attributes): the clone has no notification rounds, but a stop of
     * that instance implied by fencing its node still tells the instances that stay, after the
     * fencing (a post-stop only: nothing ran before it), as Pacemaker does for implied stops.
     */
    private void notifyAfterImpliedStops(Rsc clone) {
        List<Rsc> prims = clone.primitives();
        boolean implied = false;
        for (Rsc p : prims) {
            if (!org.pulse.cib.model.ClusterOptions.isTrue(p.meta.get("notify"))) {
                continue;
            }
            for (SNode n : c.nodes()) {
                implied |= n.unclean && find(p, "stop", n) != null;
            }
        }
        if (!implied) {
            return;
        }
        for (Rsc p : prims) {
            if (!p.managed) {
                continue;
            }
            for (SNode cur : p.runningOn) {
                Act stop = find(p, "stop", cur);
                if (cur.canRunOps() && (stop == null || !stop.runnable)) {
                    notify(p, cur, "post", "stop");
                }
            }
        }
    }

    private void notify(Rsc r, SNode n, String type, String op) {
        Act a = new Act("notify", r, n, 0, null);
        a.keyOverride = r.id + "_" + type + "_notify_" + op + "_0";
        a.extra.put("CRM_meta_notify_type", type);
        a.extra.put("CRM_meta_notify_operation", op);
        // the pre-notification goes before the operation, the post one after it: the clone's, on every
        // instance (Pacemaker's confirmed-pre/post pseudo actions), so that each instance hears of the
        // others' actions in time; before, only its own were ordered, and a post-notify of a start ran
        // while another instance was still starting
        Rsc clone = r.cloneAncestor();
        for (Rsc p : clone == null ? List.of(r) : clone.primitives()) {
            if (p != r && (p.prim == null || r.prim == null || !p.prim.id().equals(r.prim.id()))) {
                continue;   // in a cloned group, each member's instances among themselves
            }
            for (SNode x : c.nodes()) {
                Act target = find(p, op, x);
                if (target == null || p != r && !target.runnable) {
                    continue;   // another instance's action that cannot run holds nothing up
                }
                if ("pre".equals(type)) {
                    target.after(a);
                } else {
                    a.after(target);
                }
            }
        }
        t.append(a);
        added.add(a);
    }
}
