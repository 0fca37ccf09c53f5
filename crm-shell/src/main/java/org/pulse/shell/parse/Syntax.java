package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.pulse.shell.CrmException;

/**
 * The pieces of crmsh's configure language that several commands share: name=value lists,
 * attribute sets ({@code params}, {@code meta}, ...), scores, roles and rule expressions.
 * The XML built here has no ids yet; {@link IdAssigner} gives them as crmsh does.
 */
public final class Syntax {
    private Syntax() {
    }

    static final Pattern NVPAIR = Pattern.compile("([^=@$][^=]*)=(.*)", Pattern.DOTALL);
    static final Pattern NVPAIR_ID = Pattern.compile("\\$([^:=]+)(?::(.+))?=(.*)", Pattern.DOTALL);
    static final Pattern NVPAIR_REF = Pattern.compile("@([^:]+)(?::(.+))?");
    static final Pattern IDSPEC = Pattern.compile("(\\$id-ref|\\$id)=(.*)", Pattern.CASE_INSENSITIVE);
    static final Pattern SCORE = Pattern.compile("([^:=]+):");
    static final Pattern ROLE = Pattern.compile("\\$?role=(.+)", Pattern.CASE_INSENSITIVE);
    static final Pattern NUMERIC_SCORE = Pattern.compile("[+-]?(inf(inity)?|INF(INITY)?|[0-9]+)");
    static final Pattern ID = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

    /** Words that end a name=value list (crmsh's TERMINATORS). */
    static final Set<String> TERMINATORS = Set.of("params", "meta", "utilization", "operations", "op",
            "op_params", "op_meta", "rule", "attributes");

    static final List<String> ROLES = List.of("Stopped", "Started", "Promoted", "Unpromoted", "Master", "Slave");
    static final List<String> ACTIONS = List.of("start", "promote", "demote", "stop");
    static final List<String> ORDER_KINDS = List.of("Optional", "Mandatory", "Serialize");
    static final List<String> EXPRESSION_TYPES = List.of("string", "integer", "number", "version");
    static final List<String> BINARY_OPS = List.of("lt", "gt", "lte", "gte", "eq", "ne");
    static final List<String> DATE_SPEC_NAMES = List.of("hours", "monthdays", "weekdays", "yeardays", "months",
            "weeks", "years", "weekyears", "moon");

    static String canonize(String value, List<String> allowed) {
        for (String a : allowed) {
            if (a.equalsIgnoreCase(value)) {
                return a;
            }
        }
        return null;
    }

    public static boolean isValidId(String id) {
        return ID.matcher(id).matches();
    }

    /** An object id at the cursor: checked as crmsh checks it, with an error that says what an id may contain. */
    static String objectId(Cursor c, String what) throws CrmException {
        Token t = c.next(what);
        if (!isValidId(t.text())) {
            throw c.at(t, "not a valid id; an id starts with a letter or '_' and has only letters, digits, "
                    + "'_', '.' and '-'");
        }
        return t.text();
    }

