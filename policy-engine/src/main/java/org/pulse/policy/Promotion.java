package org.pulse.policy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.Rule;
import org.pulse.cib.model.RuleContext;
import org.pulse.cib.model.Scores;

/**
 * Stage 4b: roles of promotable clone instances once they are placed. An instance may be
 * promoted where it has a promotion score — the node attribute {@code master-<child>} its agent
 * sets, plus location constraints for role Promoted — that is not negative; the best-scored
 * instances are promoted, up to promoted-max in all and promoted-node-max per node, the
 * currently promoted one winning a tie.
 */
final class Promotion {
    private Promotion() {
    }

    /**
     * Roles of every clone not given them during assignment (see {@link #assignRoles}); then
     * what assignment and promotion decided, frozen for the stages after.
     */
    static Allocation run(Cluster c, Scoring s, Assignment a) {
        for (Rsc top : c.topLevel()) {
            if (top.kind == Rsc.Kind.CLONE) {
                assignRoles(c, s, a, top, null);
            }
        }
        return a.allocation();
    }

    /**
     * Decides the roles of one clone's instances, right after the clone is placed, so that what
     * is colocated with a role of it (with-rsc-role=Promoted) is placed knowing where that role is.
     * An instance's promotion priority is its promotion score (the sum over a cloned group's
     * members; none at all counts as -1), plus location constraints for role Promoted, plus its
     * colocations as a Promoted dependent (INFINITY with nothing to be with: never promoted).
     */
    static void assignRoles(Cluster c, Scoring s, Assignment a, Rsc top,
                            java.util.function.Function<Map<SNode, Integer>, ScoreTable> weightsWith) {
        if (!a.decideRoles(top)) {
            return;   // decided when the clone was placed
        }
        boolean demoteOnly = !c.haveQuorum() && "demote".equals(c.options().noQuorumPolicy());
        boolean frozen = !c.haveQuorum() && "freeze".equals(c.options().noQuorumPolicy());
        // stonith-enabled without a fence device: Pacemaker disables resource start-up, and a
        // promotion is start-up too (whatever requires says), so only the promoted stay promoted
        boolean startUpDisabled = c.stonithEnabled() && !c.hasFenceDevice();
        for (Rsc inst : top.children) {
            for (Rsc p : inst.primitives()) {
                a.nextRole(p, a.node(p) == null ? Role.STOPPED : (top.promotable ? Role.UNPROMOTED : Role.STARTED));
            }
        }
        if (!top.promotable || demoteOnly) {
            return;
        }
        List<Rsc> candidates = new ArrayList<>();
        Map<Rsc, Integer> score = new HashMap<>();
        int promoted = 0;
        Map<SNode, Integer> perNode = new HashMap<>();
        for (Rsc inst : top.children) {
            List<Rsc> members = inst.primitives();
            if (!members.isEmpty() && a.node(inst) != null && !inst.managed && isPromoted(inst)) {
                // an unmanaged instance is left as it is: promoted where it is promoted (and counted)
                promoted++;
                perNode.merge(a.node(inst), 1, Integer::sum);
                for (Rsc p : members) {
                    if (a.node(p) != null) {
                        a.nextRole(p, Role.PROMOTED);
                    }
                }
            }
        }
        for (Rsc inst : top.children) {
            List<Rsc> members = inst.primitives();
            if (members.isEmpty() || a.node(inst) == null || !inst.managed) {
                continue;
            }
            boolean eligible = true;
            for (Rsc p : members) {
                // a cloned group is promoted only where every member will be active
                eligible &= a.node(p) == a.node(inst) && p.promotionBan == null;
                // target-role=Unpromoted (own or the clone's) caps the role: never promoted
                eligible &= p.targetRole != Role.UNPROMOTED;
                // no-quorum-policy=freeze without quorum: no role is raised, so only an instance
                // promoted now may be promoted
                eligible &= !(frozen || startUpDisabled) || p.role == Role.PROMOTED;
            }
            if (!eligible) {
                continue;
            }
            Integer attr = null;
            for (Rsc p : members) {
                Integer own = attributeScore(a, p, a.node(inst));
                if (own != null) {
                    attr = Scores.add(attr == null ? 0 : attr, own);
                }
            }
            Integer loc = locationScore(c, top, members.get(0), a.node(inst));
            Integer total = attr == null && loc == null ? null
                    : Scores.add(attr == null ? 0 : attr, loc == null ? 0 : loc);
            int base = total == null ? -1 : total;
            int priority = Scores.add(base, colocationPriority(s, a, top, inst, true, false));
            // Promotability, for colocations with a primitive (or group): a finite one of the
            // Promoted role may take it away (it makes the sum negative) but never grants it to an
            // instance whose own score is negative; only a mandatory one does; those of the
            // Unpromoted role neither rank nor decide. With a clone, each counts in full.
            boolean eligibleByScore = Scores.add(base, colocationPriority(s, a, top, inst, true, true)) >= 0
                    && Scores.add(base, colocationPriority(s, a, top, inst, true, false)) >= 0;
            if (eligibleByScore) {
                candidates.add(inst);
                score.put(inst, priority);
            }
        }
        Map<Rsc, Integer> ownPriority = new HashMap<>(score);
        if (weightsWith != null) {
            // rank by the clone's weight on the node with the priorities of the instances there
            // added, before what is colocated with the Promoted role is merged in (see
            // Assignment.promotionWeights: that merge may clamp a node to 1)
            Map<SNode, Integer> perNodeSum = new HashMap<>();
            for (Rsc inst : candidates) {
                perNodeSum.merge(a.node(inst), score.get(inst), Scores::add);
            }
            ScoreTable weights = weightsWith.apply(perNodeSum);
            for (Rsc inst : candidates) {
                score.put(inst, weights.get(a.node(inst)));
            }
            candidates.removeIf(inst -> score.get(inst) < 0);
        }
        candidates.sort((x, y) -> {
            int d = Integer.compare(score.get(y), score.get(x));
            if (d != 0) {
                return d;
            }
            boolean px = isPromoted(x);
            boolean py = isPromoted(y);
            if (px != py) {
                return Boolean.compare(py, px);
            }
            // then the instance's own promotion priority (Pacemaker's instance comparison)
            d = Integer.compare(ownPriority.get(y), ownPriority.get(x));
            if (d != 0) {
                return d;
            }
            // then one that has not failed: a failed instance is being recovered where it is
            return Boolean.compare(anyFailed(x), anyFailed(y));
        });
        for (Rsc inst : candidates) {
            if (promoted >= top.promotedMax) {
                break;
            }
            int here = perNode.getOrDefault(a.node(inst), 0);
            if (here >= top.promotedNodeMax) {
                continue;
            }
            perNode.put(a.node(inst), here + 1);
            promoted++;
            for (Rsc p : inst.primitives()) {
                if (a.node(p) != null) {
                    a.nextRole(p, Role.PROMOTED);
                }
            }
        }
    }

