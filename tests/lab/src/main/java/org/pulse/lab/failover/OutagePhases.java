package org.pulse.lab.failover;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the time of one outage goes, read from the nodes' crmd logs: every phase as milliseconds after the
 * cut (link down + SIGKILL of the victim), so bench/failover can say which part of a failover to work on.
 * Pure over the log lines; the times in the logs are the nodes' wall clock to the millisecond (the nodes share
 * this machine's clock), the cut and the client's first answer are given in epoch ms.
 *
 * <p>The phases, in the order an outage passes them (-1: not seen in the logs):
 * <ol>
 * <li>suspect: a survivor's failure detector first suspects the victim (a suspicion held back counts);</li>
 * <li>view: the first survivor installs a view without it;</li>
 * <li>join: the DC has completed that view's join;</li>
 * <li>fencePlan: the DC planned the transition that fences it;</li>
 * <li>fenceBegan / fenceEnded: the fence agent processes (a device query such as list, then off or reboot) ran,
 *     as the executing node's LRM timed them (began = its log line minus the time it reports);</li>
 * <li>fenced: the DC recorded the victim fenced (recovery may start);</li>
 * <li>recoveryPlan: the DC planned the transition that starts what the victim ran;</li>
 * <li>starts: each start's agent process, began and ended, on the survivors;</li>
 * <li>served: the client's first answer after the cut.</li>
 * </ol>
 */
public final class OutagePhases {
    /** One start's agent process, in ms after the cut. */
    public record Start(String resource, String node, long beganMs, long endedMs) {
    }

    /** One outage's phases, in ms after the cut (-1: not seen). */
    public record Phases(long suspectMs, long viewMs, long joinMs, long fencePlanMs, long fenceBeganMs, long fenceEndedMs,
            long fencedMs, long recoveryPlanMs, List<Start> starts, long servedMs) {
        /** When the first start began, or -1. */
        public long startsBeganMs() {
            return starts.isEmpty() ? -1 : starts.get(0).beganMs();
        }

        /** When the last start ended, or -1. */
        public long startsEndedMs() {
            return starts.stream().mapToLong(Start::endedMs).max().orElse(-1);
        }

        /**
         * The outage cut into consecutive parts: detection (cut to view), the DC's work until the fence agent
         * runs (view to fence began), the fence (to the DC's record of it), the way to the first start (fenced
         * to the start process), the starts (first began to last ended), the client's way back (last start
         * ended to served: negative when the client got through before the agent exited). -1 where an end is
         * missing.
         */
        public long[] parts() {
            return new long[] {viewMs, diff(viewMs, fenceBeganMs), diff(fenceBeganMs, fencedMs), diff(fencedMs,
                    startsBeganMs()), diff(startsBeganMs(), startsEndedMs()), startsEndedMs() < 0 || servedMs < 0 ? -1
                            : servedMs - startsEndedMs()};
        }

        private static long diff(long from, long to) {
            return from < 0 || to < 0 ? -1 : to - from;
        }
    }

    /** The names of {@link Phases#parts()}, as the bench prints them (key=value: phase_NAME_ms). */
    public static final List<String> PARTS = List.of("detect", "dc", "fence", "to_start", "starts", "to_client");

    private static final Pattern LINE = Pattern.compile("^(\\d{2}:\\d{2}:\\d{2}\\.\\d{3}) \\[\\w+\\] \\S+ - (.*)$");
    /** An LRM's report of an agent process: "NODE: RSC_ACTION_INTERVAL call N: rc R (...) done in X ms". */
    private static final Pattern LRM_DONE = Pattern.compile(
            "^(\\S+): (\\S+)_([a-z_]+?)_(\\d+) call \\d+: rc (\\d+) \\([^)]*\\) done in (\\d+) ms");
    private static final Pattern FENCE_ACTIONS = Pattern.compile("off|reboot|list|status");

    private OutagePhases() {
    }

    /** A log line, its time in ms after the cut. */
    private record Event(long atMs, String node, String text) {
    }

