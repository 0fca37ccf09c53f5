package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.List;

/**
 * The quorum rule of DESIGN.md §4 as one pure function: a partition is quorate with more than half
 * of the votes, unless wait_for_all still waits (checked first: it overrides everything, so a node
 * that boots alone after being fenced never fences the survivor), or two_node grants one of two
 * votes, or a tie-breaker decides an exact half split. Every decision carries the sentence an
 * operator reads in the join log line and in crm status.
 */
final class Quorum {
    private Quorum() {
    }

    /**
     * @param quorate  whether the partition may run resources and fence
     * @param reason   why, for a person ("1 of 2 votes, quorate by two_node")
     * @param missing  voting nodes outside the view while wait_for_all still waits (else empty)
     * @param pending  not quorate yet, but not lost either (a tie waiting for a fresh ping): act on nothing
     */
    record Decision(boolean quorate, int memberVotes, int expectedVotes, String reason, List<String> missing,
            boolean pending) {
        Decision {
            missing = List.copyOf(missing);
        }

        Decision(boolean quorate, int memberVotes, int expectedVotes, String reason, List<String> missing) {
            this(quorate, memberVotes, expectedVotes, reason, missing, false);
        }
    }

    /**
     * @param voters          every voting node, in the order of the node config's {@code nodes} (its
     *                        first is what tie_breaker=lowest favours), then any others the CIB names
     * @param members         the partition's view
     * @param allSeenTogether whether every voter has been in one view with the others since this node started
     * @param tieBreakerWon   for ping: the target answered a ping sent in this view; for lease: this node
     *                        holds the lease and it is still valid; for arbitrator: this node holds the
     *                        arbitrator's vote and its lease is still valid; null while that is not known yet
     */
    static Decision decide(QuorumConfig q, List<String> voters, List<String> members, boolean allSeenTogether,
            Boolean tieBreakerWon) {
        int votes = voters.size();
        int have = (int) members.stream().filter(voters::contains).count();
        String count = have + " of " + votes + " votes";
        if (q.waitForAll() && !allSeenTogether) {
            List<String> missing = new ArrayList<>(voters);
            missing.removeAll(members);
            return new Decision(false, have, votes, count + ", WITHOUT quorum: wait_for_all: every node must have"
                    + " been a member together once since this node started; still missing " + missing
                    + " (start them, or set wait_for_all = false if you know they are down)", missing);
        }
        if (isLastManStanding(q)) {
            return lastManStanding(q, have, votes, count, tieBreakerWon);
        }
        if (have * 2 > votes) {
            return new Decision(true, have, votes, count, List.of());
        }
        if (q.twoNode()) {
            if (votes == 2 && have == 1) {
                return new Decision(true, have, votes, count + ", quorate by two_node (fencing decides a split)",
                        List.of());
            }
            if (votes != 2) {
                return tieOrLoss(q, voters, members, have, votes,
                        count + " (two_node ignored: it needs exactly 2 votes, the CIB's nodes section makes " + votes + ")",
                        tieBreakerWon);
            }
        }
        return tieOrLoss(q, voters, members, have, votes, count, tieBreakerWon);
    }

    /**
     * Whether the DC of this partition asks for the tie-breaker (takes the lease, asks the arbitrator
     * for its vote): on an exact half split, or with the arbitrator's lms whenever a voter is missing.
     */
    static boolean wantsTieBreaker(QuorumConfig q, List<String> voters, List<String> members) {
        if (isLastManStanding(q)) {
            int have = (int) members.stream().filter(voters::contains).count();
            return have > 0 && have < voters.size();
        }
        return isTie(q, voters, members);
    }

    private static boolean isLastManStanding(QuorumConfig q) {
        return q.tieBreaker().kind() == QuorumConfig.TieBreaker.Kind.ARBITRATOR
                && q.tieBreaker().arbitration().algorithm() == QuorumConfig.Arbitration.Algorithm.LMS;
    }

