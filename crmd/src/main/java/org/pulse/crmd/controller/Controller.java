package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.pulse.cib.Cib;
import org.pulse.cib.CibException;
import org.pulse.cib.CibVersion;

/**
 * One node's controller: a state machine fed {@link Event}s, returning {@link Effect}s. No threads,
 * clocks, sockets or randomness: time comes with each event, so the same code runs under the
 * real runtime and in a simulated cluster.
 *
 * <p>Every node is a member: it answers the DC's join with its CIB version and operation
 * history, stores the CIB the DC replicates (and only then acknowledges it), runs the
 * operations the DC of its current view asks for, and reports their results. The first member
 * of the view is also the DC; its duties live in {@link DcRole}.
 */
public final class Controller {
    /** Replaced only by {@link Event.NodesConfigured} (a node list changed while running). */
    private ControllerConfig config;
    private final Scheduler scheduler;
    private final String self;
    private final LocalLrm lrm;
    /** The books of each remote node whose operations this node relayed (it held the node's connection). */
    private final Map<String, LocalLrm> remoteLrms = new HashMap<>();
    /** Randomness for fence delays (pcmk_delay_max): injected, so a seeded test replays it. */
    private final RandomGenerator random;
    /** wait_for_all: every voting node has been in one view together since this controller started. */
    private boolean allSeenTogether;
    /** What this node knows of its ping or lease tie-breaker. */
    private final TieBreakerState tieBreaker;
    /** Admin writes forwarded to a DC, by forward id: answered only by that DC, in that view. */
    private final Map<Long, Forward> forwards = new HashMap<>();

    private record Forward(long requestId, String viewId, String dc) {
    }

    /** Messages refused because they belong to another view than the one they arrived in (late or replayed). */
    private long refusedStale;
    private Cib cib;
    private View view;
    /** The view whose DC this node accepted (by storing its join sync); operations come only from it. */
    private String joinedViewId;
    /** A join request for a view this node has not installed yet (JGroups installs views at slightly different times). */
    private Message.JoinRequest earlyJoin;
    private String earlyJoinFrom;
    private DcRole dc;
    /** A clean shutdown was asked for: re-asked of every new DC until granted. */
    private boolean shuttingDown;
    private long nextForwardId;
    private Outbox out;
    private Instant now = Instant.EPOCH;
    /** The first event's time: fencing of this node recorded before it is an earlier life of the node. */
    private Instant startedAt;
    /** Whether this node already reacted to a report of its own fencing (once is enough). */
    private boolean reactedToOwnFencing;
    /** The fence history last received (null: none yet): an entry not in it is news. */
    private List<FenceEvent> previousFenceHistory;
    /**
     * In the first history a node receives, its own fencing counts only this long after it started: the
     * time is the DC's clock, and a node restarted within a clock skew of its fencing must not take its
     * earlier life's fencing for news.
     */
    static final long OWN_FENCING_CLOCK_MARGIN_MS = 10_000;
    /** A dampened attribute value waiting to be stable for its delay (attrd_updater -d). */
    private record Dampened(String node, String name, String value, long dampenMs) {
    }

    /** Values waiting for their dampening timer, by timer name. */
    private final Map<String, Dampened> dampened = new HashMap<>();
    /** Writes this node makes itself (dampened values), by their (negative) request id: retried if lost. */
    private final Map<Long, Dampened> ownWrites = new HashMap<>();
    private long nextOwnWriteId;
    /** A device run this node executes for a DC against that DC itself (crm node fence on the DC). */
    record RunAgainstDc(String target, String device, String action, long timeoutMs) {
    }

    /**
     * Runs of {@link RunAgainstDc} in flight here, by op key: the DC goes down with the run, so its result is
     * kept for the next DC, as Pacemaker's fencer tells every node a fencing's result.
     */
    private final Map<String, RunAgainstDc> runsAgainstTheirDc = new HashMap<>();
    /** Successful runs against a DC that no DC has recorded yet, oldest first: given to the next DC. */
    private final List<FenceEvent> unrecordedDcFencing = new java.util.ArrayList<>();

    /** The fence history as the DC last sent it (or, on the DC, as it keeps it); newest last. */
    private List<FenceEvent> fenceHistory = List.of();

    /** A controller whose fence delays draw from a generator seeded by its node name (deterministic). */
    public Controller(ControllerConfig config, Scheduler scheduler, Cib storedCib) {
        this(config, scheduler, storedCib, new SplittableRandom(config.nodeName().hashCode()));
    }

    /** {@code random}: for random fence delays only; the runtime seeds it and logs the seed. */
    public Controller(ControllerConfig config, Scheduler scheduler, Cib storedCib, RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
        this.config = Objects.requireNonNull(config, "config");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.self = config.nodeName();
        this.lrm = new LocalLrm(self);
        this.tieBreaker = new TieBreakerState(config.quorum().tieBreaker());
        this.cib = storedCib != null ? storedCib : Cib.empty();
    }

    /**
     * Handles one event; the effects are to be performed in order. The policy engine's run after a
     * CIB write comes last, as {@link #handleDeferred} would do it.
     */
    public List<Effect> handle(Event event, Instant eventTime) {
        List<Effect> first = handleFirst(event, eventTime);
        if (!hasDeferred()) {
            return first;
        }
        List<Effect> all = new java.util.ArrayList<>(first);
        all.addAll(handleDeferred(eventTime));
        return List.copyOf(all);
    }

    /**
     * Handles one event but leaves what {@link #hasDeferred} says is left for {@link #handleDeferred}:
     * the policy engine's run for a CIB the DC just committed. The runtime performs these effects
     * (the change goes to the members, the DC stores it) and queues the rest behind the events already
     * waiting, so the members' acknowledgements that arrive meanwhile are counted, and the write
     * answered, without waiting for the engine; the transition then starts one event later.
     */
    public List<Effect> handleFirst(Event event, Instant eventTime) {
        now = Objects.requireNonNull(eventTime, "eventTime");
        if (startedAt == null) {
            startedAt = now;
        }
        out = new Outbox(self);
        dispatch(event);
        while (!out.toSelf.isEmpty()) {
            onMessage(self, out.toSelf.poll());
        }
        List<Effect> effects = List.copyOf(out.effects);
        out = null;
        return effects;
    }

