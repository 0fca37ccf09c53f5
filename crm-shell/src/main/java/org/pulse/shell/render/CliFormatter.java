package org.pulse.shell.render;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlWriter;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.parse.AclSyntax;
import org.pulse.shell.parse.ResourceSetParser;

/**
 * The reverse of the parsers: configuration objects in crm syntax, as {@code crm configure show}
 * prints them (crmsh 4.4's layout: one object per paragraph, continuation lines with a
 * backslash and a tab; objects grouped by type and sorted by id).
 */
public final class CliFormatter {
    private CliFormatter() {
    }

    private static final Pattern NO_QUOTES = Pattern.compile("[\\w.-]+");
    /** crmsh's display order of object types. */
    private static final java.util.Map<String, Integer> TYPE_ORDER = java.util.Map.ofEntries(
            java.util.Map.entry("node", 0), java.util.Map.entry("rsc_template", 1), java.util.Map.entry("primitive", 2),
            java.util.Map.entry("bundle", 3), java.util.Map.entry("group", 4), java.util.Map.entry("ms", 5),
            java.util.Map.entry("clone", 6), java.util.Map.entry("tag", 8), java.util.Map.entry("location", 9),
            java.util.Map.entry("colocation", 9), java.util.Map.entry("order", 9), java.util.Map.entry("rsc_ticket", 10),
            java.util.Map.entry("fencing_topology", 10), java.util.Map.entry("property", 11),
            java.util.Map.entry("rsc_defaults", 12), java.util.Map.entry("op_defaults", 13), java.util.Map.entry("alert", 16),
            java.util.Map.entry("role", 14), java.util.Map.entry("acl_target", 15), java.util.Map.entry("acl_group", 15));