    /**
     * Colocations of the clone as a dependent in role Promoted: the score counts where the
     * primary (in its role) ends up on the instance's node; a mandatory one whose primary is not
     * there forbids promotion (-INFINITY).
     */
    private static int colocationPriority(Scoring s, Assignment a, Rsc clone, Rsc inst, boolean promotedOnly, boolean mandatoryOnly) {
        int total = 0;
        for (Colocation col : s.primariesOf(clone)) {
            if (col.dependentRole() != Role.PROMOTED && col.dependentRole() != Role.UNPROMOTED) {
                continue;
            }
            // a colocation of the Unpromoted role counts (negated) only with a clone as primary,
            // then in full; one of the Promoted role counts for promotability only when mandatory
            // (mandatoryOnly), whatever the primary
            boolean clonePrimary = col.primary().kind == Rsc.Kind.CLONE;
            if (col.dependentRole() == Role.UNPROMOTED ? !clonePrimary && promotedOnly
                    : mandatoryOnly && Math.abs(col.score()) < Scores.INFINITY) {
                continue;
            }
            boolean there = primaryOn(a, col.primary(), col.primaryRole(), a.node(inst));
            int sign = col.dependentRole() == Role.UNPROMOTED ? -1 : 1;
            if (there) {
                total = Scores.add(total, sign * col.score());
            } else if (col.score() >= Scores.INFINITY && col.dependentRole() == Role.PROMOTED) {
                total = Scores.add(total, -Scores.INFINITY);
            }
        }
        return total;
    }

