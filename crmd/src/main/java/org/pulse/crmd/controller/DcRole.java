package org.pulse.crmd.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pulse.cib.Cib;
import org.pulse.cib.CibVersion;
import org.pulse.cib.model.Durations;
import org.pulse.cib.xml.XmlElement;

/**
 * The duties of the DC (the first member of the view), coordinated here: the join round that confirms
 * quorum by acknowledgements, CIB writes replicated to every member before the operator hears "done",
 * and the transition engine (the policy engine's transition; dispatch; abort and reschedule). Each
 * concern's decisions live in a class of its own, which this one calls and whose results it commits
 * and sends: {@link JoinRecords} (the highest CIB, membership in node_state, the DC's stamps),
 * {@link WriteDecision} (whether a write is taken), {@link StatusRecords} (results and fail counts),
 * {@link HoldBack} (what waits, and why), {@link DcFencing} (fencing progress, history and requests).
 */
final class DcRole {
    /** Who waits for a write's outcome: a request on this node, or a forward of {@code node} in {@code viewId}. */
    record ReplyTo(String node, long id, String viewId) {
    }

    /** A fencing action waiting out its pcmk_delay_base/pcmk_delay_max before it is sent to its executor. */
    private record DelayedFence(String executor, OpRequest request, long timeoutMs) {
    }

    private final Controller c;
    private final Map<String, Message.JoinResponse> responses = new HashMap<>();
    final Map<String, String> blocked = new TreeMap<>();
    /** The JGroups view this DC runs the join of: every member is asked. */
    private View joinView;
    /**
     * The partition this DC serves: the join view while the join runs, then the members that completed it
     * (answered within join-integration-timeout and stored the join's CIB within join-finalization-timeout).
     * Replication, quorum, fencing and placement count only these; the others are "pending", as in Pacemaker.
     */
    View view;
    boolean joined;
    boolean quorate;
    private Quorum.Decision decision;
    /** Fencing actions of the current transition waiting for their delay, by op key. */
    private final Map<String, DelayedFence> delayedFences = new HashMap<>();
    /** Every member stored the join's CIB: only then may anything run (its membership facts are durable). */
    CibVersion joinVersion;
    boolean syncConfirmed;
    TransitionRun current;
    /** Why the DC last wanted to schedule (the newest reason wins): a transition's trigger, for the console. */
    String scheduleReason = "start";
    /** Fence planner steps sent so far: each gets an op key of its own. */
    private long fenceSteps;
    private long transitionSeq;
    private long inputSeq;
    boolean needSchedule;
    /** A write was committed and the engine's run for it left to {@link Controller#handleDeferred}. */
    boolean engineDeferred;
    List<String> pendingFence = List.of();

    /** Fencing progress: runs, queries, attempts and history, between transitions (DcFencing). */
    final DcFencing fencing;
    /** Writes: the queue before the join, commits, members' acknowledgements, the replies (DcReplication). */
    final DcReplication replication;

    DcRole(Controller c) {
        this.c = c;
        this.fencing = new DcFencing(this, c);
        this.replication = new DcReplication(this, c);
    }

    boolean joined() {
        return joined;
    }

    /** Whether quorum is undecided (a tie-breaker has not answered yet): the partition acts on nothing. */
    boolean quorumPending() {
        return decision != null && decision.pending();
    }

    boolean quorate() {
        return quorate;
    }

    /** Why the partition is (not) quorate, for crm status; only meaningful once joined. */
    String quorumReason() {
        return decision == null ? "not decided yet" : decision.reason();
    }

    boolean transitionInProgress() {
        return current != null;
    }

    long transitionId() {
        return current == null ? -1 : current.id;
    }

    String transitionSummary() {
        if (!joined) {
            return "joining view " + joinView.id() + ": " + responses.size() + "/" + joinView.members().size()
                    + " answered";
        }
        return current == null ? "idle" : current.summary();
    }

    Map<String, String> blocked() {
        return new LinkedHashMap<>(blocked);
    }

    List<String> pendingFencing() {
        return pendingFence;
    }

    /** Nodes whose fencing this DC stopped trying (stonith-max-attempts), with why. */
    Map<String, String> fencingGivenUp() {
        return new TreeMap<>(fencing.fenceGaveUp);
    }

    Outbox out() {
        return c.out();
    }

    // ---- join

    /**
     * A new view: ask every member (this node too) for its CIB version and history. The
     * transition in progress is dropped; members answer at once, their operations in flight
     * reported as pending. Who has not answered within join-integration-timeout is left out.
     */
    void startJoin(View v) {
        joinView = v;
        view = v;
        joined = false;
        quorate = false;
        syncConfirmed = false;
        responses.clear();
        replication.acked.clear();
        fencing.abandonFenceRuns(v, delayedFences.keySet());
        fencing.carryRunsAgainstLostDc(v);
        delayedFences.clear();
        if (current != null) {
            out().info("abandoning " + current.summary() + ": new view");
            current = null;
        }
        needSchedule = true;
        // One message for all members: the runtime encodes it once (and sends it as one multicast when the
        // JGroups view is this view), not once per member: at 16-32 members, a join round per joiner.
        Message.JoinRequest ask = new Message.JoinRequest(v.id(), c.version());
        for (String m : v.members()) {
            out().send(m, ask);
        }
        out().timer(new TimerKey("join-retry"), c.config().joinRetryMs());
        out().timer(new TimerKey("join-integration"), joinTimeoutMs("join-integration-timeout",
                DEFAULT_JOIN_INTEGRATION_TIMEOUT_MS));
        out().add(new Effect.CancelTimer(new TimerKey("join-finalization")));
    }

    /**
     * Pacemaker's defaults (3 min, 30 min) suit a cluster whose members may be busy for minutes before they
     * answer; Pulse's members answer at once (operations in flight go as pending), so a member silent for
     * seconds is hung or cut off, and waiting longer only delays the fencing and recovery of others.
     */
    static final long DEFAULT_JOIN_INTEGRATION_TIMEOUT_MS = 5_000;
    /** Storing the join's CIB durably (an fsync) on every member. */
    static final long DEFAULT_JOIN_FINALIZATION_TIMEOUT_MS = 10_000;

