package org.pulse.crmd.controller;

import java.time.Instant;
import org.pulse.cib.Cib;
import org.pulse.cib.model.Durations;

/**
 * Watchdog self-fencing ("diskless SBD"), as Pacemaker's fencer offers it through its watchdog
 * pseudo-device: a lost node whose watchdog is fed only while it is quorate and responsive resets
 * itself, so once {@code stonith-watchdog-timeout} ({@code fencing-watchdog-timeout}) has passed since
 * it was lost the quorate side may count it fenced without any fence device.
 *
 * <p>Pacemaker's timing rules, checked here (each node against its own watchdog, as Pacemaker checks
 * on every node): 0 (the default) turns it off; a positive value must be greater than the node's
 * watchdog timeout (a lost node is reset only that long after its last feed, so a shorter wait would
 * recover its resources while it may still run them); a negative value means twice the watchdog
 * timeout; a value that is not a duration counts as negative (auto), as Pacemaker reads it; and a
 * nonzero value needs a watchdog on the node. Pure functions of the CIB and the node's watchdog
 * timeout.
 */
final class WatchdogFencing {
    private WatchdogFencing() {
    }

    /** The pseudo-device's id: in fencing-topology levels, and in the fence history. */
    static final String DEVICE = "watchdog";

    /** The property as written, or null when unset. */
    static String configured(Cib cib) {
        return Cibs.property(cib, "stonith-watchdog-timeout", null);
    }

    /** The value in ms as written: 0 unset, negative for auto, -1 for text that is not a duration. */
    static long rawMs(Cib cib) {
        String v = configured(cib);
        if (v == null || v.isBlank()) {
            return 0;
        }
        return Durations.parseMs(v, -1);
    }

    /**
     * What is wrong with the setting for a node whose watchdog times out after {@code watchdogTimeoutMs}
     * (0: the node has no watchdog), naming the rule; null when it is fine (or off).
     */
    static String problem(Cib cib, String node, long watchdogTimeoutMs) {
        long raw = rawMs(cib);
        if (raw == 0) {
            return null;
        }
        String name = "stonith-watchdog-timeout (fencing-watchdog-timeout)=" + configured(cib);
        if (watchdogTimeoutMs <= 0) {
            return name + " needs a watchdog on every node, and " + node + " has none: set watchdog = /dev/watchdog"
                    + " (and watchdog_timeout_ms) in its node config, or set the property to 0";
        }
        if (raw > 0 && raw <= watchdogTimeoutMs) {
            return name + " must be greater than the watchdog timeout of " + node + " (" + watchdogTimeoutMs
                    + " ms): a lost node resets itself only that long after its last feed, so recovering its"
                    + " resources sooner could run them twice; use more than " + watchdogTimeoutMs + " ms, or a"
                    + " negative value for twice the watchdog timeout";
        }
        return null;
    }

    /**
     * How long after a node was lost it counts as self-fenced, as this node (the DC) reads the setting:
     * 0 when watchdog fencing is off, fencing is disabled, or the setting breaks a rule here.
     */
    static long timeoutMs(Cib cib, String self, long watchdogTimeoutMs) {
        if (!Cibs.stonithEnabled(cib) || problem(cib, self, watchdogTimeoutMs) != null) {
            return 0;
        }
        long raw = rawMs(cib);
        return raw < 0 ? 2 * watchdogTimeoutMs : raw;
    }

    /**
     * The watchdog pseudo-device for one target: {@code timeoutMs} (0: off) and {@code since}, when the
     * target was lost (or, for a member, asked to fence itself), from which the wait counts.
     */
    record Wait(long timeoutMs, Instant since) {
        static final Wait OFF = new Wait(0, Instant.EPOCH);

        boolean on() {
            return timeoutMs > 0;
        }

        Instant readyAt() {
            return since.plusMillis(timeoutMs);
        }
    }

    /**
     * Pacemaker's {@code stonith:fence_watchdog} resource: not an agent the fencer runs but a statement
     * of which nodes use watchdog fencing ({@code pcmk_host_list}); the fencer treats it as this
     * pseudo-device. Without one, every node does (as Pacemaker's implicit watchdog device).
     */
    static boolean isWatchdogDevice(FenceDevices.Device d) {
        return isWatchdogResource(d.primitive());
    }

    static boolean isWatchdogResource(Primitive p) {
        return "fence_watchdog".equals(p.agent().type());
    }

    /** Whether the watchdog may fence {@code target}: no fence_watchdog device lists nodes, or one lists it. */
    static boolean covers(Cib cib, String target) {
        java.util.List<FenceDevices.Device> devices = FenceDevices.all(cib).stream()
                .filter(WatchdogFencing::isWatchdogDevice).toList();
        return devices.isEmpty() || devices.stream().anyMatch(d -> d.hostList().isEmpty() || d.hostList().contains(target));
    }

    /** Why the watchdog may not fence {@code target}, for the fencer's notes and the log. */
    static String notCovered(Cib cib, String target) {
        StringBuilder lists = new StringBuilder();
        for (FenceDevices.Device d : FenceDevices.all(cib)) {
            if (isWatchdogDevice(d)) {
                lists.append(lists.length() == 0 ? "" : ", ").append(d.id()).append(" (pcmk_host_list=")
                        .append(String.join(",", d.hostList())).append(')');
            }
        }
        return target + " does not use watchdog fencing: it is not in the host list of the fence_watchdog device "
                + lists + "; add it there if its watchdog is fed by crmd, or fence it with another device";
    }
}
