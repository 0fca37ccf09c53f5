package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One transition being carried out by the DC (DESIGN.md §6): an action is dispatched when all its
 * inputs completed as expected; actions on different nodes run in parallel. An abort stops
 * dispatching; the transition ends once nothing is in flight. Pure bookkeeping: dispatching and
 * timing are the caller's.
 */
final class TransitionRun {
    enum State { WAITING, IN_FLIGHT, DONE, FAILED }

    final long id;
    final TransitionPlan plan;
    /** When the DC started it, for the transition-duration metric. */
    final java.time.Instant startedAt;
    /** Why the DC scheduled it (the last reason it had), for the console's history. */
    final String trigger;
    private final Map<Integer, PlannedAction> actions = new LinkedHashMap<>();
    private final Map<Integer, State> states = new HashMap<>();
    private final Map<String, Integer> byKey = new HashMap<>();
    private String abortReason;

    TransitionRun(long id, TransitionPlan plan, java.time.Instant startedAt, String trigger) {
        this.id = id;
        this.plan = plan;
        this.startedAt = startedAt;
        this.trigger = trigger;
        for (PlannedAction a : plan.actions()) {
            actions.put(a.id(), a);
            states.put(a.id(), State.WAITING);
        }
    }

    /** Actions whose inputs all completed as expected, not yet dispatched; none after an abort. */
    List<PlannedAction> ready() {
        List<PlannedAction> out = new ArrayList<>();
        if (abortReason != null) {
            return out;
        }
        for (PlannedAction a : actions.values()) {
            if (states.get(a.id()) != State.WAITING) {
                continue;
            }
            boolean inputsDone = true;
            for (int input : a.inputs()) {
                // An input the plan does not contain cannot hold anything back.
                if (states.containsKey(input) && states.get(input) != State.DONE) {
                    inputsDone = false;
                    break;
                }
            }
            if (inputsDone) {
                out.add(a);
            }
        }
        return out;
    }

    void dispatched(PlannedAction a, String opKey) {
        states.put(a.id(), State.IN_FLIGHT);
        byKey.put(opKey, a.id());
    }

    /** The in-flight action an op key belongs to, or null. */
    PlannedAction inFlight(String opKey) {
        Integer id = byKey.get(opKey);
        return id != null && states.get(id) == State.IN_FLIGHT ? actions.get(id) : null;
    }

    /** Records the end of an in-flight action; a failure aborts the transition. */
    void completed(PlannedAction a, boolean asExpected, String why) {
        states.put(a.id(), asExpected ? State.DONE : State.FAILED);
        if (!asExpected) {
            abort(why);
        }
    }

    void abort(String reason) {
        if (abortReason == null) {
            abortReason = reason;
        }
    }

    String abortReason() {
        return abortReason;
    }

    int inFlightCount() {
        int n = 0;
        for (State s : states.values()) {
            if (s == State.IN_FLIGHT) {
                n++;
            }
        }
        return n;
    }

    boolean finished() {
        return inFlightCount() == 0 && ready().isEmpty();
    }

    /** Every action done as expected and no abort. */
    boolean completeAndClean() {
        return abortReason == null && states.values().stream().allMatch(s -> s == State.DONE);
    }

    String summary() {
        long done = states.values().stream().filter(s -> s == State.DONE).count();
        return "transition " + id + " (" + plan.source() + "): " + done + "/" + actions.size() + " done, "
                + inFlightCount() + " in flight" + (abortReason != null ? ", aborting: " + abortReason : "");
    }
}