    /** Will {@code r} (an instance of it, for a clone) be on the node in the role (any, for UNKNOWN/STARTED)? */
    static boolean primaryOn(Assignment a, Rsc r, Role role, SNode node) {
        if (node == null) {
            return false;
        }
        if (r.kind == Rsc.Kind.CLONE) {
            for (Rsc inst : r.children) {
                if (a.node(inst) == node && roleMatches(instanceRole(a, inst), role)) {
                    return true;
                }
            }
            return false;
        }
        return a.node(r) == node && roleMatches(instanceRole(a, r), role);
    }

    private static boolean roleMatches(Role actual, Role wanted) {
        return wanted == Role.UNKNOWN || wanted == Role.STARTED || actual == wanted;
    }

    /** The role an instance (or a group, the highest of its members) will have. */
    static Role instanceRole(Assignment a, Rsc inst) {
        Role best = Role.STOPPED;
        for (Rsc p : inst.primitives()) {
            if (a.nextRole(p).compareTo(best) > 0) {
                best = a.nextRole(p);
            }
        }
        return best;
    }

    private static boolean anyFailed(Rsc inst) {
        for (Rsc p : inst.primitives()) {
            if (p.failed) {
                return true;
            }
        }
        return false;
    }

    private static boolean isPromoted(Rsc inst) {
        for (Rsc p : inst.primitives()) {
            if (p.role == Role.PROMOTED) {
                return true;
            }
        }
        return false;
    }

    /** The promotion score its agent set on the node (master-<name>), or null when none. */
    static Integer attributeScore(Assignment a, Rsc p, SNode node) {
        node = Bundles.attributeNode(a, p, node);
        String base = FailCounts.historyName(p);
        Rsc.NodeHistory h = p.history.get(node);
        String v = h != null && h.historyName != null ? node.attributes.get("master-" + h.historyName) : null;
        if (v == null) {
            v = node.attributes.get("master-" + p.id);
        }
        if (v == null) {
            v = node.attributes.get("master-" + base);
        }
        return v == null ? null : Scores.parse(v, 0);
    }

    /** Location constraints for role Promoted on the node, or null when none applies. */
    static Integer locationScore(Cluster c, Rsc clone, Rsc p, SNode node) {
        Integer total = null;
        String base = FailCounts.historyName(p);
        for (LocationConstraint lc : c.cib().constraints().locations()) {
            String target = lc.rsc();
            if (target == null || !(target.equals(clone.id) || target.equals(base) || target.equals(p.id))) {
                continue;
            }
            if (lc.node() != null) {
                if ("Promoted".equals(lc.role()) && lc.node().equals(node.name)) {
                    total = Scores.add(total == null ? 0 : total, Scores.parse(lc.score(), 0));
                }
                continue;
            }
            for (Rule rule : lc.rules()) {
                String role = rule.role() != null ? rule.role() : lc.role();
                if (!"Promoted".equals(role) || !rule.matches(RuleContext.forNode(node.attributes, c.now()))) {
                    continue;
                }
                int s = rule.scoreAttribute() != null ? Scores.parse(node.attributes.get(rule.scoreAttribute()), 0)
                        : Scores.parse(rule.score(), 0);
                total = Scores.add(total == null ? 0 : total, s);
            }
        }
        return total;
    }
}
