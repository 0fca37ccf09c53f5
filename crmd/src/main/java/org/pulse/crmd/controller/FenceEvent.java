package org.pulse.crmd.controller;

import java.util.Objects;

/**
 * One entry of the fence history the DC keeps (Pacemaker's fencer keeps the same): who was to be
 * fenced, which member ran which device at which topology level (0: no topology), the action, and
 * how it ended ({@link #SUCCESS}, {@link #FAILED}, {@link #TIMED_OUT}, {@link #EXECUTOR_LEFT}, or
 * {@link #GAVE_UP} when stonith-max-attempts was reached, with no device). {@code atEpochMs}: when it
 * ended. The DC sends the history to every member, so any node's crm status shows it and the next DC
 * goes on with it.
 */
public record FenceEvent(String target, String executor, String device, int level, String action, String result,
        long atEpochMs, String detail) {
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";
    public static final String TIMED_OUT = "timed out";
    public static final String EXECUTOR_LEFT = "executor left";
    public static final String GAVE_UP = "gave up";
    /** A topology level passed over without running (its device missing, banned everywhere, tries used up). */
    public static final String SKIPPED = "skipped";

    /** The executor of a fencing an operator confirmed by hand (crm node clearstate), as Pacemaker's fencer names it. */
    public static final String BY_HAND = "a human";

    /** How many entries are kept (the oldest go first). */
    public static final int KEPT = 100;

    public FenceEvent {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(result, "result");
        executor = executor == null ? "" : executor;
        device = device == null ? "" : device;
        action = action == null ? "" : action;
        detail = detail == null ? "" : detail;
    }
}
