package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pulse.policy.TestCibs.cluster;
import static org.pulse.policy.TestCibs.node;
import static org.pulse.policy.TestCibs.rsc;

import org.junit.jupiter.api.Test;
import org.pulse.cib.model.Scores;

/** Scores and their reasons: the scoring stage, and colocations as assignment applies them. */
class ScoringTest {
    private static TestCibs threeNodes() {
        return cluster().node("n1").node("n2").node("n3");
    }

    private static boolean hasTerm(ScoreTable t, String node, int score, String sourcePart) {
        return t.parts().stream().anyMatch(p -> p.node().equals(node) && p.score() == score && p.source().contains(sourcePart));
    }

    @Test
    void locationConstraintScoresItsNodeWithItsId() {
        Cluster c = threeNodes().primitive("a").location("loc-a", "a", "n2", "300").unpack();
        ScoreTable t = Scoring.run(c).scores(rsc(c, "a"));
        assertEquals(0, t.get(node(c, "n1")));
        assertEquals(300, t.get(node(c, "n2")));
        assertTrue(hasTerm(t, "n2", 300, "location constraint loc-a"), t.parts().toString());
    }

    @Test
    void locationPlusColocationGivesTheSumWithBothReasons() {
        // a prefers n1 (50); b prefers n2 (100) but wants to be with a at 200: on n1 b scores 200, on n2 100
        Cluster c = threeNodes().primitive("a").primitive("b")
                .location("loc-a", "a", "n1", "50").location("loc-b", "b", "n2", "100")
                .constraints("<rsc_colocation id=\"b-with-a\" rsc=\"b\" with-rsc=\"a\" score=\"200\"/>").unpack();
        Scoring s = Scoring.run(c);
        Allocation alloc = Promotion.run(c, s, Assignment.run(c, s));
        Rsc a = rsc(c, "a");
        Rsc b = rsc(c, "b");
        assertEquals("n1", alloc.node(a).name);
        ScoreTable bt = alloc.finalScores(b);
        assertEquals(200, bt.get(node(c, "n1")), bt.parts().toString());
        assertEquals(100, bt.get(node(c, "n2")), bt.parts().toString());
        assertTrue(hasTerm(bt, "n1", 200, "b-with-a"), bt.parts().toString());
        assertTrue(hasTerm(bt, "n2", 100, "location constraint loc-b"), bt.parts().toString());
        assertEquals("n1", alloc.node(b).name, "200 with a beats its own 100 on n2");
    }

    @Test
    void mandatoryColocationBansEveryOtherNodeWithReason() {
        Cluster c = threeNodes().primitive("a").primitive("b").location("loc-a", "a", "n3", "10")
                .constraints("<rsc_colocation id=\"b-with-a\" rsc=\"b\" with-rsc=\"a\" score=\"INFINITY\"/>").unpack();
        Scoring s = Scoring.run(c);
        Allocation alloc = Promotion.run(c, s, Assignment.run(c, s));
        ScoreTable bt = alloc.finalScores(rsc(c, "b"));
        assertEquals(-Scores.INFINITY, bt.get(node(c, "n1")));
        assertEquals(-Scores.INFINITY, bt.get(node(c, "n2")));
        assertTrue(hasTerm(bt, "n1", -Scores.INFINITY, "must be with a on n3 (colocation b-with-a)"), bt.parts().toString());
        assertEquals("n3", alloc.node(rsc(c, "b")).name);
    }

    @Test
    void stickinessCountsOnlyWhereTheResourceRuns() {
        Cluster c = threeNodes().rscDefault("resource-stickiness", "60").primitive("a")
                .started("a", "n2").unpack();
        ScoreTable t = Scoring.run(c).scores(rsc(c, "a"));
        assertEquals(60, t.get(node(c, "n2")));
        assertEquals(0, t.get(node(c, "n1")));
        assertTrue(hasTerm(t, "n2", 60, "stickiness"), t.parts().toString());
    }

    @Test
    void asymmetricClusterAllowsOnlyNodesNamedByConstraints() {
        Cluster c = threeNodes().option("symmetric-cluster", "false").primitive("a")
                .location("loc-a", "a", "n2", "0").unpack();
        ScoreTable t = Scoring.run(c).scores(rsc(c, "a"));
        assertFalse(t.allows(node(c, "n1")));
        assertTrue(t.allows(node(c, "n2")));
        assertFalse(t.allows(node(c, "n3")));
    }
}
