package org.pulse.crmd.runtime;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.pulse.crmd.controller.FenceEvent;

/**
 * What this crmd saw happen, as Prometheus histograms and counters: the part of /metrics that no
 * exporter reading crm_mon can give. Every value is kept as it happens (an observation is a few
 * additions), so a scrape only copies counts: nothing here reads the CIB. Monotonic since this crmd
 * started, as Prometheus expects of counters and histograms (a restart resets them, which
 * rate() handles).
 *
 * <p>Bucket bounds are in the unit of the name (seconds, or actions), chosen for what a cluster does:
 * an agent's operation from milliseconds to its timeout, a fence from a second to minutes, a
 * failover from seconds (detection, fencing, start) to the ten minutes after which it is no longer
 * watched.
 */
final class Observations {
    static final double[] OPERATION_SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120};
    static final double[] FENCING_SECONDS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300};
    static final double[] TRANSITION_SECONDS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
    static final double[] TRANSITION_ACTIONS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};
    static final double[] FAILOVER_SECONDS = {1, 2.5, 5, 10, 15, 20, 30, 45, 60, 120, 300, 600};
    /** Fence results the DC records ({@link FenceEvent}), in label form, so each series exists from the start at 0. */
    static final List<String> FENCE_RESULTS = List.of("success", "failed", "timed_out", "executor_left", "gave_up");

    private final Map<List<String>, Histogram> operations = new ConcurrentHashMap<>();
    private final Map<String, Histogram> fencing = new ConcurrentHashMap<>();
    private final Histogram transitionSeconds = new Histogram(TRANSITION_SECONDS);
    private final Histogram transitionActions = new Histogram(TRANSITION_ACTIONS);
    private final Histogram failoverSeconds = new Histogram(FAILOVER_SECONDS);
    private final AtomicLong viewChanges = new AtomicLong();
    private final AtomicLong suspicions = new AtomicLong();
    private final AtomicLong dcElections = new AtomicLong();
    private final AtomicLong transitionsIncomplete = new AtomicLong();
    private final Map<String, AtomicLong> fenceAttempts = new ConcurrentHashMap<>();
    private final LongSupplier sealRefused;
    /** The transport's message counts (heartbeats included): how cluster traffic grows with its size. */
    private final LongSupplier messagesReceived;
    private final LongSupplier messagesSent;
    /** Fan-outs sent as one multicast, and messages dropped waiting for an earlier one of their sender (messaging). */
    private final LongSupplier multicastFanOuts;
    private final LongSupplier outOfOrderDrops;
    /** "in KIND" / "out KIND" to messages since start (messaging's Messenger.messagesByKind). */
    private final Supplier<Map<String, Long>> messagesByKind;
    /** Fence history entries ending before this are from before this crmd started: not counted. */
    private final long startedEpochMs;
    /** The fence history entries already counted (those still in the DC's bounded history). */
    private Set<FenceEvent> countedFences = Set.of();
    /** The DC of the last view, to count a change of DC as an election. */
    private String lastDc;

    Observations(long startedEpochMs, LongSupplier sealRefused) {
        this(startedEpochMs, sealRefused, () -> 0, () -> 0);
    }

    Observations(long startedEpochMs, LongSupplier sealRefused, LongSupplier messagesReceived,
            LongSupplier messagesSent) {
        this(startedEpochMs, sealRefused, messagesReceived, messagesSent, () -> 0, () -> 0);
    }

    Observations(long startedEpochMs, LongSupplier sealRefused, LongSupplier messagesReceived,
            LongSupplier messagesSent, LongSupplier multicastFanOuts, LongSupplier outOfOrderDrops) {
        this(startedEpochMs, sealRefused, messagesReceived, messagesSent, multicastFanOuts, outOfOrderDrops, Map::of);
    }

    Observations(long startedEpochMs, LongSupplier sealRefused, LongSupplier messagesReceived,
            LongSupplier messagesSent, LongSupplier multicastFanOuts, LongSupplier outOfOrderDrops,
            Supplier<Map<String, Long>> messagesByKind) {
        this.messagesByKind = messagesByKind;
        this.startedEpochMs = startedEpochMs;
        this.sealRefused = sealRefused;
        this.messagesReceived = messagesReceived;
        this.messagesSent = messagesSent;
        this.multicastFanOuts = multicastFanOuts;
        this.outOfOrderDrops = outOfOrderDrops;
        FENCE_RESULTS.forEach(r -> fenceAttempts.put(r, new AtomicLong()));
    }

    /** An agent operation ended on this node, after {@code execMs}; agent as class:provider:type. */
    void operation(String agent, String operation, long execMs) {
        operations.computeIfAbsent(List.of(agent, operation), k -> new Histogram(OPERATION_SECONDS))
                .observe(execMs / 1000.0);
    }

    /** A fence device's off, reboot or on ran on this node (the executor), for {@code execMs}. */
    void fencing(String device, long execMs) {
        fencing.computeIfAbsent(device, k -> new Histogram(FENCING_SECONDS)).observe(execMs / 1000.0);
    }

    void transitionEnded(int actions, long durationMs, boolean clean) {
        transitionSeconds.observe(durationMs / 1000.0);
        transitionActions.observe(actions);
        if (!clean) {
            transitionsIncomplete.incrementAndGet();
        }
    }

    void failover(long durationMs) {
        failoverSeconds.observe(durationMs / 1000.0);
    }

    /** A view was installed; the DC of a partition is its first member (DESIGN §4), so a new first member is an election. */
    synchronized void view(List<String> members) {
        viewChanges.incrementAndGet();
        String dc = members.isEmpty() ? null : members.get(0);
        if (dc != null && !dc.equals(lastDc)) {
            dcElections.incrementAndGet();
        }
        lastDc = dc;
    }

    void suspected(int nodes) {
        suspicions.addAndGet(nodes);
    }

    /**
     * The DC's fence history as this node knows it: entries not seen before are counted by result. The
     * history is bounded and only ever loses its oldest entries, so remembering the current ones is enough.
     */
    synchronized void fenceHistory(List<FenceEvent> history) {
        Set<FenceEvent> now = new HashSet<>(history);
        for (FenceEvent e : history) {
            if (!countedFences.contains(e) && e.atEpochMs() >= startedEpochMs) {
                fenceAttempts.computeIfAbsent(label(e.result()), k -> new AtomicLong()).incrementAndGet();
            }
        }
        countedFences = now;
    }

    static String label(String fenceResult) {
        return fenceResult.replace(' ', '_');
    }

    long viewChanges() {
        return viewChanges.get();
    }

    /** The families, in Prometheus' text format (appended to the CIB's). */
    void render(StringBuilder b) {
        counter(b, "pulse_view_changes_total", viewChanges.get(),
                "Membership views this crmd installed since it started");
        counter(b, "pulse_suspicions_total", suspicions.get(),
                "Members this crmd's failure detection suspected since it started");
        counter(b, "pulse_dc_elections_total", dcElections.get(),
                "Views whose DC (first member) differed from the last view's");
        counter(b, "pulse_messages_refused_total", sealRefused.getAsLong(),
                "Cluster messages refused by the seal (wrong key, replayed, earlier incarnation or view)");
        counter(b, "pulse_messages_received_total", messagesReceived.getAsLong(),
                "Cluster messages this node's transport received (heartbeats included; a multicast counts on each receiver)");
        counter(b, "pulse_messages_sent_total", messagesSent.getAsLong(),
                "Cluster messages this node's transport sent (heartbeats included; a multicast counts once)");
        counter(b, "pulse_messages_multicast_fanouts_total", multicastFanOuts.getAsLong(),
                "Messages to every other member (the DC's CIB changes) sent as one multicast rather than one unicast each");
        counter(b, "pulse_messages_out_of_order_dropped_total", outOfOrderDrops.getAsLong(),
                "Messages dropped because an earlier message of their sender that they must follow never came");
        family(b, "pulse_messages_by_kind_total", "counter", "Cluster messages this node received (dir=in, a multicast on each"
                + " receiver) and sent (dir=out, a multicast once) since it started, by kind: JGroups' by the protocol header"
                + " that made them, crmd's by envelope type");
        new TreeMap<>(messagesByKind.get()).forEach((key, n) -> {
            int space = key.indexOf(' ');
            b.append("pulse_messages_by_kind_total{dir=\"").append(key, 0, space).append("\",kind=\"")
                    .append(Metrics.escape(key.substring(space + 1))).append("\"} ").append(n).append('\n');
        });
        family(b, "pulse_fence_attempts_total", "counter", "Fence attempts in the DC's history since this crmd started, by result");
        new TreeMap<>(fenceAttempts).forEach((result, n) ->
                b.append("pulse_fence_attempts_total{result=\"").append(result).append("\"} ").append(n.get()).append('\n'));
        counter(b, "pulse_transitions_incomplete_total", transitionsIncomplete.get(),
                "Transitions this DC ended aborted or with a failed action");

        histogram(b, "pulse_failover_duration_seconds", "From a member leaving the view to every resource it ran"
                + " (clone instances aside) active on another node", Map.of("", failoverSeconds), null);
        histogram(b, "pulse_fencing_duration_seconds", "Execution time of fence actions (off, reboot, on) this node ran,"
                + " by device", new TreeMap<>(fencing), "device");
        histogram(b, "pulse_transition_duration_seconds", "From the DC starting a transition to its end",
                Map.of("", transitionSeconds), null);
        histogram(b, "pulse_transition_actions", "Actions per transition the DC carried out", Map.of("", transitionActions),
                null);
        Map<String, Histogram> ops = new TreeMap<>();
        operations.forEach((k, h) -> ops.put(k.get(0) + "\u0000" + k.get(1), h));
        histogram(b, "pulse_operation_duration_seconds", "Execution time of agent operations on this node, by agent and"
                + " operation", ops, "agent\u0000operation");
    }

    /**
     * One histogram family. {@code labelNames}: null for a single unlabelled series (key ""), else the
     * label names joined by NUL, with each key the label values joined the same way.
     */
    private static void histogram(StringBuilder b, String name, String help, Map<String, Histogram> series,
            String labelNames) {
        family(b, name, "histogram", help);
        String[] names = labelNames == null ? new String[0] : labelNames.split("\u0000");
        for (Map.Entry<String, Histogram> e : series.entrySet()) {
            String[] values = names.length == 0 ? new String[0] : e.getKey().split("\u0000", -1);
            StringBuilder labels = new StringBuilder();
            for (int i = 0; i < names.length; i++) {
                labels.append(names[i]).append("=\"").append(Metrics.escape(values[i])).append("\",");
            }
            Histogram.Snapshot s = e.getValue().snapshot();
            for (int i = 0; i < s.cumulative().length; i++) {
                String le = i < s.upperBounds().length ? bound(s.upperBounds()[i]) : "+Inf";
                b.append(name).append("_bucket{").append(labels).append("le=\"").append(le).append("\"} ")
                        .append(s.cumulative()[i]).append('\n');
            }
            String plain = labels.length() == 0 ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
            b.append(name).append("_sum").append(plain).append(' ').append(s.sum()).append('\n');
            b.append(name).append("_count").append(plain).append(' ').append(s.count()).append('\n');
        }
    }

    private static String bound(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** A counter family with its one sample. */
    private static void counter(StringBuilder b, String name, long value, String help) {
        family(b, name, "counter", help);
        b.append(name).append(' ').append(value).append('\n');
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** For tests: the sample lines of one family. */
    static List<String> samples(String text, String family) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith(family) && !line.startsWith("#")) {
                out.add(line);
            }
        }
        return out;
    }
}
