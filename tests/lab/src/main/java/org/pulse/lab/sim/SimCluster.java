package org.pulse.lab.sim;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.pulse.cib.Cib;
import org.pulse.crmd.arbitrator.VoteBook;
import org.pulse.crmd.controller.AdminCommand;
import org.pulse.crmd.controller.AdminResult;
import org.pulse.crmd.controller.Controller;
import org.pulse.crmd.controller.ControllerConfig;
import org.pulse.crmd.controller.DecisionParity;
import org.pulse.crmd.controller.Effect;
import org.pulse.crmd.controller.Event;
import org.pulse.crmd.controller.Message;
import org.pulse.crmd.controller.MessageCodec;
import org.pulse.crmd.controller.OpRequest;
import org.pulse.crmd.controller.OpResult;
import org.pulse.crmd.controller.OpStatus;
import org.pulse.crmd.controller.PolicyEngineScheduler;
import org.pulse.crmd.controller.QuorumConfig;
import org.pulse.crmd.controller.Scheduler;
import org.pulse.crmd.controller.View;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;

/**
 * Many controllers in one JVM on a simulated network and clock: a seeded event queue, a message
 * router with per-pair FIFO delivery and delays that drops what crosses a partition, a
 * membership service that installs views with detection delays (and, like JGroups, sometimes a
 * stale 2-of-3 view on the isolated side first), simulated LRMs whose agents can fail or hang
 * (until their timeout, or for ever: a result that never comes), crmds that freeze (their events
 * wait, as behind a stuck event thread, while the membership still lists them), and a power
 * switch the fence device drives. The ground truth (what really runs where, who is
 * powered) lives here, so invariants are checked against reality, not the CIB.
 */
public final class SimCluster {
    static final long EPOCH_MS = 1_700_000_000_000L;

    final Random random;
    public final List<Host> hosts = new ArrayList<>();
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>(
            Comparator.comparingLong(Scheduled::timeMs).thenComparingLong(Scheduled::seq));
    private final Scheduler scheduler;
    private final Cib initialCib;
    private final Map<String, Long> lastDelivery = new HashMap<>();
    private final Deque<String> log = new ArrayDeque<>();
    private final List<String> nodeNames;
    long nowMs;
    private long seq;
    private long viewCounter;
    private long startCounter;
    private long adminCounter;
    final Map<Long, AdminOutcome> adminResults = new LinkedHashMap<>();
    /** Fault knobs, changed by the scenario. */
    double startFailureRate;
    double stopFailureRate;
    public double hangRate;
    /** Operations whose result never comes (what may have happened, happened). */
    double neverReturnRate;
    public long neverReturned;
    public long freezes;
    double staleViewRate = 0.3;
    /** Fencing runs that fail (rc 1) or hang until their timeout, whatever the device. */
    double fenceFailureRate;
    double fenceHangRate;
    /** Devices that always fail to fence (a broken switch), chosen per scenario. */
    final Set<String> brokenDevices = new TreeSet<>();
    /** Broken fencing invariants seen by the switch: a node fenced by a device not allowed for it, ... */
    final List<String> fenceViolations = new ArrayList<>();
    /** Fencing runs a DC sent and that must end (a result, a timeout, or the DC's view gone) by a deadline. */
    final List<SentFence> sentFences = new ArrayList<>();
    public long fenceRunsFailed;
    long maxMessageDelayMs = 15;
    public boolean logEverything;
    public long eventsHandled;
    public long fencings;
    public long crashes;
    /** When each node was last fenced (off or reboot), by name. */
    final Map<String, Long> lastFencedAtMs = new HashMap<>();
    /**
     * Replay (issue 11): every input the policy engine decided on is scheduled again here and must give the
     * transition the DC ran; the mismatches, for a person. Only with the real policy engine.
     */
    public final List<String> replayMismatches = new ArrayList<>();
    public long replayed;
    /** Parity: inputs compared, and those where the DC's fencing and the policy engine's disagree. */
    public long parityInputs;
    private final long seed;
    public long parityFencing;
    /** Fencing differences where Planner fences a node the policy engine does not, and the other way. */
    public long parityFencingPlannerOnly;
    public long parityFencingPeOnly;
    /**
     * Split-brain defences (issue 16), set by the scenario before the first crmd starts: the nodes'
     * quorum settings (tie_breaker = arbitrator among them), a watchdog per node ({@code
     * watchdogTimeoutMs}, 0: none) modelled on crmd's feeder, and the arbitrator ({@code arbitrator},
     * the real VoteBook; null while it is down). The arbitrator is reachable from every side of a
     * partition (a third site); its questions and answers take the network's delays.
     */
    QuorumConfig quorum = QuorumConfig.MAJORITY;
    long watchdogTimeoutMs;
    VoteBook arbitrator;
    static final long ARBITRATOR_LEASE_MS = 6000;
    static final long ARBITRATOR_GATHER_MS = 2000;
    public long watchdogResets;
    public long arbitratorLosses;
    public long arbitratorGrants;
    /** The first disagreements of each kind (fencing, probes, no-quorum), as examples. */
    public final List<String> parityExamples = new ArrayList<>();
    private final Map<String, Integer> examplesByKind = new HashMap<>();

