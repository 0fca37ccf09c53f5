package org.pulse.crmd.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pulse.cib.Cib;
import org.pulse.cib.CibException;
import org.pulse.cib.CibStore;
import org.pulse.crmd.controller.AckCount;
import org.pulse.crmd.controller.AdminCommand;
import org.pulse.crmd.controller.AdminResult;
import org.pulse.crmd.controller.AgentSpec;
import org.pulse.crmd.controller.CibEdit;
import org.pulse.crmd.controller.Controller;
import org.pulse.crmd.controller.ControllerConfig;
import org.pulse.crmd.controller.Effect;
import org.pulse.crmd.controller.Event;
import org.pulse.crmd.controller.MessageCodec;
import org.pulse.crmd.controller.OpRequest;
import org.pulse.crmd.controller.OpResult;
import org.pulse.crmd.controller.OpStatus;
import org.pulse.crmd.controller.PolicyEngineScheduler;
import org.pulse.crmd.controller.QuorumConfig;
import org.pulse.crmd.controller.StatusReport;
import org.pulse.crmd.controller.TimerKey;
import org.pulse.crmd.controller.TransitionPlan;
import org.pulse.crmd.controller.View;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.Lrm;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.OperationResult;
import org.pulse.messaging.ClusterKey;
import org.pulse.messaging.ClusterView;
import org.pulse.messaging.Envelope;
import org.pulse.messaging.MessagingConfig;
import org.pulse.messaging.MessagingListener;
import org.pulse.messaging.Messenger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon around one {@link Controller}: the only place with threads, timers, sockets, disks
 * and JGroups. Everything that happens — a view, a peer's message, an operation result, a timer,
 * an admin request — becomes an {@link Event} on ONE event thread, which hands it to the
 * controller and performs the returned effects in order (a persist before the send that
 * acknowledges it). Nothing else touches the controller, so it needs no locks.
 */
public final class CrmdRuntime implements AutoCloseable {
    static final String MESSAGE_TYPE = "crmd";
    private static final Pattern PE_INPUT = Pattern.compile("pe-input-(\\d+)\\.xml");
    private static final int PING_TIMEOUT_MS = 1000;
    private static final long PING_INTERVAL_MS = 1000;
    /** tie_breaker = lease: written expiry, renewal period, and how long before the expiry the holder stops counting on it. */
    static final long LEASE_MS = 6000;
    static final long LEASE_RENEW_MS = 1000;
    static final long LEASE_MARGIN_MS = 2000;
    /** A failing CIB write is tried again after 100 ms, then twice as long each time, at most 2 s apart. */
    static final long WRITE_RETRY_FIRST_MS = 100;
    static final long WRITE_RETRY_MAX_MS = 2000;
    /** Beyond the write deadline, for a durable write waiting behind a lazy one still retrying. */
    static final long WRITE_DEADLINE_GRACE_MS = 2000;
    /** CIB saves appended to the journal before cib.xml is rewritten whole (a load replays at most this many diffs). */
    static final int JOURNAL_RECORDS = CibStore.DEFAULT_JOURNAL_RECORDS;
    /** How long a node that cannot store the CIB waits for the DC to move its resources before leaving anyway. */
    static final long STORAGE_FAILED_LEAVE_MS = 60_000;

    /** Replaced (same file, new node list) when crm cluster add/remove changes the list while running. */
    private volatile NodeConfig config;
    private final Logger log;
    private final Clock clock = Clock.systemUTC();
    private final ExecutorService events;
    /** The event thread's queue, which it alone takes from: a write looks behind itself for the next ones. */
    private final java.util.concurrent.BlockingQueue<Runnable> eventQueue = new java.util.concurrent.LinkedBlockingQueue<>();
    /**
     * Group commit (-Dpulse.groupCommit=false turns it off, for bench/runtime's before-and-after): writes queued
     * right behind each other are handed to the controller as one {@link Event.Batch}, at most this many.
     */
    static final int MAX_GROUP = 64;
    private final boolean groupCommit = !"false".equals(System.getProperty("pulse.groupCommit"));
    /**
     * -Dpulse.dcStoreAwait=true: the event thread waits for a reported store (the DC's own) as for any durable
     * one before going on, as before issue 17's fifth pass; the report still follows. For before/after runs.
     */
    private final boolean awaitReportedStores = Boolean.getBoolean("pulse.dcStoreAwait");
    private final ScheduledExecutorService timers;
    private final CountDownLatch started = new CountDownLatch(1);
    private final CountDownLatch shutdownGranted = new CountDownLatch(1);
    private final Map<String, ScheduledFuture<?>> timerFutures = new HashMap<>();
    private final Map<String, Long> timerGen = new ConcurrentHashMap<>();
    private final Map<Long, CompletableFuture<AdminResult>> adminWaiters = new ConcurrentHashMap<>();
    private final AtomicLong adminIds = new AtomicLong();
    private final CibStore store;
    private final ExecutorService writer;
    /** Writes the scheduler inputs (pe-input-N), in order, off the event thread. */
    private final ExecutorService peWriter;
    private final java.util.concurrent.atomic.AtomicReference<Cib> latestCib = new java.util.concurrent.atomic.AtomicReference<>();
    /** Only the writer thread touches this. */
    private Cib lastWritten;
    private final Path peDir;
    private Controller controller;
    /** Volatile: the node list may be taken on the messaging thread while start() still sets this. */
    private volatile Messenger messenger;
    private Lrm lrm;
    /** Connections to remote nodes' pulse-remoted, for the connection resources this node runs. */
    private RemoteLinks remoteLinks;
    private AdminServer admin;
    private MetricsServer metrics;
    /** The web console on the metrics listener, or null (http = off). */
    private Console console;
    /** Signs and checks the console's login tokens; set at boot once the cluster key is read. */
    private volatile WebTokens webTokens;
    /** The http listener's TLS material (http_tls), or null: plain HTTP. */
    private volatile ConsoleTls.Material tls;
    /** The transitions this node ran as DC, newest last, at most {@link #TRANSITIONS_KEPT}. */
    private final java.util.ArrayDeque<Effect.TransitionEnded> transitions = new java.util.ArrayDeque<>();
    static final int TRANSITIONS_KEPT = 200;
    /** The cluster's node list at run time (crm cluster add/remove, joins). */
    private NodeList nodeList;
    /** Unknown envelope types already refused per sender: warned once each, then at debug level. */
    private final WireRoute.Refused refusedTypes = new WireRoute.Refused(256);
    /** The join port (crm cluster join), or null when it could not be opened. */
    private JoinListener joinListener;
    /** Runs the CIB's alert agents for what each applied CIB changed; created at boot. */
    private AlertRunner alerts;
    /** Histograms and counters of what happened (operations, fencing, transitions, views, failovers). */
    private final Observations observations;
    /** Where a CIB change's time goes on this node (bench/runtime's breakdown). */
    private final CommitStages stages = new CommitStages();
    /**
     * Answers a write the moment its last acknowledgement lands, off the event thread (created with the
     * controller; -Dpulse.ackLane=false leaves every answer to the event thread, for before-and-after runs).
     */
    private volatile AckLane ackLane;
    private final boolean ackLaneOn = !"false".equals(System.getProperty("pulse.ackLane"));
    /** The DC's partition as the controller left it after the event being handled: the view its stores belong to. */
    private String storeViewId = "";
    /** The store started ahead of the effects listed before it, with its effect (event thread only). */
    private Map.Entry<Effect.PersistCib, Persisting> prefetched;
    /** The kind of the event being handled, for {@link #stages} (event thread only). */
    private String eventName = "";
    /**
     * Watches failovers off the event thread: reading where resources are (the policy engine over a whole
     * CIB) is done there, and only while a lost node's resources are not yet active elsewhere.
     */
    private final ExecutorService failoverThread;
    /** Failover thread only. */
    private final FailoverWatch failovers = new FailoverWatch();
    private volatile boolean watchingFailovers;
    /** The newest CIB this node applied, and when; for the failover watch. */
    private final java.util.concurrent.atomic.AtomicReference<Cib> appliedCib = new java.util.concurrent.atomic.AtomicReference<>();
    private volatile java.time.Instant appliedAt;
    private final java.util.concurrent.atomic.AtomicBoolean failoverCheckQueued = new java.util.concurrent.atomic.AtomicBoolean();
    /** The members of the last view (the JGroups thread that delivers views alone touches it). */
    private List<String> lastMembers = List.of();
    /** The last metrics text and what it was rendered from; the HTTP thread alone touches it. */
    private String metricsKey = "";
    private String metricsText = "";
    /** Pings the tie-breaker's target (tie_breaker = ping:ADDRESS only), else null. */
    private ScheduledExecutorService pinger;
    /** Takes and renews the lease of tie_breaker = lease:PATH while the controller wants it, else null. */
    private ScheduledExecutorService leaser;
    private volatile boolean leaseWanted;
    /** Only the leaser thread touches this. */
    private boolean leaseHolding;
    /** Authenticates the lease file's line: derived from the cluster key, so only key holders can claim the lease. */
    private byte[] leaseMacKey;
    /** Asks the arbitrator (tie_breaker = arbitrator:HOST:PORT) every second while the controller wants its vote, else null. */
    private ScheduledExecutorService arbiter;
    /** The controller's last wish for the arbitrator's vote, with the partition to ask for. */
    private volatile Effect.AskArbitrator arbitratorWish;
    /** Only the arbiter thread touches these two. */
    private boolean arbitratorAsked;
    private String arbitratorLastOutcome = "";
    /** Proves this cluster's key to the arbitrator and checks its answers: derived, so the arbitrator never holds the traffic key. */
    private byte[] arbitratorKey;
    private long peIndex;
    /** The lines crm history reads (DATA_DIR/history.log): transitions, operation results, views. */
    private final HistoryLog history;
    /** The scheduler input saved while performing the current event's effects, else -1 (event thread only). */
    private long savedInputThisEvent = -1;
    /** This node's transitions as DC that started: their tag and saved input, until they end (event thread only). */
    private final Map<Long, String> startedTransitions = new java.util.HashMap<>();
    /** Fence targets of operations sent to the LRM, by operation key, for the history's line of the result. */
    private final Map<String, String> fenceTargets = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;
    /** Set once a CIB could not be stored: this node is leaving and acknowledges nothing more. */
    private final java.util.concurrent.atomic.AtomicBoolean storageFailed = new java.util.concurrent.atomic.AtomicBoolean();
    private final AtomicLong writeFailures = new AtomicLong();
    /** How the process ends after leaving for a storage failure, and after a self-fence (tests replace them). */
    private java.util.function.IntConsumer exit = code -> Runtime.getRuntime().exit(code);
    private java.util.function.IntConsumer halt = code -> Runtime.getRuntime().halt(code);
    /** fence-reaction=stop: as Pacemaker's CRM_EX_FATAL; pulse.service's RestartPreventExitStatus names it. */
    static final int EXIT_STOPPED_FOR_GOOD = 100;
    /** Feeds the node's watchdog device (node config "watchdog"), or null. */
    private WatchdogFeeder watchdog;
    /** Reads this node's slot on the poison-pill disks (node config "sbd_devices"), or null. */
    private SbdWatcher sbd;
    /** The controller's state for the watchdog, published after each event. */
    private volatile WatchdogFeeder.ControllerState published;
    /** Only the event thread touches this. */
    private String lastWatchdogProblem;
    /** Set by the event thread once this node has joined a quorate partition; never cleared. */
    private volatile boolean formed;

