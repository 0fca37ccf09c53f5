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

    static void run(Cluster c) {
        boolean demoteOnly = !c.haveQuorum() && "demote".equals(c.options().noQuorumPolicy());
        for (Rsc top : c.topLevel()) {
            if (top.kind != Rsc.Kind.CLONE) {
                continue;
            }
            for (Rsc inst : top.children) {
                for (Rsc p : inst.primitives()) {
                    p.nextRole = p.assigned == null ? Role.STOPPED : (top.promotable ? Role.UNPROMOTED : Role.STARTED);
                }
            }
            if (!top.promotable || demoteOnly) {
                continue;
            }
            List<Rsc> candidates = new ArrayList<>();
            Map<Rsc, Integer> score = new HashMap<>();
            for (Rsc inst : top.children) {
                Rsc p = inst.isPrimitive() ? inst : (inst.children.isEmpty() ? null : inst.children.get(0));
                if (p == null || inst.assigned == null || !inst.managed || p.promotionBan != null) {
                    continue;
                }
                Integer s = promotionScore(c, top, p, inst.assigned);
                if (s != null && s >= 0) {
                    candidates.add(inst);
                    score.put(inst, s);
                }
            }
            candidates.sort((a, b) -> {
                int d = Integer.compare(score.get(b), score.get(a));
                if (d != 0) {
                    return d;
                }
                boolean pa = isPromoted(a);
                boolean pb = isPromoted(b);
                return Boolean.compare(pb, pa);
            });
            int promoted = 0;
            Map<SNode, Integer> perNode = new HashMap<>();
            for (Rsc inst : candidates) {
                if (promoted >= top.promotedMax) {
                    break;
                }
                int here = perNode.getOrDefault(inst.assigned, 0);
                if (here >= top.promotedNodeMax) {
                    continue;
                }
                perNode.put(inst.assigned, here + 1);
                promoted++;
                for (Rsc p : inst.primitives()) {
                    if (p.assigned != null) {
                        p.nextRole = Role.PROMOTED;
                    }
                }
            }
        }
    }

    private static boolean isPromoted(Rsc inst) {
        for (Rsc p : inst.primitives()) {
            if (p.role == Role.PROMOTED) {
                return true;
            }
        }
        return false;
    }

    /** The promotion score of an instance on a node, or null when nothing gives it one. */
    static Integer promotionScore(Cluster c, Rsc clone, Rsc p, SNode node) {
        Integer total = null;
        String base = FailCounts.historyName(p);
        Rsc.NodeHistory h = p.history.get(node);
        String v = h != null && h.historyName != null ? node.attributes.get("master-" + h.historyName) : null;
        if (v == null) {
            v = node.attributes.get("master-" + p.id);
        }
        if (v == null) {
            v = node.attributes.get("master-" + base);
        }
        if (v != null) {
            total = Scores.parse(v, 0);
        }
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
