package org.pulse.cib;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Here: the public entry points, the value grammars shared with the rest of Pulse (scores;
 * durations and dates are read by {@link Durations} and {@link org.pulse.cib.model.IsoDates}) and
 * the walk that hands each element to its section's checks (the list {@code CHECKS}), all sharing
 * one {@link CheckContext} (the index of ids and names, the problems, the attribute checks).
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

    /**
     * The sections of a configuration, each with the elements it checks. Status is checked apart
     * ({@link StatusChecks}): it is the cluster's record, not the configuration.
     */
    private static final Map<String, ElementCheck> CHECKS = byElement(List.of(
            ResourceChecks.ELEMENTS,      // primitives, groups, clones, operations
            OptionChecks.ELEMENTS,        // cluster properties and meta attributes
            ConstraintChecks.ELEMENTS,    // location, colocation, order, ticket, sets, tags
            RuleChecks.ELEMENTS,          // rules, expressions, dates, date specs, durations
            FencingChecks.ELEMENTS,       // fencing topology
            AclChecks.ELEMENTS,           // roles and permissions
            AlertChecks.ELEMENTS));       // alerts

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
     * Second pass: every element, in document order, to the check of the section that owns its name;
     * unknown or structural elements are kept as they are. {@code ctx} is the nearest enclosing id.
     */
    private static void visit(CheckContext c, XmlElement e, String ctx, XmlElement parent) {
        String here = e.id() != null && !REFERRING_ID.contains(e.name()) ? e.id() : ctx;
        String idRef = e.attr("id-ref");
        if (idRef != null && !c.ids.containsKey(idRef)) {
            c.error(e, here, "<" + e.name() + " id-ref=\"" + idRef + "\"> refers to an id that is not in the configuration",
                    "define an element with id '" + idRef + "' or correct the id-ref");
        }
        ElementCheck check = CHECKS.get(e.name());
        if (check != null) {
            check.check(c, e, here, parent);
        }
        for (XmlElement child : e.elements()) {
            visit(c, child, here, e);
        }
    }

    /** The sections' checks by element name; a name claimed by two sections is a mistake in Pulse. */
    private static Map<String, ElementCheck> byElement(List<Map<String, ElementCheck>> sections) {
        Map<String, ElementCheck> all = new HashMap<>();
        for (Map<String, ElementCheck> section : sections) {
            section.forEach((name, check) -> {
                if (all.putIfAbsent(name, check) != null) {
                    throw new IllegalStateException("<" + name + "> is checked by two sections of CibValidator");
                }
            });
        }
        return Map.copyOf(all);
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
