package org.pulse.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.model.Scores;

/**
 * Stage 4: choose a node for every placement unit. Units go in priority order; a unit's
 * primaries (what it is colocated with) are placed before it; its score per node is its own
 * plus what its dependents prefer (weighted by the colocation score, dropped if it would leave
 * nowhere to run), then the colocations with the already placed primaries. Ties go to the
 * current node, then to the node with fewer resources, then by name.
 */
final class Assignment {
    private final Cluster c;
    private final Scoring s;
    /** Final per-unit tables (own + influence + colocations), for explain. */
    private final Map<Rsc, ScoreTable> finalScores = new LinkedHashMap<>();

    // What this stage and Promotion decide, by Rsc.order: handed on frozen as an Allocation.
    private final SNode[] nodes;
    private final Role[] nextRoles;
    private final String[] reasons;
    private final boolean[] rolesDone;

    // Work state, by Rsc.order: being placed now (a colocation loop stops there), placed.
    private final boolean[] assigning;
    private final boolean[] done;
    /** By node index: resources placed there so far (ties between equal scores go to the emptier node). */
    private final int[] assignedCount;
    /** By node index: capacity taken by what was placed there so far (placement-strategy other than default). */
    private final List<Map<String, Integer>> used;

    private Assignment(Cluster c, Scoring s) {
        this.c = c;
        this.s = s;
        int slots = c.rscSlots();
        this.nodes = new SNode[slots];
        this.nextRoles = new Role[slots];
        java.util.Arrays.fill(nextRoles, Role.STOPPED);
        this.reasons = new String[slots];
        this.rolesDone = new boolean[slots];
        this.assigning = new boolean[slots];
        this.done = new boolean[slots];
        int nodeSlots = c.nodeSlots();
        this.assignedCount = new int[nodeSlots];
        this.used = new ArrayList<>(nodeSlots);
        for (int i = 0; i < nodeSlots; i++) {
            used.add(new java.util.HashMap<>());
        }
    }

    /** The node assigned so far to {@code r}, or null. */
    SNode node(Rsc r) {
        return nodes[r.order];
    }

    /** Has {@code r} been placed (its node, if any, is final)? */
    boolean placed(Rsc r) {
        return done[r.order];
    }

    /** The next role decided so far (Stopped until Promotion decides the clone's roles). */
    Role nextRole(Rsc r) {
        return nextRoles[r.order];
    }

    void nextRole(Rsc r, Role role) {
        nextRoles[r.order] = role;
    }

    /** Marks a clone's roles decided; false if they already were (see Promotion.assignRoles). */
    boolean decideRoles(Rsc clone) {
        boolean first = !rolesDone[clone.order];
        rolesDone[clone.order] = true;
        return first;
    }

    private Map<String, Integer> used(SNode n) {
        return used.get(n.index);
    }

    /** What was decided, frozen: call once roles are decided too (Promotion.run). */
    Allocation allocation() {
        return new Allocation(nodes, nextRoles, reasons, rolesDone, finalScores, order);
    }

    /** The top-level resources in the order they were placed (Pacemaker's resource list, sorted for placement). */
    private List<Rsc> order = List.of();

    static Assignment run(Cluster c, Scoring s) {
        Assignment a = new Assignment(c, s);
        a.assignAll();
        return a;
    }

    private void assignAll() {
        List<Rsc> units = new ArrayList<>();
        for (Rsc r : c.topLevel()) {
            if (r.kind == Rsc.Kind.CLONE) {
                // instances are placed from the clone, when its turn comes: see assignClone
                units.add(r);
            } else {
                units.add(r);
            }
        }
        // Higher priority first; among equals, configuration order (what Pacemaker 2.1.5 does, as its
        // allocation traces on the generated benchmark CIBs show)
        List<Rsc> sorted = new ArrayList<>(units);
        sorted.sort(Comparator.comparingInt((Rsc u) -> -priority(u)));
        if (!"default".equals(c.options().placementStrategy())) {
            sortForUtilization(sorted);
        }
        order = List.copyOf(sorted);
        // Remote connections first (with what they are colocated with, a guest's container): whether
        // a remote node will be up decides whether anything may be placed there (RemoteNodes.connectionAssigned)
        for (Rsc u : sorted) {
            if (u.remoteNode != null) {
                assign(u);
                RemoteNodes.connectionAssigned(u, node(u));
            }
        }
        for (Rsc u : sorted) {
            assign(u);
        }
    }

    /**
     * With a placement strategy other than default, Pacemaker orders resources before placing
     * them (so capacity goes first to those that most want where they are): by priority, then
     * by their score on their current node (inactive ones last), then by their scores node by
     * node, the nodes taken best first (base score, then free capacity when balanced, then
     * fewer resources, then name). Stable: ties keep configuration order.
     */
    private void sortForUtilization(List<Rsc> units) {
        List<SNode> nodeOrder = new ArrayList<>(c.nodes());
        Map<SNode, Integer> running = new java.util.HashMap<>();
        for (Rsc r : c.byId().values()) {
            if (r.isPrimitive()) {
                for (SNode n : r.runningOn) {
                    running.merge(n, 1, Integer::sum);
                }
            }
        }
        boolean balanced = "balanced".equals(c.options().placementStrategy());
        nodeOrder.sort((a, b) -> {
            int wa = a.canHost() ? a.baseScore : -Scores.INFINITY;
            int wb = b.canHost() ? b.baseScore : -Scores.INFINITY;
            if (wa != wb) {
                return wa > wb ? -1 : 1;
            }
            if (balanced) {
                int cc = compareCapacity(a, b);
                if (cc != 0) {
                    return cc < 0 ? -1 : 1;
                }
            }
            int ra = running.getOrDefault(a, 0);
            int rb = running.getOrDefault(b, 0);
            if (ra != rb) {
                return ra < rb ? -1 : 1;
            }
            return a.name.compareTo(b.name);
        });
        Map<Rsc, Integer> currentScore = new java.util.HashMap<>();
        for (Rsc u : units) {
            SNode cur = unitCurrentNode(u);
            ScoreTable t = sortTable(u);
            currentScore.put(u, cur != null && t.allows(cur) ? t.get(cur) : -Scores.INFINITY);
        }
        units.sort((x, y) -> {
            if (priority(x) != priority(y)) {
                return priority(x) > priority(y) ? -1 : 1;
            }
            int cx = currentScore.get(x);
            int cy = currentScore.get(y);
            if (cx != cy) {
                return cx > cy ? -1 : 1;
            }
            ScoreTable tx = sortTable(x);
            ScoreTable ty = sortTable(y);
            for (SNode n : nodeOrder) {
                int sx = tx.allows(n) ? tx.get(n) : -Scores.INFINITY;
                int sy = ty.allows(n) ? ty.get(n) : -Scores.INFINITY;
                if (sx != sy) {
                    return sx > sy ? -1 : 1;
                }
            }
            return 0;
        });
    }

    /**
     * The scores a unit is ranked by before placing: a group's members combined, but a clone's
     * own (its location constraints), not its instances' — their stickiness would rank every
     * clone ahead of primitives that merely have no stickiness, which Pacemaker does not do.
     */
    private ScoreTable sortTable(Rsc u) {
        return sortTable(u, new HashSet<>());
    }

