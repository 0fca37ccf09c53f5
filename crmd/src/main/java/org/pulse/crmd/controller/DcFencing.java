package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pulse.cib.Cib;
import org.pulse.cib.model.NodeState;

/**
 * The DC's fencing progress, one concern of {@link DcRole}: the fence planner decides each step, this
 * class turns a step into a device run or query, keeps what is in flight and how far each target got
 * (attempts, topology level, devices' list/status answers), records the outcome and the fence history,
 * and takes operators' crm node fence requests. The transition it runs in, the writes and the replies
 * stay with DcRole.
 */
final class DcFencing {
    private final DcRole dc;
    private final Controller c;
    /** Until this time no new fencing attempt starts (a failed attempt's retry delay, a watchdog wait). */
    Instant fenceRetryAt = Instant.EPOCH;

    DcFencing(DcRole dc, Controller c) {
        this.dc = dc;
        this.c = c;
    }

    /**
     * A fencing run (a device's off/reboot against a target) or a fencer query (list/status) as the
     * fence planner chose it: which target, device, executor and topology level (0: none).
     * {@code query}: "list" or "status" for a query, null for a fencing run.
     */
    record FenceRun(String target, String device, String executor, int level, String action, String query) {
    }

    /** Where fencing of each target stands (attempts, level, tries), kept between transitions. */
    final Map<String, FencePlanner.Progress> fenceProgress = new TreeMap<>();
    /** Targets whose fencing stopped at stonith-max-attempts, with why; their resources stay blocked. */
    final Map<String, String> fenceGaveUp = new TreeMap<>();
    /** Nodes an operator asked to fence (crm node fence), until they are fenced. */
    final java.util.Set<String> fenceRequested = new java.util.TreeSet<>();
    /** Fencing actions the fence planner put in a plan, until they are dispatched. */
    final Map<PlannedAction, FenceRun> plannedFenceRuns = new HashMap<>();
    /** Fencing runs and queries in flight, by op key. */
    final Map<String, FenceRun> fenceRuns = new HashMap<>();
    /**
     * Device runs sent before the view changed whose executor is still a member, by op key. Their result still
     * says whether the target is fenced, so the next transition's fencing of that target waits for the run
     * rather than running a device again: dropping them got a node rebooted twice, 175 ms apart (the stranger,
     * crm node fence while the target left the view). A result that comes while the join runs waits in
     * {@link #carriedResults} until a transition takes the run over (or it is recorded on its own).
     */
    final Map<String, FenceRun> carried = new HashMap<>();
    final Map<String, OpResult> carriedResults = new HashMap<>();
    /** Targets to fence through their watchdog that were members (or not seen lost): when the wait began. */
    final Map<String, Instant> watchdogSince = new TreeMap<>();
    /** Devices' answers to list (by device) and status (by device and target), for pcmk_host_check. */
    final Map<String, FenceDevices.QueryAnswer> listAnswers = new HashMap<>();
    final Map<String, FenceDevices.QueryAnswer> statusAnswers = new HashMap<>();

    // ---- fencing: the fence planner decides, the DC runs its steps and keeps the history

