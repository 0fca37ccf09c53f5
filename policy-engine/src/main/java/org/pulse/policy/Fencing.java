package org.pulse.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fencing and shutdowns: which nodes are fenced (an unclean node, a guest whose container is
 * recovered), which are unfenced before they run anything, which shut down, and when a
 * shutdown must wait for ever because something on the node cannot stop.
 */
final class Fencing {
    private Fencing() {
    }

    /**
     * What the fencing stage decided.
     *
     * @param fencing  node → its fencing action (a pseudo action for a guest: its container's recovery)
     * @param unfence  node → its unfencing ("on"), for nodes not unfenced since they started
     */
    record Plan(Map<SNode, Act> fencing, Map<SNode, Act> unfence) {
        boolean fenced(SNode n) {
            return fencing.containsKey(n);
        }
    }

    /**
     * Decides fencing and unfencing and adds their actions. Before the resources' actions: an
     * action on a node being fenced is a pseudo action (the fencing does it).
     */
    static Plan run(Cluster c, Allocation alloc, ActionTable t) {
        Map<SNode, Act> fencing = new LinkedHashMap<>();
        Map<SNode, Act> unfence = new LinkedHashMap<>();
        // Pacemaker fences an unclean node only when some resource is managed: with nothing to
        // recover (maintenance-mode, or everything unmanaged) the node is left unclean
        boolean anyManaged = false;
        for (Rsc r : c.topLevel()) {
            anyManaged |= r.managed;
        }
        // A remote node whose connection cannot come back, with resources active on it, is unclean.
        // Still a write into SNode (unclean, online) that every later stage reads: it needs the
        // assignment (is the connection going anywhere?), so unpack cannot decide it, and the
        // node's flags are what canRunOps and the rest ask; moving it into a record of its own
        // would change every reader of SNode.unclean (left for the unpack-stages split).
        RemoteNodes.unrecoverableConnections(c, alloc);
        for (SNode n : c.nodes()) {
            if (n.isGuest()) {
                // a guest is "fenced" by recovering its container: a pseudo action others can wait for
                if (n.remoteRequiresReset && anyManaged && RemoteNodes.canFenceGuest(c, n)) {
                    Act f = t.add("stonith", null, n, 0, null);
                    f.pseudo = true;
                    f.keyOverride = "stonith-" + n.name + "-reboot";
                    f.extra.put("CRM_meta_stonith_action", "reboot");
                    fencing.put(n, f);
                }
                continue;
            }
            if (n.unclean && c.canFence(n) && anyManaged) {
                Act f = t.add("stonith", null, n, 0, null);
                f.keyOverride = "stonith-" + n.name + "-" + c.options().stonithAction();
                f.extra.put("CRM_meta_stonith_action", c.options().stonithAction());
                fencing.put(n, f);
            }
        }
        // a fence device that provides unfencing: every node must be unfenced ("on") before it
        // runs anything, once per boot (the #node-unfenced attribute records it)
        boolean unfencing = false;
        for (Rsc r : c.byId().values()) {
            unfencing |= r.isFenceDevice() && "unfencing".equals(r.meta.get("provides"));
        }
        if (unfencing && c.stonithEnabled()) {
            for (SNode n : c.nodes()) {
                // (a guest node is never fenced by a device, so never unfenced: its container is its fence)
                if (n.canRunOps() && !n.shutdown && !n.isGuest() && n.attributes.get("#node-unfenced") == null) {
                    Act on = new Act("stonith", null, n, 0, null);
                    on.keyOverride = "stonith-" + n.name + "-on";
                    on.extra.put("CRM_meta_stonith_action", "on");
                    t.append(on);
                    unfence.put(n, on);
                }
            }
        }
        Plan plan = new Plan(Collections.unmodifiableMap(fencing), Collections.unmodifiableMap(unfence));
        t.fencingDecided(plan.fencing());
        return plan;
    }

    /**
     * A guest's container that will not start again is switched off, not rebooted. After the
     * resources' actions (whether the container starts is theirs to say); it amends the
     * guest's fencing action, the one thing decided here after the fact.
     */
    static void guestFenceActions(ActionTable t, Plan plan) {
        for (Map.Entry<SNode, Act> e : plan.fencing().entrySet()) {
            SNode n = e.getKey();
            if (!n.isGuest()) {
                continue;
            }
            Rsc container = n.connection.container;
            boolean starts = false;
            for (Act a : t.actsOf(container)) {
                starts |= "start".equals(a.op);
            }
            e.getValue().extra.put("CRM_meta_stonith_action", starts ? "reboot" : "off");
            e.getValue().keyOverride = "stonith-" + n.name + (starts ? "-reboot" : "-off");
        }
    }

    /** Clean shutdowns of the nodes asked to shut down: node → its do_shutdown. */
    static Map<SNode, Act> shutdowns(Cluster c, ActionTable t) {
        Map<SNode, Act> shutdowns = new LinkedHashMap<>();
        for (SNode n : c.nodes()) {
            if (n.shutdown && n.online && !n.unclean && !n.isRemote()) {   // (no shutdown op for remote nodes)
                shutdowns.put(n, t.add("do_shutdown", null, n, 0, null));
            }
        }
        return Collections.unmodifiableMap(shutdowns);
    }

    /**
     * A node shuts down only once everything on it has stopped: a blocked resource there, or a
     * stop there that cannot run, holds the shutdown back (an unmanaged resource that is merely
     * left alone does not). After runnability, which decides which stops cannot run.
     */
    static void holdShutdowns(Cluster c, ActionTable t, Map<SNode, Act> shutdowns) {
        if (shutdowns.isEmpty()) {
            return;
        }
        for (Rsc r : c.byId().values()) {
            if (!r.isPrimitive()) {
                continue;
            }
            for (SNode n : r.runningOn) {
                Act sd = shutdowns.get(n);
                if (sd == null) {
                    continue;
                }
                Act sp = t.find(r, "stop", n);
                if (r.blocked || (sp != null && !sp.runnable)) {
                    ActionTable.unrunnable(sd, r.id + " cannot be stopped there");
                }
            }
        }
    }
}