    /**
     * Whether this node has once joined a quorate partition: work that may wait (the resident scheduler's
     * warm-up) waits for it, so that nodes started together form first.
     */
    boolean formed() {
        return formed;
    }

    private CrmdRuntime(NodeConfig config) {
        this.config = config;
        this.log = LoggerFactory.getLogger("crmd@" + config.node());
        this.events = new java.util.concurrent.ThreadPoolExecutor(1, 1, 0L, TimeUnit.MILLISECONDS, eventQueue,
                r -> daemon(r, "crmd-events-" + config.node()));
        java.util.concurrent.ScheduledThreadPoolExecutor timerPool = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> daemon(r, "crmd-timers-" + config.node()));
        // A reported CIB store's deadline check is cancelled once the store is done: gone from the queue then,
        // not kept for its 12 s (one per commit).
        timerPool.setRemoveOnCancelPolicy(true);
        this.timers = timerPool;
        // Journaling: a save appends the change and fdatasyncs once (a commit waits for it on every member);
        // cib.xml is rewritten every JOURNAL_RECORDS saves and at stop.
        this.store = CibStore.journaling(config.dataDir().resolve("cib"), JOURNAL_RECORDS);
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "crmd-cib-writer-" + config.node()));
        this.peWriter = Executors.newSingleThreadExecutor(r -> daemon(r, "crmd-pe-writer-" + config.node()));
        this.peDir = config.dataDir().resolve("pe");
        this.observations = new Observations(clock.millis(), () -> messenger == null ? 0 : messenger.rejectedBySeal(),
                () -> messenger == null ? 0 : messenger.messagesReceived(),
                () -> messenger == null ? 0 : messenger.messagesSent(),
                () -> messenger == null ? 0 : messenger.multicastFanOuts(),
                () -> messenger == null ? 0 : messenger.outOfOrderDrops(),
                () -> messenger == null ? Map.of() : messenger.messagesByKind());
        this.failoverThread = Executors.newSingleThreadExecutor(r -> daemon(r, "crmd-failover-" + config.node()));
        this.history = new HistoryLog(config.dataDir(), config.node(), log);
    }

    /** The policy engine, its time counted as the stage "engine" of the event that ran it. */
    private org.pulse.crmd.controller.Scheduler timed(org.pulse.crmd.controller.Scheduler engine) {
        return (cib, now) -> {
            long t0 = System.nanoTime();
            try {
                return engine.schedule(cib, now);
            } finally {
                stages.add("engine", eventName, System.nanoTime() - t0);
            }
        };
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** Starts the node: CIB from disk, LRM, admin socket, then the cluster. */
    public static CrmdRuntime start(NodeConfig config) throws Exception {
        CrmdRuntime rt = new CrmdRuntime(config);
        try {
            rt.boot();
        } catch (Exception e) {
            rt.close();
            throw e;
        }
        return rt;
    }

    private void boot() throws Exception {
        // The key first: without it nothing else is worth starting (its message says what to do).
        ClusterKey key = ClusterKey.load(config.keyFile());
        leaseMacKey = key.derive("pulse/lease/v1");
        arbitratorKey = key.derive(org.pulse.crmd.arbitrator.ArbitratorProtocol.KEY_LABEL);
        webTokens = new WebTokens(key.derive("pulse/web-token/v1"));
        Files.createDirectories(config.dataDir());
        PrivateFiles.privateDirectory(peDir); // saved inputs hold every parameter, passwords included
        Files.createDirectories(config.haRsctmp());
        peIndex = lastPeIndex();
        Optional<Cib> stored = store.load();
        if (store.journalNote() != null) {
            log.warn("CIB journal: {}", store.journalNote());
        }
        log.info("node {} of {}; CIB {} from {}", config.node(), config.nodeNames(),
                stored.map(c -> c.version().toString()).orElse("(none: starting empty)"), store.cibFile());
        // Fence delays (pcmk_delay_max) draw from this; the seed is logged so a run can be replayed.
        long seed = new java.security.SecureRandom().nextLong();
        QuorumConfig quorum = config.quorum();
        log.info("quorum: two_node={} wait_for_all={} tie_breaker={}; fence delay seed {}", quorum.twoNode(),
                quorum.waitForAll(), quorum.tieBreaker(), seed);
        controller = new Controller(ControllerConfig.defaults(config.node(), config.nodeNames()).withQuorum(quorum)
                .withWriteDeadlines(config.writeDeadlines())
                .withWatchdogTimeoutMs(config.watchdogTimeoutMsOrZero()),
                timed(new PolicyEngineScheduler()), stored.orElse(null), new java.util.SplittableRandom(seed));
        if (ackLaneOn) {
            ackLane = new AckLane(config.node(), new LaneAnswers());
        }
        // The event thread waits until everything below exists; events queue up meanwhile.
        events.execute(() -> {
            try {
                started.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        alerts = new AlertRunner(config.node(), log, stored.orElse(null), 1, clock.instant());
        String daemonPath = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        lrm = new Lrm(lrmConfig(config, shimDir(), daemonPath), r -> {
            observe(r);
            post(new Event.OperationCompleted(toOpResult(r)));
        });
        remoteLinks = new RemoteLinks(config.node(), config.keyFile(), this::post, log, this::remoteNodeStopping);
        // One handler, so one resident scheduler (its thread, its warm-up, its heap) for the admin socket,
        // the agents' socket and the console alike; the admin server closes it.
        AdminHandler adminHandler = new AdminHandler(this);
        // Until the console is up (a self-signed certificate is made with keytool on first start: seconds),
        // crm web token is asked to try again rather than answered without the console's address.
        httpStarting = config.http() != null;
        admin = AdminServer.start(config.socket(), adminHandler, this, log);
        if (config.http() != null) {
            if (config.httpTls().on()) {
                try {
                    tls = ConsoleTls.load(config.httpTls(), config.dataDir(), config.node(), config.http());
                    log.info("http listener: TLS certificate {} (SHA-256 {})", tls.certificate().getSubjectX500Principal(),
                            tls.sha256());
                } catch (IOException e) {
                    // The node runs on (a console setting must not keep a cluster member down); without TLS the listener
                    // serves /metrics, and the console on loopback only, as if http_tls were off.
                    log.error("http listener without TLS: {}; fix http_tls / http_tls_cert / http_tls_key in {}",
                            e.getMessage(), config.file());
                }
            }
            InetAddress bound = config.http().getAddress();
            console = new Console(this, adminHandler, new AdminAccess(() -> System.nanoTime() / 1_000_000), clock,
                    log, bound == null || bound.isLoopbackAddress(), tls != null);
            try {
                metrics = MetricsServer.start(config.http(), this::metricsText, console, tls == null ? null : tls.context(), log);
            } finally {
                httpStarting = false;
            }
        }
        List<ClusterKey> accepted = new ArrayList<>();
        for (Path f : config.acceptKeyFiles()) {
            accepted.add(ClusterKey.load(f));
        }
        // Before the cluster: a node list announced in the first view (this node missed a change while
        // stopped) arrives while Messenger.start() is still joining.
        nodeList = new NodeList(this, log);
        messenger = Messenger.start(messaging(config).clusterKey(key).acceptKeys(accepted).build(), new Listener());
        // A list taken during the join reached the controller but not messaging (not yet assigned then).
        messenger.updateMembers(config.nodes().keySet(), new ArrayList<>(config.nodes().values()));
        log.info("failure detection: {}", messenger.describeTiming());
        joinListener = JoinListener.start(config, this::config, nodeList, log);
        started.countDown();
        if (config.watchdog() != null) {
            long t0 = System.nanoTime();
            watchdog = new WatchdogFeeder(config.watchdog(), config.watchdogTimeoutMs(), log, events::execute,
                    () -> published, () -> (System.nanoTime() - t0) / 1_000_000);
            Messenger m = messenger;
            watchdog.watchPeers(m::freshestPeerAgeMs);
            watchdog.start();
            if (!config.sbdDevices().isEmpty()) {
                sbd = new SbdWatcher(config.sbdDevices(), config.node(), config.watchdogTimeoutMs(), log, watchdog);
                watchdog.watchDisks(sbd.configured(), sbd::readable);
                sbd.start();
            }
        }
        if (quorum.tieBreaker().kind() == QuorumConfig.TieBreaker.Kind.PING) {
            startPinging(quorum.tieBreaker().target());
        }
        if (quorum.tieBreaker().kind() == QuorumConfig.TieBreaker.Kind.LEASE) {
            leaser = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "crmd-lease-" + config.node()));
            Path leasePath = Path.of(quorum.tieBreaker().target());
            leaser.scheduleWithFixedDelay(() -> tendLease(leasePath), LEASE_RENEW_MS, LEASE_RENEW_MS,
                    TimeUnit.MILLISECONDS);
        }
        if (quorum.tieBreaker().kind() == QuorumConfig.TieBreaker.Kind.ARBITRATOR) {
            arbiter = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "crmd-arbitrator-" + config.node()));
            arbiter.scheduleWithFixedDelay(this::tendArbitrator, LEASE_RENEW_MS, LEASE_RENEW_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * On the arbiter thread: while the controller wants the arbitrator's vote, ask (which renews a held
     * one) and report the answer; once not wanted, tell the arbitrator once, so that the vote is free
     * for another part at once. The vote counts here from before the question was sent, less a third of
     * the lease, so this node stops counting on it before the arbitrator may give it to anyone else.
     */
    private void tendArbitrator() {
        Effect.AskArbitrator wish = arbitratorWish;
        QuorumConfig.TieBreaker tb = config.quorum().tieBreaker();
        String target = tb.target();
        int colon = target.lastIndexOf(':');
        java.time.Instant askedAt = clock.instant();
        boolean want = wish != null && wish.want();
        if (!want && !arbitratorAsked) {
            return;
        }
        org.pulse.crmd.arbitrator.VoteBook.Ask ask = new org.pulse.crmd.arbitrator.VoteBook.Ask(config.cluster(),
                config.node(), tb.arbitration().algorithm().name().toLowerCase(), tb.arbitration().tieBreaker(),
                want ? wish.voters() : List.of(), want ? wish.members() : List.of());
        Event.ArbitratorAnswer answer;
        try {
            org.pulse.crmd.arbitrator.ArbitratorProtocol.Reply r = org.pulse.crmd.arbitrator.ArbitratorProtocol.ask(
                    new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1))),
                    arbitratorKey, ask, !want, PING_TIMEOUT_MS);
            arbitratorAsked = want;
            if (!want) {
                return;
            }
            answer = switch (r.kind()) {
                case GRANT -> new Event.ArbitratorAnswer(target, Event.ArbitratorAnswer.Answer.GRANTED,
                        askedAt.plusMillis(r.leaseMs() - r.leaseMs() / 3), askedAt, r.reason());
                case WAIT -> new Event.ArbitratorAnswer(target, Event.ArbitratorAnswer.Answer.WAIT, null, askedAt,
                        r.reason());
                case REFUSE -> new Event.ArbitratorAnswer(target, Event.ArbitratorAnswer.Answer.REFUSED, null, askedAt,
                        r.reason());
            };
        } catch (IOException | RuntimeException e) {
            if (!want) {
                arbitratorAsked = false; // it forgets by itself when the lease runs out
                return;
            }
            answer = new Event.ArbitratorAnswer(target, Event.ArbitratorAnswer.Answer.UNREACHABLE, null, askedAt,
                    e.getMessage());
        }
        String outcome = answer.answer().name();
        if (!outcome.equals(arbitratorLastOutcome) && answer.answer() != Event.ArbitratorAnswer.Answer.GRANTED) {
            log.info("arbitrator {}: {} ({})", target, answer.answer(), answer.reason());
        }
        arbitratorLastOutcome = outcome;
        post(answer);
    }

    /**
     * tie_breaker = ping:ADDRESS: ask ADDRESS every second (ICMP echo as root, else TCP echo) on a
     * thread of its own, so a slow answer never holds up timers or events; each answer becomes an
     * event (the controller acts only on changes).
     */
    private void startPinging(String target) {
        pinger = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "crmd-ping-" + config.node()));
        pinger.scheduleWithFixedDelay(() -> {
            java.time.Instant sentAt = clock.instant();
            boolean reachable;
            try {
                reachable = java.net.InetAddress.getByName(target).isReachable(PING_TIMEOUT_MS);
            } catch (IOException e) {
                log.debug("tie-breaker ping of {} failed: {}", target, e.getMessage());
                reachable = false;
            }
            post(new Event.PingResult(target, reachable, sentAt));
        }, 0, PING_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * On the leaser thread: while wanted, take or renew the lease and report it; once not wanted, let
     * it go. A failure (the storage does not answer) reports the lease as not held.
     */
    private void tendLease(Path path) {
        java.time.Instant triedAt = clock.instant();
        try {
            if (leaseWanted) {
                LeaseFile.Result r = LeaseFile.acquire(path, config.node(), triedAt.toEpochMilli(), LEASE_MS,
                        LEASE_MARGIN_MS, leaseMacKey);
                leaseHolding = r.held();
                // The configured text, not the Path's normal form: the controller matches it as written.
                post(new Event.LeaseResult(config.quorum().tieBreaker().target(), r.held(),
                        r.held() ? java.time.Instant.ofEpochMilli(r.validUntilMs()) : null, triedAt));
            } else if (leaseHolding) {
                LeaseFile.release(path, config.node(), leaseMacKey);
                leaseHolding = false;
            }
        } catch (IOException | RuntimeException e) {
            log.warn("lease {}: {}", path, e.toString());
            if (leaseWanted) {
                post(new Event.LeaseResult(config.quorum().tieBreaker().target(), false, null, triedAt));
            }
        }
    }

    /**
     * The messaging setup of a node config (without the key): this node listens on each of its
     * links, and every node listed with two addresses is a peer over both, so it is lost only
     * when both links are.
     */
    static MessagingConfig.Builder messaging(NodeConfig config) {
        MessagingConfig.Builder mc = MessagingConfig.builder(config.cluster(), config.node())
                .failureDetectionMs(config.failureDetectionMs())
                // Only the configured nodes join or vote; incarnations survive restarts beside the CIB.
                .memberNames(config.nodes().keySet())
                .stateDir(config.dataDir().resolve("messaging"));
        mc.listenOn(config.listen());
        if (config.link2() != null) {
            mc.listenOn(config.link2());
        }
        config.nodes().forEach((name, address) -> {
            InetSocketAddress second = config.secondLinks().get(name);
            if (second == null) {
                mc.peer(address);
            } else {
                mc.peer(address, second);
            }
        });
        return mc;
    }

    /**
     * How agents run on this node. OCF_ROOT is the configured ocf_root (/usr/lib/ocf unless set),
     * never the first of agent_dirs: unchanged ClusterLabs agents source
     * $OCF_ROOT/lib/heartbeat/ocf-shellfuncs, which a Pulse agent directory listed first does not have.
     * With Pulse's bin/ ({@code shimDir}: crm_attribute, crm_node and attrd_updater talking to this node's
     * admin socket) agents find those tools first on their PATH and at HA_SBIN_DIR: ClusterLabs agents
     * call them by absolute path ({@code ${HA_SBIN_DIR}/attrd_updater} in ocf:pacemaker:ping,
     * {@code ${HA_SBIN_DIR}/crm_attribute --promotion} in ocf:pacemaker:Stateful and ocf_promotion_score),
     * and the default /usr/sbin gave them Pacemaker's own tools, which cannot reach this cluster: no
     * promotion score was ever set and no ping attribute written.
     */
    static LrmConfig lrmConfig(NodeConfig config, Path shimDir, String daemonPath) {
        LrmConfig c = LrmConfig.defaults().withNodeName(config.node()).withAgentDirs(config.agentDirs())
                .withOcfRoot(config.ocfRoot())
                .withStonithDirs(config.stonithDirs()).withLsbDir(config.lsbDir()).withHaRsctmp(config.haRsctmp())
                // crm resource trace: traces beside this node's CIB (DATA_DIR/trace_ra/TYPE/RSC.ACTION.DATE)
                .withTraceDir(config.dataDir().resolve("trace_ra"))
                // Agents get the agents' socket: node attributes and reads, not the operator's full control.
                .withEnv("PULSE_SOCKET", AdminServer.agentSocket(config.socket()).toString())
                .withEnv("PULSE_NODE", config.node());
        if (shimDir == null) {
            return c.withEnv("PATH", daemonPath);
        }
        return c.withEnv("PATH", shimDir + ":" + daemonPath).withEnv("HA_SBIN_DIR", shimDir.toString());
    }

    private final class Listener implements MessagingListener {
        @Override
        public void onView(ClusterView v) {
            AckLane lane = ackLane;
            if (lane != null) {
                lane.viewChanged(v.id()); // before the controller hears of it: no fast answer across a view change
            }
            List<String> before = lastMembers;
            history.write(clock.instant(), "view " + v.id() + ": members " + v.members() + ", DC " + v.members().get(0)
                    + ", joined " + v.members().stream().filter(m -> !before.contains(m)).toList()
                    + ", left " + before.stream().filter(m -> !v.members().contains(m)).toList());
            observations.view(v.members());
            watchFailovers(v.members(), clock.instant());
            post(new Event.ViewChanged(new View(v.id(), v.members())));
            if (nodeList != null) {
                nodeList.viewChanged(v);
            }
            // After the event is queued: a stream woken now asks for the status behind it.
            changed();
        }

        @Override
        public void onSuspect(Set<String> nodeNames) {
            observations.suspected(nodeNames.size());
            log.info("suspected: {}", nodeNames);
        }

        @Override
        public void onMessage(Envelope envelope) {
            // a switch expression over the route: a route without its branch does not compile, and a type
            // this crmd does not know is refused with a log line, not dropped in silence
            Runnable branch = switch (WireRoute.of(envelope.type(), envelope.kind())) {
                case CONTROLLER -> () -> {
                    try {
                        org.pulse.crmd.controller.Message m = MessageCodec.decode(envelope.payload());
                        AckLane lane = ackLane;
                        if (lane != null && m instanceof org.pulse.crmd.controller.Message.CibAck a) {
                            lane.ack(envelope.sender(), a.viewId(), a.version());
                        }
                        post(new Event.MessageReceived(envelope.sender(), m));
                    } catch (MessageCodec.DecodeException e) {
                        log.warn("dropped a message from {}: {}", envelope.sender(), e.getMessage());
                    }
                };
                case NODE_LIST_REQUEST -> () -> {
                    NodeList nodes = nodeList;
                    if (nodes == null) { // before start() made it; the asker reports no answer from this node
                        log.info("no answer to {}'s node-list request: this node is still starting", envelope.sender());
                        return;
                    }
                    String answer = nodes.take(new String(envelope.payload(), java.nio.charset.StandardCharsets.UTF_8), false);
                    Messenger m = messenger;
                    if (m != null) { // else the asker reports no answer from this node
                        m.reply(envelope, NodeList.TYPE, answer.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    }
                };
                case NODE_LIST_SYNC -> () -> {
                    NodeList nodes = nodeList;
                    if (nodes == null) { // before start() made it: the first member announces its list again at the next view
                        log.debug("node list of {} not merged: this node is still starting", envelope.sender());
                        return;
                    }
                    nodes.heard(envelope.sender(), new String(envelope.payload(), java.nio.charset.StandardCharsets.UTF_8));
                };
                case UNKNOWN -> () -> {
                    String line = WireRoute.refusal(envelope.sender(), envelope.type(), envelope.kind());
                    if (refusedTypes.first(envelope.sender(), envelope.type())) {
                        log.warn(line);
                    } else {
                        log.debug(line);
                    }
                };
            };
            branch.run();
        }
    }

    /** Counts {@code nanos} of {@code stage} for {@code event} in the commit breakdown ({@link CommitStages}). */
    void stage(String stage, String event, long nanos) {
        stages.add(stage, event, nanos);
    }

    /** An event's kind for {@link #stages}: a message's own kind (cib_update, cib_ack, ...), else the event's. */
    private static String eventName(Event e) {
        Enum<?> kind = e instanceof Event.MessageReceived m ? m.message().kind() : e.kind();
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Queues an event for the event thread; safe from any thread. */
    void post(Event e) {
        if (closed) {
            return;
        }
        try {
            events.execute(new Posted(e, System.nanoTime()));
        } catch (java.util.concurrent.RejectedExecutionException ignored) {
            // shutting down
        }
    }

    private static boolean isAck(Event e) {
        return e instanceof Event.MessageReceived m && m.message() instanceof org.pulse.crmd.controller.Message.CibAck;
    }

    /** An event on the event thread's queue, with when it was posted. */
    private final class Posted implements Runnable {
        final Event event;
        final long postedNanos;

        Posted(Event event, long postedNanos) {
            this.event = event;
            this.postedNanos = postedNanos;
        }

        @Override
        public void run() {
            eventName = eventName(event);
            long now = System.nanoTime();
            stages.add("queued", eventName, now - postedNanos);
            java.util.function.Predicate<Event> alike = Event.groupable(event) ? Event::groupable
                    : isAck(event) ? CrmdRuntime::isAck : null;
            if (!groupCommit || alike == null) {
                handle(event);
                return;
            }
            // Group commit: the writes queued right behind this one (they came while the event thread was busy,
            // typically storing the previous write) join it, in order; only this thread takes from the queue, so
            // the head it looks at is the head it takes. Nothing else is passed over: order stays as posted.
            // The members' acknowledgements queued together are taken as one event too (at 16-32 members the
            // DC's per-event work after each of them, not the ack itself, is what adds up).
            List<Event> group = null;
            while ((group == null || group.size() < MAX_GROUP) && eventQueue.peek() instanceof Posted next
                    && alike.test(next.event)) {
                eventQueue.poll();
                if (group == null) {
                    group = new java.util.ArrayList<>();
                    group.add(event);
                }
                group.add(next.event);
                stages.add("queued", eventName(next.event), now - next.postedNanos);
            }
            if (group == null) {
                handle(event);
            } else {
                stages.add("grouped", eventName, 0);
                handle(new Event.Batch(group));
            }
        }
    }

    private void handle(Event e) {
        handle(e.getClass().getSimpleName(), () -> controller.handleFirst(e, clock.instant()));
        if (controller.hasDeferred()) {
            // Behind the events already queued: the members' acknowledgements of the change just sent
            // and stored answer the write before the policy engine runs for it.
            try {
                events.execute(() -> {
                    eventName = "deferred_engine";
                    handle(eventName, () -> controller.handleDeferred(clock.instant()));
                });
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                // closing: no transition to start
            }
        }
    }

    private void handle(String what, java.util.function.Supplier<List<Effect>> decide) {
        List<Effect> effects;
        long transitionBefore = controller.transitionId();
        savedInputThisEvent = -1;
        long decideNanos = System.nanoTime();
        try {
            effects = decide.get();
        } catch (RuntimeException ex) {
            log.error("the controller failed on {}: {}", what, ex.toString(), ex);
            return;
        }
        stages.add("decided", eventName, System.nanoTime() - decideNanos);
        // Read before the effects: the stores they start belong to this partition; the lane learns of the writes
        // waiting once the effects (the replies among them) are performed.
        AckCount waiting = ackLane != null ? controller.ackCount() : AckCount.NONE;
        storeViewId = waiting.viewId();
        // The event's first durable store starts at once, before the effects listed ahead of it (the
        // DC's diffs to the members): the disk works while they are sent. The effects after it still
        // wait for it where it is listed (perform), so nothing acknowledges a CIB not yet stored.
        prefetched = null;
        for (Effect f : effects) {
            if (f instanceof Effect.PersistCib p) {
                if (p.durable()) {
                    prefetched = Map.entry(p, startPersist(p.cib(), true, p.reported()));
                }
                break;
            }
        }
        for (int i = 0; i < effects.size(); i++) {
            int end = fanOutEnd(effects, i);
            if (end - i > 1) {
                sendToEach(effects.subList(i, end));
                i = end - 1;
            } else {
                perform(effects.get(i));
            }
        }
        prefetched = null;
        if (ackLane != null) {
            ackLane.refresh(waiting);
        }
        long transitionNow = controller.transitionId();
        if (transitionNow != -1 && transitionNow != transitionBefore && controller.isDc()) {
            transitionStarted(transitionNow);
        } else if (!controller.isDc() && !startedTransitions.isEmpty()) {
            startedTransitions.clear(); // no longer DC: those transitions end unrecorded (history says "unfinished")
        }
        if (!formed && controller.joined() && Boolean.TRUE.equals(controller.quorate())) {
            formed = true;
        }
        if (watchdog != null) {
            published = new WatchdogFeeder.ControllerState(controller.quorate(), controller.watchdogFencingInUse(),
                    controller.watchdogFencingTimeoutMs());
        }
        String problem = controller.watchdogProblem();
        if (problem != null && !problem.equals(lastWatchdogProblem)) {
            // Each node checks the setting against its own watchdog, as Pacemaker does; the DC also refuses
            // such a change, but a CIB may arrive with it (loaded from disk, or a DC with another timeout).
            log.error("{}; watchdog fencing does not count this node's watchdog until it is fixed", problem);
        }
        lastWatchdogProblem = problem;
    }

    private void perform(Effect f) {
        // a switch expression over the kind: an effect without its branch does not compile
        Runnable branch = switch (f.kind()) {
            case SEND -> () -> {
                Effect.Send s = (Effect.Send) f;
                if (storageFailed.get() && s.message() instanceof org.pulse.crmd.controller.Message.CibAck) {
                    // Never tell the DC a CIB is stored that is not.
                    log.debug("not acknowledging {}: this node cannot store the CIB", s.message());
                    return;
                }
                if (s.message() instanceof org.pulse.crmd.controller.Message.ForwardedReply r && ackLane != null
                        && !ackLane.controllerAnswers(s.to(), r.forwardId(), r.viewId())) {
                    return; // the ack lane answered this forward already
                }
                if (s.message() instanceof org.pulse.crmd.controller.Message.ForwardedReply r) {
                    AdminResult checked = confirmable(r.result());
                    if (checked != r.result()) {
                        perform(new Effect.Send(s.to(), new org.pulse.crmd.controller.Message.ForwardedReply(r.viewId(),
                                r.forwardId(), checked)));
                        return;
                    }
                }
                long sendNanos = System.nanoTime();
                if (!messenger.send(s.to(), MESSAGE_TYPE, MessageCodec.encode(s.message()))) {
                    log.debug("not sent to {} (not in the view): {}", s.to(), s.message().getClass().getSimpleName());
                }
                stages.add("sent", eventName, System.nanoTime() - sendNanos);
            };
            case PERSIST_CIB -> () -> {
                Effect.PersistCib p = (Effect.PersistCib) f;
                long storeNanos = System.nanoTime();
                Persisting started = prefetched != null && prefetched.getKey() == p ? prefetched.getValue()
                        : startPersist(p.cib(), p.durable(), p.reported());
                if (!p.reported() || awaitReportedStores) {
                    awaitPersist(started);
                }
                long appliedNanos = System.nanoTime();
                stages.add(p.durable() ? "stored" : "stored_lazy", eventName, appliedNanos - storeNanos);
                appliedAt = clock.instant();
                appliedCib.set(p.cib());
                if (watchingFailovers) {
                    checkFailovers();
                }
                changed();
                // After the persist: an agent hears only of what this node has applied.
                try {
                    alerts.cibApplied(p.cib(), clock.instant());
                } catch (RuntimeException ex) {
                    log.error("alerts: could not derive or start the alert agents for CIB {}: {}", p.cib().version(),
                            ex.toString(), ex);
                }
                stages.add("applied", eventName, System.nanoTime() - appliedNanos);
            };
            case SET_TIMER -> () -> {
                Effect.SetTimer t = (Effect.SetTimer) f;
                setTimer(t.key(), t.delayMs());
            };
            case CANCEL_TIMER -> () -> {
                Effect.CancelTimer t = (Effect.CancelTimer) f;
                timerGen.merge(t.key().name(), 1L, Long::sum);
                ScheduledFuture<?> old = timerFutures.remove(t.key().name());
                if (old != null) {
                    old.cancel(false);
                }
            };
            case RUN_OPERATION -> () -> {
                Effect.RunOperation r = (Effect.RunOperation) f;
                if (r.request().agent().cls().equals("stonith") && r.request().params().containsKey("nodename")) {
                    fenceTargets.put(r.request().opKey(), r.request().params().get("nodename"));
                }
                AgentSpec a = r.request().agent();
                if (r.remoteNode() != null) {
                    remoteLinks.relay(r.remoteNode(), r.request());
                } else if ("ocf".equals(a.cls()) && "pacemaker".equals(a.provider()) && "remote".equals(a.type())) {
                    remoteLinks.connectionOperation(r.request());
                } else {
                    runOperation(r.request());
                }
            };
            case CANCEL_RECURRING -> () -> {
                Effect.CancelRecurring c = (Effect.CancelRecurring) f;
                if (c.remoteNode() != null) {
                    remoteLinks.cancelRecurring(c.remoteNode(), c.resourceId());
                    return;
                }
                remoteLinks.cancelMonitor(c.resourceId());
                for (OperationRequest r : lrm.recurring(c.resourceId())) {
                    lrm.cancel(c.resourceId(), r.action(), r.intervalMs());
                }
            };
            case REPLY_ADMIN -> () -> {
                Effect.ReplyAdmin r = (Effect.ReplyAdmin) f;
                if (ackLane == null || ackLane.controllerAnswers(config.node(), r.requestId(), "")) {
                    if (r.result().confirmsWrite() && adminWaiters.containsKey(r.requestId())) {
                        stages.add("answered", "event_thread", 0);
                    }
                    answerLocal(r.requestId(), r.result());
                }
            };
            case SAVE_SCHEDULER_INPUT -> () -> {
                Effect.SaveSchedulerInput s = (Effect.SaveSchedulerInput) f;
                if (s.decided().source().startsWith(TransitionPlan.POLICY_ENGINE)) {
                    // A record for the operator (crm simulate, history), not state anything waits for: written
                    // off the event thread, in order, so the DC's acknowledgements are not queued behind it
                    // (serializing the CIB and two file writes on every change the engine decided on).
                    // Numbered here, on the event thread, so that the transition started by this same event names it.
                    long index = ++peIndex;
                    savedInputThisEvent = index;
                    try {
                        peWriter.execute(() -> saveInput(index, s.cib(), s.decided()));
                    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                        // crmd is closing: the input of a decision no longer acted on is not kept
                    }
                }
            };
            case SHUTDOWN_COMPLETE -> () -> {
                Effect.ShutdownComplete s = (Effect.ShutdownComplete) f;
                log.info("leaving the cluster: {}", s.reason());
                shutdownGranted.countDown();
            };
            case WANT_LEASE -> () -> {
                Effect.WantLease w = (Effect.WantLease) f;
                leaseWanted = w.want();
                if (leaser != null) {
                    // At once rather than at the next renewal: an even half is undecided until then.
                    Path leasePath = Path.of(config.quorum().tieBreaker().target());
                    leaser.execute(() -> tendLease(leasePath));
                }
            };
            case ASK_ARBITRATOR -> () -> {
                Effect.AskArbitrator a = (Effect.AskArbitrator) f;
                arbitratorWish = a;
                if (arbiter != null) {
                    // At once rather than at the next renewal: the partition is undecided until then.
                    arbiter.execute(this::tendArbitrator);
                }
            };
            case SELF_FENCE -> () -> {
                Effect.SelfFence s = (Effect.SelfFence) f;
                if (watchdog != null) {
                    // Through the watchdog, a reset rather than a process halt: everything of the node goes,
                    // resources included, and a restarted crmd could not feed it again by mistake.
                    log.error("self-fencing: {}; the watchdog resets this node", s.reason());
                    watchdog.selfFence(s.reason());
                    return;
                }
                selfFence(s.reason());
            };
            case STOP_FOR_GOOD -> () -> {
                Effect.StopForGood s = (Effect.StopForGood) f;
                log.error("stopping for good: {}; exit {} (pulse.service does not restart from it)", s.reason(),
                        EXIT_STOPPED_FOR_GOOD);
                halt.accept(EXIT_STOPPED_FOR_GOOD);
            };
            case TRANSITION_ENDED -> () -> {
                Effect.TransitionEnded t = (Effect.TransitionEnded) f;
                observations.transitionEnded(t.actions().size(), t.durationMs(), t.clean());
                transitionEnded(t);
                synchronized (transitions) {
                    transitions.add(t);
                    if (transitions.size() > TRANSITIONS_KEPT) {
                        transitions.removeFirst();
                    }
                }
                changed();
            };
            case LOG -> () -> {
                Effect.Log l = (Effect.Log) f;
                switch (l.level()) {
                    case DEBUG -> log.debug(l.text());
                    case INFO -> log.info(l.text());
                    case WARN -> log.warn(l.text());
                    default -> log.error(l.text());
                }
            };
        };
        branch.run();
    }

    /**
     * Where the fan-out starting at {@code from} ends: sends of one message (the same instance, as the DC's
     * change to every member: {@link Effect.Send}) listed one after the other are one fan-out.
     */
    private static int fanOutEnd(List<Effect> effects, int from) {
        if (!(effects.get(from) instanceof Effect.Send first)) {
            return from + 1;
        }
        int end = from + 1;
        while (end < effects.size() && effects.get(end) instanceof Effect.Send next && next.message() == first.message()) {
            end++;
        }
        return end;
    }

    /**
     * One message to several members, encoded once and handed to the messenger once: one multicast, sealed
     * once, when they are all the other members (the DC's change to its partition), delivered by each after
     * what this node sent it before (a member never applies a diff before the join's CIB that precedes it).
     */
    private void sendToEach(List<Effect> sends) {
        long sendNanos = System.nanoTime();
        org.pulse.crmd.controller.Message message = ((Effect.Send) sends.get(0)).message();
        List<String> targets = sends.stream().map(f -> ((Effect.Send) f).to()).toList();
        if (ackLane != null && message instanceof org.pulse.crmd.controller.Message.CibUpdate u) {
            ackLane.sent(u.diff().to(), sendNanos); // before: the first ack may land before the send returns
        }
        List<String> absent = messenger.sendToEach(targets, MESSAGE_TYPE, MessageCodec.encode(message));
        if (!absent.isEmpty()) {
            log.debug("not sent to {} (not in the view): {}", absent, message.getClass().getSimpleName());
        }
        stages.add("sent", eventName, System.nanoTime() - sendNanos);
    }

    /**
     * All CIB writes go through one writer thread, in order. A durable write is waited for (the
     * effects after it, e.g. the acknowledgement, wait too), at most the write deadline; a lazy one
     * returns at once, and the writer stores only the newest CIB queued when it gets to it.
     *
     * <p>A write that fails (a full disk) is retried with a growing pause, for up to the write
     * deadline; a lazy one is logged and tried again meanwhile. If the disk does not recover in that
     * time, or a durable write misses its deadline (a hung disk), this node stops acknowledging
     * anything, asks the DC to move its resources away and leaves the cluster: a node that cannot
     * store the CIB must not keep running resources on a state it cannot keep ({@link #storageFailed}).
     *
     * @return false when the CIB was not stored (this node is leaving): what acknowledges it must not be sent
     */
    private boolean persist(Cib cib, boolean durable) {
        return awaitPersist(startPersist(cib, durable, false));
    }

    /** A CIB write handed to the writer thread; {@code done} null: not stored (this node cannot store). */
    private record Persisting(Cib cib, boolean durable, Future<Boolean> done) {
    }

    /**
     * {@code reported} (the DC's own store of a change, Effect.PersistCib): its outcome is posted as
     * Event.CibStored, exactly once: by the writer when the store returns, or, for a disk that does not
     * answer, by a timer at the write deadline (plus the grace an awaited store gets), which also makes this
     * node leave as any store missing its deadline does.
     */
    private Persisting startPersist(Cib cib, boolean durable, boolean reported) {
        latestCib.set(cib);
        if (storageFailed.get()) {
            if (reported) {
                post(Event.CibStored.failed(cib.version(), "this node could not store an earlier CIB"));
            }
            return new Persisting(cib, durable, null);
        }
        long deadlineMs = config.failsafe().cibWriteDeadlineMs();
        long deadlineNanos = System.nanoTime() + deadlineMs * 1_000_000L;
        if (!reported) {
            return new Persisting(cib, durable, writer.submit(() -> writeLatest(durable ? cib : null, deadlineNanos)));
        }
        String viewId = storeViewId;
        java.util.concurrent.atomic.AtomicBoolean told = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Boolean> done = new CompletableFuture<>();
        ScheduledFuture<?> hung = timers.schedule(() -> {
            if (told.compareAndSet(false, true)) {
                storageFailed("storing CIB " + cib.version() + " did not finish within " + deadlineMs
                        + " ms (a disk that does not answer)");
                post(Event.CibStored.failed(cib.version(), "the disk did not answer within " + deadlineMs + " ms"));
            }
        }, deadlineMs + WRITE_DEADLINE_GRACE_MS, TimeUnit.MILLISECONDS);
        writer.execute(() -> {
            boolean ok = false;
            try {
                ok = writeLatest(cib, deadlineNanos);
            } finally {
                hung.cancel(false);
                if (!ok) {
                    storageFailed("storing CIB " + cib.version() + " kept failing for " + deadlineMs
                            + " ms (cib_write_deadline_ms; the attempts are logged above)");
                }
                if (told.compareAndSet(false, true)) {
                    AckLane lane = ackLane;
                    if (ok && lane != null) {
                        lane.selfStored(viewId, cib.version());
                    }
                    post(ok ? Event.CibStored.done(cib.version()) : Event.CibStored.failed(cib.version(),
                            "storing it kept failing for " + deadlineMs + " ms"));
                }
                done.complete(ok);
            }
        });
        return new Persisting(cib, durable, done);
    }

    /** Completes a local admin request's wait (once: a second answer finds no waiter). */
    private void answerLocal(long requestId, AdminResult result) {
        CompletableFuture<AdminResult> w = adminWaiters.remove(requestId);
        if (w != null) {
            w.complete(confirmable(result));
        }
    }

    /** The ack lane's answers, on the thread the last ack came on (or the writer thread), as the controller's would go. */
    private final class LaneAnswers implements AckLane.Answers {
        @Override
        public void local(long requestId, AdminResult result) {
            stages.add("answered", "ack_lane", 0);
            answerLocal(requestId, result);
        }

        @Override
        public void forwarded(String node, long forwardId, String viewId, AdminResult result) {
            stages.add("answered", "ack_lane", 0);
            AdminResult r = confirmable(result);
            Messenger m = messenger;
            if (m != null && !m.send(node, MESSAGE_TYPE, MessageCodec.encode(
                    new org.pulse.crmd.controller.Message.ForwardedReply(viewId, forwardId, r)))) {
                log.debug("ack lane: not sent to {} (not in the view): the answer to forward #{}", node, forwardId);
            }
        }

        @Override
        public void timed(long sentToLastAckNanos, long lastAckToAnsweredNanos) {
            stages.add("phase", "sent_to_last_ack", sentToLastAckNanos);
            stages.add("phase", "last_ack_to_answered", lastAckToAnsweredNanos);
        }
    }

    /** {@code result} as this node may give it: "stored" only while it can store the CIB itself. */
    private AdminResult confirmable(AdminResult result) {
        return storageFailed.get() && result.confirmsWrite() ? notConfirmed(result) : result;
    }

    /** What a writer is told instead of "stored" once this node cannot store the CIB (a safety net: see CibStored). */
    private AdminResult notConfirmed(AdminResult written) {
        return new AdminResult(AdminResult.UNCERTAIN, "the change to " + written.version() + " is not confirmed: "
                + config.node() + " cannot store the CIB and is leaving the cluster; once another node is DC, check"
                + " with crm configure show and redo the change if it is missing", written.version(), null, null);
    }

    private boolean awaitPersist(Persisting p) {
        Cib cib = p.cib();
        Future<Boolean> done = p.done();
        if (done == null || storageFailed.get()) {
            return false;
        }
        if (!p.durable()) {
            return true;
        }
        long deadlineMs = config.failsafe().cibWriteDeadlineMs();
        try {
            // The writer may still be retrying an earlier lazy write: that counts against this deadline too.
            if (done.get(deadlineMs + WRITE_DEADLINE_GRACE_MS, TimeUnit.MILLISECONDS)) {
                return true;
            }
            storageFailed("CIB " + cib.version() + " could not be stored within " + deadlineMs + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.TimeoutException e) {
            storageFailed("storing CIB " + cib.version() + " did not finish within " + deadlineMs
                    + " ms (a disk that does not answer)");
        } catch (java.util.concurrent.ExecutionException e) {
            storageFailed("storing CIB " + cib.version() + " failed: " + e.getCause());
        }
        return false;
    }

    /** On the writer thread: stores the CIB, retrying until {@code deadlineNanos}; false if it could not. */
    private boolean writeLatest(Cib mustWrite, long deadlineNanos) {
        long pauseMs = WRITE_RETRY_FIRST_MS;
        for (int attempt = 1;; attempt++) {
            Cib cib = mustWrite != null ? mustWrite : latestCib.get();
            if (cib == null || (lastWritten != null && !cib.version().isNewerThan(lastWritten.version())
                    && !(mustWrite != null && !cib.equals(lastWritten)))) {
                return true;
            }
            if (storageFailed.get()) {
                return false;
            }
            try {
                long ioNanos = System.nanoTime();
                store.save(cib);
                // On the writer thread: the disk's part of "stored" (the rest is the hand-over between threads).
                stages.add("store_io", mustWrite != null ? "durable" : "lazy", System.nanoTime() - ioNanos);
                lastWritten = cib;
                if (attempt > 1) {
                    log.warn("stored CIB {} in {} at attempt {}: the disk recovered", cib.version(),
                            store.directory(), attempt);
                }
                return true;
            } catch (CibException ex) {
                writeFailures.incrementAndGet();
                long leftMs = (deadlineNanos - System.nanoTime()) / 1_000_000L;
                if (leftMs < pauseMs) {
                    if (mustWrite == null) {
                        storageFailed("CIB writes in " + store.directory() + " kept failing for "
                                + config.failsafe().cibWriteDeadlineMs() + " ms: " + ex.getMessage());
                    }
                    return false;
                }
                log.warn("cannot store CIB {} in {} (attempt {}): {}; trying again in {} ms", cib.version(),
                        store.directory(), attempt, ex.getMessage(), pauseMs);
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                pauseMs = Math.min(pauseMs * 2, WRITE_RETRY_MAX_MS);
            }
        }
    }

    /**
     * This node cannot store the CIB: from now on it acknowledges no CIB (its acknowledgements are
     * dropped), asks the DC to stop its resources here and let it go, and leaves within
     * {@link #STORAGE_FAILED_LEAVE_MS} in any case; the process then exits (70). The others take over
     * its resources; if it leaves before the DC confirmed the stops, they fence it first. Once.
     */
    private void storageFailed(String why) {
        if (!storageFailed.compareAndSet(false, true)) {
            return;
        }
        log.error("{}; this node acknowledges nothing more, stops its resources and leaves the cluster (the others"
                + " take over, fencing it if needed). Free or fix {}, then start crmd again", why, store.directory());
        Thread leave = new Thread(() -> {
            shutdownGracefully(STORAGE_FAILED_LEAVE_MS);
            log.error("left the cluster: the CIB could not be stored in {}", store.directory());
            exit.accept(70);
        }, "crmd-storage-failed-" + config.node());
        leave.setDaemon(true);
        leave.start();
    }

    /** CIB write failures since start (each failed attempt). */
    long writeFailures() {
        return writeFailures.get();
    }

    /**
     * no-quorum-policy=suicide, as the node config's self_fence says: reboot or off through the
     * kernel's sysrq trigger (immediate, as a watchdog reset: nothing on this node runs on), else
     * systemctl's forced reboot or poweroff; exit (this process only); or exec:COMMAND. If the fence
     * cannot be done, the process still halts: it must not run on without quorum.
     */
    private void selfFence(String reason) {
        String how = config.failsafe().selfFence();
        log.error("self-fencing ({}): {}", how, reason);
        try {
            if (how.equals("reboot") || how.equals("off")) {
                Path sysrq = Path.of("/proc/sysrq-trigger");
                try {
                    Files.writeString(sysrq, how.equals("reboot") ? "b" : "o");
                } catch (IOException | SecurityException e) {
                    log.error("cannot write {} ({}); asking systemctl for a forced {}", sysrq, e.toString(), how);
                    new ProcessBuilder("systemctl", how.equals("reboot") ? "reboot" : "poweroff", "--force", "--force")
                            .inheritIO().start().waitFor(5, TimeUnit.SECONDS);
                }
            } else if (how.startsWith("exec:")) {
                new ProcessBuilder("/bin/sh", "-c", how.substring(5)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException | RuntimeException e) {
            log.error("self-fence by {} failed: {}", how, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // Whatever happened above, this process does not go on without quorum.
        log.error("self-fence: this process exits now");
        halt.accept(71);
    }

    private void setTimer(TimerKey key, long delayMs) {
        long gen = timerGen.merge(key.name(), 1L, Long::sum);
        ScheduledFuture<?> old = timerFutures.remove(key.name());
        if (old != null) {
            old.cancel(false);
        }
        timerFutures.put(key.name(), timers.schedule(() -> post(new TimerEvent(key, gen)), delayMs,
                TimeUnit.MILLISECONDS));
    }

    /** A timer that fires checks, on the event thread, that it was not cancelled or replaced meanwhile. */
    private final class TimerEvent implements Runnable {
        private final TimerKey key;
        private final long gen;

        TimerEvent(TimerKey key, long gen) {
            this.key = key;
            this.gen = gen;
        }

        @Override
        public void run() {
            handle(new Event.TimerFired(key));
        }
    }

    private void post(TimerEvent t) {
        if (closed) {
            return;
        }
        events.execute(() -> {
            if (timerGen.getOrDefault(t.key.name(), 0L) == t.gen) {
                timerFutures.remove(t.key.name());
                t.run();
            }
        });
    }

    private void runOperation(OpRequest req) {
        try {
            lrm.submit(operationRequest(req));
        } catch (RuntimeException e) {
            // An operation that cannot even be submitted still ends, with an error, so its transition ends too.
            log.error("cannot run {} of {}: {}", req.action(), req.resourceId(), e.getMessage());
            post(new Event.OperationCompleted(OpResult.of(req, 1, OpStatus.ERROR, e.getMessage(), 0)));
        }
    }

    /**
     * The LRM's request for a transition action: CRM_meta_* parameters become meta attributes
     * (the LRM gives them to the agent as OCF_RESKEY_CRM_meta_*, e.g. a migration's
     * migrate_source and migrate_target), the rest are the agent's parameters; interval, timeout
     * and name are the LRM's own to set.
     */
    static OperationRequest operationRequest(OpRequest req) {
        Map<String, String> params = new TreeMap<>();
        Map<String, String> meta = new TreeMap<>();
        for (Map.Entry<String, String> e : req.params().entrySet()) {
            if (e.getKey().startsWith("CRM_meta_")) {
                meta.put(e.getKey().substring("CRM_meta_".length()), e.getValue());
            } else {
                params.put(e.getKey(), e.getValue());
            }
        }
        meta.remove("interval");
        meta.remove("timeout");
        meta.remove("name");
        AgentSpec a = req.agent();
        AgentRef agent = new AgentRef(a.cls(), a.provider(), a.type());
        return new OperationRequest(req.resourceId(), agent, req.action(), req.intervalMs(), req.timeoutMs(),
                params, meta, req.opKey(), 0);
    }

    /** Pulse's bin/ with the agents' tools (see lrmConfig), found beside the jar this class runs from; or null. */
    private static Path shimDir() {
        try {
            Path jar = Path.of(CrmdRuntime.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                if (Files.isExecutable(p.resolve("bin/crm_attribute"))) {
                    return p.resolve("bin");
                }
            }
        } catch (Exception e) {
            // not from a jar: agents get the daemon's PATH
        }
        return null;
    }

    static OpResult toOpResult(OperationResult r) {
        return new OpResult(r.transitionKey() == null ? r.operationKey() : r.transitionKey(), r.resourceId(),
                new AgentSpec(r.agent().standard(), r.agent().provider(), r.agent().type()), r.action(),
                r.intervalMs(), r.rcCode(), OpStatus.ofCode(r.execStatus().code()), r.exitReason(), r.execTimeMs(),
                // A fence device's list names the nodes it can fence (pcmk_host_check=dynamic-list).
                r.agent().standard().equals("stonith") && r.action().equals("list") ? r.stdout() : "");
    }

    private long lastPeIndex() throws IOException {
        long max = 0;
        try (var files = Files.list(peDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Matcher m = PE_INPUT.matcher(p.getFileName().toString());
                if (m.matches()) {
                    max = Math.max(max, Long.parseLong(m.group(1)));
                }
            }
        }
        return max;
    }

    /**
     * The metrics text, rendered again only when the CIB version, membership, quorum or counters
     * changed: a scrape must not re-read the CIB (with 1,000 resources that is the expensive part).
     */
    private String metricsText() {
        AdminResult r = request(new AdminCommand.Status(), 5_000);
        if (!r.ok()) {
            throw new IllegalStateException(r.message());
        }
        StatusReport s = r.status();
        observations.fenceHistory(s.fenceHistory());
        String key = s.toString();
        if (!key.equals(metricsKey)) {
            metricsText = Metrics.render(s, r.cib(), config.link2() == null ? 1 : 2, clock.instant());
            metricsKey = key;
        }
        StringBuilder b = new StringBuilder(metricsText.length() + 8192).append(metricsText);
        observations.render(b);
        stages.render(b);
        return b.toString();
    }

    /** An operation ended on this node: its execution time, and a fence action's per device. */
    private void observe(OperationResult r) {
        if (r.execStatus() == org.pulse.lrm.ExecStatus.CANCELLED || r.execStatus() == org.pulse.lrm.ExecStatus.PENDING) {
            return;
        }
        AgentRef a = r.agent();
        String agent = a.standard() + (a.provider() == null || a.provider().isEmpty() ? "" : ":" + a.provider()) + ":" + a.type();
        observations.operation(agent, r.action(), r.execTimeMs());
        String target = r.transitionKey() == null ? null : fenceTargets.remove(r.transitionKey());
        history.operation(clock.instant(), r.transitionKey(), r.resourceId(), r.action(), r.intervalMs(), r.rcCode(),
                r.execStatus() != org.pulse.lrm.ExecStatus.DONE ? r.execStatus().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                        : r.rcCode() == r.expectedRc() ? "ok" : "failed, expected rc " + r.expectedRc(),
                r.execTimeMs(), r.exitReason(), target);
        if (a.standard().equals("stonith") && Set.of("off", "reboot", "on").contains(r.action())) {
            observations.fencing(r.resourceId(), r.execTimeMs());
        }
    }

    /**
     * On the JGroups thread that delivers views, before the controller hears of the view: the CIB
     * applied so far still places the lost node's resources on it, which is what the watch starts from.
     */
    private void watchFailovers(List<String> members, java.time.Instant at) {
        List<String> before = lastMembers;
        lastMembers = List.copyOf(members);
        List<String> left = before.stream().filter(m -> !members.contains(m)).toList();
        List<String> back = members.stream().filter(m -> !before.contains(m)).toList();
        Cib cib = appliedCib.get();
        if ((left.isEmpty() || cib == null) && back.isEmpty()) {
            return;
        }
        runOnFailoverThread(() -> {
            back.forEach(failovers::nodeBack);
            if (!left.isEmpty() && cib != null) {
                List<org.pulse.policy.Placement> placement = org.pulse.policy.PolicyEngine.schedule(
                        cib.model(), at).placementBefore();
                left.forEach(n -> failovers.nodeLost(n, at, placement));
            }
            watchingFailovers = failovers.watching();
            if (watchingFailovers) {
                checkFailovers();
            }
        });
    }

    /** Reads the newest applied CIB's placement once, however many CIBs were applied meanwhile. */
    private void checkFailovers() {
        if (!failoverCheckQueued.compareAndSet(false, true)) {
            return;
        }
        runOnFailoverThread(() -> {
            failoverCheckQueued.set(false);
            Cib cib = appliedCib.get();
            java.time.Instant at = appliedAt;
            if (cib == null || !failovers.watching()) {
                return;
            }
            List<org.pulse.policy.Placement> placement = org.pulse.policy.PolicyEngine.schedule(
                    cib.model(), at).placementBefore();
            for (long ms : failovers.placed(placement, at)) {
                log.info("failover done in {} ms", ms);
                observations.failover(ms);
            }
            watchingFailovers = failovers.watching();
        });
    }

    private void runOnFailoverThread(Runnable r) {
        try {
            failoverThread.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.warn("failover watch: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // stopping
        }
    }

    /**
     * Keeps the scheduler's input for crm simulate; the oldest beyond pe_inputs_kept are removed.
     * pe-input-N.xml is the CIB the policy engine decided on (with its execution-date), and pe-input-N.actions
     * the canonical actions of the engine's transition from it (the DC runs them, fencing first): {@code crm --cib-file pe-input-N.xml simulate
     * --canonical} prints the same actions. The last peInputsKept of each are kept.
     */
    private void saveInput(long index, Cib cib, TransitionPlan decided) {
        try {
            PrivateFiles.writeAtomically(peDir, "pe-input-" + index + ".xml", cib.toXml().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            PrivateFiles.writeAtomically(peDir, "pe-input-" + index + ".actions",
                    decided.canonicalActions().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            long drop = index - config.peInputsKept();
            if (drop > 0) {
                Files.deleteIfExists(peDir.resolve("pe-input-" + drop + ".xml"));
                Files.deleteIfExists(peDir.resolve("pe-input-" + drop + ".actions"));
            }
            log.debug("scheduler input saved as {}", peDir.resolve("pe-input-" + index + ".xml"));
        } catch (IOException e) {
            log.warn("cannot save scheduler input {} in {}: {}", index, peDir, e.getMessage());
        }
    }

    /**
     * This node as DC started transition {@code id}: its tag, with the scheduler input it came from (saved while
     * the same event was handled; the fencing run while the join's CIB is being stored names the input whose
     * engine decision it is part of).
     */
    private void transitionStarted(long id) {
        View v = controller.view();
        String tag = HistoryLog.tag(id, config.node(), v == null ? "?" : v.id());
        String input = savedInputThisEvent < 0 ? "no saved input" : "pe-input-" + savedInputThisEvent;
        startedTransitions.put(id, tag + " " + input);
        history.write(clock.instant(), tag + " started from " + input);
    }

    private void transitionEnded(Effect.TransitionEnded t) {
        String started = startedTransitions.remove(t.id());
        if (started == null) {
            // Started and ended within one event (only pseudo actions): its input is the one saved meanwhile.
            View v = controller.view();
            String tag = HistoryLog.tag(t.id(), config.node(), v == null ? "?" : v.id());
            String input = savedInputThisEvent < 0 ? "no saved input" : "pe-input-" + savedInputThisEvent;
            history.write(clock.instant(), tag + " started from " + input);
            started = tag + " " + input;
        }
        String tag = started.substring(0, started.lastIndexOf(')') + 1);
        history.write(clock.instant(), tag + " ended: " + t.result() + " in " + t.durationMs() + " ms, "
                + t.actions().size() + " actions; trigger: " + t.trigger());
    }

    // ---- for the admin socket (called on its threads)

    /** Sends a command to the controller and waits for its answer. */
    AdminResult request(AdminCommand command, long timeoutMs) {
        long id = adminIds.incrementAndGet();
        CompletableFuture<AdminResult> f = new CompletableFuture<>();
        adminWaiters.put(id, f);
        post(new Event.AdminRequest(id, command));
        try {
            return f.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            adminWaiters.remove(id);
            return new AdminResult(AdminResult.TIMEOUT, "crmd on " + config.node() + " did not answer within "
                    + timeoutMs / 1000 + " s", null, null, null);
        } catch (Exception e) {
            adminWaiters.remove(id);
            return new AdminResult(AdminResult.TIMEOUT, "interrupted: " + e, null, null, null);
        }
    }

    NodeConfig config() {
        return config;
    }

    private void changed() {
        Console c = console;
        if (c != null) {
            c.changed();
        }
    }

    private volatile boolean httpStarting;

    WebTokens webTokens() {
        return webTokens;
    }

    /** Whether the http listener (console, /metrics) is configured and still starting. */
    boolean httpStarting() {
        return httpStarting;
    }

    /** Where the console is; with TLS, the certificate's fingerprint to pin (crm web token prints both). */
    String consoleUrl() {
        MetricsServer m = metrics;
        ConsoleTls.Material t = tls;
        return m == null || console == null ? null : (t == null ? "http://" : "https://") + config.http().getHostString()
                + ":" + m.port() + "/" + (t == null ? "" : " (TLS certificate SHA-256 " + t.sha256() + ")");
    }

    List<Effect.TransitionEnded> transitions() {
        synchronized (transitions) {
            return List.copyOf(transitions);
        }
    }

    /** What the console's streams compare to see a change: the controller's status (no XML, no CIB read). */
    String statusKey() {
        AdminResult r = request(new AdminCommand.Status(), 5_000);
        return r.ok() ? r.status().toString() : "unavailable: " + r.message();
    }

    Messenger messenger() {
        return messenger;
    }

    NodeList nodeList() {
        return nodeList;
    }

    /** The node list changed (crmd.conf already written): messaging and the controller take it. */
    void reloaded(NodeConfig next) {
        config = next;
        Messenger m = messenger;
        if (m != null) { // else start() gives messaging the list once it has a messenger
            m.updateMembers(next.nodes().keySet(), new ArrayList<>(next.nodes().values()));
        }
        post(NodeList.nodesEvent(next));
    }

    public String nodeName() {
        return config.node();
    }

    /**
     * pulse-remoted on remote node {@code node} is stopping cleanly: its shutdown attribute (the time, as Pacemaker's
     * controller writes it for a remote node's shutdown request), written through the DC like any node attribute.
     */
    private void remoteNodeStopping(String node) {
        long id = adminIds.incrementAndGet();
        CompletableFuture<AdminResult> answer = new CompletableFuture<>();
        adminWaiters.put(id, answer);
        answer.thenAccept(r -> {
            if (!r.ok()) {
                log.warn("could not record that remote node {} is shutting down ({}: {}); it may be fenced when its"
                        + " connection ends", node, r.code(), r.message());
            }
        });
        post(new Event.AdminRequest(id, new AdminCommand.Write(new CibEdit.NodeAttribute(node, "shutdown",
                Long.toString(java.time.Instant.now().getEpochSecond()), true), false)));
    }

    /**
     * A clean stop (SIGTERM): ask the DC to move this node's resources away and record it as
     * expected down, so that its leaving is not a reason to fence it; then leave. Gives up waiting
     * after {@code timeoutMs} and leaves anyway (the others will then fence it).
     */
    public void shutdownGracefully(long timeoutMs) {
        if (!closed && controller != null) {
            post(new Event.AdminRequest(adminIds.incrementAndGet(), new AdminCommand.Shutdown()));
            try {
                if (!shutdownGranted.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                    log.warn("the DC did not let this node go within {} s; leaving anyway (it may be fenced)",
                            timeoutMs / 1000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        close();
    }

    @Override
    public void close() {
        closed = true;
        if (joinListener != null) {
            joinListener.close();
        }
        if (pinger != null) {
            pinger.shutdownNow();
        }
        if (arbiter != null) {
            arbiter.shutdownNow();
        }
        if (leaser != null) {
            leaser.shutdownNow();
        }
        if (admin != null) {
            admin.close();
            if (metrics != null) {
                metrics.close();
            }
        }
        if (messenger != null) {
            messenger.close();
        }
        if (remoteLinks != null) {
            remoteLinks.close();
        }
        if (lrm != null) {
            lrm.close();
        }
        if (alerts != null) {
            alerts.close();
        }
        history.close();
        started.countDown();
        failoverThread.shutdownNow();
        if (sbd != null) {
            sbd.close();
        }
        if (watchdog != null) {
            watchdog.close();
        }
        timers.shutdownNow();
        events.shutdownNow();
        writer.shutdown();
        peWriter.shutdown();
        try {
            // A lazy write still queued is worth finishing: the next start reads it.
            if (writer.awaitTermination(5, TimeUnit.SECONDS) && !storageFailed.get()) {
                // cib.xml alone is the CIB again after a stop, as Pacemaker's tools (crm_verify -x) read it.
                store.compact();
            }
            peWriter.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (CibException e) {
            log.warn("could not fold the CIB journal into {} at stop: {}; the next start reads both", store.cibFile(),
                    e.getMessage());
        }
        List<CompletableFuture<AdminResult>> waiting = new ArrayList<>(adminWaiters.values());
        waiting.forEach(w -> w.complete(new AdminResult(AdminResult.NO_DC, "crmd is shutting down", null, null, null)));
    }
}
