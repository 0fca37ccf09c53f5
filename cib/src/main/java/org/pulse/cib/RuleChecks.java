package org.pulse.cib;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.pulse.cib.model.IsoDates;
import org.pulse.cib.xml.XmlElement;

/**
 * Rules and their expressions, wherever they appear (locations, attribute sets, defaults): boolean
 * operators, node-attribute expressions and their types, dates, date specs and durations, operation
 * and resource expressions.
 */
final class RuleChecks {
    private static final Set<String> EXPRESSION_OPS = Set.of(
            "lt", "gt", "lte", "gte", "eq", "ne", "defined", "not_defined");
    private static final Set<String> EXPRESSION_TYPES = Set.of("string", "integer", "number", "version");
    private static final Set<String> VALUE_SOURCES = Set.of("literal", "param", "meta");
    private static final Set<String> DATE_OPS = Set.of("in_range", "date_spec", "gt", "lt");
    private static final Pattern DATE_SPEC_RANGE = Pattern.compile("[0-9]+(-[0-9]+)?");

    /** The elements this section checks, each with its check. */
    static final Map<String, ElementCheck> ELEMENTS = Map.of(
            "rule", (c, e, here, parent) -> rule(c, e, here),
            "expression", (c, e, here, parent) -> expression(c, e, here),
            "date_expression", (c, e, here, parent) -> dateExpression(c, e, here),
            "date_spec", (c, e, here, parent) -> dateSpec(c, e, here),
            "duration", (c, e, here, parent) -> durationElement(c, e, here),
            "op_expression", (c, e, here, parent) -> opExpression(c, e, here),
            "rsc_expression", (c, e, here, parent) -> rscExpression(c, e, here));

    private RuleChecks() {
    }

    static void rule(CheckContext c, XmlElement e, String here) {
        if (e.attr("id-ref") != null) {
            return;
        }
        String op = e.attr("boolean-op");
        if (op != null && !op.equals("and") && !op.equals("or")) {
            c.error(e, here, "boolean-op=\"" + op + "\" is not and/or", "use boolean-op=\"and\" or boolean-op=\"or\"");
        }
        c.score(e, here, "score");
        c.role(e, here, "role");
        boolean any = false;
        for (XmlElement child : e.elements()) {
            switch (child.name()) {
                case "expression", "date_expression", "rule", "rsc_expression", "op_expression" -> any = true;
                default -> {
                    // unknown children are kept and ignored
                }
            }
        }
        if (!any) {
            c.error(e, here, "the rule has no expressions", "add an <expression>, <date_expression> or nested <rule>, or remove the rule");
        }
    }

    static void expression(CheckContext c, XmlElement e, String here) {
        if (e.attr("id-ref") != null) {
            return;
        }
        c.require(e, here, "attribute", "the node attribute to test, e.g. attribute=\"#uname\"");
        String op = e.attr("operation");
        if (op == null) {
            c.error(e, here, "the expression has no operation", "add operation=\"eq\" (or lt, gt, lte, gte, ne, defined, not_defined)");
            return;
        }
        if (!EXPRESSION_OPS.contains(op)) {
            c.error(e, here, "operation=\"" + op + "\" is not an expression operation",
                    "use one of lt, gt, lte, gte, eq, ne, defined, not_defined");
            return;
        }
        String value = e.attr("value");
        boolean needsValue = !op.equals("defined") && !op.equals("not_defined");
        if (needsValue && value == null) {
            c.error(e, here, "operation \"" + op + "\" needs a value", "add value=\"...\"");
        }
        String type = e.attr("type");
        if (type != null && !EXPRESSION_TYPES.contains(type)) {
            c.error(e, here, "type=\"" + type + "\" is not an expression type", "use string, integer, number or version");
        }
        String vs = e.attr("value-source");
        if (vs != null && !VALUE_SOURCES.contains(vs)) {
            c.error(e, here, "value-source=\"" + vs + "\" is not known", "use literal, param or meta");
        }
        boolean literal = vs == null || vs.equals("literal");
        if (needsValue && value != null && literal && type != null) {
            if (type.equals("integer") && !CibValidator.INTEGER.matcher(value.strip()).matches()) {
                c.error(e, here, "value=\"" + value + "\" is not an integer, but type=\"integer\"",
                        "use a whole number or another type");
            } else if (type.equals("number") && !isNumber(value)) {
                c.error(e, here, "value=\"" + value + "\" is not a number, but type=\"number\"",
                        "use a number such as 1.5 or another type");
            }
        }
    }

