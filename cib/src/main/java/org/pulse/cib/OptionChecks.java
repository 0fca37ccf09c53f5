package org.pulse.cib;

import java.util.Map;
import java.util.Set;
import org.pulse.cib.xml.XmlElement;

/**
 * Options: the values Pulse reads from cluster properties and from meta attributes (of resources,
 * operations, rsc_defaults, op_defaults), by the option's name: durations, scores, booleans, roles
 * and the options with a fixed set of values.
 */
final class OptionChecks {
    /** Option names (nvpair name) whose values are durations, wherever they appear. */
    private static final Set<String> DURATION_OPTIONS = Set.of(
            "timeout", "interval", "start-delay", "failure-timeout", "cluster-recheck-interval", "dc-deadtime",
            "election-timeout", "shutdown-escalation", "stonith-timeout", "fencing-timeout", "cluster-delay",
            "join-integration-timeout", "join-finalization-timeout", "crmd-integration-timeout",
            "crmd-finalization-timeout", "transition-delay", "priority-fencing-delay", "node-pending-timeout",
            "record-pending-timeout", "pcmk_monitor_timeout", "pcmk_reboot_timeout", "pcmk_off_timeout",
            "pcmk_on_timeout", "pcmk_status_timeout", "pcmk_list_timeout", "pcmk_delay_max", "pcmk_delay_base");
    /** Option names whose values are scores. */
    private static final Set<String> SCORE_OPTIONS = Set.of(
            "resource-stickiness", "migration-threshold", "node-health-green", "node-health-yellow",
            "node-health-red");

    /**
     * Option names whose values are booleans. Pacemaker reads anything else as the option's
     * default and crm_verify calls the configuration invalid: stonith-enabled=maybe silently
     * keeps fencing on.
     */
    private static final Set<String> BOOLEAN_OPTIONS = Set.of(
            "stonith-enabled", "fencing-enabled", "symmetric-cluster", "maintenance-mode", "start-failure-is-fatal",
            "enable-startup-probes", "stop-orphan-resources", "stop-orphan-actions", "startup-fencing",
            "concurrent-fencing", "stop-all-resources", "enable-acl", "shutdown-lock", "is-managed", "maintenance",
            "globally-unique", "notify", "interleave", "ordered", "allow-migrate", "promotable", "critical");
    /** target-role's values as Pacemaker reads them (any case), and "#default" for the default. */
    private static final Set<String> TARGET_ROLES = Set.of("stopped", "started", "slave", "master", "unpromoted",
            "promoted", "#default");
    /**
     * Cluster options that are counts. A value that is not one was stored silently and the cluster
     * used the default instead (stonith-max-attempts=abc fenced 10 times, not the operator's number).
     */
    private static final Set<String> POSITIVE_INTEGER_OPTIONS = Set.of("stonith-max-attempts", "fencing-max-attempts");
    private static final Set<String> INTEGER_OPTIONS = Set.of("batch-limit", "migration-limit", "node-action-limit");
    private static final Set<String> BOOLEANS = Set.of("true", "false", "yes", "no", "on", "off", "y", "n", "1", "0");
    /** Option names with a fixed set of values (lower case), as Pacemaker's option tables list them. */
    private static final Map<String, java.util.List<String>> ENUM_OPTIONS = Map.of(
            "no-quorum-policy", java.util.List.of("stop", "freeze", "ignore", "demote", "suicide", "fence"),
            "stonith-action", java.util.List.of("reboot", "off", "poweroff"),
            "fencing-action", java.util.List.of("reboot", "off", "poweroff"),
            "placement-strategy", java.util.List.of("default", "utilization", "minimal", "balanced"),
            "node-health-strategy", java.util.List.of("none", "migrate-on-red", "only-green", "progressive", "custom"),
            "multiple-active", java.util.List.of("block", "stop_only", "stop_start", "stop_unexpected"),
            "requires", java.util.List.of("nothing", "quorum", "fencing", "unfencing"));

    /** The elements this section checks, each with its check. */
    static final Map<String, ElementCheck> ELEMENTS = Map.of("nvpair", OptionChecks::option);

    private OptionChecks() {
    }

