package org.pulse.crmd.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibVersion;
import org.pulse.cib.admin.AdminDeadlines;

/**
 * The DC's writes, one concern of {@link DcRole}: a write waits in a queue until the join completes,
 * is judged ({@link WriteDecision}), committed (the diff to every member, then the DC's own store),
 * and answered only once every member of the partition acknowledged storing it, the DC itself
 * included: its durable store runs while the members store theirs and counts once the runtime reports
 * it done ({@link Event.CibStored}); writes still unanswered when this DC loses its CIB to a higher one
 * are answered as lost, and when the DC cannot store its CIB, as not confirmed ({@link #ownStore}).
 *
 * <p>How long a write may wait ({@link AdminDeadlines}): while it makes progress (a member that still owed
 * it acknowledges a newer CIB, a member answers the join, the join completes), up to the cap counted from
 * its arrival at the DC; without progress for the idle window it is answered as timed out. A write that
 * times out queued was never applied; one that times out committed stays applied (the DC stored it and
 * keeps replicating), and its answer says which.
 */
final class DcReplication {
    /** {@code progressAt}: when a member that still owed this write last moved forward (or the join did). */
    record PendingWrite(CibVersion version, DcRole.ReplyTo replyTo, long seq, Instant arrivedAt, Instant progressAt) {
    }

    record Queued(DcRole.ReplyTo replyTo, AdminCommand.Write write, Instant arrivedAt) {
    }

    private final DcRole dc;
    private final Controller c;
    /** The highest CIB version each member acknowledged storing (this DC's own too). */
    final Map<String, CibVersion> acked = new HashMap<>();
    /** Committed writes waiting for every member's acknowledgement, oldest first. */
    final List<PendingWrite> pending = new ArrayList<>();
    /** Writes that came before the join completed, answered or applied once it does. */
    final List<Queued> queued = new ArrayList<>();
    private final CibChecks checks = new CibChecks();
    long writeSeq;
    /** When a member last answered this DC's join, or a join completed: progress for queued writes. */
    private Instant joinProgressAt = Instant.MIN;
    /** Within a group ({@link #beginGroup}): the DC's CIB before its first write, else null. */
    private Cib groupBase;
    /** The newest durable store of this DC's own not yet reported done (null: none outstanding). */
    private CibVersion ownStoreOutstanding;
    /** The newest lazy store committed behind {@link #ownStoreOutstanding}: the DC has it once that one is done. */
    private CibVersion lazyBehindOwnStore;
    /** Why this DC could not store its CIB, once it could not: it answers no write as stored from then on. */
    private String storeFailure;

    DcReplication(DcRole dc, Controller c) {
        this.dc = dc;
        this.c = c;
    }

    private AdminDeadlines deadlines() {
        return c.config().writeDeadlines();
    }

    void write(DcRole.ReplyTo replyTo, AdminCommand.Write w) {
        write(replyTo, w, c.now());
    }

