package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pulse.cib.Cib;
import org.pulse.cib.model.FencingLevel;

/**
 * The next step of fencing one target, as Pacemaker's fencer and controller take it together: the
 * levels of the fencing topology that match the target, in index order (every device of a level must
 * succeed, else the next level); without a matching level, each device able to fence the target in
 * turn (priority, then id). One pass over the levels is an attempt; after stonith-max-attempts failed
 * attempts the DC stops trying. Each device run goes to a member that may run the device (not the
 * target, not banned by a location constraint), preferring one that did not fail with it yet.
 *
 * <p>Pure: the CIB, the view, the target, the {@link Progress} so far and the devices' query answers
 * in; a {@link Decision} (the step, and the progress as it stands after skipping what cannot work) out.
 * The DC keeps the progress between steps and feeds results back through {@link #succeeded} and
 * {@link #failed}.
 */
final class FencePlanner {
    private FencePlanner() {
    }

    /** One level of an attempt: all of {@code devices} must succeed. {@code index} 0: no topology, one device. */
    record Level(int index, List<String> devices) {
        Level {
            devices = List.copyOf(devices);
        }
    }

    /**
     * Where fencing of one target stands: failed attempts so far, the level being tried in this
     * attempt, the devices of that level done, tries per device in this level, the device@executor
     * pairs that failed, and the last failure in words.
     */
    record Progress(int failedAttempts, int level, Set<String> levelDone, Map<String, Integer> tries,
            Set<String> failedRuns, String lastError) {
        Progress {
            levelDone = Set.copyOf(levelDone);
            tries = Map.copyOf(tries);
            failedRuns = Set.copyOf(failedRuns);
        }

        static Progress fresh() {
            return new Progress(0, 0, Set.of(), Map.of(), Set.of(), null);
        }

        Progress nextLevel(String why) {
            return new Progress(failedAttempts, level + 1, Set.of(), Map.of(), Set.of(), why);
        }

        Progress attemptFailed() {
            return new Progress(failedAttempts + 1, 0, Set.of(), Map.of(), Set.of(), lastError);
        }
    }

    /** Answers of list/status queries, by device (list) and by device and target (status). */
    record Answers(Map<String, FenceDevices.QueryAnswer> lists, Map<String, FenceDevices.QueryAnswer> statuses) {
        static Answers none() {
            return new Answers(Map.of(), Map.of());
        }

        FenceDevices.QueryAnswer status(String device, String target) {
            return statuses.get(statusKey(device, target));
        }

        static String statusKey(String device, String target) {
            return device + "\u0000" + target;
        }
    }

    sealed interface Step {
        /** Run {@code agentAction} (the device's name for {@code action}) of the device on {@code executor}. */
        record Run(String target, int level, FenceDevices.Device device, String executor, String action,
                String agentAction, Map<String, String> params, long timeoutMs) implements Step {
        }

        /** Ask the device, on {@code executor}, whether it can fence (list, or status of the target's port). */
        record Query(String target, FenceDevices.Device device, String executor, String agentAction,
                Map<String, String> params, long timeoutMs) implements Step {
        }

        /** Every device of {@code level} succeeded: the target is fenced. */
        record Fenced(String target, int level, List<String> devices) implements Step {
        }

        /** This attempt went through every level without success; the next starts after the retry delay. */
        record AttemptFailed(String target, String why) implements Step {
        }

        /**
         * The watchdog pseudo-device: the target resets itself through its watchdog; it counts as fenced at
         * {@code readyAt} (stonith-watchdog-timeout after it was lost). Ask again then.
         */
        record WatchdogWait(String target, int level, Instant readyAt) implements Step {
        }

        /** stonith-max-attempts reached: no more fencing of this target until an operator acts. */
        record GiveUp(String target, String why) implements Step {
        }
    }

    /**
     * A topology level passed over in this decision, and why (a device not configured, none may run it, its tries
     * used up...): for the fence history, so crm status says why level 2 ran, not only the DC's log.
     */
    record Skipped(int level, String device, String action, String why) {
    }

    record Decision(Step step, Progress progress, List<String> notes, List<Skipped> skipped) {
        Decision {
            notes = List.copyOf(notes);
            skipped = List.copyOf(skipped);
        }

        Decision(Step step, Progress progress, List<String> notes) {
            this(step, progress, notes, List.of());
        }
    }

