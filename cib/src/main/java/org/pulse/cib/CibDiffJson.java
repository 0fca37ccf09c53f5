package org.pulse.cib;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.json.Json;
import org.pulse.cib.xml.XmlComment;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.cib.xml.XmlText;

/**
 * The wire form of a {@link CibDiff}, one JSON object (written and read with {@link Json}, which keeps
 * attribute order inside the JSON objects):
 *
 * <pre>
 * {"format":"pulse-cib-diff","formatVersion":1,"from":"0.5.3","to":"0.5.4","changes":[
 *   {"op":"modify","path":[{"name":"cib"},{"name":"status"},{"name":"node_state","id":"1"}],
 *    "set":{"crmd":"online"},"remove":["join"]},
 *   {"op":"create","parent":[...],"index":3,"node":{"element":"lrm_rsc_op","attributes":{...},"children":[]}},
 *   {"op":"delete","path":[...]},
 *   {"op":"move","path":[...],"index":0}]}
 * </pre>
 *
 * A step is {@code {"name":..,"id":..,"n":occurrence}} with id and n left out when null / 0.
 * A node is {@code {"element":name,"attributes":{..},"children":[..]}}, {@code {"text":".."}} or
 * {@code {"comment":".."}}. Nodes travel as JSON trees rather than XML text so that every node,
 * including text with leading spaces, comes back exactly.
 */
final class CibDiffJson {
    static final String FORMAT = "pulse-cib-diff";
    static final int FORMAT_VERSION = 1;
    private CibDiffJson() {
    }