    /** {@code arrivedAt}: when the write reached this DC (earlier than now for one that waited for the join). */
    void write(DcRole.ReplyTo replyTo, AdminCommand.Write w, Instant arrivedAt) {
        if (storeFailure != null) {
            reply(replyTo, AdminResult.error(AdminResult.NO_DC, "the DC " + c.self() + " cannot store the CIB ("
                    + storeFailure + ") and is leaving the cluster; nothing was applied: retry in a moment, once"
                    + " another node is DC"));
            return;
        }
        if (!dc.joined) {
            if (queued.size() >= 1000) {
                reply(replyTo, AdminResult.error(AdminResult.NO_DC, "the cluster is forming and too many changes"
                        + " wait; nothing was applied: retry in a moment"));
                return;
            }
            if (queued.isEmpty()) {
                dc.out().timer(new TimerKey("queued"), deadlines().idleMs());
            }
            queued.add(new Queued(replyTo, w, arrivedAt));
            return;
        }
        if (w.edit() instanceof CibEdit.Fence f) {
            if (w.by() != null && org.pulse.cib.acl.CibAcl.restricted(c.cib().root(), w.by().subject())) {
                // As Pacemaker's fencer: ACLs grant CIB access, not fencing; only root and hacluster fence.
                reply(replyTo, AdminResult.error(AdminResult.ACCESS_DENIED, "fencing " + f.node() + " refused for "
                        + w.by() + ": with enable-acl=true only root and hacluster may fence"));
                return;
            }
            dc.fencing.requestFence(replyTo, f.node());
            return;
        }
        WriteDecision.Outcome outcome;
        try {
            outcome = WriteDecision.decide(c.cib(), w, checks, c.self(), c.config().watchdogTimeoutMs(), dc.quorate,
                    dc.quorumReason(), c.now());
        } catch (RuntimeException e) {
            // A fault in judging this one write (a bug, not the operator's input) answers this writer alone:
            // nothing of it was applied, and the writes grouped with it go on.
            dc.out().warn("the DC failed on a write (" + w.edit().getClass().getSimpleName() + "): " + e);
            reply(replyTo, AdminResult.error(AdminResult.INVALID, "the DC failed on this change (" + e
                    + "); nothing of it was applied: check crmd's log on " + c.self()));
            return;
        }
        if (w.edit() instanceof CibEdit.ClearState cs && (outcome instanceof WriteDecision.Outcome.Accepted
                || ((WriteDecision.Outcome.Answered) outcome).result().ok())) {
            // The operator declared the node down (stonith_admin --confirm): without an entry crm status would show
            // no record of who said so, and the node's resources recovered as if by magic.
            dc.fencing.confirmedByHand(cs.node(), w.by());
        }
        if (outcome instanceof WriteDecision.Outcome.Answered r) {
            if (r.warning() != null) {
                dc.out().warn(r.warning());
            }
            if (r.result().ok() && !storedByAll(c.cib().version())) {
                // "No change" against a CIB not every member has stored yet (a write just before it, in
                // this group or an earlier event): answered with it, once it is durable everywhere.
                long seq = ++writeSeq;
                pending.add(new PendingWrite(c.cib().version(), replyTo, seq, arrivedAt, c.now()));
                dc.out().timer(TimerKey.of("write", seq), msUntil(deadline(arrivedAt, c.now())));
                return;
            }
            reply(replyTo, r.result());
            return;
        }
        WriteDecision.Outcome.Accepted accepted = (WriteDecision.Outcome.Accepted) outcome;
        Cib next = accepted.next();
        boolean configuration = accepted.configuration();
        if (w.by() != null) {
            dc.out().info("CIB " + next.version() + " written by " + w.by() + ": " + w.edit().getClass().getSimpleName());
        }
        commit(next);
        long seq = ++writeSeq;
        pending.add(new PendingWrite(next.version(), replyTo, seq, arrivedAt, c.now()));
        dc.out().timer(TimerKey.of("write", seq), msUntil(deadline(arrivedAt, c.now())));
        if (w.edit() instanceof CibEdit.Cleanup cl) {
            for (String m : dc.view.members()) {
                if (cl.node() == null || cl.node().equals(m)) {
                    dc.out().send(m, new Message.ForgetHistory(dc.view.id(), cl.resourceId() == null ? "" : cl.resourceId()));
                }
            }
        }
        dc.requestSchedule(configuration ? "configuration changed" : "status changed by an operator");
        checkPending();
        // Not here: the engine's run is no part of the commit (Controller.handleFirst).
        dc.engineDeferred = true;
    }


    /**
     * The DC's CIB becomes {@code next}: sent to every member as a diff, and stored; within a group
     * ({@link #beginGroup}) only staged, for the group's end to send and store with the others.
     */
    void commit(Cib next) {
        Cib old = c.cib();
        if (next.equals(old)) {
            return;
        }
        if (groupBase != null) {
            c.stageCib(next);
            return;
        }
        // The members store in parallel with the DC: the diff goes out first, then the DC's own
        // (possibly durable) store, which the DC's event thread does not wait for: it counts as the DC's
        // own acknowledgement once the runtime reports it (ownStore), so no writer is answered before
        // every member and the DC stored the change, and the acks arriving meanwhile are counted at once.
        if (dc.joined) {
            // One message for all members: the runtime encodes it once (the fan-out grows with the members).
            Message.CibUpdate update = new Message.CibUpdate(dc.view.id(), CibDiff.diff(old, next));
            for (String m : dc.view.members()) {
                if (!m.equals(c.self())) {
                    dc.out().send(m, update);
                }
            }
        }
        if (c.storeCibReported(next)) {
            ownStoreOutstanding = next.version();
        } else if (ownStoreOutstanding != null) {
            // A lazy store promises nothing, but it is written after the durable one still running: the DC
            // must not count it (nor what it implies, the durable change before it) before that one is done.
            lazyBehindOwnStore = next.version();
        } else {
            acked.put(c.self(), next.version());
        }
    }

