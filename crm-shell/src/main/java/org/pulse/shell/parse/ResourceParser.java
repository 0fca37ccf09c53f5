package org.pulse.shell.parse;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.pulse.shell.CrmException;

/** {@code primitive}, {@code rsc_template}, {@code group}, {@code clone}, {@code ms}/{@code master}. */
final class ResourceParser {
    private ResourceParser() {
    }

    /** Attributes of {@code <op>} itself; any other name=value after {@code op <name>} is an op parameter. */
    static final Set<String> OP_ATTRIBUTES = Set.of("id", "name", "interval", "description", "start-delay",
            "interval-origin", "timeout", "enabled", "record-pending", "role", "requires", "on-fail");
    private static final Pattern DESCRIPTION = Pattern.compile("description=(.*)", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern TEMPLATE = Pattern.compile("@(.+)");
    private static final Pattern RA_TYPE = Pattern.compile("[A-Za-z0-9_:@.-]+");

    static Parsed primitive(Cursor c, boolean template) throws CrmException {
        MNode out = new MNode(template ? "template" : "primitive");
        out.set("id", Syntax.objectId(c, "a resource id"));
        if (!template && c.tryMatch(TEMPLATE)) {
            out.set("template", c.group(1));
        } else {
            Token t = c.next("the agent as [class:[provider:]]type, e.g. ocf:heartbeat:IPaddr2");
            String[] cpt = splitAgent(c, t);
            out.set("class", cpt[0]);
            out.set("provider", cpt[1]);
            out.set("type", cpt[2]);
        }
        if (c.tryMatch(DESCRIPTION)) {
            out.set("description", c.group(1));
        }
        Map<String, String> sets = new LinkedHashMap<>();
        sets.put("params", "instance_attributes");
        sets.put("meta", "meta_attributes");
        sets.put("utilization", "utilization");
        arguments(c, out, sets, true, true);
        c.expectEnd("'params', 'meta', 'utilization' or 'op'");
        return new Parsed(out);
    }

    /** [class:[provider:]]type; a bare type is looked up later among the installed agents (crmsh's disambiguation). */
    static String[] splitAgent(Cursor c, Token t) throws CrmException {
        if (!RA_TYPE.matcher(t.text()).matches() || t.text().contains("=")) {
            throw c.unexpected(t, "the agent as [class:[provider:]]type, e.g. ocf:heartbeat:IPaddr2");
        }
        String[] parts = t.text().split(":", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                throw c.at(t, "empty part in the agent name; write class:provider:type, e.g. ocf:heartbeat:Dummy");
            }
        }
        return switch (parts.length) {
            case 1 -> new String[] {null, null, parts[0]};
            case 2 -> {
                if (parts[0].equals("ocf")) {
                    throw c.at(t, "an ocf agent needs a provider: write ocf:<provider>:" + parts[1]
                            + ", e.g. ocf:heartbeat:" + parts[1]);
                }
                yield new String[] {parts[0], null, parts[1]};
            }
            case 3 -> {
                if (!parts[0].equals("ocf")) {
                    throw c.at(t, "only ocf agents have a provider; write " + parts[0] + ":" + parts[2]);
                }
                yield new String[] {parts[0], parts[1], parts[2]};
            }
            default -> throw c.at(t, "too many ':' in the agent name; write class:provider:type");
        };
    }

    /**
     * crmsh's match_arguments: attribute lists introduced by their keyword, plus ops; the very
     * first list may come without its keyword (implicit params).
     */
    static void arguments(Cursor c, MNode out, Map<String, String> sets, boolean ops, boolean implicitParams)
            throws CrmException {
        boolean initial = true;
        while (c.more()) {
            String t = c.peekText().toLowerCase(Locale.ROOT);
            if (ops && t.equals("op")) {
                initial = false;
                MNode operations = out.first("operations");
                if (operations == null) {
                    operations = out.child("operations");
                }
                while (c.peekIs("op")) {
                    operations.add(op(c));
                }
            } else if (ops && t.equals("operations")) {
                initial = false;
                c.next("operations");
                MNode operations = out.first("operations");
                if (operations == null) {
                    operations = out.child("operations");
                }
                if (!c.tryMatch(Syntax.IDSPEC)) {
                    throw c.missing("$id=<id> or $id-ref=<id> after 'operations'");
                }
                operations.set(c.group(1).substring(1).toLowerCase(Locale.ROOT), c.group(2));
            } else if (sets.containsKey(t)) {
                initial = false;
                Token kw = c.next(t);
                MNode set = Syntax.attrList(c, sets.get(t), Syntax.TERMINATORS, true);
                if (set.attrs.isEmpty() && set.children.isEmpty()) {
                    throw c.missing("name=value pairs after '" + kw.text() + "'");
                }
                out.add(set);
            } else if (initial && implicitParams) {
                initial = false;
                MNode set = Syntax.attrList(c, "instance_attributes", Syntax.TERMINATORS, false);
                if (set == null) {
                    return;
                }
                out.add(set);
            } else {
                return;
            }
        }
    }