    /**
     * ... with what the unit's colocations ask of it merged in (its primaries' tables, scaled by
     * score / INFINITY, each dropped if it would leave nowhere), as Pacemaker ranks by a
     * resource's colocated node scores: a VM that must be with a clone banned from a node ranks
     * below a resource that may run there.
     */
    private ScoreTable sortTable(Rsc u, Set<Rsc> visiting) {
        ScoreTable t = u.kind == Rsc.Kind.CLONE && s.scores(u) != null ? s.scores(u) : combinedOwn(u);
        visiting.add(u);
        for (Colocation col : s.primariesOf(u)) {
            Rsc p = col.primary();
            if (visiting.contains(p) || col.dependentRole() == Role.PROMOTED || col.dependentRole() == Role.UNPROMOTED
                    || (col.primaryRole() != Role.UNKNOWN && col.primaryRole() != Role.STARTED)) {
                continue;
            }
            ScoreTable merged = merge(t, sortTable(p, visiting), (float) col.score() / Scores.INFINITY,
                    p.id + " (colocation " + col.id() + ")");
            if (canRunAny(merged)) {
                t = merged;
            }
        }
        visiting.remove(u);
        return t;
    }

    private static int priority(Rsc u) {
        return u.priority;
    }

    /** The node a unit runs on now: a primitive's single node, or a group's first active member's. */
    static SNode unitCurrentNode(Rsc u) {
        if (u.isPrimitive()) {
            return u.currentNode();
        }
        for (Rsc m : u.primitives()) {
            if (m.currentNode() != null) {
                return m.currentNode();
            }
        }
        return null;
    }

    /**
     * A unit's own table: a primitive's, or for a group its first member's with each following
     * member merged in (members are colocated with the one before them at INFINITY).
     */
    private final Map<Rsc, ScoreTable> combinedCache = new java.util.HashMap<>();

    /** Own tables do not change during assignment, so a group's merge is computed once. */
    ScoreTable combinedOwn(Rsc u) {
        ScoreTable t = combinedCache.get(u);
        if (t == null) {
            t = computeCombinedOwn(u);
            combinedCache.put(u, t);
        }
        return t;
    }

    private ScoreTable computeCombinedOwn(Rsc u) {
        if (u.isPrimitive() || u.kind == Rsc.Kind.CLONE) {
            // a clone's preferences are its own node weights (its locations), not its instances'
            // (their stickiness is theirs: Pacemaker merges the clone's allowed nodes)
            return s.scores(u);
        }
        List<Rsc> members = u.primitives();
        if (members.isEmpty()) {
            return s.scores(u);
        }
        return combinedFrom(members, 0);
    }

    /** Members from {@code from} on, each merged into the one before it (dropped if that leaves nowhere). */
    private ScoreTable combinedFrom(List<Rsc> members, int from) {
        ScoreTable t = s.scores(members.get(members.size() - 1)).copy();
        for (int i = members.size() - 2; i >= from; i--) {
            ScoreTable base = s.scores(members.get(i)).copy();
            ScoreTable merged = merge(base, t, 1.0f, members.get(i + 1).id);
            t = canRunAny(merged) ? merged : base;
        }
        return t;
    }

    /** {@code base} plus {@code factor} × {@code other} on the nodes base allows. */
    private static ScoreTable merge(ScoreTable base, ScoreTable other, float factor, String why) {
        ScoreTable out = base.copy();
        for (int i = 0; i < base.size(); i++) {
            if (!base.allowedAt(i)) {
                continue;
            }
            SNode n = base.node(i);
            int o = otherScore(other, n);
            if (factor < 0 && o < 0) {
                continue;   // a node the other cannot use does not become attractive
            }
            int add = scaled(o, factor);
            if (add != 0) {
                out.add(n, add, "preference of " + why + (factor == 1.0f ? "" : " × " + factor));
            }
        }
        return out;
    }

    /**
     * A colocated resource's score on a node as it counts for another: times the colocation's
     * factor (score / INFINITY), rounded half away from zero, INFINITY included (a dependent's
     * INFINITY location through a colocation of 100 weighs 100, not INFINITY, so it does not
     * outweigh the primary's stickiness). A nonzero score never rounds to nothing: 100 × 500 /
     * INFINITY still counts, as 1, so the primary still leans towards that node.
     */
    static int scaled(int score, float factor) {
        float f = factor * score;
        int add = (int) (f < 0 ? f - 0.5f : f + 0.5f);
        if (add == 0 && score != 0 && factor != 0) {
            add = (factor > 0) == (score > 0) ? 1 : -1;
        }
        return Math.max(-Scores.INFINITY, Math.min(Scores.INFINITY, add));
    }

    /**
     * What the other side of a merge says of node n: its score there, but -INFINITY where n cannot
     * run resources at all (standby, offline, unclean, maintenance), whatever its score. Pacemaker
     * looks for the best node where the other resource is available and finds none there, so a
     * group whose members sit on a standby node ranks below one on a healthy node.
     */
    private static int otherScore(ScoreTable other, SNode n) {
        return n.canHost() ? other.get(n) : -Scores.INFINITY;
    }

    private static boolean canRunAny(ScoreTable t) {
        for (int i = 0; i < t.size(); i++) {
            if (t.allowedAt(i) && t.at(i) >= 0 && t.node(i).canHost()) {
                return true;
            }
        }
        return false;
    }

    /** Own table plus what the unit's dependents want (recursively), weighted by colocation score. */
    private ScoreTable withInfluence(Rsc u, Set<Rsc> visiting) {
        return addInfluence(combinedOwn(u).copy(), u, visiting);
    }

    /**
     * The table a unit is placed by, in Pacemaker's order: its own scores (a group's first
     * member's) with its colocations with already placed primaries applied first; then the
     * later members of a group, then what its dependents prefer — each merge dropped when it
     * would leave no node where the unit may run, judged with the primaries' part included.
     */
    private ScoreTable placementTable(Rsc u, List<Colocation> primaries) {
        List<Rsc> members = u.isPrimitive() ? List.of() : u.primitives();
        ScoreTable t = members.isEmpty() ? s.scores(u).copy() : s.scores(members.get(0)).copy();
        if (u.parent != null && u.parent.kind == Rsc.Kind.CLONE && u.parent.promotable) {
            addPromotionScores(u, t);
        }
        t = applyPrimaries(u, t, primaries);
        if (members.size() > 1) {
            ScoreTable merged = merge(t, combinedFrom(members, 1), 1.0f, members.get(1).id);
            if (canRunAny(merged)) {
                t = merged;
            }
        }
        if (u.parent != null && u.parent.kind == Rsc.Kind.CLONE) {
            // after a cloned group's later members: their bans are judged as before, without the full nodes
            banFullNodes(u, t);
        }
        return addInfluence(t, u, new HashSet<>());
    }

    /**
     * An instance cannot go where its clone is banned or where the clone already has clone-node-max
     * instances; Pacemaker marks those nodes -INFINITY before placing the instance, so a dependent's
     * preference that would leave the instance only such nodes is rolled back (a -INFINITY dependent
     * on the last free node does not keep the last instance off it).
     */
    private void banFullNodes(Rsc inst, ScoreTable t) {
        for (SNode n : c.nodes()) {
            if (t.allows(n) && cloneNodeFull(inst, n)) {
                t.add(n, -Scores.INFINITY, "no room for another instance of " + inst.parent.id + " here");
            }
        }
    }

    private ScoreTable addInfluence(ScoreTable t, Rsc u, Set<Rsc> visiting) {
        return addInfluence(t, u, 1.0f, visiting);
    }

    /**
     * Merges what u's dependents want into t. A dependent's own scores count at its colocation's
     * factor times {@code sign} (1, or -1 where u is itself merged as an anti-colocated dependent):
     * Pacemaker passes only the sign down the chain, not the product, so a dependent's dependent
     * (and a group's later members) count at their own colocation's full strength.
     */
    private ScoreTable addInfluence(ScoreTable t, Rsc u, float sign, Set<Rsc> visiting) {
        visiting.add(u);
        for (Colocation col : influencers(u)) {
            Rsc d = col.dependent();
            // a dependent already placed (it was placed first, as the primary of a colocation loop)
            // still counts: Pacemaker merges the node scores of every influencing dependent
            if (!col.influence() || visiting.contains(d)) {
                continue;
            }
            // a -INFINITY dependent counts too, at factor -1: where it wants to be, the primary is
            // pushed away from, so both can have their way (merge skips nodes the dependent cannot use)
            float factor = sign * col.score() / Scores.INFINITY;
            t = mergeDependent(t, d, factor, byAttribute(col) ? col.nodeAttribute() : null,
                    d.id + " (colocation " + col.id() + ")", visiting);
        }
        visiting.remove(u);
        return t;
    }

