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

    static QuorumConfig arbitrator(QuorumConfig.Arbitration.Algorithm algorithm) {
        return new QuorumConfig(false, false, QuorumConfig.TieBreaker.arbitrator("192.0.2.7:5403",
                new QuorumConfig.Arbitration(algorithm, "lowest")));
    }

    @Test
    void ffsplitTheArbitratorsVoteBreaksAnExactHalfOnly() {
        QuorumConfig q = arbitrator(QuorumConfig.Arbitration.Algorithm.FFSPLIT);
        List<String> four = List.of("a", "b", "c", "d");
        assertTrue(decide(q, four, List.of("a", "b", "c"), true, false).quorate(), "a majority needs no arbitrator");
        assertFalse(decide(q, four, List.of("a"), true, true).quorate(), "a quarter is not a half");
        Quorum.Decision won = decide(q, four, List.of("c", "d"), true, true);
        assertTrue(won.quorate());
        assertTrue(won.reason().contains("the arbitrator gave this half its vote"), won.reason());
        assertFalse(decide(q, four, List.of("a", "b"), true, false).quorate());
        assertTrue(decide(q, four, List.of("a", "b"), true, null).pending(), "undecided until it answers");
        assertTrue(Quorum.wantsTieBreaker(q, four, List.of("a", "b")));
        assertFalse(Quorum.wantsTieBreaker(q, four, List.of("a", "b", "c")));
        assertFalse(Quorum.wantsTieBreaker(q, four, List.of("a", "b", "c", "d")),
                "the whole cluster does not ask: losing the arbitrator then changes nothing");
    }

    @Test
    void lmsAnyPartHoldingTheVoteIsQuorateAndWithoutItOnlyTheWholeCluster() {
        QuorumConfig q = arbitrator(QuorumConfig.Arbitration.Algorithm.LMS);
        List<String> four = List.of("a", "b", "c", "d");
        assertTrue(decide(q, four, four, true, false).quorate(), "the whole cluster, arbitrator lost");
        assertTrue(decide(q, four, List.of("d"), true, true).quorate(), "the last man standing");
        Quorum.Decision majority = decide(q, four, List.of("a", "b", "c"), true, false);
        assertFalse(majority.quorate(), "without the vote a majority is not enough (another part may hold it)");
        assertTrue(majority.reason().contains("does not hold it"), majority.reason());
        assertTrue(decide(q, four, List.of("a", "b", "c"), true, null).pending());
        assertFalse(decide(q, four, List.of(), true, true).quorate());
        assertTrue(Quorum.wantsTieBreaker(q, four, List.of("a", "b", "c")));
        assertFalse(Quorum.wantsTieBreaker(q, four, four));
        assertFalse(decide(new QuorumConfig(false, true, q.tieBreaker()), four, List.of("d"), false, true).quorate(),
                "wait_for_all still comes first");
    }

    @Test
    void aHeldVoteSurvivesALostAnswerUntilItsLeaseAndARefusalEndsIt() {
        QuorumConfig q = arbitrator(QuorumConfig.Arbitration.Algorithm.FFSPLIT);
        TieBreakerState s = new TieBreakerState(q.tieBreaker());
        java.time.Instant t0 = java.time.Instant.parse("2026-12-06T12:00:00Z");
        assertEquals(null, s.won(t0));
        s.wantLease(true, t0);
        assertEquals(TieBreakerState.LeaseUpdate.IGNORED, s.acceptArbitrator(answer(Event.ArbitratorAnswer.Answer.GRANTED,
                t0.minusMillis(1), t0.plusMillis(4000)), t0), "asked before it was wanted");
        s.acceptArbitrator(answer(Event.ArbitratorAnswer.Answer.WAIT, t0, null), t0);
        assertEquals(null, s.won(t0), "wait: undecided");
        assertEquals(null, s.won(t0.plusMillis(TieBreakerState.ARBITRATOR_DECISION_MS - 1)));
        assertEquals(false, s.won(t0.plusMillis(TieBreakerState.ARBITRATOR_DECISION_MS)),
                "undecided for too long counts as lost (the watchdogs were fed meanwhile)");
        s.acceptArbitrator(answer(Event.ArbitratorAnswer.Answer.GRANTED, t0, t0.plusMillis(4000)), t0.plusMillis(5));
        assertEquals(true, s.won(t0.plusMillis(10)));
        s.acceptArbitrator(answer(Event.ArbitratorAnswer.Answer.UNREACHABLE, t0.plusMillis(1000), null),
                t0.plusMillis(2000));
        assertEquals(true, s.won(t0.plusMillis(3999)), "kept through a lost answer");
        assertEquals(false, s.won(t0.plusMillis(4000)), "never past its lease");
        s.acceptArbitrator(answer(Event.ArbitratorAnswer.Answer.GRANTED, t0.plusMillis(4100), t0.plusMillis(8100)),
                t0.plusMillis(4100));
        s.acceptArbitrator(answer(Event.ArbitratorAnswer.Answer.REFUSED, t0.plusMillis(5000), null), t0.plusMillis(5000));
        assertEquals(false, s.won(t0.plusMillis(5001)), "a refusal ends it at once");
    }

    static Event.ArbitratorAnswer answer(Event.ArbitratorAnswer.Answer a, java.time.Instant askedAt,
            java.time.Instant validUntil) {
        return new Event.ArbitratorAnswer("192.0.2.7:5403", a, validUntil, askedAt, "");
    }
}