    /**
     * Reads one outage from {@code logs} (node name to its log lines, the victim's included or not): the events
     * in [cut, endEpochMs) concerning {@code victim}. {@code zone}: the zone the nodes log their times in.
     */
    public static Phases read(Map<String, List<String>> logs, String victim, long cutEpochMs, long endEpochMs,
            long servedEpochMs, ZoneId zone) {
        List<Event> events = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : logs.entrySet()) {
            if (e.getKey().equals(victim)) {
                continue; // what the victim logged after the cut is cut off from the cluster
            }
            for (String l : e.getValue()) {
                Matcher m = LINE.matcher(l);
                if (!m.matches()) {
                    continue;
                }
                long at;
                try {
                    at = epochMs(m.group(1), cutEpochMs, zone);
                } catch (DateTimeParseException ex) {
                    continue;
                }
                if (at >= cutEpochMs && at < endEpochMs) {
                    events.add(new Event(at - cutEpochMs, e.getKey(), m.group(2)));
                }
            }
        }
        events.sort(Comparator.comparingLong(Event::atMs));
        String v = Pattern.quote(victim);
        Pattern suspicion = Pattern.compile("suspicion of " + v + "\\b|suspecting " + v + "\\b|suspected: \\[[^]]*\\b" + v
                + "\\b");
        Pattern viewWithout = Pattern.compile("^view \\S+: members \\[.*\\bleft \\[[^]]*\\b" + v + "\\b");
        Pattern fencePlan = Pattern.compile("^transition \\d+ \\([\\w-]+\\): \\[.*\\bfence " + v + "\\b");
        Pattern fencedLine = Pattern.compile("^fenced " + v + " with ");

