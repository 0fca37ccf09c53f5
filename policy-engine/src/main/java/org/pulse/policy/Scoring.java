package org.pulse.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pulse.cib.model.ColocationConstraint;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.ResourceSet;
import org.pulse.cib.model.Rule;
import org.pulse.cib.model.RuleContext;
import org.pulse.cib.model.Scores;

/**
 * Stage 3: each resource's own score per node, every term with its source — base (symmetric
 * cluster, node score), location constraints and rules, stickiness, fail counts against
 * migration-threshold, bans from the history — plus the colocations between placement units.
 * Colocations are applied during assignment, because they depend on where the primary went.
 */
final class Scoring {
    private final Cluster c;
    /** Constraints by the id they name, so each resource finds its own without a scan. */
    private final Map<String, List<LocationConstraint>> locationsByRsc = new HashMap<>();
    final List<Colocation> colocations = new ArrayList<>();
    final Map<Rsc, List<Colocation>> asDependent = new HashMap<>();
    final Map<Rsc, List<Colocation>> asPrimary = new HashMap<>();
    /** Each resource's own table, by {@code Rsc.order}: what this stage returns (see {@link #scores}). */
    private final ScoreTable[] ownTables;

    private final SNode[] nodeArray;
    /** symmetric-cluster, read once: looked up per resource it was a tenth of scoring. */
    private final boolean symmetric;
    /** Whether any node has a base score (rare), so most resources skip the walk over the nodes. */
    private final boolean anyNodeScore;

    private Scoring(Cluster c) {
        this.c = c;
        this.nodeArray = c.nodes().toArray(new SNode[0]);
        this.ownTables = new ScoreTable[c.rscSlots()];
        this.symmetric = c.options().symmetricCluster();
        boolean scored = false;
        for (SNode n : c.nodes()) {
            scored |= n.baseScore != 0;
        }
        this.anyNodeScore = scored;
        this.health = nodeHealth(c);
    }

    /** Per node (by index), the node-health-strategy's score for it; null when the strategy is none. */
    private final int[] health;

    /**
     * Node health (Pacemaker Explained, "Tracking Node Health"): the #health-* node attributes,
     * red/yellow/green mapped by node-health-strategy (migrate-on-red: red is -INFINITY;
     * only-green: red and yellow are; progressive and custom: node-health-red/-yellow/-green,
     * progressive starting from node-health-base), summed per node and applied to every
     * resource as a location score. Resources with allow-unhealthy-nodes=true ignore a negative one.
     */
    private static int[] nodeHealth(Cluster c) {
        String strategy = c.options().get("node-health-strategy");
        if (strategy == null || strategy.isBlank() || "none".equalsIgnoreCase(strategy)) {
            return null;
        }
        strategy = strategy.toLowerCase(java.util.Locale.ROOT);
        int red;
        int yellow;
        int green;
        switch (strategy) {
            case "migrate-on-red":
                red = -Scores.INFINITY;
                yellow = 0;
                green = 0;
                break;
            case "only-green":
                red = -Scores.INFINITY;
                yellow = -Scores.INFINITY;
                green = 0;
                break;
            default:
                red = Scores.parse(c.options().get("node-health-red"), -Scores.INFINITY);
                yellow = Scores.parse(c.options().get("node-health-yellow"), 0);
                green = Scores.parse(c.options().get("node-health-green"), 0);
                break;
        }
        int base = "progressive".equals(strategy) ? Scores.parse(c.options().get("node-health-base"), 0) : 0;
        int[] out = new int[c.nodes().size()];
        for (SNode n : c.nodes()) {
            int sum = base;
            for (Map.Entry<String, String> a : n.attributes.entrySet()) {
                if (!a.getKey().startsWith("#health")) {
                    continue;
                }
                String v = a.getValue() == null ? "" : a.getValue().trim().toLowerCase(java.util.Locale.ROOT);
                int score = v.equals("red") ? red : v.equals("yellow") ? yellow : v.equals("green") ? green
                        : Scores.parse(v, 0);
                sum = Scores.add(sum, score);
            }
            out[n.index] = sum;
        }
        return out;
    }

    /** resource-discovery=exclusive constraints: resource id → nodes (see Discovery). */
    private Map<String, List<String>> exclusiveDiscovery = Map.of();

