package org.pulse.cib;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.pulse.cib.xml.XmlElement;

/**
 * Checks a CIB the way an operator needs it checked: every problem names the file, the line,
 * the element's id, what is wrong and what to do. {@code crm verify} prints these; the store
 * refuses a CIB with any {@link CibProblem.Severity#ERROR}.
 *
 * <p>What is checked: the schema name (validate-with pacemaker-1.0 .. pacemaker-3.x), duplicate
 * ids, references to resources (constraints, resource sets, tags, templates, fencing levels),
 * to ids (id-ref) and to nodes (a warning, as in Pacemaker), the shape of groups and clones,
 * resource classes (ocf needs a provider; the others take none), scores, durations, rules and
 * their expressions. What Pulse does not know (unknown elements and attributes) is kept and not
 * reported: a newer Pacemaker's CIB must still load.
 */
public final class CibValidator {
    private static final Pattern VALIDATE_WITH = Pattern.compile("pacemaker-(1\\.[0-9]+|2\\.[0-9]+|3\\.[0-9]+)");
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern SCORE = Pattern.compile("[+-]?([0-9]+|INFINITY)", Pattern.CASE_INSENSITIVE);
    /** Pacemaker's crm_get_msec: a whole number with an optional unit (no unit means seconds). */
    private static final Pattern DURATION = Pattern.compile(
            "[0-9]+\\s*(ms|msec|us|usec|s|sec|m|min|h|hr)?", Pattern.CASE_INSENSITIVE);
    /**
     * ISO 8601 durations as Pacemaker reads them: P then numbers with Y, M, W, D and, after an
     * optional T, H, M, S ("PT10S", "P1DT2H"; Pacemaker also takes "P10S", which its own tests use).
     */
    private static final Pattern ISO_DURATION = Pattern.compile(
            "P(?=T?[0-9])([0-9]+[YMWD])*(T?([0-9]+[HM])*([0-9]+(\\.[0-9]+)?S)?)");
    /** ISO 8601 dates Pacemaker's crm_time parses: calendar, ordinal or week dates, optional time and zone. */
    private static final Pattern ISO_DATE = Pattern.compile(
            "[0-9]{4}(-?[0-9]{2}-?[0-9]{2}|-?[0-9]{3}|-?W[0-9]{2}(-?[1-7])?)"
                    + "([T ][0-9]{2}(:?[0-9]{2}(:?[0-9]{2})?)?(\\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?");
    private static final Pattern DATE_SPEC_RANGE = Pattern.compile("[0-9]+(-[0-9]+)?");

    private static final Set<String> RESOURCE_ELEMENTS = Set.of("primitive", "group", "clone", "master", "bundle");
    private static final Set<String> CLASSES_WITHOUT_PROVIDER = Set.of(
            "lsb", "service", "systemd", "stonith", "upstart", "nagios", "heartbeat");
    private static final Set<String> EXPRESSION_OPS = Set.of(
            "lt", "gt", "lte", "gte", "eq", "ne", "defined", "not_defined");
    private static final Set<String> EXPRESSION_TYPES = Set.of("string", "integer", "number", "version");
    private static final Set<String> VALUE_SOURCES = Set.of("literal", "param", "meta");
    private static final Set<String> DATE_OPS = Set.of("in_range", "date_spec", "gt", "lt");
    private static final Set<String> ORDER_KINDS = Set.of("Mandatory", "Optional", "Serialize");
    private static final Set<String> ROLES = Set.of(
            "Stopped", "Started", "Slave", "Master", "Unpromoted", "Promoted");
    private static final Set<String> ACTIONS = Set.of("start", "stop", "promote", "demote");
    /**
     * Elements whose id is a name from outside, not an XML ID (a corosync node id, a user name),
     * so it may equal another element's id; they are unique among their own kind only.
     */
    private static final Set<String> OWN_KIND_ID = Set.of("node", "acl_target");
    /** Elements whose id attribute refers to something instead of defining an id. */
    private static final Set<String> REFERRING_ID = Set.of("resource_ref", "obj_ref", "role", "role_ref");
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
    private static final Set<String> BOOLEANS = Set.of("true", "false", "yes", "no", "on", "off", "y", "n", "1", "0");
    /** Option names with a fixed set of values (lower case), as Pacemaker's option tables list them. */
    private static final java.util.Map<String, List<String>> ENUM_OPTIONS = java.util.Map.of(
            "no-quorum-policy", List.of("stop", "freeze", "ignore", "demote", "suicide", "fence"),
            "stonith-action", List.of("reboot", "off", "poweroff"),
            "fencing-action", List.of("reboot", "off", "poweroff"),
            "placement-strategy", List.of("default", "utilization", "minimal", "balanced"),
            "node-health-strategy", List.of("none", "migrate-on-red", "only-green", "progressive", "custom"),
            "multiple-active", List.of("block", "stop_only", "stop_start", "stop_unexpected"),
            "requires", List.of("nothing", "quorum", "fencing", "unfencing"));