    private void dispatch(Event event) {
        // a switch expression over the kind: a kind without its branch does not compile
        Runnable handler = switch (event.kind()) {
            case VIEW_CHANGED -> () -> onView(((Event.ViewChanged) event).view());
            case MESSAGE_RECEIVED -> () -> onMessage(((Event.MessageReceived) event).from(),
                    ((Event.MessageReceived) event).message());
            case OPERATION_COMPLETED -> () -> {
                Event.OperationCompleted o = (Event.OperationCompleted) event;
                onOperation(o.result(), o.remoteNode(), o.remoteCallId());
            };
            case TIMER_FIRED -> () -> onTimer(((Event.TimerFired) event).key());
            case ADMIN_REQUEST -> () -> onAdmin(((Event.AdminRequest) event).requestId(),
                    ((Event.AdminRequest) event).command());
            case PING_RESULT -> () -> onPing((Event.PingResult) event);
            case LEASE_RESULT -> () -> onLease((Event.LeaseResult) event);
            case ARBITRATOR_ANSWER -> () -> onArbitrator((Event.ArbitratorAnswer) event);
            case NODES_CONFIGURED -> () -> {
                Event.NodesConfigured n = (Event.NodesConfigured) event;
                // Quorum is counted on the new list from the next view (as votequorum's expected votes).
                config = config.withNodes(n.nodes());
                out.info("node list now " + n.nodes() + "; quorum counts it from the next view");
            };
            case BATCH -> () -> onBatch(((Event.Batch) event).events());
            case CIB_STORED -> () -> {
                // Only the DC asks to hear of its stores; one that is no longer DC has answered its writes already.
                if (dc != null) {
                    dc.replication.ownStore((Event.CibStored) event);
                }
            };
        };
        handler.run();
    }

    /**
     * Each event in order, as if one after the other, except that the DC commits each run of consecutive
     * groupable writes as one change (DcReplication's group): a write refused in the run is answered alone
     * and the others go on; anything else in the batch ends the run first, so it sees (and its effects
     * follow) the run's change sent and stored.
     */
    private void onBatch(List<Event> events) {
        DcReplication group = null;
        for (Event e : events) {
            if (group != null && !Event.groupable(e)) {
                group.endGroup();
                group = null;
            }
            if (group == null && Event.groupable(e) && dc != null && dc.joined) {
                group = dc.replication;
                group.beginGroup();
            }
            dispatch(e);
            while (!out.toSelf.isEmpty()) {
                onMessage(self, out.toSelf.poll());
            }
            if (group != null && (dc == null || dc.replication != group)) {
                group = null; // no longer this DC (cannot happen on a write, but never commit for a role given up)
            }
        }
        if (group != null) {
            group.endGroup();
        }
    }

    /** Whether {@link #handleFirst} left the policy engine's run for {@link #handleDeferred}. */
    public boolean hasDeferred() {
        return dc != null && dc.engineDeferred;
    }

    /** The policy engine's run {@link #handleFirst} left (none if this node is no longer DC): its effects. */
    public List<Effect> handleDeferred(Instant eventTime) {
        now = Objects.requireNonNull(eventTime, "eventTime");
        if (startedAt == null) {
            startedAt = now;
        }
        out = new Outbox(self);
        if (dc != null && dc.engineDeferred) {
            dc.engineDeferred = false;
            dc.runEngine();
        }
        while (!out.toSelf.isEmpty()) {
            onMessage(self, out.toSelf.poll());
        }
        List<Effect> effects = List.copyOf(out.effects);
        out = null;
        return effects;
    }

    // ---- read-only state, for the runtime's status and for simulation invariants

    public String nodeName() {
        return self;
    }

    public Cib cib() {
        return cib;
    }

    public View view() {
        return view;
    }

    public boolean isDc() {
        return dc != null;
    }

    /** The writes this DC has waiting for acknowledgements, for the runtime's ack lane; NONE on a member. */
    public AckCount ackCount() {
        return dc == null ? AckCount.NONE : dc.replication.ackCount();
    }

    /** True when this node is DC and confirmed a majority of votes by its join round. */
    public boolean hasConfirmedQuorum() {
        return dc != null && dc.joined() && dc.quorate();
    }

    public boolean transitionInProgress() {
        return dc != null && dc.transitionInProgress();
    }

    /** The id of the transition in progress on this DC, or -1. */
    public long transitionId() {
        return dc == null ? -1 : dc.transitionId();
    }

    /** Whether this node is joined to its view's DC (or is a DC that finished its join). */
    public boolean joined() {
        return view != null && view.id().equals(joinedViewId);
    }

    /**
     * Whether this node's partition is quorate as far as this node knows (the DC's join decided it, or
     * the DC recorded it in the CIB this node was sent); null while that is not known (no view, joining).
     */
    public Boolean quorate() {
        if (dc != null) {
            // Undecided (a tie-breaker not answered yet) is not known, not lost: a watchdog keeps being fed.
            return dc.joined() && !dc.quorumPending() ? dc.quorate() : null;
        }
        return joined() ? Cibs.isTrue(cib.root().attr("have-quorum")) : null;
    }

    /**
     * Whether the cluster fences through watchdogs (stonith-watchdog-timeout nonzero, fencing on): then a
     * node must stop feeding its watchdog when its partition loses quorum.
     */
    public boolean watchdogFencingInUse() {
        return Cibs.stonithEnabled(cib) && WatchdogFencing.rawMs(cib) != 0;
    }

    /**
     * How long after losing a node the quorate side counts it self-fenced (stonith-watchdog-timeout as this
     * node reads it; negative: twice the watchdog timeout): 0 when watchdog fencing is off or the setting is
     * refused here.
     */
    public long watchdogFencingTimeoutMs() {
        return WatchdogFencing.timeoutMs(cib, self, config.watchdogTimeoutMs());
    }

