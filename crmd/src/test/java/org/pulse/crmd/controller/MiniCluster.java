package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.pulse.cib.Cib;

/**
 * A few controllers wired together for unit tests: messages are delivered in order, one at a
 * time, when {@link #settle()} runs; operations complete at once with rc 0 (monitors: 0 when the
 * resource runs, else 7); timers fire only when a test fires them. {@link #hold} keeps one
 * node's messages to another back, to look at what happens before they arrive.
 */
final class MiniCluster {
    record Envelope(String from, String to, Message message) {
    }

    final Map<String, Controller> nodes = new LinkedHashMap<>();
    /** Every message any node sent, in order, as a recorder on the wire would have them. */
    final List<Envelope> sent = new ArrayList<>();
    final Map<String, Set<String>> running = new HashMap<>();
    final Map<Long, AdminResult> replies = new HashMap<>();
    final List<String> log = new ArrayList<>();
    final List<OpRequest> fenceRequests = new ArrayList<>();
    /** Where each of {@link #fenceRequests} ran. */
    final List<String> fenceExecutors = new ArrayList<>();
    /** Every fencing run as "executor device target", in order. */
    final List<String> fenceLog = new ArrayList<>();
    /** Fencing runs ("fence executor device target") and resource operations ("node action resource"), in order. */
    final List<String> timeline = new ArrayList<>();
    /** Fence devices whose off/reboot fails (rc 1). */
    final Set<String> failingFenceDevices = new TreeSet<>();
    /** A device's list output; a null value: the agent has no list action (rc 1). Default: every node. */
    final Map<String, String> deviceLists = new HashMap<>();
    private final List<String> nodeNames;
    /** Every resource operation run, as "node action resource" (monitors included), in order. */
    final List<String> executed = new ArrayList<>();
    /** The requests behind {@link #executed}, in the same order. */
    final List<OpRequest> requests = new ArrayList<>();
    /** Operations that fail once with rc 1 and change nothing: "node action resource". */
    final Set<String> failOnce = new TreeSet<>();
    /**
     * Operations that hang, "node action resource": they do nothing and return nothing until {@link #finishHung}.
     * As in the real LRM, later operations of that resource on that node wait behind one.
     */
    final Set<String> hang = new TreeSet<>();
    /** Hung operations, and the operations queued behind them, per "node resource". */
    private final Map<String, Deque<OpRequest>> hungQueues = new LinkedHashMap<>();
    /** Every CIB each node stored, in order. */
    final Map<String, List<Cib>> stored = new HashMap<>();
    /**
     * Nodes whose reported stores (Effect.PersistCib#reported: the DC's own) are not reported yet: their
     * Event.CibStored waits in {@link #heldStoreReports} until {@link #finishStores}. Others report at once.
     */
    final Set<String> slowStores = new TreeSet<>();
    /** Nodes whose reported stores fail (Event.CibStored with a problem), as a full disk past its deadline. */
    final Set<String> failingStores = new TreeSet<>();
    private final List<Map.Entry<String, Event>> heldStoreReports = new ArrayList<>();
    /** Every operation a node was asked to run, hung or not, in order. */
    final List<OpRequest> asked = new ArrayList<>();
    /** Every scheduler input a DC saved for replay, in order. */
    final List<Effect.SaveSchedulerInput> saved = new ArrayList<>();
    private final Deque<Envelope> wire = new ArrayDeque<>();
    private final List<Envelope> held = new ArrayList<>();
    private final Deque<Map.Entry<String, Event>> local = new ArrayDeque<>();
    private Predicate<Envelope> holding = e -> false;
    Instant now = Instant.parse("2026-11-22T12:00:00Z");
    /** Timers set and not cancelled: "node\0key" → when due. */
    final Map<String, Instant> timers = new HashMap<>();
    private long adminIds;
    /** Operations relayed to remote nodes: "router -> remote action resource", in order. */
    final List<String> relayed = new ArrayList<>();
    private long remoteCallIds = 100;
    /** Nodes whose controller said its clean shutdown is complete (Effect.ShutdownComplete), in order. */
    final List<String> shutDown = new ArrayList<>();

    MiniCluster(List<String> names, Cib cib, Scheduler scheduler) {
        this(names, cib, scheduler, 0);
    }

    /** Every node with a watchdog that times out after {@code watchdogTimeoutMs} (0: none). */
    MiniCluster(List<String> names, Cib cib, Scheduler scheduler, long watchdogTimeoutMs) {
        this.nodeNames = List.copyOf(names);
        for (String n : names) {
            nodes.put(n, new Controller(ControllerConfig.defaults(n, names).withWatchdogTimeoutMs(watchdogTimeoutMs),
                    scheduler, cib));
            running.put(n, new TreeSet<>());
        }
    }

    /** Nodes a, b and c with {@code resources} (and no constraints), joined in view v1 with a as DC. */
    static MiniCluster joinedThree(String resources) throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(resources, ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        return c;
    }

