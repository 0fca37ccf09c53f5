package org.pulse.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a transition does to each resource as a whole ({@link SummaryItem}): the rule by which
 * Pacemaker's scheduler names a resource's change in crm_simulate's summary, from the resource's
 * role now and next, where it is and where it is assigned, and which of its start, stop, promote,
 * demote and migrate actions exist and can run. Node actions (fencing) come first, the
 * last created first (Pacemaker's list is newest first); then every primitive in the order resources were placed (members
 * and clone instances in order). Unmanaged resources and ones that neither run nor will are
 * left out, as are stopped orphans.
 */
final class Summary {
    private Summary() {
    }

    static List<SummaryItem> of(Cluster c, Allocation alloc, Plan p) {
        List<SummaryItem> out = new ArrayList<>();
        for (Act a : p.acts()) {
            if (a.rsc != null || a.node == null) {
                continue;
            }
            if ("stonith".equals(a.op) && (a.runnable || a.pseudo)) {
                String action = a.extra.getOrDefault("CRM_meta_stonith_action", "reboot");
                String node = a.node.name;
                String reason = fenceReason(a.node);
                if (a.node.isGuest() && a.node.connection != null && a.node.connection.container != null) {
                    node += " (resource: " + a.node.connection.container.id + ")";
                    reason = "guest is unclean";
                } else if ("on".equals(action)) {
                    reason = "required by fencing monitor";
                } else if (reason == null) {
                    reason = "node is unclean";
                }
                out.add(new SummaryItem("Fence (" + action + ")", null, null, null, node, null, reason, true));
            }
            // (a shutdown is not listed: crm_simulate 2.1.5 lists none)
        }
        // Pacemaker keeps its actions newest first: the last fencing decided is listed first, and its
        // unfencing ("on", decided while unpacking) after every fencing decided later
        java.util.Collections.reverse(out);
        List<SummaryItem> unfencing = new ArrayList<>();
        out.removeIf(i -> i.change().equals("Fence (on)") && unfencing.add(i));
        out.addAll(unfencing);
        // Pacemaker lists resources in the order it placed them (by priority, ...), not as configured.
        // History of an anonymous clone no instance could take is one more instance of that clone for
        // Pacemaker (numbered after the configured ones), listed with the clone's instances
        Map<Rsc, List<Rsc>> orphansOf = cloneOrphans(c);
        java.util.Set<Rsc> placedWithClone = new java.util.HashSet<>();
        orphansOf.values().forEach(placedWithClone::addAll);
        for (Rsc r : alloc.order()) {
            if (placedWithClone.contains(r)) {
                continue;
            }
            for (Rsc prim : r.primitives()) {
                addAll(out, primitive(c, alloc, p, prim, prim.id));
            }
            List<Rsc> orphans = orphansOf.getOrDefault(r, List.of());
            for (int k = 0; k < orphans.size(); k++) {
                Rsc o = orphans.get(k);
                addAll(out, primitive(c, alloc, p, o, baseName(o.id) + ":" + (r.children.size() + k)));
            }
        }
        return out;
    }

    private static void addAll(List<SummaryItem> out, SummaryItem[] items) {
        for (SummaryItem i : items) {
            out.add(i);
        }
    }

    private static String baseName(String id) {
        return id.replaceAll(":\\d+$", "");
    }

    /** Orphans standing for instances of an anonymous clone of a primitive, by clone, in the order they were found. */
    private static Map<Rsc, List<Rsc>> cloneOrphans(Cluster c) {
        Map<String, Rsc> cloneByChild = new java.util.HashMap<>();
        for (Rsc top : c.topLevel()) {
            if (top.kind == Rsc.Kind.CLONE && !top.uniqueClone && !top.children.isEmpty() && top.children.get(0).isPrimitive()) {
                cloneByChild.put(baseName(top.children.get(0).id), top);
            }
        }
        Map<Rsc, List<Rsc>> out = new java.util.LinkedHashMap<>();
        for (Rsc r : c.topLevel()) {
            if (r.isPrimitive() && (r.cloneOrphan || r.extraCopy)) {
                Rsc clone = cloneByChild.get(baseName(r.id));
                if (clone != null) {
                    out.computeIfAbsent(clone, k -> new ArrayList<>()).add(r);
                }
            }
        }
        return out;
    }

    private static final SummaryItem[] NONE = new SummaryItem[0];

    /**
     * The reason Pacemaker gives a fencing: the node's own where it fences at once (a failed stop, a
     * resource thought active there), its generic one where the node was merely found unclean.
     */
    private static String fenceReason(SNode n) {
        String why = n.uncleanReason;
        if (why == null || why.equals("peer has not been seen by the cluster")) {
            return n.isRemote() ? "remote connection is unrecoverable" : null;
        }
        if (why.startsWith("ticket ")) {
            return "deadman ticket was lost";   // loss-policy=fence
        }
        String thought = " is thought to be active there";
        if (n.isRemote() && !n.isGuest() && n.connection != null && !n.connection.failed && why.endsWith(thought)) {
            // on a remote node whose connection has not failed Pacemaker says the fencing may yet be called off
            return why.substring(0, why.length() - thought.length())
                    + " is active there (fencing will be revoked if remote connection can be re-established elsewhere)";
        }
        return why;
    }