    public static String show(List<Configuration.CibObject> objects) {
        List<Configuration.CibObject> sorted = new ArrayList<>(objects);
        // crmsh's display order: by kind (constraints share one rank), then by id
        sorted.sort(Comparator.comparingInt((Configuration.CibObject o) -> TYPE_ORDER.getOrDefault(o.type(), 1000))
                .thenComparing(o -> o.id() == null ? "" : o.id()));
        // A group or clone shown as xml (a rule nested in its own sets) holds its resources in that XML: shown
        // again on their own, a save would define them twice and its load be refused (duplicate id)
        java.util.Set<String> inXml = new java.util.HashSet<>();
        for (Configuration.CibObject o : sorted) {
            if (hasNestedRule(o.element())) {
                heldResources(o.element(), inXml);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (Configuration.CibObject o : sorted) {
            if (o.id() != null && inXml.contains(o.id()) && Configuration.RESOURCE_TAGS.contains(o.element().name())) {
                continue;
            }
            sb.append(format(o)).append('\n');
        }
        return sb.toString();
    }

    private static void heldResources(XmlElement e, java.util.Set<String> out) {
        for (XmlElement c : e.elements()) {
            if (Configuration.RESOURCE_TAGS.contains(c.name())) {
                out.add(c.id());
                heldResources(c, out);
            }
        }
    }

    static String format(Configuration.CibObject o) {
        XmlElement e = o.element();
        if (hasNestedRule(e)) {
            return xmlForm(o);
        }
        List<String> parts = new ArrayList<>();
        switch (o.type()) {
            case "node" -> {
                String uname = e.attr("uname", e.id());
                String head = "node " + (e.id() != null && !e.id().equals(uname) ? e.id() + ": " : "") + uname;
                if (e.attr("type") != null && !e.attr("type").equals("normal") && !e.attr("type").equals("member")) {
                    head += ":" + e.attr("type");
                }
                parts.add(head);
                description(e, parts);
                sets(e, parts, Map.of("instance_attributes", "attributes", "utilization", "utilization"));
            }
            case "primitive", "rsc_template" -> {
                parts.add(o.type() + " " + e.id() + " " + agent(e));
                description(e, parts);
                sets(e, parts, Map.of("instance_attributes", "params", "meta_attributes", "meta",
                        "utilization", "utilization"));
                e.element("operations").ifPresent(ops -> {
                    for (XmlElement op : ops.elements("op")) {
                        parts.addAll(op(op));
                    }
                });
            }
            case "bundle" -> {
                // crmsh's form: the container, network and storage lines, then the child, so
                // that show keeps everything the bundle says
                parts.add("bundle " + e.id());
                description(e, parts);
                for (XmlElement c : e.elements()) {
                    switch (c.name()) {
                        case "docker", "podman", "rkt" -> parts.add(c.name() + attrs(c, false));
                        case "network" -> {
                            StringBuilder line = new StringBuilder("network" + attrs(c, false));
                            c.elements("port-mapping").forEach(pm -> line.append(" port-mapping").append(attrs(pm, true)));
                            parts.add(line.toString());
                        }
                        case "storage" -> {
                            StringBuilder line = new StringBuilder("storage");
                            c.elements("storage-mapping").forEach(sm -> line.append(" storage-mapping").append(attrs(sm, true)));
                            parts.add(line.toString());
                        }
                        case "primitive" -> parts.add("primitive " + c.id());
                        default -> { }
                    }
                }
                sets(e, parts, Map.of("instance_attributes", "params", "meta_attributes", "meta"));
            }
            case "group", "clone", "ms" -> {
                StringBuilder head = new StringBuilder(o.type() + " " + e.id());
                for (XmlElement c : e.elements()) {
                    if (Configuration.RESOURCE_TAGS.contains(c.name())) {
                        head.append(' ').append(c.id());
                    }
                }
                parts.add(head.toString());
                description(e, parts);
                sets(e, parts, Map.of("instance_attributes", "params", "meta_attributes", "meta"));
            }
            case "tag" -> {
                StringBuilder head = new StringBuilder("tag " + e.id());
                e.elements("obj_ref").forEach(r -> head.append(' ').append(r.id()));
                parts.add(head.toString());
            }
            case "location" -> location(e, parts);
            case "fencing_topology" -> {
                parts.add("fencing_topology");
                java.util.Map<String, List<String>> byTarget = new java.util.LinkedHashMap<>();
                for (XmlElement l : e.elements("fencing-level")) {
                    String t = l.attr("target") != null ? l.attr("target")
                            : l.attr("target-pattern") != null ? "pattern:" + l.attr("target-pattern")
                            : "attr:" + l.attr("target-attribute") + "=" + l.attr("target-value");
                    byTarget.computeIfAbsent(t, k -> new ArrayList<>()).add(l.attr("devices", ""));
                }
                // crmsh's syntax: a node target ends in ':'; attr: and pattern: targets do not (the
                // parser reads "attr:site=east:" as a device list, so show would not load back)
                byTarget.forEach((t, devs) -> parts.add(t + (t.startsWith("attr:") || t.startsWith("pattern:") ? " " : ": ")
                        + String.join(" ", devs)));
            }
            case "colocation" -> {
                List<String> head = new ArrayList<>(List.of("colocation", e.id(), score(e) + ":"));
                head.addAll(e.elements("resource_set").isEmpty()
                        ? List.of(rscQualified(e, "rsc", "role"), rscQualified(e, "with-rsc", "role"))
                        : sets(e, false));
                if (e.attr("node-attribute") != null) {
                    head.add("node-attribute=" + quote(e.attr("node-attribute")));
                }
                parts.add(String.join(" ", head));
            }
            case "order" -> {
                List<String> head = new ArrayList<>(List.of("order", e.id()));
                if (e.attr("kind") != null) {
                    head.add(e.attr("kind") + ":");
                } else if (e.attr("score") != null) {
                    head.add(score(e) + ":");
                }
                head.addAll(e.elements("resource_set").isEmpty()
                        ? List.of(rscQualified(e, "first", "action"), rscQualified(e, "then", "action"))
                        : sets(e, true));
                if (e.attr("symmetrical") != null) {
                    head.add("symmetrical=" + e.attr("symmetrical"));
                }
                parts.add(String.join(" ", head));
            }
            case "rsc_ticket" -> {
                List<String> head = new ArrayList<>(List.of("rsc_ticket", e.id(), e.attr("ticket", "") + ":"));
                head.addAll(e.elements("resource_set").isEmpty() ? List.of(rscQualified(e, "rsc", "role"))
                        : sets(e, false));
                if (e.attr("loss-policy") != null) {
                    head.add("loss-policy=" + e.attr("loss-policy"));
                }
                parts.add(String.join(" ", head));
            }
            case "property", "rsc_defaults", "op_defaults" -> {
                parts.add(o.type() + " " + (NO_QUOTES.matcher(e.id()).matches() ? e.id() + ":" : "$id=\"" + e.id() + "\""));
                for (XmlElement r : e.elements("rule")) {
                    parts.add(rule(r));
                }
                for (XmlElement nv : e.elements("nvpair")) {
                    parts.add(nvpair(nv));
                }
            }
            case "role", "acl_target", "acl_group" -> parts.addAll(AclSyntax.format(e));
            case "alert" -> alert(e, parts);
            default -> parts.add("# " + o.type() + " " + e.id() + " (shown with 'show xml " + e.id() + "')");
        }
        return String.join(" \\\n\t", parts);
    }

    /**
     * A rule inside a rule has no crm syntax: such an object is shown as crmsh shows it, {@code xml}
     * and its XML on continuation lines, which loads back as it is. (The resources a group or clone
     * holds are objects of their own and are not looked at here.)
     */
    private static boolean hasNestedRule(XmlElement e) {
        for (XmlElement c : e.elements()) {
            if (Configuration.RESOURCE_TAGS.contains(c.name())) {
                continue;
            }
            if (c.name().equals("rule") && !c.elements("rule").isEmpty()) {
                return true;
            }
            if (hasNestedRule(c)) {
                return true;
            }
        }
        return false;
    }

    private static String xmlForm(Configuration.CibObject o) {
        XmlElement e = o.element();
        if (o.type().equals("rsc_defaults") || o.type().equals("op_defaults")) {
            // the set alone would not say which defaults it is
            e = XmlElement.of(o.type()).withChildAppended(e);
        }
        return "xml " + String.join(" \\\n", XmlWriter.toXml(e).split("\n"));
    }

    /** crmsh's alert: the agent, its sets, what it selects, then each recipient (in braces when it has sets). */
    private static void alert(XmlElement e, List<String> parts) {
        parts.add("alert " + e.id() + " " + quote(e.attr("path", "")));
        sets(e, parts, Map.of("instance_attributes", "attributes", "meta_attributes", "meta"));
        e.element("select").ifPresent(sel -> {
            StringBuilder sb = new StringBuilder("select");
            for (XmlElement k : sel.elements()) {
                if (!k.name().startsWith("select_")) {
                    continue;
                }
                sb.append(' ').append(k.name().substring("select_".length()));
                List<XmlElement> names = k.elements("attribute");
                if (!names.isEmpty()) {
                    sb.append(" {");
                    names.forEach(n -> sb.append(' ').append(quote(n.attr("name", ""))));
                    sb.append(" }");
                }
            }
            parts.add(sb.toString());
        });
        for (XmlElement r : e.elements("recipient")) {
            List<String> rp = new ArrayList<>();
            sets(r, rp, Map.of("instance_attributes", "attributes", "meta_attributes", "meta"));
            parts.add(rp.isEmpty() ? "to " + quote(r.attr("value", ""))
                    : "to { " + quote(r.attr("value", "")) + " " + String.join(" ", rp) + " }");
        }
    }

    private static void location(XmlElement e, List<String> parts) {
        List<String> head = new ArrayList<>(List.of("location", e.id()));
        if (e.attr("rsc") != null) {
            head.add(e.attr("rsc"));
        } else if (e.attr("rsc-pattern") != null) {
            head.add("/" + e.attr("rsc-pattern") + "/");
        } else {
            head.add("{");
            head.addAll(sets(e, false));
            head.add("}");
        }
        if (e.attr("role") != null) {
            head.add("role=" + e.attr("role"));
        }
        if (e.attr("resource-discovery") != null) {
            head.add("resource-discovery=" + e.attr("resource-discovery"));
        }
        if (e.attr("node") != null) {
            head.add(score(e) + ":");
            head.add(e.attr("node"));
            parts.add(String.join(" ", head));
            return;
        }
        parts.add(String.join(" ", head));
        for (XmlElement r : e.elements("rule")) {
            parts.add(rule(r));
        }
    }

    static String rule(XmlElement r) {
        if (r.attr("id-ref") != null) {
            return "rule $id-ref=" + r.attr("id-ref");
        }
        List<String> s = new ArrayList<>();
        s.add("rule");
        if (r.attr("role") != null) {
            s.add("$role=" + r.attr("role"));
        }
        String score = r.attr("score");
        if (score == null) {
            score = r.attr("score-attribute");
        }
        if (score != null && !score.equals("INFINITY")) {
            s.add(score.replace("INFINITY", "inf") + ":");
        }
        String op = r.attr("boolean-op", "and");
        List<String> exprs = new ArrayList<>();
        for (XmlElement x : r.elements()) {
            if (x.name().equals("expression")) {
                exprs.add(expression(x));
            } else if (x.name().equals("date_expression")) {
                exprs.add(dateExpression(x));
            } else if (x.name().equals("rsc_expression")) {
                exprs.add("resource " + x.attr("class", "") + ":" + x.attr("provider", "") + ":" + x.attr("type", ""));
            } else if (x.name().equals("op_expression")) {
                exprs.add("op " + x.attr("name") + (x.attr("interval") == null ? "" : " interval=" + x.attr("interval")));
            }
        }
        s.add(String.join(" " + op + " ", exprs));
        return String.join(" ", s);
    }

    private static String expression(XmlElement x) {
        String operation = x.attr("operation");
        if (x.attr("type") != null) {
            operation = x.attr("type") + ":" + operation;
        }
        String value = x.attr("value");
        if (value == null || value.isEmpty()) {
            return operation + " " + x.attr("attribute");
        }
        String source = x.attr("value-source");
        if (source == null || source.equals("literal")) {
            return x.attr("attribute") + " " + operation + " " + value;
        }
        return x.attr("attribute") + " " + operation + " " + source + "{" + value + "}";
    }

    private static String dateExpression(XmlElement x) {
        String op = x.attr("operation", "in_range");
        List<String> s = new ArrayList<>(List.of("date"));
        switch (op) {
            case "lt" -> {
                s.add("lt");
                s.add(quote(x.attr("end", "")));
            }
            case "gt" -> {
                s.add("gt");
                s.add(quote(x.attr("start", "")));
            }
            default -> {
                s.add(op.equals("in_range") ? "in" : op.equals("date_spec") ? "spec" : op);
                if (op.equals("in_range")) {
                    for (String a : List.of("start", "end")) {
                        if (x.attr(a) != null) {
                            s.add(a + "=" + quote(x.attr(a)));
                        }
                    }
                }
                for (XmlElement c : x.elements()) {
                    if (c.name().equals("duration") || c.name().equals("date_spec")) {
                        c.attributes().forEach((k, v) -> {
                            if (!k.equals("id")) {
                                s.add(k + "=" + quote(v));
                            }
                        });
                    }
                }
            }
        }
        return String.join(" ", s);
    }

    private static String rscQualified(XmlElement e, String attr, String qualifier) {
        String q = e.attr(attr + "-" + qualifier);
        if (q == null) {
            q = e.attr(attr + "-instance");
        }
        return q == null ? e.attr(attr) : e.attr(attr) + ":" + q;
    }

    /** Resource sets back into crm syntax; crmsh's rsc_set_constraint. */
    private static List<String> sets(XmlElement e, boolean order) {
        List<String> col = new ArrayList<>();
        int count = 0;
        Boolean seq = null;
        Boolean req = null;
        for (XmlElement s : e.elements("resource_set")) {
            seq = s.attr("sequential") == null ? null : ResourceSetParser.bool(s.attr("sequential"));
            req = s.attr("require-all") == null ? null : ResourceSetParser.bool(s.attr("require-all"));
            if (Boolean.FALSE.equals(req)) {
                col.add("[");
            } else if (Boolean.FALSE.equals(seq)) {
                col.add("(");
            }
            String q = order ? s.attr("action") : s.attr("role");
            for (XmlElement r : s.elements("resource_ref")) {
                col.add(q == null ? r.id() : r.id() + ":" + q);
                count++;
            }
            if (Boolean.FALSE.equals(req)) {
                if (seq == null || seq) {
                    col.add("sequential=true");
                }
                col.add("]");
            } else if (Boolean.FALSE.equals(seq)) {
                col.add(")");
            }
        }
        boolean seqAll = (seq == null || seq) && (req == null || req);
        // crmsh's marker of a set that would otherwise read as plain resources: up to two in a colocation
        // or order, one in a ticket
        int plain = e.name().equals("rsc_ticket") ? 1 : 2;
        if (!e.name().equals("rsc_location") && (e.name().equals("rsc_ticket") || seqAll) && count <= plain) {
            col.add(0, "_rsc_set_");
        }
        return col;
    }

    private static String score(XmlElement e) {
        String s = e.attr("score");
        if (s == null) {
            s = e.attr("score-attribute");
        }
        return s == null ? "" : s.replace("INFINITY", "inf");
    }

    static String agent(XmlElement e) {
        if (e.attr("template") != null) {
            return "@" + e.attr("template");
        }
        String cls = e.attr("class", "");
        String provider = e.attr("provider");
        String type = e.attr("type", "");
        if (cls.equals("ocf") && "heartbeat".equals(provider)) {
            return type;
        }
        return provider == null ? cls + ":" + type : cls + ":" + provider + ":" + type;
    }

    private static void description(XmlElement e, List<String> parts) {
        if (e.attr("description") != null) {
            parts.add("description=" + quote(e.attr("description")));
        }
    }

    private static void sets(XmlElement e, List<String> parts, Map<String, String> keywords) {
        for (XmlElement s : e.elements()) {
            String kw = keywords.get(s.name());
            if (kw != null) {
                parts.add(attrSet(kw, s));
            }
        }
    }

    private static String attrSet(String keyword, XmlElement s) {
        List<String> words = new ArrayList<>(List.of(keyword));
        if (s.attr("id-ref") != null) {
            words.add("$id-ref=" + s.attr("id-ref"));
            return String.join(" ", words);
        }
        if (s.attr("score") != null) {
            words.add(s.attr("score").replace("INFINITY", "inf") + ":");
        }
        for (XmlElement r : s.elements("rule")) {
            words.add(rule(r));
        }
        for (XmlElement nv : s.elements("nvpair")) {
            words.add(nvpair(nv));
        }
        return String.join(" ", words);
    }

    private static List<String> op(XmlElement op) {
        List<String> out = new ArrayList<>();
        StringBuilder sb = new StringBuilder("op " + op.attr("name"));
        op.attributes().forEach((k, v) -> {
            if (!k.equals("id") && !k.equals("name")) {
                sb.append(' ').append(k).append('=').append(quote(v));
            }
        });
        out.add(sb.toString());
        for (XmlElement s : op.elements()) {
            if (s.name().equals("instance_attributes")) {
                out.add(attrSet("op_params", s));
            } else if (s.name().equals("meta_attributes")) {
                out.add(attrSet("op_meta", s));
            }
        }
        return out;
    }

    static String nvpair(XmlElement nv) {
        if (nv.attr("id-ref") != null) {
            return nv.attr("name") == null ? "@" + nv.attr("id-ref") : "@" + nv.attr("id-ref") + ":" + nv.attr("name");
        }
        String v = nv.attr("value");
        return v == null ? nv.attr("name") : nv.attr("name") + "=" + quote(v);
    }

    /** " name=value" for each XML attribute (the id only when asked), values quoted as needed. */
    private static String attrs(XmlElement e, boolean withId) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            if (!withId && "id".equals(a.getKey())) {
                continue;
            }
            sb.append(' ').append(a.getKey()).append('=').append(quote(a.getValue()));
        }
        return sb.toString();
    }

    public static String quote(String v) {
        if (NO_QUOTES.matcher(v).matches()) {
            return v;
        }
        return "\"" + v.replace("\"", "\\\"") + "\"";
    }
}