    /**
     * Option values Pulse reads: in meta attributes (of resources, operations, rsc_defaults,
     * op_defaults) and cluster properties. Instance attributes are the agent's parameters,
     * whose formats only the agent knows, so they are not checked.
     */
    static void option(CheckContext c, XmlElement e, String here, XmlElement parent) {
        if (parent == null || !(parent.name().equals("meta_attributes")
                || parent.name().equals("cluster_property_set"))) {
            return;
        }
        String name = e.attr("name");
        String value = e.attr("value");
        if (e.attr("id-ref") != null) {
            return;
        }
        if (name == null) {
            c.error(e, here, "<nvpair> has no name", "add name=\"<option>\" (and value=\"...\")");
            return;
        }
        if (value == null) {
            return;
        }
        String durationProblem = DURATION_OPTIONS.contains(name)
                && !(name.equals("stonith-watchdog-timeout") || name.equals("fencing-watchdog-timeout"))
                ? org.pulse.cib.model.Durations.read(value).problem() : null;
        if (durationProblem != null) {
            c.error(e, here, "option " + name + "=\"" + value + "\" is not a duration: " + durationProblem,
                    "use " + org.pulse.cib.model.Durations.EXAMPLES);
        }
        if (SCORE_OPTIONS.contains(name) && !CibValidator.isScore(value)) {
            c.error(e, here, "option " + name + "=\"" + value + "\" is not a score",
                    "use an integer, INFINITY or -INFINITY");
        }
        if (parent.name().equals("cluster_property_set") && POSITIVE_INTEGER_OPTIONS.contains(name)
                && !value.strip().matches("\\+?0*[1-9][0-9]{0,8}")) {
            c.error(e, here, "option " + name + "=\"" + value + "\" is not a positive whole number (the cluster would "
                    + "use the default instead)", "use a number of attempts such as 10");
        }
        if (parent.name().equals("cluster_property_set") && INTEGER_OPTIONS.contains(name)
                && !value.strip().matches("[-+]?[0-9]{1,9}")) {
            c.error(e, here, "option " + name + "=\"" + value + "\" is not a whole number (the cluster would use the "
                    + "default instead)", "use a whole number, e.g. 30");
        }
        String older = org.pulse.cib.model.ClusterOptions.FENCING_ALIASES.get(name);
        if (parent.name().equals("cluster_property_set") && older != null) {
            // Both spellings set: the fencing-* one is used, and messages name the option by its older
            // name with the newer value (stonith-max-attempts=3 set, "stonith-max-attempts=2" reported)
            for (XmlElement other : parent.elements("nvpair")) {
                if (older.equals(other.attr("name")) && other.attr("value") != null
                        && !other.attr("value").equals(value)) {
                    c.warning(e, here, "both " + name + "=\"" + value + "\" and " + older + "=\"" + other.attr("value")
                            + "\" are set; the cluster uses " + name + " (Pacemaker 3's name for " + older + ")",
                            "remove " + older + " from '" + parent.id() + "' so that one value remains");
                }
            }
        }
        String lower = value.toLowerCase(java.util.Locale.ROOT);
        if (BOOLEAN_OPTIONS.contains(name) && !BOOLEANS.contains(lower)) {
            c.error(e, here, "option " + name + "=\"" + value + "\" is not a boolean (the cluster would use the "
                    + "default instead)", "use true or false");
        }
        if (name.equals("target-role") && parent.name().equals("meta_attributes") && !TARGET_ROLES.contains(lower)) {
            // Pacemaker ignores a target-role it cannot read: the resource runs (crm_verify: invalid).
            c.error(e, here, "option target-role=\"" + value + "\" is not a role (the cluster would ignore it, as "
                    + "if unset)", "use Stopped, Started, Unpromoted or Promoted");
        }
        java.util.List<String> allowed = ENUM_OPTIONS.get(name);
        if (allowed != null && !allowed.contains(lower)) {
            c.error(e, here, "option " + name + "=\"" + value + "\" is not one of " + String.join(", ", allowed)
                    + " (the cluster would use the default instead)", "use one of " + String.join(", ", allowed));
        }
    }
}
