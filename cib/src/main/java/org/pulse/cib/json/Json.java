package org.pulse.cib.json;

import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the wire formats need (the admin protocol's lines, CIB diffs between nodes and in
 * the CIB store's journal), read into plain values and written from them: an object is a
 * {@code Map<String, Object>} in document order, an array a {@code List<Object>}, a string a
 * {@code String}, a whole number a {@code Long} (a {@code BigInteger} beyond a long), any other number a
 * {@code Double}, true/false a {@code Boolean} and null {@link #NULL}.
 *
 * <p>Why not Jackson: every crmd reads and writes these on its idle path, and Jackson's databind is
 * ~420 classes (a tenth of all a node loads) plus its mappers' caches, resident in every node for
 * the daemon's life (issue 17 part 4: idle memory). The web console keeps Jackson, loaded only when used.
 *
 * <p>The reader is iterative (no recursion: a deeply nested line cannot overflow a thread's stack) and
 * refuses nesting deeper than its limit, control characters inside strings and anything after the
 * value but white space, each with the line and column.
 */
public final class Json {
    /** JSON's null, so that a present null differs from a missing field in a map. */
    public static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** Deep enough for a CIB diff's nodes (XML nested 256 deep is ~520 levels here), as Jackson's default. */
    public static final int MAX_DEPTH = 1000;

    private Json() {
    }

    /** Bad JSON: what is wrong, and where (1-based line and column). */
    public static final class JsonException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;
        private final int line;
        private final int column;

        JsonException(String reason, int line, int column) {
            super(reason + " at line " + line + ", column " + column);
            this.reason = reason;
            this.line = line;
            this.column = column;
        }

        /** The message without the location. */
        public String reason() {
            return reason;
        }

        public int line() {
            return line;
        }

        public int column() {
            return column;
        }
    }

    /** One JSON value, the whole text (white space around it only). */
    public static Object parse(String text) throws JsonException {
        return new Reader(text).document();
    }

    /** The value as JSON text (for messages that quote what was received, and for writing). */
    public static String write(Object value) {
        StringBuilder b = new StringBuilder();
        write(b, value);
        return b.toString();
    }

    /** Appends VALUE as JSON: maps, lists, strings, numbers, booleans, {@link #NULL} (and null as null). */
    public static void write(StringBuilder b, Object value) {
        if (value == null || value == NULL) {
            b.append("null");
        } else if (value instanceof String s) {
            string(b, s);
        } else if (value instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                string(b, String.valueOf(e.getKey()));
                b.append(':');
                write(b, e.getValue());
            }
            b.append('}');
        } else if (value instanceof List<?> l) {
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                write(b, l.get(i));
            }
            b.append(']');
        } else if (value instanceof Boolean || value instanceof Long || value instanceof Integer
                || value instanceof BigInteger) {
            b.append(value);
        } else if (value instanceof Number n) {
            double d = n.doubleValue();
            // JSON has no NaN or infinity
            b.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else {
            throw new IllegalArgumentException("no JSON form for a " + value.getClass().getName());
        }
    }

    /** Appends S as a JSON string: quotes, backslashes and control characters escaped, the rest as is. */
    public static void string(StringBuilder b, String s) {
        b.append('"');
        int n = s.length();
        int from = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            b.append(s, from, i);
            from = i + 1;
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        b.append(s, from, n).append('"');
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /**
     * A recursive-descent reader turned into a loop: containers being filled sit on an explicit stack,
     * with the key each object is waiting to fill.
     */
    private static final class Reader {
        private final String s;
        private int pos;

        Reader(String s) {
            this.s = s;
        }

        /** An object or array being filled, and (objects) the key of the value being read. */
        private static final class Open {
            final Map<String, Object> object;
            final List<Object> array;
            String key;

            Open(Map<String, Object> object, List<Object> array) {
                this.object = object;
                this.array = array;
            }
        }

        Object document() throws JsonException {
            Deque<Open> stack = new ArrayDeque<>();
            while (true) {
                skipSpace();
                Object value;
                char c = peek("a value");
                if (c == '{' || c == '[') {
                    if (stack.size() >= MAX_DEPTH) {
                        throw error("nested deeper than " + MAX_DEPTH + " levels");
                    }
                    pos++;
                    Open o = c == '{' ? new Open(new LinkedHashMap<>(), null) : new Open(null, new ArrayList<>());
                    skipSpace();
                    char close = c == '{' ? '}' : ']';
                    if (peek(c == '{' ? "a key or '}'" : "a value or ']'") == close) {
                        pos++;
                        value = o.object != null ? o.object : o.array;
                    } else {
                        if (o.object != null) {
                            o.key = key();
                        }
                        stack.push(o);
                        continue;
                    }
                } else {
                    value = scalar(c);
                }
                // Put the value in place, then close every container that ends here.
                while (true) {
                    Open top = stack.peek();
                    if (top == null) {
                        // the root value: only white space may follow
                        skipSpace();
                        if (pos < s.length()) {
                            throw error("unexpected " + describe(s.charAt(pos)) + " after the value");
                        }
                        return value;
                    }
                    if (top.object != null) {
                        top.object.put(top.key, value);
                    } else {
                        top.array.add(value);
                    }
                    skipSpace();
                    char next = peek(top.object != null ? "',' or '}'" : "',' or ']'");
                    if (next == ',') {
                        pos++;
                        if (top.object != null) {
                            skipSpace();
                            top.key = key();
                        }
                        break;
                    }
                    if (next != (top.object != null ? '}' : ']')) {
                        throw error("expected " + (top.object != null ? "',' or '}'" : "',' or ']'") + ", found "
                                + describe(next));
                    }
                    pos++;
                    stack.pop();
                    value = top.object != null ? top.object : top.array;
                }
            }
        }

        /** An object's key and its colon. */
        private String key() throws JsonException {
            if (peek("a key") != '"') {
                throw error("expected a key (a string in double quotes), found " + describe(s.charAt(pos)));
            }
            String k = string();
            skipSpace();
            if (peek("':'") != ':') {
                throw error("expected ':' after the key, found " + describe(s.charAt(pos)));
            }
            pos++;
            return k;
        }

        private Object scalar(char c) throws JsonException {
            if (c == '"') {
                return string();
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                return number();
            }
            if (s.startsWith("true", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", pos)) {
                pos += 4;
                return NULL;
            }
            throw error("expected a value, found " + describe(c));
        }

        private String string() throws JsonException {
            pos++; // the opening quote
            StringBuilder b = null;
            int from = pos;
            while (true) {
                if (pos >= s.length()) {
                    throw error("the text ends inside a string");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String out = b == null ? s.substring(from, pos) : b.append(s, from, pos).toString();
                    pos++;
                    return out;
                }
                if (c < 0x20) {
                    throw error("a control character (code " + (int) c + ") inside a string; escape it");
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (b == null) {
                    b = new StringBuilder();
                }
                b.append(s, from, pos);
                if (pos + 1 >= s.length()) {
                    throw error("the text ends inside a string");
                }
                char e = s.charAt(pos + 1);
                pos += 2;
                switch (e) {
                    case '"' -> b.append('"');
                    case '\\' -> b.append('\\');
                    case '/' -> b.append('/');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        if (pos + 4 > s.length()) {
                            throw error("a \\u escape needs four hex digits");
                        }
                        int v = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(s.charAt(pos + i), 16);
                            if (d < 0) {
                                throw error("a \\u escape needs four hex digits");
                            }
                            v = v * 16 + d;
                        }
                        pos += 4;
                        b.append((char) v);
                    }
                    default -> {
                        pos -= 1;
                        throw error("unknown escape \\" + e + " in a string");
                    }
                }
                from = pos;
            }
        }

        private Object number() throws JsonException {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            int intStart = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
            }
            if (pos == intStart) {
                throw error("a number needs digits");
            }
            if (s.charAt(intStart) == '0' && pos - intStart > 1) {
                throw error("a number does not start with 0");
            }
            boolean integral = true;
            if (pos < s.length() && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                int f = pos;
                while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                    pos++;
                }
                if (pos == f) {
                    throw error("a number needs digits after '.'");
                }
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                int x = pos;
                while (pos < s.length() && s.charAt(pos) >= '0' && s.charAt(pos) <= '9') {
                    pos++;
                }
                if (pos == x) {
                    throw error("a number needs digits in its exponent");
                }
            }
            String text = s.substring(start, pos);
            if (integral) {
                if (pos - intStart <= 18) {
                    return Long.parseLong(text);
                }
                BigInteger big = new BigInteger(text);
                return big.bitLength() < 64 ? (Object) big.longValue() : big;
            }
            return Double.parseDouble(text);
        }

        private void skipSpace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                    return;
                }
                pos++;
            }
        }

        private char peek(String expected) throws JsonException {
            if (pos >= s.length()) {
                throw error("the text ends where " + expected + " should be");
            }
            return s.charAt(pos);
        }

        private static String describe(char c) {
            return c < 0x20 || c > 0x7e ? String.format("character U+%04X", (int) c) : "'" + c + "'";
        }

        private JsonException error(String reason) {
            int line = 1;
            int lineStart = 0;
            int end = Math.min(pos, s.length());
            for (int i = 0; i < end; i++) {
                if (s.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            return new JsonException(reason, line, end - lineStart + 1);
        }
    }

    // ---- reading values the way the wire formats expect them

    /** The field of an object, or null when VALUE is not an object or has no such field. */
    public static Object field(Object value, String name) {
        return value instanceof Map<?, ?> m ? m.get(name) : null;
    }

    /** The object's fields, or none when VALUE is not an object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> fields(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    /** A scalar as text (a number or boolean as written), else DEFAULT (missing, null, object, array). */
    public static String text(Object value, String defaultText) {
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Boolean || value instanceof Long || value instanceof BigInteger || value instanceof Double) {
            return value.toString();
        }
        return defaultText;
    }

    /** A whole number that fits an int, else null. */
    public static Integer smallInt(Object value) {
        return value instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE ? (Integer) l.intValue() : null;
    }

    /** VALUE as JSON text for a message, "nothing" when missing. */
    public static String quote(Object value) {
        return value == null ? "nothing" : write(value);
    }
}
