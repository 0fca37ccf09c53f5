package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.pulse.cib.Cib;
import org.pulse.cib.model.Durations;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.Scores;

/**
 * Which fence device may fence which node, and how its agent is called, as Pacemaker's fencer
 * reads a device's {@code pcmk_*} parameters. Pure functions of the CIB and of what the devices
 * answered to {@code list}/{@code status} queries (the caller runs those and passes the answers in).
 *
 * <p>Why the queries are data here and not run from inside: a decision that needed an agent's
 * output would have to block or call out; instead {@link #capability} says "ask the device" and the
 * DC runs that query as one more action of its fencing transition, so every decision stays
 * replayable from its inputs.
 */
final class FenceDevices {
    private FenceDevices() {
    }

    /** How a device decides whether it can fence a node ({@code pcmk_host_check}). */
    enum HostCheck {
        STATIC_LIST, DYNAMIC_LIST, STATUS, NONE;

        String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * A stonith primitive with its fencer settings read. {@code hostMap}: node name to the port the
     * agent is given; {@code hostArgument}: the agent parameter that carries the port, or null for
     * none; {@code priority}: higher is tried first.
     */
    record Device(Primitive primitive, HostCheck check, List<String> hostList, Map<String, String> hostMap,
            String hostArgument, int priority) {
        Device {
            hostList = List.copyOf(hostList);
            hostMap = Map.copyOf(hostMap);
        }

        String id() {
            return primitive.id();
        }

        Map<String, String> params() {
            return primitive.params();
        }
    }

    /** What a device answered to {@code list} (the names or ports it printed) or to {@code status PORT}. */
    record QueryAnswer(boolean ok, List<String> names, Instant at) {
        QueryAnswer {
            names = List.copyOf(names);
        }
    }

    /** Whether a device can fence a target: yes, no (with the reason), or run {@code agentAction} first. */
    sealed interface Capability {
        record Yes(String why) implements Capability {
        }

        record No(String why) implements Capability {
        }

        record Ask(String agentAction) implements Capability {
        }
    }

    /** Pacemaker's fencer keeps a device's dynamic list this long before it asks again. */
    static final long QUERY_VALID_MS = 60_000;

    /** The usable fence devices (not target-role=Stopped), highest priority first, then by id. */
    static List<Device> all(Cib cib) {
        List<Device> out = new ArrayList<>();
        for (Primitive p : Cibs.fenceDevices(cib)) {
            out.add(of(p));
        }
        out.sort(Comparator.comparingInt(Device::priority).reversed().thenComparing(Device::id));
        return out;
    }

    static Optional<Device> byId(Cib cib, String id) {
        return all(cib).stream().filter(d -> d.id().equals(id)).findFirst();
    }

    static Device of(Primitive p) {
        Map<String, String> params = p.params();
        List<String> hostList = parseHostList(params.get("pcmk_host_list"));
        Map<String, String> hostMap = parseHostMap(params.get("pcmk_host_map"));
        HostCheck check = parseCheck(params.get("pcmk_host_check"), !hostList.isEmpty() || !hostMap.isEmpty());
        String arg = params.getOrDefault("pcmk_host_argument", "port").strip();
        int priority = parseInt(p.meta().getOrDefault("priority", params.getOrDefault("priority", "0")));
        return new Device(p, check, hostList, hostMap, arg.isEmpty() || arg.equalsIgnoreCase("none") ? null : arg,
                priority);
    }

    /**
     * Pacemaker's default when pcmk_host_check is unset: static-list when a host list or map is given,
     * else dynamic-list (an agent without a {@code list} action answers the query with an error, and
     * the device then falls back to asking {@code status} for the one target, see {@link #capability}).
     * An unknown value is taken as that default too.
     */
    static HostCheck parseCheck(String text, boolean hasList) {
        if (text != null) {
            switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "static-list":
                    return HostCheck.STATIC_LIST;
                case "dynamic-list":
                    return HostCheck.DYNAMIC_LIST;
                case "status":
                    return HostCheck.STATUS;
                case "none":
                    return HostCheck.NONE;
                default:
                    break;
            }
        }
        return hasList ? HostCheck.STATIC_LIST : HostCheck.DYNAMIC_LIST;
    }

