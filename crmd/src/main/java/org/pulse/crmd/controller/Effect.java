package org.pulse.crmd.controller;

import java.util.Objects;
import org.pulse.cib.Cib;

/**
 * What the {@link Controller} asks the runtime to do. The runtime performs the effects of one
 * event in list order; the order carries meaning: a {@link PersistCib} comes before the
 * {@link Send} that acknowledges it, so a node never acknowledges a CIB it has not stored
 * (as etcd raft's Ready: "saved to stable storage BEFORE messages are sent").
 */
public sealed interface Effect {
    /**
     * One constant per record below, named after it (see {@link Kinds}): the runtime and the simulation
     * switch over it, so an effect added without its branch in either does not compile, and one without a
     * constant is an error when performed, never silently dropped.
     */
    enum Kind {
        SEND, RUN_OPERATION, CANCEL_RECURRING, PERSIST_CIB, SET_TIMER, CANCEL_TIMER, REPLY_ADMIN, SAVE_SCHEDULER_INPUT,
        SHUTDOWN_COMPLETE, WANT_LEASE, ASK_ARBITRATOR, SELF_FENCE, STOP_FOR_GOOD, TRANSITION_ENDED, LOG
    }

    /** Each record's kind, checked against the permitted records when built. */
    java.util.Map<Class<?>, Kind> KINDS = Kinds.table(Effect.class, Kind.class);

    /** This effect's kind; an error for a record without one. */
    default Kind kind() {
        return Kinds.of(KINDS, this, "effect");
    }

    /**
     * One message to one member. Sends of the same message instance listed one after the other are one
     * fan-out (the DC's change to every member): the runtime hands it to messaging once, which sends it as
     * one multicast when it goes to every other member, each member delivering it after what this node
     * sent it before, as any send.
     */
    record Send(String to, Message message) implements Effect {
        public Send {
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * Run an operation on the local LRM, or ({@code remoteNode} not null) relay it over this node's connection
     * to that remote node's pulse-remoted; its result comes back as Event.OperationCompleted (with the remote
     * node). An operation of an {@code ocf:pacemaker:remote} connection resource is the connection itself:
     * the runtime opens (start), checks (monitor) or closes (stop) it instead of running an agent.
     */
    record RunOperation(OpRequest request, String remoteNode) implements Effect {
        public RunOperation {
            Objects.requireNonNull(request, "request");
        }

        public RunOperation(OpRequest request) {
            this(request, null);
        }
    }

    /**
     * Stop the recurring operations of a resource on the local LRM (before it is stopped or moved), or on
     * {@code remoteNode}'s (not null) through this node's connection to it.
     */
    record CancelRecurring(String resourceId, String remoteNode) implements Effect {
        public CancelRecurring {
            Objects.requireNonNull(resourceId, "resourceId");
        }

        public CancelRecurring(String resourceId) {
            this(resourceId, null);
        }
    }

    /**
     * Store the CIB. {@code durable}: on disk (fsynced) before any later effect of the same event —
     * configuration changes and the CIB of a join, whose acknowledgement promises exactly that.
     * Otherwise (status updates: operation results, fencing records) the store may lag behind, in
     * order, and keep only the newest: such updates are rebuilt from the nodes' histories at the
     * next join, and a crash that loses one can only make the DC fence or probe again.
     *
     * <p>{@code reported} (durable only): the effects after it do not wait for it; the runtime starts the
     * store and reports its outcome later as {@link Event.CibStored}. The DC's own store of a change it sends
     * to its members is one acknowledgement among theirs: it runs while they store theirs, and the DC's
     * event thread meanwhile counts their acknowledgements (and runs the engine) instead of waiting for its
     * disk. Nothing is answered on it before that event says stored.
     */
    record PersistCib(Cib cib, boolean durable, boolean reported) implements Effect {
        public PersistCib {
            Objects.requireNonNull(cib, "cib");
            if (reported && !durable) {
                throw new IllegalArgumentException("only a durable store is reported (a lazy one promises nothing)");
            }
        }

        public PersistCib(Cib cib, boolean durable) {
            this(cib, durable, false);
        }
    }

    /** Fire Event.TimerFired(key) after delayMs; replaces a pending timer of the same key. */
    record SetTimer(TimerKey key, long delayMs) implements Effect {
        public SetTimer {
            Objects.requireNonNull(key, "key");
        }
    }

    record CancelTimer(TimerKey key) implements Effect {
        public CancelTimer {
            Objects.requireNonNull(key, "key");
        }
    }

    record ReplyAdmin(long requestId, AdminResult result) implements Effect {
        public ReplyAdmin {
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * One decision of the DC: the CIB it decided on ({@code execution-date} set to the time it decided at)
     * and the transition it ran. {@code decided.source()} says who decided: "policy-engine" inputs are kept
     * for replay with crm simulate (bounded, rotated), with the canonical actions the engine decided beside
     * them. Every decision the DC takes on the CIB is the policy engine's (issue 11: one decider).
     */
    record SaveSchedulerInput(long sequence, Cib cib, TransitionPlan decided) implements Effect {
        public SaveSchedulerInput {
            Objects.requireNonNull(cib, "cib");
            Objects.requireNonNull(decided, "decided");
        }

        /** Whether the policy engine made the transition, so that replaying the input must give it again. */
        public boolean replayable() {
            return decided.source().equals(TransitionPlan.POLICY_ENGINE);
        }
    }

    /** The DC let this node go (clean shutdown): leave the cluster and exit. */
    record ShutdownComplete(String reason) implements Effect {
    }

    /**
     * tie_breaker = lease:PATH: take the lease and keep renewing it (this node is DC of an exactly half
     * partition), or stop and let it go; results come back as Event.LeaseResult.
     */
    record WantLease(boolean want) implements Effect {
    }

    /**
     * tie_breaker = arbitrator: while {@code want}, ask the arbitrator for its vote every second for
     * this partition ({@code members} of the cluster's {@code voters}, in the node config's order, which
     * its tie-breaker lowest/highest reads); else stop asking and let a held vote go. Each answer comes
     * back as Event.ArbitratorAnswer. A later effect replaces an earlier one.
     */
    record AskArbitrator(boolean want, java.util.List<String> voters, java.util.List<String> members) implements Effect {
        public AskArbitrator {
            voters = java.util.List.copyOf(voters);
            members = java.util.List.copyOf(members);
        }
    }

    /** no-quorum-policy=suicide: this node must power itself off now. */
    record SelfFence(String reason) implements Effect {
    }

    /**
     * fence-reaction=stop: this node learned it was fenced, yet runs; crmd stops at once and stays stopped
     * (an exit its service does not restart from), as Pacemaker's controller does.
     */
    record StopForGood(String reason) implements Effect {
    }

    /**
     * The DC finished carrying out a transition (every action done, or what was in flight after an abort):
     * for the runtime's metrics and the console's history only; nothing depends on it being performed.
     * {@code trigger}: why the DC scheduled it; {@code result}: "complete", or why it was not.
     */
    record TransitionEnded(long id, String source, java.util.List<String> actions, String trigger, long startedEpochMs,
            long durationMs, String result) implements Effect {
        public TransitionEnded {
            actions = java.util.List.copyOf(actions);
        }

        public boolean clean() {
            return result.equals("complete");
        }
    }

    /** A line for the node's log (the runtime prefixes the node name). */
    record Log(Level level, String text) implements Effect {
        public enum Level { DEBUG, INFO, WARN, ERROR }
    }
}
