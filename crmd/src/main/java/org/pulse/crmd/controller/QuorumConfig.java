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
     * reaches a ping target, or the half whose DC holds a lease on shared storage ({@code target}: the
     * address, or the lease file's path).
     */
    public record TieBreaker(Kind kind, String target) {
        public enum Kind { NONE, LOWEST, PING, LEASE }

        public static final TieBreaker NONE = new TieBreaker(Kind.NONE, null);
        public static final TieBreaker LOWEST = new TieBreaker(Kind.LOWEST, null);

        public TieBreaker {
            Objects.requireNonNull(kind, "kind");
            boolean needsTarget = kind == Kind.PING || kind == Kind.LEASE;
            if (needsTarget != (target != null && !target.isBlank())) {
                throw new IllegalArgumentException("tie_breaker: a target goes with ping and lease only (got "
                        + kind + ", '" + target + "')");
            }
        }

        public static TieBreaker ping(String address) {
            return new TieBreaker(Kind.PING, address);
        }

        public static TieBreaker lease(String path) {
            return new TieBreaker(Kind.LEASE, path);
        }

        /** Both halves of a split may win this (both reach the target), or a half may win it late: fencing decides. */
        public boolean needsFencing() {
            return kind == Kind.PING || kind == Kind.LEASE;
        }

        @Override
        public String toString() {
            return switch (kind) {
                case NONE -> "none";
                case LOWEST -> "lowest";
                case PING -> "ping:" + target;
                case LEASE -> "lease:" + target;
            };
        }
    }
}
