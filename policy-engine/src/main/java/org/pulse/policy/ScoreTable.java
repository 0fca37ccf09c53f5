package org.pulse.policy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.pulse.cib.model.Scores;

/**
 * A resource's score per node together with where every part came from, so that
 * {@code crm explain} can print the sum and its terms. Scores add with Pacemaker's
 * infinity rules; a node not allowed may not run the resource at all.
 *
 * <p>Totals are an array indexed by the node's rank, and the terms a shared, immutable list
 * (each table points at the last term; a copy shares all earlier ones), so copying a table
 * for a what-if merge costs one array copy, not a copy of every term.
 */
final class ScoreTable {
    private final SNode[] nodes;
    private final int[] totals;
    private final boolean[] allowed;
    private Term last;

    /** One term, linked to the one before it. */
    private record Term(ScoreContribution contribution, Term previous) {
    }

    ScoreTable(SNode[] nodes) {
        this.nodes = nodes;
        this.totals = new int[nodes.length];
        this.allowed = new boolean[nodes.length];
    }

    private ScoreTable(ScoreTable other) {
        this.nodes = other.nodes;
        this.totals = other.totals.clone();
        this.allowed = other.allowed.clone();
        this.last = other.last;
    }

    /** Makes the node eligible with a base score (a zero base adds no term). */
    void allow(SNode node, int score, String source) {
        allowed[node.rank] = true;
        if (score != 0) {
            add(node, score, source);
        }
    }

    /** A table over the same nodes where only {@code node} is eligible, at 0. */
    ScoreTable onlyAt(SNode node) {
        ScoreTable t = new ScoreTable(nodes);
        t.allow(node, 0, null);
        return t;
    }

    /** Makes every node eligible with a base score of 0. */
    void allowAll() {
        java.util.Arrays.fill(allowed, true);
    }

    /** Adds to a node, allowing it if needed. */
    void add(SNode node, int score, String source) {
        int i = node.rank;
        allowed[i] = true;
        totals[i] = Scores.add(totals[i], score);
        last = new Term(new ScoreContribution(node.name, score, source), last);
    }

    /** Replaces a node's total (a clamp, e.g. to 1), recording why as a term of the difference. */
    void set(SNode node, int total, String source) {
        int i = node.rank;
        allowed[i] = true;
        last = new Term(new ScoreContribution(node.name, total - totals[i], source), last);
        totals[i] = total;
    }

    void banAll(String source, Iterable<SNode> ns) {
        for (SNode n : ns) {
            add(n, -Scores.INFINITY, source);
        }
    }

    boolean allows(SNode node) {
        return allowed[node.rank];
    }

    int get(SNode node) {
        return allowed[node.rank] ? totals[node.rank] : -Scores.INFINITY;
    }

    int size() {
        return nodes.length;
    }

    SNode node(int i) {
        return nodes[i];
    }

    boolean allowedAt(int i) {
        return allowed[i];
    }

    int at(int i) {
        return totals[i];
    }

    /** The terms in the order they were added. */
    List<ScoreContribution> parts() {
        List<ScoreContribution> out = new ArrayList<>();
        for (Term t = last; t != null; t = t.previous()) {
            out.add(t.contribution());
        }
        Collections.reverse(out);
        return out;
    }

    ScoreTable copy() {
        return new ScoreTable(this);
    }
}
