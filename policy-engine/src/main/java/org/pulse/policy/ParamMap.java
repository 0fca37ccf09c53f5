package org.pulse.policy;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An immutable map of action parameters sorted by name, stored as two arrays. A transition of
 * 10,000 resources has tens of thousands of actions; a tree map per action costs more than the
 * scheduling itself on a cold JVM.
 */
final class ParamMap extends AbstractMap<String, String> {
    private final String[] keys;
    private final String[] values;

    private ParamMap(String[] keys, String[] values) {
        this.keys = keys;
        this.values = values;
    }

    static final ParamMap EMPTY = new ParamMap(new String[0], new String[0]);

    /**
     * An action's own few parameters (CRM_meta_*), gathered in arrays and sorted once: a
     * LinkedHashMap per action, then sorted into a ParamMap, was a fifth of building a big
     * transition. A name put twice keeps its last value, as a map would.
     */
    static final class Builder {
        private String[] k = new String[8];
        private String[] v = new String[8];
        private int n;

        Builder put(String key, String value) {
            if (n == k.length) {
                k = Arrays.copyOf(k, n * 2);
                v = Arrays.copyOf(v, n * 2);
            }
            k[n] = key;
            v[n] = value;
            n++;
            return this;
        }

        Builder putAll(Map<String, String> m) {
            for (Map.Entry<String, String> e : m.entrySet()) {
                put(e.getKey(), e.getValue());
            }
            return this;
        }

        /** {@code base} with these laid over it (these win). */
        ParamMap over(ParamMap base) {
            // insertion sort, stable: a few entries
            for (int i = 1; i < n; i++) {
                String kk = k[i];
                String vv = v[i];
                int j = i - 1;
                while (j >= 0 && k[j].compareTo(kk) > 0) {
                    k[j + 1] = k[j];
                    v[j + 1] = v[j];
                    j--;
                }
                k[j + 1] = kk;
                v[j + 1] = vv;
            }
            int m = 0;
            for (int i = 0; i < n; i++) {
                if (i + 1 < n && k[i].equals(k[i + 1])) {
                    continue;   // the later of two equal names wins
                }
                k[m] = k[i];
                v[m] = v[i];
                m++;
            }
            return m == 0 ? base : base.with(new ParamMap(Arrays.copyOf(k, m), Arrays.copyOf(v, m)));
        }
    }

    /** Sorted copy of any map. */
    static ParamMap of(Map<String, String> m) {
        if (m instanceof ParamMap) {
            return (ParamMap) m;
        }
        String[] k = m.keySet().toArray(new String[0]);
        Arrays.sort(k);
        String[] v = new String[k.length];
        for (int i = 0; i < k.length; i++) {
            v[i] = m.get(k[i]);
        }
        return new ParamMap(k, v);
    }

    /** {@code base} with {@code extra} laid over it (extra wins), still sorted. */
    ParamMap with(Map<String, String> extra) {
        if (extra.isEmpty()) {
            return this;
        }
        ParamMap e = of(extra);
        String[] k = new String[keys.length + e.keys.length];
        String[] v = new String[k.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < keys.length || j < e.keys.length) {
            int cmp = i >= keys.length ? 1 : j >= e.keys.length ? -1 : keys[i].compareTo(e.keys[j]);
            if (cmp < 0) {
                k[n] = keys[i];
                v[n++] = values[i++];
            } else {
                if (cmp == 0) {
                    i++;
                }
                k[n] = e.keys[j];
                v[n++] = e.values[j++];
            }
        }
        return new ParamMap(Arrays.copyOf(k, n), Arrays.copyOf(v, n));
    }

    @Override
    public String get(Object key) {
        if (!(key instanceof String)) {
            return null;
        }
        int i = Arrays.binarySearch(keys, (String) key);
        return i >= 0 ? values[i] : null;
    }

    @Override
    public boolean containsKey(Object key) {
        return key instanceof String && Arrays.binarySearch(keys, (String) key) >= 0;
    }

    @Override
    public int size() {
        return keys.length;
    }

    @Override
    public Set<Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int i;

                    @Override
                    public boolean hasNext() {
                        return i < keys.length;
                    }

                    @Override
                    public Entry<String, String> next() {
                        if (i >= keys.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, String> en = new SimpleImmutableEntry<>(keys[i], values[i]);
                        i++;
                        return en;
                    }
                };
            }

            @Override
            public int size() {
                return keys.length;
            }
        };
    }
}