    static Scoring run(Cluster c) {
        Scoring s = new Scoring(c);
        s.exclusiveDiscovery = Discovery.nodesByResource(c, "exclusive");
        s.indexLocations();
        for (Rsc r : c.byId().values()) {
            s.own(r);
        }
        s.colocations();
        return s;
    }

    private void indexLocations() {
        References refs = new References(c);
        for (LocationConstraint lc : c.cib().constraints().locations()) {
            if (lc.rsc() != null) {
                for (String id : refs.expand(lc.rsc())) {
                    locationsByRsc.computeIfAbsent(id, k -> new ArrayList<>()).add(lc);
                }
            } else if (lc.rscPattern() != null) {
                // rsc-pattern names top-level resources only (Pacemaker matches it against its list of
                // top-level resources): a group member or clone child whose id matches is not named
                // by it, though the group or clone it is in may be
                Pattern pattern = Pattern.compile(lc.rscPattern());
                for (Rsc top : c.topLevel()) {
                    if (pattern.matcher(top.id).find()) {
                        locationsByRsc.computeIfAbsent(top.id, k -> new ArrayList<>()).add(lc);
                    }
                }
            } else {
                for (ResourceSet set : lc.sets()) {
                    for (String id : set.resources()) {
                        for (String one : refs.expand(id)) {
                            locationsByRsc.computeIfAbsent(one, k -> new ArrayList<>()).add(lc);
                        }
                    }
                }
            }
        }
    }

    /** The unit that placement works on: a top-level primitive or group (clones: the instance). */
    static Rsc unit(Rsc r) {
        Rsc u = r;
        while (u.parent != null && u.parent.kind == Rsc.Kind.GROUP) {
            u = u.parent;
        }
        return u;
    }

    private void own(Rsc r) {
        ScoreTable t = new ScoreTable(nodeArray);
        if (symmetric) {
            t.allowAll();   // a symmetric cluster's base score is 0: no term to explain
        }
        // constraints naming this resource, or (for clone instances) the clone, or (for members) nothing
        String cfgId = r.prim != null ? r.prim.id() : baseId(r);
        List<LocationConstraint> mine = new ArrayList<>(locationsByRsc.getOrDefault(r.id, List.of()));
        if (cfgId != r.id && !cfgId.equals(r.id)) {
            mine.addAll(locationsByRsc.getOrDefault(cfgId, List.of()));
        }
        Rsc clone = r.cloneAncestor();
        if (clone != null && r.parent == clone) {
            mine.addAll(locationsByRsc.getOrDefault(clone.id, List.of()));
        }
        for (LocationConstraint lc : mine) {
            applyLocation(r, t, lc, false);
        }
        if (r.parent != null && r.parent.kind == Rsc.Kind.GROUP) {
            // a group's constraints (and its clone's) are copied down to each member, but only the
            // first member takes their scores: the others follow it (each member is colocated with
            // the one before) and their own scores are merged into the first's, so the group's
            // preference would count once per member otherwise. The later members get the nodes
            // the constraint names with score 0 (allowed there, as Pacemaker's reset copy)
            boolean later = r.parent.children.get(0) != r;
            List<LocationConstraint> group = new ArrayList<>(locationsByRsc.getOrDefault(r.parent.id, List.of()));
            Rsc gp = r.parent;
            if (gp.parent != null && gp.parent.kind == Rsc.Kind.CLONE) {
                group.addAll(locationsByRsc.getOrDefault(gp.parent.id, List.of()));
            }
            for (LocationConstraint lc : group) {
                applyLocation(r, t, lc, later);
            }
        }
        if (anyNodeScore) {
            for (SNode n : c.nodes()) {
                if (n.baseScore != 0 && t.allows(n)) {
                    t.add(n, n.baseScore, "node " + n.name + " score");
                }
            }
        }
        java.util.Set<String> only = Discovery.exclusiveNodes(r, exclusiveDiscovery);
        if (only != null) {
            for (SNode n : c.nodes()) {
                if (!only.contains(n.name)) {
                    t.add(n, -Scores.INFINITY, "resource-discovery=exclusive elsewhere");
                }
            }
        }
        if (r.isPrimitive()) {
            primitiveTerms(r, t);
            RemoteNodes.placementTerms(c, r, t);
            Bundles.placementTerms(c, r, t);
        } else if (r.kind == Rsc.Kind.CLONE && !r.uniqueClone && r.cloneAncestor() == null) {
            // an anonymous clone whose primitive reached migration-threshold on a node is banned
            // there as a whole (Pacemaker bans the uber-parent): the clone's own table says so too,
            // which is what ranks it and what its dependents see before its instances are placed
            for (Map.Entry<SNode, String> e : cloneThresholdBans(r, c.now().getEpochSecond(), true).entrySet()) {
                if (t.allows(e.getKey())) {
                    t.add(e.getKey(), -Scores.INFINITY, e.getValue());
                }
            }
        }
        ownTables[r.order] = t;
    }

