package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The quorum rule alone: majority, wait_for_all, two_node, tie-breakers. */
class QuorumTest {
    static final QuorumConfig.TieBreaker NONE = QuorumConfig.TieBreaker.NONE;

    static Quorum.Decision decide(QuorumConfig q, List<String> voters, List<String> members, boolean seen,
            Boolean ping) {
        return Quorum.decide(q, voters, members, seen, ping);
    }

    @Test
    void aMajorityIsQuorate() {
        assertTrue(decide(QuorumConfig.MAJORITY, List.of("a", "b", "c"), List.of("b", "c"), false, null).quorate());
        assertFalse(decide(QuorumConfig.MAJORITY, List.of("a", "b", "c"), List.of("c"), true, null).quorate());
        assertFalse(decide(QuorumConfig.MAJORITY, List.of("a", "b"), List.of("a"), true, null).quorate());
    }

    @Test
    void waitForAllComesBeforeEverythingElse() {
        QuorumConfig q = new QuorumConfig(true, true, QuorumConfig.TieBreaker.LOWEST);
        Quorum.Decision d = decide(q, List.of("a", "b"), List.of("a"), false, true);
        assertFalse(d.quorate());
        assertEquals(List.of("b"), d.missing());
        assertFalse(decide(new QuorumConfig(false, true, NONE), List.of("a", "b", "c"), List.of("a", "b", "c"), false,
                null).quorate(), "the caller decides when all were seen; until then nothing is quorate");
        assertTrue(decide(q, List.of("a", "b"), List.of("a"), true, null).quorate());
    }

    @Test
    void twoNodeGrantsOneOfTwoVotesOnly() {
        QuorumConfig q = new QuorumConfig(true, false, NONE);
        assertTrue(decide(q, List.of("a", "b"), List.of("b"), false, null).quorate());
        Quorum.Decision three = decide(q, List.of("a", "b", "c"), List.of("a"), true, null);
        assertFalse(three.quorate(), "the CIB named a third node: two_node no longer applies");
        assertTrue(three.reason().contains("two_node ignored"), three.reason());
    }

    @Test
    void lowestBreaksOnlyAnExactHalf() {
        QuorumConfig q = new QuorumConfig(false, false, QuorumConfig.TieBreaker.LOWEST);
        List<String> voters = List.of("n3", "n1", "n2", "n4");
        assertTrue(decide(q, voters, List.of("n3", "n4"), true, null).quorate());
        assertFalse(decide(q, voters, List.of("n1", "n2"), true, null).quorate());
        assertFalse(decide(q, voters, List.of("n3"), true, null).quorate(), "1 of 4 is no tie");
        assertTrue(decide(q, List.of("a", "b"), List.of("a"), true, null).quorate(), "1 of 2 with a, listed first");
    }

    @Test
    void pingBreaksATieByTheLastAnswer() {
        QuorumConfig q = new QuorumConfig(false, false, QuorumConfig.TieBreaker.ping("192.0.2.1"));
        List<String> voters = List.of("a", "b");
        assertFalse(decide(q, voters, List.of("b"), true, null).quorate(), "no answer yet");
        assertTrue(decide(q, voters, List.of("b"), true, true).quorate());
        assertFalse(decide(q, voters, List.of("b"), true, false).quorate());
    }
}
