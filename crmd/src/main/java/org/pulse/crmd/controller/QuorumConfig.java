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

    /** What breaks an even split: nothing, the half with the first configured node, or the half that reaches a ping target. */
    public record TieBreaker(Kind kind, String pingTarget) {
        public enum Kind { NONE, LOWEST, PING }

        public static final TieBreaker NONE = new TieBreaker(Kind.NONE, null);
        public static final TieBreaker LOWEST = new TieBreaker(Kind.LOWEST, null);

        public TieBreaker {
            Objects.requireNonNull(kind, "kind");
            if ((kind == Kind.PING) != (pingTarget != null && !pingTarget.isBlank())) {
                throw new IllegalArgumentException("tie_breaker: a ping target goes with kind PING only (got "
                        + kind + ", '" + pingTarget + "')");
            }
        }

        public static TieBreaker ping(String target) {
            return new TieBreaker(Kind.PING, target);
        }

        @Override
        public String toString() {
            return switch (kind) {
                case NONE -> "none";
                case LOWEST -> "lowest";
                case PING -> "ping:" + pingTarget;
            };
        }
    }
}
