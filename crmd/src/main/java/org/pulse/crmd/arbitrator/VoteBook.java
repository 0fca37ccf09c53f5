package org.pulse.crmd.arbitrator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The arbitrator's decision, pure: which part of each cluster holds its vote, with time (a monotonic
 * millisecond count) as an argument. The daemon only parses, authenticates and answers.
 *
 * <p>The one promise: a cluster's vote is held by one asker (the DC of one partition) at a time. A
 * grant is a lease of {@code leaseMs} from the moment the question arrived; the holder counts it from
 * before it sent the question, less a margin, so its belief always ends first. The vote passes to
 * another asker only once the holder's lease ran out here, or when the new asker's partition contains
 * the holder (a merge or a new DC of the same partition: the old holder is no longer a DC of anything
 * else). An arbitrator that (re)starts grants nothing for one lease, since it forgot what it granted.
 *
 * <p>Whom it votes for, when the vote is free: it first gathers the askers of the cluster for up to
 * {@code gatherMs} (or until their members cover every voter), then picks, as qnetd's ffsplit and lms
 * do: the partition with more members; on equal sizes the one sharing most members with the
 * partition that held the vote before; then the cluster's tie-breaker: the partition containing the
 * lowest (first in the node config's order) or highest node among the askers, or the named node (the
 * lowest when that node is in none). A holder keeps the vote against an equal asker; a strictly
 * bigger asker makes it refuse the holder's next renewal, and takes the vote once that lease ran out.
 */
public final class VoteBook {
    /** What a DC asks: its cluster, its own name, the cluster's settings, the voters in order and its partition. */
    public record Ask(String cluster, String node, String algorithm, String tieBreaker, List<String> voters,
            List<String> members) {
        public Ask {
            Objects.requireNonNull(cluster, "cluster");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(algorithm, "algorithm");
            Objects.requireNonNull(tieBreaker, "tieBreaker");
            voters = List.copyOf(voters);
            members = List.copyOf(members);
        }
    }

    public enum Kind { GRANT, WAIT, REFUSE }

