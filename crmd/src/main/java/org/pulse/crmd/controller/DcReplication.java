package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibVersion;

/**
 * The DC's writes, one concern of {@link DcRole}: a write waits in a queue until the join completes,
 * is judged ({@link WriteDecision}), committed (the diff to every member, then the DC's own store),
 * and answered only once every member of the partition acknowledged storing it; writes still
 * unanswered when this DC loses its CIB to a higher one are answered as lost.
 */
final class DcReplication {
    record PendingWrite(CibVersion version, DcRole.ReplyTo replyTo, long seq) {
    }

    record Queued(DcRole.ReplyTo replyTo, AdminCommand.Write write) {
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

    DcReplication(DcRole dc, Controller c) {
        this.dc = dc;
        this.c = c;
    }

    void write(DcRole.ReplyTo replyTo, AdminCommand.Write w) {
        if (!dc.joined) {
            if (queued.size() >= 1000) {
                reply(replyTo, AdminResult.error(AdminResult.NO_DC, "the cluster is forming and too many changes"
                        + " wait; retry in a moment"));
                return;
            }
            if (queued.isEmpty()) {
                dc.out().timer(new TimerKey("queued"), c.config().writeTimeoutMs());
            }
            queued.add(new Queued(replyTo, w));
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
        WriteDecision.Outcome outcome = WriteDecision.decide(c.cib(), w, checks, c.self(),
                c.config().watchdogTimeoutMs(), dc.quorate, dc.quorumReason());
        if (outcome instanceof WriteDecision.Outcome.Answered r) {
            if (r.warning() != null) {
                dc.out().warn(r.warning());
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
        pending.add(new PendingWrite(next.version(), replyTo, seq));
        dc.out().timer(TimerKey.of("write", seq), c.config().writeTimeoutMs());
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


    /** The DC's CIB becomes {@code next}: sent to every member as a diff, and stored. */
    void commit(Cib next) {
        Cib old = c.cib();
        if (next.equals(old)) {
            return;
        }
        // The members store in parallel with the DC: the diff goes out first, then the DC's own
        // (possibly durable) store. Nothing is acknowledged before the members' acks arrive, which is
        // a later event, after the DC's store completed.
        if (dc.joined) {
            CibDiff diff = CibDiff.diff(old, next);
            for (String m : dc.view.members()) {
                if (!m.equals(c.self())) {
                    dc.out().send(m, new Message.CibUpdate(dc.view.id(), diff));
                }
            }
        }
        c.storeCib(next, false);
        acked.put(c.self(), next.version());
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
            for (String m : dc.view.members()) {
                CibVersion v = acked.get(m);
                if (v == null || v.compareTo(w.version()) < 0) {
                    return false;
                }
            }
            dc.out().add(new Effect.CancelTimer(TimerKey.of("write", w.seq())));
            reply(w.replyTo(), AdminResult.written(w.version(), "stored by all " + dc.view.members().size()
                    + " members of the partition"));
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
