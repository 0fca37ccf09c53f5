package org.pulse.crmd.controller;

import java.util.Map;
import java.util.random.RandomGenerator;
import org.pulse.cib.model.Durations;

/**
 * How long a fencing action waits before its agent runs, from the device's Pacemaker parameters:
 * {@code pcmk_delay_base} (a fixed delay, or a per-target map "node1:5s;node2:0s") and
 * {@code pcmk_delay_max} (the delay is then random between the base and this maximum). Only off and
 * reboot wait, as in Pacemaker's fencer.
 *
 * <p>Why: in a two-node split both halves are quorate and each fences the other at the same moment;
 * with a delay for fencing node1, node1 shoots first and survives, so exactly one side wins.
 * Pure: the random source is the caller's (the controller's, seeded), so a test can replay it.
 */
final class FenceDelay {
    private FenceDelay() {
    }

    /** The delay and how it was reached (for the log line), or a problem with the parameters. */
    record Delay(long delayMs, String explanation) {
    }

    static Delay of(Map<String, String> deviceParams, String action, String target, RandomGenerator random) {
        if (!action.equals("off") && !action.equals("reboot")) {
            return new Delay(0, "no delay for " + action);
        }
        String baseText = deviceParams.get("pcmk_delay_base");
        String maxText = deviceParams.get("pcmk_delay_max");
        StringBuilder why = new StringBuilder();
        long baseMs = baseMs(baseText, target, why);
        long maxMs = durationMs("pcmk_delay_max", maxText, why);
        if (maxMs == 0) {
            maxMs = baseMs;
        }
        if (maxMs < baseMs) {
            why.append("pcmk_delay_base (").append(baseMs).append(" ms) is larger than pcmk_delay_max (")
                    .append(maxMs).append(" ms): limited to the maximum; ");
            baseMs = maxMs;
        }
        long delayMs = baseMs;
        if (maxMs > baseMs) {
            // Inclusive, as Pacemaker's: base <= delay <= max.
            delayMs += random.nextLong(maxMs - baseMs + 1);
        }
        why.append("pcmk_delay_base=").append(baseText == null ? "unset" : baseText).append(" -> ").append(baseMs)
                .append(" ms for ").append(target).append(", pcmk_delay_max=").append(maxText == null ? "unset" : maxText);
        return new Delay(delayMs, why.toString());
    }

    /** A single duration for every target, or a "node:duration" map separated by ';', space or tab (absent target: 0). */
    private static long baseMs(String text, String target, StringBuilder why) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        if (!text.contains(":")) {
            return durationMs("pcmk_delay_base", text, why);
        }
        for (String mapping : text.strip().split("[;\\s]+")) {
            if (mapping.isEmpty()) {
                continue;
            }
            int colon = mapping.indexOf(':');
            if (colon <= 0 || colon == mapping.length() - 1) {
                why.append("pcmk_delay_base: ignored the malformed entry '").append(mapping)
                        .append("' (write node:duration, e.g. node1:5s); ");
                continue;
            }
            if (mapping.substring(0, colon).equals(target)) {
                return durationMs("pcmk_delay_base", mapping.substring(colon + 1), why);
            }
        }
        return 0;
    }

    private static long durationMs(String name, String text, StringBuilder why) {
        if (text == null || text.isBlank()) {
            return 0;
        }
        long ms = Durations.parseMs(text, -1);
        if (ms < 0) {
            why.append(name).append(": '").append(text).append("' is not a duration (e.g. 5s, 500ms): no delay; ");
            return 0;
        }
        return ms;
    }
}