    /** What is wrong with stonith-watchdog-timeout for this node's watchdog (Pacemaker's rules), or null. */
    public String watchdogProblem() {
        return WatchdogFencing.problem(cib, self, config.watchdogTimeoutMs());
    }

    /** When this node saw {@code node} leave its view (null: not lost since, or never seen). */
    Instant lostAt(String node) {
        return lostAt.get(node);
    }

    public StatusReport status() {
        Boolean quorate = dc != null ? (dc.joined() ? dc.quorate() : null)
                : (joined() ? Cibs.isTrue(cib.root().attr("have-quorum")) : null);
        String reason;
        if (dc != null) {
            reason = dc.joined() ? dc.quorumReason() : "the DC (this node) is still joining view " + view.id();
        } else if (quorate == null) {
            reason = "unknown: not joined to a DC yet";
        } else {
            reason = "as the DC " + view.dc() + " decided (" + (quorate ? "quorate" : "WITHOUT quorum") + ")";
        }
        return new StatusReport(self, view == null ? null : view.id(), view == null ? List.of() : view.members(),
                view == null ? null : view.dc(), joined(), quorate, expectedVotes(), cib.version(),
                dc == null ? "not DC" : dc.transitionSummary(), dc == null ? Map.of() : dc.blocked(),
                dc == null ? List.of() : dc.pendingFencing(), reason, waitingForAll(), fenceHistory,
                dc == null ? Map.of() : dc.fencingGivenUp());
    }

    /**
     * Messages refused since start as belonging to another view than this node's (an operation
     * report, a forwarded write or its answer that arrived late, or a recording replayed).
     */
    public long refusedStale() {
        return refusedStale;
    }

    /** Counts and logs a message of another view: never applied, since its view's state is gone. */
    void refusedStale(String what) {
        refusedStale++;
        out.warn("refused " + what + ": not of this node's view " + (view == null ? "(none)" : view.id())
                + " (late, or a recording replayed); refused so far: " + refusedStale);
    }

    /**
     * A successful fencing of this node since it started, while it still runs: the device reported success
     * without cutting this node off (a misconfigured device, fabric fencing that leaves the cluster's links).
     * The cluster now counts this node's resources stopped and recovers them elsewhere, so this node must not
     * go on: Pacemaker's fence-reaction, "stop" (the default: crmd stops and stays stopped; its service then
     * kills what is left in its cgroup) or "panic" (self-fence: reset through the watchdog or the failsafe).
     */
    private void reactToOwnFencing() {
        if (reactedToOwnFencing || startedAt == null) {
            return;
        }
        FenceEvent own = null;
        for (FenceEvent e : fenceHistory) {
            // News: an entry the last history did not have (this node was a member when it was fenced), or, in
            // the first history, one clearly after this node started (it rejoined alive after a device lied).
            boolean news = previousFenceHistory != null ? !previousFenceHistory.contains(e)
                    : e.atEpochMs() >= startedAt.toEpochMilli() + OWN_FENCING_CLOCK_MARGIN_MS;
            if (news && e.target().equals(self) && FenceEvent.SUCCESS.equals(e.result()) && !"on".equals(e.action())) {
                own = e;
            }
        }
        if (own != null) {
            fencedYetRunning(own);
        }
    }

    /**
     * {@code own}, a successful fencing of this node, was reported while this node still runs: fence-reaction
     * (see above). Also for a DC whose own fencing (crm node fence on the DC) a member reported done.
     */
    void fencedYetRunning(FenceEvent own) {
        if (reactedToOwnFencing) {
            return;
        }
        reactedToOwnFencing = true;
        String reaction = Cibs.property(cib, "fence-reaction", "stop").trim().toLowerCase(java.util.Locale.ROOT);
        String why = "this node was fenced (" + own.action() + " by " + own.executor() + " with " + own.device() + " at "
                + Instant.ofEpochMilli(own.atEpochMs()) + ") yet it still runs: the fence device for " + self
                + " reported success without cutting it off; check that device";
        if (reaction.equals("panic")) {
            out.error(why + "; fence-reaction=panic: fencing itself");
            out.add(new Effect.SelfFence(why));
        } else {
            out.error(why + "; fence-reaction=" + reaction + ": crmd stops and stays stopped");
            out.add(new Effect.StopForGood(why));
        }
    }

    /** Whether a clean shutdown was asked for (and not yet granted: the process ends then). */
    boolean shuttingDown() {
        return shuttingDown;
    }

    /** The fence history this node knows (the DC's, replicated), newest last. */
    public List<FenceEvent> fenceHistory() {
        return fenceHistory;
    }

    void setFenceHistory(List<FenceEvent> events) {
        fenceHistory = List.copyOf(events);
    }

    /** Runs against their own DC in flight on this node, by op key (a new DC carries those against a lost DC). */
    Map<String, RunAgainstDc> runsAgainstTheirDc() {
        return Map.copyOf(runsAgainstTheirDc);
    }

    /** The successful run against {@code target} (a DC then) that no DC recorded yet, taken; or null. */
    FenceEvent takeUnrecordedDcFencing(String target) {
        for (java.util.Iterator<FenceEvent> it = unrecordedDcFencing.iterator(); it.hasNext();) {
            FenceEvent e = it.next();
            if (e.target().equals(target)) {
                it.remove();
                return e;
            }
        }
        return null;
    }

    /**
     * A run against the DC that asked for it ended well here: the next DC must learn it, or it would fence that
     * node again. Told now to a DC that is not the target; kept for the next join otherwise (the DC it would go to
     * is the one that went down). A node that is DC itself took the run over when it became DC (DcFencing).
     */
    private void dcFenced(RunAgainstDc run, OpResult r) {
        FenceEvent e = new FenceEvent(run.target(), self, run.device(), 0, run.action(), FenceEvent.SUCCESS,
                now.toEpochMilli(), "run for " + run.target() + " against itself while it was DC (" + r.opKey() + ")");
        if (dc != null) {
            return;
        }
        if (joined() && !view.dc().equals(run.target())) {
            out.send(view.dc(), new Message.FenceHistory(view.id(), List.of(e)));
        } else {
            out.info("fenced " + run.target() + ", the DC that asked for it; the next DC is told");
            unrecordedDcFencing.add(e);
        }
    }