        long suspect = at(firstEvent(events, null, suspicion, 0));
        long view = at(firstEvent(events, null, viewWithout, 0));
        Event fenced = firstEvent(events, null, fencedLine, 0);
        // The DC is whoever recorded the fence (the victim may have been the DC before).
        String dc = fenced != null ? fenced.node() : null;
        Event planned = firstEvent(events, dc, fencePlan, 0);
        if (dc == null && planned != null) {
            dc = planned.node();
        }
        long join = dc == null || view < 0 ? -1 : at(firstEvent(events, dc, JOIN_DONE, view));
        long fencedMs = at(fenced);
        long planMs = at(planned);
        long fenceBegan = -1;
        long fenceEnded = -1;
        List<Start> starts = new ArrayList<>();
        for (Event e : events) {
            Matcher m = LRM_DONE.matcher(e.text());
            if (!m.find()) {
                continue;
            }
            long ended = e.atMs();
            long began = ended - Long.parseLong(m.group(6));
            String action = m.group(3);
            if (FENCE_ACTIONS.matcher(action).matches() && planMs >= 0 && began >= planMs - 1
                    && (fencedMs < 0 || ended <= fencedMs)) {
                fenceBegan = fenceBegan < 0 ? began : Math.min(fenceBegan, began);
                if (!action.equals("list") && !action.equals("status")) {
                    fenceEnded = Math.max(fenceEnded, ended);
                }
            } else if (action.equals("start") && m.group(4).equals("0") && (fencedMs < 0 || began >= fencedMs - 1)) {
                starts.add(new Start(m.group(2), m.group(1), began, ended));
            }
        }
        starts.sort(Comparator.comparingLong(Start::beganMs));
        long recovery = fenced == null ? -1 : at(firstEvent(events, dc, RECOVERY_PLAN, fencedMs));
        return new Phases(suspect, view, join, planMs, fenceBegan, fenceEnded, fencedMs, recovery, List.copyOf(starts),
                servedEpochMs < 0 ? -1 : servedEpochMs - cutEpochMs);
    }

    private static final Pattern JOIN_DONE = Pattern.compile("^join of view \\S+ complete");
    private static final Pattern RECOVERY_PLAN = Pattern.compile("^transition \\d+ \\([\\w-]+\\): \\[.*_start_0 ");

    /** A log line's HH:mm:ss.SSS as epoch ms: on the cut's day in {@code zone}, or the next one just after midnight. */
    static long epochMs(String time, long cutEpochMs, ZoneId zone) {
        LocalTime t = LocalTime.parse(time);
        LocalDate day = java.time.Instant.ofEpochMilli(cutEpochMs).atZone(zone).toLocalDate();
        long at = t.atDate(day).atZone(zone).toInstant().toEpochMilli();
        if (cutEpochMs - at > 12 * 3_600_000L) {
            at = t.atDate(day.plusDays(1)).atZone(zone).toInstant().toEpochMilli();
        }
        return at;
    }

    private static long at(Event e) {
        return e == null ? -1 : e.atMs();
    }

    /** The first event (of {@code node}, or any) at or after {@code fromMs} whose text matches. */
    private static Event firstEvent(List<Event> events, String node, Pattern p, long fromMs) {
        for (Event e : events) {
            if ((node == null || e.node().equals(node)) && e.atMs() >= fromMs && p.matcher(e.text()).find()) {
                return e;
            }
        }
        return null;
    }

    /** Median of the values that were seen (>= 0 for times; any value for parts that can be negative), or -1. */
    static long median(List<Long> values) {
        List<Long> v = new ArrayList<>(values);
        if (v.isEmpty()) {
            return -1;
        }
        v.sort(null);
        return v.get(v.size() / 2);
    }

    /** The table of {@code trials} (one row per outage, then the medians), ms after the cut, as bench/failover prints it. */
    public static List<String> table(String label, List<Phases> trials) {
        List<String> out = new ArrayList<>();
        out.add(label + ": where the outage went (ms after the cut; -1: not in the logs; start NODE:RSC began-ended)");
        out.add(String.format(Locale.ROOT, "%5s %7s %5s %5s %6s %6s %6s %6s %6s %6s  %s", "trial", "suspect", "view", "join",
                "fplan", "fbegan", "fended", "fenced", "rplan", "served", "starts"));
        for (int t = 0; t < trials.size(); t++) {
            Phases p = trials.get(t);
            StringBuilder starts = new StringBuilder();
            for (Start s : p.starts()) {
                starts.append(starts.length() == 0 ? "" : ", ").append(s.node()).append(':').append(s.resource()).append(' ')
                        .append(s.beganMs()).append('-').append(s.endedMs());
            }
            out.add(String.format(Locale.ROOT, "%5d %7d %5d %5d %6d %6d %6d %6d %6d %6d  %s", t + 1, p.suspectMs(), p.viewMs(),
                    p.joinMs(), p.fencePlanMs(), p.fenceBeganMs(), p.fenceEndedMs(), p.fencedMs(), p.recoveryPlanMs(),
                    p.servedMs(), starts));
        }
        out.add(String.format(Locale.ROOT, "%5s %7d %5d %5d %6d %6d %6d %6d %6d %6d  first start began %d, last ended %d",
                "med", med(trials, Phases::suspectMs), med(trials, Phases::viewMs), med(trials, Phases::joinMs),
                med(trials, Phases::fencePlanMs), med(trials, Phases::fenceBeganMs), med(trials, Phases::fenceEndedMs),
                med(trials, Phases::fencedMs), med(trials, Phases::recoveryPlanMs), med(trials, Phases::servedMs),
                med(trials, Phases::startsBeganMs), med(trials, Phases::startsEndedMs)));
        long[] parts = medianParts(trials);
        StringBuilder b = new StringBuilder("  median parts (ms):");
        for (int i = 0; i < PARTS.size(); i++) {
            b.append(' ').append(PARTS.get(i)).append('=').append(parts[i]);
        }
        out.add(b.append(" (detect: cut to view; dc: view to the fence agent's start; fence: to the DC's record;"
                + " to_start: to the first start's process; starts: first began to last ended; to_client: last start"
                + " ended to the client's answer)").toString());
        return out;
    }

    /** The median of each of {@link Phases#parts()} over the trials where it was seen. */
    public static long[] medianParts(List<Phases> trials) {
        long[] out = new long[PARTS.size()];
        for (int i = 0; i < out.length; i++) {
            List<Long> v = new ArrayList<>();
            for (Phases p : trials) {
                long[] parts = p.parts();
                // to_client may be negative (served before the agent exited); the others are -1 only when missing.
                boolean seen = i == out.length - 1 ? p.startsEndedMs() >= 0 && p.servedMs() >= 0 : parts[i] >= 0;
                if (seen) {
                    v.add(parts[i]);
                }
            }
            out[i] = median(v);
        }
        return out;
    }

    /** " PREFIXphase_NAME_ms=V" for each part: the fields bench/failover adds to its summary line. */
    public static String summaryFields(String prefix, List<Phases> trials) {
        long[] parts = medianParts(trials);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < PARTS.size(); i++) {
            b.append(' ').append(prefix).append("phase_").append(PARTS.get(i)).append("_ms=").append(parts[i]);
        }
        return b.toString();
    }

    private static long med(List<Phases> trials, java.util.function.ToLongFunction<Phases> f) {
        List<Long> v = new ArrayList<>();
        for (Phases p : trials) {
            long x = f.applyAsLong(p);
            if (x >= 0) {
                v.add(x);
            }
        }
        return median(v);
    }
}