    void view(String id, List<String> members) {
        for (String m : members) {
            deliver(m, new Event.ViewChanged(new View(id, members)));
        }
        settle();
    }

    long admin(String node, AdminCommand command) {
        long id = ++adminIds;
        deliver(node, new Event.AdminRequest(id, command));
        return id;
    }

    /**
     * Several admin requests to one node as one {@link Event.Batch}, as the runtime hands writes queued right
     * behind each other to the controller (group commit); their ids in order.
     */
    List<Long> adminBatch(String node, AdminCommand... commands) {
        List<Long> ids = new ArrayList<>();
        List<Event> events = new ArrayList<>();
        for (AdminCommand command : commands) {
            long id = ++adminIds;
            ids.add(id);
            events.add(new Event.AdminRequest(id, command));
        }
        deliver(node, new Event.Batch(events));
        return ids;
    }

    /**
     * The held messages {@code which} matches, delivered to their node (all to one) as one {@link Event.Batch},
     * as the runtime hands messages queued right behind each other to the controller; then the wire settles.
     */
    void releaseAsBatch(Predicate<Envelope> which) {
        Predicate<Envelope> before = holding;
        holding = e -> before.test(e) && !which.test(e);
        List<Envelope> go = held.stream().filter(which).toList();
        held.removeAll(go);
        if (go.stream().map(Envelope::to).distinct().count() != 1) {
            throw new IllegalArgumentException("a batch goes to one node: " + go);
        }
        deliver(go.get(0).to(), new Event.Batch(go.stream()
                .map(e -> (Event) new Event.MessageReceived(e.from(), e.message())).toList()));
        settle();
    }

    /** {@code node}'s held store reports arrive now (and its later stores report at once); then the wire settles. */
    void finishStores(String node) {
        slowStores.remove(node);
        List<Map.Entry<String, Event>> go = heldStoreReports.stream().filter(e -> e.getKey().equals(node)).toList();
        heldStoreReports.removeAll(go);
        local.addAll(go);
        settle();
    }

    void hold(Predicate<Envelope> which) {
        holding = which;
    }

    void release() {
        holding = e -> false;
        wire.addAll(held);
        held.clear();
        settle();
    }

    /** Lets the held messages {@code which} matches go, and stops holding such messages; the rest stay held. */
    void release(Predicate<Envelope> which) {
        Predicate<Envelope> before = holding;
        holding = e -> before.test(e) && !which.test(e);
        List<Envelope> go = held.stream().filter(which).toList();
        held.removeAll(go);
        wire.addAll(go);
        settle();
    }

    void settle() {
        for (int i = 0; i < 100_000; i++) {
            if (!local.isEmpty()) {
                Map.Entry<String, Event> e = local.poll();
                deliver(e.getKey(), e.getValue());
            } else if (!wire.isEmpty()) {
                Envelope e = wire.poll();
                if (holding.test(e)) {
                    held.add(e);
                } else if (nodes.containsKey(e.to())) {
                    deliver(e.to(), new Event.MessageReceived(e.from(), e.message()));
                }
            } else {
                return;
            }
        }
        throw new IllegalStateException("no quiescence");
    }

    void deliver(String node, Event e) {
        Controller c = nodes.get(node);
        if (c == null) {
            return;
        }
        for (Effect f : c.handle(e, now)) {
            if (f instanceof Effect.Send s) {
                Envelope sentNow = new Envelope(node, s.to(), s.message());
                sent.add(sentNow);
                wire.add(sentNow);
            } else if (f instanceof Effect.RunOperation r && r.remoteNode() != null) {
                // relayed to a remote node: it runs there (its own running set), reported with the daemon's call id
                relayed.add(node + " -> " + r.remoteNode() + " " + r.request().action() + " " + r.request().resourceId());
                running.computeIfAbsent(r.remoteNode(), k -> new TreeSet<>());
                local.add(Map.entry(node, new Event.OperationCompleted(run(r.remoteNode(), r.request()), r.remoteNode(),
                        ++remoteCallIds)));
            } else if (f instanceof Effect.RunOperation r) {
                OpRequest req = r.request();
                asked.add(req);
                String queue = node + " " + req.resourceId();
                if (hungQueues.containsKey(queue)) {
                    hungQueues.get(queue).add(req);
                } else if (hang.remove(node + " " + req.action() + " " + req.resourceId())) {
                    hungQueues.put(queue, new ArrayDeque<>(List.of(req)));
                } else {
                    local.add(Map.entry(node, new Event.OperationCompleted(run(node, req))));
                }
            } else if (f instanceof Effect.PersistCib p) {
                stored.computeIfAbsent(node, k -> new ArrayList<>()).add(p.cib());
                if (p.reported()) {
                    Event report = failingStores.contains(node)
                            ? Event.CibStored.failed(p.cib().version(), "no space left on device (test)")
                            : Event.CibStored.done(p.cib().version());
                    (slowStores.contains(node) ? heldStoreReports : local).add(Map.entry(node, report));
                }
            } else if (f instanceof Effect.SetTimer t) {
                timers.put(node + "\u0000" + t.key().name(), now.plusMillis(t.delayMs()));
            } else if (f instanceof Effect.CancelTimer t) {
                timers.remove(node + "\u0000" + t.key().name());
            } else if (f instanceof Effect.ReplyAdmin r) {
                replies.put(r.requestId(), r.result());
            } else if (f instanceof Effect.SaveSchedulerInput si) {
                saved.add(si);
            } else if (f instanceof Effect.Log l) {
                log.add(node + " " + l.text());
            } else if (f instanceof Effect.ShutdownComplete) {
                shutDown.add(node);
            }
        }
    }

