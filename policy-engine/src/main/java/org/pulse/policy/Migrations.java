package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.pulse.policy.OrderGraph.prims;

/**
 * Live migration: a resource with allow-migrate=true that moves between two healthy nodes
 * migrates instead of stopping and starting: migrate_to on the source, migrate_from on the
 * target, then the stop on the source; the start becomes a pseudo action (the migration did it).
 * Decided in three steps, each where the schedule can answer it: the candidates before the
 * resource actions, the confirmed ones once the orderings are known, the actions once
 * runnability has said which stops and starts can run.
 */
final class Migrations {
    private Migrations() {
    }

    /**
     * Which resources could move by live migration, decided before restarts propagate: a
     * migrating "first" does not restart what is ordered after it (its start is only a pseudo
     * action after migrate_from).
     */
    static Set<Rsc> candidates(Cluster c, Allocation alloc) {
        Set<Rsc> out = new LinkedHashSet<>();
        for (Rsc r : c.byId().values()) {
            if (canMigrate(alloc, r)) {
                out.add(r);
            }
        }
        return Collections.unmodifiableSet(out);
    }

    /**
     * The candidates that do move live: those the resource actions gave a stop at the source
     * and a start at the target, and not ordered (mandatory, symmetrical) after something that
     * stops for real, since they must then stop before that does. The second rule depends on
     * the first side's own migration: repeated until nothing changes.
     */
    static Set<Rsc> confirm(Allocation alloc, ActionTable t, Set<Rsc> candidates, OrderGraph g) {
        Set<Rsc> migrating = new LinkedHashSet<>(candidates);
        migrating.removeIf(r -> t.find(r, "stop", migrationSource(r)) == null || t.find(r, "start", alloc.node(r)) == null);
        boolean changed = true;
        while (changed) {
            changed = false;
            for (java.util.Iterator<Rsc> it = migrating.iterator(); it.hasNext(); ) {
                Rsc r = it.next();
                if (orderedAfterRealStop(t, g, migrating, r)) {
                    it.remove();
                    changed = true;
                }
            }
        }
        return Collections.unmodifiableSet(migrating);
    }

    static boolean canMigrate(Allocation alloc, Rsc r) {
        if (!r.isPrimitive() || !r.managed || r.cloneAncestor() != null
                || !org.pulse.cib.model.ClusterOptions.isTrue(r.meta.get("allow-migrate"))) {
            return false;
        }
        SNode from = migrationSource(r);
        SNode to = alloc.node(r);
        if (from == null || to == null || from == to || !from.canRunOps() || !to.canRunOps()) {
            return false;
        }
        if (r.partialTarget != null && to != r.partialTarget) {
            return false;   // half-migrated elsewhere: it stops on both sides and starts anew
        }
        for (Rsc.NodeHistory any : r.history.values()) {
            org.pulse.cib.model.LrmOp f = any.lastFailure;
            if (f != null && ("migrate_to".equals(f.operation()) || "migrate_from".equals(f.operation()))) {
                return false;   // a migration of it failed: it moves by stop and start now
            }
        }
        Rsc.NodeHistory h = r.history.get(from);
        return h != null && !h.failed && !r.failed;
    }

    /** Where a live migration would start from: the single node it runs on, or a partial one's source. */
    static SNode migrationSource(Rsc r) {
        return r.partialSource != null ? r.partialSource : r.currentNode();
    }

    private static boolean orderedAfterRealStop(ActionTable t, OrderGraph g, Set<Rsc> migrating, Rsc r) {
        List<OrderGraph.Edge> in = new ArrayList<>(g.byThen(r));
        if (r.parent != null && r.parent.kind == Rsc.Kind.GROUP) {
            in.addAll(g.byThen(r.parent));
        }
        for (OrderGraph.Edge e : in) {
            if (!e.mandatory() || !e.symmetrical() || !"start".equals(e.firstAction())) {
                continue;
            }
            for (Rsc f : prims(e.first())) {
                if (!migrating.contains(f) && t.stopping(f)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The migrate_to and migrate_from of each confirmed resource whose stop and start can both
     * run, the start made a pseudo action and the orderings moved onto the migration; returns
     * the migration actions added. After runnability, before notifications and the graph's inputs.
     */
    static List<Act> run(Cluster c, Allocation alloc, ActionTable t, Set<Rsc> migrating) {
        List<Act> added = new ArrayList<>();
        for (Rsc r : c.byId().values()) {
            if (!migrating.contains(r)) {
                continue;
            }
            SNode from = migrationSource(r);
            SNode to = alloc.node(r);
            Act stop = t.find(r, "stop", from);
            Act start = t.find(r, "start", to);
            if (stop == null || start == null || !stop.runnable || !start.runnable || stop.pseudo) {
                continue;
            }
            Act mf = t.add("migrate_from", r, to, 0, null);
            mf.extra.put("CRM_meta_migrate_source", from.name);
            mf.extra.put("CRM_meta_migrate_target", to.name);
            // a migrate_to to this target already done (partial migration) is not repeated
            boolean partial = r.partialTarget == to;
            Act first = mf;
            if (!partial) {
                Act mt = t.add("migrate_to", r, from, 0, null);
                mt.extra.put("CRM_meta_migrate_source", from.name);
                mt.extra.put("CRM_meta_migrate_target", to.name);
                mf.after(mt);
                first = mt;
                added.add(mt);
            }
            added.add(mf);
            for (Act in : start.inputs) {
                if (in != stop) {
                    first.after(in);
                }
            }
            stop.after(mf);
            start.inputs.remove(stop);
            start.after(mf);
            start.pseudo = true;
        }
        return List.copyOf(added);
    }
}