    private long joinTimeoutMs(String property, long defaultMs) {
        long ms = Durations.parseMs(Cibs.property(c.cib(), property, null), defaultMs);
        return ms > 0 ? ms : defaultMs;
    }

    /** Members of the JGroups view that did not complete the join (Pacemaker's join=pending). */
    List<String> pendingMembers() {
        if (joinView == null || !joined) {
            return List.of();
        }
        return joinView.members().stream().filter(m -> !view.contains(m)).toList();
    }

    void resign(String reason) {
        for (DcReplication.PendingWrite w : replication.pending) {
            replication.reply(w.replyTo(), AdminResult.error(AdminResult.UNCERTAIN, reason + " before every member confirmed"
                    + " the change to " + w.version() + "; it may or may not be kept: check with crm configure show"));
        }
        replication.pending.clear();
        for (DcReplication.Queued q : replication.queued) {
            replication.reply(q.replyTo(), AdminResult.error(AdminResult.NO_DC, reason + "; retry the change"));
        }
        replication.queued.clear();
        delayedFences.clear();
        fencing.fenceRuns.clear();
        fencing.plannedFenceRuns.clear();
        fencing.carried.clear();
        fencing.carriedResults.clear();
        current = null;
    }

    private void onJoinResponse(String from, Message.JoinResponse r) {
        if (!r.viewId().equals(joinView.id()) || !joinView.contains(from)) {
            return;
        }
        if (joined) {
            if (!view.contains(from)) {
                rejoinLate(from, "answered the join");
                if (!joined) {
                    responses.put(from, r);
                }
            }
            return;
        }
        responses.put(from, r);
        if (!from.equals(c.self())) {
            // Not this DC's own answer: that one comes after every new view, so a view that keeps changing
            // would count as progress; the cap still ends a join that never completes.
            replication.joinProgressed();
        }
        if (responses.size() == joinView.members().size()) {
            finishJoin();
        }
    }

    /**
     * A member left out of the join shows it is alive after all: join again with it, as Pacemaker's DC
     * does for a node that shows up. Not while it is being fenced: that fencing was decided on what it may
     * run, and goes on.
     */
    private void rejoinLate(String member, String what) {
        if (pendingFence.contains(member)) {
            out().info(member + " " + what + " late, but it is being fenced");
            return;
        }
        out().info(member + " " + what + " late: joining view " + joinView.id() + " again with it");
        startJoin(joinView);
    }

    private void finishJoin() {
        if (!responses.containsKey(c.self())) {
            return;
        }
        List<String> answered = joinView.members().stream().filter(responses::containsKey).toList();
        List<String> silent = joinView.members().stream().filter(m -> !responses.containsKey(m)).toList();
        view = new View(joinView.id(), answered);
        if (!silent.isEmpty()) {
            out().warn("join of view " + joinView.id() + ": " + silent + " did not answer within "
                    + joinTimeoutMs("join-integration-timeout", DEFAULT_JOIN_INTEGRATION_TIMEOUT_MS)
                    + " ms (join-integration-timeout); going on without them: pending, not members, fenced if"
                    + " they may run resources");
        }
        JoinRecords.Best highest = JoinRecords.highest(c.cib(), c.self(), responses);
        Cib best = highest.cib();
        String bestFrom = highest.from();
        if (!bestFrom.equals(c.self())) {
            // Pacemaker's rule: the highest version wins, whoever became DC.
            out().info("adopting the CIB of " + bestFrom + " (" + best.version() + " > " + c.version() + ")");
            replication.resignWrites("the CIB of " + bestFrom + " (" + best.version() + ") superseded this DC's after partitions merged");
        }
        XmlElement root = JoinRecords.membership(best.root(), view, joinView, silent, responses);
        Cib withMembers = Cib.of(root);
        c.noteMembers(view.members(), withMembers);
        // Only the DC of an exact half competes for the lease or the arbitrator's vote (lms: of any part
        // short of the whole), before deciding, so that a newly wanted one counts as undecided; a node
        // that still waits for all must not take it from the others.
        c.wantTieBreaker(Quorum.wantsTieBreaker(c.config().quorum(), c.voters(withMembers), view.members())
                && !c.waitingForAll(), c.voters(withMembers), view.members());
        decision = decide(withMembers);
        int votes = decision.expectedVotes();
        quorate = decision.quorate();
        if (quorate) {
            c.noteQuorate();
        }
        // Undecided (a tie-breaker not answered yet): the CIB keeps what it said, so that members' watchdogs
        // are not stopped for good by a "0" that may turn out quorate; the DC acts on nothing meanwhile.
        String haveQuorum = decision.pending() ? root.attr("have-quorum", "0") : quorate ? "1" : "0";
        root = JoinRecords.stamped(root, haveQuorum, c.self(), c.config().watchdogTimeoutMs() > 0);
        Cib joinedCib = best.next(root);
        c.storeCib(joinedCib, true);
        joined = true;
        joinVersion = joinedCib.version();
        syncConfirmed = view.members().size() == 1;
        c.markJoined(view.id());
        replication.acked.put(c.self(), joinedCib.version());
        // The whole CIB, encoded once for all members (one message instance: see startJoin), then the history:
        // each member still gets its CibSync before its FenceHistory.
        Message.CibSync sync = new Message.CibSync(view.id(), joinedCib);
        for (String m : view.members()) {
            if (!m.equals(c.self())) {
                out().send(m, sync);
            }
        }
        if (!c.fenceHistory().isEmpty()) {
            // A member that joined since has not heard the history yet.
            Message.FenceHistory history = new Message.FenceHistory(view.id(), c.fenceHistory());
            for (String m : view.members()) {
                if (!m.equals(c.self())) {
                    out().send(m, history);
                }
            }
        }
        out().add(new Effect.CancelTimer(new TimerKey("join-integration")));
        if (silent.isEmpty()) {
            out().add(new Effect.CancelTimer(new TimerKey("join-retry")));
        }
        if (!syncConfirmed) {
            out().timer(new TimerKey("join-finalization"), joinTimeoutMs("join-finalization-timeout",
                    DEFAULT_JOIN_FINALIZATION_TIMEOUT_MS));
        }
        scheduleReason = "join of view " + view.id();
        out().info("join of view " + view.id() + " complete: " + decision.reason()
                + (quorate ? " (quorate)" : " (no-quorum-policy=" + Cibs.noQuorumPolicy(joinedCib) + ")")
                + ", CIB " + joinedCib.version());
        needSchedule = true;
        List<DcReplication.Queued> waiting = new ArrayList<>(replication.queued);
        replication.queued.clear();
        out().add(new Effect.CancelTimer(new TimerKey("queued")));
        replication.joinProgressed();
        for (DcReplication.Queued q : waiting) {
            replication.write(q.replyTo(), q.write(), q.arrivedAt());
        }
        if (c.shuttingDown()) {
            // Asked to stop while its DC was another node, which went away before it granted it: this node is its own
            // DC now and asks itself, as a member asks every new DC (onCibSync); else it waited out the whole stop
            // timeout (60 s) for a grant that no DC would send.
            out().send(c.self(), new Message.ShutdownRequest(view.id()));
        }
        long recheckMs = Durations.parseMs(Cibs.property(joinedCib, "cluster-recheck-interval", "15min"), 900_000);
        if (recheckMs > 0) {
            out().timer(new TimerKey("recheck"), recheckMs);
        }
        fencing.takeJoinReports(responses);
        runEngine();
        // Results of carried device runs that came during the join and that no transition took over: recorded.
        for (String opKey : new ArrayList<>(fencing.carriedResults.keySet())) {
            fencing.onCarriedOutcome(opKey, fencing.carriedResults.get(opKey));
        }
        if (needSchedule) {
            runEngine();
        }
    }