    /** Names separated by spaces, commas or semicolons (Pacemaker accepts each). */
    static List<String> parseHostList(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) {
            return out;
        }
        for (String n : text.strip().split("[\\s,;]+")) {
            if (!n.isEmpty() && !out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * {@code node1:port1;node2:port2}: entries separated by ';' or white space, name and port by ':'
     * or '='. A comma separates entries when what follows it is itself "name:port" ({@code n1:1,n2:2});
     * otherwise it belongs to the port ({@code node2:2,3} gives node2 the ports "2,3", as Pacemaker's
     * documented example). An entry without a separator maps the name to itself.
     */
    static Map<String, String> parseHostMap(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        if (text == null) {
            return out;
        }
        for (String chunk : text.strip().split("[;\\s]+")) {
            if (chunk.isEmpty()) {
                continue;
            }
            List<String> entries = new ArrayList<>();
            for (String piece : chunk.split(",")) {
                if (piece.isEmpty()) {
                    continue;
                }
                if (entries.isEmpty() || piece.contains(":") || piece.contains("=")) {
                    entries.add(piece);
                } else {
                    entries.set(entries.size() - 1, entries.get(entries.size() - 1) + "," + piece);
                }
            }
            for (String e : entries) {
                int sep = firstSeparator(e);
                if (sep < 0) {
                    out.putIfAbsent(e, e);
                } else if (sep > 0) {
                    String port = e.substring(sep + 1);
                    out.putIfAbsent(e.substring(0, sep), port.isEmpty() ? e.substring(0, sep) : port);
                }
            }
        }
        return out;
    }

    private static int firstSeparator(String e) {
        int colon = e.indexOf(':');
        int eq = e.indexOf('=');
        if (colon < 0) {
            return eq;
        }
        return eq < 0 ? colon : Math.min(colon, eq);
    }

    /** The port the agent is given for a target: its host map entry, else the node name itself. */
    static String port(Device d, String target) {
        return d.hostMap().getOrDefault(target, target);
    }

    /**
     * Whether {@code d} can fence {@code target}. {@code list} is the device's answer to {@code list},
     * {@code status} its answer to {@code status} for this target (either null when not asked yet or
     * older than {@link #QUERY_VALID_MS}).
     */
    static Capability capability(Device d, String target, QueryAnswer list, QueryAnswer status, Instant now) {
        list = fresh(list, now);
        status = fresh(status, now);
        switch (d.check()) {
            case NONE:
                return new Capability.Yes("pcmk_host_check=none: " + d.id() + " fences any node");
            case STATIC_LIST:
                if (d.hostList().contains(target) || d.hostMap().containsKey(target)) {
                    return new Capability.Yes(target + " is in the host list/map of " + d.id());
                }
                return new Capability.No(d.id() + " does not list " + target + " (pcmk_host_list="
                        + String.join(",", d.hostList()) + (d.hostMap().isEmpty() ? "" : ", pcmk_host_map="
                        + d.params().get("pcmk_host_map")) + ")");
            case DYNAMIC_LIST:
                if (list == null) {
                    return new Capability.Ask("list");
                }
                if (list.ok()) {
                    String port = port(d, target);
                    if (list.names().contains(target) || list.names().contains(port)) {
                        return new Capability.Yes(d.id() + "'s list names " + target);
                    }
                    return new Capability.No(d.id() + "'s list (" + String.join(",", list.names())
                            + ") does not name " + target);
                }
                // The agent has no working list action: Pacemaker's fencer then asks status.
                return statusCapability(d, target, status);
            case STATUS:
            default:
                return statusCapability(d, target, status);
        }
    }

    private static Capability statusCapability(Device d, String target, QueryAnswer status) {
        if (status == null) {
            return new Capability.Ask("status");
        }
        return status.ok() ? new Capability.Yes(d.id() + " knows " + target + " (status answered)")
                : new Capability.No(d.id() + " does not know " + target + " (status failed)");
    }

    private static QueryAnswer fresh(QueryAnswer a, Instant now) {
        return a == null || a.at().plusMillis(QUERY_VALID_MS).isBefore(now) ? null : a;
    }

    /**
     * Names in a {@code list} action's output: one per line, "name" or "port,alias" (fence-agents print
     * "port,alias"); both count. Blank lines and surrounding spaces are ignored.
     */
    static List<String> parseListOutput(String output) {
        List<String> out = new ArrayList<>();
        for (String line : output.split("\\R")) {
            for (String n : line.strip().split("[,\\s]+")) {
                if (!n.isEmpty() && !out.contains(n)) {
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** What the agent is asked to do for a fencing action ("off"/"reboot"): pcmk_off_action and the like. */
    static String agentAction(Device d, String action) {
        String mapped = d.params().get("pcmk_" + action + "_action");
        return mapped == null || mapped.isBlank() ? action : mapped.strip();
    }

    /**
     * The agent's parameters for an action against a target, as fence-agents read them on stdin:
     * the device's own parameters (the LRM drops pcmk_* when it writes stdin), {@code nodename} (as
     * Pacemaker's fencer adds), and the port under the pcmk_host_argument name (none: no port).
     */
    static Map<String, String> agentParams(Device d, String target) {
        Map<String, String> out = new LinkedHashMap<>(d.params());
        out.put("nodename", target);
        if (d.hostArgument() != null) {
            out.put(d.hostArgument(), port(d, target));
        }
        return out;
    }

    /** The device's parameters for a {@code list} query (no target). */
    static Map<String, String> queryParams(Device d) {
        return new LinkedHashMap<>(d.params());
    }

    /**
     * Timeout of one run of {@code action} with the device: pcmk_ACTION_timeout, else the cluster's
     * stonith-timeout (fencing-timeout), else the device's op timeout, else 60 s (Pacemaker's default).
     */
    static long timeoutMs(Cib cib, Device d, String action, long defaultTimeoutMs) {
        long fallback = Durations.parseMs(Cibs.property(cib, "stonith-timeout", null),
                Cibs.opTimeoutMs(cib, d.id(), "stonith", 0, Math.max(defaultTimeoutMs, 60_000)));
        return Math.max(1, Durations.parseMs(d.params().get("pcmk_" + action + "_timeout"), fallback));
    }

    /** How many times an action is tried with the device within one attempt (pcmk_ACTION_retries, default 2). */
    static int tries(Device d, String action) {
        String text = d.params().get("pcmk_" + action + "_retries");
        int n = text == null ? 2 : parseInt(text);
        return Math.max(1, Math.min(n, 10));
    }

    /** stonith-action (fencing-action): reboot (default) or off; poweroff means off. */
    static String clusterAction(Cib cib) {
        String v = Cibs.property(cib, "stonith-action", "reboot").strip().toLowerCase(Locale.ROOT);
        return v.equals("off") || v.equals("poweroff") ? "off" : "reboot";
    }

    /** stonith-max-attempts (fencing-max-attempts): failed attempts per target before the DC stops trying (default 10). */
    static int maxAttempts(Cib cib) {
        int n = parseInt(Cibs.property(cib, "stonith-max-attempts", "10"));
        return n <= 0 ? 10 : n;
    }

    /**
     * Whether {@code node} may run the device, as the scheduler would place it: not banned there by a
     * location constraint (score -INFINITY, also via a rule-less rsc_location with node=), and with
     * symmetric-cluster=false only where a constraint allows it.
     */
    static boolean allowedOn(Cib cib, Device d, String node) {
        Integer score = null;
        for (LocationConstraint loc : cib.model().constraints().locations()) {
            if (d.id().equals(loc.rsc()) && node.equals(loc.node())) {
                // Pacemaker's score arithmetic, as the policy engine adds them (cib.model's Scores)
                int s = Scores.parse(loc.score(), 0);
                score = score == null ? s : Scores.add(score, s);
            }
        }
        if (score != null && score <= -Scores.INFINITY) {
            return false;
        }
        boolean symmetric = Cibs.isTrue(Cibs.property(cib, "symmetric-cluster", "true"));
        return symmetric || (score != null && score >= 0);
    }

    private static int parseInt(String text) {
        try {
            return Integer.parseInt(text.strip());
        } catch (NumberFormatException | NullPointerException e) {
            return 0;
        }
    }
}