    /**
     * The runtime's report of a durable store this DC asked for ({@link Controller#storeCibReported}): done,
     * it is the DC's own acknowledgement of that version (and of the lazy ones committed behind it, once it is
     * the newest); failed (the runtime retried until its write deadline and is leaving the cluster), no write
     * still waiting is answered as stored, and no later one is taken: this DC must not serve a CIB it could not
     * keep. The members that stored the change may keep it: the next DC adopts the highest CIB, so a writer is
     * told the outcome is unknown, not that nothing happened.
     */
    void ownStore(Event.CibStored report) {
        if (!report.stored()) {
            if (storeFailure == null) {
                storeFailure = report.problem();
                dc.out().warn("the DC could not store CIB " + report.version() + " (" + report.problem()
                        + "): answering no write as stored, taking no more");
            }
            for (PendingWrite w : pending) {
                dc.out().add(new Effect.CancelTimer(TimerKey.of("write", w.seq())));
                reply(w.replyTo(), AdminResult.error(AdminResult.UNCERTAIN, "the change to " + w.version()
                        + " is not confirmed: the DC " + c.self() + " could not store the CIB (" + report.problem()
                        + ") and is leaving the cluster; the members that stored it may keep it: once another node"
                        + " is DC, check with crm configure show and redo the change if it is missing"));
            }
            pending.clear();
            for (Queued q : queued) {
                reply(q.replyTo(), AdminResult.error(AdminResult.NO_DC, "the DC " + c.self() + " cannot store the CIB ("
                        + report.problem() + ") and is leaving the cluster; nothing was applied: retry in a moment"));
            }
            queued.clear();
            return;
        }
        CibVersion done = report.version();
        if (ownStoreOutstanding != null && done.compareTo(ownStoreOutstanding) >= 0) {
            ownStoreOutstanding = null;
            if (lazyBehindOwnStore != null && lazyBehindOwnStore.compareTo(done) > 0) {
                done = lazyBehindOwnStore;
            }
            lazyBehindOwnStore = null;
        }
        acked.merge(c.self(), done, (x, y) -> x.compareTo(y) >= 0 ? x : y);
        checkPending();
    }

    /**
     * Group commit: the writes until {@link #endGroup} apply one after the other to the DC's CIB in memory,
     * each judged on the CIB its predecessors left (so each bumps the version as it would alone: a writer is
     * answered with its own version, and epoch still counts the configuration changes, as Pacemaker's
     * operators read it), and are committed as one change: one diff, one durable store per node. Each writer
     * is answered once every member acknowledged that change (or a later one), as any write.
     */
    void beginGroup() {
        if (dc.joined && groupBase == null) {
            groupBase = c.cib();
        }
    }

    /** The group's writes go out and are stored as one change (nothing when every write was refused). */
    void endGroup() {
        Cib base = groupBase;
        groupBase = null;
        if (base == null) {
            return;
        }
        Cib last = c.cib();
        if (last != base) {
            // commit() sends and stores the change from the CIB before the group to its last CIB.
            c.stageCib(base);
            commit(last);
        }
        checkPending();
    }

    /** Whether every member of the partition acknowledged storing {@code version} (or a later one). */
    private boolean storedByAll(CibVersion version) {
        return AckCount.storedByAll(dc.view.members(), acked, version);
    }

    /**
     * What waits for acknowledgements now, for the runtime's ack lane ({@link AckCount}); nothing once this
     * DC could not store its CIB (its writers get no "stored" answer) or before the join completed. Writes of
     * this node's own (negative ids: dampened attributes) stay with the controller, which retries them.
     */
    AckCount ackCount() {
        if (!dc.joined || storeFailure != null || pending.isEmpty()) {
            return AckCount.NONE;
        }
        List<AckCount.Waiting> waiting = new ArrayList<>();
        for (PendingWrite w : pending) {
            if (w.replyTo().id() >= 0 || !w.replyTo().node().equals(c.self())) {
                waiting.add(new AckCount.Waiting(w.version(), w.replyTo().node(), w.replyTo().id(), w.replyTo().viewId()));
            }
        }
        return new AckCount(dc.view.id(), c.self(), dc.view.members(), acked, waiting);
    }


    /** The earlier of: the idle window after the last progress, the cap after arrival. */
    private Instant deadline(Instant arrivedAt, Instant progressAt) {
        Instant last = progressAt.isAfter(arrivedAt) ? progressAt : arrivedAt;
        Instant idleEnd = last.plusMillis(deadlines().idleMs());
        Instant capEnd = arrivedAt.plusMillis(deadlines().capMs());
        return idleEnd.isBefore(capEnd) ? idleEnd : capEnd;
    }

