package org.pulse.cib.xml;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An element's attributes: immutable, in document order, in one array of names and values.
 * A CIB element has a handful of attributes, so a linear lookup is as fast as hashing, and a
 * 10,000-resource CIB holds tens of thousands of these: a LinkedHashMap per element cost about
 * 300 bytes where this costs about 70.
 */
public final class AttributeMap extends AbstractMap<String, String> {
    private static final AttributeMap EMPTY = new AttributeMap(new String[0], new String[0]);
    /**
     * The names in order, and the values at the same positions. The names array is never
     * written once a map holds it, so maps of the same names in the same order may share one:
     * the parser hands every lrm_rsc_op of the same shape the same array (a 17-attribute
     * entry then costs one array of 17 values, not one of 34 names and values: with every
     * node's probe history, 321,000 entries, ~20 MB less).
     */
    private final String[] names;
    private final String[] values;

    private AttributeMap(String[] names, String[] values) {
        this.names = names;
        this.values = values;
    }

    /**
     * An immutable copy in the map's iteration order, or the map itself when it already is one
     * (an element's attributes handed on to a typed record cost no copy).
     */
    public static AttributeMap copyOf(Map<String, String> attributes) {
        if (attributes instanceof AttributeMap a) {
            return a;
        }
        if (attributes.isEmpty()) {
            return EMPTY;
        }
        String[] names = new String[attributes.size()];
        String[] values = new String[names.length];
        int i = 0;
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            names[i] = java.util.Objects.requireNonNull(e.getKey(), "attribute name");
            values[i++] = requireValue(e.getKey(), e.getValue());
        }
        return new AttributeMap(names, values);
    }

    /**
     * The parser's path for a tag it has already checked (names not null and not repeated,
     * values not null): the arrays are taken as they are, unchecked.
     * {@code names} may be shared with other maps (it is never written); {@code values} is handed
     * over (the caller keeps no reference).
     */
    static AttributeMap ofUnique(String[] names, String[] values) {
        return names.length == 0 ? EMPTY : new AttributeMap(names, values);
    }

    /** The message is built only on failure: building it for every attribute was a third of parsing. */
    private static String requireValue(String name, String value) {
        if (value == null) {
            throw new NullPointerException("value of attribute " + name);
        }
        return value;
    }

    /** Same names, values and order. */
    boolean sameInOrder(AttributeMap other) {
        return (names == other.names || Arrays.equals(names, other.names)) && Arrays.equals(values, other.values);
    }

    @Override
    public int size() {
        return names.length;
    }

    @Override
    public boolean isEmpty() {
        return names.length == 0;
    }

    /**
     * Names read by the parser are the JVM's interned Strings, the same objects as the literals
     * callers ask with: one pass comparing references finds them, and only a name asked for
     * that is absent (or built at run time) costs the comparison of characters.
     */
    @Override
    public String get(Object name) {
        String[] n = names;
        for (int i = 0; i < n.length; i++) {
            if (n[i] == name) {
                return values[i];
            }
        }
        if (!(name instanceof String wanted)) {
            return null;
        }
        int length = wanted.length();
        for (int i = 0; i < n.length; i++) {
            if (n[i].length() == length && n[i].equals(wanted)) {
                return values[i];
            }
        }
        return null;
    }

    /** The name of the i-th attribute in document order (0 &lt;= i &lt; size()). */
    public String nameAt(int i) {
        return names[i];
    }

    /** The value of the i-th attribute in document order. */
    public String valueAt(int i) {
        return values[i];
    }

    @Override
    public boolean containsKey(Object name) {
        return get(name) != null;
    }

    @Override
    public String getOrDefault(Object name, String fallback) {
        String v = get(name);
        return v != null ? v : fallback;
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int at;

                    @Override
                    public boolean hasNext() {
                        return at < names.length;
                    }

                    @Override
                    public Map.Entry<String, String> next() {
                        if (at >= names.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, String> e = new AbstractMap.SimpleImmutableEntry<>(names[at], values[at]);
                        at++;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return names.length;
            }
        };
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < names.length; i++) {
            h += names[i].hashCode() ^ values[i].hashCode();
        }
        return h;
    }
}
