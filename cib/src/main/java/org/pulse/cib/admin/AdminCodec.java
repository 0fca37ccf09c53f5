package org.pulse.cib.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pulse.cib.json.Json;

/** Encodes and decodes admin messages, one line of JSON each; see the package comment for the format. */
public final class AdminCodec {
    /** The protocol version this build speaks. Bump it when a message changes incompatibly. */
    public static final int PROTOCOL_VERSION = 1;
    /** Larger messages are refused before parsing (a whole 10,000-resource CIB is about 4 MB). */
    public static final int MAX_MESSAGE_CHARS = 64 << 20;
    private AdminCodec() {
    }

    public static String encode(AdminRequest r) {
        StringBuilder b = header(r.id());
        b.append(",\"op\":");
        Json.string(b, r.op());
        b.append(",\"args\":");
        values(b, r.args());
        return b.append('}').toString();
    }

    public static String encode(AdminResponse r) {
        StringBuilder b = header(r.id());
        b.append(",\"ok\":").append(r.ok());
        if (r.ok()) {
            b.append(",\"result\":");
            values(b, r.result());
        } else {
            b.append(",\"error\":{\"code\":");
            Json.string(b, r.error().code());
            b.append(",\"message\":");
            Json.string(b, r.error().message());
            b.append('}');
        }
        return b.append('}').toString();
    }

    public static AdminRequest decodeRequest(String json) throws AdminProtocolException {
        Map<String, Object> o = read(json, "request");
        String id = Json.text(o.get("id"), "");
        Object opValue = o.get("op");
        String op = Json.text(opValue, "");
        if (!(opValue instanceof String) || op.isBlank()) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST,
                    "the admin request has no \"op\" (the operation's name, e.g. \"query\")");
        }
        return new AdminRequest(id, op, args(o.get("args"), "argument"));
    }

    public static AdminResponse decodeResponse(String json) throws AdminProtocolException {
        Map<String, Object> o = read(json, "response");
        String id = Json.text(o.get("id"), "");
        if (Boolean.TRUE.equals(o.get("ok"))) {
            return AdminResponse.ok(id, args(o.get("result"), "result"));
        }
        Object e = o.get("error");
        Object code = Json.field(e, "code");
        Object message = Json.field(e, "message");
        if (!(code instanceof String c) || !(message instanceof String m)) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST,
                    "the admin response is neither ok nor has an error with code and message: " + abbreviate(json));
        }
        return AdminResponse.error(id, c, m);
    }

    private static StringBuilder header(String id) {
        StringBuilder b = new StringBuilder(128);
        b.append("{\"protocol\":").append(PROTOCOL_VERSION).append(",\"id\":");
        Json.string(b, id);
        return b;
    }

    private static void values(StringBuilder b, AdminArgs args) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : args.asMap().entrySet()) {
            Object v = e.getValue();
            if (v instanceof String || v instanceof Long || v instanceof Boolean) {
                m.put(e.getKey(), v);
            }
        }
        Json.write(b, m);
    }

    private static Map<String, Object> read(String json, String what) throws AdminProtocolException {
        if (json == null || json.isBlank()) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "empty admin " + what + "; send one JSON object per line");
        }
        if (json.length() > MAX_MESSAGE_CHARS) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "admin " + what + " of " + json.length()
                    + " characters is larger than the limit of " + MAX_MESSAGE_CHARS);
        }
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (Json.JsonException e) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "admin " + what + " is not valid JSON at line "
                    + e.line() + ", column " + e.column() + ": " + e.reason() + "; send one JSON object per line");
        }
        if (!(parsed instanceof Map<?, ?>)) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "admin " + what + " must be a JSON object, got: "
                    + abbreviate(json));
        }
        Map<String, Object> o = Json.fields(parsed);
        Integer v = Json.smallInt(o.get("protocol"));
        if (v == null) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "admin " + what
                    + " has no \"protocol\" version number; this Pulse speaks protocol " + PROTOCOL_VERSION);
        }
        if (v != PROTOCOL_VERSION) {
            throw new AdminProtocolException(AdminError.UNSUPPORTED_VERSION, "admin protocol version " + v
                    + " is not supported: this Pulse speaks version " + PROTOCOL_VERSION
                    + "; use crm and crmd from the same Pulse release");
        }
        return o;
    }

    private static AdminArgs args(Object o, String what) throws AdminProtocolException {
        if (o == null || o == Json.NULL) {
            return AdminArgs.empty();
        }
        if (!(o instanceof Map<?, ?>)) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "the " + what + "s must be a JSON object, got "
                    + abbreviate(Json.write(o)));
        }
        AdminArgs args = AdminArgs.empty();
        for (Map.Entry<String, Object> e : Json.fields(o).entrySet()) {
            Object v = e.getValue();
            if (v == Json.NULL) {
                continue;
            }
            if (!(v instanceof String || v instanceof Long || v instanceof Boolean)) {
                throw new AdminProtocolException(AdminError.BAD_REQUEST, what + " '" + e.getKey()
                        + "' must be a string, a whole number or a boolean, got " + abbreviate(Json.write(v)));
            }
            args = args.with(e.getKey(), v);
        }
        return args;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
