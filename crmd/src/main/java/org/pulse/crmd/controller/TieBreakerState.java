package org.pulse.crmd.controller;

import java.time.Instant;

/**
 * What one node knows about its tie-breaker (ping or lease), for the quorum decision of an exact
 * half split. Pure bookkeeping with time as an argument; the controller logs and emits the effects.
 *
 * <p>Freshness rules, both against a half that would believe it won when it did not: a ping answer
 * counts only if the ping was sent after the current view arrived (an older one may predate the
 * cut); a lease result counts only if it was tried after the lease was last asked for, and a held
 * lease only until its validUntil (the holder stops counting on it by itself). The arbitrator's vote
 * is such a lease: granted until validUntil (counted from before the question was sent, so it ends
 * here before it ends at the arbitrator), kept through a lost answer until then, never longer.
 */
final class TieBreakerState {
    /**
     * How long a part may stay undecided waiting for the arbitrator (it answers "wait" while gathering
     * the halves, or for a lease after it restarted) before it counts as having lost: undecided, its
     * watchdogs are still fed, so this bounds the time a losing part keeps running, and
     * stonith-watchdog-timeout must exceed it plus the watchdog timeout (crmd/README "Arbitrator").
     */
    static final long ARBITRATOR_DECISION_MS = 4000;

    private final QuorumConfig.TieBreaker tieBreaker;
    private Boolean pingReachable;
    private Instant viewSince = Instant.EPOCH;
    private boolean leaseWanted;
    private Instant leaseWantedSince = Instant.EPOCH;
    private Boolean leaseHeld;
    private Instant leaseValidUntil;

    TieBreakerState(QuorumConfig.TieBreaker tieBreaker) {
        this.tieBreaker = tieBreaker;
    }

    QuorumConfig.TieBreaker tieBreaker() {
        return tieBreaker;
    }

    /** A new view: ping answers so far say nothing about it. */
    void onView(Instant now) {
        viewSince = now;
        pingReachable = null;
    }

    /** Whether this node wins an even split now; null while that is not known yet (or no ping/lease tie-breaker). */
    Boolean won(Instant now) {
        switch (tieBreaker.kind()) {
            case PING -> {
                return pingReachable;
            }
            case LEASE -> {
                return leaseHeld == null ? null : leaseHeld && now.isBefore(leaseValidUntil);
            }
            case ARBITRATOR -> {
                if (leaseHeld == null) {
                    return leaseWanted && !now.isBefore(leaseWantedSince.plusMillis(ARBITRATOR_DECISION_MS)) ? false : null;
                }
                return leaseHeld && now.isBefore(leaseValidUntil);
            }
            default -> {
                return null;
            }
        }
    }

    /** Takes a ping answer; true when it changed what is known. */
    boolean acceptPing(Event.PingResult p) {
        if (tieBreaker.kind() != QuorumConfig.TieBreaker.Kind.PING || !tieBreaker.target().equals(p.target())
                || p.sentAt().isBefore(viewSince)) {
            return false;
        }
        if (pingReachable != null && pingReachable == p.reachable()) {
            return false;
        }
        pingReachable = p.reachable();
        return true;
    }

    /** Asks for the lease or lets it go (lease tie-breaker only); true when that is a change. */
    boolean wantLease(boolean want, Instant now) {
        if (!tieBreaker.isLeased() || want == leaseWanted) {
            return false;
        }
        leaseWanted = want;
        leaseWantedSince = now;
        leaseHeld = null;
        leaseValidUntil = null;
        return true;
    }

    enum LeaseUpdate { IGNORED, SAME, CHANGED }

    /**
     * Takes the arbitrator's answer: ignored when not wanted or asked before it was wanted. A vote held
     * and still valid survives an answer that is lost (unreachable) or undecided; a refusal ends it.
     */
    LeaseUpdate acceptArbitrator(Event.ArbitratorAnswer a, Instant now) {
        if (tieBreaker.kind() != QuorumConfig.TieBreaker.Kind.ARBITRATOR || !tieBreaker.target().equals(a.target())
                || !leaseWanted || a.askedAt().isBefore(leaseWantedSince)) {
            return LeaseUpdate.IGNORED;
        }
        Boolean before = leaseHeld == null ? null : leaseHeld && now.isBefore(leaseValidUntil);
        boolean stillHeld = Boolean.TRUE.equals(before);
        switch (a.answer()) {
            case GRANTED -> {
                leaseHeld = true;
                leaseValidUntil = a.validUntil();
            }
            case REFUSED -> {
                leaseHeld = false;
                leaseValidUntil = null;
            }
            case WAIT -> {
                if (!stillHeld) {
                    leaseHeld = null;
                    leaseValidUntil = null;
                }
            }
            case UNREACHABLE -> {
                if (!stillHeld) {
                    leaseHeld = false;
                    leaseValidUntil = null;
                }
            }
        }
        return java.util.Objects.equals(before, leaseHeld) ? LeaseUpdate.SAME : LeaseUpdate.CHANGED;
    }

    /** Until when this node may count on the lease or the arbitrator's vote; null when it does not hold one. */
    Instant validUntil() {
        return Boolean.TRUE.equals(leaseHeld) ? leaseValidUntil : null;
    }

    /** Takes a lease result: ignored when not wanted or tried before it was asked for. */
    LeaseUpdate acceptLease(Event.LeaseResult l) {
        if (tieBreaker.kind() != QuorumConfig.TieBreaker.Kind.LEASE || !tieBreaker.target().equals(l.path())
                || !leaseWanted || l.triedAt().isBefore(leaseWantedSince)) {
            return LeaseUpdate.IGNORED;
        }
        boolean changed = leaseHeld == null || leaseHeld != l.held();
        leaseHeld = l.held();
        leaseValidUntil = l.validUntil();
        return changed ? LeaseUpdate.CHANGED : LeaseUpdate.SAME;
    }
}