    /** {@code op <name> [<attr>=<value>...] [op_params ...] [op_meta ...]}. */
    static MNode op(Cursor c) throws CrmException {
        c.next("op");
        Token name = c.next("an operation name after 'op' (start, stop, monitor, promote, ...)");
        if (!Syntax.isValidId(name.text()) || Syntax.TERMINATORS.contains(name.text())) {
            throw c.unexpected(name, "an operation name after 'op' (start, stop, monitor, promote, ...)");
        }
        MNode op = MNode.of("op", "name", name.text());
        int first = c.position();
        List<MNode> attrs = Syntax.nvpairs(c, Syntax.TERMINATORS);
        if (c.more() && !Syntax.TERMINATORS.contains(c.peekText().toLowerCase(Locale.ROOT))) {
            Token bad = c.peek();
            throw c.unexpected(bad, bad.text().contains("=") ? "name=value" :
                    "name=value (e.g. " + bad.text() + "=10s) after 'op " + name.text() + "'");
        }
        if (attrs.stream().noneMatch(a -> "interval".equals(a.get("name")))) {
            attrs = new ArrayList<>(attrs);
            attrs.add(MNode.of("nvpair", "name", "interval", "value", "0"));
        }
        MNode inst = null;
        for (int i = 0; i < attrs.size(); i++) {
            MNode a = attrs.get(i);
            // each name=value is one word; the added interval=0 has none
            Token word = first + i < c.position() ? c.at(first + i) : name;
            String n = a.get("name");
            if (n != null && OP_ATTRIBUTES.contains(n)) {
                if (inst != null) {
                    throw c.at(word, "operation attribute '" + n + "' of 'op " + name.text()
                            + "' must come before its parameters (" + inst.children.get(0).get("name") + "=...)");
                }
                String v = a.get("value");
                if (n.equals("role")) {
                    v = Syntax.role(c, word, v);
                }
                op.set(n, v);
            } else {
                if (inst == null) {
                    inst = new MNode("instance_attributes");
                }
                inst.add(a);
            }
        }
        if (inst != null) {
            op.add(inst);
        }
        while (c.more()) {
            if (c.tryWord("op_params")) {
                op.add(nonEmpty(c, Syntax.attrList(c, "instance_attributes", Syntax.TERMINATORS, true), "op_params"));
            } else if (c.tryWord("op_meta")) {
                op.add(nonEmpty(c, Syntax.attrList(c, "meta_attributes", Syntax.TERMINATORS, true), "op_meta"));
            } else {
                break;
            }
        }
        return op;
    }

    private static MNode nonEmpty(Cursor c, MNode set, String kw) throws CrmException {
        if (set.attrs.isEmpty() && set.children.isEmpty()) {
            throw c.missing("name=value pairs after '" + kw + "'");
        }
        return set;
    }

    static Parsed group(Cursor c) throws CrmException {
        MNode out = new MNode("group");
        out.set("id", Syntax.objectId(c, "a group id"));
        List<String> children = new ArrayList<>();
        while (c.more()) {
            String t = c.peekText();
            if (t.contains("=") || t.equalsIgnoreCase("params") || t.equalsIgnoreCase("meta")) {
                break;
            }
            Token child = c.next("a resource");
            if (children.contains(child.text())) {
                throw c.at(child, "listed more than once in group " + out.get("id") + "; list each resource once");
            }
            children.add(child.text());
        }
        if (children.isEmpty()) {
            throw c.missing("the resources of group " + out.get("id") + ", in start order");
        }
        if (c.tryMatch(DESCRIPTION)) {
            out.set("description", c.group(1));
        }
        Map<String, String> sets = new LinkedHashMap<>();
        sets.put("params", "instance_attributes");
        sets.put("meta", "meta_attributes");
        arguments(c, out, sets, false, true);
        c.expectEnd("'params' or 'meta'");
        return new Parsed(out, children, List.of());
    }

    static Parsed clone(Cursor c, String keyword) throws CrmException {
        boolean legacy = !keyword.equals("clone");
        MNode out = new MNode(legacy ? "master" : "clone");
        out.set("id", Syntax.objectId(c, "a clone id"));
        Token child = c.next("the resource to clone (a primitive or a group)");
        if (child.text().contains("=") || Syntax.TERMINATORS.contains(child.text())) {
            throw c.unexpected(child, "the resource to clone (a primitive or a group)");
        }
        if (c.tryMatch(DESCRIPTION)) {
            out.set("description", c.group(1));
        }
        Map<String, String> sets = new LinkedHashMap<>();
        sets.put("params", "instance_attributes");
        sets.put("meta", "meta_attributes");
        arguments(c, out, sets, false, true);
        c.expectEnd("'params' or 'meta'");
        List<String> warnings = legacy
                ? List.of("\"" + keyword + "\" is deprecated. Please use \"clone " + out.get("id") + " "
                        + child.text() + " meta promotable=true\"")
                : List.of();
        return new Parsed(out, List.of(child.text()), warnings);
    }
}
