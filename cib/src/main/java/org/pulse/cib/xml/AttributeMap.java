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
    private static final AttributeMap EMPTY = new AttributeMap(new String[0]);
    /** name0, value0, name1, value1, ... */
    private final String[] pairs;

    private AttributeMap(String[] pairs) {
        this.pairs = pairs;
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
        String[] pairs = new String[attributes.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            pairs[i++] = java.util.Objects.requireNonNull(e.getKey(), "attribute name");
            pairs[i++] = requireValue(e.getKey(), e.getValue());
        }
        return new AttributeMap(pairs);
    }

    /**
     * The parser's path: {@code pairs} (name0, value0, ...; the caller hands it over and keeps
     * no reference) becomes the map as it is, without a LinkedHashMap in between. A repeated
     * name (well-formed XML has none) keeps its first place and takes the last value, as a
     * LinkedHashMap would.
     */
    static AttributeMap ofPairs(String[] pairs, int length) {
        if (length == 0) {
            return EMPTY;
        }
        int n = 0;
        for (int i = 0; i < length; i += 2) {
            String name = java.util.Objects.requireNonNull(pairs[i], "attribute name");
            requireValue(name, pairs[i + 1]);
            int at = -1;
            for (int j = 0; j < n; j += 2) {
                if (pairs[j].equals(name)) {
                    at = j;
                    break;
                }
            }
            if (at >= 0) {
                pairs[at + 1] = pairs[i + 1];
            } else {
                pairs[n] = name;
                pairs[n + 1] = pairs[i + 1];
                n += 2;
            }
        }
        return new AttributeMap(n == pairs.length ? pairs : Arrays.copyOf(pairs, n));
    }

    /**
     * The parser's path for a tag it has already checked (names not null and not repeated,
     * values not null): {@code pairs} is taken as it is, without {@link #ofPairs}'s checks, which
     * compared every name with every other a second time (a 17-attribute lrm_rsc_op: 136 String
     * comparisons).
     */
    static AttributeMap ofUniquePairs(String[] pairs) {
        return pairs.length == 0 ? EMPTY : new AttributeMap(pairs);
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
        return Arrays.equals(pairs, other.pairs);
    }

    @Override
    public int size() {
        return pairs.length / 2;
    }

    @Override
    public boolean isEmpty() {
        return pairs.length == 0;
    }

    /**
     * Names read by the parser are the JVM's interned Strings, the same objects as the literals
     * callers ask with: one pass comparing references finds them, and only a name asked for
     * that is absent (or built at run time) costs the comparison of characters.
     */
    @Override
    public String get(Object name) {
        String[] p = pairs;
        for (int i = 0; i < p.length; i += 2) {
            if (p[i] == name) {
                return p[i + 1];
            }
        }
        if (!(name instanceof String wanted)) {
            return null;
        }
        int length = wanted.length();
        for (int i = 0; i < p.length; i += 2) {
            if (p[i].length() == length && p[i].equals(wanted)) {
                return p[i + 1];
            }
        }
        return null;
    }

    /** The name of the i-th attribute in document order (0 &lt;= i &lt; size()). */
    public String nameAt(int i) {
        return pairs[2 * i];
    }

    /** The value of the i-th attribute in document order. */
    public String valueAt(int i) {
        return pairs[2 * i + 1];
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
                        return at < pairs.length;
                    }

                    @Override
                    public Map.Entry<String, String> next() {
                        if (at >= pairs.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, String> e = new AbstractMap.SimpleImmutableEntry<>(pairs[at], pairs[at + 1]);
                        at += 2;
                        return e;
                    }
                };
            }

            @Override
            public int size() {
                return pairs.length / 2;
            }
        };
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            h += pairs[i].hashCode() ^ pairs[i + 1].hashCode();
        }
        return h;
    }
}