    /**
     * t with dependent d merged at {@code factor}: d's own scores (a group's first member's) at
     * that factor, then, only if some node is still usable, a group's later members and d's own
     * dependents at full strength with the factor's sign; if none is, d counts for nothing.
     * Pacemaker reaches a dependent's scores the same way (the colocation of 100 with a group whose
     * second member has an INFINITY location pulls the primary there at INFINITY, while the same
     * location on a plain dependent pulls at 100).
     */
    private ScoreTable mergeDependent(ScoreTable t, Rsc d, float factor, String attribute, String why, Set<Rsc> visiting) {
        List<Rsc> members = d.isPrimitive() || d.kind == Rsc.Kind.CLONE ? List.of() : d.primitives();
        ScoreTable own = members.isEmpty() ? combinedOwn(d) : s.scores(members.get(0));
        if (attribute != null) {
            own = bestBySameAttribute(own, attribute);
        }
        ScoreTable merged = merge(t, own, factor, why);
        if (!canRunAny(merged)) {
            return t;
        }
        float sign = factor < 0 ? -1.0f : 1.0f;
        if (members.size() > 1) {
            ScoreTable withRest = merge(merged, combinedFrom(members, 1), sign, members.get(1).id);
            if (canRunAny(withRest)) {
                merged = withRest;
            }
        }
        return addInfluence(merged, d, sign, visiting);
    }

    /**
     * A dependent colocated by a node attribute (node-attribute="site") counts on each node with its
     * best score among the nodes that can host it and share that node's value of the attribute
     * (-INFINITY where none does), as Pacemaker merges such a dependent's preferences site by site.
     */
    private ScoreTable bestBySameAttribute(ScoreTable own, String attribute) {
        ScoreTable out = own.copy();
        for (SNode n : c.nodes()) {
            int best = -Scores.INFINITY;
            for (SNode m : c.nodes()) {
                if (m.canHost() && own.allows(m) && sameAttribute(n, m, attribute)) {
                    best = Math.max(best, own.get(m));
                }
            }
            if (!out.allows(n) || out.get(n) != best) {
                out.set(n, best, "best of " + attribute + " " + n.attributes.get(attribute));
            }
        }
        return out;
    }

    /**
     * The colocations whose dependents' preferences a unit takes in: those with the unit; for a clone
     * instance also (some of) those with its clone; for a group (not a cloned one) also those with
     * any of its members from outside the group. Members
     * are bound to each other at INFINITY, so Pacemaker's recursive merge over a member's dependents
     * reaches the first member, which places the group, at the dependent's own weight.
     */
    private List<Colocation> influencers(Rsc u) {
        List<Colocation> own = s.dependentsOf(u);
        if (u.parent != null && u.parent.kind == Rsc.Kind.CLONE) {
            return withCloneDependents(own, u.parent);
        }
        if (u.kind != Rsc.Kind.GROUP || u.parent != null) {
            return own;
        }
        List<Colocation> out = null;
        for (Rsc m : u.children) {
            for (Colocation col : s.dependentsOf(m)) {
                if (Scoring.unit(col.dependent()) != u) {
                    if (out == null) {
                        out = new ArrayList<>(own);
                    }
                    out.add(col);
                }
            }
        }
        return out == null ? own : out;
    }

    /**
     * An instance is placed with its clone's dependents' preferences too (Pacemaker hands each
     * instance the colocations with its clone before placing it): all of them when the clone has
     * fewer instances than available nodes, otherwise only the negative ones, since every node
     * gets an instance anyway and a positive preference would only reshuffle them.
     */
    private List<Colocation> withCloneDependents(List<Colocation> own, Rsc clone) {
        boolean all = !everyNodeGetsOne.contains(clone);
        List<Colocation> out = null;
        for (Colocation col : s.dependentsOf(clone)) {
            if (all || col.score() < 0) {
                if (out == null) {
                    out = new ArrayList<>(own);
                }
                out.add(col);
            }
        }
        return out == null ? own : out;
    }

    /**
     * A clone's instances: first every active instance keeps its current node where it may
     * still run there; then the remaining instances are placed by score (Pacemaker's
     * distribute_children).
     */
    private void assignClone(Rsc clone) {
        // an instance keeps its node only while that node has fewer than its share of the
        // instances (clone-max over the nodes that can host, at least one), so instances
        // crowded on one node spread out when others become available
        int available = 0;
        for (SNode n : c.nodes()) {
            if (n.canHost() && s.scores(clone).allows(n)) {
                available++;
            }
        }
        int share = Math.max(1, available == 0 ? 1 : clone.cloneMax / available);
        if (clone.cloneMax >= available) {
            // every node that can take one gets an instance anyway: the clone's finite positive
            // colocations would only reshuffle instances, so they do not bind them (Pacemaker's
            // distribute_children hands its instances the clone's colocations in full only when
            // clone-max is below the nodes available)
            everyNodeGetsOne.add(clone);
        }
        Map<SNode, Integer> kept = new java.util.HashMap<>();
        // Pacemaker's instance order (see instanceOrder) for both passes
        List<Rsc> order = new ArrayList<>(clone.children);
        Map<Rsc, Integer> byColocation = new java.util.HashMap<>();
        for (Rsc inst : order) {
            SNode cur = unitCurrentNode(inst);
            int rank = instanceOrder(inst);
            byColocation.put(inst, cur != null && rank <= 1 ? dependentsScoreOn(clone, cur) : 0);
        }
        order.sort(java.util.Comparator.comparingInt(this::instanceOrder)
                .thenComparing(inst -> -byColocation.get(inst)));
        instanceOrder.put(clone, order);
        for (Rsc inst : order) {
            SNode cur = unitCurrentNode(inst);
            // a failed instance is not kept first; for a cloned group only its members carry the
            // failure, so Pacemaker's check (on the instance itself) lets the group keep its node
            if (cur == null || done[inst.order] || (inst.isPrimitive() && failed(inst))) {
                continue;
            }
            ScoreTable t = combinedOwn(inst);
            if (kept.getOrDefault(cur, 0) >= share) {
                crowded.add(inst);   // its node has its share: no tie goes to it there
                continue;
            }
            if (cur.canHost() && t.allows(cur) && t.get(cur) >= 0 && !cloneNodeFull(inst, cur) && wantsToRun(inst)
                    && inst.managed) {
                pinned.put(inst, cur);
                assign(inst);
                if (node(inst) == cur) {
                    kept.merge(cur, 1, Integer::sum);
                }
            }
        }
        // the rest in Pacemaker's instance order: active instances on nodes that can host them,
        // then those on nodes that cannot, failed ones after the healthy ones, inactive ones last
        // (a failed instance no longer takes the best node ahead of a healthy one whose node was beaten)
        for (Rsc inst : order) {
            assign(inst);
        }
    }

    /**
     * Among active instances that can stay where they are, Pacemaker places first the one whose node
     * the clone's dependents like best: their preferences (with their own dependents', as a merge
     * reaches them) summed on the instance's node alone, never below 0. So an instance on a node
     * that a dependent's dependent pulls towards keeps it, and the others keep theirs.
     */
    private int dependentsScoreOn(Rsc clone, SNode cur) {
        int total = 0;
        for (Colocation col : s.dependentsOf(clone)) {
            Rsc d = col.dependent();
            if (!col.influence() || d == clone) {
                continue;
            }
            if (s.scores(clone) == null) {
                return 0;
            }
            ScoreTable one = s.scores(clone).onlyAt(cur);
            if (total != 0) {
                one.add(cur, total, "so far");
            }
            Set<Rsc> visiting = new HashSet<>(List.of(clone));
            int now = mergeDependent(one, d, (float) col.score() / Scores.INFINITY,
                    byAttribute(col) ? col.nodeAttribute() : null, d.id, visiting).get(cur);
            total = now >= 0 ? now : (total > 0 ? 1 : total);
        }
        return total;
    }