    /**
     * A resource's own score per node with its terms: locations, stickiness, fail counts, bans.
     * Later stages copy it before adding to it; none changes it.
     */
    ScoreTable scores(Rsc r) {
        return ownTables[r.order];
    }

    private static String baseId(Rsc r) {
        int colon = r.id.lastIndexOf(':');
        return colon > 0 ? r.id.substring(0, colon) : r.id;
    }

    /** scoreless: the constraint's nodes are allowed with score 0 (a group member after the first). */
    private void applyLocation(Rsc r, ScoreTable t, LocationConstraint lc, boolean scoreless) {
        if (lc.role() != null && !"Started".equals(lc.role())) {
            return;   // role-specific locations matter to promotion only
        }
        if (lc.node() != null) {
            SNode n = c.node(lc.node());
            if (n != null) {
                t.add(n, scoreless ? 0 : Scores.parse(lc.score(), 0), "location constraint " + lc.id()
                        + (scoreless ? " (scored at the group's first member)" : ""));
            }
            return;
        }
        for (Rule rule : lc.rules()) {
            if (rule.role() != null && !"Started".equals(rule.role())) {
                continue;
            }
            for (SNode n : c.nodes()) {
                if (!rule.matches(RuleContext.forNode(n.attributes, c.now()))) {
                    continue;
                }
                int score;
                String what;
                if (rule.scoreAttribute() != null) {
                    String v = n.attributes.get(rule.scoreAttribute());
                    // a node the rule matches but without the attribute gets -INFINITY (Pacemaker's
                    // rule scoring: no value to take the score from bans the node)
                    score = v == null ? -Scores.INFINITY : Scores.parse(v, 0);
                    what = "location rule " + rule.id() + " (" + rule.scoreAttribute() + "="
                            + (v == null ? "<not set>" : v) + ")";
                } else {
                    score = Scores.parse(rule.score(), 0);
                    what = "location rule " + rule.id() + " of " + lc.id();
                }
                t.add(n, scoreless ? 0 : score, scoreless ? what + " (scored at the group's first member)" : what);
            }
        }
    }