    /** A device run that fences {@code dc}, the DC that sent it: off or reboot (not on, list or status). */
    static boolean againstItsDc(OpRequest req, String dc) {
        return req.agent().isStonith() && LrmOps.isFencerAction(req.action()) && dc.equals(req.params().get("nodename"))
                && !List.of("on", "list", "status").contains(req.action());
    }

    /** True while wait_for_all is on and this node has not yet seen every voting node in one view. */
    public boolean waitingForAll() {
        return config.quorum().waitForAll() && !allSeenTogether;
    }

    // ---- shared with DcRole

    ControllerConfig config() {
        return config;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    Outbox out() {
        return out;
    }

    Instant now() {
        return now;
    }

    String self() {
        return self;
    }

    /** Votes: every node named in the node config or the CIB's nodes section. */
    int expectedVotes() {
        return voters(cib).size();
    }

    /**
     * The voting nodes: the node config's, in its order (tie_breaker = lowest favours the first), then
     * the cluster nodes only the CIB's nodes section names (sorted; never a remote node's entry), and this node.
     */
    List<String> voters(Cib of) {
        java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(config.configuredNodes());
        all.addAll(new java.util.TreeSet<>(Cibs.votingNodes(of)));
        all.add(self);
        return List.copyOf(all);
    }

    /** wait_for_all: a view with every voting node in it ends the wait, for as long as this node runs. */
    void noteMembers(List<String> members, Cib of) {
        if (!allSeenTogether && members.containsAll(voters(of))) {
            allSeenTogether = true;
            if (config.quorum().waitForAll()) {
                out.info("wait_for_all: every node " + voters(of) + " is a member together; from now on a"
                        + " partition may be quorate without all of them");
            }
        }
    }

    boolean allSeenTogether() {
        return allSeenTogether;
    }

    /**
     * Whether this node wins an even split by its tie-breaker: ping answered in this view, or the
     * lease held and still valid now; null while that is not known yet.
     */
    Boolean tieBreakerWon() {
        return tieBreaker.won(now);
    }

    /**
     * tie_breaker = lease: the DC of an exactly half partition holds the lease, every other node lets
     * it go. Asking again after letting go forgets the old result (it may predate another's taking it).
     */
    void wantLease(boolean want) {
        wantTieBreaker(want, List.of(), List.of());
    }

    /**
     * tie_breaker = lease or arbitrator: the DC of a partition that needs the tie-breaker (an exact
     * half; with the arbitrator's lms any part short of the whole) takes the lease or asks for the
     * arbitrator's vote, every other node lets it go. The arbitrator hears the partition's members
     * again on every new view, even when this node wanted the vote already.
     */
    void wantTieBreaker(boolean want, List<String> voters, List<String> members) {
        QuorumConfig.TieBreaker tb = config.quorum().tieBreaker();
        boolean arbitrator = tb.kind() == QuorumConfig.TieBreaker.Kind.ARBITRATOR;
        boolean changed = tieBreaker.wantLease(want, now);
        if (arbitrator && want) {
            out.add(new Effect.AskArbitrator(true, voters, members));
        }
        if (!changed) {
            return;
        }
        out.info(arbitrator
                ? (want ? "asking the arbitrator " + tb.target() + " for its vote (" + tb.arbitration() + ") for "
                        + members : "no longer asking the arbitrator " + tb.target() + " for its vote")
                : (want ? "taking the lease " : "letting the lease go: ") + tb.target()
                        + (want ? " to break an even split" : ""));
        if (arbitrator) {
            if (!want) {
                out.add(new Effect.AskArbitrator(false, List.of(), List.of()));
            } else {
                // Undecided for at most this long, even if no answer comes: then it counts as lost.
                out.timer(new TimerKey("lease-expiry"), TieBreakerState.ARBITRATOR_DECISION_MS);
            }
        } else {
            out.add(new Effect.WantLease(want));
        }
        if (!want) {
            out.add(new Effect.CancelTimer(new TimerKey("lease-expiry")));
        }
    }

    RandomGenerator random() {
        return random;
    }

    /**
     * This node's CIB becomes this one in memory only, for the next write of a group to apply to: the
     * group's end commits (sends and stores) the last of them at once ({@link DcReplication#endGroup}).
     */
    void stageCib(Cib staged) {
        cib = staged;
    }

    /** This node's CIB becomes this one (durably when asked, or when the configuration changed). */
    void storeCib(Cib newCib, boolean mustBeDurable) {
        storeCib(newCib, mustBeDurable, false);
    }

    /**
     * As {@link #storeCib(Cib, boolean)}, but a durable store is {@link Effect.PersistCib#reported reported}
     * (Event.CibStored) instead of holding the effects after it: whether it is durable (and so reported).
     */
    boolean storeCibReported(Cib newCib) {
        return storeCib(newCib, false, true);
    }

    private boolean storeCib(Cib newCib, boolean mustBeDurable, boolean report) {
        boolean configuration = newCib.version().epoch() != cib.version().epoch()
                || newCib.version().adminEpoch() != cib.version().adminEpoch();
        cib = newCib;
        if (Cibs.isTrue(newCib.root().attr("have-quorum"))) {
            // A DC of a partition this node was in recorded quorum: the partition had it (whoever was DC).
            everQuorate = true;
        }
        boolean durable = mustBeDurable || configuration;
        out.add(new Effect.PersistCib(newCib, durable, report && durable));
        return durable;
    }

    void markJoined(String viewId) {
        joinedViewId = viewId;
    }

    /**
     * Whether a partition this node was in was ever quorate (Pacemaker's controller keeps the same fact):
     * only then does a lost quorum "panic" (no-quorum-panic on the scheduler input, which makes
     * no-quorum-policy=suicide fence the partition); a partition never quorate only waits.
     */
    private boolean everQuorate;
    /** Nodes that left this node's view, and when: watchdog fencing counts its wait from then. */
    private final Map<String, Instant> lostAt = new java.util.HashMap<>();

    void noteQuorate() {
        everQuorate = true;
    }

    public boolean everQuorate() {
        return everQuorate;
    }

    LocalLrm lrm() {
        return lrm;
    }

    // ---- events

    private void onView(View v) {
        View previous = view;
        view = v;
        if (previous != null) {
            for (String m : previous.members()) {
                if (!v.contains(m)) {
                    lostAt.put(m, now);
                }
            }
        }
        lostAt.keySet().removeAll(v.members());
        // A node back in the view is alive: an old result of fencing it must never stand for a later loss.
        unrecordedDcFencing.removeIf(e -> v.contains(e.target()));
        answerForwardsToLostDcs(v);
        tieBreaker.onView(now);
        joinedViewId = null;
        out.info("view " + v.id() + ": " + v.members() + (previous == null ? "" : " (was " + previous.members() + ")")
                + ", DC " + v.dc());
        noteMembers(v.members(), cib);
        if (v.dc().equals(self)) {
            if (dc == null) {
                dc = new DcRole(this);
            }
            dc.startJoin(v);
        } else if (dc != null) {
            dc.resign("this node is no longer DC (the view's first member is now " + v.dc() + ")");
            dc = null;
            wantLease(false);
        }
        if (earlyJoin != null && earlyJoin.viewId().equals(v.id()) && earlyJoinFrom.equals(v.dc())) {
            Message.JoinRequest j = earlyJoin;
            earlyJoin = null;
            onJoinRequest(earlyJoinFrom, j);
        }
    }

    private void onPing(Event.PingResult p) {
        if (!tieBreaker.acceptPing(p)) {
            return;
        }
        out.info("tie-breaker " + p.target() + (p.reachable() ? " answers" : " does not answer") + " from here");
        if (dc != null) {
            dc.recheckQuorum("the tie-breaker " + p.target() + (p.reachable() ? " answers" : " stopped answering"));
        }
    }

    private void onLease(Event.LeaseResult l) {
        TieBreakerState.LeaseUpdate update = tieBreaker.acceptLease(l);
        if (update == TieBreakerState.LeaseUpdate.IGNORED) {
            out.debug("ignored a lease result for " + l.path() + " (not wanted, or tried before it was)");
            return;
        }
        if (update == TieBreakerState.LeaseUpdate.CHANGED) {
            out.info(l.held() ? "holding the lease " + l.path() : "the lease " + l.path() + " is held by another node");
        }
        if (l.held()) {
            // The holder must stop counting on the lease by itself when renewals stop coming.
            out.timer(new TimerKey("lease-expiry"), Math.max(1, l.validUntil().toEpochMilli() - now.toEpochMilli()));
        }
        if (dc != null) {
            dc.recheckQuorum(l.held() ? "this node holds the lease" : "another node holds the lease");
        }
    }

    private void onArbitrator(Event.ArbitratorAnswer a) {
        TieBreakerState.LeaseUpdate update = tieBreaker.acceptArbitrator(a, now);
        if (update == TieBreakerState.LeaseUpdate.IGNORED) {
            out.debug("ignored an answer of the arbitrator " + a.target() + " (not wanted, or asked before it was)");
            return;
        }
        Instant validUntil = tieBreaker.validUntil();
        if (update == TieBreakerState.LeaseUpdate.CHANGED) {
            out.info("the arbitrator " + a.target() + ": " + switch (a.answer()) {
                case GRANTED -> "this partition holds its vote";
                case REFUSED -> "another part of the cluster holds its vote";
                case WAIT -> "undecided";
                case UNREACHABLE -> validUntil == null ? "cannot be reached, so this partition does not hold its vote"
                        : "cannot be reached; its vote counts until " + validUntil;
            } + (a.reason().isEmpty() ? "" : " (" + a.reason() + ")"));
        }
        if (validUntil != null) {
            // The holder stops counting on the vote by itself when renewals stop coming.
            out.timer(new TimerKey("lease-expiry"), Math.max(1, validUntil.toEpochMilli() - now.toEpochMilli()));
        }
        if (dc != null) {
            dc.recheckQuorum("the arbitrator " + a.target() + " answered " + a.answer().name().toLowerCase());
        }
    }

    private void onMessage(String from, Message m) {
        Runnable handler = switch (m.kind()) {
            case JOIN_REQUEST -> () -> onJoinRequest(from, (Message.JoinRequest) m);
            case CIB_SYNC -> () -> onCibSync(from, (Message.CibSync) m);
            case CIB_UPDATE -> () -> onCibUpdate(from, (Message.CibUpdate) m);
            case EXECUTE -> () -> onExecute(from, (Message.Execute) m);
            case FORWARDED_REPLY -> () -> onForwardedReply(from, (Message.ForwardedReply) m);
            case SUICIDE -> () -> {
                Message.Suicide s = (Message.Suicide) m;
                if (view != null && s.viewId().equals(view.id()) && from.equals(view.dc())) {
                    out.warn("fencing myself: " + s.reason());
                    out.add(new Effect.SelfFence(s.reason()));
                }
            };
            case SHUTDOWN_GRANTED -> () -> {
                if (shuttingDown && fromMyDc(from, ((Message.ShutdownGranted) m).viewId())) {
                    out.info("the DC let this node go: nothing of the cluster runs here any more");
                    out.add(new Effect.ShutdownComplete("clean shutdown granted by " + from));
                }
            };
            case FORGET_HISTORY -> () -> {
                Message.ForgetHistory f = (Message.ForgetHistory) m;
                if (fromMyDc(from, f.viewId())) {
                    lrm.forget(f.resourceId().isEmpty() ? null : f.resourceId());
                }
            };
            case FENCE_HISTORY -> () -> {
                Message.FenceHistory h = (Message.FenceHistory) m;
                if (fromMyDc(from, h.viewId())) {
                    fenceHistory = h.events();
                    reactToOwnFencing();
                    previousFenceHistory = fenceHistory;
                } else if (dc != null && !from.equals(self)) {
                    // A member's own runs against the DC before this one, which went down with them.
                    dc.fencing.onMemberFencing(from, h);
                }
            };
            // what members send their DC
            case JOIN_RESPONSE, CIB_ACK, RESYNC_REQUEST, OP_REPORT, SHUTDOWN_REQUEST, FORWARDED_ADMIN -> () -> {
                if (dc != null) {
                    dc.onMessage(from, m);
                } else {
                    out.debug("ignored " + m.getClass().getSimpleName() + " from " + from + ": this node is not DC");
                }
            };
        };
        handler.run();
    }

    /**
     * Writes forwarded to a DC that is not in view {@code v} any more get their answer now: that DC can no longer
     * reply, and the operator waited out the whole forward deadline (95 s) for an answer that was never coming
     * (the stranger: a DC that falsely suspected both others). A DC that stays a member answers by itself, when it
     * resigns. Whether the change was applied is not known here.
     */
    private void answerForwardsToLostDcs(View v) {
        for (java.util.Iterator<Map.Entry<Long, Forward>> it = forwards.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, Forward> e = it.next();
            Forward f = e.getValue();
            if (v.contains(f.dc())) {
                continue;
            }
            it.remove();
            out.add(new Effect.CancelTimer(TimerKey.of("forward", e.getKey())));
            replyLocal(f.requestId(), AdminResult.error(AdminResult.UNCERTAIN, "the DC " + f.dc() + " left the cluster"
                    + " (view " + v.id() + ": " + v.members() + ") before it answered; the change may or may not be"
                    + " applied: check with crm configure show and repeat it if it is missing"));
        }
    }

    private void onForwardedReply(String from, Message.ForwardedReply r) {
        Forward f = forwards.get(r.forwardId());
        if (f != null && f.viewId().equals(r.viewId()) && f.dc().equals(from)) {
            forwards.remove(r.forwardId());
            out.add(new Effect.CancelTimer(TimerKey.of("forward", r.forwardId())));
            replyLocal(f.requestId(), r.result());
        } else {
            refusedStale("the answer to forwarded write #" + r.forwardId() + " from " + from + " of view "
                    + r.viewId() + (f == null ? ", which this node is not waiting for"
                    : ", which this node forwarded to " + f.dc() + " in view " + f.viewId()));
        }
    }

    private boolean fromMyDc(String from, String viewId) {
        return view != null && viewId.equals(view.id()) && from.equals(view.dc());
    }

    private void onJoinRequest(String from, Message.JoinRequest j) {
        if (view == null || !j.viewId().equals(view.id()) || !from.equals(view.dc())) {
            earlyJoin = j;
            earlyJoinFrom = from;
            out.debug("ignored join request of view " + j.viewId() + " from " + from + ": my view is "
                    + (view == null ? "none" : view.id() + " with DC " + view.dc()));
            return;
        }
        // Answered at once, operations in flight included as pending: waiting for them would let one hung
        // agent hold up the whole partition's join, and with it the fencing of a node that died meanwhile.
        answerJoin(j);
    }

    private void answerJoin(Message.JoinRequest j) {
        Cib newer = cib.version().isNewerThan(j.dcVersion()) ? cib : null;
        List<String> suspects = new java.util.ArrayList<>();
        cib.statusView().nodes().forEach((node, ns) -> {
            if ("member".equals(ns.expected())) {
                suspects.add(node);
            }
        });
        // Runs against an earlier DC (crm node fence on it), done or still going: the new DC must know them before
        // it decides to fence that node, or it fences it a second time (issue 11). Kept here until the join's CIB
        // sync (onCibSync), should this join be started again.
        String asking = view.dc();
        List<FenceEvent> done = unrecordedDcFencing.stream().filter(e -> !e.target().equals(asking)).toList();
        List<Message.DcFenceRun> inFlight = new java.util.ArrayList<>();
        runsAgainstTheirDc.forEach((opKey, run) -> {
            if (!run.target().equals(asking)) {
                inFlight.add(new Message.DcFenceRun(opKey, run.target(), run.device(), run.action(), run.timeoutMs()));
            }
        });
        inFlight.sort(java.util.Comparator.comparing(Message.DcFenceRun::opKey));
        out.send(asking, new Message.JoinResponse(j.viewId(), cib.version(), newer,
                lrm.toXmlWithPending(now.getEpochSecond()), suspects, done, inFlight));
    }

    private void onCibSync(String from, Message.CibSync s) {
        if (!fromMyDc(from, s.viewId())) {
            out.debug("ignored CIB sync of view " + s.viewId() + " from " + from);
            return;
        }
        storeCib(s.cib(), true);
        if (!s.viewId().equals(joinedViewId)) {
            joinedViewId = s.viewId();
            out.info("joined DC " + from + " in view " + s.viewId() + " with CIB " + cib.version());
            List<FenceEvent> forNewDc = unrecordedDcFencing.stream().filter(e -> !e.target().equals(from)).toList();
            if (!forNewDc.isEmpty()) {
                out.send(from, new Message.FenceHistory(s.viewId(), forNewDc));
                unrecordedDcFencing.removeAll(forNewDc);
            }
        }
        out.send(from, new Message.CibAck(s.viewId(), cib.version()));
        if (shuttingDown) {
            out.send(from, new Message.ShutdownRequest(s.viewId()));
        }
    }

    private void onCibUpdate(String from, Message.CibUpdate u) {
        if (!fromMyDc(from, u.viewId()) || !u.viewId().equals(joinedViewId)) {
            return;
        }
        if (!u.diff().to().isNewerThan(cib.version())) {
            out.send(from, new Message.CibAck(u.viewId(), cib.version()));
            return;
        }
        try {
            storeCib(u.diff().apply(cib), false);
            out.send(from, new Message.CibAck(u.viewId(), cib.version()));
        } catch (CibException e) {
            out.info("asking the DC for the whole CIB: " + e.getMessage());
            out.send(from, new Message.ResyncRequest(u.viewId(), cib.version()));
        }
    }

    private void onExecute(String from, Message.Execute x) {
        if (!fromMyDc(from, x.viewId()) || !x.viewId().equals(joinedViewId)) {
            // A DC that has not noticed it was cut off must not move this node.
            out.warn("refused " + x.request().action() + " of " + x.request().resourceId() + " from " + from
                    + ": not the DC this node joined (view " + x.viewId() + ", joined " + joinedViewId + ")");
            return;
        }
        OpRequest req = x.request();
        // This node is the router of a remote node's action: the same bookkeeping, on that node's own books.
        String remote = x.relayed() && !x.target().equals(self) ? x.target() : null;
        LocalLrm books = remote == null ? lrm : remoteLrm(remote);
        if (req.action().equals("cancel")) {
            books.cancelRecurring(req.resourceId());
            out.add(new Effect.CancelRecurring(req.resourceId(), remote));
            onOperation(OpResult.of(req, 0, OpStatus.DONE, "", 0), remote, 0);
            return;
        }
        // Fencing actions and queries run a device against another node: the device's own monitors go on.
        // A notification changes nothing either (Pacemaker's controller cancels for stop, promote, demote and
        // migrations only): the graph orders a clone's notify after its start but not after the monitor that
        // follows the start, so cancelling here killed the monitor's first run, whose result never came.
        boolean oneShotChange = req.intervalMs() == 0 && !List.of("monitor", "notify").contains(req.action())
                && !(req.agent().isStonith() && LrmOps.isFencerAction(req.action()));
        if (oneShotChange) {
            books.cancelRecurring(req.resourceId());
            out.add(new Effect.CancelRecurring(req.resourceId(), remote));
        }
        books.started(req);
        if (remote == null && againstItsDc(req, from)) {
            runsAgainstTheirDc.put(req.opKey(), new RunAgainstDc(from, req.resourceId(), req.action(), req.timeoutMs()));
        }
        // The LRM reports every operation by its timeout plus a kill grace period; should its report never
        // come all the same, this node must not call the operation pending for ever (in every join answer).
        out.timer(TimerKey.of("op-deadline", req.opKey()), req.timeoutMs() + 2 * config.actionMarginMs());
        // Fence devices' start and stop go to the LRM too, as Pacemaker's go to its fencer: a start
        // checks the device (its monitor action) and registers it, so a broken power switch shows
        // as a failed start instead of at the first fencing, and probes stay true after a restart.
        out.add(new Effect.RunOperation(req, remote));
    }

    /** Whether the CIB records this very result (same operation, same outcome) in {@code node}'s history. */
    private boolean recorded(String node, OpResult r) {
        return cib.statusView().history(node, r.resourceId()).map(h -> h.ops().stream().anyMatch(op ->
                r.opKey().equals(op.transitionKey()) && op.rcCode() == r.rc() && op.opStatus() == r.status().code()))
                .orElse(false);
    }

    /** The books this node keeps of remote node {@code node}'s operations it relays (call ids: the node's). */
    private LocalLrm remoteLrm(String node) {
        return remoteLrms.computeIfAbsent(node, LocalLrm::new);
    }

    private void onOperation(OpResult r) {
        onOperation(r, null, 0);
    }

    /**
     * A result of this node's LRM, or ({@code remote} not null) of a remote node's pulse-remoted relayed by
     * this node: recorded on the matching books and reported to the DC, a remote one under the remote node's
     * name with its daemon's call id.
     */
    private void onOperation(OpResult r, String remote, long remoteCallId) {
        LocalLrm books = remote == null ? lrm : remoteLrm(remote);
        if (remote != null) {
            if (r.intervalMs() == 0 && !books.isInFlight(r.opKey()) && recorded(remote, r)) {
                // The daemon's history, read by a new connection: the status section has it already.
                return;
            }
            books.advanceCallIds(remoteCallId);
        }
        LocalLrm.Recorded rec = books.record(r, now.getEpochSecond());
        if (rec.completesRequest()) {
            out.add(new Effect.CancelTimer(TimerKey.of("op-deadline", r.opKey())));
        }
        if (rec.report() && view != null) {
            out.send(view.dc(), new Message.OpReport(view.id(), r, rec.callId(), rec.opDigest(),
                    remote == null ? "" : remote));
        }
        RunAgainstDc againstDc = remote == null && rec.completesRequest() ? runsAgainstTheirDc.remove(r.opKey()) : null;
        if (againstDc != null && r.is(0)) {
            dcFenced(againstDc, r);
        }
    }

    private void onTimer(TimerKey key) {
        if (key.is("forward")) {
            long id = Long.parseLong(key.detail());
            Forward f = forwards.remove(id);
            if (f != null) {
                replyLocal(f.requestId(), AdminResult.error(AdminResult.TIMEOUT,
                        "the DC " + f.dc() + " did not answer within " + (config.writeDeadlines().forwardMs() / 1000)
                                + " s; the change may or may not be applied — check with crm configure show"));
            }
        } else if (key.is("op-deadline")) {
            lrm.inFlight().stream().filter(req -> req.opKey().equals(key.detail())).findFirst().ifPresent(req -> {
                out.warn("the LRM never reported " + req.action() + " of " + req.resourceId() + " (" + req.opKey()
                        + "); taking it as timed out");
                onOperation(OpResult.of(req, 1, OpStatus.TIMEOUT, "the LRM did not report within "
                        + req.timeoutMs() + " ms + " + 2 * config.actionMarginMs() + " ms", req.timeoutMs()));
            });
            for (Map.Entry<String, LocalLrm> e : new java.util.ArrayList<>(remoteLrms.entrySet())) {
                e.getValue().inFlight().stream().filter(req -> req.opKey().equals(key.detail())).findFirst()
                        .ifPresent(req -> {
                            out.warn("remote node " + e.getKey() + " never reported " + req.action() + " of "
                                    + req.resourceId() + " (" + req.opKey() + "); taking it as timed out");
                            onOperation(OpResult.of(req, 1, OpStatus.TIMEOUT, "no result from remote node "
                                    + e.getKey() + " within " + req.timeoutMs() + " ms + " + 2 * config.actionMarginMs()
                                    + " ms (its connection was lost?)", req.timeoutMs()), e.getKey(), 0);
                        });
            }
        } else if (key.is("dampen")) {
            Dampened d = dampened.remove(key.name());
            if (d != null) {
                writeDampened(key, d);
            }
        } else if (dc != null) {
            dc.onTimer(key);
        }
    }

    private void onAdmin(long requestId, AdminCommand command) {
        if (command instanceof AdminCommand.Query) {
            out.add(new Effect.ReplyAdmin(requestId, new AdminResult(AdminResult.OK, "", cib.version(), cib, null)));
        } else if (command instanceof AdminCommand.Status) {
            out.add(new Effect.ReplyAdmin(requestId, new AdminResult(AdminResult.OK, "", cib.version(), cib,
                    status())));
        } else if (command instanceof AdminCommand.Shutdown) {
            out.add(new Effect.ReplyAdmin(requestId, AdminResult.written(cib.version(), "shutting down")));
            if (!shuttingDown) {
                shuttingDown = true;
                out.info("shutdown requested: asking the DC to move this node's resources away");
            }
            if (joined()) {
                out.send(view.dc(), new Message.ShutdownRequest(view.id()));
            } else {
                // Without a DC nobody can take over or record the stop: leave now.
                out.add(new Effect.ShutdownComplete("not joined to a DC"));
            }
        } else if (command instanceof AdminCommand.DampenedAttribute d) {
            onDampened(requestId, d);
        } else if (command instanceof AdminCommand.Write w) {
            if (dc != null) {
                dc.write(new DcRole.ReplyTo(self, requestId, view.id()), w);
            } else if (joined()) {
                long id = ++nextForwardId;
                forwards.put(id, new Forward(requestId, view.id(), view.dc()));
                out.send(view.dc(), new Message.ForwardedAdmin(view.id(), id, w));
                // Past the DC's own cap on the write (AdminDeadlines): the DC answers first, with its reason.
                out.timer(TimerKey.of("forward", id), config.writeDeadlines().forwardMs());
            } else {
                replyLocal(requestId, AdminResult.error(AdminResult.NO_DC,
                        "node " + self + " is not joined to a DC yet (view "
                                + (view == null ? "none" : view.members().toString()) + "); retry in a moment"));
            }
        } else {
            // AdminCommand is sealed and every kind is handled above: a new kind must be added here too
            throw new IllegalArgumentException("unknown admin command type " + command.getClass().getName());
        }
    }

    private void onDampened(long requestId, AdminCommand.DampenedAttribute d) {
        AdminCommand.Write write = new AdminCommand.Write(new CibEdit.NodeAttribute(d.node(), d.name(), d.value(),
                true), false);
        TimerKey key = TimerKey.of("dampen", d.node() + "/" + d.name());
        Dampened waiting = dampened.get(key.name());
        if (d.dampenMs() == 0) {
            if (waiting != null) {
                dampened.remove(key.name());
                out.add(new Effect.CancelTimer(key));
            }
            onAdmin(requestId, write);
            return;
        }
        String what = d.name() + (d.value() == null ? " (delete)" : "=" + d.value()) + " on " + d.node();
        if (waiting != null && Objects.equals(waiting.value(), d.value())) {
            // The same value again: it keeps the time it has already been stable.
            replyLocal(requestId, AdminResult.written(cib.version(), what + " already waits to be written"));
            return;
        }
        String stored = cib.statusView().node(d.node()).map(ns -> ns.transientAttributes().get(d.name())).orElse(null);
        if (waiting == null && Objects.equals(stored, d.value())) {
            replyLocal(requestId, AdminResult.written(cib.version(), what + ": no change"));
            return;
        }
        dampened.put(key.name(), new Dampened(d.node(), d.name(), d.value(), d.dampenMs()));
        out.timer(key, d.dampenMs());
        replyLocal(requestId, AdminResult.written(cib.version(), what + " is written after " + d.dampenMs()
                + " ms unless it changes meanwhile"));
    }

    /** A dampened value stayed the same for its delay: write it (to the DC), or wait again without one. */
    private void writeDampened(TimerKey key, Dampened d) {
        if (dc == null && !joined()) {
            // attrd keeps the value until there is a DC to write it to; so does this node.
            dampened.put(key.name(), d);
            out.timer(key, d.dampenMs());
            out.debug("dampened " + d.name() + " on " + d.node() + " waits for a DC");
            return;
        }
        long id = --nextOwnWriteId;
        ownWrites.put(id, d);
        onAdmin(id, new AdminCommand.Write(new CibEdit.NodeAttribute(d.node(), d.name(), d.value(), true), false));
    }

    /** Replies to an admin request received on this node (for DcRole too); own writes are checked here. */
    void replyLocal(long requestId, AdminResult result) {
        if (requestId >= 0) {
            out.add(new Effect.ReplyAdmin(requestId, result));
            return;
        }
        Dampened d = ownWrites.remove(requestId);
        if (d == null || result.ok()) {
            return;
        }
        TimerKey key = TimerKey.of("dampen", d.node() + "/" + d.name());
        boolean retry = !result.code().equals(AdminResult.INVALID) && !dampened.containsKey(key.name());
        out.warn("writing " + d.name() + " on " + d.node() + " failed (" + result.code() + ": " + result.message()
                + ")" + (retry ? "; retrying in " + d.dampenMs() + " ms" : ""));
        if (retry) {
            dampened.put(key.name(), d);
            out.timer(key, d.dampenMs());
        }
    }

    CibVersion version() {
        return cib.version();
    }
}