    /**
     * An instance counts as on a node that can keep it only when the node can host resources and
     * the instance itself may stay there (its own score there is not negative): one whose stop
     * failed is banned from its node, so, blocked there, it is ordered with the instances on nodes
     * that cannot keep them and, being failed, after them and after the inactive ones. An instance
     * that must leave a standby node, or one not running yet, is then placed before it and may take
     * that node (Pacemaker's instance order).
     */
    private int instanceOrder(Rsc inst) {
        SNode cur = unitCurrentNode(inst);
        if (cur == null) {
            return 4;
        }
        boolean canKeep = cur.canHost() && (s.scores(inst) == null || s.scores(inst).get(cur) >= 0);
        if (canKeep) {
            return failed(inst) ? 1 : 0;
        }
        // a failed copy that cannot stay where it is comes after the inactive instances too
        return failed(inst) ? 5 : 2;
    }

    /**
     * The clone's own node weights as promotion sees them (Pacemaker's promotion_order): its
     * locations, what every resource colocated with it prefers (positive, dropped if it would
     * leave nowhere), once more what those colocated with its Promoted role prefer, and what the
     * resources its Promoted role is colocated with prefer. Each instance's promotion priority
     * is added to this on its node to rank the instances.
     */
    private ScoreTable promotionWeights(Rsc clone, Map<SNode, Integer> instancePriorities) {
        ScoreTable t = s.scores(clone).copy();
        for (int pass = 0; pass < 2; pass++) {
            if (pass == 1) {
                for (Map.Entry<SNode, Integer> e : instancePriorities.entrySet()) {
                    if (t.allows(e.getKey())) {
                        t.add(e.getKey(), e.getValue(), "promotion priority of the instances here");
                    }
                }
            }
            for (Colocation col : s.dependentsOf(clone)) {
                Rsc d = col.dependent();
                if (!col.influence() || done[d.order] || col.score() <= -Scores.INFINITY
                        || (pass == 1 && col.primaryRole() != Role.PROMOTED)) {
                    continue;
                }
                ScoreTable dt = withInfluence(d, new HashSet<>(List.of(clone)));
                float factor = (float) col.score() / Scores.INFINITY;
                String why = d.id + " (colocation " + col.id() + ")";
                ScoreTable merged = pass == 0 ? mergePositive(t, dt, factor, why) : mergeNonNegative(t, dt, factor, why);
                if (canRunAny(merged)) {
                    t = merged;
                }
            }
        }
        for (Colocation col : s.primariesOf(clone)) {
            if (col.dependentRole() != Role.PROMOTED) {
                continue;
            }
            ScoreTable pt = finalScores.get(col.primary());
            if (pt == null) {
                continue;
            }
            ScoreTable merged = merge(t, pt, (float) col.score() / Scores.INFINITY, col.primary().id + " (colocation " + col.id() + ")");
            if (col.score() >= Scores.INFINITY || canRunAny(merged)) {
                t = merged;
            }
        }
        return t;
    }

    /**
     * What is colocated with the Promoted role, merged as Pacemaker does: a node it would make
     * negative keeps its weight when that was 0 and drops to 1 when it was positive (still
     * usable, but behind every node the dependent accepts); other nodes take the sum.
     */
    private static ScoreTable mergeNonNegative(ScoreTable base, ScoreTable other, float factor, String why) {
        ScoreTable out = base.copy();
        for (int i = 0; i < base.size(); i++) {
            if (!base.allowedAt(i)) {
                continue;
            }
            SNode n = base.node(i);
            int o = otherScore(other, n);
            if (factor < 0 && o < 0) {
                continue;
            }
            int add;
            if (o >= Scores.INFINITY || o <= -Scores.INFINITY) {
                add = (factor > 0) == (o > 0) ? Scores.INFINITY : -Scores.INFINITY;
            } else {
                add = Math.round(factor * o);
                if (add == 0 && o != 0) {
                    add = factor > 0 ? 1 : -1;
                }
            }
            int was = base.at(i);
            int sum = Scores.add(was, add);
            if (sum < 0 && was > 0) {
                out.set(n, 1, "preference of " + why + " would make it negative: weight 1");
            } else if (sum < 0 && was == 0) {
                continue;
            } else if (add != 0) {
                out.add(n, add, "preference of " + why + (factor == 1.0f ? "" : " × " + factor));
            }
        }
        return out;
    }

    /** As {@link #merge}, but a node the other side dislikes is not made negative by it. */
    private static ScoreTable mergePositive(ScoreTable base, ScoreTable other, float factor, String why) {
        ScoreTable out = base.copy();
        for (int i = 0; i < base.size(); i++) {
            if (!base.allowedAt(i)) {
                continue;
            }
            SNode n = base.node(i);
            int o = otherScore(other, n);
            int add;
            if (o >= Scores.INFINITY || o <= -Scores.INFINITY) {
                add = (factor > 0) == (o > 0) ? Scores.INFINITY : -Scores.INFINITY;
            } else {
                add = (int) (factor * o);
            }
            if (add > 0) {
                out.add(n, add, "preference of " + why + (factor == 1.0f ? "" : " × " + factor));
            }
        }
        return out;
    }

    /** Each clone's instances in the order they were placed (see assignClone). */
    private final Map<Rsc, List<Rsc>> instanceOrder = new java.util.HashMap<>();

    /** Clones with at least as many instances as nodes available to them (see assignClone). */
    private final Set<Rsc> everyNodeGetsOne = new HashSet<>();

    /** Clone instances on a node that already has its share of the clone's instances. */
    private final Set<Rsc> crowded = new HashSet<>();

    /**
     * A promotable instance prefers, by its positive promotion score, the nodes where that
     * score applies to it: where it is known (active or probed), or anywhere while the clone is
     * known nowhere yet (Pacemaker adds promotion scores before placing instances).
     */
    private void addPromotionScores(Rsc inst, ScoreTable t) {
        boolean knownAnywhere = false;
        for (Rsc other : inst.parent.children) {
            for (Rsc p : other.primitives()) {
                knownAnywhere |= !p.known.isEmpty();
            }
        }
        for (SNode n : c.nodes()) {
            if (!t.allows(n) || !n.canHost()) {
                continue;
            }
            int sum = 0;
            for (Rsc p : inst.primitives()) {
                if (knownAnywhere && !p.known.contains(n)) {
                    continue;
                }
                Integer a = Promotion.attributeScore(this, p, n);
                if (a != null) {
                    sum = Scores.add(sum, a);
                }
            }
            if (sum > 0) {
                t.add(n, sum, "promotion score");
            }
        }
    }

    /** Has any primitive of the unit failed (a failed instance is not kept where it is)? */
    private static boolean failed(Rsc u) {
        for (Rsc p : u.primitives()) {
            if (p.failed) {
                return true;
            }
        }
        return false;
    }

    /** Cloned-group instances whose members a rejected first-pass placement left on a better node. */
    private final Map<Rsc, SNode> strandedGroupInstances = new java.util.HashMap<>();

    /** Instances whose first-pass node is decided: they take it unless a colocation forbids it. */
    private final Map<Rsc, SNode> pinned = new java.util.HashMap<>();

