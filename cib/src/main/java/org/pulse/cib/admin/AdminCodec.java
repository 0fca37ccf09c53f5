package org.pulse.cib.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/** Encodes and decodes admin messages, one line of JSON each; see the package comment for the format. */
public final class AdminCodec {
    /** The protocol version this build speaks. Bump it when a message changes incompatibly. */
    public static final int PROTOCOL_VERSION = 1;
    /** Larger messages are refused before parsing (a whole 10,000-resource CIB is about 4 MB). */
    public static final int MAX_MESSAGE_CHARS = 64 << 20;
    /**
     * Jackson's mapper is thread-safe once configured, and this one never is reconfigured. Its
     * string limit (20 M characters by default) is raised to the message limit, since a whole
     * CIB travels as one string in query and replace.
     */
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_MESSAGE_CHARS).build())
            .build());

    private AdminCodec() {
    }

    public static String encode(AdminRequest r) {
        ObjectNode o = header(r.id());
        o.put("op", r.op());
        o.set("args", values(r.args()));
        return write(o);
    }

    public static String encode(AdminResponse r) {
        ObjectNode o = header(r.id());
        o.put("ok", r.ok());
        if (r.ok()) {
            o.set("result", values(r.result()));
        } else {
            ObjectNode e = o.putObject("error");
            e.put("code", r.error().code());
            e.put("message", r.error().message());
        }
        return write(o);
    }

    public static AdminRequest decodeRequest(String json) throws AdminProtocolException {
        JsonNode o = read(json, "request");
        String id = o.path("id").asText("");
        String op = o.path("op").asText("");
        if (!o.path("op").isTextual() || op.isBlank()) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST,
                    "the admin request has no \"op\" (the operation's name, e.g. \"query\")");
        }
        return new AdminRequest(id, op, args(o.path("args"), "argument"));
    }

    public static AdminResponse decodeResponse(String json) throws AdminProtocolException {
        JsonNode o = read(json, "response");
        String id = o.path("id").asText("");
        if (o.path("ok").asBoolean(false)) {
            return AdminResponse.ok(id, args(o.path("result"), "result"));
        }
        JsonNode e = o.path("error");
        if (!e.path("code").isTextual() || !e.path("message").isTextual()) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST,
                    "the admin response is neither ok nor has an error with code and message: " + abbreviate(json));
        }
        return AdminResponse.error(id, e.get("code").asText(), e.get("message").asText());
    }

    private static ObjectNode header(String id) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("protocol", PROTOCOL_VERSION);
        o.put("id", id);
        return o;
    }

    private static ObjectNode values(AdminArgs args) {
        ObjectNode o = MAPPER.createObjectNode();
        for (Map.Entry<String, Object> e : args.asMap().entrySet()) {
            Object v = e.getValue();
            if (v instanceof String s) {
                o.put(e.getKey(), s);
            } else if (v instanceof Long l) {
                o.put(e.getKey(), l);
            } else if (v instanceof Boolean b) {
                o.put(e.getKey(), b);
            }
        }
        return o;
    }

    private static String write(ObjectNode o) {
        try {
            return MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree built in memory", e);
        }
    }

    private static JsonNode read(String json, String what) throws AdminProtocolException {
        if (json == null || json.isBlank()) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "empty admin " + what + "; send one JSON object per line");
        }
        if (json.length() > MAX_MESSAGE_CHARS) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "admin " + what + " of " + json.length()
                    + " characters is larger than the limit of " + MAX_MESSAGE_CHARS);
        }
        JsonNode o;
        try {
            o = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            // Jackson's own limits (nesting depth, number length) give no location.
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "admin " + what + " is not valid JSON" + where + ": "
                    + e.getOriginalMessage() + "; send one JSON object per line");
        }
        if (o == null || !o.isObject()) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "admin " + what + " must be a JSON object, got: "
                    + abbreviate(json));
        }
        JsonNode v = o.path("protocol");
        if (!v.isInt()) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "admin " + what
                    + " has no \"protocol\" version number; this Pulse speaks protocol " + PROTOCOL_VERSION);
        }
        if (v.asInt() != PROTOCOL_VERSION) {
            throw new AdminProtocolException(AdminError.UNSUPPORTED_VERSION, "admin protocol version " + v.asInt()
                    + " is not supported: this Pulse speaks version " + PROTOCOL_VERSION
                    + "; use crm and crmd from the same Pulse release");
        }
        return o;
    }

    private static AdminArgs args(JsonNode o, String what) throws AdminProtocolException {
        if (o.isMissingNode() || o.isNull()) {
            return AdminArgs.empty();
        }
        if (!o.isObject()) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "the " + what + "s must be a JSON object, got " + o);
        }
        AdminArgs args = AdminArgs.empty();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            JsonNode v = e.getValue();
            Object value;
            if (v.isTextual()) {
                value = v.asText();
            } else if (v.isIntegralNumber() && v.canConvertToLong()) {
                value = v.asLong();
            } else if (v.isBoolean()) {
                value = v.asBoolean();
            } else if (v.isNull()) {
                continue;
            } else {
                throw new AdminProtocolException(AdminError.BAD_REQUEST, what + " '" + e.getKey()
                        + "' must be a string, a whole number or a boolean, got " + v);
            }
            args = args.with(e.getKey(), value);
        }
        return args;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