    private OpResult run(String node, OpRequest req) {
        Set<String> on = running.get(node);
        if (req.agent().isStonith()) {
            if (LrmOps.isFencerAction(req.action()) && !req.action().equals("list") && !req.action().equals("status")) {
                fenceRequests.add(req);
                fenceExecutors.add(node);
                fenceLog.add(node + " " + req.resourceId() + " " + req.params().get("nodename"));
                timeline.add("fence " + fenceLog.get(fenceLog.size() - 1));
                if (failingFenceDevices.contains(req.resourceId())) {
                    return OpResult.of(req, 1, OpStatus.DONE, "failing on purpose", 1);
                }
            }
            if (req.action().equals("list")) {
                // A switch that knows every node of the test, unless the test says otherwise.
                String names = deviceLists.getOrDefault(req.resourceId(), String.join(",\n", nodeNames) + ",\n");
                return new OpResult(req.opKey(), req.resourceId(), req.agent(), req.action(), 0,
                        names == null ? 1 : 0, OpStatus.DONE, names == null ? "no list action" : "", 1,
                        names == null ? "" : names);
            }
            // as the real LRM: a device is running here between its start and its stop
            switch (req.action()) {
                case "start" -> on.add(req.resourceId());
                case "stop" -> on.remove(req.resourceId());
                case "monitor" -> {
                    return OpResult.of(req, on.contains(req.resourceId()) ? 0 : 7, OpStatus.DONE, "", 1);
                }
                default -> {
                }
            }
            return OpResult.of(req, 0, OpStatus.DONE, "", 1);
        }
        String what = node + " " + req.action() + " " + req.resourceId();
        executed.add(what);
        timeline.add(what);
        requests.add(req);
        if (failOnce.remove(what)) {
            return OpResult.of(req, 1, OpStatus.DONE, "failing on purpose", 1);
        }
        switch (req.action()) {
            // migrate_to keeps the resource on the source (make-before-break); its stop takes it away.
            case "start", "migrate_from" -> on.add(req.resourceId());
            case "stop" -> on.remove(req.resourceId());
            case "monitor" -> {
                return OpResult.of(req, on.contains(req.resourceId()) ? 0 : 7, OpStatus.DONE, "", 1);
            }
            default -> {
            }
        }
        return OpResult.of(req, 0, OpStatus.DONE, "", 1);
    }

    /** Whether "node action resource" was started and hangs. */
    boolean hangs(String what) {
        String[] w = what.split(" ");
        Deque<OpRequest> q = hungQueues.get(w[0] + " " + w[2]);
        return q != null && q.peek().action().equals(w[1]);
    }

    /** The hung operation of "node resource" ends now (as if it had run), then those queued behind it run. */
    void finishHung(String nodeAndResource) {
        Deque<OpRequest> q = hungQueues.remove(nodeAndResource);
        String node = nodeAndResource.split(" ")[0];
        for (OpRequest req : q) {
            local.add(Map.entry(node, new Event.OperationCompleted(run(node, req))));
        }
        settle();
    }

    /**
     * The clock moves on by {@code ms}; the timers whose name starts with {@code kind} fire when
     * due, in order, each at its own time (the others are left alone: a test picks what it looks at).
     */
    void advance(long ms, String kind) {
        Instant end = now.plusMillis(ms);
        while (true) {
            Map.Entry<String, Instant> next = timers.entrySet().stream()
                    .filter(e -> e.getKey().substring(e.getKey().indexOf('\u0000') + 1).startsWith(kind))
                    .filter(e -> !e.getValue().isAfter(end)).min(Map.Entry.comparingByValue()).orElse(null);
            if (next == null) {
                break;
            }
            timers.remove(next.getKey());
            now = next.getValue().isAfter(now) ? next.getValue() : now;
            String[] parts = next.getKey().split("\u0000", 2);
            deliver(parts[0], new Event.TimerFired(new TimerKey(parts[1])));
            settle();
        }
        now = end;
    }

    /** Puts a message on the wire again, as a replayer would: the receiver takes it as from {@code e.from()}. */
    void replay(Envelope e) {
        wire.add(e);
        settle();
    }

    /** Crash: the node's controller is gone (its resources keep running in {@link #running}). */
    void crash(String node) {
        nodes.remove(node);
    }
}