    /** Pacemaker's current node: a partial migration's source, else the first node it is active on. */
    private static SNode current(Rsc r) {
        if (r.partialSource != null && r.runningOn.contains(r.partialSource)) {
            return r.partialSource;
        }
        return r.runningOn.isEmpty() ? null : r.runningOn.get(0);
    }

    private static SummaryItem[] primitive(Cluster c, Allocation alloc, Plan p, Rsc r, String name) {
        SNode current = current(r);
        Rsc clone = r.cloneAncestor();
        boolean promotable = clone != null && clone.promotable;
        SNode to = alloc.node(r);
        Role nextRole = clone != null && alloc.rolesDecided(clone) ? alloc.nextRole(r) : to != null ? Role.STARTED : Role.STOPPED;
        if (nextRole == Role.UNKNOWN || to == null) {
            nextRole = Role.STOPPED;
        }
        if (promotable && nextRole == Role.STARTED) {
            nextRole = Role.UNPROMOTED;
        }
        SNode next = nextRole == Role.STOPPED ? null : to;
        if (!r.managed || r.blocked || r.frozenByTicket || (current == null && next == null)) {
            return NONE;   // left as it is
        }
        if (current == null && r.orphan) {
            return NONE;
        }
        Role role = r.role;
        if (current != null && role == Role.STOPPED) {
            role = Role.STARTED;   // being recovered
        }
        if (promotable && role == Role.STARTED) {
            role = Role.UNPROMOTED;   // a promotable clone's instances run in a role
        }
        boolean moving = current != null && next != null && current != next;
        Act start = next == null ? null : p.find(r, "start", next);
        SNode startNode = start != null && start.runnable ? current : null;
        Act stop = startNode != null ? p.find(r, "stop", startNode) : firstOf(p, r, "stop");
        Act promote = next == null ? firstOf(p, r, "promote") : p.find(r, "promote", next);
        Act demote = next == null ? firstOf(p, r, "demote") : p.find(r, "demote", next);
        Act reload = next == null ? null : p.find(r, "reload-agent", next);
        if (reload == null && next != null) {
            reload = p.find(r, "reload", next);
        }
        Line l = new Line(c, alloc, p, r, name, role, nextRole);
        if (role == nextRole) {
            if (next == null) {
                return NONE;
            }
            Act migrate = p.find(r, "migrate_from", next);
            if (migrate != null && current != null && migrate.runnable) {
                return l.item("Migrate", current, next, start, null);
            } else if (reload != null) {
                return l.item("Reload", current, next, start, null);
            } else if (start == null && stop != null && stop.runnable && stop.unrunnableReason != null) {
                // stopped where it stays because a start there could not run (the planner's implied start)
                return l.item("Stop", current, null, stop, null);
            } else if (start == null) {
                if (demote != null && promote != null) {
                    return l.item("Re-promote", current, next, promote, demote);
                }
                return NONE;
            } else if (!start.runnable) {
                return l.item("Stop", current, null, stop, stop != null && reason(c, alloc, p, r, stop) != null ? stop : start);
            } else if (moving) {
                return l.item(r.failed ? "Recover" : "Move", current, next, stop, null);
            } else if (r.failed) {
                return l.item("Recover", current, null, stop, null);
            }
            return l.item("Restart", current, next, start, requiredBy(start));
        }
        if (stop != null && (nextRole == Role.STOPPED || (start != null && !start.runnable))) {
            List<SummaryItem> stops = new ArrayList<>();
            for (SNode n : r.runningOn) {
                Act sp = p.find(r, "stop", n);
                Act source = sp != null && reason(c, alloc, p, r, sp) != null ? sp : start;
                stops.add(l.one("Stop", n, null, sp, source));
            }
            return stops.toArray(NONE);
        } else if (stop != null && r.failed) {
            return l.item("Recover", current, next, stop, start);
        } else if (moving) {
            return l.item("Move", current, next, stop, null);
        } else if (reload != null) {
            return l.item("Reload", current, next, start, null);
        } else if (stop != null) {
            return l.item("Restart", current, next, start, null);
        } else if (role == Role.PROMOTED) {
            return l.item("Demote", current, next, demote, null);
        } else if (nextRole == Role.PROMOTED) {
            return l.item("Promote", current, next, promote, null);
        } else if (role == Role.STOPPED && nextRole.compareTo(Role.STOPPED) > 0) {
            return l.item("Start", current, next, start, null);
        }
        return NONE;
    }