    /** crmsh's validate_score: a number or [+-]inf becomes a score, anything else names a node attribute. */
    static String[] score(String text, boolean attributeAllowed) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (attributeAllowed && lower.equals("mandatory")) {
            return new String[] {"score", "INFINITY"};
        }
        if (attributeAllowed && lower.equals("advisory")) {
            return new String[] {"score", "0"};
        }
        if (NUMERIC_SCORE.matcher(text).matches()) {
            return new String[] {"score", text.replaceAll("inf(inity)?|INF(INITY)?", "INFINITY")};
        }
        return attributeAllowed ? new String[] {"score-attribute", text} : null;
    }

    /** name=value words until a terminator or a word that is not one. Bare names are not taken (crmsh would store them without a value). */
    static List<MNode> nvpairs(Cursor c, Set<String> terminators) {
        List<MNode> out = new ArrayList<>();
        while (c.more()) {
            String t = c.peekText();
            if (terminators.contains(t.toLowerCase(Locale.ROOT))) {
                break;
            }
            if (c.tryMatch(NVPAIR_REF)) {
                MNode n = MNode.of("nvpair", "id-ref", c.group(1));
                n.set("name", c.group(2));
                out.add(n);
            } else if (c.tryMatch(NVPAIR_ID)) {
                String name = c.group(2) == null ? c.group(1) : c.group(2);
                out.add(MNode.of("nvpair", "id", c.group(1), "name", name, "value", c.group(3)));
            } else if (c.tryMatch(NVPAIR)) {
                out.add(MNode.of("nvpair", "name", c.group(1), "value", c.group(2)));
            } else {
                break;
            }
        }
        return out;
    }

    /**
     * {@code [$id=<id>] [<score>:] [rule ...] <n>=<v> ... | $id-ref=<id>} into a {@code tag}
     * element, or null when nothing matched and an empty list is not allowed.
     */
    static MNode attrList(Cursor c, String tag, Set<String> terminators, boolean allowEmpty) throws CrmException {
        MNode set = new MNode(tag);
        if (c.tryMatch(IDSPEC)) {
            if (c.group(1).equalsIgnoreCase("$id-ref")) {
                return set.set("id-ref", c.group(2));
            }
            set.set("id", c.group(2));
        }
        if (c.tryMatch(SCORE)) {
            set.set("score", c.group(1));
        }
        for (MNode r : rules(c)) {
            set.add(r);
        }
        for (MNode nv : nvpairs(c, terminators)) {
            set.add(nv);
        }
        if (!allowEmpty && set.attrs.isEmpty() && set.children.isEmpty()) {
            return null;
        }
        return set;
    }

    /** {@code rule [$id=..] [$role=..] [score:] expression} repeated. */
    static List<MNode> rules(Cursor c) throws CrmException {
        List<MNode> rules = new ArrayList<>();
        while (c.tryWord("rule")) {
            MNode rule = new MNode("rule");
            rules.add(rule);
            boolean ref = false;
            if (c.tryMatch(IDSPEC)) {
                ref = c.group(1).equalsIgnoreCase("$id-ref");
                rule.set(ref ? "id-ref" : "id", c.group(2));
            }
            if (c.tryMatch(ROLE)) {
                rule.set("role", role(c, c.previous(), c.group(1)));
            }
            if (ref) {
                continue;
            }
            if (c.tryMatch(SCORE)) {
                String[] s = score(c.group(1), true);
                rule.set(s[0], s[1]);
            } else {
                rule.set("score", "INFINITY");
            }
            expression(c, rule);
        }
        return rules;
    }

    static String role(Cursor c, Token t, String role) throws CrmException {
        String canon = canonize(role, ROLES);
        if (canon == null) {
            throw c.at(t, "unknown role '" + role + "'; use one of " + String.join(", ", ROLES));
        }
        return canon;
    }

    private static void expression(Cursor c, MNode rule) throws CrmException {
        String boolOp = null;
        rule.add(simpleExpression(c));
        while (c.peekIs("and", "or")) {
            Token op = c.next("and or or");
            String lower = op.text().toLowerCase(Locale.ROOT);
            if (boolOp != null && !boolOp.equals(lower)) {
                throw c.at(op, "mixing 'and' and 'or' in one rule is not allowed; split it into two rules");
            }
            boolOp = lower;
            rule.add(simpleExpression(c));
        }
        if (boolOp != null && !boolOp.equals("and")) {
            rule.set("boolean-op", boolOp);
        }
    }

    private static final Pattern TYPED_OP = Pattern.compile("(?:(string|integer|number|version):)?(lt|gt|lte|gte|eq|ne)",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern VALUE_SOURCE = Pattern.compile("([^\\s{}]+)\\{(\\S+)\\}");

    private static MNode simpleExpression(Cursor c) throws CrmException {
        if (!c.more()) {
            throw c.missing("a rule expression (<attribute> <op> <value>, defined <attribute>, or date ...)");
        }
        if (c.tryWord("date")) {
            return dateExpression(c);
        }
        // Pacemaker's resource and operation expressions (rsc_defaults, op_defaults), which crmsh has no
        // words for: pcs's words, so that show writes them and load reads them back, nothing lost
        if (c.peekIs("resource")) {
            c.next("resource");
            Token t = c.next("CLASS:PROVIDER:TYPE after 'resource' (a part may be empty, e.g. ocf:pacemaker: or ::Dummy)");
            String[] cpt = t.text().split(":", -1);
            if (cpt.length != 3 || t.text().equals("::")) {
                throw c.unexpected(t, "CLASS:PROVIDER:TYPE after 'resource' (a part may be empty, e.g. ocf:pacemaker: "
                        + "or ::Dummy)");
            }
            MNode e = new MNode("rsc_expression");
            String[] names = {"class", "provider", "type"};
            for (int i = 0; i < 3; i++) {
                if (!cpt[i].isEmpty()) {
                    e.set(names[i], cpt[i]);
                }
            }
            return e;
        }
        if (c.peekIs("op")) {
            c.next("op");
            Token name = c.next("an operation name after 'op' (e.g. op monitor interval=10s)");
            MNode e = MNode.of("op_expression", "name", name.text());
            if (c.more() && c.peekText().startsWith("interval=")) {
                e.set("interval", c.next("interval=").text().substring("interval=".length()));
            }
            return e;
        }
        if (c.peekIs("defined", "not_defined")) {
            String op = c.next("defined").text().toLowerCase(Locale.ROOT);
            String attr = c.next("a node attribute name after '" + op + "'").text();
            return MNode.of("expression", "operation", op, "attribute", attr);
        }
        Token attr = c.next("a node attribute name");
        if (Syntax.TERMINATORS.contains(attr.text()) || attr.text().contains("=")) {
            throw c.unexpected(attr, "a rule expression: <attribute> <op> <value>, defined <attribute> or date ...");
        }
        if (!c.more()) {
            throw c.missing("a comparison after '" + attr.text() + "': lt, gt, lte, gte, eq or ne");
        }
        Token opTok = c.next("an operator");
        var m = TYPED_OP.matcher(opTok.text());
        if (!m.matches()) {
            throw c.unexpected(opTok, "a comparison: lt, gt, lte, gte, eq or ne (optionally typed, e.g. number:gt)");
        }
        MNode e = MNode.of("expression", "operation", m.group(2).toLowerCase(Locale.ROOT), "attribute", attr.text());
        if (m.group(1) != null) {
            e.set("type", m.group(1).toLowerCase(Locale.ROOT));
        }
        Token value = c.next("a value after '" + opTok.text() + "'");
        var vs = VALUE_SOURCE.matcher(value.text());
        if (vs.matches()) {
            e.set("value", vs.group(2));
            e.set("value-source", vs.group(1));
        } else {
            e.set("value", value.text());
        }
        return e;
    }

    private static MNode dateExpression(Cursor c) throws CrmException {
        Token op = c.next("a date operation: lt, gt, in or spec");
        String o = op.text().toLowerCase(Locale.ROOT);
        MNode e = new MNode("date_expression");
        switch (o) {
            case "lt", "gt" -> {
                e.set("operation", o);
                Token v = c.next("a date after 'date " + o + "' (ISO 8601, e.g. 2030-01-01)");
                e.set(o.equals("lt") ? "end" : "start", v.text());
                return e;
            }
            case "in", "in_range" -> {
                e.set("operation", "in_range");
                List<String[]> kv = keyedPairs(c, true);
                if (kv.size() < 2) {
                    throw c.missing("start=<date> and end=<date> or a duration (e.g. hours=12) after 'date in'");
                }
                boolean startEnd = kv.size() == 2 && kv.stream().allMatch(p -> p[0].equals("start") || p[0].equals("end"));
                MNode duration = null;
                for (String[] p : kv) {
                    if (p[0].equals("start") || p[0].equals("end") || startEnd) {
                        e.set(p[0], p[1]);
                    } else {
                        if (duration == null) {
                            duration = e.child("duration");
                        }
                        duration.set(p[0], p[1]);
                    }
                }
                return e;
            }
            case "spec", "date_spec" -> {
                e.set("operation", "date_spec");
                List<String[]> kv = keyedPairs(c, false);
                if (kv.isEmpty()) {
                    throw c.missing("at least one of " + String.join("=, ", DATE_SPEC_NAMES) + "= after 'date spec'");
                }
                MNode spec = e.child("date_spec");
                for (String[] p : kv) {
                    spec.set(p[0], p[1]);
                }
                return e;
            }
            default -> throw c.unexpected(op, "a date operation: lt, gt, in or spec");
        }
    }

    private static List<String[]> keyedPairs(Cursor c, boolean startEnd) throws CrmException {
        List<String[]> out = new ArrayList<>();
        while (c.more()) {
            String t = c.peekText();
            int eq = t.indexOf('=');
            if (eq <= 0) {
                break;
            }
            String k = t.substring(0, eq);
            if (!(DATE_SPEC_NAMES.contains(k) || (startEnd && (k.equals("start") || k.equals("end"))))) {
                break;
            }
            out.add(new String[] {k, t.substring(eq + 1)});
            c.next("");
        }
        return out;
    }
}