    record Scheduled(long timeMs, long seq, Runnable action) {
    }

    record AdminOutcome(String node, AdminCommand command, AdminResult result, long sentMs, long doneMs) {
    }

    /** A fencing run the DC {@code dc} (that incarnation, in view {@code viewId}) sent to {@code executor}. */
    record SentFence(String dc, int incarnation, String viewId, String target, String device, String executor,
            long sentMs, long deadlineMs) {
    }

    public final class Host {
        public final String name;
        boolean powered = true;
        boolean crmdUp;
        int incarnation;
        int powerCycle;
        long startSeq;
        int side;
        public Controller controller;
        Cib persisted;
        /** The last CIB stored durably; a crash may lose the lazy writes after it. */
        Cib durable;
        View installedView;
        String targetViewId;
        List<String> targetMembers;
        long pendingViewGen;
        public final Set<String> running = new TreeSet<>();
        final Map<String, Long> timerGen = new HashMap<>();
        final Map<String, OpRequest> recurring = new HashMap<>();
        /** While frozen, the events for this crmd wait here, in order. */
        long frozenUntilMs = -1;
        long frozenSinceMs = -1;
        /** The watchdog: last fed, and whether crmd stopped feeding it for good (it must reset). */
        long lastFedMs;
        boolean watchdogForGood;
        /** The controller's last wish for the arbitrator's vote, and the incarnation whose asking loop runs. */
        Effect.AskArbitrator arbitratorWish;
        int askingIncarnation = -1;
        final List<Event> frozenEvents = new ArrayList<>();
        /** Operations started before this time never return (the late-phase liveness check). */
        long opsNeverReturnUntilMs = -1;
        /**
         * Per resource, when the operation this crmd's LRM runs (or has queued last) ends. The real LRM
         * (lrm's Lrm) runs one operation of a resource at a time, in the order submitted, and the
         * controller counts on it (a result means the earlier operations of the resource are over): a
         * start that hangs holds up the stop sent after it. Gone with the LRM, when crmd stops.
         */
        public final Map<String, Long> resourceBusyUntilMs = new HashMap<>();

        public Host(String name, Cib cib) {
            this.name = name;
            this.persisted = cib;
            this.durable = cib;
        }

        public boolean alive() {
            return powered && crmdUp;
        }
    }