    /** The answer: a grant carries the lease; every answer says why, for the node's log. */
    public record Answer(Kind kind, long leaseMs, String reason) {
        public Answer {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private record Holder(String node, List<String> members, long expiresAtMs, boolean revoking) {
    }

    /** An asker, since when it has been asking without a pause ({@code firstAskMs}), and when last. */
    private record Candidate(String node, List<String> members, long firstAskMs, long lastAskMs) {
    }

    private static final class ClusterVote {
        String algorithm;
        String tieBreaker;
        List<String> voters = List.of();
        Holder holder;
        List<String> previousMembers = List.of();
        final Map<String, Candidate> candidates = new LinkedHashMap<>();
    }

    private final long leaseMs;
    private final long gatherMs;
    private final long quietUntilMs;
    private final Map<String, ClusterVote> clusters = new HashMap<>();

    /**
     * @param leaseMs     how long a grant holds without renewal (the nodes renew every second)
     * @param gatherMs    how long a free vote waits for the other half of a split to ask too
     * @param startedAtMs when this arbitrator started: it grants nothing for one lease from then
     */
    public VoteBook(long leaseMs, long gatherMs, long startedAtMs) {
        if (leaseMs < 1000 || gatherMs < 0 || gatherMs >= leaseMs) {
            throw new IllegalArgumentException("lease_ms must be at least 1000 and gather_ms between 0 and"
                    + " lease_ms (got lease_ms=" + leaseMs + ", gather_ms=" + gatherMs + ")");
        }
        this.leaseMs = leaseMs;
        this.gatherMs = gatherMs;
        this.quietUntilMs = startedAtMs + leaseMs;
    }

    /** An asker not heard from for this long no longer competes (nodes ask every second). */
    long staleMs() {
        return Math.max(gatherMs + 1000, leaseMs / 2);
    }

    /** One DC's question; the answer and any change of the holder happen together. */
    public Answer ask(Ask a, long nowMs) {
        ClusterVote cv = clusters.computeIfAbsent(a.cluster(), k -> new ClusterVote());
        expire(cv, nowMs);
        if (cv.algorithm != null && (!cv.algorithm.equals(a.algorithm()) || !cv.tieBreaker.equals(a.tieBreaker()))) {
            if (cv.holder != null || fresh(cv, nowMs).stream().anyMatch(c -> !c.node().equals(a.node()))) {
                return new Answer(Kind.REFUSE, 0, a.node() + " asks with arbitrator_algorithm = " + a.algorithm()
                        + ", arbitrator_tie_breaker = " + a.tieBreaker() + " but cluster " + a.cluster()
                        + " asked with " + cv.algorithm + ", " + cv.tieBreaker + "; set the same on every node");
            }
        }
        cv.algorithm = a.algorithm();
        cv.tieBreaker = a.tieBreaker();
        cv.voters = a.voters();
        Candidate before = cv.candidates.get(a.node());
        cv.candidates.put(a.node(), new Candidate(a.node(), a.members(), before == null ? nowMs : before.firstAskMs(),
                nowMs));
        Holder h = cv.holder;
        if (h != null) {
            if (h.node().equals(a.node())) {
                if (h.revoking()) {
                    return new Answer(Kind.REFUSE, 0, "a bigger part of cluster " + a.cluster() + " asks: the vote"
                            + " moves to it once this lease ran out");
                }
                cv.holder = new Holder(a.node(), a.members(), nowMs + leaseMs, false);
                return new Answer(Kind.GRANT, leaseMs, "renewed for " + a.members());
            }
            if (a.members().contains(h.node())) {
                // The holder is a member of this partition now: it cannot be a DC of another.
                cv.holder = new Holder(a.node(), a.members(), nowMs + leaseMs, false);
                return new Answer(Kind.GRANT, leaseMs, "passed from " + h.node() + ", now a member of " + a.members());
            }
            if (a.members().size() > h.members().size()) {
                if (!h.revoking()) {
                    cv.holder = new Holder(h.node(), h.members(), h.expiresAtMs(), true);
                }
                return new Answer(Kind.WAIT, 0, "the vote moves to this bigger part once the lease of "
                        + h.members() + " runs out (" + (h.expiresAtMs() - nowMs) + " ms)");
            }
            return new Answer(Kind.REFUSE, 0, "the vote is held by the part " + h.members() + " (DC " + h.node() + ")");
        }
        if (nowMs < quietUntilMs) {
            return new Answer(Kind.WAIT, 0, "the arbitrator started less than one lease ago and waits it out ("
                    + (quietUntilMs - nowMs) + " ms), since a vote it gave before may still count");
        }
        List<Candidate> fresh = fresh(cv, nowMs);
        Set<String> covered = new HashSet<>();
        fresh.forEach(c -> covered.addAll(c.members()));
        // The gathering counts from the longest-waiting asker: one that kept asking while another part
        // held the vote has waited long enough for the others when the vote becomes free.
        long gatherStartMs = fresh.stream().mapToLong(Candidate::firstAskMs).min().orElse(nowMs);
        if (!covered.containsAll(cv.voters) && nowMs - gatherStartMs < gatherMs) {
            return new Answer(Kind.WAIT, 0, "gathering the parts of cluster " + a.cluster() + " ("
                    + (gatherStartMs + gatherMs - nowMs) + " ms more)");
        }
        Candidate best = best(cv, fresh);
        if (!best.node().equals(a.node())) {
            return new Answer(Kind.WAIT, 0, "the vote goes to the part " + best.members() + " ("
                    + why(cv, best, fresh) + ")");
        }
        cv.holder = new Holder(a.node(), a.members(), nowMs + leaseMs, false);
        return new Answer(Kind.GRANT, leaseMs, "given to " + a.members() + " (" + why(cv, best, fresh) + ")");
    }

    /** The DC no longer needs the vote (its partition is whole again, or it is no longer DC). */
    public void release(String cluster, String node, long nowMs) {
        ClusterVote cv = clusters.get(cluster);
        if (cv == null) {
            return;
        }
        cv.candidates.remove(node);
        if (cv.holder != null && cv.holder.node().equals(node)) {
            cv.previousMembers = cv.holder.members();
            cv.holder = null;
        }
    }

    /** Who holds the cluster's vote now (the DC's name), or null: for the daemon's log and tests. */
    public String holder(String cluster, long nowMs) {
        ClusterVote cv = clusters.get(cluster);
        if (cv == null) {
            return null;
        }
        expire(cv, nowMs);
        return cv.holder == null ? null : cv.holder.node();
    }

    private void expire(ClusterVote cv, long nowMs) {
        if (cv.holder != null && nowMs >= cv.holder.expiresAtMs()) {
            cv.previousMembers = cv.holder.members();
            cv.holder = null;
        }
        cv.candidates.values().removeIf(c -> nowMs - c.lastAskMs() > staleMs());
    }

    private List<Candidate> fresh(ClusterVote cv, long nowMs) {
        return new ArrayList<>(cv.candidates.values().stream().filter(c -> nowMs - c.lastAskMs() <= staleMs()).toList());
    }

    private static Candidate best(ClusterVote cv, List<Candidate> fresh) {
        Comparator<Candidate> order = Comparator.<Candidate>comparingInt(c -> c.members().size()).reversed()
                .thenComparing(Comparator.<Candidate>comparingLong(c -> overlap(c, cv.previousMembers)).reversed())
                .thenComparingInt(c -> c.members().contains(favoured(cv, fresh)) ? 0 : 1)
                .thenComparing(Candidate::node);
        return fresh.stream().min(order).orElseThrow();
    }

    private static String why(ClusterVote cv, Candidate best, List<Candidate> fresh) {
        List<Candidate> others = fresh.stream().filter(c -> c != best).toList();
        if (others.isEmpty()) {
            return "no other part asks";
        }
        if (others.stream().allMatch(c -> c.members().size() < best.members().size())) {
            return "it has more members";
        }
        long o = overlap(best, cv.previousMembers);
        if (o > 0 && others.stream().allMatch(c -> overlap(c, cv.previousMembers) < o)) {
            return "it held the vote before";
        }
        return "tie-breaker " + cv.tieBreaker + ": it has " + favoured(cv, fresh);
    }

    private static long overlap(Candidate c, List<String> previous) {
        return c.members().stream().filter(previous::contains).count();
    }

    /** The node the cluster's tie-breaker favours among the askers' members. */
    private static String favoured(ClusterVote cv, List<Candidate> fresh) {
        List<String> all = new ArrayList<>();
        fresh.forEach(c -> all.addAll(c.members()));
        if (!cv.tieBreaker.equals("lowest") && !cv.tieBreaker.equals("highest") && all.contains(cv.tieBreaker)) {
            return cv.tieBreaker;
        }
        Comparator<String> byVoterOrder = Comparator.<String>comparingInt(n -> {
            int i = cv.voters.indexOf(n);
            return i < 0 ? Integer.MAX_VALUE : i;
        }).thenComparing(Comparator.naturalOrder());
        return cv.tieBreaker.equals("highest") ? all.stream().max(byVoterOrder).orElse("")
                : all.stream().min(byVoterOrder).orElse("");
    }
}