    /** Fencing levels for a target: the matching topology levels by index, else each capable device alone. */
    static List<Level> levels(Cib cib, String target) {
        TreeMap<Integer, Level> byIndex = new TreeMap<>();
        Map<String, String> attrs = null;
        for (FencingLevel l : cib.model().fencingLevels()) {
            boolean matches;
            if (l.target() != null) {
                matches = l.target().equals(target);
            } else if (l.targetPattern() != null) {
                matches = patternMatches(l.targetPattern(), target);
            } else if (l.targetAttribute() != null) {
                if (attrs == null) {
                    attrs = nodeAttributes(cib, target);
                }
                matches = l.targetValue() != null && l.targetValue().equals(attrs.get(l.targetAttribute()));
            } else {
                matches = false;
            }
            if (matches && l.index() > 0 && !byIndex.containsKey(l.index()) && !l.devices().isEmpty()) {
                byIndex.put(l.index(), new Level(l.index(), l.devices()));
            }
        }
        if (!byIndex.isEmpty()) {
            return List.copyOf(byIndex.values());
        }
        List<Level> out = new ArrayList<>();
        for (FenceDevices.Device d : FenceDevices.all(cib)) {
            // A fence_watchdog resource is the watchdog pseudo-device, tried after every real one (next()).
            if (!WatchdogFencing.isWatchdogDevice(d)) {
                out.add(new Level(0, List.of(d.id())));
            }
        }
        return out;
    }

    /** Pacemaker matches target-pattern as an extended regular expression anywhere in the name. */
    private static boolean patternMatches(String pattern, String target) {
        try {
            return Pattern.compile(pattern).matcher(target).find();
        } catch (PatternSyntaxException e) {
            return false;
        }
    }

    /** A node's permanent attributes (nodes section), which target-attribute levels match. */
    static Map<String, String> nodeAttributes(Cib cib, String node) {
        for (org.pulse.cib.model.NodeConfig n : cib.model().nodes()) {
            if (node.equals(n.uname())) {
                return org.pulse.cib.model.NvSet.merge(n.attributes(),
                        org.pulse.cib.model.RuleContext.at(cib.model().executionDate()));
            }
        }
        return Map.of();
    }

    /**
     * Members that may run the device against the target, best first: never the target itself, never a
     * node the device is banned from; the DC first (no message needed), then in view order; those that
     * already failed with this device in this level last (another node may reach the switch).
     */
    static List<String> executors(Cib cib, View view, String self, FenceDevices.Device d, String target,
            Set<String> failedRuns) {
        List<String> fresh = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        LinkedHashSet<String> order = new LinkedHashSet<>();
        if (view.contains(self)) {
            order.add(self);
        }
        order.addAll(view.members());
        for (String n : order) {
            if (n.equals(target) || !FenceDevices.allowedOn(cib, d, n)) {
                continue;
            }
            (failedRuns.contains(d.id() + "@" + n) ? failed : fresh).add(n);
        }
        fresh.addAll(failed);
        return fresh;
    }

    static Decision next(Cib cib, View view, String self, String target, Progress progress, Answers answers,
            Instant now, long defaultTimeoutMs) {
        return next(cib, view, self, target, progress, answers, now, defaultTimeoutMs, WatchdogFencing.Wait.OFF);
    }