    /** With a clone as primary: the nodes where it has an instance count. */
    private void applyCloneColocation(ScoreTable t, Colocation col, Rsc clone, Rsc dependent) {
        java.util.Set<SNode> where = new java.util.HashSet<>();
        for (Rsc inst : clone.children) {
            // with a role named (with-rsc-role), only the instances that will have that role count
            if (node(inst) != null && (col.primaryRole() == Role.UNKNOWN || col.primaryRole() == Role.STARTED
                    || Promotion.instanceRole(this, inst) == col.primaryRole())) {
                where.add(node(inst));
            }
        }
        if (byAttribute(col)) {
            // by node attribute: every node sharing the attribute's value with a node of an instance
            java.util.Set<SNode> sharing = new java.util.HashSet<>();
            for (SNode n : c.nodes()) {
                for (SNode w : where) {
                    if (sameAttribute(w, n, col.nodeAttribute())) {
                        sharing.add(n);
                    }
                }
            }
            where = sharing;
        }
        if (col.score() < 0 && col.score() > -Scores.INFINITY && dependent != null) {
            // a finite colocation that would leave the dependent no node is rolled back, as with
            // a primitive primary (see applyPrimaries)
            ScoreTable trial = t.copy();
            for (SNode n : where) {
                if (trial.allows(n)) {
                    trial.add(n, col.score(), "trial");
                }
            }
            if (!availableElsewhereOrStill(dependent, trial, null, 0)) {
                return;
            }
        }
        for (SNode n : c.nodes()) {
            if (!t.allows(n)) {
                continue;
            }
            boolean has = where.contains(n);
            if (col.score() >= Scores.INFINITY && !has) {
                t.add(n, -Scores.INFINITY, "no instance of " + clone.id + " here (colocation " + col.id() + ")");
            } else if (has && col.score() < Scores.INFINITY) {
                t.add(n, col.score(), (col.score() < 0 ? "apart from " : "with ") + clone.id + " (colocation " + col.id() + ")");
            }
        }
    }

    void assign(Rsc u) {
        if (u.kind == Rsc.Kind.CLONE) {
            if (!assigning[u.order] && !done[u.order]) {
                assigning[u.order] = true;
                assignClone(u);
                assigning[u.order] = false;
                done[u.order] = true;
                // roles now, so that what goes with a role of this clone is placed knowing where it is
                Promotion.assignRoles(c, s, this, u, u.promotable ? sums -> promotionWeights(u, sums) : null);
            }
            return;
        }
        if (done[u.order] || assigning[u.order]) {
            return;
        }
        assigning[u.order] = true;
        List<Colocation> primaries = new ArrayList<>(s.primariesOf(u));
        if (u.parent != null && u.parent.kind == Rsc.Kind.CLONE) {
            primaries.addAll(s.primariesOf(u.parent));   // a clone's colocation binds each instance
        }
        primaries.sort(PRIMARY_ORDER);
        for (Colocation col : primaries) {
            assign(placedWith(col.primary()));
        }
        List<Colocation> placing = primaries;
        if (u.parent != null && u.parent.kind == Rsc.Kind.CLONE && everyNodeGetsOne.contains(u.parent)) {
            // (its primaries are placed first all the same) a finite positive colocation of the clone
            // does not bind an instance when every available node gets one (see assignClone)
            placing = new ArrayList<>(primaries);
            placing.removeIf(col -> col.dependent() == u.parent && col.score() >= 0 && col.score() < Scores.INFINITY);
        }
        if (u.kind == Rsc.Kind.GROUP && !u.children.isEmpty()) {
            // a colocation naming a member binds that member: what it is with is placed first; the
            // first member's colocations place the group, a later member's decide whether it can
            // run where the group goes (see setAssigned)
            for (Rsc m : u.children) {
                for (Colocation col : memberColocations(u, m)) {
                    assign(Scoring.unit(col.primary()));
                    if (m == u.children.get(0)) {
                        if (placing == primaries) {
                            placing = new ArrayList<>(primaries);
                        }
                        placing.add(col);
                    }
                }
            }
        }
        ScoreTable t = placementTable(u, placing);
        finalScores.put(u, t);
        SNode chosen = null;
        String reason = null;
        if (u.orphan) {
            reason = "it is no longer in the configuration (orphan)";
        } else if (!wantsToRun(u)) {
            reason = "target-role is Stopped";
        } else {
            SNode pin = pinned.remove(u);
            if (pin != null) {
                // a clone instance keeps its node only if that is still one of its best (and it still fits there)
                SNode best = choose(u, t);
                boolean roomy = "default".equals(c.options().placementStrategy()) || fits(pin, utilization(u));
                if (best == null || t.get(pin) < 0 || t.get(pin) < t.get(best) || !roomy) {
                    if (u.kind == Rsc.Kind.GROUP && best != null && best != pin && roomy && t.get(pin) >= 0) {
                        // Pacemaker rolls back only the group's own pre-assignment, not its members':
                        // they stay on the better node, and the instance goes there later whatever
                        // clone-node-max says (a cloned group's instance moves onto a node that
                        // already has one)
                        strandedGroupInstances.put(u, best);
                    }
                    finalScores.remove(u);
                    assigning[u.order] = false;
                    return;   // placed with the instances that have no node yet
                }
                chosen = pin;
            } else if (strandedGroupInstances.containsKey(u)) {
                chosen = strandedGroupInstances.get(u);
            } else {
                chosen = choose(u, t);
            }
            if (chosen == null) {
                reason = "no node can run it (every node scores below 0 or cannot host resources)";
            }
        }
        // a group goes where its first member goes: when that member is unmanaged (is-managed=false,
        // or its node in maintenance) it stays where it is, and so does the group's place, which
        // is what colocations with the group see
        Rsc lead = u.kind == Rsc.Kind.GROUP && !u.children.isEmpty() ? u.children.get(0) : null;
        if (lead != null && u.managed && !lead.managed) {
            chosen = lead.currentNode();
            if (chosen == null && reason == null) {
                reason = "its first member is unmanaged and not active";
            }
        } else if (!u.managed && u.kind != Rsc.Kind.CLONE) {
            // unmanaged: nothing moves, and an inactive one takes no node (so counts nowhere);
            // one active on several nodes stays assigned to the first of them (pe__current_node)
            chosen = unitCurrentNode(u);
            if (chosen == null && u.isPrimitive() && !u.runningOn.isEmpty()) {
                chosen = u.runningOn.get(0);
            }
            if (chosen == null && reason == null) {
                reason = "it is unmanaged and not active";
            }
        }
        setAssigned(u, chosen, reason);
        assigning[u.order] = false;
        done[u.order] = true;
    }

    /**
     * What is placed when {@code p} is: a member of a group (not of a cloned one) is never placed
     * on its own, its group is, and the member's node is the group's (or none, when the member
     * cannot run there). So a resource colocated with a member follows the group's choice, as
     * Pacemaker escalates a member's assignment to its parent.
     */
    private static Rsc placedWith(Rsc p) {
        Rsc u = Scoring.unit(p);
        return u.parent == null ? u : p;
    }

    /**
     * Colocations naming a group member as the dependent, with something outside the group
     * (not of a role: those decide promotion).
     */
    private List<Colocation> memberColocations(Rsc group, Rsc m) {
        List<Colocation> out = new ArrayList<>(0);
        for (Colocation col : s.primariesOf(m)) {
            if (Scoring.unit(col.primary()) != group && col.dependentRole() != Role.PROMOTED
                    && col.dependentRole() != Role.UNPROMOTED) {
                out.add(col);
            }
        }
        return out;
    }

