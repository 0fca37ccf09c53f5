package org.pulse.shell;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** {@code property}, {@code rsc_defaults}, {@code op_defaults}, {@code node} and {@code tag}. */
final class SetParser {
    private SetParser() {
    }

    private static final Pattern SET_ID = Pattern.compile("([\\w-]+):");
    private static final Pattern DOLLAR_ID = Pattern.compile("\\$id=(.*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern UNAME = Pattern.compile("([^:]+)(?::(normal|member|ping|remote))?", Pattern.CASE_INSENSITIVE);
    private static final Pattern TAG = Pattern.compile("([a-zA-Z_][^\\s:]*):?");

    /**
     * The root is the element to merge into the configuration: {@code cluster_property_set}
     * for property, {@code rsc_defaults}/{@code op_defaults} holding one meta_attributes set.
     */
    static Parsed properties(Cursor c, String keyword) throws CrmException {
        MNode root;
        MNode set;
        if (keyword.equals("property")) {
            root = new MNode("cluster_property_set");
            set = root;
        } else {
            root = new MNode(keyword);
            set = root.child("meta_attributes");
        }
        if (c.tryMatch(DOLLAR_ID) || c.tryMatch(SET_ID)) {
            set.set("id", c.group(1));
        } else if (c.tryMatch(Syntax.IDSPEC)) {
            set.set(c.group(1).substring(1).toLowerCase(Locale.ROOT), c.group(2));
        }
        for (MNode r : Syntax.rules(c)) {
            set.add(r);
        }
        List<MNode> pairs = Syntax.nvpairs(c, Set.of());
        for (MNode p : pairs) {
            if (p.get("value") != null && p.get("value").isEmpty()) {
                throw c.error("empty value for " + p.get("name") + "; give a value, or delete the option with "
                        + "'delete' / 'edit'");
            }
            set.add(p);
        }
        if (c.more()) {
            throw c.unexpected(c.peek(), "<name>=<value>");
        }
        if (pairs.isEmpty()) {
            throw c.missing("<name>=<value> (e.g. " + (keyword.equals("property") ? "stonith-enabled=false"
                    : keyword.equals("op_defaults") ? "timeout=60s" : "resource-stickiness=100") + ")");
        }
        return new Parsed(root);
    }

    static Parsed node(Cursor c) throws CrmException {
        MNode out = new MNode("node");
        String explicitId = null;
        if (c.tryMatch(DOLLAR_ID) || c.tryMatch(SET_ID)) {
            explicitId = c.group(1);
        }
        Token t = c.next("a node name");
        var m = UNAME.matcher(t.text());
        if (!m.matches() || t.text().contains("=")) {
            throw c.unexpected(t, "a node name, optionally with :normal|member|ping|remote");
        }
        out.set("uname", m.group(1));
        out.set("id", explicitId);
        if (m.group(2) != null) {
            out.set("type", m.group(2).toLowerCase(Locale.ROOT));
        }
        if (c.peekText() != null && c.peekText().toLowerCase(Locale.ROOT).startsWith("description=")) {
            out.set("description", c.next("").text().substring("description=".length()));
        }
        var sets = new java.util.LinkedHashMap<String, String>();
        sets.put("attributes", "instance_attributes");
        sets.put("utilization", "utilization");
        ResourceParser.arguments(c, out, sets, false, true);
        c.expectEnd("'attributes' or 'utilization'");
        return new Parsed(out);
    }

    static Parsed tag(Cursor c) throws CrmException {
        Token t = c.next("a tag id, e.g. 'tag web: vip httpd'");
        var m = TAG.matcher(t.text());
        if (!m.matches() || !Syntax.isValidId(m.group(1))) {
            throw c.unexpected(t, "a tag id");
        }
        MNode out = MNode.of("tag", "id", m.group(1));
        while (c.more()) {
            Token ref = c.next("a resource");
            if (ref.text().contains("=")) {
                throw c.unexpected(ref, "the id of an object to tag");
            }
            out.add(MNode.of("obj_ref", "id", ref.text()));
        }
        if (out.children.isEmpty()) {
            throw c.missing("the objects to tag");
        }
        return new Parsed(out);
    }
}
