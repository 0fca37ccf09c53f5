package org.pulse.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pulse.lab.cluster.LocalCluster;

/**
 * Where one commit's milliseconds go: every node's {@code pulse_event_stage_*} counters (crmd's
 * CommitStages) read before and after a run of writes to the DC; the difference divided by the
 * writes is the time per commit of each (stage, event) on the DC and, averaged, on a member.
 * Counters, not clocks around the write: each figure is what a node's event thread spent, so a
 * busy machine inflates them only as much as it slows that thread. What the stages do not cover is
 * the admin socket, the transport and the event threads' wake-ups, printed as the remainder of
 * the DC's path.
 */
final class CommitBreakdown {
    private static final Pattern LINE = Pattern.compile(
            "pulse_event_stage_(seconds_total|total)\\{stage=\"([a-z_]+)\",event=\"([a-z_]+)\"\\} ([0-9.eE+-]+)");

    /** (stage, event) → {seconds, count}. */
    private record Snapshot(Map<String, double[]> sums) {
    }

    private final LocalCluster cluster;
    private final int dc;
    private final List<Integer> members;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<Integer, Snapshot> before = new LinkedHashMap<>();

    CommitBreakdown(LocalCluster cluster, int dc, List<Integer> nodes) {
        this.cluster = cluster;
        this.dc = dc;
        this.members = nodes.stream().filter(n -> n != dc).toList();
    }

    void start() throws IOException, InterruptedException {
        before.put(dc, read(dc));
        for (int m : members) {
            before.put(m, read(m));
        }
    }

    /**
     * Prints the per-commit stages of the DC and the members' mean, after {@code commits} writes
     * whose mean end-to-end time was {@code meanMs}; returns the one-line form for the summary.
     */
    String print(int commits, double meanMs) throws IOException, InterruptedException {
        Map<String, Double> dcMs = perCommit(dc, commits);
        Map<String, Double> memberMs = new TreeMap<>();
        for (int m : members) {
            perCommit(m, commits).forEach((k, v) -> memberMs.merge(k, v / members.size(), Double::sum));
        }
        System.out.printf("commit breakdown, ms per commit (mean over %d writes; end to end mean %.2f ms):%n", commits,
                meanMs);
        System.out.println("  DC (node" + dc + "):");
        dcMs.forEach((k, v) -> System.out.printf("    %-28s %7.3f%n", k, v));
        System.out.println("  member (mean of " + members.size() + "):");
        memberMs.forEach((k, v) -> System.out.printf("    %-28s %7.3f%n", k, v));
        // The DC's path: its request's event, then the acks' events; the members' work overlaps the DC's store.
        double request = sum(dcMs, "admin_request");
        double acks = sum(dcMs, "cib_ack");
        double member = sum(memberMs, "cib_update");
        System.out.printf("  DC request event %.3f, member update event %.3f, DC ack events %.3f; not in any stage"
                + " (admin socket, transport, wake-ups) about %.3f%n", request, member, acks,
                meanMs - request - acks - Math.max(0, member - sum(dcMs, "admin_request", "stored")));
        // The DC's ack lane times each change from its send to its last ack (both hops and the slowest member's
        // work) and from there to the writers answered; with the DC's request event before and the admin socket
        // around them, that is the whole commit.
        double sentToLastAck = get(dcMs, "phase", "sent_to_last_ack");
        if (sentToLastAck > 0) {
            double answered = get(dcMs, "phase", "last_ack_to_answered");
            System.out.printf("  phases per commit: DC request event %.3f; sent -> last ack landed %.3f (a member's"
                    + " update event %.3f of it on average, the rest the two hops, the wake-ups and the slowest"
                    + " member); last ack -> writer answered %.3f; the admin socket and the rest %.3f%n", request,
                    sentToLastAck, member, answered, meanMs - request - sentToLastAck - answered);
        }
        // Who answered the writers (counts, not times): the DC's ack lane as the last ack landed, or its event thread.
        double byLane = countPerCommit(dc, "answered/ack_lane", commits);
        double byEventThread = countPerCommit(dc, "answered/event_thread", commits);
        if (byLane + byEventThread > 0) {
            System.out.printf("  writers answered per commit: %.2f by the DC's ack lane, %.2f by its event thread%n",
                    byLane, byEventThread);
        }
        return String.format("dc_request_ms=%.2f dc_store_ms=%.2f dc_engine_ms=%.2f member_update_ms=%.2f"
                + " member_store_ms=%.2f dc_acks_ms=%.2f", request, get(dcMs, "stored", "admin_request"),
                sum(dcMs, "admin_request", "engine") + sum(dcMs, "timer_fired", "engine"), member,
                get(memberMs, "stored", "cib_update"), acks);
    }

    /** How many times per commit {@code node} went through {@code stageEvent} ("stage/event") during the run. */
    private double countPerCommit(int node, String stageEvent, int commits) throws IOException, InterruptedException {
        double[] after = read(node).sums().get(stageEvent);
        double[] was = before.get(node).sums().get(stageEvent);
        return ((after == null ? 0 : after[1]) - (was == null ? 0 : was[1])) / commits;
    }

    private static double get(Map<String, Double> ms, String stage, String event) {
        return ms.getOrDefault(stage + "/" + event, 0.0);
    }

    /** The sum over the stages of {@code event} (all of them, or only {@code onlyStage}). */
    private static double sum(Map<String, Double> ms, String event, String... onlyStage) {
        double s = 0;
        for (Map.Entry<String, Double> e : ms.entrySet()) {
            String[] k = e.getKey().split("/");
            // "engine" runs inside "decided": counted there, not twice
            if (k[1].equals(event) && (onlyStage.length == 0 ? !k[0].equals("engine") : k[0].equals(onlyStage[0]))) {
                s += e.getValue();
            }
        }
        return s;
    }

    private Map<String, Double> perCommit(int node, int commits) throws IOException, InterruptedException {
        Map<String, double[]> after = read(node).sums();
        Map<String, double[]> was = before.get(node).sums();
        Map<String, Double> out = new TreeMap<>();
        after.forEach((k, v) -> {
            double[] b = was.getOrDefault(k, new double[2]);
            double ms = (v[0] - b[0]) * 1000 / commits;
            if (v[1] > b[1] && ms >= 0.001) {
                out.put(k, ms);
            }
        });
        return out;
    }

    private Snapshot read(int node) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cluster.httpPort(node)
                + "/metrics")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        Map<String, double[]> sums = new TreeMap<>();
        for (String line : r.body().split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                double[] v = sums.computeIfAbsent(m.group(2) + "/" + m.group(3), k -> new double[2]);
                v[m.group(1).equals("total") ? 1 : 0] = Double.parseDouble(m.group(4));
            }
        }
        if (sums.isEmpty()) {
            throw new IOException("node" + node + "'s /metrics has no pulse_event_stage counters (status "
                    + r.statusCode() + "): a crmd older than this bench?");
        }
        return new Snapshot(sums);
    }

    /** How many times {@code node} went through ({@code stage}, {@code event}) so far (its counter in /metrics). */
    long count(int node, String stage, String event) throws IOException, InterruptedException {
        double[] v = read(node).sums().get(stage + "/" + event);
        return v == null ? 0 : (long) v[1];
    }

    static List<Integer> nodes(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(i);
        }
        return out;
    }
}