    private void primitiveTerms(Rsc r, ScoreTable t) {
        if (health != null) {
            boolean allowUnhealthy = org.pulse.cib.model.ClusterOptions.isTrue(r.meta.get("allow-unhealthy-nodes"));
            for (SNode n : c.nodes()) {
                int h = health[n.index];
                if (h != 0 && (h > 0 || !allowUnhealthy)) {
                    t.add(n, h, "node health " + Scores.format(h) + " (node-health-strategy)");
                }
            }
        }
        SNode cur = r.currentNode();
        if (cur != null && r.managed && r.stickiness != 0 && t.allows(cur)) {
            t.add(cur, r.stickiness, "resource-stickiness (running here)");
        }
        if (!r.managed && cur != null) {
            // an unmanaged resource stays where it is
            t.add(cur, Scores.INFINITY, "unmanaged: stays where it runs");
        }
        long nowSec = c.now().getEpochSecond();
        Rsc failTarget = r;
        for (SNode n : c.nodes()) {
            if (!n.hasFailCounts) {
                continue;
            }
            Rsc.NodeHistory nh = r.history.get(n);
            int fc = FailCounts.count(r, n, nowSec, true, nh != null && nh.blockFailure);
            for (Rsc filler : fillers().getOrDefault(r, List.of())) {
                // a container answers for what runs in it (a guest's connection included)
                Rsc.NodeHistory fh = filler.history.get(n);
                fc = Scores.add(fc, FailCounts.count(filler, n, nowSec, true, fh != null && fh.blockFailure));
            }
            if (fc > 0 && fc >= r.migrationThreshold && !r.failureIgnored && !clearedHere(r, n, nh)) {
                t.add(n, -Scores.INFINITY, "fail count " + Scores.format(fc) + " reached migration-threshold "
                        + r.migrationThreshold);
            }
        }
        for (Map.Entry<SNode, String> e : failTarget.historyBans.entrySet()) {
            t.add(e.getKey(), -Scores.INFINITY, e.getValue());
        }
        Rsc clone = r.cloneAncestor();
        if (clone != null && !clone.uniqueClone) {
            // an anonymous clone is forced away as a whole: a member of a cloned group that
            // reached migration-threshold on a node takes every instance, every member, off it
            for (Map.Entry<SNode, String> e : cloneThresholdBans(clone, nowSec, false).entrySet()) {
                if (t.allows(e.getKey())) {
                    t.add(e.getKey(), -Scores.INFINITY, e.getValue());
                }
            }
        }
        if (clone != null) {
            for (Map.Entry<SNode, String> e : clone.historyBans.entrySet()) {
                t.add(e.getKey(), -Scores.INFINITY, e.getValue());
            }
        }
        if (r.fatalBan || (clone != null && clone.fatalBan)) {
            t.banAll("fatal error in the history (not configured)", c.nodes());
        }
        if (r.stopForced || clone != null && clone.stopForced) {
            t.banAll("on-fail=stop after a failure", c.nodes());
        }
        if (r.lockedTo != null) {
            for (SNode n : c.nodes()) {
                if (n != r.lockedTo) {
                    t.add(n, -Scores.INFINITY, "locked to " + r.lockedTo.name + " while it shuts down (shutdown-lock)");
                }
            }
        }
        if (r.ticketBan != null) {
            t.banAll(r.ticketBan, c.nodes());
        }
        if (r.ticketFreeze != null) {
            for (SNode n : c.nodes()) {
                if (!r.runningOn.contains(n)) {
                    t.add(n, -Scores.INFINITY, r.ticketFreeze);
                }
            }
        }
    }

    /** Asked only where a fail count reached the threshold: most runs never build one. */
    private DefinitionChanges defs;

    /** A fail count this transition clears forces nothing away (Pacemaker's check_failure_threshold). */
    private boolean clearedHere(Rsc r, SNode n, Rsc.NodeHistory h) {
        if (defs == null) {
            defs = new DefinitionChanges(c);
        }
        return defs.failCountClearedAtUnpack(r, n, h);
    }

    private final Map<Rsc, Map<SNode, String>> cloneThresholdBans = new java.util.HashMap<>();
    private final Map<Rsc, Map<SNode, String>> cloneThresholdBansAll = new java.util.HashMap<>();

    /**
     * Nodes where some primitive of an anonymous clone reached its migration-threshold, with the
     * reason (Pacemaker bans the clone there, not just the primitive). Without {@code withLone},
     * a lone primitive child is left out: its instances' own fail counts already ban each of them.
     */
    private Map<SNode, String> cloneThresholdBans(Rsc clone, long nowSec, boolean withLone) {
        Map<Rsc, Map<SNode, String>> cache = withLone ? cloneThresholdBansAll : cloneThresholdBans;
        Map<SNode, String> bans = cache.get(clone);
        if (bans != null) {
            return bans;
        }
        bans = new java.util.LinkedHashMap<>();
        for (Rsc p : clone.primitives()) {
            if ((p.parent == clone && !withLone) || p.failureIgnored) {
                continue;   // a clone of one primitive: its own fail count already bans every instance
            }
            for (SNode n : c.nodes()) {
                if (!n.hasFailCounts || bans.containsKey(n)) {
                    continue;
                }
                Rsc.NodeHistory nh = p.history.get(n);
                int fc = FailCounts.count(p, n, nowSec, true, nh != null && nh.blockFailure);
                if (fc > 0 && fc >= p.migrationThreshold && !clearedHere(p, n, nh)) {
                    bans.put(n, "fail count of " + FailCounts.historyName(p) + " reached migration-threshold "
                            + p.migrationThreshold + ": the whole anonymous clone " + clone.id + " is forced away");
                }
            }
        }
        cache.put(clone, bans);
        return bans;
    }

    // ------------------------------------------------------------------ colocations

