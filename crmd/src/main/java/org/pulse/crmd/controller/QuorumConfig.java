package org.pulse.crmd.controller;

import java.util.Objects;

/**
 * How a partition decides it has quorum, beyond "more than half of the votes" (DESIGN.md §4),
 * as corosync's votequorum options that operators of a two-node cluster already know:
 * <ul>
 * <li>{@code waitForAll}: after this node starts, no partition it is DC of is quorate until every
 * voting node has been in one view together at least once (a node that boots alone after being
 * fenced must not fence the survivor in turn);</li>
 * <li>{@code twoNode}: with exactly two votes, one of them is quorum (a lone survivor keeps running
 * the service); both halves of a split are then quorate, so fencing decides, and resources are held
 * back while fencing is off or impossible;</li>
 * <li>{@code tieBreaker}: on an exact half split, which half is quorate.</li>
 * </ul>
 */
public record QuorumConfig(boolean twoNode, boolean waitForAll, TieBreaker tieBreaker) {
    public static final QuorumConfig MAJORITY = new QuorumConfig(false, false, TieBreaker.NONE);

    public QuorumConfig {
        Objects.requireNonNull(tieBreaker, "tieBreaker");
    }

    /**
     * What breaks an even split: nothing, the half with the first configured node, the half whose DC
     * reaches a ping target, the half whose DC holds a lease on shared storage, or the half a
     * pulse-arbitrator on a third machine gives its vote to ({@code target}: the address, the lease
     * file's path, or the arbitrator's HOST:PORT; {@code arbitration}: the arbitrator's algorithm and
     * its own tie-breaker, null for the other kinds).
     */
    public record TieBreaker(Kind kind, String target, Arbitration arbitration) {
        public enum Kind { NONE, LOWEST, PING, LEASE, ARBITRATOR }

        public static final TieBreaker NONE = new TieBreaker(Kind.NONE, null);
        public static final TieBreaker LOWEST = new TieBreaker(Kind.LOWEST, null);

        public TieBreaker {
            Objects.requireNonNull(kind, "kind");
            boolean needsTarget = kind == Kind.PING || kind == Kind.LEASE || kind == Kind.ARBITRATOR;
            if (needsTarget != (target != null && !target.isBlank())) {
                throw new IllegalArgumentException("tie_breaker: a target goes with ping, lease and arbitrator only"
                        + " (got " + kind + ", '" + target + "')");
            }
            if ((kind == Kind.ARBITRATOR) != (arbitration != null)) {
                throw new IllegalArgumentException("tie_breaker: the arbitrator's algorithm goes with"
                        + " arbitrator only (got " + kind + ", " + arbitration + ")");
            }
        }

        public TieBreaker(Kind kind, String target) {
            this(kind, target, null);
        }

        public static TieBreaker ping(String address) {
            return new TieBreaker(Kind.PING, address);
        }

        public static TieBreaker lease(String path) {
            return new TieBreaker(Kind.LEASE, path);
        }

        public static TieBreaker arbitrator(String hostPort, Arbitration arbitration) {
            return new TieBreaker(Kind.ARBITRATOR, hostPort, arbitration);
        }

        /**
         * Both halves of a split may win this (both reach the target), or a half may win it late: fencing
         * decides. The arbitrator gives its vote to one half at a time, as lowest does, so it is not here.
         */
        public boolean needsFencing() {
            return kind == Kind.PING || kind == Kind.LEASE;
        }

        /** Held, renewed and let go as a lease (lease, arbitrator): the DC asks while it wants it. */
        public boolean isLeased() {
            return kind == Kind.LEASE || kind == Kind.ARBITRATOR;
        }

        @Override
        public String toString() {
            return switch (kind) {
                case NONE -> "none";
                case LOWEST -> "lowest";
                case PING -> "ping:" + target;
                case LEASE -> "lease:" + target;
                case ARBITRATOR -> "arbitrator:" + target + " (" + arbitration + ")";
            };
        }
    }

    /**
     * As corosync-qnetd's: {@code algorithm} ffsplit (the arbitrator's vote breaks an exact half split
     * only: the half it votes for is quorate) or lms (last man standing: any part of the cluster that
     * holds the vote is quorate, down to one node, and without it only the whole cluster is); {@code
     * tieBreaker} lowest, highest or a node name: which of two equal halves the arbitrator favours when
     * neither had the vote before.
     */
    public record Arbitration(Algorithm algorithm, String tieBreaker) {
        public enum Algorithm { FFSPLIT, LMS }

        public static final Arbitration DEFAULT = new Arbitration(Algorithm.FFSPLIT, "lowest");

        public Arbitration {
            Objects.requireNonNull(algorithm, "algorithm");
            if (tieBreaker == null || tieBreaker.isBlank() || !tieBreaker.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("arbitrator_tie_breaker = '" + tieBreaker + "' is not lowest,"
                        + " highest or a node name");
            }
        }

        @Override
        public String toString() {
            return algorithm.name().toLowerCase() + ", tie_breaker " + tieBreaker;
        }
    }
}
