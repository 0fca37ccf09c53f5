package org.pulse.cib;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.xml.XmlElement;

/**
 * The resources section's checks: primitives (class, provider, type, templates, operation keys),
 * groups, clones, operations, and the option values Pulse reads in meta attributes and cluster
 * properties. Called by {@link CibValidator}'s walk for each element of its kind.
 */
final class ResourceChecks {
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

    private ResourceChecks() {
    }

    static void primitive(CheckContext c, XmlElement e, String here) {
        if (e.attr("id-ref") != null) {
            return;
        }
        String template = e.attr("template");
        if (template != null) {
            if (!c.templates.contains(template)) {
                c.error(e, here, "template=\"" + template + "\" names no <template>",
                        "define <template id=\"" + template + "\"> in resources or correct the name");
            }
            return;
        }
        String cls = e.attr("class");
        String provider = e.attr("provider");
        if (cls == null) {
            c.error(e, here, "the resource has no class", "add class=\"ocf\" (with provider and type), \"lsb\", \"systemd\", \"service\" or \"stonith\"");
        } else if (cls.equals("ocf")) {
            if (provider == null || provider.isBlank()) {
                c.error(e, here, "an ocf resource needs a provider", "add provider=\"heartbeat\" or the directory of its agent under /usr/lib/ocf/resource.d");
            }
        } else if (CibValidator.CLASSES_WITHOUT_PROVIDER.contains(cls)) {
            if (provider != null) {
                c.error(e, here, "class \"" + cls + "\" takes no provider (provider=\"" + provider + "\")",
                        "remove the provider attribute; only ocf resources have one");
            }
        } else {
            c.error(e, here, "unknown resource class \"" + cls + "\"",
                    "use one of ocf, lsb, service, systemd, stonith (e.g. class=\"ocf\" provider=\"heartbeat\")");
        }
        String type = e.attr("type");
        if (type == null || type.isBlank()) {
            c.error(e, here, "the resource has no type (the agent to run)", "add type=\"<agent name>\", e.g. type=\"Dummy\"");
        }
        operationKeys(c, e);
    }

    /**
     * Pacemaker keys an operation by resource, name and interval (the history's
     * "vip_monitor_10000"), so two operations with the same name and interval, even for
     * different roles, cannot be told apart.
     */
    static void operationKeys(CheckContext c, XmlElement primitive) {
        Map<String, XmlElement> seen = new HashMap<>();
        for (XmlElement ops : primitive.elements("operations")) {
            for (XmlElement op : ops.elements("op")) {
                String name = op.attr("name");
                Long ms = CibValidator.durationMs(op.attr("interval", "0"));
                if (name == null || ms == null) {
                    continue;
                }
                XmlElement first = seen.putIfAbsent(name + "_" + ms, op);
                if (first != null) {
                    c.error(op, op.id() != null ? op.id() : primitive.id(), "operation " + name + " with interval "
                                    + op.attr("interval", "0") + " duplicates '" + first.id() + "' (same name and interval, "
                                    + ms + " ms)", "give one of them another interval, e.g. 11s instead of 10s");
                }
            }
        }
    }

    static void group(CheckContext c, XmlElement e, String here) {
        if (e.elements("primitive").isEmpty()) {
            c.error(e, here, "group '" + e.id() + "' has no resources", "add at least one <primitive> to it or remove the group");
        }
        for (XmlElement child : e.elements()) {
            if (CibValidator.RESOURCE_ELEMENTS.contains(child.name()) && !child.name().equals("primitive")) {
                c.error(child, child.id() != null ? child.id() : here, "a group holds only primitives, not a <" + child.name() + ">",
                        "move <" + child.name() + " id=\"" + child.id() + "\"> out of group '" + e.id() + "'");
            }
        }
    }

    static void clone(CheckContext c, XmlElement e, String here) {
        int inside = 0;
        for (XmlElement child : e.elements()) {
            if (child.name().equals("primitive") || child.name().equals("group")) {
                inside++;
            } else if (CibValidator.RESOURCE_ELEMENTS.contains(child.name())) {
                c.error(child, child.id() != null ? child.id() : here, "a " + e.name() + " cannot hold a <" + child.name() + ">",
                        "clone a primitive or a group");
            }
        }
        if (inside != 1) {
            c.error(e, here, e.name() + " '" + e.id() + "' holds " + inside + " resources; it must hold exactly one primitive or group",
                    inside == 0 ? "put the resource to clone inside it" : "make one clone per resource");
        }
    }

    static void op(CheckContext c, XmlElement e, String here) {
        if (e.attr("id-ref") != null) {
            return;
        }
        c.require(e, here, "name", "the action, e.g. name=\"monitor\"");
        c.duration(e, here, "interval");
        c.duration(e, here, "timeout");
        c.duration(e, here, "start-delay");
        c.role(e, here, "role");
    }

    /**
     * Option values Pulse reads: in meta attributes (of c.resources, operations, rsc_defaults,
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
