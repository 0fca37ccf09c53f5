package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibVersion;
import org.pulse.cib.xml.XmlElement;

/**
 * The duties of the DC (the first member of the view): the join round that confirms quorum by
 * acknowledgements and picks the highest CIB, CIB writes replicated to every member before the
 * operator hears "done", and the transition engine (the policy engine's transition; dispatch;
 * abort and reschedule).
 */
final class DcRole {
    /** Who waits for a write's outcome: a request on this node, or a forward of {@code node} in {@code viewId}. */
    record ReplyTo(String node, long id, String viewId) {
    }

    private record PendingWrite(CibVersion version, ReplyTo replyTo, long seq) {
    }

    private record Queued(ReplyTo replyTo, AdminCommand.Write write) {
    }

    /** A fencing action waiting out its pcmk_delay_base/pcmk_delay_max before it is sent to its executor. */
    private record DelayedFence(String executor, OpRequest request, long timeoutMs) {
    }

    private final Controller c;
    private final Map<String, Message.JoinResponse> responses = new HashMap<>();
    private final Map<String, CibVersion> acked = new HashMap<>();
    private final List<PendingWrite> pending = new ArrayList<>();
    private final List<Queued> queued = new ArrayList<>();
    private final Map<String, String> blocked = new TreeMap<>();
    private final CibChecks checks = new CibChecks();
    /** The JGroups view this DC runs the join of: every member is asked. */
    private View joinView;
    /**
     * The partition this DC serves: the join view while the join runs, then the members that completed it
     * (answered within join-integration-timeout and stored the join's CIB within join-finalization-timeout).
     * Replication, quorum, fencing and placement count only these; the others are "pending", as in Pacemaker.
     */
    private View view;
    private boolean joined;
    private boolean quorate;
    private Quorum.Decision decision;
    /** Fencing actions of the current transition waiting for their delay, by op key. */
    private final Map<String, DelayedFence> delayedFences = new HashMap<>();
    /** Every member stored the join's CIB: only then may anything run (its membership facts are durable). */
    private CibVersion joinVersion;
    private boolean syncConfirmed;
    private TransitionRun current;
    /** Why the DC last wanted to schedule (the newest reason wins): a transition's trigger, for the console. */
    private String scheduleReason = "start";
    /** Fence planner steps sent so far: each gets an op key of its own. */
    private long fenceSteps;
    private long transitionSeq;
    private long writeSeq;
    private long inputSeq;
    private boolean needSchedule;
    private List<String> pendingFence = List.of();
    private Instant fenceRetryAt = Instant.EPOCH;

    /**
     * A fencing run (a device's off/reboot against a target) or a fencer query (list/status) as the
     * fence planner chose it: which target, device, executor and topology level (0: none).
     * {@code query}: "list" or "status" for a query, null for a fencing run.
     */
    private record FenceRun(String target, String device, String executor, int level, String action, String query) {
    }

    /** Where fencing of each target stands (attempts, level, tries), kept between transitions. */
    private final Map<String, FencePlanner.Progress> fenceProgress = new TreeMap<>();
    /** Targets whose fencing stopped at stonith-max-attempts, with why; their resources stay blocked. */
    private final Map<String, String> fenceGaveUp = new TreeMap<>();
    /** Nodes an operator asked to fence (crm node fence), until they are fenced. */
    private final java.util.Set<String> fenceRequested = new java.util.TreeSet<>();
    /** Fencing actions the fence planner put in a plan, until they are dispatched. */
    private final Map<PlannedAction, FenceRun> plannedFenceRuns = new HashMap<>();
    /** Fencing runs and queries in flight, by op key. */
    private final Map<String, FenceRun> fenceRuns = new HashMap<>();
    /** Targets to fence through their watchdog that were members (or not seen lost): when the wait began. */
    private final Map<String, Instant> watchdogSince = new TreeMap<>();
    /** Devices' answers to list (by device) and status (by device and target), for pcmk_host_check. */
    private final Map<String, FenceDevices.QueryAnswer> listAnswers = new HashMap<>();
    private final Map<String, FenceDevices.QueryAnswer> statusAnswers = new HashMap<>();

    DcRole(Controller c) {
        this.c = c;
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
        return new TreeMap<>(fenceGaveUp);
    }