    /**
     * Colocations with primaries already placed, in order. A finite one is tried on a copy and
     * kept only if some node may still take the unit (a clone instance: a node without its share
     * of instances yet); otherwise it is rolled back, as Pacemaker does. A positive one with a
     * primary that is placed nowhere costs every node its score (the same rollback applies).
     */
    private ScoreTable applyPrimaries(Rsc u, ScoreTable t, List<Colocation> primaries) {
        for (Colocation col : primaries) {
            Rsc p = col.primary();
            if ((col.dependentRole() == Role.PROMOTED || col.dependentRole() == Role.UNPROMOTED) && !roleFixedFor(u, col)) {
                continue;   // a colocation of the dependent's role decides its promotion, not its node
            }
            if (byAttribute(col) && p.kind != Rsc.Kind.CLONE) {
                if (done[p.order]) {
                    t = applyByAttribute(u, t, col, Bundles.connectionHost(this, u, col, node(p)), p.id);
                }
                continue;
            }
            if (p.kind == Rsc.Kind.CLONE) {
                if (Math.abs(col.score()) < Scores.INFINITY
                        && (col.primaryRole() == Role.UNKNOWN || col.primaryRole() == Role.STARTED)) {
                    t = applyEachInstance(u, t, col, p);
                } else {
                    applyCloneColocation(t, col, p, u);
                }
                continue;
            }
            if (!done[p.order]) {
                continue;   // a loop: the other side is placed after us
            }
            SNode pn = Bundles.connectionHost(this, u, col, primaryNode(p, col));
            if (col.score() >= Scores.INFINITY) {
                String why = null;   // the same for every node: built once, and only if needed
                for (SNode n : c.nodes()) {
                    if (n != pn && t.allows(n)) {
                        if (why == null) {
                            why = pn == null
                                    ? "must be with " + p.id + ", which cannot run (colocation " + col.id() + ")"
                                    : "must be with " + p.id + " on " + pn.name + " (colocation " + col.id() + ")";
                        }
                        t.add(n, -Scores.INFINITY, why);
                    }
                }
            } else if (col.score() > -Scores.INFINITY && (pn != null || col.score() > 0)) {
                t = tryFinite(u, t, col, pn, p.id, p.id);
            } else if (pn != null && t.allows(pn)) {
                t.add(pn, col.score(), "apart from " + p.id + " (colocation " + col.id() + ")");
            }
        }
        return t;
    }

    /**
     * Where a colocation's primary is, as the dependent sees it: a group is where its first member
     * is for a finite colocation (a partly active group will do), but for a mandatory one where
     * its last member is: the dependent needs the whole group up (Pacemaker's group colocation
     * with a dependent). They differ when a later member cannot run, or is held (unmanaged,
     * blocked) on another node than the group's choice.
     */
    private SNode primaryNode(Rsc p, Colocation col) {
        if (p.kind == Rsc.Kind.GROUP && col.score() >= Scores.INFINITY && !p.children.isEmpty()) {
            return node(p.children.get(p.children.size() - 1));
        }
        return node(p);
    }

    /** A colocation by a node attribute other than the node's name (node-attribute="site"). */
    private static boolean byAttribute(Colocation col) {
        return col.nodeAttribute() != null && !"#uname".equals(col.nodeAttribute());
    }

    /**
     * Do two nodes share the colocation's node attribute? Pacemaker compares the two values as
     * strings ignoring case, and two nodes that both lack the attribute count as sharing it (its
     * string comparison takes two missing values as equal): a primary on a node without "site"
     * draws the dependent to the other nodes without it.
     */
    private static boolean sameAttribute(SNode a, SNode b, String attribute) {
        if (a == null || b == null) {
            return false;
        }
        String va = a.attributes.get(attribute);
        String vb = b.attributes.get(attribute);
        return va == null ? vb == null : va.equalsIgnoreCase(vb);
    }

    /**
     * A colocation by node attribute with a placed primitive (or group): every node whose value of
     * the attribute equals that of the primary's node counts as "with" it, as the primary's own
     * node does for a plain colocation (Pacemaker compares the attribute's values, not the nodes).
     * INFINITY bans the others; -INFINITY bans those; a finite score is added to those, kept only
     * if the dependent may still run somewhere.
     */
    private ScoreTable applyByAttribute(Rsc u, ScoreTable t, Colocation col, SNode pn, String primaryId) {
        String attribute = col.nodeAttribute();
        if (col.score() < Scores.INFINITY && col.score() > -Scores.INFINITY && pn == null) {
            return col.score() > 0 ? tryFinite(u, t, col, null, primaryId, primaryId) : t;
        }
        ScoreTable out = col.score() >= Scores.INFINITY || col.score() <= -Scores.INFINITY ? t : t.copy();
        for (SNode n : c.nodes()) {
            if (!out.allows(n)) {
                continue;
            }
            boolean same = sameAttribute(pn, n, attribute);
            if (col.score() >= Scores.INFINITY && !same) {
                out.add(n, -Scores.INFINITY, "not with " + primaryId + " by " + attribute + " (colocation " + col.id() + ")");
            } else if (col.score() <= -Scores.INFINITY && same) {
                out.add(n, -Scores.INFINITY, "apart from " + primaryId + " by " + attribute + " (colocation " + col.id() + ")");
            } else if (same && col.score() < Scores.INFINITY && col.score() > -Scores.INFINITY) {
                out.add(n, col.score(), (col.score() < 0 ? "apart from " : "with ") + primaryId + " by " + attribute
                        + " (colocation " + col.id() + ")");
            }
        }
        if (out != t && !canRunAnyFor(u, out)) {
            return t;   // a finite one that would leave nowhere is rolled back, as for a plain colocation
        }
        return out;
    }

    /**
     * Does a colocation naming the dependent's role bind where the dependent is placed? Only when
     * that role is already the dependent's next role before placement: target-role=Unpromoted on
     * a promotable clone fixes it (Pacemaker sets the next role from target-role when unpacking,
     * but leaves Promoted alone as what it would choose anyway), and then a mandatory colocation of
     * the Unpromoted role keeps every instance with its primary, as a plain one would. Finite and
     * negative ones still only weigh in promotion (crm_simulate leaves instances where they are).
     */
    private static boolean roleFixedFor(Rsc u, Colocation col) {
        if (col.dependentRole() != Role.UNPROMOTED || col.score() < Scores.INFINITY || u.parent == null
                || u.parent.kind != Rsc.Kind.CLONE || !u.parent.promotable) {
            return false;
        }
        List<Rsc> members = u.primitives();
        for (Rsc m : members) {
            if (m.targetRole != Role.UNPROMOTED) {
                return false;
            }
        }
        return !members.isEmpty();
    }

    /**
     * The order a unit's colocations are taken in (Pacemaker keeps them sorted so): primaries of
     * higher priority first, then clones before groups before primitives, then by the primary's
     * id. It matters: each finite colocation is kept only if it leaves the unit somewhere to run,
     * judged after the ones before it.
     */
    private static final Comparator<Colocation> PRIMARY_ORDER = Comparator
            .comparingInt((Colocation col) -> -col.primary().priority)
            .thenComparingInt(col -> -col.primary().kind.ordinal())
            .thenComparing(col -> col.primary().id);

    /**
     * A finite colocation with a clone (no role named) counts once per instance, in instance
     * order, each rolled back on its own when it would leave the unit no node: with -200 against
     * a clone on every node, the first instances push the unit off their nodes and the last one,
     * which would leave it nowhere, is dropped (Pacemaker applies it instance by instance).
     * An instance placed nowhere works as a primary placed nowhere.
     */
    private ScoreTable applyEachInstance(Rsc u, ScoreTable t, Colocation col, Rsc clone) {
        // in the order the instances were placed in (Pacemaker sorts the clone's instances for
        // that, and they stay sorted): which instance's part is the one rolled back depends on it
        for (Rsc inst : instanceOrder.getOrDefault(clone, clone.children)) {
            if (inst.extraCopy) {
                continue;
            }
            SNode pn = node(inst);
            if (pn == null && col.score() < 0) {
                continue;
            }
            t = tryFinite(u, t, col, pn, inst.id, clone.id);
        }
        return t;
    }

