package org.pulse.cib.admin;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Typed name/value arguments (and results): each value is a String, a Long or a Boolean, as in
 * the JSON. Reading a missing or mistyped value gives an {@link AdminProtocolException} whose
 * message names the argument and the operation, so a server can answer it as it is.
 */
public final class AdminArgs {
    private final Map<String, Object> values;

    private AdminArgs(Map<String, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    public static AdminArgs empty() {
        return new AdminArgs(new LinkedHashMap<>());
    }

    /** From name/value pairs: {@code AdminArgs.of("action", "stop", "resource", "vip")}. */
    public static AdminArgs of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("arguments come in name/value pairs");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put((String) namesAndValues[i], checked((String) namesAndValues[i], namesAndValues[i + 1]));
        }
        return new AdminArgs(m);
    }

    public AdminArgs with(String name, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(values);
        if (value == null) {
            m.remove(name);
        } else {
            m.put(name, checked(name, value));
        }
        return new AdminArgs(m);
    }

    private static Object checked(String name, Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof String || value instanceof Long || value instanceof Boolean) {
            return value;
        }
        throw new IllegalArgumentException("argument " + name + ": only strings, whole numbers and booleans travel, not "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    /** All values (String, Long or Boolean), in order. */
    public Map<String, Object> asMap() {
        return values;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public Optional<String> string(String name) throws AdminProtocolException {
        return Optional.ofNullable(typed(name, String.class, "a string"));
    }

    public String requireString(String name) throws AdminProtocolException {
        String s = typed(name, String.class, "a string");
        if (s == null) {
            throw missing(name);
        }
        return s;
    }

    public Optional<Long> number(String name) throws AdminProtocolException {
        return Optional.ofNullable(typed(name, Long.class, "a whole number"));
    }

    public long requireNumber(String name) throws AdminProtocolException {
        Long n = typed(name, Long.class, "a whole number");
        if (n == null) {
            throw missing(name);
        }
        return n;
    }

    public boolean flag(String name, boolean fallback) throws AdminProtocolException {
        Boolean b = typed(name, Boolean.class, "true or false");
        return b == null ? fallback : b;
    }

    private <T> T typed(String name, Class<T> type, String what) throws AdminProtocolException {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (!type.isInstance(v)) {
            throw new AdminProtocolException(AdminError.BAD_REQUEST, "argument '" + name + "' must be " + what
                    + ", got " + (v instanceof String ? "\"" + v + "\"" : String.valueOf(v)));
        }
        return type.cast(v);
    }

    private static AdminProtocolException missing(String name) {
        return new AdminProtocolException(AdminError.BAD_REQUEST, "argument '" + name + "' is missing");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdminArgs other && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }

    @Override
    public String toString() {
        return values.toString();
    }
}