    public SimCluster(long seed, int nodes, Cib initialCib, Scheduler scheduler) {
        this.seed = seed;
        this.random = new Random(seed);
        this.scheduler = scheduler;
        this.initialCib = initialCib;
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            names.add("node" + i);
        }
        this.nodeNames = List.copyOf(names);
        for (String n : names) {
            hosts.add(new Host(n, initialCib));
        }
    }

    public Host host(String name) {
        for (Host h : hosts) {
            if (h.name.equals(name)) {
                return h;
            }
        }
        throw new IllegalArgumentException(name);
    }

    Instant now() {
        return Instant.ofEpochMilli(EPOCH_MS + nowMs);
    }

    // ---- the arbitrator and the watchdogs (issue 16)

    /**
     * As crmd's runtime: every second while the controller wants the vote, ask; the answer comes back
     * after the network's delays (unreachable after a second when the arbitrator is down). A granted
     * vote counts from before the question, less a third of the lease, as CrmdRuntime counts it.
     */
    private void askArbitrator(Host h, int incarnation) {
        Effect.AskArbitrator wish = h.arbitratorWish;
        if (h.incarnation != incarnation || !h.alive() || wish == null || !wish.want()) {
            if (h.incarnation == incarnation) {
                h.askingIncarnation = -1;
            }
            return;
        }
        Instant askedAt = now();
        String target = quorum.tieBreaker().target();
        QuorumConfig.Arbitration arb = quorum.tieBreaker().arbitration();
        long there = 1 + random.nextInt((int) maxMessageDelayMs);
        at(there, () -> {
            if (arbitrator == null) {
                at(1000 - there, () -> {
                    if (h.incarnation == incarnation && h.alive()) {
                        deliver(h, new Event.ArbitratorAnswer(target, Event.ArbitratorAnswer.Answer.UNREACHABLE, null,
                                askedAt, "connection refused"));
                    }
                });
                return;
            }
            VoteBook.Answer a = arbitrator.ask(new VoteBook.Ask("sim", h.name, arb.algorithm().name().toLowerCase(),
                    arb.tieBreaker(), wish.voters(), wish.members()), nowMs);
            if (a.kind() == VoteBook.Kind.GRANT) {
                arbitratorGrants++;
            }
            Event.ArbitratorAnswer answer = switch (a.kind()) {
                case GRANT -> new Event.ArbitratorAnswer(target, Event.ArbitratorAnswer.Answer.GRANTED,
                        askedAt.plusMillis(a.leaseMs() - a.leaseMs() / 3), askedAt, a.reason());
                case WAIT -> new Event.ArbitratorAnswer(target, Event.ArbitratorAnswer.Answer.WAIT, null, askedAt,
                        a.reason());
                case REFUSE -> new Event.ArbitratorAnswer(target, Event.ArbitratorAnswer.Answer.REFUSED, null, askedAt,
                        a.reason());
            };
            at(1 + random.nextInt((int) maxMessageDelayMs), () -> {
                if (h.incarnation == incarnation && h.alive()) {
                    deliver(h, answer);
                }
            });
        });
        at(1000, () -> askArbitrator(h, incarnation));
    }

    /** The arbitrator's machine goes down: it forgets every vote it gave. */
    void arbitratorDown() {
        if (arbitrator != null) {
            arbitrator = null;
            arbitratorLosses++;
            trace("arbitrator down");
        }
    }

    /** It (re)starts: it gives no vote for one lease (VoteBook's rule). */
    void arbitratorUp() {
        if (arbitrator == null && quorum.tieBreaker().kind() == QuorumConfig.TieBreaker.Kind.ARBITRATOR) {
            arbitrator = new VoteBook(ARBITRATOR_LEASE_MS, ARBITRATOR_GATHER_MS, nowMs);
            trace("arbitrator up");
        }
    }

    /**
     * Every 100 ms, each node's watchdog as crmd's feeder drives it (WatchdogFeeder.judge): fed while
     * crmd runs and its event loop answered within half the timeout; never again once, with watchdog
     * fencing, its partition had quorum and lost it; a crmd that is gone feeds nothing. Not fed for the
     * timeout, the node resets (powers off, boots again later).
     */
    void startWatchdogs() {
        if (watchdogTimeoutMs <= 0) {
            return;
        }
        at(100, () -> {
            for (Host h : hosts) {
                if (!h.powered) {
                    continue;
                }
                boolean fed = false;
                if (h.crmdUp && !h.watchdogForGood) {
                    if (h.frozenUntilMs > nowMs) {
                        fed = nowMs - h.frozenSinceMs <= watchdogTimeoutMs / 2;
                    } else if (h.controller.watchdogFencingInUse() && h.controller.everQuorate()
                            && Boolean.FALSE.equals(h.controller.quorate())) {
                        h.watchdogForGood = true;
                        trace(h.name + " watchdog: no longer fed (quorum lost, watchdog fencing)");
                    } else {
                        fed = true;
                    }
                }
                if (fed) {
                    h.lastFedMs = nowMs;
                } else if (nowMs - h.lastFedMs > watchdogTimeoutMs) {
                    watchdogResets++;
                    powerOff(h, "watchdog reset (not fed for " + (nowMs - h.lastFedMs) + " ms)");
                    at(1000 + random.nextInt(2000), () -> powerOn(h));
                }
            }
            startWatchdogs();
        });
    }

    // ---- the event queue

    public void at(long delayMs, Runnable r) {
        queue.add(new Scheduled(nowMs + Math.max(0, delayMs), ++seq, r));
    }

    /** Runs events until the simulated time reaches {@code untilMs}, checking invariants after each. */
    public void runUntil(long untilMs, Runnable invariants) {
        while (!queue.isEmpty() && queue.peek().timeMs() <= untilMs) {
            Scheduled s = queue.poll();
            nowMs = s.timeMs();
            s.action().run();
            eventsHandled++;
            invariants.run();
        }
        nowMs = Math.max(nowMs, untilMs);
    }

    void trace(String line) {
        log.addLast(String.format("%8d %s", nowMs, line));
        while (log.size() > 400) {
            log.removeFirst();
        }
        if (logEverything) {
            System.out.println(log.peekLast());
        }
    }

    public String recentLog() {
        return String.join("\n", log);
    }

    // ---- processes

    public void startCrmd(Host h) {
        if (!h.powered || h.crmdUp) {
            return;
        }
        h.crmdUp = true;
        h.incarnation++;
        h.startSeq = ++startCounter;
        h.installedView = null;
        h.targetViewId = null;
        h.timerGen.clear();
        h.recurring.clear();
        h.resourceBusyUntilMs.clear();
        h.frozenUntilMs = -1;
        h.frozenEvents.clear();
        h.lastFedMs = nowMs;
        h.watchdogForGood = false;
        h.arbitratorWish = null;
        if (random.nextBoolean()) {
            // The lazy writes since the last durable one did not reach the disk before the crash.
            h.persisted = h.durable;
        }
        h.controller = new Controller(new ControllerConfig(h.name, nodeNames, 1000, 10_000, 2000, 1000, 20_000)
                .withQuorum(quorum).withWatchdogTimeoutMs(watchdogTimeoutMs), scheduler, h.persisted);
        trace(h.name + " crmd started (incarnation " + h.incarnation + ")");
        recomputeViews();
    }

    /** crmd dies; what its agents started keeps running (a start in flight may or may not finish). */
    void crashCrmd(Host h) {
        if (!h.crmdUp) {
            return;
        }
        h.crmdUp = false;
        h.controller = null;
        h.recurring.clear();
        crashes++;
        trace(h.name + " crmd crashed");
        recomputeViews();
    }

    void powerOff(Host h, String why) {
        if (!h.powered) {
            return;
        }
        h.powered = false;
        h.crmdUp = false;
        h.controller = null;
        h.running.clear();
        h.recurring.clear();
        h.incarnation++;
        h.powerCycle++;
        trace(h.name + " powered off: " + why);
        recomputeViews();
    }

    void powerOn(Host h) {
        if (h.powered) {
            return;
        }
        h.powered = true;
        trace(h.name + " powered on");
        startCrmd(h);
    }

    void partition(List<List<String>> sides) {
        int i = 0;
        for (List<String> side : sides) {
            for (String n : side) {
                host(n).side = i;
            }
            i++;
        }
        trace("partition " + sides);
        recomputeViews();
    }

    void heal() {
        for (Host h : hosts) {
            h.side = 0;
        }
        trace("partitions healed");
        recomputeViews();
    }

    boolean connected(Host a, Host b) {
        return a.alive() && b.alive() && a.side == b.side;
    }

    /** Connected components of live hosts. */
    List<List<Host>> components() {
        List<List<Host>> out = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (Host h : hosts) {
            if (!h.alive() || seen.contains(h.name)) {
                continue;
            }
            List<Host> comp = new ArrayList<>();
            for (Host o : hosts) {
                if (o.alive() && o.side == h.side) {
                    comp.add(o);
                    seen.add(o.name);
                }
            }
            comp.sort(Comparator.comparingLong(x -> x.startSeq));
            out.add(comp);
        }
        return out;
    }

    // ---- membership

    private void recomputeViews() {
        for (List<Host> comp : components()) {
            List<String> members = comp.stream().map(x -> x.name).toList();
            // Nothing changed for this component: every member already has (or is about to get)
            // the same view. Otherwise every member gets one new view, with one id, as in JGroups.
            String common = comp.get(0).targetViewId;
            boolean unchanged = common != null;
            for (Host h : comp) {
                unchanged &= common != null && common.equals(h.targetViewId) && members.equals(h.targetMembers);
            }
            if (unchanged) {
                continue;
            }
            String id = "v" + (++viewCounter);
            for (Host h : comp) {
                long gen = ++h.pendingViewGen;
                int incarnation = h.incarnation;
                long delay = 5 + random.nextInt(300);
                boolean shrank = h.installedView != null && h.installedView.members().size() > members.size();
                if (shrank && random.nextDouble() < staleViewRate) {
                    // JGroups seen: the cut-off side first installs a view that still lists a member of
                    // the other side, and holds it for about a second.
                    List<String> others = h.installedView.members().stream().filter(m -> !members.contains(m)).toList();
                    if (!others.isEmpty()) {
                        List<String> stale = new ArrayList<>(members);
                        stale.add(others.get(random.nextInt(others.size())));
                        stale.sort(Comparator.comparingLong(m -> host(m).startSeq));
                        View staleView = new View("v" + (++viewCounter), stale);
                        at(delay, () -> installView(h, incarnation, gen, staleView, false));
                        delay += 800 + random.nextInt(400);
                    }
                }
                View v = new View(id, members);
                h.targetViewId = id;
                h.targetMembers = members;
                at(delay, () -> installView(h, incarnation, gen, v, true));
            }
        }
    }

    private void installView(Host h, int incarnation, long gen, View v, boolean last) {
        if (h.incarnation != incarnation || !h.alive() || h.pendingViewGen != gen) {
            return;
        }
        h.installedView = v;
        trace(h.name + " installs view " + v.id() + " " + v.members() + (last ? "" : " (stale)"));
        deliver(h, new Event.ViewChanged(v));
    }

    // ---- events into controllers, effects out

    /** The crmd's event thread is stuck for {@code ms}: its events queue up and are handled when it thaws. */
    void freeze(Host h, long ms) {
        if (!h.alive() || h.frozenUntilMs > nowMs) {
            return;
        }
        freezes++;
        h.frozenUntilMs = nowMs + ms;
        h.frozenSinceMs = nowMs;
        int incarnation = h.incarnation;
        trace(h.name + " crmd freezes for " + ms + " ms");
        at(ms, () -> {
            if (h.incarnation != incarnation || !h.alive()) {
                return;
            }
            h.frozenUntilMs = -1;
            List<Event> waiting = new ArrayList<>(h.frozenEvents);
            h.frozenEvents.clear();
            trace(h.name + " crmd thaws: " + waiting.size() + " events waited");
            for (Event e : waiting) {
                deliver(h, e);
            }
        });
    }

    void deliver(Host h, Event e) {
        if (!h.alive()) {
            return;
        }
        if (h.frozenUntilMs > nowMs) {
            h.frozenEvents.add(e);
            return;
        }
        List<Effect> effects = h.controller.handle(e, now());
        for (Effect f : effects) {
            perform(h, f);
            if (!h.alive()) {
                return;
            }
        }
    }

    private void perform(Host h, Effect f) {
        // a switch expression over the kind, as crmd's runtime: an effect the simulation does not
        // handle is named here with why, and a new one without its branch does not compile
        Runnable branch = switch (f.kind()) {
            case SEND -> () -> {
                Effect.Send s = (Effect.Send) f;
                if (s.message() instanceof Message.Execute x && isFencing(x.request())) {
                    // The run ends by its timeout plus the DC's action margin (2000 ms in this simulation)
                    // and message delays: 5 s of slack.
                    sentFences.add(new SentFence(h.name, h.incarnation, x.viewId(), x.request().params().get("nodename"),
                            x.request().resourceId(), s.to(), nowMs, nowMs + x.request().timeoutMs() + 2000 + 5000));
                }
                send(h, host(s.to()), s.message());
            };
            case PERSIST_CIB -> () -> {
                Effect.PersistCib p = (Effect.PersistCib) f;
                h.persisted = p.cib();
                if (p.durable()) {
                    h.durable = p.cib();
                }
                if (p.reported()) {
                    // The simulated disk is instant; its report comes as its own event, as the runtime posts it.
                    int incarnation = h.incarnation;
                    at(0, () -> {
                        if (h.incarnation == incarnation && h.alive()) {
                            deliver(h, Event.CibStored.done(p.cib().version()));
                        }
                    });
                }
            };
            case SET_TIMER -> () -> {
                Effect.SetTimer t = (Effect.SetTimer) f;
                long gen = h.timerGen.merge(t.key().name(), 1L, Long::sum);
                int incarnation = h.incarnation;
                at(t.delayMs(), () -> {
                    if (h.incarnation == incarnation && h.alive() && h.timerGen.getOrDefault(t.key().name(), 0L) == gen) {
                        deliver(h, new Event.TimerFired(t.key()));
                    }
                });
            };
            case CANCEL_TIMER -> () -> {
                Effect.CancelTimer t = (Effect.CancelTimer) f;
                h.timerGen.merge(t.key().name(), 1L, Long::sum);
            };
            case RUN_OPERATION -> () -> {
                Effect.RunOperation r = (Effect.RunOperation) f;
                runOperation(h, r.request());
            };
            case CANCEL_RECURRING -> () -> {
                Effect.CancelRecurring c = (Effect.CancelRecurring) f;
                h.recurring.values().removeIf(r -> r.resourceId().equals(c.resourceId()));
            };
            case REPLY_ADMIN -> () -> {
                Effect.ReplyAdmin r = (Effect.ReplyAdmin) f;
                AdminOutcome pending = adminResults.get(r.requestId());
                if (pending != null) {
                    adminResults.put(r.requestId(), new AdminOutcome(pending.node(), pending.command(), r.result(),
                            pending.sentMs(), nowMs));
                    trace(h.name + " admin " + r.requestId() + " -> " + r.result().code() + " " + r.result().version()
                            + " " + r.result().message());
                }
            };
            case SAVE_SCHEDULER_INPUT -> () -> {
                Effect.SaveSchedulerInput s = (Effect.SaveSchedulerInput) f;
                checkDecision(h, s);
            };
            case ASK_ARBITRATOR -> () -> {
                Effect.AskArbitrator a = (Effect.AskArbitrator) f;
                h.arbitratorWish = a;
                if (a.want() && h.askingIncarnation != h.incarnation) {
                    h.askingIncarnation = h.incarnation;
                    askArbitrator(h, h.incarnation);
                } else if (!a.want()) {
                    String name = h.name;
                    at(1 + random.nextInt((int) maxMessageDelayMs), () -> {
                        if (arbitrator != null) {
                            arbitrator.release("sim", name, nowMs);
                        }
                    });
                }
            };
            case SELF_FENCE -> () -> {
                Effect.SelfFence s = (Effect.SelfFence) f;
                powerOff(h, "self-fence: " + s.reason());
                at(1000 + random.nextInt(2000), () -> powerOn(h));
            };
            // fence-reaction=stop: crmd exits and its service kills what is left (as a power-off for the cluster);
            // an operator brings the node back later, as after a self-fence
            case STOP_FOR_GOOD -> () -> {
                powerOff(h, "stopped for good: " + ((Effect.StopForGood) f).reason());
                at(1000 + random.nextInt(2000), () -> powerOn(h));
            };
            case LOG -> () -> {
                Effect.Log l = (Effect.Log) f;
                if (l.level() != Effect.Log.Level.DEBUG || Boolean.getBoolean("pulse.sim.debuglog")) {
                    trace(h.name + " " + l.text());
                }
            };
            // crm cluster stop is not simulated: no node asks to leave, so none is let go
            case SHUTDOWN_COMPLETE -> () -> trace(h.name + " shutdown complete: " + ((Effect.ShutdownComplete) f).reason());
            // the lease tie-breaker is not simulated (the arbitrator is): the wish changes nothing here
            case WANT_LEASE -> () -> {
            };
            // the runtime's history of transitions, for operators: nothing the invariants read
            case TRANSITION_ENDED -> () -> {
            };
        };
        branch.run();
    }

    /**
     * The DC's decision on {@code s.cib()}: replayed with the policy engine when the policy engine made it (the
     * same actions, in canonical form, or a mismatch is recorded), and compared with Planner's own decisions.
     */
    private void checkDecision(Host h, Effect.SaveSchedulerInput s) {
        if (!(scheduler instanceof PolicyEngineScheduler)) {
            return;
        }
        Transition t = PolicyEngine.schedule(s.cib().root(), now());
        if (s.replayable()) {
            replayed++;
            String canonical = t.canonical();
            String replay = canonical.substring(0, canonical.indexOf("== placement =="));
            String ran = s.decided().canonicalActions();
            if (!replay.equals(ran)) {
                replayMismatches.add(h.name + " input " + s.sequence() + " at " + nowMs + " ms: the DC ran\n" + ran
                        + "but the saved input replays as\n" + replay);
            }
        }
        DecisionParity.Result r = DecisionParity.compare(s.cib(), t, s.decided());
        parityInputs++;
        parityFencing += r.fencing().isEmpty() ? 0 : 1;
        for (String f : r.fencing()) {
            parityFencingPlannerOnly += f.contains("only the DC []") ? 0 : 1;
            parityFencingPeOnly += f.endsWith("only policy engine []") ? 0 : 1;
        }
        example("fencing", h, s, r.fencing());
    }

    private void example(String kind, Host h, Effect.SaveSchedulerInput s, List<String> differences) {
        String dumpDir = System.getProperty("pulse.sim.paritydump");
        if (!differences.isEmpty() && dumpDir != null) {
            // For working on a kind of difference: each input where it shows, with crm_simulate at hand.
            try {
                java.nio.file.Path dir = java.nio.file.Path.of(dumpDir);
                java.nio.file.Files.createDirectories(dir);
                java.nio.file.Files.writeString(dir.resolve(kind + "-" + seed + "-" + h.name + "-" + s.sequence()
                        + ".xml"), org.pulse.cib.xml.XmlWriter.toDocument(s.cib().root()));
                java.nio.file.Files.writeString(dir.resolve(kind + "-" + seed + "-" + h.name + "-" + s.sequence()
                        + ".txt"), String.join("\n", differences) + "\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (!differences.isEmpty() && examplesByKind.merge(kind, 1, Integer::sum) <= 2) {
            parityExamples.add(kind + ": " + h.name + " input " + s.sequence() + " (decided by "
                    + s.decided().source() + "): " + String.join("; ", differences));
        }
    }

    private void send(Host from, Host to, Message m) {
        if (!connected(from, to)) {
            return;
        }
        String pair = from.name + ">" + to.name;
        long at = Math.max(nowMs + 1 + random.nextInt((int) maxMessageDelayMs + 1), lastDelivery.getOrDefault(pair, 0L));
        lastDelivery.put(pair, at);
        int toIncarnation = to.incarnation;
        int fromIncarnation = from.incarnation;
        // A quarter of the messages cross the wire form, so the simulation checks the codec too
        // (all of them would double the suite's time).
        Message received = m;
        if (random.nextInt(4) == 0) {
            try {
                received = MessageCodec.decode(MessageCodec.encode(m));
            } catch (MessageCodec.DecodeException e) {
                throw new IllegalStateException("a message did not survive the wire: " + m, e);
            }
        }
        Message delivered = received;
        at(at - nowMs, () -> {
            if (to.incarnation == toIncarnation && from.incarnation == fromIncarnation && connected(from, to)) {
                deliver(to, new Event.MessageReceived(from.name, delivered));
            }
        });
    }

    long admin(Host h, AdminCommand command) {
        long id = ++adminCounter;
        adminResults.put(id, new AdminOutcome(h.name, command, null, nowMs, -1));
        deliver(h, new Event.AdminRequest(id, command));
        return id;
    }

    // ---- the simulated LRM and power switch

    public void runOperation(Host h, OpRequest req) {
        int incarnation = h.incarnation;
        int powerCycle = h.powerCycle;
        long durationMs = 2 + random.nextInt(40);
        boolean stonith = req.agent().isStonith();
        boolean hang = random.nextDouble() < (req.agent().isStonith() ? (isFencing(req) ? fenceHangRate : 0)
                : hangRate);
        if (req.recurring()) {
            h.recurring.put(req.opKey(), req);
        }
        if (hang) {
            durationMs = req.timeoutMs();
        }
        // Queued behind the resource's operation in progress (fencing goes to the fencer, not this queue).
        long waitMs = stonith ? 0 : Math.max(0, h.resourceBusyUntilMs.getOrDefault(req.resourceId(), 0L) - nowMs);
        if (!stonith) {
            h.resourceBusyUntilMs.put(req.resourceId(), nowMs + waitMs + durationMs);
        }
        if (Boolean.getBoolean("pulse.sim.optrace")) {
            trace(h.name + " lrm " + req.action() + " " + req.resourceId() + " (" + req.opKey() + ")"
                    + (waitMs > 0 ? " queued " + waitMs + " ms" : "") + (hang ? " hangs" : ""));
        }
        if (!stonith && (nowMs < h.opsNeverReturnUntilMs
                || (neverReturnRate > 0 && random.nextDouble() < neverReturnRate))) {
            // The agent's result never reaches crmd. What it did, it did: a start may have started.
            neverReturned++;
            trace(h.name + " " + req.action() + " " + req.resourceId() + " will never return");
            if (req.action().equals("start") && random.nextBoolean()) {
                at(waitMs + durationMs, () -> {
                    if (h.powerCycle == powerCycle && h.powered) {
                        h.running.add(req.resourceId());
                    }
                });
            }
            return;
        }
        final boolean timedOut = hang;
        at(waitMs + durationMs, () -> {
            if (h.incarnation != incarnation || !h.alive()) {
                // crmd (and with it the LRM) died meanwhile; a start may still have done its work.
                if (h.powerCycle == powerCycle && req.action().equals("start") && random.nextBoolean()) {
                    h.running.add(req.resourceId());
                }
                return;
            }
            OpResult r = execute(h, req, timedOut);
            if (Boolean.getBoolean("pulse.sim.optrace")) {
                trace(h.name + " lrm " + req.action() + " " + req.resourceId() + " (" + req.opKey() + ") -> rc "
                        + r.rc() + " " + r.status() + "; running " + h.running);
            }
            deliver(h, new Event.OperationCompleted(r));
            if (req.recurring()) {
                scheduleRecurring(h, incarnation, req);
            }
        });
    }

    private void scheduleRecurring(Host h, int incarnation, OpRequest req) {
        at(req.intervalMs(), () -> {
            if (h.incarnation != incarnation || !h.alive() || !h.recurring.containsKey(req.opKey())) {
                return;
            }
            deliver(h, new Event.OperationCompleted(execute(h, req, false)));
            scheduleRecurring(h, incarnation, req);
        });
    }

    private OpResult execute(Host h, OpRequest req, boolean timedOut) {
        String rsc = req.resourceId();
        if (req.agent().isStonith()) {
            // the device as a resource: registered between its start and its stop, as the LRM does
            switch (req.action()) {
                case "start" -> {
                    h.running.add(rsc);
                    return OpResult.of(req, 0, OpStatus.DONE, "", 5);
                }
                case "stop" -> {
                    h.running.remove(rsc);
                    return OpResult.of(req, 0, OpStatus.DONE, "", 5);
                }
                case "monitor" -> {
                    return OpResult.of(req, h.running.contains(rsc) ? 0 : 7, OpStatus.DONE, "", 5);
                }
                default -> {
                }
            }
            if (req.action().equals("list")) {
                // A switch with an outlet for every node (pcmk_host_check=dynamic-list asks it).
                return new OpResult(req.opKey(), rsc, req.agent(), req.action(), 0, 0, OpStatus.DONE, "", 5,
                        String.join(",\n", nodeNames) + ",\n");
            }
            String target = req.params().get("port");
            Host t = target == null || !nodeNames.contains(target) ? null : host(target);
            if (t == null) {
                return OpResult.of(req, 1, OpStatus.DONE, "no such node", 5);
            }
            if (req.action().equals("off") || req.action().equals("reboot")) {
                String hostList = req.params().get("pcmk_host_list");
                if (hostList != null && !List.of(hostList.split("[\\s,;]+")).contains(target)) {
                    fenceViolations.add("at " + nowMs + " ms " + h.name + " fenced " + target + " with " + rsc
                            + ", whose pcmk_host_list is " + hostList);
                }
                if (t == h) {
                    fenceViolations.add("at " + nowMs + " ms " + h.name + " was asked to fence itself with " + rsc);
                }
                if (timedOut) {
                    fenceRunsFailed++;
                    return OpResult.of(req, 1, OpStatus.TIMEOUT, "timed out", req.timeoutMs());
                }
                if (brokenDevices.contains(rsc) || random.nextDouble() < fenceFailureRate) {
                    fenceRunsFailed++;
                    return OpResult.of(req, 1, OpStatus.DONE, "the switch did not answer", 5);
                }
                fencings++;
                lastFencedAtMs.put(t.name, nowMs);
                powerOff(t, "fenced by " + h.name + " (" + req.action() + ")");
                if (req.action().equals("reboot")) {
                    at(1000 + random.nextInt(2000), () -> powerOn(t));
                }
                return OpResult.of(req, 0, OpStatus.DONE, "", 5);
            }
            return OpResult.of(req, 0, OpStatus.DONE, "", 5);
        }
        switch (req.action()) {
            case "start" -> {
                if (timedOut) {
                    if (random.nextBoolean()) {
                        h.running.add(rsc);
                    }
                    return OpResult.of(req, 1, OpStatus.TIMEOUT, "timed out", req.timeoutMs());
                }
                if (random.nextDouble() < startFailureRate) {
                    return OpResult.of(req, 1, OpStatus.DONE, "simulated start failure", 10);
                }
                h.running.add(rsc);
                return OpResult.of(req, 0, OpStatus.DONE, "", 10);
            }
            case "stop" -> {
                if (timedOut || random.nextDouble() < stopFailureRate) {
                    return timedOut ? OpResult.of(req, 1, OpStatus.TIMEOUT, "timed out", req.timeoutMs())
                            : OpResult.of(req, 1, OpStatus.DONE, "simulated stop failure", 10);
                }
                h.running.remove(rsc);
                return OpResult.of(req, 0, OpStatus.DONE, "", 10);
            }
            case "monitor" -> {
                if (timedOut) {
                    return OpResult.of(req, 1, OpStatus.TIMEOUT, "timed out", req.timeoutMs());
                }
                return OpResult.of(req, h.running.contains(rsc) ? 0 : 7, OpStatus.DONE, "", 3);
            }
            default -> {
                return OpResult.of(req, 3, OpStatus.DONE, "unimplemented in the simulation", 1);
            }
        }
    }

    static boolean isFencing(OpRequest req) {
        return req.agent().isStonith() && (req.action().equals("off") || req.action().equals("reboot"));
    }

    Host randomHost() {
        return hosts.get(random.nextInt(hosts.size()));
    }

    /** The controller of a live host, for checks. */
    static Controller controller(Host h) {
        return h.alive() ? h.controller : null;
    }

}