    private Quorum.Decision decide(Cib cib) {
        return Quorum.decide(c.config().quorum(), c.voters(cib), view.members(), c.allSeenTogether(),
                c.tieBreakerWon());
    }

    /**
     * Something quorum depends on changed without a new view (the tie-breaker's ping): decide again;
     * a change is recorded in the CIB (have-quorum) and the partition schedules again.
     */
    void recheckQuorum(String why) {
        if (!joined) {
            return;
        }
        Quorum.Decision d = decide(c.cib());
        boolean wasPending = decision != null && decision.pending();
        decision = d;
        if (d.quorate() == quorate) {
            if (wasPending && !d.pending()) {
                // The partition waited instead of acting on no-quorum-policy: now it knows, and so does the CIB
                // (it kept its earlier have-quorum while undecided).
                out().warn("quorum decided: " + why + ": " + d.reason());
                if (!(quorate ? "1" : "0").equals(c.cib().root().attr("have-quorum", "0"))) {
                    replication.commit(c.cib().next(c.cib().root().withAttribute("have-quorum", quorate ? "1" : "0")));
                }
                requestSchedule("quorum decided");
                runEngine();
            }
            return;
        }
        quorate = d.quorate();
        if (quorate) {
            c.noteQuorate();
        }
        out().warn((quorate ? "quorum gained: " : "quorum lost: ") + why + ": " + d.reason());
        replication.commit(c.cib().next(c.cib().root().withAttribute("have-quorum", quorate ? "1" : "0")));
        requestSchedule("quorum " + (quorate ? "gained" : "lost"));
        runEngine();
    }

    // ---- CIB writes and replication (DcReplication)

    /** An operator's or agent's write reaches the DC: see DcReplication.write. */
    void write(ReplyTo replyTo, AdminCommand.Write w) {
        replication.write(replyTo, w);
    }

    /**
     * join-finalization-timeout passed and some members have not confirmed storing the join's CIB: they are
     * left out as pending (the others must not wait for them to run anything), and asked to join again.
     */
    private void dropUnconfirmed() {
        List<String> confirmed = view.members().stream().filter(m -> replication.acked.containsKey(m)
                && replication.acked.get(m).compareTo(joinVersion) >= 0).toList();
        List<String> silent = view.members().stream().filter(m -> !confirmed.contains(m)).toList();
        out().warn("join of view " + view.id() + ": " + silent + " did not confirm storing CIB " + joinVersion
                + " within " + joinTimeoutMs("join-finalization-timeout", DEFAULT_JOIN_FINALIZATION_TIMEOUT_MS)
                + " ms (join-finalization-timeout); going on without them");
        view = new View(view.id(), confirmed);
        XmlElement root = c.cib().root();
        for (String m : silent) {
            root = Cibs.updateNodeState(root, m, ns -> Cibs.withAttrs(ns, "join", "pending"));
        }
        replication.commit(c.cib().next(root));
        recheckQuorum("members left out of the join");
        out().timer(new TimerKey("join-retry"), joinTimeoutMs("join-integration-timeout",
                DEFAULT_JOIN_INTEGRATION_TIMEOUT_MS));
        requestSchedule("members left out of the join");
        replication.checkPending();
        runEngine();
    }

    // ---- messages and timers

    void onMessage(String from, Message m) {
        Runnable handler = switch (m.kind()) {
            case JOIN_RESPONSE -> () -> onJoinResponse(from, (Message.JoinResponse) m);
            case CIB_ACK -> () -> onCibAck(from, (Message.CibAck) m);
            case RESYNC_REQUEST -> () -> {
                Message.ResyncRequest r = (Message.ResyncRequest) m;
                if (joined && r.viewId().equals(view.id()) && view.contains(from)) {
                    out().send(from, new Message.CibSync(view.id(), c.cib()));
                }
            };
            case OP_REPORT -> () -> onOpReport(from, (Message.OpReport) m);
            case SHUTDOWN_REQUEST -> () -> onShutdownRequest(from, (Message.ShutdownRequest) m);
            case FORWARDED_ADMIN -> () -> onForwardedAdmin(from, (Message.ForwardedAdmin) m);
            // the controller handles what the DC sends its members; one of those here is a mistake in the routing
            case JOIN_REQUEST, CIB_SYNC, CIB_UPDATE, EXECUTE, FORWARDED_REPLY, SUICIDE, FORGET_HISTORY,
                    FENCE_HISTORY, SHUTDOWN_GRANTED -> () -> {
                throw new IllegalArgumentException(m.kind() + " from " + from
                        + " is a message for members, not for the DC's role");
            };
        };
        handler.run();
    }

