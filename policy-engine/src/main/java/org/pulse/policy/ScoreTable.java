package org.pulse.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.Scores;

/**
 * A resource's score per node together with where every part came from, so that
 * {@code crm explain} can print the sum and its terms. Scores add with Pacemaker's
 * infinity rules; a node missing from the table may not run the resource at all.
 */
final class ScoreTable {
    private final Map<SNode, Integer> totals = new LinkedHashMap<>();
    private final List<ScoreContribution> parts = new ArrayList<>();

    void allow(SNode node, int score, String source) {
        if (!totals.containsKey(node)) {
            totals.put(node, 0);
        }
        add(node, score, source);
    }

    /** Adds to a node, allowing it if needed. */
    void add(SNode node, int score, String source) {
        totals.merge(node, score, Scores::add);
        parts.add(new ScoreContribution(node.name, score, source));
    }

    /** Sets every node to -INFINITY (nothing may run). */
    void banAll(String source, Iterable<SNode> nodes) {
        for (SNode n : nodes) {
            add(n, -Scores.INFINITY, source);
        }
    }

    boolean allows(SNode node) {
        return totals.containsKey(node);
    }

    int get(SNode node) {
        Integer v = totals.get(node);
        return v == null ? -Scores.INFINITY : v;
    }

    Map<SNode, Integer> totals() {
        return totals;
    }

    List<ScoreContribution> parts() {
        return parts;
    }

    ScoreTable copy() {
        ScoreTable t = new ScoreTable();
        t.totals.putAll(totals);
        t.parts.addAll(parts);
        return t;
    }
}