    private CibValidator() {
    }

    /** Parses and checks XML text: a malformed document gives one problem with its line and column. */
    public static List<CibProblem> validate(String source, String xml) {
        try {
            return validate(Cib.parse(source, xml));
        } catch (CibException e) {
            return e.problems().isEmpty()
                    ? List.of(CibProblem.error(source, 0, null, e.getMessage(), "")) : e.problems();
        }
    }

    /** Every problem found in {@code cib}, errors and warnings, in document order within each check. */
    public static List<CibProblem> validate(Cib cib) {
        return new Checker(cib).run();
    }

    /**
     * The checks of everything but the configuration, for a CIB whose configuration element is
     * the very one that passed before (the store uses it for status updates).
     */
    static List<CibProblem> validateAllButConfiguration(Cib cib) {
        Checker c = new Checker(cib);
        c.checkValidateWith(cib.root());
        cib.root().element("status").ifPresent(c::checkStatus);
        return c.problems;
    }

    public static boolean hasErrors(List<CibProblem> problems) {
        return problems.stream().anyMatch(CibProblem::isError);
    }

    /**
     * Parses and checks; returns the CIB when it has no errors.
     *
     * @throws CibException listing the errors (warnings are not a reason to refuse)
     */
    public static Cib parseValid(String source, String xml) throws CibException {
        Cib cib = Cib.parse(source, xml);
        requireValid(cib);
        return cib;
    }

    /** @throws CibException listing the errors when {@code cib} has any */
    public static void requireValid(Cib cib) throws CibException {
        List<CibProblem> errors = validate(cib).stream().filter(CibProblem::isError).toList();
        if (!errors.isEmpty()) {
            throw new CibException(cib.source() + " is not a valid CIB (" + errors.size()
                    + (errors.size() == 1 ? " error)" : " errors)"), errors);
        }
    }

    /** True for Pacemaker scores: an integer, INFINITY, +INFINITY or -INFINITY (any case). */
    public static boolean isScore(String s) {
        return s != null && SCORE.matcher(s.strip()).matches();
    }

