package org.pulse.shell.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parameters that belong to the fencer, not to the fence agent: they are valid on every stonith
 * resource whatever the agent's meta-data lists (Pacemaker's fencer documents the same set, and
 * crmsh adds them to every stonith agent's parameters). A fence agent's meta-data also lists the
 * per-request parameters the fencer fills in itself ({@code action}, {@code port}, ...): an
 * operator who sets them gets a warning, because the value is ignored or overwritten.
 */
public final class FencerParameters {
    private FencerParameters() {
    }

    /** The fencer's actions whose agent action, timeout and retries can be set per device. */
    private static final List<String> ACTIONS = List.of("reboot", "off", "on", "list", "monitor", "status");

    /** Every fencer parameter, in the order {@code ra info} lists them. */
    public static final Set<String> NAMES;

    static {
        Set<String> names = new LinkedHashSet<>(List.of("priority", "pcmk_host_argument", "pcmk_host_map",
                "pcmk_host_list", "pcmk_host_check", "pcmk_delay_max", "pcmk_delay_base", "pcmk_action_limit"));
        for (String a : ACTIONS) {
            names.add("pcmk_" + a + "_action");
            names.add("pcmk_" + a + "_timeout");
            names.add("pcmk_" + a + "_retries");
        }
        NAMES = java.util.Collections.unmodifiableSet(names);
    }

    /** Accepted values of pcmk_host_check: a typo there silently changes which nodes a device fences. */
    static final List<String> HOST_CHECK = List.of("static-list", "dynamic-list", "status", "none");

    /**
     * Per-request parameters the fencer sets itself; a configured value never reaches the agent as
     * written. Values say what the operator should do instead.
     */
    public static final Map<String, String> SET_BY_FENCER;

    static {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("action", "the fencer passes the action of each request (stonith-action, or pcmk_reboot_action / "
                + "pcmk_off_action to map it); the configured value is ignored");
        String target = "the fencer sets it to the node being fenced on each request; to map node names to "
                + "ports use pcmk_host_map, to choose the parameter use pcmk_host_argument";
        m.put("port", target);
        m.put("plug", target);
        m.put("nodename", target);
        SET_BY_FENCER = java.util.Collections.unmodifiableMap(m);
    }

    public static boolean isFencerParameter(String name) {
        return NAMES.contains(name);
    }

    /**
     * What is wrong with a fencer parameter's value, or null. Durations are checked by the CIB's
     * validator on commit; here the values the validator cannot know.
     */
    public static String valueProblem(String name, String value) {
        if (value == null) {
            return null;
        }
        if (name.equals("pcmk_host_check") && !HOST_CHECK.contains(value)) {
            return "pcmk_host_check=" + value + " is not one of " + String.join(", ", HOST_CHECK);
        }
        if ((name.endsWith("_retries") || name.equals("pcmk_action_limit") || name.equals("priority"))
                && !value.matches("-?[0-9]+")) {
            return name + "=" + value + " is not a whole number";
        }
        return null;
    }

    /** One line for {@code ra info}: what the fencer does with the parameter. */
    public static String describe(String name) {
        return switch (name) {
            case "priority" -> "devices are tried from the highest priority to the lowest";
            case "pcmk_host_argument" -> "the agent parameter that receives the target (default port, or plug)";
            case "pcmk_host_map" -> "node names to agent ports, e.g. node1:1;node2:2,3";
            case "pcmk_host_list" -> "the nodes this device can fence";
            case "pcmk_host_check" -> "how to know which nodes it can fence: " + String.join(", ", HOST_CHECK);
            case "pcmk_delay_max" -> "a random delay up to this before fencing (split-brain tie-break)";
            case "pcmk_delay_base" -> "a fixed delay before fencing, or per node as node:delay;...";
            case "pcmk_action_limit" -> "actions this device may run at once (-1 no limit)";
            default -> {
                String[] parts = name.split("_");
                String act = parts.length > 1 ? parts[1] : name;
                if (name.endsWith("_action")) {
                    yield "the agent action to run for " + act;
                } else if (name.endsWith("_timeout")) {
                    yield "how long " + act + " may take";
                } else {
                    yield "how often to retry " + act + " within its timeout";
                }
            }
        };
    }

    /** Fencer parameters within two edits of {@code name}, for a did-you-mean on a pcmk_ typo. */
    public static List<String> names() {
        return new ArrayList<>(NAMES);
    }
}
