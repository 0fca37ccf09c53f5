package org.pulse.cib.model;

import java.time.Instant;
import java.util.Map;

/** One part of a rule. Unknown expressions are kept as {@link Unknown} and never match. */
public sealed interface RuleExpression
        permits Rule, RuleExpression.Attribute, RuleExpression.Date, RuleExpression.ResourceType,
        RuleExpression.Operation, RuleExpression.Unknown {

    boolean matches(RuleContext ctx);

    /** {@code <expression attribute operation value type>} against node attributes. */
    record Attribute(String id, String attribute, String operation, String value, String type)
            implements RuleExpression {
        @Override
        public boolean matches(RuleContext ctx) {
            String actual = ctx.nodeAttributes().get(attribute);
            String op = operation == null ? "" : operation;
            switch (op) {
                case "defined": return actual != null;
                case "not_defined": return actual == null;
                default: break;
            }
            if (actual == null || value == null) {
                // Pacemaker: ne with a missing attribute is true
                return "ne".equals(op) && actual == null;
            }
            int cmp = compare(actual, value, type, op);
            switch (op) {
                case "eq": return cmp == 0;
                case "ne": return cmp != 0;
                case "lt": return cmp < 0;
                case "lte": return cmp <= 0;
                case "gt": return cmp > 0;
                case "gte": return cmp >= 0;
                default: return false;
            }
        }

        /**
         * Pacemaker's comparison: without a type, lt/lte/gt/gte compare as numbers (integers
         * unless either side has a '.'), eq/ne as strings. Integers are read as C's strtoll
         * reads them (the leading digits: "3.6" is 3), numbers as strtod; when either side
         * does not read, the two compare as strings. Strings compare ignoring case.
         */
        private static int compare(String a, String b, String type, String op) {
            String t = type == null ? "" : type.toLowerCase(java.util.Locale.ROOT);
            if (t.isEmpty()) {
                boolean ordering = "lt".equals(op) || "lte".equals(op) || "gt".equals(op) || "gte".equals(op);
                t = !ordering ? "string" : (a.contains(".") || b.contains(".") ? "number" : "integer");
            }
            switch (t) {
                case "integer": {
                    Long x = leadingInteger(a);
                    Long y = leadingInteger(b);
                    return x != null && y != null ? Long.compare(x, y) : a.compareToIgnoreCase(b);
                }
                case "number": {
                    Double x = leadingNumber(a);
                    Double y = leadingNumber(b);
                    return x != null && y != null ? Double.compare(x, y) : a.compareToIgnoreCase(b);
                }
                case "version":
                    return compareVersions(a, b);
                default:
                    return a.compareToIgnoreCase(b);
            }
        }

        /** strtoll: optional blanks and sign, then at least one digit; what follows is ignored. */
        private static Long leadingInteger(String s) {
            java.util.regex.Matcher m = LEADING_INTEGER.matcher(s);
            if (!m.lookingAt()) {
                return null;
            }
            try {
                return Long.parseLong(m.group(1));
            } catch (NumberFormatException e) {
                return m.group(1).startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE;   // out of range: clamped
            }
        }

        /** strtod: the longest leading decimal number; what follows is ignored. */
        private static Double leadingNumber(String s) {
            java.util.regex.Matcher m = LEADING_NUMBER.matcher(s);
            return m.lookingAt() ? Double.valueOf(m.group(1)) : null;
        }

        private static final java.util.regex.Pattern LEADING_INTEGER = java.util.regex.Pattern.compile("\\s*([+-]?\\d+)");
        private static final java.util.regex.Pattern LEADING_NUMBER =
                java.util.regex.Pattern.compile("\\s*([+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)");

        private static int compareVersions(String a, String b) {
            String[] x = a.split("\\.");
            String[] y = b.split("\\.");
            for (int i = 0; i < Math.max(x.length, y.length); i++) {
                long xi = i < x.length ? parseLong(x[i]) : 0;
                long yi = i < y.length ? parseLong(y[i]) : 0;
                if (xi != yi) {
                    return Long.compare(xi, yi);
                }
            }
            return 0;
        }

        private static long parseLong(String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    /** {@code <date_expression operation="in_range|gt|lt|date_spec" start end>}. */
    record Date(String id, String operation, String start, String end, Map<String, String> dateSpec,
                Map<String, String> duration) implements RuleExpression {
        @Override
        public boolean matches(RuleContext ctx) {
            Instant now = ctx.now();
            if (now == null) {
                return false;
            }
            String op = operation == null ? "in_range" : operation;
            switch (op) {
                case "gt": {
                    Instant s = IsoDates.parse(start);
                    return s != null && now.isAfter(s);
                }
                case "lt": {
                    Instant e = IsoDates.parse(end);
                    return e != null && now.isBefore(e);
                }
                case "in_range": {
                    Instant s = IsoDates.parse(start);
                    Instant e = IsoDates.parse(end);
                    if (e == null && s != null && duration != null && !duration.isEmpty()) {
                        e = IsoDates.plus(s, duration);
                    }
                    if (s == null && e == null) {
                        return false;
                    }
                    return (s == null || !now.isBefore(s)) && (e == null || !now.isAfter(e));
                }
                case "date_spec":
                    return dateSpec != null && IsoDates.matchesSpec(now, dateSpec);
                default:
                    return false;
            }
        }
    }

    /** {@code <rsc_expression class provider type>} (rsc_defaults rules). */
    record ResourceType(String id, String cls, String provider, String type) implements RuleExpression {
        @Override
        public boolean matches(RuleContext ctx) {
            return (cls == null || cls.equals(ctx.rscClass()))
                    && (provider == null || provider.equals(ctx.rscProvider()))
                    && (type == null || type.equals(ctx.rscType()));
        }
    }

    /** {@code <op_expression name interval>} (op_defaults rules). */
    record Operation(String id, String name, Long intervalMs) implements RuleExpression {
        @Override
        public boolean matches(RuleContext ctx) {
            return ctx.opName() != null && ctx.opName().equals(name)
                    && (intervalMs == null || intervalMs.equals(ctx.opIntervalMs()));
        }
    }

    /** Something this version does not understand; never true, so it never grants anything. */
    record Unknown(String id, String element) implements RuleExpression {
        @Override
        public boolean matches(RuleContext ctx) {
            return false;
        }
    }
}
