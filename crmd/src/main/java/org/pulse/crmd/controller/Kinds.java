package org.pulse.crmd.controller;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The kind of each record of a sealed interface ({@link Event}, {@link Message}) as an enum
 * constant named after it (ViewChanged → VIEW_CHANGED), so dispatch is a switch expression over
 * the enum: a new constant without its branch does not compile, and a record without a constant
 * is refused as an error when it is dispatched (never silently ignored). The table is checked
 * when it is built: a constant without a record fails the class initialisation.
 */
final class Kinds {
    private Kinds() {
    }

    static <K extends Enum<K>> Map<Class<?>, K> table(Class<?> sealedType, Class<K> kinds) {
        Map<String, K> byName = new HashMap<>();
        for (K k : kinds.getEnumConstants()) {
            byName.put(k.name(), k);
        }
        Map<Class<?>, K> out = new HashMap<>();
        for (Class<?> c : sealedType.getPermittedSubclasses()) {
            K k = byName.remove(constantName(c.getSimpleName()));
            if (k != null) {
                out.put(c, k);
            }
        }
        if (!byName.isEmpty()) {
            throw new IllegalStateException(kinds.getName() + " names " + byName.keySet() + ", which "
                    + sealedType.getSimpleName() + " does not permit");
        }
        return Map.copyOf(out);
    }

    /** The kind of {@code value}; an error naming its type when the table has none (a record added without its kind). */
    static <K> K of(Map<Class<?>, K> table, Object value, String what) {
        K k = table.get(value.getClass());
        if (k == null) {
            throw new IllegalArgumentException("unknown " + what + " type " + value.getClass().getName()
                    + ": give it a constant in its Kind enum and a branch in every dispatch");
        }
        return k;
    }

    /** "ViewChanged" → "VIEW_CHANGED". */
    static String constantName(String simpleName) {
        return simpleName.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }
}
