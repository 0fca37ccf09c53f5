package org.pulse.cib;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.xml.XmlComment;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.cib.xml.XmlText;

/**
 * The wire form of a {@link CibDiff}, one JSON object (Jackson tree model, so attribute order
 * inside the JSON objects is kept):
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
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CibDiffJson() {
    }

    static String write(CibDiff diff) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("format", FORMAT);
        o.put("formatVersion", FORMAT_VERSION);
        o.put("from", diff.from().toString());
        o.put("to", diff.to().toString());
        ArrayNode changes = o.putArray("changes");
        for (CibDiff.Change c : diff.changes()) {
            ObjectNode j = changes.addObject();
            if (c instanceof CibDiff.ModifyAttributes m) {
                j.put("op", "modify");
                j.set("path", path(m.path()));
                ObjectNode set = j.putObject("set");
                m.set().forEach(set::put);
                ArrayNode rm = j.putArray("remove");
                m.removed().forEach(rm::add);
            } else if (c instanceof CibDiff.Create cr) {
                j.put("op", "create");
                j.set("parent", path(cr.parent()));
                j.put("index", cr.index());
                j.set("node", node(cr.node()));
            } else if (c instanceof CibDiff.Delete d) {
                j.put("op", "delete");
                j.set("path", path(d.path()));
            } else if (c instanceof CibDiff.Move mv) {
                j.put("op", "move");
                j.set("path", path(mv.path()));
                j.put("index", mv.index());
            }
        }
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree built in memory", e);
        }
    }

    private static ArrayNode path(List<CibDiff.Step> steps) {
        ArrayNode a = MAPPER.createArrayNode();
        for (CibDiff.Step s : steps) {
            ObjectNode j = a.addObject();
            j.put("name", s.name());
            if (s.id() != null) {
                j.put("id", s.id());
            }
            if (s.occurrence() != 0) {
                j.put("n", s.occurrence());
            }
        }
        return a;
    }

    private static ObjectNode node(XmlNode n) {
        ObjectNode j = MAPPER.createObjectNode();
        if (n instanceof XmlElement e) {
            j.put("element", e.name());
            ObjectNode attrs = j.putObject("attributes");
            e.attributes().forEach(attrs::put);
            ArrayNode children = j.putArray("children");
            for (XmlNode c : e.children()) {
                children.add(node(c));
            }
        } else if (n instanceof XmlText t) {
            j.put("text", t.text());
        } else if (n instanceof XmlComment c) {
            j.put("comment", c.text());
        }
        return j;
    }

    // ---- reading: every missing or mistyped field is named with the change it is in

    static CibDiff read(String json) throws CibException {
        JsonNode o;
        try {
            o = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CibException("a CIB diff is not valid JSON: " + e.getOriginalMessage()
                    + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr()
                    + "); the sender must send CibDiff.toJson() output");
        }
        if (o == null || !o.isObject()) {
            throw new CibException("a CIB diff must be a JSON object, got: " + abbreviate(json));
        }
        if (!FORMAT.equals(o.path("format").asText(null))) {
            throw new CibException("not a CIB diff: \"format\" is " + o.path("format")
                    + ", expected \"" + FORMAT + "\"");
        }
        int version = o.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new CibException("CIB diff format version " + o.path("formatVersion") + " is not supported "
                    + "(this Pulse reads version " + FORMAT_VERSION + "); run the same Pulse version on all nodes");
        }
        CibVersion from = version(o, "from");
        CibVersion to = version(o, "to");
        JsonNode changes = o.path("changes");
        if (!changes.isArray()) {
            throw new CibException("a CIB diff needs a \"changes\" array");
        }
        List<CibDiff.Change> out = new ArrayList<>();
        int i = 0;
        for (JsonNode c : changes) {
            String where = "change " + i + " of the CIB diff " + from + " -> " + to;
            try {
                out.add(change(c, where));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new CibException(where + ": " + e.getMessage());
            }
            i++;
        }
        return new CibDiff(from, to, out);
    }

    private static CibDiff.Change change(JsonNode c, String where) throws CibException {
        String op = c.path("op").asText("");
        switch (op) {
            case "modify" -> {
                Map<String, String> set = new LinkedHashMap<>();
                JsonNode s = c.path("set");
                if (!s.isObject() && !s.isMissingNode()) {
                    throw new CibException(where + ": \"set\" must be an object of attribute values");
                }
                for (Map.Entry<String, JsonNode> e : s.properties()) {
                    set.put(e.getKey(), text(e.getValue(), where + ": attribute " + e.getKey()));
                }
                List<String> removed = new ArrayList<>();
                for (JsonNode r : c.path("remove")) {
                    removed.add(text(r, where + ": \"remove\""));
                }
                return new CibDiff.ModifyAttributes(path(c.path("path"), where), set, removed);
            }
            case "create" -> {
                return new CibDiff.Create(path(c.path("parent"), where), index(c, where), node(c.path("node"), where, 0));
            }
            case "delete" -> {
                return new CibDiff.Delete(path(c.path("path"), where));
            }
            case "move" -> {
                return new CibDiff.Move(path(c.path("path"), where), index(c, where));
            }
            default -> throw new CibException(where + ": unknown op \"" + op
                    + "\"; a CIB diff has create, delete, move and modify");
        }
    }

    private static int index(JsonNode c, String where) throws CibException {
        JsonNode i = c.path("index");
        if (!i.canConvertToInt() || !i.isIntegralNumber() || i.asInt() < 0) {
            throw new CibException(where + ": \"index\" must be a whole number >= 0, got " + i);
        }
        return i.asInt();
    }

    private static List<CibDiff.Step> path(JsonNode p, String where) throws CibException {
        if (!p.isArray() || p.isEmpty()) {
            throw new CibException(where + ": a path must be a non-empty array of steps, got " + p);
        }
        List<CibDiff.Step> steps = new ArrayList<>();
        for (JsonNode s : p) {
            String name = text(s.path("name"), where + ": a path step's \"name\"");
            JsonNode id = s.path("id");
            int n = s.path("n").asInt(0);
            steps.add(new CibDiff.Step(name, id.isTextual() ? id.asText() : null, n));
        }
        return steps;
    }

    private static XmlNode node(JsonNode n, String where, int depth) throws CibException {
        if (depth > org.pulse.cib.xml.XmlParser.MAX_DEPTH) {
            throw new CibException(where + ": nodes nested deeper than " + org.pulse.cib.xml.XmlParser.MAX_DEPTH);
        }
        if (n.has("text")) {
            return new XmlText(text(n.get("text"), where + ": \"text\""));
        }
        if (n.has("comment")) {
            return new XmlComment(text(n.get("comment"), where + ": \"comment\""));
        }
        String name = text(n.path("element"), where + ": a node needs \"element\", \"text\" or \"comment\"; \"element\"");
        Map<String, String> attrs = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.path("attributes").properties()) {
            attrs.put(e.getKey(), text(e.getValue(), where + ": attribute " + e.getKey() + " of <" + name + ">"));
        }
        List<XmlNode> children = new ArrayList<>();
        for (JsonNode c : n.path("children")) {
            children.add(node(c, where, depth + 1));
        }
        return new XmlElement(name, attrs, children);
    }

    private static String text(JsonNode n, String what) throws CibException {
        if (n == null || !n.isTextual()) {
            throw new CibException(what + " must be a string, got " + (n == null || n.isMissingNode() ? "nothing" : n));
        }
        return n.asText();
    }

    private static CibVersion version(JsonNode o, String field) throws CibException {
        String v = o.path(field).asText("");
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