    /**
     * A finite colocation with a primary on {@code pn} (null: placed nowhere, which costs every node
     * the score), tried on a copy: the copy if some node may still take {@code u}, else {@code t}
     * unchanged (rolled back, as Pacemaker's "no available nodes").
     */
    private ScoreTable tryFinite(Rsc u, ScoreTable t, Colocation col, SNode pn, String placedId, String primaryId) {
        ScoreTable trial = t.copy();
        if (pn == null) {
            for (SNode n : c.nodes()) {
                if (trial.allows(n)) {
                    trial.add(n, -col.score(), "with " + placedId + ", which runs nowhere (colocation " + col.id() + ")");
                }
            }
        } else if (trial.allows(pn)) {
            trial.add(pn, col.score(), (col.score() < 0 ? "apart from " : "with ") + primaryId + " (colocation " + col.id() + ")");
        }
        return canRunAnyFor(u, trial) ? trial : t;
    }

    /** Some node may still take u by these scores (for a clone instance: one short of clone-node-max). */
    private boolean canRunAnyFor(Rsc u, ScoreTable t) {
        for (int i = 0; i < t.size(); i++) {
            if (t.allowedAt(i) && t.at(i) >= 0 && t.node(i).canHost() && !cloneNodeFull(u, t.node(i))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Would {@code u} still have a node it may take once {@code score} is added on {@code pn}? A
     * node counts when it can host, scores at least 0, and (for a clone instance) is not already
     * at clone-node-max with the other instances.
     */
    private boolean availableElsewhereOrStill(Rsc u, ScoreTable t, SNode pn, int score) {
        for (int i = 0; i < t.size(); i++) {
            SNode n = t.node(i);
            if (!t.allowedAt(i) || !n.canHost() || cloneNodeFull(u, n)) {
                continue;
            }
            if (Scores.add(t.at(i), n == pn ? score : 0) >= 0) {
                return true;
            }
        }
        return false;
    }

    private boolean wantsToRun(Rsc u) {
        if (u.targetRole == Role.STOPPED) {
            return false;
        }
        if (c.options().stopAllResources()) {
            return false;
        }
        if (!c.quorumAllowsStarts() && !requiresNothing(u)) {
            String p = c.options().noQuorumPolicy();
            if ("freeze".equals(p)) {
                // placed as usual, clone instances too (Pacemaker's assignment ignores quorum):
                // what is active may stay or move, what is not cannot start (Runnability)
                return true;
            }
            if ("stop".equals(p)) {
                // placed as usual, clone instances too (it still takes its node's share, and its
                // utilization counts there); its start cannot run without quorum, so where it runs
                // it stops (Runnability.stopIfStartWouldBeBlocked) and where it does not it stays
                // down. A promotable instance gets its role as usual: its promotion cannot run
                // either (Runnability), its demotion can, and its monitors of the other role are
                // cancelled (Monitors.cancelRecurring)
                return true;
            }
            // demote: promotable instances keep running (demoted); everything else stops
            return "demote".equals(p) && unitCurrentNode(u) != null && u.parent != null
                    && u.parent.kind == Rsc.Kind.CLONE && u.parent.promotable;
        }
        return true;
    }

    /** requires=nothing on every primitive of the unit: no-quorum-policy does not apply to it. */
    private static boolean requiresNothing(Rsc u) {
        List<Rsc> ps = u.primitives();
        if (ps.isEmpty()) {
            return false;
        }
        for (Rsc p : ps) {
            if (!p.requiresNothing) {
                return false;
            }
        }
        return true;
    }

    /** The unit's total utilization (a group's is its members' sum). */
    private static Map<String, Integer> utilization(Rsc u) {
        if (u.isPrimitive()) {
            return u.utilization;
        }
        Map<String, Integer> sum = new LinkedHashMap<>();
        for (Rsc m : u.primitives()) {
            for (Map.Entry<String, Integer> e : m.utilization.entrySet()) {
                sum.merge(e.getKey(), e.getValue(), Integer::sum);
            }
        }
        return sum;
    }

    /**
     * Adds what must go with {@code u} (mandatory dependents not yet placed, and theirs) to
     * {@code sum}. A clone instance carries its clone's dependents; a clone, as Pacemaker counts
     * it, takes along only dependents that are clones themselves, and a dependent clone counts as
     * one instance's worth (it needs one instance beside each of ours, not all of them).
     */
    private void addColocatedUtilization(Rsc u, Map<String, Integer> sum, java.util.Set<Rsc> seen) {
        List<Colocation> deps = new ArrayList<>(s.dependentsOf(u));
        boolean cloneSide = u.kind == Rsc.Kind.CLONE;
        if (u.parent != null && u.parent.kind == Rsc.Kind.CLONE) {
            deps.addAll(s.dependentsOf(u.parent));
            cloneSide = true;
        }
        for (Colocation col : deps) {
            Rsc d = col.dependent();
            if (col.score() < Scores.INFINITY || done[d.order] || (cloneSide && d.kind != Rsc.Kind.CLONE) || !seen.add(d)) {
                continue;
            }
            Map<String, Integer> need = d.kind == Rsc.Kind.CLONE
                    ? (d.children.isEmpty() ? Map.of() : utilization(d.children.get(0))) : utilization(d);
            for (Map.Entry<String, Integer> e : need.entrySet()) {
                sum.merge(e.getKey(), e.getValue(), Integer::sum);
            }
            addColocatedUtilization(d, sum, seen);
        }
    }

    private boolean anyFits(ScoreTable t, Map<String, Integer> need) {
        for (int i = 0; i < t.size(); i++) {
            // a node counts where the resource may run (score not negative), as Pacemaker's check
            if (t.allowedAt(i) && t.at(i) >= 0 && t.node(i).canHost() && fits(t.node(i), need)) {
                return true;
            }
        }
        return false;
    }

    private boolean fits(SNode n, Map<String, Integer> need) {
        for (Map.Entry<String, Integer> e : need.entrySet()) {
            int cap = n.capacity.getOrDefault(e.getKey(), 0);
            if (used(n).getOrDefault(e.getKey(), 0) + e.getValue() > cap) {
                return false;
            }
        }
        return true;
    }

    /** Balanced: the node with more free capacity in more attributes comes first (negative: a first). */
    private int compareCapacity(SNode a, SNode b) {
        int result = 0;
        for (String k : a.capacity.keySet()) {
            int fa = a.capacity.get(k) - used(a).getOrDefault(k, 0);
            int fb = b.capacity.getOrDefault(k, 0) - used(b).getOrDefault(k, 0);
            if (fa > fb) {
                result--;
            } else if (fa < fb) {
                result++;
            }
        }
        for (String k : b.capacity.keySet()) {
            if (!a.capacity.containsKey(k)) {
                result++;
            }
        }
        return result;
    }

    /**
     * Pacemaker's assign_best_node: with a positive best score, the node the resource runs on wins
     * any tie, whatever the strategy, except for a unique clone's instance (its instances were
     * already offered their nodes when the clone distributed them).
     */
    private static boolean keepsRunningNode(Rsc u, int bestScore) {
        return bestScore > 0 && !(u.parent != null && u.parent.kind == Rsc.Kind.CLONE && u.parent.uniqueClone);
    }

    /**
     * At a tie that the running-node rule does not settle, Pacemaker's node sort puts the current
     * node first only after everything the strategy compares before it is equal too: free capacity
     * (balanced), then the number of resources placed; with minimal, the comparison goes from the
     * score straight to the name, so the current node has no say.
     */
    private boolean sortsFirst(SNode cur, SNode best) {
        String strategy = c.options().placementStrategy();
        if ("minimal".equals(strategy)) {
            return false;
        }
        if ("balanced".equals(strategy) && compareCapacity(best, cur) != 0) {
            return false;
        }
        return assignedCount[cur.index] == assignedCount[best.index];
    }

    /** Is {@code n} a better choice than {@code best} at equal score, by the placement strategy? */
    private boolean betterTie(SNode n, SNode best) {
        String strategy = c.options().placementStrategy();
        if ("minimal".equals(strategy)) {
            return n.rank < best.rank;
        }
        if ("balanced".equals(strategy)) {
            int cc = compareCapacity(n, best);
            if (cc != 0) {
                return cc < 0;
            }
        }
        if (assignedCount[n.index] != assignedCount[best.index]) {
            return assignedCount[n.index] < assignedCount[best.index];
        }
        return n.rank < best.rank;
    }

    private SNode choose(Rsc u, ScoreTable t) {
        SNode best = null;
        int bestScore = Integer.MIN_VALUE;
        boolean useUtilization = !"default".equals(c.options().placementStrategy());
        Map<String, Integer> need = useUtilization ? utilization(u) : Map.of();
        SNode mostFree = null;
        if (useUtilization) {
            // what must go with it (mandatory colocations, not placed yet) must fit too, when some node can take all
            Map<String, Integer> all = new LinkedHashMap<>(need);
            addColocatedUtilization(u, all, new HashSet<>(List.of(u)));
            if (anyFits(t, all)) {
                need = all;
            } else {
                // no node holds it with everything that must go with it: Pacemaker then prefers the
                // node with the most free capacity (when it scores as well as the best), and
                // requires room only for the resource itself
                mostFree = mostFreeNode(u, t);
                if (u.kind == Rsc.Kind.GROUP && !u.children.isEmpty() && !anyFits(t, need)) {
                    // no node holds the whole group: Pacemaker places its members one by one, so the
                    // group goes where its first member fits and the members after one that does not stop
                    need = utilization(u.children.get(0));
                }
            }
        }
        for (int i = 0; i < t.size(); i++) {
            if (!t.allowedAt(i)) {
                continue;
            }
            SNode n = t.node(i);
            int sc = t.at(i);
            if (sc < 0 || !n.canHost() || cloneNodeFull(u, n) || (useUtilization && !fits(n, need))) {
                continue;
            }
            if (best == null || sc > bestScore || (sc == bestScore && betterTie(n, best))) {
                best = n;
                bestScore = sc;
            }
        }
        if (best != null && mostFree != null && mostFree != best && t.get(mostFree) >= bestScore && fits(mostFree, need)
                && !cloneNodeFull(u, mostFree)) {
            return mostFree;
        }
        SNode cur = crowded.contains(u) ? null : unitCurrentNode(u);
        if (best != null && cur != null && cur != best && cur.canHost() && !cloneNodeFull(u, cur) && t.allows(cur) && t.get(cur) == bestScore
                && (!useUtilization || fits(cur, need)) && (keepsRunningNode(u, bestScore) || sortsFirst(cur, best))) {
            best = cur;
        }
        return best;
    }

    /**
     * The node with the most free capacity among those that may run u (can host, score 0 or more),
     * compared attribute by attribute as balanced does; the first of equals in node order.
     */
    private SNode mostFreeNode(Rsc u, ScoreTable t) {
        SNode most = null;
        for (int i = 0; i < t.size(); i++) {
            SNode n = t.node(i);
            if (!t.allowedAt(i) || t.at(i) < 0 || !n.canHost() || cloneNodeFull(u, n)) {
                continue;
            }
            if (most == null || compareCapacity(n, most) < 0) {
                most = n;
            }
        }
        return most;
    }

    /**
     * A clone instance may not go where the clone already has clone-node-max instances, nor
     * where the clone's own score is negative (Pacemaker checks the clone's node weight, not the
     * instance's: an instance's stickiness does not keep it on such a node).
     */
    private boolean cloneNodeFull(Rsc u, SNode n) {
        Rsc clone = u.parent;
        if (clone == null || clone.kind != Rsc.Kind.CLONE) {
            return false;
        }
        if (s.scores(clone) != null && s.scores(clone).get(n) < 0) {
            return true;
        }
        int here = 0;
        for (Rsc inst : clone.children) {
            if (inst != u && node(inst) == n) {
                here++;
            }
        }
        return here >= clone.cloneNodeMax;
    }

    private void setAssigned(Rsc u, SNode node, String reason) {
        nodes[u.order] = node;
        reasons[u.order] = reason;
        if (node != null) {
            if (u.kind != Rsc.Kind.GROUP) {
                assignedCount[node.index] += Math.max(1, u.primitives().size());
                for (Map.Entry<String, Integer> e : utilization(u).entrySet()) {
                    used(node).merge(e.getKey(), e.getValue(), Integer::sum);
                }
            }
        }
        if (u.kind == Rsc.Kind.GROUP) {
            // members follow the group while each can run there; the rest of the group stops behind one that cannot
            boolean blocked = node == null;
            boolean capacity = !"default".equals(c.options().placementStrategy());
            // an unmanaged member held on a node that bans it (its stop failed there) is placed there
            // all the same, and so are the members after it: their starts cannot run (they stop),
            // but Pacemaker has assigned them, and they count on the node as placed resources
            boolean heldBehindUnmanaged = false;
            for (Rsc m : u.children) {
                if (blocked && heldBehindUnmanaged && m.managed && m.targetRole != Role.STOPPED && s.scores(m).get(node) >= 0) {
                    assignedCount[node.index]++;
                }
                if (!blocked && (s.scores(m).get(node) < 0 || m.targetRole == Role.STOPPED)) {
                    heldBehindUnmanaged = !m.managed && m.currentNode() == node && m.targetRole != Role.STOPPED;
                    blocked = true;
                    reasons[m.order] = m.targetRole == Role.STOPPED ? "target-role is Stopped"
                            : "cannot run on " + node.name + " (score " + Scores.format(s.scores(m).get(node)) + ")";
                }
                if (!blocked && m != u.children.get(0)) {
                    for (Colocation col : memberColocations(u, m)) {
                        boolean there = Promotion.primaryOn(this, col.primary(), col.primaryRole(), node);
                        if (col.score() >= Scores.INFINITY && !there || col.score() <= -Scores.INFINITY && there) {
                            blocked = true;
                            reasons[m.order] = (there ? "must be apart from " : "must be with ") + col.primary().id
                                    + " (colocation " + col.id() + ")";
                            break;
                        }
                    }
                }
                if (!blocked && capacity && m.managed && !fits(node, utilization(m))) {
                    blocked = true;
                    reasons[m.order] = "not enough free capacity on " + node.name;
                }
                nodes[m.order] = blocked ? null : node;
                if (!m.managed) {
                    // unmanaged: it stays where it runs, whatever the capacity; an inactive one takes no
                    // node and none of its capacity, and the members after it (colocated with it) stop
                    nodes[m.order] = m.currentNode();
                    if (node(m) == null && !blocked && node != null) {
                        blocked = true;
                        reasons[m.order] = "it is unmanaged and not active";
                    }
                    if (node(m) != null && node != null && node(m) != node && !blocked) {
                        // each member is colocated with the one before it: held elsewhere than the
                        // group's choice, it takes the members after it to its own node, where each
                        // may run (their starts there wait for it, and may not run)
                        node = node(m);
                    }
                }
                if (node(m) == null && reasons[m.order] == null) {
                    reasons[m.order] = node == null ? reason : "a group member before it cannot run";
                }
                if (node(m) != null) {
                    for (Map.Entry<String, Integer> e : utilization(m).entrySet()) {
                        used(node(m)).merge(e.getKey(), e.getValue(), Integer::sum);
                    }
                    // a node's resource count (a tie-breaker between equal scores) counts the members
                    // placed there, not those the group left stopped (Pacemaker counts each assignment)
                    assignedCount[node(m).index]++;
                }
                done[m.order] = true;
            }
        }
    }
}


