package org.pulse.crmd.controller;

import java.util.Objects;

/** What the runtime (or a simulation) feeds the {@link Controller}, one at a time. */
public sealed interface Event {
    /** One constant per record below, named after it (see {@link Kinds}): the controller switches over it. */
    enum Kind {
        VIEW_CHANGED, MESSAGE_RECEIVED, OPERATION_COMPLETED, TIMER_FIRED, ADMIN_REQUEST, PING_RESULT, LEASE_RESULT,
        NODES_CONFIGURED, ARBITRATOR_ANSWER, BATCH, CIB_STORED
    }

    /** Each record's kind, checked against the permitted records when built. */
    java.util.Map<Class<?>, Kind> KINDS = Kinds.table(Event.class, Kind.class);

    /** This event's kind; an error for a record without one (never a silent no-op). */
    default Kind kind() {
        return Kinds.of(KINDS, this, "event");
    }

    /** The messaging layer installed a new view. */
    record ViewChanged(View view) implements Event {
        public ViewChanged {
            Objects.requireNonNull(view, "view");
        }
    }

    /** A message from a peer (or from this node to itself). */
    record MessageReceived(String from, Message message) implements Event {
        public MessageReceived {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The local LRM finished an operation (or one run of a recurring one); or, with {@code remoteNode} set,
     * the pulse-remoted of that remote node did, and {@code remoteCallId} is its call id there (call ids of a
     * remote node are its daemon's, whichever cluster node relays them).
     */
    record OperationCompleted(OpResult result, String remoteNode, long remoteCallId) implements Event {
        public OperationCompleted {
            Objects.requireNonNull(result, "result");
        }

        public OperationCompleted(OpResult result) {
            this(result, null, 0);
        }
    }

    /** A timer set by {@link Effect.SetTimer} went off. */
    record TimerFired(TimerKey key) implements Event {
        public TimerFired {
            Objects.requireNonNull(key, "key");
        }
    }

    /**
     * A request on the admin socket; answered by {@link Effect.ReplyAdmin} with the same id. Ids
     * are zero or more: the controller numbers its own writes (dampened attributes) below zero.
     */
    record AdminRequest(long requestId, AdminCommand command) implements Event {
        public AdminRequest {
            Objects.requireNonNull(command, "command");
            if (requestId < 0) {
                throw new IllegalArgumentException("admin request id " + requestId + " is negative (reserved)");
            }
        }
    }

    /**
     * The runtime pinged the tie-breaker's target (tie_breaker = ping:ADDRESS), starting at
     * {@code sentAt}, and it answered or not. The DC of an exactly half partition is quorate only
     * while its own pings are answered; a ping sent before the current view says nothing about it.
     */
    record PingResult(String target, boolean reachable, java.time.Instant sentAt) implements Event {
        public PingResult {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(sentAt, "sentAt");
        }
    }

    /**
     * The runtime tried to take or renew the lease (tie_breaker = lease:PATH) as {@link Effect.WantLease}
     * asked, starting at {@code triedAt}: this node holds it until {@code validUntil} (already short of
     * the expiry written in the file by a safety margin), or another node holds it ({@code validUntil} null).
     */
    record LeaseResult(String path, boolean held, java.time.Instant validUntil, java.time.Instant triedAt)
            implements Event {
        public LeaseResult {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(triedAt, "triedAt");
            if (held != (validUntil != null)) {
                throw new IllegalArgumentException("a held lease has a validUntil, another's has none");
            }
        }
    }

    /**
     * The runtime asked the arbitrator (tie_breaker = arbitrator:HOST:PORT) for its vote as {@link
     * Effect.AskArbitrator} wanted, starting at {@code askedAt}: granted until {@code validUntil}
     * (askedAt plus the granted lease, less a safety margin), refused (another part of the cluster
     * holds it), wait (the arbitrator is still gathering the halves of a split, or waits out the
     * leases it may have given before it restarted), or unreachable (no answer, or one that failed
     * authentication). {@code reason} is the arbitrator's, for the log.
     */
    record ArbitratorAnswer(String target, Answer answer, java.time.Instant validUntil, java.time.Instant askedAt,
            String reason) implements Event {
        public enum Answer { GRANTED, WAIT, REFUSED, UNREACHABLE }

        public ArbitratorAnswer {
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(answer, "answer");
            Objects.requireNonNull(askedAt, "askedAt");
            if ((answer == Answer.GRANTED) != (validUntil != null)) {
                throw new IllegalArgumentException("a granted vote has a validUntil, no other answer has");
            }
            reason = reason == null ? "" : reason;
        }
    }

    /**
     * The node config's node list changed while running (crm cluster add/remove, on every member):
     * the voters are the new list (with the CIB's nodes section) from the next view on.
     */
    record NodesConfigured(java.util.List<String> nodes) implements Event {
        public NodesConfigured {
            nodes = java.util.List.copyOf(nodes);
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("a node list cannot be empty");
            }
        }
    }

    /**
     * The outcome of a {@link Effect.PersistCib} the controller asked to hear about ({@code reported}):
     * {@code version} is durably on this node's disk ({@code stored}), or could not be stored, and why
     * ({@code problem}: the runtime retried until its write deadline; the node then leaves the cluster).
     */
    record CibStored(org.pulse.cib.CibVersion version, boolean stored, String problem) implements Event {
        public CibStored {
            Objects.requireNonNull(version, "version");
            if (stored != (problem == null)) {
                throw new IllegalArgumentException("a failed store says why, a done one has no problem");
            }
        }

        public static CibStored done(org.pulse.cib.CibVersion version) {
            return new CibStored(version, true, null);
        }

        public static CibStored failed(org.pulse.cib.CibVersion version, String problem) {
            return new CibStored(version, false, Objects.requireNonNull(problem, "problem"));
        }
    }

    /**
     * Events the runtime found queued one right behind the other, handled in order as one: the CIB writes
     * among them ({@link #groupable}) that follow each other are committed as one change (one diff to the
     * members, one durable store on each node), each writer answered when that change is acknowledged.
     * Group commit: writes that arrive while the DC is busy storing the previous one share the next store.
     */
    record Batch(java.util.List<Event> events) implements Event {
        public Batch {
            events = java.util.List.copyOf(events);
            if (events.isEmpty()) {
                throw new IllegalArgumentException("a batch holds at least one event");
            }
            if (events.stream().anyMatch(e -> e instanceof Batch)) {
                throw new IllegalArgumentException("a batch holds no batch");
            }
        }
    }

    /**
     * Whether {@code e} is a write that may share a commit with the writes next to it: an operator's or
     * agent's CIB edit, here or forwarded to the DC. Not fencing (it starts a fence, not only a change) nor
     * a cleanup (its history reset goes to the members after the change it belongs to).
     */
    static boolean groupable(Event e) {
        AdminCommand command = e instanceof AdminRequest a ? a.command()
                : e instanceof MessageReceived m && m.message() instanceof Message.ForwardedAdmin f ? f.command() : null;
        return command instanceof AdminCommand.Write w && !(w.edit() instanceof CibEdit.Fence)
                && !(w.edit() instanceof CibEdit.Cleanup);
    }
}