    /** Members that left the view without a clean shutdown (their node_state still expects them). */
    List<String> lostMembers(Cib cib) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, NodeState> e : cib.statusView().nodes().entrySet()) {
            String node = e.getKey();
            NodeState ns = e.getValue();
            if (node != null && !node.equals(c.self()) && !dc.view.contains(node) && "member".equals(ns.expected())
                    && !"true".equals(ns.inCcm())) {
                out.add(node);
            }
        }
        return out;
    }

    /** One fencing action per target: its next step (a device run or a query), or null when none can run now. */
    TransitionPlan fencePlan(List<String> targets) {
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
    PlannedAction fenceStep(String target, int actionId) {
        FenceEvent ranHere = dc.view.contains(target) ? null : c.takeUnrecordedDcFencing(target);
        if (ranHere != null) {
            // This node fenced the DC before it (crm node fence on that DC), whose record went down with it.
            adopt(ranHere);
            return null;
        }
        FencePlanner.Decision d = FencePlanner.next(c.cib(), dc.view, c.self(), target, fenceProgress.getOrDefault(target,
                FencePlanner.Progress.fresh()), new FencePlanner.Answers(listAnswers, statusAnswers), c.now(),
                c.config().defaultOpTimeoutMs(), watchdogWait(target));
        d.notes().forEach(n -> dc.out().info("fencing " + target + ": " + n));
        for (FencePlanner.Skipped k : d.skipped()) {
            addFenceHistory(new FenceEvent(target, "", k.device(), k.level(), k.action(), FenceEvent.SKIPPED,
                    c.now().toEpochMilli(), k.why()));
        }
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
            if (dc.view.contains(target)) {
                // A member to fence (a failed stop, an operator's request; the DC itself too) is told to fence
                // itself: it stops feeding its watchdog, which resets it; the wait counts from now.
                dc.out().send(target, new Message.Suicide(dc.view.id(), "fenced through the watchdog by the DC " + c.self()));
            }
            dc.out().info("fencing " + target + " through its watchdog: it counts as fenced in " + waitMs
                    + " ms (stonith-watchdog-timeout since it was lost); nothing of it is recovered before");
            if (w.readyAt().isAfter(fenceRetryAt)) {
                fenceRetryAt = w.readyAt();
            }
            dc.out().timer(new TimerKey("fence-retry"), waitMs);
        } else if (s instanceof FencePlanner.Step.AttemptFailed af) {
            dc.out().warn(af.why() + "; the next attempt in " + c.config().fenceRetryMs() + " ms");
            fenceRetryAt = c.now().plusMillis(c.config().fenceRetryMs());
            dc.out().timer(new TimerKey("fence-retry"), c.config().fenceRetryMs());
        } else if (s instanceof FencePlanner.Step.GiveUp g) {
            dc.out().add(new Effect.Log(Effect.Log.Level.ERROR, g.why() + ": no more attempts; what ran there stays"
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
    WatchdogFencing.Wait watchdogWait(String target) {
        long ms = WatchdogFencing.timeoutMs(c.cib(), c.self(), c.config().watchdogTimeoutMs());
        if (ms <= 0) {
            return WatchdogFencing.Wait.OFF;
        }
        Instant lost = dc.view.contains(target) ? null : c.lostAt(target);
        Instant since = lost != null ? lost : watchdogSince.computeIfAbsent(target, t -> c.now());
        return new WatchdogFencing.Wait(ms, since);
    }

    /** Whether fencing can happen without a fence device: watchdog fencing on, as this DC reads it. */
    boolean watchdogFencingOn(Cib cib) {
        return WatchdogFencing.timeoutMs(cib, c.self(), c.config().watchdogTimeoutMs()) > 0;
    }

    /** A fencing run or query ended (result, timeout): record it, advance the target's progress. */
    void onFenceOutcome(FenceRun fr, PlannedAction a, String opKey, boolean ok, String result, String detail,
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
            dc.out().info(fr.device() + " answered " + fr.query() + " on " + fr.executor() + ": " + detail
                    + (ans.names().isEmpty() ? "" : " " + ans.names()));
            if (fromEngine(a)) {
                dc.continueFence(a, opKey);
            } else {
                dc.current.completed(a, true, null);
            }
            return;
        }
        boolean fenced = recordOutcome(fr, ok, result, detail);
        if (fromEngine(a) && !fenced) {
            // The engine ordered recovery after this fencing: it succeeds only once the target is fenced.
            dc.continueFence(a, opKey);
            return;
        }
        dc.current.completed(a, ok, a + " " + result + ": " + detail);
    }

    /** A device run's outcome in the history and the target's progress; whether the target is now fenced. */
    private boolean recordOutcome(FenceRun fr, boolean ok, String result, String detail) {
        addFenceHistory(new FenceEvent(fr.target(), fr.executor(), fr.device(), fr.level(), fr.action(), result,
                c.now().toEpochMilli(), detail));
        FencePlanner.Progress p = fenceProgress.getOrDefault(fr.target(), FencePlanner.Progress.fresh());
        if (ok) {
            p = FencePlanner.succeeded(p, fr.device());
            fenceProgress.put(fr.target(), p);
            List<String> level = FencePlanner.levelDevices(c.cib(), fr.target(), p);
            if (level != null && p.levelDone().containsAll(level)) {
                markFenced(fr.target(), level, fr.level());
                return true;
            }
            dc.out().info(fr.device() + " fenced " + fr.target() + "; its level needs " + level + " to succeed");
            return false;
        }
        dc.out().warn("fencing " + fr.target() + " with " + fr.device() + " on " + fr.executor() + " " + result + ": "
                + detail);
        fenceProgress.put(fr.target(), FencePlanner.failed(p, fr.device(), fr.executor(), result + ", " + detail));
        return false;
    }

    /** A fencing action of the policy engine (it names the target; the fence planner its steps). */
    static boolean fromEngine(PlannedAction a) {
        return a.isFence() && a.resourceId().isEmpty();
    }

    void markFenced(String target, List<String> devices, int level) {
        if (target.equals(c.self())) {
            // This DC's own fencing (crm node fence on the DC) reported done, yet it runs: the device did not cut
            // it off. Its resources must not be taken for stopped; fence-reaction applies, as on any member.
            List<FenceEvent> h = c.fenceHistory();
            c.fencedYetRunning(!h.isEmpty() && h.get(h.size() - 1).target().equals(target) ? h.get(h.size() - 1)
                    : new FenceEvent(target, "", String.join(",", devices), level, FenceDevices.clusterAction(c.cib()),
                            FenceEvent.SUCCESS, c.now().toEpochMilli(), "the DC's own fencing"));
            fenceProgress.remove(target);
            fenceRequested.remove(target);
            return;
        }
        dc.out().info("fenced " + target + " with " + String.join(" and ", devices)
                + (level > 0 ? " (topology level " + level + ")" : ""));
        org.pulse.cib.xml.XmlElement root = Planner.markFenced(c.cib().root(), target, c.now().getEpochSecond());
        if (!dc.view.contains(target) && RemoteRouting.isRemote(c.cib(), target)) {
            // The policy engine must know a remote node was fenced since its connection was last up (node_fenced,
            // as Pacemaker's controller records it), or the connection's old failure would fence it again.
            root = RemoteRouting.markedFenced(root, target);
        }
        dc.replication.commit(c.cib().next(root));
        fenceProgress.remove(target);
        fenceGaveUp.remove(target);
        fenceRequested.remove(target);
    }

    /**
     * A new view drops the transition: a run whose executor left counts as a failed try of its device
     * (another member tries next); one whose executor stayed is simply planned again.
     */
    /**
     * A new view: device runs whose executor left count as failed; those sent to an executor that stays are
     * {@link #carried} (a run still waiting out its delay, {@code notSent}, never ran and is dropped).
     */
    void abandonFenceRuns(View v, java.util.Set<String> notSent) {
        Map<String, FenceRun> inFlight = new HashMap<>(carried);
        inFlight.putAll(fenceRuns);
        carried.clear();
        for (Map.Entry<String, FenceRun> e : inFlight.entrySet()) {
            FenceRun fr = e.getValue();
            if (fr.query() != null || notSent.contains(e.getKey())) {
                continue;
            }
            if (v.contains(fr.executor())) {
                carried.put(e.getKey(), fr);
                continue;
            }
            carriedResults.remove(e.getKey());
            addFenceHistory(new FenceEvent(fr.target(), fr.executor(), fr.device(), fr.level(), fr.action(),
                    FenceEvent.EXECUTOR_LEFT, c.now().toEpochMilli(), fr.executor() + " left the view"));
            fenceProgress.put(fr.target(), FencePlanner.failed(fenceProgress.getOrDefault(fr.target(),
                    FencePlanner.Progress.fresh()), fr.device(), fr.executor(), "the executor left"));
        }
        carriedResults.keySet().retainAll(carried.keySet());
        fenceRuns.clear();
        plannedFenceRuns.clear();
    }

    /**
     * Runs this node executes against the DC that sent them, for a DC now lost (crm node fence on it): carried as
     * this DC's own, so that its fencing of that node waits for the run rather than running a device again.
     */
    void carryRunsAgainstLostDc(View v) {
        c.runsAgainstTheirDc().forEach((opKey, run) -> {
            if (!v.contains(run.target()) && !carried.containsKey(opKey)) {
                carried.put(opKey, new FenceRun(run.target(), run.device(), c.self(), 0, run.action(), null));
            }
        });
    }

    /**
     * A member reports its runs against the DC before this one, which went down with them before it could record
     * them: each lost target is fenced, as a fencing this DC ran (and is not fenced again).
     */
    void onMemberFencing(String from, Message.FenceHistory h) {
        if (!dc.joined || !h.viewId().equals(dc.view.id()) || !dc.view.contains(from)) {
            c.refusedStale("fence results from " + from + " of view " + h.viewId());
            return;
        }
        boolean any = false;
        for (FenceEvent e : h.events()) {
            if (FenceEvent.SUCCESS.equals(e.result()) && from.equals(e.executor()) && !dc.view.contains(e.target())
                    && !e.target().equals(c.self()) && lostMembers(c.cib()).contains(e.target())) {
                adopt(e);
                any = true;
            }
        }
        if (any) {
            dc.requestSchedule("fencing reported by " + from);
            dc.runEngine();
        }
    }

    /**
     * What the members' join answers say of their runs against an earlier DC (crm node fence on it), before this
     * DC decides anything: a run done fences that node as one this DC ran (history, CIB), a run still going is
     * carried as this DC's own, so that its fencing of that node waits for the result (at most the run's timeout,
     * plus the margins the member's LRM takes to report a run that overran) rather than running a device again.
     * Before, the members told only after the join (a done run with the join's CIB, a run in flight when it
     * ended), and with four nodes, where the executor need not be the next DC, that DC had fenced the node again.
     */
    void takeJoinReports(Map<String, Message.JoinResponse> responses) {
        for (Map.Entry<String, Message.JoinResponse> r : new TreeMap<>(responses).entrySet()) {
            String from = r.getKey();
            if (from.equals(c.self()) || !dc.view.contains(from)) {
                // This DC's own runs were carried when the view changed (carryRunsAgainstLostDc).
                continue;
            }
            for (FenceEvent e : r.getValue().dcFencingDone()) {
                if (FenceEvent.SUCCESS.equals(e.result()) && from.equals(e.executor()) && !dc.view.contains(e.target())
                        && !e.target().equals(c.self()) && lostMembers(c.cib()).contains(e.target())) {
                    adopt(e);
                }
            }
            for (Message.DcFenceRun run : r.getValue().dcFencingInFlight()) {
                if (dc.view.contains(run.target()) || carried.containsKey(run.opKey())) {
                    continue;
                }
                long waitMs = run.timeoutMs() + 3 * c.config().actionMarginMs();
                carried.put(run.opKey(), new FenceRun(run.target(), run.device(), from, 0, run.action(), null));
                dc.out().timer(TimerKey.of("action", run.opKey()), waitMs);
                dc.out().info(from + " is still running " + run.device() + " against " + run.target() + ", the DC"
                        + " before, which asked for it: waiting for its result (at most " + waitMs + " ms) rather than"
                        + " fencing " + run.target() + " again");
            }
        }
    }

    /** A fencing another DC asked for and a member ran, recorded here: history, and the node fenced. */
    private void adopt(FenceEvent e) {
        dc.out().info("fencing of " + e.target() + " by " + e.executor() + " with " + e.device() + " succeeded for the DC"
                + " before this one; recording it instead of fencing " + e.target() + " again");
        addFenceHistory(e);
        markFenced(e.target(), List.of(e.device()), e.level());
    }

    /** The op key of a run against {@code target} carried over from before the view changed, or null. */
    String carriedRunFor(String target) {
        for (Map.Entry<String, FenceRun> e : carried.entrySet()) {
            if (e.getValue().target().equals(target)) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * A carried run ended (its result, or its timeout) with no transition waiting for it: what it did is recorded
     * all the same (a target fenced is fenced), and the policy engine decides again.
     */
    void onCarriedOutcome(String opKey, OpResult r) {
        onCarriedOutcome(opKey, r.is(0), r.is(0) ? FenceEvent.SUCCESS : FenceEvent.FAILED, "rc " + r.rc() + " ("
                + r.status() + ")");
    }

    void onCarriedOutcome(String opKey, boolean ok, String result, String detail) {
        FenceRun fr = carried.remove(opKey);
        carriedResults.remove(opKey);
        if (fr == null) {
            return;
        }
        recordOutcome(fr, ok, result, detail);
        dc.requestSchedule("fencing of " + fr.target() + " with " + fr.device() + " " + result);
    }

    /**
     * crm node clearstate NODE: an operator declared the node fenced by hand. Recorded as Pacemaker's fencer records
     * stonith_admin --confirm (an "off" done by "a human", with the client and the node it came from), so crm status's
     * fencing history says who declared the node down and when.
     */
    void confirmedByHand(String target, Requester by) {
        String origin = by == null ? c.self() : by.origin();
        addFenceHistory(new FenceEvent(target, FenceEvent.BY_HAND, "", 0, "off", FenceEvent.SUCCESS,
                c.now().toEpochMilli(), "client=crm node clearstate, origin=" + origin
                        + (by == null ? "" : ", user=" + by.user())));
    }

    void addFenceHistory(FenceEvent e) {
        List<FenceEvent> h = new ArrayList<>(c.fenceHistory());
        h.add(e);
        if (h.size() > FenceEvent.KEPT) {
            h = h.subList(h.size() - FenceEvent.KEPT, h.size());
        }
        c.setFenceHistory(h);
        if (dc.view != null) {
            for (String m : dc.view.members()) {
                if (!m.equals(c.self())) {
                    dc.out().send(m, new Message.FenceHistory(dc.view.id(), c.fenceHistory()));
                }
            }
        }
    }

    /** crm node fence NODE: checked, then fenced like a lost node (and its failed attempts forgotten). */
    void requestFence(DcRole.ReplyTo replyTo, String node) {
        java.util.Set<String> known = new java.util.TreeSet<>(c.voters(c.cib()));
        known.addAll(dc.view.members());
        known.addAll(c.cib().statusView().nodes().keySet());
        if (!known.contains(node)) {
            dc.replication.reply(replyTo, AdminResult.error(AdminResult.NOT_FOUND, "cannot fence '" + node + "': no such node in the"
                    + " cluster (known: " + String.join(", ", known) + "); check the name with crm status"));
            return;
        }
        if (!Cibs.stonithEnabled(c.cib())) {
            dc.replication.reply(replyTo, AdminResult.error(AdminResult.REFUSED, "cannot fence " + node + ": stonith-enabled"
                    + " (fencing-enabled) is false; set it to true first"));
            return;
        }
        if (!dc.quorate && !Cibs.noQuorumPolicy(c.cib()).equals("ignore")) {
            dc.replication.reply(replyTo, AdminResult.error(AdminResult.NO_QUORUM, "cannot fence " + node + ": this partition has "
                    + dc.quorumReason() + ", and a partition without quorum does not fence"));
            return;
        }
        if (FenceDevices.all(c.cib()).isEmpty() && !watchdogFencingOn(c.cib())) {
            dc.replication.reply(replyTo, AdminResult.error(AdminResult.REFUSED, "cannot fence " + node + ": no fence device"
                    + " (stonith resource) is configured, and watchdog fencing (stonith-watchdog-timeout) is off"));
            return;
        }
        boolean self = node.equals(c.self());
        if (self && dc.view.members().size() < 2 && !watchdogFencingOn(c.cib())) {
            dc.replication.reply(replyTo, AdminResult.error(AdminResult.REFUSED, "cannot fence " + node + ": it is the DC"
                    + " and no other member is in the cluster to run a fence device against it (a device never runs"
                    + " on its own target); power it off, or stop Pulse on it"));
            return;
        }
        fenceRequested.add(node);
        fenceGaveUp.remove(node);
        fenceProgress.remove(node);
        // The DC as target: another member runs the device (FencePlanner.executors), this DC goes down with it, and
        // the next DC records the outcome; the answer cannot wait for it here.
        dc.replication.reply(replyTo, AdminResult.written(c.version(), self ? "fencing " + node + " requested: it is the"
                + " DC, so another member runs the device and " + node + " is going down; the next DC records the"
                + " outcome (crm status on another node shows it under Fencing history)" : "fencing " + node
                + " requested; crm status shows the outcome under Fencing history"));
        dc.requestSchedule("an operator asked to fence " + node);
        dc.runEngine();
    }

    /**
     * While the members still store the join's CIB: the fencing the policy engine decides on it, alone (an
     * operator's request first), when there is one to run now; else null. Fencing only takes nodes out, so it
     * need not wait; the engine's whole transition runs once the join's CIB is everywhere.
     */
    TransitionPlan fencingPlan() {
        Cib cib = c.cib();
        if (!Cibs.stonithEnabled(cib) || dc.quorumPending()) {
            // Undecided quorum: the CIB keeps its earlier have-quorum, which must not make the engine fence.
            return null;
        }
        TransitionPlan requested = requestedFencing(cib);
        if (requested != null) {
            return requested;
        }
        TransitionPlan engine;
        Cib input = dc.schedulerInput(cib);
        try {
            engine = c.scheduler().schedule(input, c.now());
        } catch (RuntimeException e) {
            return null;
        }
        List<String> targets = engineFencing(cib, engine);
        if (!targets.isEmpty()) {
            // Saved as every engine decision is: crm simulate on it gives the engine's whole transition, of which
            // the DC runs the fencing now and the rest once the join's CIB is everywhere (from a later input).
            dc.saveDecision(input, engine);
        }
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
    TransitionPlan requestedFencing(Cib cib) {
        List<String> live = new ArrayList<>(fenceRequested);
        live.removeAll(fenceGaveUp.keySet());
        boolean mayFence = dc.quorate || Cibs.noQuorumPolicy(cib).equals("ignore");
        if (live.isEmpty() || !mayFence || !Cibs.stonithEnabled(cib)
                || (Cibs.fenceDevices(cib).isEmpty() && !watchdogFencingOn(cib))) {
            return null;
        }
        TransitionPlan fp = fencePlan(live);
        live.removeAll(fenceGaveUp.keySet());
        dc.pendingFence = List.copyOf(live);
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
    List<String> engineFencing(Cib cib, TransitionPlan engine) {
        if (!dc.quorate && Cibs.noQuorumPolicy(cib).equals("suicide")) {
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
        List<String> pending = new ArrayList<>(dc.pendingFence);
        targets.stream().filter(n -> !pending.contains(n)).forEach(pending::add);
        dc.pendingFence = List.copyOf(pending);
        boolean mayFence = dc.quorate || Cibs.noQuorumPolicy(cib).equals("ignore");
        for (Map.Entry<String, String> e : engine.unclean().entrySet()) {
            String n = e.getKey();
            if (targets.contains(n)) {
                continue;
            }
            String why = HoldBack.whyNotFenced(cib, n, e.getValue(), fenceGaveUp.get(n), mayFence,
                    watchdogFencingOn(cib));
            dc.blocked.putAll(Planner.blockedByUnfenceable(cib, List.of(n), why));
        }
        return targets;
    }
}
