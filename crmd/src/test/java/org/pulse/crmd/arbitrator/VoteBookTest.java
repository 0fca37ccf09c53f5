package org.pulse.crmd.arbitrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The arbitrator's vote alone, with time as a number: whom it votes for, and never for two parts at once. */
class VoteBookTest {
    static final long LEASE = 6000;
    static final long GATHER = 2000;
    static final List<String> FOUR = List.of("n1", "n2", "n3", "n4");

    /** A book past its start-up quiet period (one lease). */
    static VoteBook book() {
        return new VoteBook(LEASE, GATHER, -LEASE);
    }

    static VoteBook.Ask ask(String node, String alg, String tb, List<String> voters, String... members) {
        return new VoteBook.Ask("c1", node, alg, tb, voters, List.of(members));
    }

    @Test
    void anEvenSplitGoesToTheHalfWithTheLowestNodeOnceBothAsked() {
        VoteBook b = book();
        assertEquals(VoteBook.Kind.WAIT, b.ask(ask("n3", "ffsplit", "lowest", FOUR, "n3", "n4"), 0).kind(),
                "the first asker waits for the other half");
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n1", "ffsplit", "lowest", FOUR, "n1", "n2"), 100).kind(),
                "both halves asked: every voter is covered, so it decides at once");
        assertEquals(VoteBook.Kind.REFUSE, b.ask(ask("n3", "ffsplit", "lowest", FOUR, "n3", "n4"), 1100).kind());
        assertEquals("n1", b.holder("c1", 1100));
    }

    @Test
    void highestAndANamedNodeFavourOtherHalves() {
        VoteBook b = book();
        b.ask(ask("n1", "ffsplit", "highest", FOUR, "n1", "n2"), 0);
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n3", "ffsplit", "highest", FOUR, "n3", "n4"), 10).kind());
        VoteBook named = book();
        named.ask(ask("n1", "ffsplit", "n3", FOUR, "n1", "n2"), 0);
        assertEquals(VoteBook.Kind.GRANT, named.ask(ask("n3", "ffsplit", "n3", FOUR, "n3", "n4"), 10).kind());
    }

    @Test
    void aLoneAskerGetsTheVoteAfterTheGatheringWindow() {
        VoteBook b = book();
        assertEquals(VoteBook.Kind.WAIT, b.ask(ask("n3", "ffsplit", "lowest", FOUR, "n3", "n4"), 0).kind());
        assertEquals(VoteBook.Kind.WAIT, b.ask(ask("n3", "ffsplit", "lowest", FOUR, "n3", "n4"), 1000).kind());
        VoteBook.Answer a = b.ask(ask("n3", "ffsplit", "lowest", FOUR, "n3", "n4"), GATHER);
        assertEquals(VoteBook.Kind.GRANT, a.kind(), a.reason());
        assertEquals(LEASE, a.leaseMs());
    }

    @Test
    void theMoreMembersWinOverTheTieBreaker() {
        List<String> six = List.of("n1", "n2", "n3", "n4", "n5", "n6");
        VoteBook b = book();
        b.ask(ask("n1", "lms", "lowest", six, "n1"), 0);
        VoteBook.Answer big = b.ask(ask("n4", "lms", "lowest", six, "n2", "n3", "n4", "n5", "n6"), 10);
        assertEquals(VoteBook.Kind.GRANT, big.kind(), "more members beat the lowest node: " + big.reason());
        // That part splits later, after its DC let go: three members beat two with the lowest node.
        b.release("c1", "n4", 20);
        b.ask(ask("n5", "lms", "lowest", six, "n5", "n6", "n4"), 30);
        VoteBook.Answer again = b.ask(ask("n2", "lms", "lowest", six, "n2", "n3"), 40);
        assertEquals(VoteBook.Kind.WAIT, again.kind(), "three members beat two: " + again.reason());
    }

    @Test
    void aHolderKeepsTheVoteAgainstAnEqualAskerAndTheVoteFollowsItAfterItsLeaseRanOut() {
        VoteBook b = book();
        b.ask(ask("n1", "ffsplit", "highest", FOUR, "n1", "n2"), 0);
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n1", "ffsplit", "highest", FOUR, "n1", "n2"), GATHER).kind());
        // highest would favour n3's half, but n1's half holds the vote: it keeps it while it renews.
        for (long t = GATHER + 500; t < 30_000; t += 1000) {
            assertEquals(VoteBook.Kind.REFUSE, b.ask(ask("n3", "ffsplit", "highest", FOUR, "n3", "n4"), t).kind());
            assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n1", "ffsplit", "highest", FOUR, "n1", "n2"), t + 1).kind());
        }
        // n1's half goes silent (it died, or lost the arbitrator): the vote is free once its lease ran out.
        long last = 29_001 + 0;
        assertEquals(VoteBook.Kind.REFUSE, b.ask(ask("n3", "ffsplit", "highest", FOUR, "n3", "n4"),
                last + LEASE - 1).kind());
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n3", "ffsplit", "highest", FOUR, "n3", "n4"),
                last + LEASE + GATHER).kind());
    }

    @Test
    void aBiggerAskerMakesTheHolderLoseItsNextRenewalAndGetsTheVoteOnlyAfterTheLease() {
        VoteBook b = book();
        b.ask(ask("n4", "lms", "lowest", FOUR, "n4"), 0);
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n4", "lms", "lowest", FOUR, "n4"), GATHER).kind());
        assertEquals(VoteBook.Kind.WAIT, b.ask(ask("n1", "lms", "lowest", FOUR, "n1", "n2", "n3"), GATHER + 100).kind());
        assertEquals(VoteBook.Kind.REFUSE, b.ask(ask("n4", "lms", "lowest", FOUR, "n4"), GATHER + 200).kind(),
                "the smaller holder is not renewed");
        for (long t = GATHER + 1000; t < GATHER + LEASE; t += 1000) {
            assertEquals(VoteBook.Kind.WAIT, b.ask(ask("n1", "lms", "lowest", FOUR, "n1", "n2", "n3"), t).kind(),
                    "not before n4's lease ran out");
        }
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n1", "lms", "lowest", FOUR, "n1", "n2", "n3"),
                GATHER + LEASE).kind());
    }

    @Test
    void aNewDcOfAPartitionContainingTheHolderTakesTheVoteOver() {
        VoteBook b = book();
        b.ask(ask("n2", "ffsplit", "lowest", FOUR, "n2", "n3"), 0);
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n2", "ffsplit", "lowest", FOUR, "n2", "n3"), GATHER).kind());
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n1", "ffsplit", "lowest", FOUR, "n1", "n2"), GATHER + 10).kind());
        assertEquals("n1", b.holder("c1", GATHER + 10));
    }

    @Test
    void aRestartedArbitratorGrantsNothingForOneLease() {
        VoteBook b = new VoteBook(LEASE, GATHER, 50_000);
        for (long t = 50_000; t < 50_000 + LEASE; t += 1000) {
            assertEquals(VoteBook.Kind.WAIT, b.ask(ask("n1", "ffsplit", "lowest", FOUR, "n1", "n2"), t).kind());
        }
        b.ask(ask("n1", "ffsplit", "lowest", FOUR, "n1", "n2"), 50_000 + LEASE);
        assertEquals(VoteBook.Kind.GRANT, b.ask(ask("n1", "ffsplit", "lowest", FOUR, "n1", "n2"),
                50_000 + LEASE + GATHER).kind());
    }

    @Test
    void clustersAreApartAndASettingThatDiffersIsRefusedNamingIt() {
        VoteBook b = book();
        b.ask(new VoteBook.Ask("c1", "a1", "ffsplit", "lowest", List.of("a1", "a2"), List.of("a1")), 0);
        b.ask(new VoteBook.Ask("c2", "b1", "ffsplit", "lowest", List.of("b1", "b2"), List.of("b1")), 0);
        assertEquals(VoteBook.Kind.GRANT, b.ask(new VoteBook.Ask("c1", "a1", "ffsplit", "lowest", List.of("a1", "a2"),
                List.of("a1")), GATHER).kind());
        assertEquals(VoteBook.Kind.GRANT, b.ask(new VoteBook.Ask("c2", "b1", "ffsplit", "lowest", List.of("b1", "b2"),
                List.of("b1")), GATHER).kind(), "one cluster's vote says nothing about another's");
        VoteBook.Answer odd = b.ask(new VoteBook.Ask("c1", "a2", "lms", "lowest", List.of("a1", "a2"), List.of("a2")),
                GATHER + 10);
        assertEquals(VoteBook.Kind.REFUSE, odd.kind());
        assertTrue(odd.reason().contains("arbitrator_algorithm = lms"), odd.reason());
    }

    /**
     * Property over seeds: random partitions of a 4-node cluster ask in random order with random delays;
     * each DC believes a grant for two thirds of the lease from before it asked (as crmd does). A node
     * that is a member of another DC's partition which asked is no longer a DC (the join completed
     * before the question), so it stops believing. At no moment do two DCs of disjoint partitions both
     * believe they hold the vote.
     */
    @Test
    void neverTwoDisjointHoldersAtOnceUnderRandomSchedules() {
        long seed0 = 20261206L;
        List<List<String>> parts = List.of(List.of("n1", "n2"), List.of("n3", "n4"), List.of("n1"),
                List.of("n2", "n3", "n4"), List.of("n4"), List.of("n1", "n2", "n3"), List.of("n3", "n2"));
        for (int run = 0; run < 100; run++) {
            long seed = seed0 + run;
            SplittableRandom r = new SplittableRandom(seed);
            VoteBook b = new VoteBook(LEASE, GATHER, r.nextLong(0, 10_000));
            java.util.Map<String, Long> believedUntil = new java.util.HashMap<>();
            java.util.Map<String, List<String>> partOf = new java.util.HashMap<>();
            String alg = r.nextBoolean() ? "ffsplit" : "lms";
            long now = 0;
            for (int step = 0; step < 300; step++) {
                now += r.nextLong(1, 1500);
                List<String> members = parts.get(r.nextInt(parts.size()));
                String dc = members.get(0);
                long sentAt = now - r.nextLong(0, 500);
                for (String m : members) {
                    if (!m.equals(dc)) {
                        believedUntil.remove(m);
                    }
                }
                VoteBook.Answer a = b.ask(new VoteBook.Ask("c", dc, alg, "lowest", FOUR, members), now);
                partOf.put(dc, members);
                if (a.kind() == VoteBook.Kind.GRANT) {
                    believedUntil.put(dc, sentAt + a.leaseMs() - a.leaseMs() / 3);
                } else if (a.kind() == VoteBook.Kind.REFUSE) {
                    believedUntil.remove(dc);
                }
                long t = now;
                List<String> believers = believedUntil.entrySet().stream().filter(e -> e.getValue() > t)
                        .map(java.util.Map.Entry::getKey).sorted().toList();
                for (String x : believers) {
                    for (String y : believers) {
                        if (x.compareTo(y) < 0 && partOf.get(x).stream().noneMatch(partOf.get(y)::contains)) {
                            throw new AssertionError("seed " + seed + " step " + step + ": " + partOf.get(x) + " and "
                                    + partOf.get(y) + " both hold the vote");
                        }
                    }
                }
            }
        }
        System.out.println("VoteBookTest: 100 schedules from seed " + seed0 + ", never two disjoint holders");
    }
}