    /**
     * lms, as qnetd's with the arbitrator worth all votes but one: the whole cluster is quorate by
     * itself (losing the arbitrator then changes nothing); any smaller part, a majority included, only
     * while it holds the arbitrator's vote, which the arbitrator gives to one part at a time.
     */
    private static Decision lastManStanding(QuorumConfig q, int have, int votes, String count, Boolean won) {
        QuorumConfig.TieBreaker tb = q.tieBreaker();
        if (have == votes && votes > 0) {
            return new Decision(true, have, votes, count + ", every node is a member (the arbitrator is not"
                    + " needed)", List.of());
        }
        if (have == 0) {
            return new Decision(false, have, votes, count + ", WITHOUT quorum", List.of());
        }
        if (won == null) {
            return new Decision(false, have, votes, count + ", a part of the cluster, undecided until the"
                    + " arbitrator " + tb.target() + " answers (lms)", List.of(), true);
        }
        return new Decision(won, have, votes, count + (won
                ? ", quorate by the arbitrator's vote: tie_breaker = " + tb + " gave it to this part"
                : ", WITHOUT quorum: tie_breaker = " + tb + ": only the whole cluster or the part holding the"
                        + " arbitrator's vote is quorate, and this part does not hold it"), List.of());
    }

    /** An exact half split that no other rule decides: where a tie-breaker is asked. */
    static boolean isTie(QuorumConfig q, List<String> voters, List<String> members) {
        int votes = voters.size();
        int have = (int) members.stream().filter(voters::contains).count();
        return have > 0 && have * 2 == votes && !(q.twoNode() && votes == 2);
    }

    private static Decision tieOrLoss(QuorumConfig q, List<String> voters, List<String> members, int have, int votes,
            String count, Boolean tieBreakerWon) {
        if (have == 0 || have * 2 != votes) {
            return new Decision(false, have, votes, count + ", WITHOUT quorum", List.of());
        }
        QuorumConfig.TieBreaker tb = q.tieBreaker();
        switch (tb.kind()) {
            case LOWEST -> {
                String first = voters.get(0);
                boolean ours = members.contains(first);
                return new Decision(ours, have, votes, count + ", an even split "
                        + (ours ? "won" : "lost") + " by tie_breaker = lowest: " + first + " is in "
                        + (ours ? "this" : "the other") + " half" + (ours ? "" : " (WITHOUT quorum)"), List.of());
            }
            case PING -> {
                if (tieBreakerWon == null) {
                    // Pending, not lost: the partition waits (a second or two) rather than stopping
                    // what it runs, since it may well be the half that wins.
                    return new Decision(false, have, votes, count + ", an even split, undecided until the"
                            + " tie-breaker " + tb.target() + " answers a ping sent in this view", List.of(),
                            true);
                }
                return new Decision(tieBreakerWon, have, votes, count + ", an even split " + (tieBreakerWon
                        ? "won by tie_breaker = " + tb + ": the target answers here"
                        : "lost by tie_breaker = " + tb + ": the target does not answer here (WITHOUT quorum)"),
                        List.of());
            }
            case LEASE -> {
                if (tieBreakerWon == null) {
                    return new Decision(false, have, votes, count + ", an even split, undecided until this node"
                            + " has tried the lease " + tb.target(), List.of(), true);
                }
                return new Decision(tieBreakerWon, have, votes, count + ", an even split " + (tieBreakerWon
                        ? "won by tie_breaker = " + tb + ": this node holds the lease"
                        : "lost by tie_breaker = " + tb + ": another node holds the lease, or it ran out here"
                                + " (WITHOUT quorum)"), List.of());
            }
            case ARBITRATOR -> {
                if (tieBreakerWon == null) {
                    return new Decision(false, have, votes, count + ", an even split, undecided until the"
                            + " arbitrator " + tb.target() + " answers", List.of(), true);
                }
                return new Decision(tieBreakerWon, have, votes, count + ", an even split " + (tieBreakerWon
                        ? "won by tie_breaker = " + tb + ": the arbitrator gave this half its vote"
                        : "lost by tie_breaker = " + tb + ": the arbitrator votes for the other half, cannot be"
                                + " reached, or did not decide in time (WITHOUT quorum)"), List.of());
            }
            default -> {
                return new Decision(false, have, votes, count + ", an even split, WITHOUT quorum (no tie_breaker set)",
                        List.of());
            }
        }
    }
}
