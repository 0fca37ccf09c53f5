package org.pulse.crmd.runtime;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the time of the events on a CIB change's path goes on this node, as counters: for each
 * (stage, event) the number of times and the total nanoseconds. bench/runtime reads them from
 * /metrics before and after its writes and divides by the writes, which gives one commit's
 * breakdown on the DC (the admin request: queued, decided, its sends, its store; the members'
 * acknowledgements: queued, decided) and on a member (the update: queued, decided, stored,
 * acknowledged), with no clock read beyond two per stage. Counted for every event kind, since a
 * status update's acknowledgement waits behind whatever the event thread does before it.
 *
 * <p>Stages: {@code queued} (posted until the event thread takes it), {@code decided} (the
 * controller's handling, the policy engine included when it runs in that event), {@code engine} (the
 * policy engine alone), {@code stored} (a durable CIB store, fsync included), {@code stored_lazy}
 * (handing a status CIB to the writer), {@code applied} (after the store: alerts, failover watch),
 * {@code sent} (handing a message to the transport); and on the writer thread {@code store_io}
 * (the CibStore's save alone, event {@code durable} or {@code lazy}); on an admin connection's
 * thread {@code handled} (a request from its line read to its answer, event {@code admin_<op>}); and, counts
 * only, {@code answered} (a writer told "stored", event {@code ack_lane} when the DC's {@link AckLane} answered it
 * as the last ack landed, {@code event_thread} when the controller's answer on the event thread came first); and
 * on the DC, for the writes its ack lane answered, {@code phase}: {@code sent_to_last_ack} (the change handed to
 * messaging until the last member's ack landed: both hops and the slowest member's work) and
 * {@code last_ack_to_answered}.
 */
final class CommitStages {
    private record Key(String stage, String event) {
    }

    private record Sum(LongAdder count, LongAdder nanos) {
    }

    private final Map<Key, Sum> sums = new ConcurrentHashMap<>();

    void add(String stage, String event, long nanos) {
        Sum s = sums.computeIfAbsent(new Key(stage, event), k -> new Sum(new LongAdder(), new LongAdder()));
        s.count().increment();
        s.nanos().add(nanos);
    }

    /** Prometheus text: {@code pulse_event_stage_seconds_total} and {@code pulse_event_stage_total}, by stage and event. */
    void render(StringBuilder b) {
        Map<Key, Sum> sorted = new TreeMap<>((x, y) -> x.stage().equals(y.stage()) ? x.event().compareTo(y.event())
                : x.stage().compareTo(y.stage()));
        sorted.putAll(sums);
        b.append("# HELP pulse_event_stage_seconds_total Time the event thread spent per stage of an event"
                + " (queued, decided, engine, stored, stored_lazy, applied, sent), by event kind\n");
        b.append("# TYPE pulse_event_stage_seconds_total counter\n");
        sorted.forEach((k, s) -> b.append("pulse_event_stage_seconds_total{stage=\"").append(k.stage())
                .append("\",event=\"").append(k.event()).append("\"} ")
                .append(String.format(java.util.Locale.ROOT, "%.9f", s.nanos().sum() / 1e9)).append('\n'));
        b.append("# HELP pulse_event_stage_total Times an event went through a stage, by stage and event kind\n");
        b.append("# TYPE pulse_event_stage_total counter\n");
        sorted.forEach((k, s) -> b.append("pulse_event_stage_total{stage=\"").append(k.stage())
                .append("\",event=\"").append(k.event()).append("\"} ").append(s.count().sum()).append('\n'));
    }
}