    /** "30 s", or "0.8 s" for the scaled-down deadlines of tests. */
    static String seconds(long ms) {
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private long msUntil(Instant t) {
        return Math.max(1, Duration.between(c.now(), t).toMillis());
    }

    /**
     * {@code member} acknowledged storing {@code version}; it had acknowledged {@code before} (null: nothing
     * in this view). Progress for every write it still owed, whether or not this ack covers the whole write:
     * a slow member working through a backlog is not a stuck one.
     */
    void acknowledged(String member, CibVersion before, CibVersion version) {
        if (before != null && before.compareTo(version) >= 0) {
            return;
        }
        Instant now = c.now();
        pending.replaceAll(w -> before == null || before.compareTo(w.version()) < 0
                ? new PendingWrite(w.version(), w.replyTo(), w.seq(), w.arrivedAt(), now) : w);
    }

    /** A member answered the join, or the join completed: every waiting write moved forward. */
    void joinProgressed() {
        Instant now = c.now();
        joinProgressAt = now;
        pending.replaceAll(w -> new PendingWrite(w.version(), w.replyTo(), w.seq(), w.arrivedAt(), now));
    }

    /** A write's timer: answered timed out if its deadline passed, else the timer is set again for it. */
    void onWriteTimer(long seq) {
        Instant now = c.now();
        pending.removeIf(w -> {
            if (w.seq() != seq) {
                return false;
            }
            Instant due = deadline(w.arrivedAt(), w.progressAt());
            if (now.isBefore(due)) {
                dc.out().timer(TimerKey.of("write", seq), msUntil(due));
                return false;
            }
            List<String> owing = dc.view.members().stream()
                    .filter(m -> acked.get(m) == null || acked.get(m).compareTo(w.version()) < 0).toList();
            boolean capped = !due.isBefore(w.arrivedAt().plusMillis(deadlines().capMs()));
            String why = capped ? "not every member confirmed it within the cap of " + seconds(deadlines().capMs())
                    + " after it reached the DC (cib_confirm_cap_ms)"
                    : "no member that still owed it acknowledged anything for " + seconds(deadlines().idleMs())
                    + " (cib_confirm_idle_ms)";
            reply(w.replyTo(), AdminResult.error(AdminResult.TIMEOUT, "the change to " + w.version()
                    + " is not confirmed: " + why + "; waiting for "
                    + (owing.isEmpty() ? "the join of view " + dc.view.id() : owing)
                    + ". It is not lost: the DC stored it and keeps replicating it; check with crm configure show"
                    + " and crm status"));
            return true;
        });
    }

    /** The queue's timer: writes whose deadline passed before the join completed are refused, never applied. */
    void onQueuedTimer() {
        Instant now = c.now();
        Instant next = null;
        for (java.util.Iterator<Queued> it = queued.iterator(); it.hasNext();) {
            Queued q = it.next();
            Instant due = deadline(q.arrivedAt(), joinProgressAt);
            if (now.isBefore(due)) {
                next = next == null || due.isBefore(next) ? due : next;
                continue;
            }
            it.remove();
            boolean capped = !due.isBefore(q.arrivedAt().plusMillis(deadlines().capMs()));
            reply(q.replyTo(), AdminResult.error(AdminResult.NO_DC, "the cluster did not finish forming "
                    + (capped ? "within " + seconds(deadlines().capMs()) + " (the cap, cib_confirm_cap_ms)"
                    : "and no member answered the join for " + seconds(deadlines().idleMs()) + " (cib_confirm_idle_ms)")
                    + " (view " + dc.view.id() + "); nothing was applied: retry the change"));
        }
        if (next != null) {
            dc.out().timer(new TimerKey("queued"), msUntil(next));
        }
    }

    void checkPending() {
        if (!dc.joined) {
            return;
        }
        if (!dc.syncConfirmed && dc.view.members().stream().allMatch(m -> acked.containsKey(m)
                && acked.get(m).compareTo(dc.joinVersion) >= 0)) {
            dc.syncConfirmed = true;
            dc.runEngine();
        }
        pending.removeIf(w -> {
            if (storeFailure != null || !storedByAll(w.version())) {
                return false;
            }
            dc.out().add(new Effect.CancelTimer(TimerKey.of("write", w.seq())));
            reply(w.replyTo(), AckCount.stored(w.version(), dc.view.members().size()));
            return true;
        });
    }


    void resignWrites(String reason) {
        for (PendingWrite w : pending) {
            reply(w.replyTo(), AdminResult.error(AdminResult.UNCERTAIN, reason + "; the change to " + w.version()
                    + " is lost: check with crm configure show and redo it"));
        }
        pending.clear();
    }


    void reply(DcRole.ReplyTo to, AdminResult result) {
        if (to.node().equals(c.self())) {
            c.replyLocal(to.id(), result);
        } else {
            dc.out().send(to.node(), new Message.ForwardedReply(to.viewId(), to.id(), result));
        }
    }
}