    static String write(CibDiff diff) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"format\":");
        Json.string(b, FORMAT);
        b.append(",\"formatVersion\":").append(FORMAT_VERSION).append(",\"from\":");
        Json.string(b, diff.from().toString());
        b.append(",\"to\":");
        Json.string(b, diff.to().toString());
        b.append(",\"changes\":[");
        boolean first = true;
        for (CibDiff.Change c : diff.changes()) {
            if (!first) {
                b.append(',');
            }
            first = false;
            if (c instanceof CibDiff.ModifyAttributes m) {
                b.append("{\"op\":\"modify\",\"path\":");
                path(b, m.path());
                b.append(",\"set\":");
                Json.write(b, m.set());
                b.append(",\"remove\":");
                Json.write(b, m.removed());
            } else if (c instanceof CibDiff.Create cr) {
                b.append("{\"op\":\"create\",\"parent\":");
                path(b, cr.parent());
                b.append(",\"index\":").append(cr.index()).append(",\"node\":");
                node(b, cr.node());
            } else if (c instanceof CibDiff.Delete d) {
                b.append("{\"op\":\"delete\",\"path\":");
                path(b, d.path());
            } else if (c instanceof CibDiff.Move mv) {
                b.append("{\"op\":\"move\",\"path\":");
                path(b, mv.path());
                b.append(",\"index\":").append(mv.index());
            } else {
                b.append('{');
            }
            b.append('}');
        }
        return b.append("]}").toString();
    }

    private static void path(StringBuilder b, List<CibDiff.Step> steps) {
        b.append('[');
        for (int i = 0; i < steps.size(); i++) {
            CibDiff.Step s = steps.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("{\"name\":");
            Json.string(b, s.name());
            if (s.id() != null) {
                b.append(",\"id\":");
                Json.string(b, s.id());
            }
            if (s.occurrence() != 0) {
                b.append(",\"n\":").append(s.occurrence());
            }
            b.append('}');
        }
        b.append(']');
    }

    /** Nodes nest only as deep as the XML parser allows (XmlParser.MAX_DEPTH): recursion is bounded. */
    private static void node(StringBuilder b, XmlNode n) {
        if (n instanceof XmlElement e) {
            b.append("{\"element\":");
            Json.string(b, e.name());
            b.append(",\"attributes\":");
            Json.write(b, e.attributes());
            b.append(",\"children\":[");
            boolean first = true;
            for (XmlNode c : e.children()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                node(b, c);
            }
            b.append("]}");
        } else if (n instanceof XmlText t) {
            b.append("{\"text\":");
            Json.string(b, t.text());
            b.append('}');
        } else if (n instanceof XmlComment c) {
            b.append("{\"comment\":");
            Json.string(b, c.text());
            b.append('}');
        } else {
            b.append("{}");
        }
    }

    // ---- reading: every missing or mistyped field is named with the change it is in

    static CibDiff read(String json) throws CibException {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (Json.JsonException e) {
            throw new CibException("a CIB diff is not valid JSON: " + e.reason() + " (line " + e.line() + ", column "
                    + e.column() + "); the sender must send CibDiff.toJson() output");
        }
        if (!(parsed instanceof Map<?, ?>)) {
            throw new CibException("a CIB diff must be a JSON object, got: " + abbreviate(json));
        }
        Map<String, Object> o = Json.fields(parsed);
        if (!FORMAT.equals(o.get("format"))) {
            throw new CibException("not a CIB diff: \"format\" is " + Json.quote(o.get("format"))
                    + ", expected \"" + FORMAT + "\"");
        }
        Integer version = Json.smallInt(o.get("formatVersion"));
        if (version == null || version != FORMAT_VERSION) {
            throw new CibException("CIB diff format version " + Json.quote(o.get("formatVersion")) + " is not supported "
                    + "(this Pulse reads version " + FORMAT_VERSION + "); run the same Pulse version on all nodes");
        }
        CibVersion from = version(o, "from");
        CibVersion to = version(o, "to");
        if (!(o.get("changes") instanceof List<?> changes)) {
            throw new CibException("a CIB diff needs a \"changes\" array");
        }
        List<CibDiff.Change> out = new ArrayList<>();
        int i = 0;
        for (Object c : changes) {
            String where = "change " + i + " of the CIB diff " + from + " -> " + to;
            try {
                out.add(change(Json.fields(c), where));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new CibException(where + ": " + e.getMessage());
            }
            i++;
        }
        return new CibDiff(from, to, out);
    }

    private static CibDiff.Change change(Map<String, Object> c, String where) throws CibException {
        String op = Json.text(c.get("op"), "");
        switch (op) {
            case "modify" -> {
                Map<String, String> set = new LinkedHashMap<>();
                Object s = c.get("set");
                if (s != null && !(s instanceof Map<?, ?>)) {
                    throw new CibException(where + ": \"set\" must be an object of attribute values");
                }
                for (Map.Entry<String, Object> e : Json.fields(s).entrySet()) {
                    set.put(e.getKey(), text(e.getValue(), where + ": attribute " + e.getKey()));
                }
                List<String> removed = new ArrayList<>();
                for (Object r : list(c.get("remove"), where + ": \"remove\"")) {
                    removed.add(text(r, where + ": \"remove\""));
                }
                return new CibDiff.ModifyAttributes(path(c.get("path"), where), set, removed);
            }
            case "create" -> {
                return new CibDiff.Create(path(c.get("parent"), where), index(c, where), node(c.get("node"), where, 0));
            }
            case "delete" -> {
                return new CibDiff.Delete(path(c.get("path"), where));
            }
            case "move" -> {
                return new CibDiff.Move(path(c.get("path"), where), index(c, where));
            }
            default -> throw new CibException(where + ": unknown op \"" + op
                    + "\"; a CIB diff has create, delete, move and modify");
        }
    }

    /** An array's items; none when missing. */
    private static List<?> list(Object v, String what) throws CibException {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l)) {
            throw new CibException(what + " must be an array, got " + Json.quote(v));
        }
        return l;
    }

    private static int index(Map<String, Object> c, String where) throws CibException {
        Integer i = Json.smallInt(c.get("index"));
        if (i == null || i < 0) {
            throw new CibException(where + ": \"index\" must be a whole number >= 0, got " + Json.quote(c.get("index")));
        }
        return i;
    }

    private static List<CibDiff.Step> path(Object p, String where) throws CibException {
        if (!(p instanceof List<?> l) || l.isEmpty()) {
            throw new CibException(where + ": a path must be a non-empty array of steps, got " + Json.quote(p));
        }
        List<CibDiff.Step> steps = new ArrayList<>();
        for (Object s : l) {
            String name = text(Json.field(s, "name"), where + ": a path step's \"name\"");
            Object id = Json.field(s, "id");
            Integer n = Json.smallInt(Json.field(s, "n"));
            steps.add(new CibDiff.Step(name, id instanceof String t ? t : null, n == null ? 0 : n));
        }
        return steps;
    }

    /** A node and its children; the recursion stops at XmlParser.MAX_DEPTH, as the XML parser does. */
    private static XmlNode node(Object n, String where, int depth) throws CibException {
        if (depth > org.pulse.cib.xml.XmlParser.MAX_DEPTH) {
            throw new CibException(where + ": nodes nested deeper than " + org.pulse.cib.xml.XmlParser.MAX_DEPTH);
        }
        Map<String, Object> m = Json.fields(n);
        if (m.containsKey("text")) {
            return new XmlText(text(m.get("text"), where + ": \"text\""));
        }
        if (m.containsKey("comment")) {
            return new XmlComment(text(m.get("comment"), where + ": \"comment\""));
        }
        String name = text(m.get("element"), where + ": a node needs \"element\", \"text\" or \"comment\"; \"element\"");
        Map<String, String> attrs = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Json.fields(m.get("attributes")).entrySet()) {
            attrs.put(e.getKey(), text(e.getValue(), where + ": attribute " + e.getKey() + " of <" + name + ">"));
        }
        List<XmlNode> children = new ArrayList<>();
        for (Object c : list(m.get("children"), where + ": the children of <" + name + ">")) {
            children.add(node(c, where, depth + 1));
        }
        return new XmlElement(name, attrs, children);
    }

    private static String text(Object n, String what) throws CibException {
        if (!(n instanceof String s)) {
            throw new CibException(what + " must be a string, got " + Json.quote(n));
        }
        return s;
    }

    private static CibVersion version(Map<String, Object> o, String field) throws CibException {
        String v = Json.text(o.get(field), "");
        String[] parts = v.split("\\.");
        try {
            if (parts.length == 3) {
                return new CibVersion(Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            }
        } catch (IllegalArgumentException e) {
            // fall through to the message below
        }
        throw new CibException("a CIB diff's \"" + field + "\" must be a version like \"0.12.3\", got \"" + v + "\"");
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }
}