    private void colocations() {
        for (Colocation col : RemoteNodes.containerColocations(c)) {
            add(col);
        }
        References refs = new References(c);
        for (ColocationConstraint cc : c.cib().constraints().colocations()) {
            boolean influence = cc.influence() == null || org.pulse.cib.model.ClusterOptions.isTrue(cc.influence());
            if (cc.sets().isEmpty()) {
                // a tag or template on either side stands for each of its resources
                for (String did : refs.expand(cc.rsc())) {
                    for (String pid : refs.expand(cc.withRsc())) {
                        Rsc d = c.byId().get(did);
                        Rsc p = c.byId().get(pid);
                        if (d != null && p != null) {
                            add(new Colocation(cc.id(), d, p, Scores.parse(cc.score(), 0),
                                    Role.parse(cc.rscRole(), Role.UNKNOWN), Role.parse(cc.withRscRole(), Role.UNKNOWN),
                                    cc.nodeAttribute(), influence));
                        }
                    }
                }
                continue;
            }
            // sets: within a sequential set each member is placed with the one before it (a set
            // with sequential=false colocates nothing within itself); a negative score keeps every
            // member apart from each one before it, not just its neighbour, so that no two members
            // of the set share a node (Pacemaker's unpack_colocation_set). Between sets, see below.
            List<ResourceSet> sets = refs.expandSets(cc.sets());
            for (ResourceSet s : sets) {
                int score = Scores.parse(s.score() != null ? s.score() : cc.score(), 0);
                if (!s.sequential()) {
                    continue;
                }
                Role role = Role.parse(s.role(), Role.UNKNOWN);
                for (int i = 1; i < s.resources().size(); i++) {
                    Rsc d = c.byId().get(s.resources().get(i));
                    for (int j = score < 0 ? 0 : i - 1; j < i; j++) {
                        Rsc p = c.byId().get(s.resources().get(j));
                        if (d != null && p != null) {
                            add(new Colocation(cc.id(), d, p, score, role, role, cc.nodeAttribute(), influence));
                        }
                    }
                }
            }
            for (int si = 1; si < sets.size(); si++) {
                ResourceSet prev = sets.get(si - 1);
                ResourceSet cur = sets.get(si);
                int score = Scores.parse(cc.score(), 0);
                // between sets, the first of a sequential earlier set goes with the last of a sequential
                // later one (every member, for an unordered set): Pacemaker's colocate_rsc_sets
                if (prev.resources().isEmpty() || cur.resources().isEmpty()) {
                    continue;
                }
                List<String> prevIds = prev.sequential() ? List.of(prev.resources().get(0)) : prev.resources();
                List<String> curIds = cur.sequential() ? List.of(cur.resources().get(cur.resources().size() - 1)) : cur.resources();
                for (String pid : prevIds) {
                    for (String did : curIds) {
                        Rsc d = c.byId().get(did);
                        Rsc p = c.byId().get(pid);
                        if (d != null && p != null) {
                            // in sets, earlier sets depend on later ones
                            add(new Colocation(cc.id(), p, d, score, Role.parse(prev.role(), Role.UNKNOWN),
                                    Role.parse(cur.role(), Role.UNKNOWN), cc.nodeAttribute(), influence));
                        }
                    }
                }
            }
        }
    }

    private Map<Rsc, List<Rsc>> fillers;

    /** What runs in each container (resources whose container it is), found once. */
    private Map<Rsc, List<Rsc>> fillers() {
        if (fillers == null) {
            fillers = new java.util.HashMap<>();
            for (Rsc r : c.byId().values()) {
                if (r.container != null) {
                    fillers.computeIfAbsent(r.container, k -> new ArrayList<>()).add(r);
                }
            }
        }
        return fillers;
    }

    private void add(Colocation col) {
        if (col.dependent() == col.primary() || col.score() == 0) {
            return;
        }
        colocations.add(col);
        asDependent.computeIfAbsent(col.dependent(), k -> new ArrayList<>()).add(col);
        asPrimary.computeIfAbsent(col.primary(), k -> new ArrayList<>()).add(col);
    }

    /** Resources placed relative to {@code r} (r as primary). */
    List<Colocation> dependentsOf(Rsc r) {
        return asPrimary.getOrDefault(r, List.of());
    }

    List<Colocation> primariesOf(Rsc r) {
        return asDependent.getOrDefault(r, List.of());
    }

}