    /**
     * As above, with the watchdog pseudo-device: named {@value WatchdogFencing#DEVICE} in a topology level,
     * or, without a topology, tried after every real device, as Pacemaker's fencer falls back to it.
     */
    static Decision next(Cib cib, View view, String self, String target, Progress progress, Answers answers,
            Instant now, long defaultTimeoutMs, WatchdogFencing.Wait watchdog) {
        List<String> notes = new ArrayList<>();
        int max = FenceDevices.maxAttempts(cib);
        if (progress.failedAttempts() >= max) {
            return new Decision(new Step.GiveUp(target, "fencing " + target + " failed " + progress.failedAttempts()
                    + " times (stonith-max-attempts=" + max + ")" + (progress.lastError() == null ? ""
                    : "; last: " + progress.lastError())), progress, notes);
        }
        String action = FenceDevices.clusterAction(cib);
        List<Skipped> skipped = new ArrayList<>();
        List<Level> levels = new ArrayList<>(levels(cib, target));
        boolean topology = !levels.isEmpty() && levels.get(0).index() > 0;
        boolean watchdogCovers = WatchdogFencing.covers(cib, target);
        if (!topology && watchdog.on() && watchdogCovers && FenceDevices.byId(cib, WatchdogFencing.DEVICE)
                .filter(d -> !WatchdogFencing.isWatchdogDevice(d)).isEmpty()) {
            levels.add(new Level(0, List.of(WatchdogFencing.DEVICE)));
        } else if (!topology && watchdog.on() && !watchdogCovers) {
            notes.add(WatchdogFencing.notCovered(cib, target));
        }
        Progress p = progress;
        while (p.level() < levels.size()) {
            Level level = levels.get(p.level());
            String label = level.index() == 0 ? "" : "level " + level.index() + ": ";
            String why = null;
            String blocking = null;
            boolean allDone = true;
            for (String id : level.devices()) {
                blocking = id;
                if (p.levelDone().contains(id)) {
                    continue;
                }
                FenceDevices.Device d = FenceDevices.byId(cib, id).orElse(null);
                if ((d == null && id.equals(WatchdogFencing.DEVICE)) || (d != null && WatchdogFencing.isWatchdogDevice(d))) {
                    if (!watchdog.on()) {
                        allDone = false;
                        why = label + "the watchdog cannot fence " + target + ": watchdog fencing is off"
                                + " (stonith-watchdog-timeout is 0, fencing is disabled, or the setting is refused)";
                        break;
                    }
                    if (!watchdogCovers) {
                        allDone = false;
                        why = label + "the watchdog cannot fence " + target + ": " + WatchdogFencing.notCovered(cib, target);
                        break;
                    }
                    if (now.isBefore(watchdog.readyAt())) {
                        return new Decision(new Step.WatchdogWait(target, level.index(), watchdog.readyAt()), p, notes, skipped);
                    }
                    p = succeeded(p, id);
                    continue;
                }
                allDone = false;
                if (d == null) {
                    why = label + "fence device " + id + " is not configured (or is target-role=Stopped)";
                    break;
                }
                List<String> executors = executors(cib, view, self, d, target, p.failedRuns());
                if (executors.isEmpty()) {
                    why = label + "no member may run " + id + " against " + target + " (it is never run from the"
                            + " target, and location constraints ban it from the others)";
                    break;
                }
                FenceDevices.Capability cap = FenceDevices.capability(d, target, answers.lists().get(id),
                        answers.status(id, target), now);
                if (cap instanceof FenceDevices.Capability.No no) {
                    why = label + no.why();
                    break;
                }
                if (cap instanceof FenceDevices.Capability.Ask ask) {
                    Map<String, String> params = ask.agentAction().equals("list") ? FenceDevices.queryParams(d)
                            : FenceDevices.agentParams(d, target);
                    return new Decision(new Step.Query(target, d, executors.get(0), ask.agentAction(), params,
                            FenceDevices.timeoutMs(cib, d, ask.agentAction(), defaultTimeoutMs)), p, notes, skipped);
                }
                int tried = p.tries().getOrDefault(id, 0);
                int allowed = FenceDevices.tries(d, action);
                if (tried >= allowed) {
                    why = label + id + " failed " + tried + " time(s) (pcmk_" + action + "_retries=" + allowed + ")"
                            + (p.lastError() == null ? "" : ": " + p.lastError());
                    blocking = null; // its failures are in the history already
                    break;
                }
                return new Decision(new Step.Run(target, level.index(), d, executors.get(0), action,
                        FenceDevices.agentAction(d, action), FenceDevices.agentParams(d, target),
                        FenceDevices.timeoutMs(cib, d, action, defaultTimeoutMs)), p, notes, skipped);
            }
            if (allDone) {
                return new Decision(new Step.Fenced(target, level.index(), level.devices()), p, notes, skipped);
            }
            notes.add(why);
            if (level.index() > 0 && blocking != null) {
                // A topology level that never ran (without a topology each device is its own try, in the history)
                skipped.add(new Skipped(level.index(), blocking, action, why));
            }
            p = p.nextLevel(why);
        }
        String why = levels.isEmpty() ? "no fence device is configured" : p.lastError() == null
                ? "no device could fence " + target : p.lastError();
        Progress after = new Progress(p.failedAttempts(), p.level(), p.levelDone(), p.tries(), p.failedRuns(), why)
                .attemptFailed();
        String step = "attempt " + after.failedAttempts() + " of " + max + " to fence " + target + " failed: " + why;
        if (after.failedAttempts() >= max) {
            return new Decision(new Step.GiveUp(target, "fencing " + target + " failed " + after.failedAttempts()
                    + " times (stonith-max-attempts=" + max + "); last: " + why), after, notes, skipped);
        }
        return new Decision(new Step.AttemptFailed(target, step), after, notes, skipped);
    }

    /** The devices of the level the progress stands at, or null past the last level. */
    static List<String> levelDevices(Cib cib, String target, Progress p) {
        List<Level> levels = levels(cib, target);
        return p.level() < levels.size() ? levels.get(p.level()).devices() : null;
    }

    /** A device of the current level succeeded. */
    static Progress succeeded(Progress p, String device) {
        Set<String> done = new LinkedHashSet<>(p.levelDone());
        done.add(device);
        return new Progress(p.failedAttempts(), p.level(), done, p.tries(), p.failedRuns(), p.lastError());
    }

    /** A device run failed (or timed out, or its executor left): one try of the device used up. */
    static Progress failed(Progress p, String device, String executor, String why) {
        Map<String, Integer> tries = new HashMap<>(p.tries());
        tries.merge(device, 1, Integer::sum);
        Set<String> runs = new LinkedHashSet<>(p.failedRuns());
        runs.add(device + "@" + executor);
        return new Progress(p.failedAttempts(), p.level(), p.levelDone(), tries, runs, device + " on " + executor
                + ": " + why);
    }
}