    private Outbox out() {
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
        acked.clear();
        delayedFences.clear();
        abandonFenceRuns(v);
        if (current != null) {
            out().info("abandoning " + current.summary() + ": new view");
            current = null;
        }
        needSchedule = true;
        for (String m : v.members()) {
            out().send(m, new Message.JoinRequest(v.id(), c.version()));
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
        long ms = Cibs.parseDurationMs(Cibs.property(c.cib(), property, null), defaultMs);
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
        for (PendingWrite w : pending) {
            reply(w.replyTo(), AdminResult.error(AdminResult.UNCERTAIN, reason + " before every member confirmed"
                    + " the change to " + w.version() + "; it may or may not be kept: check with crm configure show"));
        }
        pending.clear();
        for (Queued q : queued) {
            reply(q.replyTo(), AdminResult.error(AdminResult.NO_DC, reason + "; retry the change"));
        }
        queued.clear();
        delayedFences.clear();
        fenceRuns.clear();
        plannedFenceRuns.clear();
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
        Cib best = c.cib();
        String bestFrom = c.self();
        for (Map.Entry<String, Message.JoinResponse> e : responses.entrySet()) {
            Cib theirs = e.getValue().cib();
            if (theirs != null && theirs.version().isNewerThan(best.version())) {
                best = theirs;
                bestFrom = e.getKey();
            }
        }
        if (!bestFrom.equals(c.self())) {
            // Pacemaker's rule: the highest version wins, whoever became DC.
            out().info("adopting the CIB of " + bestFrom + " (" + best.version() + " > " + c.version() + ")");
            resignWrites("the CIB of " + bestFrom + " (" + best.version() + ") superseded this DC's after partitions merged");
        }
        XmlElement root = Cibs.withNodes(best.root(), view.members());
        for (String m : view.members()) {
            XmlElement lrm = responses.get(m).lrm();
            root = Cibs.updateNodeState(root, m, ns -> Cibs.withLrm(Cibs.withAttrs(ns, "in_ccm", "true",
                    "crmd", "online", "join", "member", "expected", "member"), lrm));
        }
        java.util.Set<String> suspects = new java.util.TreeSet<>();
        responses.values().forEach(r -> suspects.addAll(r.suspects()));
        for (String node : suspects) {
            if (!view.contains(node)) {
                root = Cibs.updateNodeState(root, node, s -> Cibs.withAttrs(s, "expected", "member"));
            }
        }
        for (String m : silent) {
            // In the membership but not joined: Pacemaker's pending node (online to corosync, not a member).
            root = Cibs.updateNodeState(root, m, ns -> Cibs.withAttrs(ns, "in_ccm", "true", "crmd", "online",
                    "join", "pending"));
        }
        for (XmlElement ns : Cibs.nodeStates(root)) {
            String node = ns.attr("uname", ns.id());
            if (node != null && !joinView.contains(node) && !"false".equals(ns.attr("in_ccm"))) {
                root = Cibs.updateNodeState(root, node, s -> Cibs.withAttrs(s, "in_ccm", "false", "crmd", "offline",
                        "join", "down"));
            }
        }
        for (String m : view.members()) {
            // A node still shutting down asks again after this join; a stale request must not linger.
            root = Cibs.updateNodeState(root, m, ns -> Cibs.withTransientAttribute(ns, m, "shutdown", null));
        }
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
        // As Pacemaker's DC stamps its own feature set: the policy engine reads history by it (fail counts per
        // operation, as this controller records them, count from 3.0.13 on).
        // Undecided (a tie-breaker not answered yet): the CIB keeps what it said, so that members' watchdogs
        // are not stopped for good by a "0" that may turn out quorate; the DC acts on nothing meanwhile.
        String haveQuorum = decision.pending() ? root.attr("have-quorum", "0") : quorate ? "1" : "0";
        root = root.withAttribute("have-quorum", haveQuorum).withAttribute("dc-uuid", c.self())
                .withAttribute("crm_feature_set", Cibs.CRM_FEATURE_SET);
        // As Pacemaker's DC records whether SBD runs on it: the policy engine then counts watchdog
        // self-fencing as a way to fence (have-watchdog), so a cluster without a fence device may run.
        root = Cibs.withHaveWatchdog(root, c.config().watchdogTimeoutMs() > 0);
        Cib joinedCib = Cibs.next(best, root);
        c.storeCib(joinedCib, true);
        joined = true;
        joinVersion = joinedCib.version();
        syncConfirmed = view.members().size() == 1;
        c.markJoined(view.id());
        acked.put(c.self(), joinedCib.version());
        for (String m : view.members()) {
            if (!m.equals(c.self())) {
                out().send(m, new Message.CibSync(view.id(), joinedCib));
                if (!c.fenceHistory().isEmpty()) {
                    // A member that joined since has not heard the history yet.
                    out().send(m, new Message.FenceHistory(view.id(), c.fenceHistory()));
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
        List<Queued> waiting = new ArrayList<>(queued);
        queued.clear();
        out().add(new Effect.CancelTimer(new TimerKey("queued")));
        for (Queued q : waiting) {
            write(q.replyTo(), q.write());
        }
        long recheckMs = Cibs.parseDurationMs(Cibs.property(joinedCib, "cluster-recheck-interval", "15min"), 900_000);
        if (recheckMs > 0) {
            out().timer(new TimerKey("recheck"), recheckMs);
        }
        runEngine();
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
                    commit(Cibs.next(c.cib(), c.cib().root().withAttribute("have-quorum", quorate ? "1" : "0")));
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
        commit(Cibs.next(c.cib(), c.cib().root().withAttribute("have-quorum", quorate ? "1" : "0")));
        requestSchedule("quorum " + (quorate ? "gained" : "lost"));
        runEngine();
    }

    // ---- CIB writes and replication

    void write(ReplyTo replyTo, AdminCommand.Write w) {
        if (!joined) {
            if (queued.size() >= 1000) {
                reply(replyTo, AdminResult.error(AdminResult.NO_DC, "the cluster is forming and too many changes"
                        + " wait; retry in a moment"));
                return;
            }
            if (queued.isEmpty()) {
                out().timer(new TimerKey("queued"), c.config().writeTimeoutMs());
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
            requestFence(replyTo, f.node());
            return;
        }
        Cib cur = c.cib();
        Cib next;
        try {
            next = CibEdits.apply(cur, w.edit());
        } catch (CibEdits.Refused e) {
            reply(replyTo, AdminResult.error(e.code, e.getMessage()));
            return;
        }
        if (w.by() != null) {
            // ACLs: judged here, on the CIB the change applies to, with that CIB's ACLs.
            java.util.Optional<org.pulse.cib.acl.AclDenial> denied = org.pulse.cib.acl.CibAcl.checkWrite(cur.root(),
                    next.root(), w.by().subject());
            if (denied.isPresent()) {
                out().warn("write refused for " + w.by() + ": " + denied.get().message());
                reply(replyTo, AdminResult.error(AdminResult.ACCESS_DENIED, denied.get().message()));
                return;
            }
        }
        boolean configuration = next.version().epoch() != cur.version().epoch()
                || next.version().adminEpoch() != cur.version().adminEpoch();
        if (configuration) {
            // Checked here, before anything is sent or stored: a member's store would refuse (or
            // worse, a node would stop on) a CIB the DC had already committed.
            List<org.pulse.cib.CibProblem> added = checks.addedErrors(cur, next);
            if (!added.isEmpty()) {
                reply(replyTo, AdminResult.error(AdminResult.INVALID, CibChecks.message(added)));
                return;
            }
            String watchdogProblem = WatchdogFencing.problem(next, c.self(), c.config().watchdogTimeoutMs());
            if (watchdogProblem != null && !watchdogProblem.equals(WatchdogFencing.problem(cur, c.self(),
                    c.config().watchdogTimeoutMs()))) {
                reply(replyTo, AdminResult.error(AdminResult.INVALID, "the change is refused; nothing was changed: "
                        + watchdogProblem));
                return;
            }
        }
        if (configuration && !quorate && !w.force()) {
            reply(replyTo, AdminResult.error(AdminResult.NO_QUORUM, "this partition has " + quorumReason()
                    + ": configuration changes are refused so that"
                    + " the partition with quorum cannot be contradicted; bring the other nodes back, or force"
                    + " the change if you know they are down"));
            return;
        }
        if (next.equals(cur)) {
            reply(replyTo, AdminResult.written(cur.version(), "no change"));
            return;
        }
        if (w.by() != null) {
            next = Cib.of(next.root().withAttribute("update-origin", w.by().origin())
                    .withAttribute("update-client", w.by().client()).withAttribute("update-user", w.by().user()));
            out().info("CIB " + next.version() + " written by " + w.by() + ": " + w.edit().getClass().getSimpleName());
        }
        commit(next);
        long seq = ++writeSeq;
        pending.add(new PendingWrite(next.version(), replyTo, seq));
        out().timer(TimerKey.of("write", seq), c.config().writeTimeoutMs());
        if (w.edit() instanceof CibEdit.Cleanup cl) {
            for (String m : view.members()) {
                if (cl.node() == null || cl.node().equals(m)) {
                    out().send(m, new Message.ForgetHistory(view.id(), cl.resourceId() == null ? "" : cl.resourceId()));
                }
            }
        }
        requestSchedule(configuration ? "configuration changed" : "status changed by an operator");
        checkPending();
        runEngine();
    }

    /** The DC's CIB becomes {@code next}: sent to every member as a diff, and stored. */
    private void commit(Cib next) {
        Cib old = c.cib();
        if (next.equals(old)) {
            return;
        }
        // The members store in parallel with the DC: the diff goes out first, then the DC's own
        // (possibly durable) store. Nothing is acknowledged before the members' acks arrive, which is
        // a later event, after the DC's store completed.
        if (joined) {
            CibDiff diff = CibDiff.diff(old, next);
            for (String m : view.members()) {
                if (!m.equals(c.self())) {
                    out().send(m, new Message.CibUpdate(view.id(), diff));
                }
            }
        }
        c.storeCib(next, false);
        acked.put(c.self(), next.version());
    }

    private void checkPending() {
        if (!joined) {
            return;
        }
        if (!syncConfirmed && view.members().stream().allMatch(m -> acked.containsKey(m)
                && acked.get(m).compareTo(joinVersion) >= 0)) {
            syncConfirmed = true;
            runEngine();
        }
        pending.removeIf(w -> {
            for (String m : view.members()) {
                CibVersion v = acked.get(m);
                if (v == null || v.compareTo(w.version()) < 0) {
                    return false;
                }
            }
            out().add(new Effect.CancelTimer(TimerKey.of("write", w.seq())));
            reply(w.replyTo(), AdminResult.written(w.version(), "stored by all " + view.members().size()
                    + " members of the partition"));
            return true;
        });
    }

    /**
     * join-finalization-timeout passed and some members have not confirmed storing the join's CIB: they are
     * left out as pending (the others must not wait for them to run anything), and asked to join again.
     */
    private void dropUnconfirmed() {
        List<String> confirmed = view.members().stream().filter(m -> acked.containsKey(m)
                && acked.get(m).compareTo(joinVersion) >= 0).toList();
        List<String> silent = view.members().stream().filter(m -> !confirmed.contains(m)).toList();
        out().warn("join of view " + view.id() + ": " + silent + " did not confirm storing CIB " + joinVersion
                + " within " + joinTimeoutMs("join-finalization-timeout", DEFAULT_JOIN_FINALIZATION_TIMEOUT_MS)
                + " ms (join-finalization-timeout); going on without them");
        view = new View(view.id(), confirmed);
        XmlElement root = c.cib().root();
        for (String m : silent) {
            root = Cibs.updateNodeState(root, m, ns -> Cibs.withAttrs(ns, "join", "pending"));
        }
        commit(Cibs.next(c.cib(), root));
        recheckQuorum("members left out of the join");
        out().timer(new TimerKey("join-retry"), joinTimeoutMs("join-integration-timeout",
                DEFAULT_JOIN_INTEGRATION_TIMEOUT_MS));
        requestSchedule("members left out of the join");
        checkPending();
        runEngine();
    }

    private void resignWrites(String reason) {
        for (PendingWrite w : pending) {
            reply(w.replyTo(), AdminResult.error(AdminResult.UNCERTAIN, reason + "; the change to " + w.version()
                    + " is lost: check with crm configure show and redo it"));
        }
        pending.clear();
    }

    private void reply(ReplyTo to, AdminResult result) {
        if (to.node().equals(c.self())) {
            c.replyLocal(to.id(), result);
        } else {
            out().send(to.node(), new Message.ForwardedReply(to.viewId(), to.id(), result));
        }
    }

    // ---- messages and timers

    void onMessage(String from, Message m) {
        if (m instanceof Message.JoinResponse r) {
            onJoinResponse(from, r);
        } else if (m instanceof Message.CibAck a) {
            if (a.viewId().equals(view.id()) && joined && !view.contains(from) && joinView.contains(from)) {
                rejoinLate(from, "acknowledged the join's CIB");
            } else if (a.viewId().equals(view.id())) {
                acked.merge(from, a.version(), (x, y) -> x.compareTo(y) >= 0 ? x : y);
                checkPending();
            }
        } else if (m instanceof Message.ResyncRequest r) {
            if (joined && r.viewId().equals(view.id()) && view.contains(from)) {
                out().send(from, new Message.CibSync(view.id(), c.cib()));
            }
        } else if (m instanceof Message.OpReport r) {
            onOpReport(from, r);
        } else if (m instanceof Message.ShutdownRequest r) {
            if (joined && r.viewId().equals(view.id()) && view.contains(from)) {
                XmlElement root = Cibs.updateNodeState(c.cib().root(), from, ns -> Cibs.withTransientAttribute(ns, from,
                        "shutdown", Long.toString(c.now().getEpochSecond())));
                commit(Cibs.next(c.cib(), root));
                requestSchedule(from + " asked to shut down");
                runEngine();
            }
        } else if (m instanceof Message.ForwardedAdmin f) {
            if (!f.viewId().equals(view.id()) || !view.contains(from)) {
                c.refusedStale("forwarded write #" + f.forwardId() + " from " + from + " of view " + f.viewId());
                if (view.contains(from)) {
                    // Tagged with its own view: a node still waiting for it learns at once, any other ignores it.
                    reply(new ReplyTo(from, f.forwardId(), f.viewId()), AdminResult.error(AdminResult.NO_DC,
                            "the cluster's membership changed while the change travelled to the DC; nothing was"
                                    + " applied: retry"));
                }
            } else if (f.command() instanceof AdminCommand.Write w) {
                write(new ReplyTo(from, f.forwardId(), f.viewId()), w);
            }
        }
    }

    void onTimer(TimerKey key) {
        if (key.is("join-retry")) {
            // Also after the join, to the members left out: a member that was only slow answers and joins.
            List<String> silent = joined ? pendingMembers()
                    : joinView.members().stream().filter(m -> !responses.containsKey(m)).toList();
            for (String m : silent) {
                out().send(m, new Message.JoinRequest(joinView.id(), c.version()));
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
            long seq = Long.parseLong(key.detail());
            pending.removeIf(w -> {
                if (w.seq() != seq) {
                    return false;
                }
                reply(w.replyTo(), AdminResult.error(AdminResult.TIMEOUT, "not every member confirmed storing "
                        + w.version() + " within " + c.config().writeTimeoutMs() / 1000 + " s; the DC has it and"
                        + " keeps replicating — check with crm status"));
                return true;
            });
        } else if (key.is("queued")) {
            for (Queued q : queued) {
                reply(q.replyTo(), AdminResult.error(AdminResult.NO_DC, "the cluster did not finish forming within "
                        + c.config().writeTimeoutMs() / 1000 + " s; retry"));
            }
            queued.clear();
        } else if (key.is("action")) {
            PlannedAction a = current == null ? null : current.inFlight(key.detail());
            if (a != null) {
                out().warn("no result for " + a + " within " + a.timeoutMs() + " ms (+ margin): counting it failed");
                FenceRun fr = fenceRuns.remove(key.detail());
                delayedFences.remove(key.detail());
                if (fr != null) {
                    onFenceOutcome(fr, a, key.detail(), false, FenceEvent.TIMED_OUT, "no result within " + a.timeoutMs() + " ms",
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
        } else if (key.is("fence-retry") || key.is("recheck")) {
            needSchedule = true;
            scheduleReason = key.is("recheck") ? "cluster-recheck-interval" : "fence retry";
            if (key.is("recheck")) {
                long recheckMs = Cibs.parseDurationMs(Cibs.property(c.cib(), "cluster-recheck-interval", "15min"),
                        900_000);
                out().timer(key, Math.max(recheckMs, 1000));
            }
            runEngine();
        }
    }

    // ---- operation results

    private void onOpReport(String from, Message.OpReport rep) {
        OpResult r = rep.result();
        if (!rep.viewId().equals(view.id())) {
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
        if (LrmOps.recordable(r)) {
            recordResult(from, r, rep.callId(), rep.opDigest(), a == null ? null : a.params());
        }
        FenceRun fr = a == null ? null : fenceRuns.remove(r.opKey());
        if (a != null && fr != null) {
            out().add(new Effect.CancelTimer(TimerKey.of("action", r.opKey())));
            boolean ok = r.is(0);
            onFenceOutcome(fr, a, r.opKey(), ok, ok ? FenceEvent.SUCCESS : FenceEvent.FAILED, "rc " + r.rc() + " (" + r.status()
                    + ")" + (r.exitReason().isEmpty() ? "" : ": " + r.exitReason()), r.output(), r.rc());
        } else if (a != null) {
            out().add(new Effect.CancelTimer(TimerKey.of("action", r.opKey())));
            boolean ok = r.is(a.expectedRc());
            current.completed(a, ok, a + " returned rc " + r.rc() + " (" + r.status() + ")"
                    + (r.exitReason().isEmpty() ? "" : ": " + r.exitReason()));
        } else if (LrmOps.isFailure(r)) {
            requestSchedule(r.resourceId() + " " + r.action() + (r.intervalMs() > 0 ? " (" + r.intervalMs() + " ms)" : "")
                    + " failed on " + from + " with rc " + r.rc());
        } else if (r.intervalMs() == 0 && LrmOps.recordable(r)) {
            // The result of an operation no transition waits for any more (reported pending at a join, or
            // timed out here first): the state it records is news to the policy engine.
            requestSchedule(r.resourceId() + " " + r.action() + " on " + from + " ended outside a transition");
        }
        runEngine();
    }

    /** Writes one operation's result (or pending state) into {@code node}'s history in the status section. */
    private void recordResult(String node, OpResult r, long callId, String opDigest, Map<String, String> params) {
        long nowSec = c.now().getEpochSecond();
        XmlElement root = Cibs.updateNodeState(c.cib().root(), node, ns -> {
            XmlElement lrm = Cibs.lrmOf(ns, node);
            XmlElement lr = lrm.element("lrm_resources").orElse(XmlElement.of("lrm_resources"));
            XmlElement base = lr.elements("lrm_resource").stream().filter(e -> r.resourceId().equals(e.id()))
                    .findFirst().orElse(null);
            XmlElement updated = LrmOps.record(base, r, callId, node, nowSec, opDigest, params);
            XmlElement newLr = lr.withChildReplaced(e -> e.name().equals("lrm_resource")
                    && r.resourceId().equals(e.id()), updated);
            XmlElement newNs = Cibs.withLrm(ns, lrm.withChildReplaced(e -> e.name().equals("lrm_resources"), newLr));
            return LrmOps.isFailure(r) ? withFailure(newNs, node, r, nowSec) : newNs;
        });
        commit(Cibs.next(c.cib(), root));
    }

    /** One more than the highest call id in the node's recorded history: sorts after everything known there. */
    private long nextCallId(String node) {
        long max = 0;
        var ns = Cibs.nodeState(c.cib().root(), node);
        if (ns.isPresent()) {
            for (XmlElement res : Cibs.lrmResources(ns.get())) {
                for (XmlElement op : res.elements("lrm_rsc_op")) {
                    try {
                        max = Math.max(max, Long.parseLong(op.attr("call-id", "0")));
                    } catch (NumberFormatException e) {
                        // not ours to judge: it only cannot be the highest
                    }
                }
            }
        }
        return max + 1;
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
        OpResult timedOut = new OpResult(opKey, a.resourceId(), a.agent(), a.operation(), a.intervalMs(), 1,
                OpStatus.TIMEOUT, "no result from " + a.node() + " within " + a.timeoutMs() + " ms + "
                + c.config().actionMarginMs() + " ms: recorded as timed out by the DC", a.timeoutMs());
        if (LrmOps.recordable(timedOut)) {
            recordResult(a.node(), timedOut, nextCallId(a.node()), null, a.params());
        }
    }

    /** Fail counts as Pacemaker keeps them: a failed start bans the node (INFINITY), others count up. */
    private static XmlElement withFailure(XmlElement ns, String node, OpResult r, long nowSec) {
        if (r.action().equals("monitor") && r.intervalMs() == 0) {
            return ns;
        }
        String key = r.resourceId() + "#" + r.action() + "_" + r.intervalMs();
        String count;
        if (r.action().equals("start") || r.action().equals("stop")) {
            count = "INFINITY";
        } else {
            String prev = Cibs.transientAttributes(ns).get("fail-count-" + key);
            long n = 0;
            try {
                n = prev == null ? 0 : Long.parseLong(prev);
            } catch (NumberFormatException e) {
                n = 1_000_000;
            }
            count = Long.toString(Math.min(n + 1, 1_000_000));
        }
        XmlElement out = Cibs.withTransientAttribute(ns, node, "fail-count-" + key, count);
        return Cibs.withTransientAttribute(out, node, "last-failure-" + key, Long.toString(nowSec));
    }

    // ---- fencing: the fence planner decides, the DC runs its steps and keeps the history

    /** Members that left the view without a clean shutdown (their node_state still expects them). */
    private List<String> lostMembers(Cib cib) {
        List<String> out = new ArrayList<>();
        for (XmlElement ns : Cibs.nodeStates(cib.root())) {
            String node = ns.attr("uname", ns.id());
            if (node != null && !node.equals(c.self()) && !view.contains(node) && "member".equals(ns.attr("expected"))
                    && !"true".equals(ns.attr("in_ccm"))) {
                out.add(node);
            }
        }
        return out;
    }

    /** One fencing action per target: its next step (a device run or a query), or null when none can run now. */
    private TransitionPlan fencePlan(List<String> targets) {
        plannedFenceRuns.clear();
        List<PlannedAction> actions = new ArrayList<>();
        for (String target : targets) {
            if (fenceGaveUp.containsKey(target)) {
                continue;
            }
            PlannedAction a = fenceStep(target, actions.size());
            if (a != null) {
                actions.add(a);
            }
        }
        return actions.isEmpty() ? null : new TransitionPlan("fencing", actions);
    }

    /**
     * Asks the fence planner for the target's next step. A device run or query comes back as an
     * action (remembered, to be tracked when dispatched); an ended attempt, giving up, or a completed
     * level is handled here and gives null.
     */
    private PlannedAction fenceStep(String target, int actionId) {
        FencePlanner.Decision d = FencePlanner.next(c.cib(), view, c.self(), target, fenceProgress.getOrDefault(target,
                FencePlanner.Progress.fresh()), new FencePlanner.Answers(listAnswers, statusAnswers), c.now(),
                c.config().defaultOpTimeoutMs(), watchdogWait(target));
        d.notes().forEach(n -> out().info("fencing " + target + ": " + n));
        fenceProgress.put(target, d.progress());
        FencePlanner.Step s = d.step();
        if (s instanceof FencePlanner.Step.Run r) {
            PlannedAction a = new PlannedAction(actionId, r.executor(), r.device().id(), r.device().primitive().agent(),
                    r.agentAction(), 0, r.timeoutMs(), r.params(), 0, List.of(), target);
            plannedFenceRuns.put(a, new FenceRun(target, r.device().id(), r.executor(), r.level(), r.action(), null));
            return a;
        }
        if (s instanceof FencePlanner.Step.Query q) {
            PlannedAction a = new PlannedAction(actionId, q.executor(), q.device().id(), q.device().primitive().agent(),
                    q.agentAction(), 0, q.timeoutMs(), q.params(), 0, List.of(), null);
            plannedFenceRuns.put(a, new FenceRun(target, q.device().id(), q.executor(), 0, q.agentAction(),
                    q.agentAction()));
            return a;
        }
        if (s instanceof FencePlanner.Step.Fenced f) {
            if (f.devices().contains(WatchdogFencing.DEVICE)) {
                addFenceHistory(new FenceEvent(target, c.self(), WatchdogFencing.DEVICE, f.level(),
                        FenceDevices.clusterAction(c.cib()), FenceEvent.SUCCESS, c.now().toEpochMilli(),
                        "self-fenced by its watchdog: stonith-watchdog-timeout passed since it was lost"));
            }
            watchdogSince.remove(target);
            markFenced(target, f.devices(), f.level());
        } else if (s instanceof FencePlanner.Step.WatchdogWait w) {
            long waitMs = Math.max(1, w.readyAt().toEpochMilli() - c.now().toEpochMilli());
            if (view.contains(target)) {
                // A member to fence (a failed stop, an operator's request; the DC itself too) is told to fence
                // itself: it stops feeding its watchdog, which resets it; the wait counts from now.
                out().send(target, new Message.Suicide(view.id(), "fenced through the watchdog by the DC " + c.self()));
            }
            out().info("fencing " + target + " through its watchdog: it counts as fenced in " + waitMs
                    + " ms (stonith-watchdog-timeout since it was lost); nothing of it is recovered before");
            if (w.readyAt().isAfter(fenceRetryAt)) {
                fenceRetryAt = w.readyAt();
            }
            out().timer(new TimerKey("fence-retry"), waitMs);
        } else if (s instanceof FencePlanner.Step.AttemptFailed af) {
            out().warn(af.why() + "; the next attempt in " + c.config().fenceRetryMs() + " ms");
            fenceRetryAt = c.now().plusMillis(c.config().fenceRetryMs());
            out().timer(new TimerKey("fence-retry"), c.config().fenceRetryMs());
        } else if (s instanceof FencePlanner.Step.GiveUp g) {
            out().add(new Effect.Log(Effect.Log.Level.ERROR, g.why() + ": no more attempts; what ran there stays"
                    + " stopped. Fix the fence device, then crm node fence " + target + " to try again"));
            fenceGaveUp.put(target, g.why());
            addFenceHistory(new FenceEvent(target, "", "", 0, FenceDevices.clusterAction(c.cib()), FenceEvent.GAVE_UP,
                    c.now().toEpochMilli(), g.why()));
        }
        return null;
    }

    /**
     * The watchdog pseudo-device for a target: the cluster's stonith-watchdog-timeout as this DC reads it
     * (against its own watchdog), counted from when the target was lost, or, for a target still a member or
     * never seen lost by this node, from the first time this DC planned to fence it.
     */
    private WatchdogFencing.Wait watchdogWait(String target) {
        long ms = WatchdogFencing.timeoutMs(c.cib(), c.self(), c.config().watchdogTimeoutMs());
        if (ms <= 0) {
            return WatchdogFencing.Wait.OFF;
        }
        Instant lost = view.contains(target) ? null : c.lostAt(target);
        Instant since = lost != null ? lost : watchdogSince.computeIfAbsent(target, t -> c.now());
        return new WatchdogFencing.Wait(ms, since);
    }

    /** Whether fencing can happen without a fence device: watchdog fencing on, as this DC reads it. */
    private boolean watchdogFencingOn(Cib cib) {
        return WatchdogFencing.timeoutMs(cib, c.self(), c.config().watchdogTimeoutMs()) > 0;
    }

    /** A fencing run or query ended (result, timeout): record it, advance the target's progress. */
    private void onFenceOutcome(FenceRun fr, PlannedAction a, String opKey, boolean ok, String result, String detail,
            String output, int rc) {
        if (fr.query() != null) {
            // A query's failure is an answer too (no list action: ask status; status failed: cannot fence).
            boolean known = ok || (fr.query().equals("status") && result.equals(FenceEvent.FAILED)
                    && rc == LrmOps.RC_NOT_RUNNING);
            FenceDevices.QueryAnswer ans = new FenceDevices.QueryAnswer(known, fr.query().equals("list") && ok
                    ? FenceDevices.parseListOutput(output) : List.of(), c.now());
            if (fr.query().equals("list")) {
                listAnswers.put(fr.device(), ans);
            } else {
                statusAnswers.put(FencePlanner.Answers.statusKey(fr.device(), fr.target()), ans);
            }
            out().info(fr.device() + " answered " + fr.query() + " on " + fr.executor() + ": " + detail
                    + (ans.names().isEmpty() ? "" : " " + ans.names()));
            if (fromEngine(a)) {
                continueFence(a, opKey);
            } else {
                current.completed(a, true, null);
            }
            return;
        }
        addFenceHistory(new FenceEvent(fr.target(), fr.executor(), fr.device(), fr.level(), fr.action(), result,
                c.now().toEpochMilli(), detail));
        FencePlanner.Progress p = fenceProgress.getOrDefault(fr.target(), FencePlanner.Progress.fresh());
        boolean fenced = false;
        if (ok) {
            p = FencePlanner.succeeded(p, fr.device());
            fenceProgress.put(fr.target(), p);
            List<String> level = FencePlanner.levelDevices(c.cib(), fr.target(), p);
            if (level != null && p.levelDone().containsAll(level)) {
                markFenced(fr.target(), level, fr.level());
                fenced = true;
            } else {
                out().info(fr.device() + " fenced " + fr.target() + "; its level needs " + level + " to succeed");
            }
        } else {
            out().warn("fencing " + fr.target() + " with " + fr.device() + " on " + fr.executor() + " " + result + ": "
                    + detail);
            fenceProgress.put(fr.target(), FencePlanner.failed(p, fr.device(), fr.executor(), result + ", " + detail));
        }
        if (fromEngine(a) && !fenced) {
            // The engine ordered recovery after this fencing: it succeeds only once the target is fenced.
            continueFence(a, opKey);
            return;
        }
        current.completed(a, ok, a + " " + result + ": " + detail);
    }

    /** A fencing action of the policy engine (it names the target; the fence planner its steps). */
    private static boolean fromEngine(PlannedAction a) {
        return a.isFence() && a.resourceId().isEmpty();
    }

    private void markFenced(String target, List<String> devices, int level) {
        out().info("fenced " + target + " with " + String.join(" and ", devices)
                + (level > 0 ? " (topology level " + level + ")" : ""));
        commit(Cibs.next(c.cib(), Planner.markFenced(c.cib().root(), target, c.now().getEpochSecond())));
        fenceProgress.remove(target);
        fenceGaveUp.remove(target);
        fenceRequested.remove(target);
    }

    /**
     * A new view drops the transition: a run whose executor left counts as a failed try of its device
     * (another member tries next); one whose executor stayed is simply planned again.
     */
    private void abandonFenceRuns(View v) {
        for (FenceRun fr : fenceRuns.values()) {
            if (fr.query() != null || v.contains(fr.executor())) {
                continue;
            }
            addFenceHistory(new FenceEvent(fr.target(), fr.executor(), fr.device(), fr.level(), fr.action(),
                    FenceEvent.EXECUTOR_LEFT, c.now().toEpochMilli(), fr.executor() + " left the view"));
            fenceProgress.put(fr.target(), FencePlanner.failed(fenceProgress.getOrDefault(fr.target(),
                    FencePlanner.Progress.fresh()), fr.device(), fr.executor(), "the executor left"));
        }
        fenceRuns.clear();
        plannedFenceRuns.clear();
    }

    private void addFenceHistory(FenceEvent e) {
        List<FenceEvent> h = new ArrayList<>(c.fenceHistory());
        h.add(e);
        if (h.size() > FenceEvent.KEPT) {
            h = h.subList(h.size() - FenceEvent.KEPT, h.size());
        }
        c.setFenceHistory(h);
        if (view != null) {
            for (String m : view.members()) {
                if (!m.equals(c.self())) {
                    out().send(m, new Message.FenceHistory(view.id(), c.fenceHistory()));
                }
            }
        }
    }

    /** crm node fence NODE: checked, then fenced like a lost node (and its failed attempts forgotten). */
    private void requestFence(ReplyTo replyTo, String node) {
        java.util.Set<String> known = new java.util.TreeSet<>(c.voters(c.cib()));
        known.addAll(view.members());
        for (XmlElement ns : Cibs.nodeStates(c.cib().root())) {
            known.add(ns.attr("uname", ns.id()));
        }
        if (!known.contains(node)) {
            reply(replyTo, AdminResult.error(AdminResult.INVALID, "cannot fence '" + node + "': no such node in the"
                    + " cluster (known: " + String.join(", ", known) + "); check the name with crm status"));
            return;
        }
        if (node.equals(c.self())) {
            reply(replyTo, AdminResult.error(AdminResult.INVALID, "cannot fence " + node + ": it is the DC, which"
                    + " runs fencing; stop Pulse on it (the next DC then fences it if needed) or power it off"));
            return;
        }
        if (!Cibs.stonithEnabled(c.cib())) {
            reply(replyTo, AdminResult.error(AdminResult.INVALID, "cannot fence " + node + ": stonith-enabled"
                    + " (fencing-enabled) is false; set it to true first"));
            return;
        }
        if (!quorate && !Cibs.noQuorumPolicy(c.cib()).equals("ignore")) {
            reply(replyTo, AdminResult.error(AdminResult.NO_QUORUM, "cannot fence " + node + ": this partition has "
                    + quorumReason() + ", and a partition without quorum does not fence"));
            return;
        }
        if (FenceDevices.all(c.cib()).isEmpty() && !watchdogFencingOn(c.cib())) {
            reply(replyTo, AdminResult.error(AdminResult.INVALID, "cannot fence " + node + ": no fence device"
                    + " (stonith resource) is configured, and watchdog fencing (stonith-watchdog-timeout) is off"));
            return;
        }
        fenceRequested.add(node);
        fenceGaveUp.remove(node);
        fenceProgress.remove(node);
        reply(replyTo, AdminResult.written(c.version(), "fencing " + node + " requested; crm status shows the"
                + " outcome under Fencing history"));
        requestSchedule("an operator asked to fence " + node);
        runEngine();
    }

    private void requestSchedule(String why) {
        needSchedule = true;
        scheduleReason = why;
        if (current != null) {
            current.abort(why);
        }
        out().debug("reschedule: " + why);
    }

    // ---- the transition engine

    private void runEngine() {
        if (!joined) {
            return;
        }
        if (!syncConfirmed) {
            // Fencing may start while the members still store the join's CIB (it only takes nodes
            // out); anything that may start a resource waits until that CIB is on every member.
            if (current == null && needSchedule && !c.now().isBefore(fenceRetryAt)) {
                TransitionPlan p = fencingPlan();
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
            if (!needSchedule || c.now().isBefore(fenceRetryAt)) {
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
                current.completed(a, true, null);
                return;
            }
            // "delete" is the policy engine's name (Pacemaker's canonical one) for removing a resource's history
            // on a node (a resource no longer configured, or history of another agent): bookkeeping the DC does
            // itself, like lrm_delete; never an agent action (agents have no delete).
            case "clear_failcount", "lrm_delete", "delete" -> {
                String rsc = a.resourceId();
                boolean delete = !a.operation().equals("clear_failcount");
                commit(Cibs.next(c.cib(), delete
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
            if (fenceGaveUp.containsKey(a.fenceTarget())) {
                current.completed(a, false, "fencing " + a.fenceTarget() + " cannot run now: "
                        + fenceGaveUp.get(a.fenceTarget()));
                return;
            }
            continueFence(a, opKey);
            return;
        }
        run(a, a, opKey);
    }

    /**
     * The policy engine's fencing action {@code a} goes on with the fence planner's next step for its target
     * (a device run or a query, under a fresh op key), until the target is fenced (the action succeeds, and
     * what the engine ordered after it may run) or the attempt ends without it (the action fails: the
     * transition aborts, and the next one, after fence-retry, fences again).
     */
    private void continueFence(PlannedAction a, String opKey) {
        PlannedAction step = fenceStep(a.fenceTarget(), a.id());
        if (step == null) {
            // fenceStep handled the end: Fenced (the progress is gone), or an attempt that failed or gave up.
            boolean fenced = !fenceProgress.containsKey(a.fenceTarget());
            String why = fenceGaveUp.get(a.fenceTarget());
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
        FenceRun fenceRun = plannedFenceRuns.remove(run);
        if (fenceRun != null) {
            fenceRuns.put(opKey, fenceRun);
        }
        OpRequest req = new OpRequest(opKey, run.resourceId(), run.agent(), run.operation(), run.intervalMs(),
                Math.max(1, run.timeoutMs()), run.params());
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
        out().send(executor, new Message.Execute(view.id(), req));
        out().timer(TimerKey.of("action", req.opKey()), timeoutMs + c.config().actionMarginMs());
    }

    /**
     * Members that asked to shut down and have nothing possibly active left are recorded as
     * expected down (so that their leaving is clean, not a reason to fence) and let go.
     */
    private void grantShutdowns() {
        Map<String, java.util.Set<String>> active = Cibs.possiblyActive(c.cib().root());
        for (String m : view.members()) {
            var ns = Cibs.nodeState(c.cib().root(), m);
            if (ns.isEmpty() || !Cibs.transientAttributes(ns.get()).containsKey("shutdown")
                    || "down".equals(ns.get().attr("expected"))) {
                continue;
            }
            boolean busy = active.values().stream().anyMatch(nodes -> nodes.contains(m));
            if (!busy) {
                commit(Cibs.next(c.cib(), Cibs.updateNodeState(c.cib().root(), m,
                        s -> Cibs.withAttrs(s, "expected", "down"))));
                out().info("letting " + m + " shut down: nothing runs there any more");
                out().send(m, new Message.ShutdownGranted(view.id()));
            }
        }
    }

    /**
     * While the members still store the join's CIB: the fencing the policy engine decides on it, alone (an
     * operator's request first), when there is one to run now; else null. Fencing only takes nodes out, so it
     * need not wait; the engine's whole transition runs once the join's CIB is everywhere.
     */
    private TransitionPlan fencingPlan() {
        Cib cib = c.cib();
        if (!Cibs.stonithEnabled(cib) || quorumPending()) {
            // Undecided quorum: the CIB keeps its earlier have-quorum, which must not make the engine fence.
            return null;
        }
        TransitionPlan requested = requestedFencing(cib);
        if (requested != null) {
            return requested;
        }
        TransitionPlan engine;
        try {
            engine = c.scheduler().schedule(Cib.of(cib.root().withAttribute("execution-date",
                    Long.toString(c.now().getEpochSecond()))), c.now());
        } catch (RuntimeException e) {
            return null;
        }
        List<String> targets = engineFencing(cib, engine);
        List<PlannedAction> fences = new ArrayList<>();
        for (PlannedAction a : engine.actions()) {
            if (a.isFence() && targets.contains(a.fenceTarget())) {
                fences.add(new PlannedAction(a.id(), c.self(), a.resourceId(), a.agent(), a.operation(), a.intervalMs(),
                        a.timeoutMs(), a.params(), a.expectedRc(), List.of(), a.fenceTarget()));
            }
        }
        return fences.isEmpty() ? null : new TransitionPlan("fencing", fences);
    }

    /** The fencing an operator asked for (crm node fence), as a plan of its own; null when there is none to run. */
    private TransitionPlan requestedFencing(Cib cib) {
        List<String> live = new ArrayList<>(fenceRequested);
        live.removeAll(fenceGaveUp.keySet());
        boolean mayFence = quorate || Cibs.noQuorumPolicy(cib).equals("ignore");
        if (live.isEmpty() || !mayFence || !Cibs.stonithEnabled(cib)
                || (Cibs.fenceDevices(cib).isEmpty() && !watchdogFencingOn(cib))) {
            return null;
        }
        TransitionPlan fp = fencePlan(live);
        live.removeAll(fenceGaveUp.keySet());
        pendingFence = List.copyOf(live);
        return fp == null ? null : new TransitionPlan("fencing", fp.actions());
    }

    /**
     * The nodes the policy engine's transition fences, as the DC runs them. This node itself too (a stop failed
     * here): as Pacemaker's fencer, a device never runs on its own target, so another member runs it against the
     * DC (FencePlanner.executors), and the next DC finds this one lost and recovers; with watchdog fencing the DC
     * stops feeding its own watchdog. Holding the DC's fencing back instead left what ran here stopped for as
     * long as this node stayed DC (seed 20261179). Never a node whose fencing gave up
     * (stonith-max-attempts). The fencer's progress is kept only for nodes still unclean or requested; every
     * unclean node that is not fenced now gets its resources' reason for crm status.
     */
    private List<String> engineFencing(Cib cib, TransitionPlan engine) {
        if (!quorate && Cibs.noQuorumPolicy(cib).equals("suicide")) {
            // Each member takes itself down (see decide); the engine's panic fencing is not run by the DC.
            return List.of();
        }
        java.util.Set<String> still = new java.util.HashSet<>(engine.unclean().keySet());
        still.addAll(fenceRequested);
        // A node that needs no fencing any more (it came back cleanly, or was fenced) starts afresh next time.
        fenceProgress.keySet().retainAll(still);
        fenceGaveUp.keySet().retainAll(still);
        List<String> targets = new ArrayList<>();
        for (String n : engine.fenceTargets()) {
            if (!fenceGaveUp.containsKey(n)) {
                targets.add(n);
            }
        }
        List<String> pending = new ArrayList<>(pendingFence);
        targets.stream().filter(n -> !pending.contains(n)).forEach(pending::add);
        pendingFence = List.copyOf(pending);
        boolean mayFence = quorate || Cibs.noQuorumPolicy(cib).equals("ignore");
        for (Map.Entry<String, String> e : engine.unclean().entrySet()) {
            String n = e.getKey();
            if (targets.contains(n)) {
                continue;
            }
            String why;
            if (fenceGaveUp.containsKey(n)) {
                why = "could not be fenced (" + fenceGaveUp.get(n) + "); fix the fence device, then crm node fence " + n;
            } else if (!Cibs.stonithEnabled(cib)) {
                why = "is unclean (" + e.getValue() + ") and stonith-enabled=false";
            } else if (!mayFence) {
                why = "needs fencing, and a partition without quorum does not fence";
            } else if (Cibs.fenceDevices(cib).isEmpty() && !watchdogFencingOn(cib)) {
                why = "needs fencing but no fence device is configured (stonith-enabled=true): configure a stonith"
                        + " resource, or set stonith-enabled=false if you accept the risk";
            } else {
                why = "needs fencing (" + e.getValue() + ")";
            }
            blocked.putAll(Planner.blockedByUnfenceable(cib, List.of(n), why));
        }
        return targets;
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
            out().add(new Effect.SaveSchedulerInput(++inputSeq, decisionInput,
                    decided == null ? new TransitionPlan(decisionSource, List.of()) : decided));
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
        XmlElement root = cib.root().withAttribute("execution-date", Long.toString(c.now().getEpochSecond()));
        if (!quorate && c.everQuorate()) {
            // As Pacemaker's controller marks the scheduler's input (not the CIB): this partition lost quorum.
            root = root.withAttribute("no-quorum-panic", "1");
        }
        decisionInput = Cib.of(root);
        decisionSource = source;
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
            for (String n : lostMembers(cib)) {
                // As Pacemaker with fencing off: what ran there counts as stopped.
                out().warn("stonith-enabled=false: taking " + n + " as down without fencing it");
                root = Planner.markFenced(root, n, c.now().getEpochSecond());
            }
            commit(Cibs.next(cib, root));
            cib = c.cib();
        }
        if (quorumPending()) {
            // Undecided: the CIB still says what it said before (have-quorum kept), so the policy engine must not
            // be asked at all, or it would fence the other half on a quorum this partition may not have.
            out().info("waiting before acting on quorum: " + decision.reason());
            return null;
        }
        TransitionPlan requested = requestedFencing(cib);
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
        if (!engineFencing(cib, engine).isEmpty()) {
            // Fencing first, in the engine's transition: what it orders after the fencing (recovery) waits for it.
            engineDecision = engine;
            return heldBack(engine, cib);
        }
        decisionInput = null;
        Planner.activeOnNonMembers(cib, view).forEach(blocked::putIfAbsent);
        QuorumConfig q = c.config().quorum();
        boolean splitNeedsFencing = q.twoNode() || q.tieBreaker().needsFencing();
        if (splitNeedsFencing && (!Cibs.stonithEnabled(cib) || (Cibs.fenceDevices(cib).isEmpty()
                && !watchdogFencingOn(cib)))) {
            // Both halves of a split may keep quorum (two_node, or both reach the ping target): only
            // fencing makes sure one of them is gone before the other starts what it ran.
            String setting = q.twoNode() ? "two_node = true" : "tie_breaker = " + q.tieBreaker();
            String lacking = !Cibs.stonithEnabled(cib) ? "stonith-enabled=false" : "no fence device is configured";
            java.util.Set<String> active = Cibs.possiblyActive(cib.root()).keySet();
            for (Primitive p : Cibs.primitives(cib).values()) {
                if (!p.agent().isStonith() && !active.contains(p.id())) {
                    blocked.putIfAbsent(p.id(), "not started: " + setting + " needs fencing (both halves of a split"
                            + " can be quorate, fencing decides which one survives) but " + lacking
                            + "; configure a fence device and set stonith-enabled=true");
                }
            }
        }
        if (Cibs.stonithEnabled(cib) && Cibs.fenceDevices(cib).isEmpty() && !watchdogFencingOn(cib)) {
            // The policy engine, as Pacemaker's, starts nothing while fencing is on and impossible.
            java.util.Set<String> active = Cibs.possiblyActive(cib.root()).keySet();
            for (Primitive p : Cibs.primitives(cib).values()) {
                if (!p.agent().isStonith() && !active.contains(p.id())) {
                    blocked.putIfAbsent(p.id(), "not started: stonith-enabled=true but no fence device (stonith"
                            + " resource) is configured; configure one, or set stonith-enabled=false if you accept"
                            + " the risk of a resource running twice");
                }
            }
        }
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

    /** The engine's plan minus what the DC holds back for safety (see Planner.filter and withoutPending). */
    private TransitionPlan heldBack(TransitionPlan p, Cib cib) {
        Map<String, String> removed = new LinkedHashMap<>();
        TransitionPlan filtered = Planner.withoutPending(Planner.filter(p, view, c.self(), blocked,
                fenceGaveUp.keySet(), removed), Planner.pendingOperations(cib), removed);
        if (!quorate && !Cibs.noQuorumPolicy(cib).equals("ignore")) {
            filtered = Planner.withoutStartsWithoutQuorum(filtered, removed);
        }
        removed.forEach((a, why) -> out().info("held back " + a + ": " + why));
        return filtered;
    }
}