    /**
     * A restart that is not the resource's own doing (no failure, no changed definition) happens
     * because its start is ordered after another resource's start that happens: Pacemaker says
     * "required FIRST start". That start, as a source of the reason, or null to use the start's own.
     */
    private static Act requiredBy(Act start) {
        if (start == null || start.rsc == null || start.rsc.failed) {
            return null;
        }
        for (Act in : start.inputs) {
            if ("start".equals(in.op) && in.rsc != null && in.rsc != start.rsc && in.runnable && !in.pseudo
                    && in.rsc.isPrimitive()) {
                Act src = new Act("start", start.rsc, start.node, 0, null);
                src.reason = "required " + in.rsc.id + " start";
                return src;
            }
        }
        return null;
    }

    private static Act firstOf(Plan p, Rsc r, String op) {
        for (Act a : p.table().actsOf(r)) {
            if (op.equals(a.op) && a.intervalMs == 0) {
                return a;
            }
        }
        return null;
    }

    /**
     * Pacemaker's reason for an action, where it has one: a stop of a resource assigned nowhere is
     * for "node availability"; a start made unrunnable by quorum or by what it depends on names
     * that; a restart for a changed definition says so.
     */
    static String reason(Cluster c, Allocation alloc, Plan p, Rsc r, Act a) {
        if (a == null) {
            return null;
        }
        if ("stop".equals(a.op) && alloc.node(r) == null) {
            // without quorum (no-quorum-policy=stop) Pacemaker places it and blocks its start for that
            // (demote: all but promotable instances stop the same way); a clone's instances and what runs
            // on a node that cannot run it are not placed at all: "node availability"
            String policy = c.options().noQuorumPolicy();
            SNode at = a.node;
            boolean noQuorum = !c.quorumAllowsStarts() && ("stop".equals(policy) || "demote".equals(policy))
                    && !r.requiresNothing && r.targetRole != Role.STOPPED && r.cloneAncestor() == null
                    && at != null && at.canRunOps();
            return noQuorum ? "no quorum" : "node availability";
        }
        String why = a.unrunnableReason;
        // (a runnable stop carries the reason of the start it stands in for)
        if (why != null && (!a.runnable || "stop".equals(a.op))) {
            if (why.startsWith("no quorum")) {
                return why.contains("freeze") ? "quorum freeze" : "no quorum";
            }
            String order = between(why, "(order ", ")");
            if (why.startsWith("it starts after one of ") && order != null) {
                return "unrunnable one-or-more:" + order;   // require-all=false: Pacemaker's pseudo action
            }
            String first = firstNamed(why, "it starts after ", " ");
            if (first != null) {
                Rsc f = c.byId().get(first);
                if (f != null && f.kind == Rsc.Kind.CLONE && f.meta.get("clone-min") != null && order != null) {
                    return "unrunnable clone-one-or-more:" + order;   // clone-min: enough instances, as a pseudo action
                }
                return "unrunnable " + first + (f == null || f.isPrimitive() ? " start" : " running");
            }
            String with = firstNamed(why, "it must run with ", ",");
            if (with != null) {
                return "colocation with " + with;
            }
        }
        if ("start".equals(a.op) && p.redefined().contains(r)) {
            return "resource definition change";
        }
        if (a.reason != null) {
            return a.reason;
        }
        return null;
    }

    private static String between(String why, String open, String close) {
        int a = why.indexOf(open);
        int b = a < 0 ? -1 : why.indexOf(close, a + open.length());
        return b < 0 ? null : why.substring(a + open.length(), b);
    }

    private static String firstNamed(String why, String prefix, String end) {
        if (!why.startsWith(prefix)) {
            return null;
        }
        String rest = why.substring(prefix.length());
        int e = rest.indexOf(end);
        String name = (e < 0 ? rest : rest.substring(0, e)).trim();
        return name.isEmpty() || name.equals("one") ? null : name;
    }

    /** Builds one resource's items; the reason is taken from the source action (the action itself when none). */
    private static final class Line {
        final Rsc r;
        final Role role;
        final Role nextRole;
        final Cluster c;
        final Allocation alloc;
        final Plan p;
        final String name;

        Line(Cluster c, Allocation alloc, Plan p, Rsc r, String name, Role role, Role nextRole) {
            this.c = c;
            this.alloc = alloc;
            this.p = p;
            this.name = name;
            this.r = r;
            this.role = role;
            this.nextRole = nextRole;
        }

        SummaryItem[] item(String change, SNode from, SNode to, Act action, Act source) {
            return new SummaryItem[] {one(change, from, to, action, source)};
        }

        SummaryItem one(String change, SNode from, SNode to, Act action, Act source) {
            Act src = source != null ? source : action;
            String reason = reasonOf(src);
            boolean runnable = action == null || action.runnable;
            return new SummaryItem(change, name, role.text(), nextRole.text(), from == null ? null : from.name,
                    to == null ? null : to.name, reason, runnable);
        }

        private String reasonOf(Act a) {
            return a == null ? null : reason(c, alloc, p, r, a);
        }
    }
}
