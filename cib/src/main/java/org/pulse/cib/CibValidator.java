package org.pulse.cib;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.pulse.cib.model.Durations;
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
 *
 * <p>Here: the public entry points, the value grammars shared with the rest of Pulse (scores,
 * durations) and the walk that hands each element to its section's checks: {@link ResourceChecks},
 * {@link ConstraintChecks}, {@link RuleChecks}, {@link FencingChecks}, {@link StatusChecks}, all
 * sharing one {@link CheckContext} (the index of ids and names, the problems, the attribute checks).
 */
public final class CibValidator {
    private static final Pattern VALIDATE_WITH = Pattern.compile("pacemaker-(1\\.[0-9]+|2\\.[0-9]+|3\\.[0-9]+)");
    static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final Pattern SCORE = Pattern.compile("[+-]?([0-9]+|INFINITY)", Pattern.CASE_INSENSITIVE);
    static final Set<String> RESOURCE_ELEMENTS = Set.of("primitive", "group", "clone", "master", "bundle");
    static final Set<String> CLASSES_WITHOUT_PROVIDER = Set.of(
            "lsb", "service", "systemd", "stonith", "upstart", "nagios", "heartbeat");
    /** Elements whose id attribute refers to something instead of defining an id. */
    static final Set<String> REFERRING_ID = Set.of("resource_ref", "obj_ref", "role", "role_ref");

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
        CheckContext c = new CheckContext(cib.source());
        XmlElement root = cib.root();
        checkValidateWith(c, root);
        XmlElement config = root.element("configuration").orElse(null);
        if (config == null) {
            c.error(root, null, "the CIB has no <configuration> section",
                    "add <configuration> with <crm_config/>, <nodes/>, <resources/> and <constraints/>");
        } else {
            c.index(config);
            visit(c, config, null, null);
        }
        root.element("status").ifPresent(status -> StatusChecks.status(c, status));
        return c.problems;
    }

    /**
     * The checks of everything but the configuration, for a CIB whose configuration element is
     * the very one that passed before (the store uses it for status updates).
     */
    static List<CibProblem> validateAllButConfiguration(Cib cib) {
        CheckContext c = new CheckContext(cib.source());
        checkValidateWith(c, cib.root());
        cib.root().element("status").ifPresent(status -> StatusChecks.status(c, status));
        return c.problems;
    }

    /**
     * Only the checks of what {@code configuration} defines: ids defined twice, elements that need an
     * id or a name and have none. For a piece of configuration that is merged into a CIB object by
     * object (crm configure load update), where a second definition of an id would silently take the
     * first's place; references are not checked, as they may point into the CIB it is merged into.
     */
    public static List<CibProblem> identityProblems(String source, XmlElement configuration) {
        CheckContext c = new CheckContext(source);
        c.index(configuration);
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
     * "PT1M" is 60000), or null when it is not one: {@link Durations}, the one reading.
     */
    public static Long durationMs(String s) {
        Durations.Reading r = Durations.read(s);
        return r.problem() == null ? r.ms() : null;
    }

    /** True for Pacemaker durations: "10", "10s", "500ms", "1min", "2h", ISO 8601 "PT10S" ({@link Durations}). */
    public static boolean isDuration(String s) {
        return s != null && Durations.read(s).problem() == null;
    }

    private static void checkValidateWith(CheckContext c, XmlElement root) {
        String v = root.attr("validate-with");
        if (v == null) {
            c.error(root, null, "<cib> has no validate-with",
                    "add validate-with=\"" + Cib.DEFAULT_VALIDATE_WITH + "\" to <cib>");
        } else if (!VALIDATE_WITH.matcher(v).matches()) {
            c.error(root, null, "validate-with=\"" + v + "\" is not a schema Pulse reads (pacemaker-1.0 to pacemaker-3.x)",
                    "set validate-with=\"" + Cib.DEFAULT_VALIDATE_WITH + "\" after checking the CIB follows that schema");
        }
    }

    /**
     * Second pass: every element by its name, each to its section's checks (resources, constraints,
     * rules, fencing topology; ACLs and alerts are one line each). {@code ctx} is the nearest enclosing id.
     */
    private static void visit(CheckContext c, XmlElement e, String ctx, XmlElement parent) {
        String here = e.id() != null && !REFERRING_ID.contains(e.name()) ? e.id() : ctx;
        String idRef = e.attr("id-ref");
        if (idRef != null && !c.ids.containsKey(idRef)) {
            c.error(e, here, "<" + e.name() + " id-ref=\"" + idRef + "\"> refers to an id that is not in the configuration",
                    "define an element with id '" + idRef + "' or correct the id-ref");
        }
        switch (e.name()) {
            case "primitive" -> ResourceChecks.primitive(c, e, here);
            case "group" -> ResourceChecks.group(c, e, here);
            case "clone", "master" -> ResourceChecks.clone(c, e, here);
            case "op" -> ResourceChecks.op(c, e, here);
            case "nvpair" -> ResourceChecks.option(c, e, here, parent);
            case "rsc_location" -> ConstraintChecks.location(c, e, here);
            case "rsc_colocation" -> ConstraintChecks.colocation(c, e, here);
            case "rsc_order" -> ConstraintChecks.order(c, e, here);
            case "rsc_ticket" -> ConstraintChecks.ticket(c, e, here);
            case "resource_ref" -> ConstraintChecks.reference(c, e, here, "resource set");
            case "resource_set" -> ConstraintChecks.resourceSet(c, e, here);
            case "obj_ref" -> ConstraintChecks.reference(c, e, here, "tag");
            case "rule" -> RuleChecks.rule(c, e, here);
            case "expression" -> RuleChecks.expression(c, e, here);
            case "date_expression" -> RuleChecks.dateExpression(c, e, here);
            case "date_spec" -> RuleChecks.dateSpec(c, e, here);
            case "duration" -> RuleChecks.durationElement(c, e, here);
            case "op_expression" -> RuleChecks.opExpression(c, e, here);
            case "rsc_expression" -> RuleChecks.rscExpression(c, e, here);
            case "fencing-level" -> FencingChecks.level(c, e, here);
            case "role" -> {
                String ref = e.attr("id");
                if (ref != null && !c.ids.containsKey(ref)) {
                    c.error(e, here, "role '" + ref + "' is not defined", "define <acl_role id=\"" + ref + "\"> in acls or correct the name");
                }
            }
            case "acl_permission" -> {
                String ref = e.attr("reference");
                if (ref != null && !c.ids.containsKey(ref)) {
                    c.error(e, here, "reference=\"" + ref + "\" names no element of the configuration", "correct the id it refers to");
                }
            }
            case "alert" -> c.require(e, here, "path", "the program to run for alerts, e.g. path=\"/usr/share/pacemaker/alerts/alert_file.sh\"");
            default -> {
                // unknown or structural elements: kept as they are
            }
        }
        for (XmlElement child : e.elements()) {
            visit(c, child, here, e);
        }
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