    /**
     * A duration in milliseconds as Pacemaker reads it ("10" and "10s" are 10000, "500ms" is 500,
     * "PT1M" is 60000), or null when it is not a duration. ISO months count 30 days, years 365.
     */
    public static Long durationMs(String s) {
        if (s == null) {
            return null;
        }
        String t = s.strip();
        java.util.regex.Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long n;
            try {
                n = Long.parseLong(t.substring(0, m.start(1) < 0 ? t.length() : m.start(1)).strip());
            } catch (NumberFormatException e) {
                return null;
            }
            String unit = m.group(1) == null ? "s" : m.group(1).toLowerCase(Locale.ROOT);
            return switch (unit) {
                case "ms", "msec" -> n;
                case "us", "usec" -> n / 1000;
                case "m", "min" -> n * 60_000;
                case "h", "hr" -> n * 3_600_000;
                default -> n * 1000;
            };
        }
        if (!ISO_DURATION.matcher(t).matches()) {
            return null;
        }
        java.util.regex.Matcher part = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)([YMWDHS])|T").matcher(t.substring(1));
        boolean time = false;
        double ms = 0;
        while (part.find()) {
            if (part.group(0).equals("T")) {
                time = true;
                continue;
            }
            double v = Double.parseDouble(part.group(1));
            switch (part.group(2)) {
                case "Y" -> ms += v * 365 * 86_400_000d;
                case "M" -> ms += time ? v * 60_000d : v * 30 * 86_400_000d;
                case "W" -> ms += v * 7 * 86_400_000d;
                case "D" -> ms += v * 86_400_000d;
                case "H" -> ms += v * 3_600_000d;
                default -> ms += v * 1000d;
            }
        }
        return Math.round(ms);
    }

    /** True for Pacemaker durations: "10", "10s", "500ms", "1min", "2h", ISO 8601 "PT10S". */
    public static boolean isDuration(String s) {
        if (s == null) {
            return false;
        }
        String t = s.strip();
        return DURATION.matcher(t).matches() || ISO_DURATION.matcher(t).matches();
    }

    private static final class Checker {
        private final Cib cib;
        private final String source;
        private final List<CibProblem> problems = new ArrayList<>();
        /** Every id defined in the configuration, with its first element. */
        private final Map<String, XmlElement> ids = new HashMap<>();
        private final Map<String, XmlElement> resources = new HashMap<>();
        private final Set<String> templates = new HashSet<>();
        private final Set<String> tags = new HashSet<>();
        private final Set<String> nodeNames = new HashSet<>();
        private final Set<String> stonithIds = new HashSet<>();

        Checker(Cib cib) {
            this.cib = cib;
            this.source = cib.source();
        }

        List<CibProblem> run() {
            XmlElement root = cib.root();
            checkValidateWith(root);
            XmlElement config = root.element("configuration").orElse(null);
            if (config == null) {
                error(root, null, "the CIB has no <configuration> section",
                        "add <configuration> with <crm_config/>, <nodes/>, <resources/> and <constraints/>");
            } else {
                collect(config, null);
                collectNames(config);
                visit(config, null, null);
            }
            root.element("status").ifPresent(this::checkStatus);
            return problems;
        }

        private void checkValidateWith(XmlElement root) {
            String v = root.attr("validate-with");
            if (v == null) {
                error(root, null, "<cib> has no validate-with",
                        "add validate-with=\"" + Cib.DEFAULT_VALIDATE_WITH + "\" to <cib>");
            } else if (!VALIDATE_WITH.matcher(v).matches()) {
                error(root, null, "validate-with=\"" + v + "\" is not a schema Pulse reads (pacemaker-1.0 to pacemaker-3.x)",
                        "set validate-with=\"" + Cib.DEFAULT_VALIDATE_WITH + "\" after checking the CIB follows that schema");
            }
        }

        /** First pass: ids and what they name, so references can be checked in any order. */
        private final Map<String, XmlElement> ownKindIds = new HashMap<>();

        private void collect(XmlElement e, XmlElement parent) {
            String id = e.id();
            if (id != null && OWN_KIND_ID.contains(e.name())) {
                XmlElement first = ownKindIds.putIfAbsent(e.name() + "\u0000" + id, e);
                if (first != null) {
                    error(e, id, "two <" + e.name() + "> entries have id '" + id + "'"
                                    + (first.sourceLine() > 0 ? " (the other at line " + first.sourceLine() + ")" : ""),
                            "remove one or give it its own id");
                }
            } else if (id != null && !REFERRING_ID.contains(e.name())) {
                XmlElement first = ids.putIfAbsent(id, e);
                if (first != null) {
                    error(e, id, "id '" + id + "' is already used by <" + first.name() + ">"
                                    + (first.sourceLine() > 0 ? " at line " + first.sourceLine() : ""),
                            "give this <" + e.name() + "> an id of its own (ids are unique in the whole configuration)");
                }
                if (RESOURCE_ELEMENTS.contains(e.name()) && parent != null && !parent.name().equals("template")) {
                    resources.putIfAbsent(id, e);
                    if ("primitive".equals(e.name()) && "stonith".equals(e.attr("class"))) {
                        stonithIds.add(id);
                    }
                } else if (e.name().equals("template")) {
                    templates.add(id);
                } else if (e.name().equals("tag")) {
                    tags.add(id);
                }
            } else if (id == null && e.name().equals("primitive") && e.attr("id-ref") == null) {
                error(e, null, "a <primitive> has no id", "give it an id, e.g. id=\"my-resource\"");
            }
            for (XmlElement c : e.elements()) {
                collect(c, e);
            }
        }

        private void collectNames(XmlElement config) {
            Map<String, XmlElement> unames = new HashMap<>();
            config.element("nodes").ifPresent(nodes -> {
                for (XmlElement n : nodes.elements("node")) {
                    String uname = n.attr("uname");
                    if (n.id() == null) {
                        error(n, uname, "a <node> has no id", "add id=\"N\" (Pacemaker uses the corosync node id)");
                    }
                    if (uname == null) {
                        error(n, n.id(), "<node> has no uname", "add uname=\"<the node's name>\"");
                        continue;
                    }
                    XmlElement first = unames.putIfAbsent(uname, n);
                    if (first != null) {
                        error(n, n.id(), "node name '" + uname + "' is used by two nodes (ids " + first.id()
                                + " and " + n.id() + ")", "remove or rename one of them");
                    }
                    nodeNames.add(uname);
                }
            });
            // Remote and guest nodes are named by their resources.
            for (XmlElement r : resources.values()) {
                if ("primitive".equals(r.name()) && "remote".equals(r.attr("type"))) {
                    nodeNames.add(r.id());
                }
                if ("bundle".equals(r.name())) {
                    nodeNames.add(r.id());
                }
            }
            collectGuests(config);
        }

        private void collectGuests(XmlElement e) {
            if (e.name().equals("nvpair") && "remote-node".equals(e.attr("name")) && e.attr("value") != null) {
                nodeNames.add(e.attr("value"));
            }
            for (XmlElement c : e.elements()) {
                collectGuests(c);
            }
        }

        /** Second pass: every element by its name. {@code ctx} is the nearest enclosing id. */
        private void visit(XmlElement e, String ctx, XmlElement parent) {
            String here = e.id() != null && !REFERRING_ID.contains(e.name()) ? e.id() : ctx;
            String idRef = e.attr("id-ref");
            if (idRef != null && !ids.containsKey(idRef)) {
                error(e, here, "<" + e.name() + " id-ref=\"" + idRef + "\"> refers to an id that is not in the configuration",
                        "define an element with id '" + idRef + "' or correct the id-ref");
            }
            switch (e.name()) {
                case "primitive" -> checkPrimitive(e, here);
                case "group" -> checkGroup(e, here);
                case "clone", "master" -> checkClone(e, here);
                case "op" -> checkOp(e, here);
                case "nvpair" -> checkNvpair(e, here, parent);
                case "rsc_location" -> checkLocation(e, here);
                case "rsc_colocation" -> checkColocation(e, here);
                case "rsc_order" -> checkOrder(e, here);
                case "rsc_ticket" -> checkTicket(e, here);
                case "resource_ref" -> checkResourceRef(e, here, "resource set");
                case "resource_set" -> checkResourceSet(e, here);
                case "obj_ref" -> checkResourceRef(e, here, "tag");
                case "rule" -> checkRule(e, here);
                case "expression" -> checkExpression(e, here);
                case "date_expression" -> checkDateExpression(e, here);
                case "date_spec" -> checkDateSpec(e, here);
                case "duration" -> checkDurationElement(e, here);
                case "op_expression" -> checkOpExpression(e, here);
                case "rsc_expression" -> checkRscExpression(e, here);
                case "fencing-level" -> checkFencingLevel(e, here);
                case "role" -> {
                    String ref = e.attr("id");
                    if (ref != null && !ids.containsKey(ref)) {
                        error(e, here, "role '" + ref + "' is not defined", "define <acl_role id=\"" + ref + "\"> in acls or correct the name");
                    }
                }
                case "acl_permission" -> {
                    String ref = e.attr("reference");
                    if (ref != null && !ids.containsKey(ref)) {
                        error(e, here, "reference=\"" + ref + "\" names no element of the configuration", "correct the id it refers to");
                    }
                }
                case "alert" -> require(e, here, "path", "the program to run for alerts, e.g. path=\"/usr/share/pacemaker/alerts/alert_file.sh\"");
                default -> {
                    // unknown or structural elements: kept as they are
                }
            }
            for (XmlElement c : e.elements()) {
                visit(c, here, e);
            }
        }

        private void checkPrimitive(XmlElement e, String here) {
            if (e.attr("id-ref") != null) {
                return;
            }
            String template = e.attr("template");
            if (template != null) {
                if (!templates.contains(template)) {
                    error(e, here, "template=\"" + template + "\" names no <template>",
                            "define <template id=\"" + template + "\"> in resources or correct the name");
                }
                return;
            }
            String cls = e.attr("class");
            String provider = e.attr("provider");
            if (cls == null) {
                error(e, here, "the resource has no class", "add class=\"ocf\" (with provider and type), \"lsb\", \"systemd\", \"service\" or \"stonith\"");
            } else if (cls.equals("ocf")) {
                if (provider == null || provider.isBlank()) {
                    error(e, here, "an ocf resource needs a provider", "add provider=\"heartbeat\" or the directory of its agent under /usr/lib/ocf/resource.d");
                }
            } else if (CLASSES_WITHOUT_PROVIDER.contains(cls)) {
                if (provider != null) {
                    error(e, here, "class \"" + cls + "\" takes no provider (provider=\"" + provider + "\")",
                            "remove the provider attribute; only ocf resources have one");
                }
            } else {
                error(e, here, "unknown resource class \"" + cls + "\"",
                        "use one of ocf, lsb, service, systemd, stonith (e.g. class=\"ocf\" provider=\"heartbeat\")");
            }
            String type = e.attr("type");
            if (type == null || type.isBlank()) {
                error(e, here, "the resource has no type (the agent to run)", "add type=\"<agent name>\", e.g. type=\"Dummy\"");
            }
            checkOperationKeys(e);
        }

        /**
         * Pacemaker keys an operation by resource, name and interval (the history's
         * "vip_monitor_10000"), so two operations with the same name and interval, even for
         * different roles, cannot be told apart.
         */
        private void checkOperationKeys(XmlElement primitive) {
            Map<String, XmlElement> seen = new HashMap<>();
            for (XmlElement ops : primitive.elements("operations")) {
                for (XmlElement op : ops.elements("op")) {
                    String name = op.attr("name");
                    Long ms = durationMs(op.attr("interval", "0"));
                    if (name == null || ms == null) {
                        continue;
                    }
                    XmlElement first = seen.putIfAbsent(name + "_" + ms, op);
                    if (first != null) {
                        error(op, op.id() != null ? op.id() : primitive.id(), "operation " + name + " with interval "
                                        + op.attr("interval", "0") + " duplicates '" + first.id() + "' (same name and interval, "
                                        + ms + " ms)", "give one of them another interval, e.g. 11s instead of 10s");
                    }
                }
            }
        }

        private void checkGroup(XmlElement e, String here) {
            if (e.elements("primitive").isEmpty()) {
                error(e, here, "group '" + e.id() + "' has no resources", "add at least one <primitive> to it or remove the group");
            }
            for (XmlElement c : e.elements()) {
                if (RESOURCE_ELEMENTS.contains(c.name()) && !c.name().equals("primitive")) {
                    error(c, c.id() != null ? c.id() : here, "a group holds only primitives, not a <" + c.name() + ">",
                            "move <" + c.name() + " id=\"" + c.id() + "\"> out of group '" + e.id() + "'");
                }
            }
        }

        private void checkClone(XmlElement e, String here) {
            int inside = 0;
            for (XmlElement c : e.elements()) {
                if (c.name().equals("primitive") || c.name().equals("group")) {
                    inside++;
                } else if (RESOURCE_ELEMENTS.contains(c.name())) {
                    error(c, c.id() != null ? c.id() : here, "a " + e.name() + " cannot hold a <" + c.name() + ">",
                            "clone a primitive or a group");
                }
            }
            if (inside != 1) {
                error(e, here, e.name() + " '" + e.id() + "' holds " + inside + " resources; it must hold exactly one primitive or group",
                        inside == 0 ? "put the resource to clone inside it" : "make one clone per resource");
            }
        }

        private void checkOp(XmlElement e, String here) {
            if (e.attr("id-ref") != null) {
                return;
            }
            require(e, here, "name", "the action, e.g. name=\"monitor\"");
            duration(e, here, "interval");
            duration(e, here, "timeout");
            duration(e, here, "start-delay");
            role(e, here, "role");
        }

        /**
         * Option values Pulse reads: in meta attributes (of resources, operations, rsc_defaults,
         * op_defaults) and cluster properties. Instance attributes are the agent's parameters,
         * whose formats only the agent knows, so they are not checked.
         */
        private void checkNvpair(XmlElement e, String here, XmlElement parent) {
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
                error(e, here, "<nvpair> has no name", "add name=\"<option>\" (and value=\"...\")");
                return;
            }
            if (value == null) {
                return;
            }
            if (DURATION_OPTIONS.contains(name) && !isDuration(value)
                    && !(name.equals("stonith-watchdog-timeout") || name.equals("fencing-watchdog-timeout"))) {
                error(e, here, "option " + name + "=\"" + value + "\" is not a duration",
                        "use a number of seconds with an optional unit (\"30s\", \"500ms\", \"2min\", \"1h\") or ISO 8601 (\"PT30S\")");
            }
            if (SCORE_OPTIONS.contains(name) && !isScore(value)) {
                error(e, here, "option " + name + "=\"" + value + "\" is not a score",
                        "use an integer, INFINITY or -INFINITY");
            }
            if (BOOLEAN_OPTIONS.contains(name) && !BOOLEANS.contains(value.toLowerCase(java.util.Locale.ROOT))) {
                error(e, here, "option " + name + "=\"" + value + "\" is not a boolean (the cluster would use the "
                        + "default instead)", "use true or false");
            }
            List<String> allowed = ENUM_OPTIONS.get(name);
            if (allowed != null && !allowed.contains(value.toLowerCase(java.util.Locale.ROOT))) {
                error(e, here, "option " + name + "=\"" + value + "\" is not one of " + String.join(", ", allowed)
                        + " (the cluster would use the default instead)", "use one of " + String.join(", ", allowed));
            }
        }

        private void checkLocation(XmlElement e, String here) {
            boolean hasSets = !e.elements("resource_set").isEmpty();
            String pattern = e.attr("rsc-pattern");
            if (pattern != null) {
                try {
                    Pattern.compile(pattern);
                } catch (PatternSyntaxException x) {
                    error(e, here, "rsc-pattern=\"" + pattern + "\" is not a regular expression: " + x.getDescription(),
                            "correct the pattern (POSIX extended regular expression)");
                }
            } else if (!hasSets) {
                resourceRef(e, here, "rsc", true);
            }
            boolean hasRule = !e.elements("rule").isEmpty();
            String node = e.attr("node");
            if (!hasRule && e.attr("score") == null && e.attr("score-attribute") == null) {
                error(e, here, "the location constraint has neither a score with a node nor a rule",
                        "add node=\"<node>\" score=\"<score>\" or a <rule>");
            }
            if (node != null && !nodeNames.contains(node)) {
                warning(e, here, "node '" + node + "' is not in the nodes section, so this constraint does nothing for now",
                        "check the node name (nodes: " + String.join(", ", sorted(nodeNames)) + ")");
            }
            if (node == null && !hasRule && e.attr("score") != null) {
                error(e, here, "the location constraint has a score but no node", "add node=\"<node>\" or use a <rule>");
            }
            score(e, here, "score");
            role(e, here, "role");
        }

        private void checkColocation(XmlElement e, String here) {
            boolean hasSets = !e.elements("resource_set").isEmpty();
            if (!hasSets) {
                resourceRef(e, here, "rsc", true);
                resourceRef(e, here, "with-rsc", true);
            }
            if (e.attr("score") == null && e.attr("score-attribute") == null && !hasSets) {
                // The schema allows it, and Pacemaker then uses 0: the constraint does nothing.
                warning(e, here, "the colocation has no score, so it has no effect",
                        "add score=\"INFINITY\" (must run together) or another score");
            }
            score(e, here, "score");
            role(e, here, "rsc-role");
            role(e, here, "with-rsc-role");
        }

        private void checkOrder(XmlElement e, String here) {
            boolean hasSets = !e.elements("resource_set").isEmpty();
            if (!hasSets) {
                resourceRef(e, here, "first", true);
                resourceRef(e, here, "then", true);
            }
            String kind = e.attr("kind");
            if (kind != null && !ORDER_KINDS.contains(kind)) {
                error(e, here, "kind=\"" + kind + "\" is not an order kind", "use Mandatory, Optional or Serialize");
            }
            score(e, here, "score");
            action(e, here, "first-action");
            action(e, here, "then-action");
        }

        private void checkResourceSet(XmlElement e, String here) {
            if (e.attr("id-ref") != null) {
                return;
            }
            if (e.elements("resource_ref").isEmpty()) {
                error(e, here, "the resource set is empty", "add <resource_ref id=\"<resource>\"/> entries or remove the set");
            }
            score(e, here, "score");
            role(e, here, "role");
            action(e, here, "action");
            String kind = e.attr("kind");
            if (kind != null && !ORDER_KINDS.contains(kind)) {
                error(e, here, "kind=\"" + kind + "\" is not an order kind", "use Mandatory, Optional or Serialize");
            }
            String ordering = e.attr("ordering");
            if (ordering != null && !ordering.equals("group") && !ordering.equals("listed")) {
                error(e, here, "ordering=\"" + ordering + "\" is not known", "use group or listed");
            }
        }

        private void checkTicket(XmlElement e, String here) {
            if (e.elements("resource_set").isEmpty()) {
                resourceRef(e, here, "rsc", true);
            }
            require(e, here, "ticket", "the ticket's name, e.g. ticket=\"ticketA\"");
        }

        private void checkResourceRef(XmlElement e, String here, String what) {
            String id = e.attr("id");
            if (id == null) {
                error(e, here, "<" + e.name() + "> in a " + what + " has no id", "add id=\"<resource>\"");
            } else if (e.name().equals("obj_ref") ? !ids.containsKey(id) : !isResource(id)) {
                error(e, here, "the " + what + " refers to resource '" + id + "', which does not exist",
                        "define the resource or remove it from the " + what + suggestion(id));
            }
        }

        private void checkRule(XmlElement e, String here) {
            if (e.attr("id-ref") != null) {
                return;
            }
            String op = e.attr("boolean-op");
            if (op != null && !op.equals("and") && !op.equals("or")) {
                error(e, here, "boolean-op=\"" + op + "\" is not and/or", "use boolean-op=\"and\" or boolean-op=\"or\"");
            }
            score(e, here, "score");
            role(e, here, "role");
            boolean any = false;
            for (XmlElement c : e.elements()) {
                switch (c.name()) {
                    case "expression", "date_expression", "rule", "rsc_expression", "op_expression" -> any = true;
                    default -> {
                        // unknown children are kept and ignored
                    }
                }
            }
            if (!any) {
                error(e, here, "the rule has no expressions", "add an <expression>, <date_expression> or nested <rule>, or remove the rule");
            }
        }

        private void checkExpression(XmlElement e, String here) {
            if (e.attr("id-ref") != null) {
                return;
            }
            require(e, here, "attribute", "the node attribute to test, e.g. attribute=\"#uname\"");
            String op = e.attr("operation");
            if (op == null) {
                error(e, here, "the expression has no operation", "add operation=\"eq\" (or lt, gt, lte, gte, ne, defined, not_defined)");
                return;
            }
            if (!EXPRESSION_OPS.contains(op)) {
                error(e, here, "operation=\"" + op + "\" is not an expression operation",
                        "use one of lt, gt, lte, gte, eq, ne, defined, not_defined");
                return;
            }
            String value = e.attr("value");
            boolean needsValue = !op.equals("defined") && !op.equals("not_defined");
            if (needsValue && value == null) {
                error(e, here, "operation \"" + op + "\" needs a value", "add value=\"...\"");
            }
            String type = e.attr("type");
            if (type != null && !EXPRESSION_TYPES.contains(type)) {
                error(e, here, "type=\"" + type + "\" is not an expression type", "use string, integer, number or version");
            }
            String vs = e.attr("value-source");
            if (vs != null && !VALUE_SOURCES.contains(vs)) {
                error(e, here, "value-source=\"" + vs + "\" is not known", "use literal, param or meta");
            }
            boolean literal = vs == null || vs.equals("literal");
            if (needsValue && value != null && literal && type != null) {
                if (type.equals("integer") && !INTEGER.matcher(value.strip()).matches()) {
                    error(e, here, "value=\"" + value + "\" is not an integer, but type=\"integer\"",
                            "use a whole number or another type");
                } else if (type.equals("number") && !isNumber(value)) {
                    error(e, here, "value=\"" + value + "\" is not a number, but type=\"number\"",
                            "use a number such as 1.5 or another type");
                }
            }
        }

        private void checkDateExpression(XmlElement e, String here) {
            String op = e.attr("operation");
            if (op == null || !DATE_OPS.contains(op)) {
                error(e, here, op == null ? "the date_expression has no operation"
                                : "operation=\"" + op + "\" is not a date operation",
                        "use in_range, date_spec, gt or lt");
                return;
            }
            String start = e.attr("start");
            String end = e.attr("end");
            for (String attr : new String[] {"start", "end"}) {
                String v = e.attr(attr);
                if (v != null && !ISO_DATE.matcher(v.strip()).matches()) {
                    error(e, here, attr + "=\"" + v + "\" is not an ISO 8601 date",
                            "write it as 2024-12-31 or 2024-12-31T23:59:00Z");
                }
            }
            switch (op) {
                case "gt" -> {
                    if (start == null) {
                        error(e, here, "operation \"gt\" needs start", "add start=\"<date>\"");
                    }
                }
                case "lt" -> {
                    if (end == null) {
                        error(e, here, "operation \"lt\" needs end", "add end=\"<date>\"");
                    }
                }
                case "in_range" -> {
                    if (start == null && end == null) {
                        error(e, here, "operation \"in_range\" needs start, end or both", "add start=\"<date>\" and/or end=\"<date>\"");
                    }
                }
                case "date_spec" -> {
                    if (e.elements("date_spec").isEmpty()) {
                        error(e, here, "operation \"date_spec\" needs a <date_spec> inside",
                                "add e.g. <date_spec id=\"...\" hours=\"9-16\" weekdays=\"1-5\"/>");
                    }
                }
                default -> {
                }
            }
        }

        private void checkDateSpec(XmlElement e, String here) {
            for (Map.Entry<String, String> a : e.attributes().entrySet()) {
                if (a.getKey().equals("id") || a.getKey().equals("id-ref")) {
                    continue;
                }
                if (!DATE_SPEC_RANGE.matcher(a.getValue().strip()).matches()) {
                    error(e, here, a.getKey() + "=\"" + a.getValue() + "\" is not a number or a range",
                            "write a number (\"9\") or a range (\"9-16\")");
                }
            }
        }

        private void checkDurationElement(XmlElement e, String here) {
            for (Map.Entry<String, String> a : e.attributes().entrySet()) {
                if (a.getKey().equals("id")) {
                    continue;
                }
                if (!INTEGER.matcher(a.getValue().strip()).matches()) {
                    error(e, here, a.getKey() + "=\"" + a.getValue() + "\" in <duration> is not a whole number",
                            "write a whole number, e.g. " + a.getKey() + "=\"1\"");
                }
            }
        }

        private void checkOpExpression(XmlElement e, String here) {
            require(e, here, "name", "the operation's name, e.g. name=\"monitor\"");
            duration(e, here, "interval");
        }

        private void checkRscExpression(XmlElement e, String here) {
            String cls = e.attr("class");
            if (cls != null && !cls.equals("ocf") && !CLASSES_WITHOUT_PROVIDER.contains(cls)) {
                error(e, here, "unknown resource class \"" + cls + "\"", "use one of ocf, lsb, service, systemd, stonith");
            }
        }

        private void checkFencingLevel(XmlElement e, String here) {
            String target = e.attr("target");
            if (target == null && e.attr("target-pattern") == null && e.attr("target-attribute") == null) {
                error(e, here, "the fencing level has no target", "add target=\"<node>\" (or target-pattern / target-attribute)");
            } else if (target != null && !nodeNames.contains(target)) {
                warning(e, here, "fencing target '" + target + "' is not in the nodes section",
                        "check the node name (nodes: " + String.join(", ", sorted(nodeNames)) + ")");
            }
            String index = e.attr("index");
            if (index == null || !index.strip().matches("[0-9]+") || Long.parseLong(index.strip()) < 1) {
                error(e, here, "index=\"" + index + "\" is not a level number >= 1", "number the levels 1, 2, ...");
            }
            String devices = e.attr("devices");
            if (devices == null || devices.isBlank()) {
                error(e, here, "the fencing level has no devices", "add devices=\"<fence resource>[,<another>]\"");
                return;
            }
            for (String d : devices.split(",")) {
                String dev = d.strip();
                if (!stonithIds.contains(dev)) {
                    error(e, here, "fencing device '" + dev + "' is not a stonith resource",
                            "define <primitive id=\"" + dev + "\" class=\"stonith\" ...> or correct devices=" + suggestion(dev));
                }
            }
        }

        /** Operation history fields the scheduler reads as whole numbers. */
        private static final List<String> OP_NUMBERS = List.of(
                "call-id", "rc-code", "op-status", "interval", "last-rc-change", "last-run", "exec-time", "queue-time");

        private void checkStatus(XmlElement status) {
            Map<String, XmlElement> seen = new HashMap<>();
            for (XmlElement n : status.elements("node_state")) {
                for (XmlElement lrm : n.elements("lrm")) {
                    for (XmlElement rscs : lrm.elements("lrm_resources")) {
                        for (XmlElement rsc : rscs.elements("lrm_resource")) {
                            for (XmlElement op : rsc.elements("lrm_rsc_op")) {
                                checkHistory(op, n);
                            }
                        }
                    }
                }
                if (n.id() == null) {
                    error(n, n.attr("uname"), "a <node_state> has no id", "add the node's id (as in the nodes section)");
                    continue;
                }
                XmlElement first = seen.putIfAbsent(n.id(), n);
                if (first != null) {
                    error(n, n.id(), "two <node_state> entries for node id '" + n.id() + "'",
                            "remove one; the status holds one node_state per node");
                }
            }
        }

        /**
         * An operation result as crmd records it: a wrong value here would make the scheduler
         * misread what ran where (a resource's history is how it knows).
         */
        private void checkHistory(XmlElement op, XmlElement nodeState) {
            String here = op.id() != null ? op.id() : nodeState.id();
            if (op.attr("operation") == null) {
                error(op, here, "<lrm_rsc_op> on node " + nodeState.attr("uname", nodeState.id()) + " has no operation",
                        "add operation=\"start\" (or the action it records) or remove the entry; crmd writes these itself");
            }
            for (String attr : OP_NUMBERS) {
                String v = op.attr(attr);
                if (v != null && !INTEGER.matcher(v.strip()).matches()) {
                    error(op, here, attr + "=\"" + v + "\" in the operation history is not a whole number",
                            "correct it or remove the entry (crmd records the next result afresh)");
                }
            }
        }

        // ---- attribute checks

        private boolean isResource(String id) {
            return resources.containsKey(id) || tags.contains(id) || templates.contains(id);
        }

        private void resourceRef(XmlElement e, String here, String attr, boolean required) {
            String id = e.attr(attr);
            if (id == null) {
                if (required) {
                    error(e, here, "<" + e.name() + "> has no " + attr, "add " + attr + "=\"<resource id>\"");
                }
                return;
            }
            if (!isResource(id)) {
                error(e, here, attr + "=\"" + id + "\" refers to a resource that does not exist",
                        "define resource '" + id + "' or correct the reference" + suggestion(id));
            }
        }

        /** ", did you mean 'x'?" for a near miss among the resources, so typos are quick to fix. */
        private String suggestion(String id) {
            String best = null;
            int bestDistance = 3;
            for (String r : resources.keySet()) {
                int d = editDistance(id.toLowerCase(Locale.ROOT), r.toLowerCase(Locale.ROOT), bestDistance);
                if (d < bestDistance) {
                    bestDistance = d;
                    best = r;
                }
            }
            return best == null ? "" : " (did you mean '" + best + "'?)";
        }

        private void score(XmlElement e, String here, String attr) {
            String v = e.attr(attr);
            if (v != null && !isScore(v)) {
                error(e, here, attr + "=\"" + v + "\" is not a score",
                        "use an integer, INFINITY, +INFINITY or -INFINITY (or score-attribute=\"<node attribute>\")");
            }
        }

        private void duration(XmlElement e, String here, String attr) {
            String v = e.attr(attr);
            if (v != null && !isDuration(v)) {
                error(e, here, attr + "=\"" + v + "\" is not a duration",
                        "use a number of seconds with an optional unit (\"10s\", \"500ms\", \"1min\", \"2h\") or ISO 8601 (\"PT10S\")");
            }
        }

        private void role(XmlElement e, String here, String attr) {
            String v = e.attr(attr);
            if (v != null && !ROLES.contains(v)) {
                error(e, here, attr + "=\"" + v + "\" is not a role", "use Started, Stopped, Promoted or Unpromoted");
            }
        }

        private void action(XmlElement e, String here, String attr) {
            String v = e.attr(attr);
            if (v != null && !ACTIONS.contains(v)) {
                error(e, here, attr + "=\"" + v + "\" is not an action that can be ordered", "use start, stop, promote or demote");
            }
        }

        private void require(XmlElement e, String here, String attr, String what) {
            if (e.attr(attr) == null) {
                error(e, here, "<" + e.name() + "> has no " + attr, "add " + attr + " (" + what + ")");
            }
        }

        private void error(XmlElement e, String id, String problem, String fix) {
            problems.add(CibProblem.error(source, e.sourceLine(), id, problem, fix));
        }

        private void warning(XmlElement e, String id, String problem, String fix) {
            problems.add(CibProblem.warning(source, e.sourceLine(), id, problem, fix));
        }
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s.strip());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static List<String> sorted(Set<String> s) {
        return s.stream().sorted().toList();
    }

    /**
     * Levenshtein distance, giving up (returning {@code limit}) once it is clearly too far. Public
     * for the shell's "did you mean" on commands, so both suggest by the same measure.
     */
    public static int editDistance(String a, String b, int limit) {
        if (Math.abs(a.length() - b.length()) >= limit) {
            return limit;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return Math.min(prev[b.length()], limit);
    }
}