    static void dateExpression(CheckContext c, XmlElement e, String here) {
        String op = e.attr("operation");
        if (op == null || !DATE_OPS.contains(op)) {
            c.error(e, here, op == null ? "the date_expression has no operation"
                            : "operation=\"" + op + "\" is not a date operation",
                    "use in_range, date_spec, gt or lt");
            return;
        }
        String start = e.attr("start");
        String end = e.attr("end");
        for (String attr : new String[] {"start", "end"}) {
            String v = e.attr(attr);
            IsoDates.Reading date = v == null ? null : IsoDates.read(v);
            if (date == null || date.problem() == null) {
                continue;
            }
            if (date.wellFormed()) {
                // Written in a date form but naming no real time (hour 25, 31 April): Pacemaker cannot
                // read it, so the rule never holds as written; crm_verify calls the configuration invalid.
                c.error(e, here, attr + "=\"" + v + "\" is not a date: " + date.problem(),
                        "write a real date and time, e.g. 2024-12-31T23:59:00Z");
            } else {
                c.error(e, here, attr + "=\"" + v + "\" is not an ISO 8601 date: " + date.problem(),
                        "write it as " + IsoDates.EXAMPLES);
            }
        }
        switch (op) {
            case "gt" -> {
                if (start == null) {
                    c.error(e, here, "operation \"gt\" needs start", "add start=\"<date>\"");
                }
            }
            case "lt" -> {
                if (end == null) {
                    c.error(e, here, "operation \"lt\" needs end", "add end=\"<date>\"");
                }
            }
            case "in_range" -> {
                if (start == null && end == null) {
                    c.error(e, here, "operation \"in_range\" needs start, end or both", "add start=\"<date>\" and/or end=\"<date>\"");
                }
            }
            case "date_spec" -> {
                if (e.elements("date_spec").isEmpty()) {
                    c.error(e, here, "operation \"date_spec\" needs a <date_spec> inside",
                            "add e.g. <date_spec id=\"...\" hours=\"9-16\" weekdays=\"1-5\"/>");
                }
            }
            default -> {
            }
        }
    }

    /** Why {@code v} names no date as rules read it ({@link IsoDates}), or null when it does. */
    static String calendarProblem(String v) {
        return IsoDates.read(v).problem();
    }

    static void dateSpec(CheckContext c, XmlElement e, String here) {
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            if (a.getKey().equals("id") || a.getKey().equals("id-ref")) {
                continue;
            }
            if (!DATE_SPEC_RANGE.matcher(a.getValue().strip()).matches()) {
                c.error(e, here, a.getKey() + "=\"" + a.getValue() + "\" is not a number or a range",
                        "write a number (\"9\") or a range (\"9-16\")");
            }
        }
    }

    static void durationElement(CheckContext c, XmlElement e, String here) {
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            if (a.getKey().equals("id")) {
                continue;
            }
            if (!CibValidator.INTEGER.matcher(a.getValue().strip()).matches()) {
                c.error(e, here, a.getKey() + "=\"" + a.getValue() + "\" in <duration> is not a whole number",
                        "write a whole number, e.g. " + a.getKey() + "=\"1\"");
            }
        }
    }

    static void opExpression(CheckContext c, XmlElement e, String here) {
        c.require(e, here, "name", "the operation's name, e.g. name=\"monitor\"");
        c.duration(e, here, "interval");
    }

    static void rscExpression(CheckContext c, XmlElement e, String here) {
        String cls = e.attr("class");
        if (cls != null && !cls.equals("ocf") && !CibValidator.CLASSES_WITHOUT_PROVIDER.contains(cls)) {
            c.error(e, here, "unknown resource class \"" + cls + "\"", "use one of ocf, lsb, service, systemd, stonith");
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
}