    private void onCibAck(String from, Message.CibAck a) {
        if (a.viewId().equals(view.id()) && joined && !view.contains(from) && joinView.contains(from)) {
            rejoinLate(from, "acknowledged the join's CIB");
        } else if (a.viewId().equals(view.id())) {
            CibVersion before = replication.acked.get(from);
            replication.acked.merge(from, a.version(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
            replication.acknowledged(from, before, a.version());
            replication.checkPending();
        }
    }

    private void onShutdownRequest(String from, Message.ShutdownRequest r) {
        if (joined && r.viewId().equals(view.id()) && view.contains(from)) {
            XmlElement root = Cibs.updateNodeState(c.cib().root(), from, ns -> Cibs.withTransientAttribute(ns, from,
                    "shutdown", Long.toString(c.now().getEpochSecond())));
            replication.commit(c.cib().next(root));
            requestSchedule(from + " asked to shut down");
            runEngine();
        }
    }

    private void onForwardedAdmin(String from, Message.ForwardedAdmin f) {
        if (!f.viewId().equals(view.id()) || !view.contains(from)) {
            c.refusedStale("forwarded write #" + f.forwardId() + " from " + from + " of view " + f.viewId());
            if (view.contains(from)) {
                // Tagged with its own view: a node still waiting for it learns at once, any other ignores it.
                replication.reply(new ReplyTo(from, f.forwardId(), f.viewId()), AdminResult.error(AdminResult.NO_DC,
                        "the cluster's membership changed while the change travelled to the DC; nothing was"
                                + " applied: retry"));
            }
        } else if (f.command() instanceof AdminCommand.Write w) {
            replication.write(new ReplyTo(from, f.forwardId(), f.viewId()), w);
        } else {
            // only writes travel to the DC (reads are answered where they arrive): an error, answered
            replication.reply(new ReplyTo(from, f.forwardId(), f.viewId()), AdminResult.error(AdminResult.INVALID,
                    "only writes are forwarded to the DC, not " + f.command().getClass().getSimpleName()));
        }
    }

    void onTimer(TimerKey key) {
        if (key.is("join-retry")) {
            // Also after the join, to the members left out: a member that was only slow answers and joins.
            List<String> silent = joined ? pendingMembers()
                    : joinView.members().stream().filter(m -> !responses.containsKey(m)).toList();
            Message.JoinRequest ask = new Message.JoinRequest(joinView.id(), c.version());
            for (String m : silent) {
                out().send(m, ask);
            }
            if (!silent.isEmpty()) {
                out().timer(key, joined ? joinTimeoutMs("join-integration-timeout", DEFAULT_JOIN_INTEGRATION_TIMEOUT_MS)
                        : c.config().joinRetryMs());
            }
        } else if (key.is("join-integration")) {
            if (!joined) {
                finishJoin();
            }
            if (!joined) {
                // Not even this node's own answer is in yet (it is queued behind this timer): look again soon.
                out().timer(key, c.config().joinRetryMs());
            }
        } else if (key.is("join-finalization")) {
            if (joined && !syncConfirmed) {
                dropUnconfirmed();
            }
        } else if (key.is("write")) {
            replication.onWriteTimer(Long.parseLong(key.detail()));
        } else if (key.is("queued")) {
            replication.onQueuedTimer();
        } else if (key.is("action") && fencing.carried.containsKey(key.detail())
                && (current == null || current.inFlight(key.detail()) == null)) {
            fencing.onCarriedOutcome(key.detail(), false, FenceEvent.TIMED_OUT, "no result within its timeout, sent"
                    + " before the view changed");
            runEngine();
        } else if (key.is("action")) {
            PlannedAction a = current == null ? null : current.inFlight(key.detail());
            if (a != null) {
                out().warn("no result for " + a + " within " + a.timeoutMs() + " ms (+ margin): counting it failed");
                DcFencing.FenceRun fr = fencing.fenceRuns.remove(key.detail());
                delayedFences.remove(key.detail());
                if (fr != null) {
                    fencing.onFenceOutcome(fr, a, key.detail(), false, FenceEvent.TIMED_OUT, "no result within " + a.timeoutMs() + " ms",
                            "", 1);
                } else {
                    // Written to the CIB as a failed operation, so the policy engine reacts (a stop that
                    // timed out leads to fencing, a start to its fail count).
                    recordTimeout(a, key.detail());
                    current.completed(a, false, a + " timed out");
                }
                runEngine();
            }
        } else if (key.is("lease-expiry")) {
            recheckQuorum("the lease was not renewed in time");
        } else if (key.is("fence-delay")) {
            String opKey = key.detail();
            DelayedFence f = delayedFences.remove(opKey);
            if (f != null && current != null && current.inFlight(opKey) != null) {
                send(f.executor(), f.request(), f.timeoutMs());
            }
        } else if (key.is("fence-retry") || key.is("recheck") || key.is("reconnect")) {
            needSchedule = true;
            scheduleReason = key.is("recheck") ? "cluster-recheck-interval" : key.is("reconnect")
                    ? "a remote connection's reconnect_interval passed" : "fence retry";
            if (key.is("recheck")) {
                long recheckMs = Durations.parseMs(Cibs.property(c.cib(), "cluster-recheck-interval", "15min"),
                        900_000);
                out().timer(key, Math.max(recheckMs, 1000));
            }
            runEngine();
        }
    }

    // ---- operation results

    private void onOpReport(String from, Message.OpReport rep) {
        OpResult r = rep.result();
        DcFencing.FenceRun carriedRun = fencing.carried.get(r.opKey());
        if (carriedRun != null && from.equals(carriedRun.executor())) {
            // A device run sent before the view changed (its op key is unique, whatever view its executor reports
            // in): no history carries its result, so it is kept while the join runs and then recorded, unless a
            // transition took the run over first (as its own step, below).
            if (!joined) {
                fencing.carriedResults.put(r.opKey(), r);
            } else {
                fencing.onCarriedOutcome(r.opKey(), r);
                runEngine();
            }
            return;
        }
        DcFencing.FenceRun takenOver = fencing.fenceRuns.get(r.opKey());
        boolean fenceRunOfExecutor = takenOver != null && takenOver.query() == null && from.equals(takenOver.executor());
        if (!rep.viewId().equals(view.id()) && !fenceRunOfExecutor) {
            // Of an earlier view (the join collected it) or a recording replayed: a "stop failed" of
            // another time must not fail a resource here nor fence its node.
            c.refusedStale(r.resourceId() + " " + r.action() + " rc " + r.rc() + " reported by " + from
                    + " in view " + (rep.viewId().isEmpty() ? "(none: a node of an earlier Pulse version)"
                    : rep.viewId()));
            return;
        }
        if (!joined || !view.contains(from)) {
            // The join collects this node's complete history anyway.
            return;
        }
        PlannedAction a = current == null ? null : current.inFlight(r.opKey());
        // A result relayed from a remote node belongs to that node's history, not to its router's.
        String node = rep.node().isEmpty() ? from : rep.node();
        if (LrmOps.recordable(r)) {
            recordResult(node, r, rep.callId(), rep.opDigest(), a == null ? null : a.params());
        }
        DcFencing.FenceRun fr = a == null ? null : fencing.fenceRuns.remove(r.opKey());
        if (a != null && fr != null) {
            out().add(new Effect.CancelTimer(TimerKey.of("action", r.opKey())));
            boolean ok = r.is(0);
            fencing.onFenceOutcome(fr, a, r.opKey(), ok, ok ? FenceEvent.SUCCESS : FenceEvent.FAILED, "rc " + r.rc() + " (" + r.status()
                    + ")" + (r.exitReason().isEmpty() ? "" : ": " + r.exitReason()), r.output(), r.rc());
        } else if (a != null) {
            out().add(new Effect.CancelTimer(TimerKey.of("action", r.opKey())));
            boolean ok = r.is(a.expectedRc());
            current.completed(a, ok, a + " returned rc " + r.rc() + " (" + r.status() + ")"
                    + (r.exitReason().isEmpty() ? "" : ": " + r.exitReason()));
        } else if (LrmOps.isFailure(r)) {
            requestSchedule(r.resourceId() + " " + r.action() + (r.intervalMs() > 0 ? " (" + r.intervalMs() + " ms)" : "")
                    + " failed on " + node + " with rc " + r.rc());
        } else if (r.intervalMs() == 0 && LrmOps.recordable(r)) {
            // The result of an operation no transition waits for any more (reported pending at a join, or
            // timed out here first): the state it records is news to the policy engine.
            requestSchedule(r.resourceId() + " " + r.action() + " on " + node + " ended outside a transition");
        }
        runEngine();
    }

    /** Writes one operation's result (or pending state) into {@code node}'s history in the status section. */
    private void recordResult(String node, OpResult r, long callId, String opDigest, Map<String, String> params) {
        XmlElement root = StatusRecords.withResult(c.cib().root(), node, r, callId, opDigest, params,
                c.now().getEpochSecond());
        if (!view.contains(node) && RemoteRouting.isRemote(c.cib(), node)) {
            root = RemoteRouting.markedRemote(root, node);
        }
        boolean shutdownOver = false;
        if (r.rc() == 0 && r.status() == OpStatus.DONE && (r.action().equals("start") || r.action().equals("migrate_from"))
                && !view.contains(r.resourceId()) && RemoteRouting.isRemote(c.cib(), r.resourceId())) {
            // A remote node's connection is up again: the node is no longer "fenced since it was last up", nor
            // shutting down.
            shutdownOver = Cibs.nodeState(root, r.resourceId())
                    .map(ns -> Cibs.transientAttributes(ns).containsKey("shutdown")).orElse(false);
            root = RemoteRouting.connected(root, r.resourceId());
        }
        replication.commit(c.cib().next(root));
        if (shutdownOver) {
            // The transition running was decided with the node shutting down: decide again, so that what prefers
            // the node goes back to it (as an attribute change does).
            requestSchedule("remote node " + r.resourceId() + " connected again after its clean shutdown");
        }
    }

    /**
     * As Pacemaker's controller records an action whose timer popped: a failed operation (op-status 2 =
     * timed out, rc 1) on the node that did not answer, so the policy engine reacts to it as to the node's
     * own timeout — a stop that timed out gets the node fenced, a start counts against migration-threshold.
     */
    private void recordTimeout(PlannedAction a, String opKey) {
        if (a.resourceId().isEmpty() || a.agent() == null) {
            return;
        }
        OpResult timedOut = StatusRecords.timedOut(a, opKey, c.config().actionMarginMs());
        if (LrmOps.recordable(timedOut)) {
            recordResult(a.node(), timedOut, StatusRecords.nextCallId(c.cib(), a.node()), null, a.params());
        }
    }

    void requestSchedule(String why) {
        needSchedule = true;
        scheduleReason = why;
        if (current != null) {
            current.abort(why);
        }
        out().debug("reschedule: " + why);
    }

    // ---- the transition engine

    void runEngine() {
        if (!joined) {
            return;
        }
        if (!syncConfirmed) {
            // Fencing may start while the members still store the join's CIB (it only takes nodes
            // out); anything that may start a resource waits until that CIB is on every member.
            if (current == null && needSchedule && !c.now().isBefore(fencing.fenceRetryAt)) {
                TransitionPlan p = fencing.fencingPlan();
                if (p != null) {
                    current = new TransitionRun(++transitionSeq, p, c.now(), scheduleReason);
                    out().info("transition " + current.id + " (" + p.source() + "): " + p.actions());
                }
            }
            if (current != null && current.plan.source().equals("fencing")) {
                for (PlannedAction a : current.ready()) {
                    dispatch(a);
                }
            }
            return;
        }
        for (int round = 0; round < 8; round++) {
            if (current != null) {
                // Actions the DC completes itself (pseudo events) can make others ready at once.
                for (List<PlannedAction> ready = current.ready(); !ready.isEmpty(); ready = current.ready()) {
                    for (PlannedAction a : ready) {
                        dispatch(a);
                    }
                }
                if (!current.finished()) {
                    return;
                }
                boolean clean = current.completeAndClean();
                out().add(new Effect.TransitionEnded(current.id, current.plan.source(),
                        current.plan.actions().stream().map(PlannedAction::toString).toList(), current.trigger,
                        current.startedAt.toEpochMilli(), java.time.Duration.between(current.startedAt, c.now()).toMillis(),
                        clean ? "complete" : current.abortReason() == null ? "incomplete" : current.abortReason()));
                out().info("transition " + current.id + " (" + current.plan.source() + ") ended"
                        + (clean ? "" : ": " + (current.abortReason() == null ? "incomplete" : current.abortReason())));
                if (!clean || !current.plan.source().equals("policy-engine")) {
                    needSchedule = true;
                    scheduleReason = "transition " + current.id + (clean ? " ended" : " was incomplete");
                }
                current = null;
                grantShutdowns();
            }
            if (!needSchedule || c.now().isBefore(fencing.fenceRetryAt)) {
                return;
            }
            needSchedule = false;
            TransitionPlan p = plan();
            if (p == null || p.isEmpty()) {
                return;
            }
            current = new TransitionRun(++transitionSeq, p, c.now(), scheduleReason);
            out().info("transition " + current.id + " (" + p.source() + "): " + p.actions());
        }
    }

    private void dispatch(PlannedAction a) {
        // Pacemaker's transition-key: action:transition:expected-rc:origin; the policy engine reads
        // the expected rc back from the history.
        String opKey = a.id() + ":" + current.id + ":" + a.expectedRc() + ":" + c.self() + "@" + view.id();
        current.dispatched(a, opKey);
        switch (a.operation()) {
            // probe_again (a node whose legacy probe_complete attribute is false): nothing to run
            // here; its resources are probed once the attribute is gone
            case "pseudo", "do_shutdown", "probe_again" -> {
                if (a.params().containsKey("CRM_meta_stonith_action") && !view.contains(a.node())
                        && RemoteRouting.guests(c.cib()).containsKey(a.node())) {
                    // A guest node's fencing is its container's recovery (ordered before this event): what ran in
                    // the old guest is gone with it, as after any fencing, so its history goes (Pacemaker's
                    // controller purges a guest's state likewise).
                    out().info("guest node " + a.node() + " is fenced by recovering its container "
                            + RemoteRouting.guests(c.cib()).get(a.node()));
                    replication.commit(c.cib().next(RemoteRouting.markedFenced(
                            Planner.markFenced(c.cib().root(), a.node(), c.now().getEpochSecond()), a.node())));
                }
                current.completed(a, true, null);
                return;
            }
            // "delete" is the policy engine's name (Pacemaker's canonical one) for removing a resource's history
            // on a node (a resource no longer configured, or history of another agent): bookkeeping the DC does
            // itself, like lrm_delete; never an agent action (agents have no delete).
            case "clear_failcount", "lrm_delete", "delete" -> {
                String rsc = a.resourceId();
                boolean delete = !a.operation().equals("clear_failcount");
                replication.commit(c.cib().next(delete
                        ? CibEdits.cleanup(c.cib().root(), rsc, a.node())
                        : CibEdits.clearFailures(c.cib().root(), rsc, a.node())));
                if (delete && view.contains(a.node())) {
                    out().send(a.node(), new Message.ForgetHistory(view.id(), rsc));
                }
                current.completed(a, true, null);
                return;
            }
            default -> {
            }
        }
        if (a.isFence() && a.resourceId().isEmpty()) {
            // The policy engine names whom to fence; the fence planner picks the device, level and executor.
            if (fencing.fenceGaveUp.containsKey(a.fenceTarget())) {
                current.completed(a, false, "fencing " + a.fenceTarget() + " cannot run now: "
                        + fencing.fenceGaveUp.get(a.fenceTarget()));
                return;
            }
            String carriedKey = fencing.carriedRunFor(a.fenceTarget());
            if (carriedKey != null) {
                takeOverCarried(a, carriedKey);
                return;
            }
            continueFence(a, opKey);
            return;
        }
        run(a, a, opKey);
    }

    /**
     * Fencing action {@code a} waits for the device run against its target sent before the view changed, as its
     * own step: that run's result (or timeout) goes on as any step's, so the target is fenced once, not twice.
     */
    private void takeOverCarried(PlannedAction a, String carriedKey) {
        DcFencing.FenceRun fr = fencing.carried.remove(carriedKey);
        current.dispatched(a, carriedKey);
        out().info("fencing " + a.fenceTarget() + ": " + fr.device() + " on " + fr.executor() + " was sent before the"
                + " view changed; waiting for its result rather than fencing again");
        OpResult early = fencing.carriedResults.remove(carriedKey);
        if (early == null) {
            fencing.fenceRuns.put(carriedKey, fr);
        } else {
            out().add(new Effect.CancelTimer(TimerKey.of("action", carriedKey)));
            boolean ok = early.is(0);
            fencing.onFenceOutcome(fr, a, carriedKey, ok, ok ? FenceEvent.SUCCESS : FenceEvent.FAILED, "rc " + early.rc()
                    + " (" + early.status() + ")", early.output(), early.rc());
        }
    }

    /**
     * The policy engine's fencing action {@code a} goes on with the fence planner's next step for its target
     * (a device run or a query, under a fresh op key), until the target is fenced (the action succeeds, and
     * what the engine ordered after it may run) or the attempt ends without it (the action fails: the
     * transition aborts, and the next one, after fence-retry, fences again).
     */
    void continueFence(PlannedAction a, String opKey) {
        PlannedAction step = fencing.fenceStep(a.fenceTarget(), a.id());
        if (step == null) {
            // fenceStep handled the end: Fenced (the progress is gone), or an attempt that failed or gave up.
            boolean fenced = !fencing.fenceProgress.containsKey(a.fenceTarget());
            String why = fencing.fenceGaveUp.get(a.fenceTarget());
            current.completed(a, fenced, fenced ? null : "fencing " + a.fenceTarget() + " did not succeed"
                    + (why == null ? " this attempt" : ": " + why));
            return;
        }
        int cut = opKey.indexOf("#try");
        String stepKey = (cut < 0 ? opKey : opKey.substring(0, cut)) + "#try" + (++fenceSteps);
        current.dispatched(a, stepKey);
        run(a, step, stepKey);
    }

    /** Sends {@code run} (the action itself, or a fence planner's step of fencing action {@code a}). */
    private void run(PlannedAction a, PlannedAction run, String opKey) {
        DcFencing.FenceRun fenceRun = fencing.plannedFenceRuns.remove(run);
        if (fenceRun != null) {
            fencing.fenceRuns.put(opKey, fenceRun);
        }
        OpRequest req = new OpRequest(opKey, run.resourceId(), run.agent(), run.operation(), run.intervalMs(),
                Math.max(1, run.timeoutMs()), run.params());
        if (!run.isFence() && !view.contains(run.node()) && RemoteRouting.isRemote(c.cib(), run.node())
                && RemoteRouting.router(c.cib(), run.node(), view) == null) {
            // Before anything is recorded pending: an operation that cannot be sent must not leave the resource
            // "in progress" there for ever.
            out().warn("cannot run " + run.resourceId() + " " + run.operation() + " on remote node " + run.node()
                    + ": no member holds a connection to it");
            current.completed(a, false, "no member holds a connection to remote node " + run.node());
            return;
        }
        if (!run.isFence() && !run.isProbe() && LrmOps.recordsPending(run.operation(), run.intervalMs())) {
            // record-pending: until its result comes, the resource counts as active there, whatever happens to
            // the node or to this DC meanwhile (a node that then fails to join is fenced, not ignored).
            recordResult(run.node(), OpResult.of(req, 193, OpStatus.PENDING, "", 0), -1, null, run.params());
        }
        if (run.isFence() && fenceRun != null) {
            // As Pacemaker's fencer: the device's own delay comes on top of priority-fencing-delay.
            FenceDelay.Delay device = FenceDelay.of(run.params(), run.operation(), run.fenceTarget(), c.random());
            FenceDelay.Delay priority = PriorityFencingDelay.of(c.cib(), c.voters(c.cib()), view, run.fenceTarget());
            FenceDelay.Delay delay = new FenceDelay.Delay(priority.delayMs() + device.delayMs(),
                    priority.explanation() + device.explanation());
            if (delay.delayMs() > 0) {
                // The action counts as in flight meanwhile: the transition waits for it, and its
                // timeout starts only when the agent is asked to run.
                delayedFences.put(opKey, new DelayedFence(run.node(), req, run.timeoutMs()));
                out().info("fencing " + run.fenceTarget() + " with " + run.resourceId() + " waits " + delay.delayMs()
                        + " ms first (" + delay.explanation() + ")");
                out().timer(TimerKey.of("fence-delay", opKey), delay.delayMs());
                return;
            }
        }
        send(run.node(), req, run.timeoutMs());
    }

    private void send(String executor, OpRequest req, long timeoutMs) {
        if (!view.contains(executor) && RemoteRouting.isRemote(c.cib(), executor)) {
            // An action on a remote node goes to the member holding its connection (the router), which relays it.
            String router = RemoteRouting.router(c.cib(), executor, view);
            if (router == null) {
                PlannedAction a = current == null ? null : current.inFlight(req.opKey());
                out().warn("cannot run " + req.resourceId() + " " + req.action() + " on remote node " + executor
                        + ": no member holds a connection to it");
                if (a != null) {
                    current.completed(a, false, "no member holds a connection to remote node " + executor);
                }
                return;
            }
            out().send(router, new Message.Execute(view.id(), req, executor));
        } else {
            out().send(executor, new Message.Execute(view.id(), req));
        }
        out().timer(TimerKey.of("action", req.opKey()), timeoutMs + c.config().actionMarginMs());
    }

    /**
     * Members that asked to shut down and have nothing possibly active left are recorded as
     * expected down (so that their leaving is clean, not a reason to fence) and let go.
     */
    private void grantShutdowns() {
        Map<String, java.util.SortedSet<String>> active = Cibs.possiblyActive(c.cib());
        for (String m : view.members()) {
            var ns = c.cib().statusView().node(m);
            if (ns.isEmpty() || !ns.get().transientAttributes().containsKey("shutdown")
                    || "down".equals(ns.get().expected())) {
                continue;
            }
            boolean busy = active.values().stream().anyMatch(nodes -> nodes.contains(m));
            if (!busy) {
                replication.commit(c.cib().next(Cibs.updateNodeState(c.cib().root(), m,
                        s -> Cibs.withAttrs(s, "expected", "down"))));
                out().info("letting " + m + " shut down: nothing runs there any more");
                out().send(m, new Message.ShutdownGranted(view.id()));
            }
        }
    }

    /**
     * Decides the next transition and reports the decision with its input (Effect.SaveSchedulerInput): every
     * input the policy engine schedules is saved for replay.
     */
    private TransitionPlan plan() {
        decisionInput = null;
        engineDecision = null;
        TransitionPlan p = decide();
        if (decisionInput != null) {
            // Saved with the engine's own decision: what the DC then holds back for safety (operations still in
            // progress, nodes whose fencing gave up, non-members) is crmd's, logged as "held back", not the engine's.
            TransitionPlan decided = engineDecision != null ? engineDecision : p;
            saveDecision(decisionInput, decided == null ? new TransitionPlan(decisionSource, List.of()) : decided);
        }
        return p;
    }

    /** The policy engine's transition before the DC's safety filter, when the engine decided. */
    private TransitionPlan engineDecision;
    /** The input of the decision being taken, with execution-date set: exactly what was decided on. */
    private Cib decisionInput;
    /** Who took the decision (the policy engine; kept for a decision that ran nothing). */
    private String decisionSource;

    private void noteInput(Cib cib, String source) {
        decisionInput = schedulerInput(cib);
        decisionSource = source;
    }

    /** {@code cib} as the policy engine is given it now, exactly as it is saved for replay. */
    Cib schedulerInput(Cib cib) {
        XmlElement root = cib.root().withAttribute("execution-date", Long.toString(c.now().getEpochSecond()));
        if (!quorate && c.everQuorate()) {
            // As Pacemaker's controller marks the scheduler's input (not the CIB): this partition lost quorum.
            root = root.withAttribute("no-quorum-panic", "1");
        }
        return Cib.of(root);
    }

    /** Saves a decision the policy engine took on {@code input} (its whole transition) for crm simulate. */
    void saveDecision(Cib input, TransitionPlan decided) {
        out().add(new Effect.SaveSchedulerInput(++inputSeq, input, decided));
    }

    /**
     * The policy engine's transition (fencing, probes, placement, no-quorum-policy), minus what the DC holds back
     * for safety; an operator's fencing request first. Null: nothing to do.
     */
    private TransitionPlan decide() {
        Cib cib = c.cib();
        blocked.clear();
        pendingFence = List.of();
        String policy = Cibs.noQuorumPolicy(cib);
        grantShutdowns();
        cib = c.cib();
        if (!Cibs.stonithEnabled(cib)) {
            XmlElement root = cib.root();
            for (String n : fencing.lostMembers(cib)) {
                // As Pacemaker with fencing off: what ran there counts as stopped.
                out().warn("stonith-enabled=false: taking " + n + " as down without fencing it");
                root = Planner.markFenced(root, n, c.now().getEpochSecond());
            }
            replication.commit(cib.next(root));
            cib = c.cib();
        }
        if (quorumPending()) {
            // Undecided: the CIB still says what it said before (have-quorum kept), so the policy engine must not
            // be asked at all, or it would fence the other half on a quorum this partition may not have.
            out().info("waiting before acting on quorum: " + decision.reason());
            return null;
        }
        TransitionPlan requested = fencing.requestedFencing(cib);
        if (requested != null) {
            return requested;
        }
        // The policy engine decides fencing (lost members, failed stops, on-fail=fence, startup-fencing) on
        // exactly the input that is saved: execution-date (whole seconds) is the time it decides at, so that crm
        // simulate on the saved file decides the same.
        noteInput(cib, TransitionPlan.POLICY_ENGINE);
        Cib input = decisionInput;
        TransitionPlan engine;
        try {
            engine = c.scheduler().schedule(input, c.now());
        } catch (RuntimeException e) {
            out().add(new Effect.Log(Effect.Log.Level.ERROR, "the policy engine failed on CIB " + cib.version()
                    + " (input " + (inputSeq + 1) + "): " + e));
            return new TransitionPlan(TransitionPlan.POLICY_ENGINE + "-failed", List.of());
        }
        // Whatever this transition holds (fencing too): the DC schedules again when a lost connection may reconnect.
        long reconnectAtMs = RemoteRouting.nextReconnectAtMs(cib, c.now().toEpochMilli());
        if (reconnectAtMs > 0) {
            // (one second late: the engine decides at whole seconds, and must see the interval passed)
            out().timer(new TimerKey("reconnect"), reconnectAtMs - c.now().toEpochMilli() + 1_000);
        }
        if (!fencing.engineFencing(cib, engine).isEmpty()) {
            // Fencing first, in the engine's transition: what it orders after the fencing (recovery) waits for it.
            engineDecision = engine;
            return heldBack(engine, cib);
        }
        decisionInput = null;
        Planner.activeOnNonMembers(cib, view).forEach(blocked::putIfAbsent);
        HoldBack.notStartableWithoutFencing(cib, c.config().quorum(), fencing.watchdogFencingOn(cib))
                .forEach(blocked::putIfAbsent);
        if (!quorate && decision != null && decision.pending()) {
            out().info("waiting before acting on quorum: " + decision.reason());
            return null;
        }
        // Without quorum the policy engine applies no-quorum-policy itself (stop, freeze, demote, ignore), from the
        // have-quorum this DC wrote.
        decisionInput = input;
        decisionSource = TransitionPlan.POLICY_ENGINE;
        engineDecision = engine;
        if (!quorate && policy.equals("suicide")) {
            // The engine fences every member of a partition that lost quorum (no-quorum-panic); the DC carries
            // that out by having each of them take itself down, this node too (it never fences itself).
            List<String> panic = engine.fenceTargets().stream().filter(view::contains).toList();
            for (String m : panic) {
                out().send(m, new Message.Suicide(view.id(), "no quorum (" + quorumReason()
                        + ") and no-quorum-policy=suicide"));
            }
            if (!panic.isEmpty()) {
                return null;
            }
        }
        return heldBack(engine, cib);
    }

    /** The engine's plan minus what the DC holds back for safety (see HoldBack.filter). */
    private TransitionPlan heldBack(TransitionPlan p, Cib cib) {
        Map<String, String> removed = new LinkedHashMap<>();
        TransitionPlan filtered = HoldBack.filter(p, cib, view, c.self(), blocked, fencing.fenceGaveUp.keySet(),
                quorate, removed);
        removed.forEach((a, why) -> out().info("held back " + a + ": " + why));
        return RemoteRouting.afterConnections(filtered, RemoteRouting.names(cib));
    }
}
