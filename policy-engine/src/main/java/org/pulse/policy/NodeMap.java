package org.pulse.policy;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A map from node to value that behaves as a LinkedHashMap (insertion order; a put of a key already
 * there keeps its place) but finds a node by its index rather than by hashing: every primitive
 * keeps one for its history per node, and with every node's probe history (32 x 10,000) the
 * LinkedHashMaps' entries and resizes were half the history stage. A key it cannot place by
 * index (null, or another node with the same index) turns it into a plain LinkedHashMap.
 */
final class NodeMap<V> extends AbstractMap<SNode, V> {
    private static final SNode[] NO_NODES = new SNode[0];
    /** By node index: the node there (to tell it from another with the same index) and its value. */
    private SNode[] keys = NO_NODES;
    private Object[] values = new Object[0];
    /** The keys in insertion order. */
    private SNode[] order = NO_NODES;
    /**
     * By node index: the entry iteration hands out for that key, made on the first iteration and
     * kept (as a LinkedHashMap's nodes are): each primitive's history is walked four times or more,
     * and a new entry per step was 1.3 million (31 MB) with every node's probe history.
     */
    private Object[] entries;
    private int size;
    private int modCount;
    /** Set when a key could not be placed by index: from then on every call goes to it. */
    private LinkedHashMap<SNode, V> spilled;

    private int slot(Object key) {
        if (key instanceof SNode n) {
            int i = n.index;
            if (i >= 0 && i < keys.length && keys[i] == n) {
                return i;
            }
        }
        return -1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(Object key) {
        if (spilled != null) {
            return spilled.get(key);
        }
        int i = slot(key);
        return i < 0 ? null : (V) values[i];
    }

    @Override
    public boolean containsKey(Object key) {
        return spilled != null ? spilled.containsKey(key) : slot(key) >= 0;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V put(SNode key, V value) {
        if (spilled == null && (key == null || key.index < 0 || (key.index < keys.length && keys[key.index] != null
                && keys[key.index] != key))) {
            spill();
        }
        if (spilled != null) {
            return spilled.put(key, value);
        }
        int i = key.index;
        if (i >= keys.length) {
            int capacity = Math.max(i + 1, Math.max(8, keys.length * 2));
            keys = Arrays.copyOf(keys, capacity);
            values = Arrays.copyOf(values, capacity);
        }
        if (keys[i] == key) {
            V old = (V) values[i];
            values[i] = value;
            return old;
        }
        keys[i] = key;
        values[i] = value;
        if (size == order.length) {
            order = Arrays.copyOf(order, Math.max(8, size * 2));
        }
        order[size++] = key;
        modCount++;
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V remove(Object key) {
        if (spilled != null) {
            return spilled.remove(key);
        }
        int i = slot(key);
        if (i < 0) {
            return null;
        }
        V old = (V) values[i];
        removeAt(indexInOrder(keys[i]));
        return old;
    }

    private int indexInOrder(SNode key) {
        for (int k = 0; k < size; k++) {
            if (order[k] == key) {
                return k;
            }
        }
        throw new IllegalStateException("NodeMap: " + key + " is placed but not in order");
    }

    private void removeAt(int k) {
        SNode key = order[k];
        keys[key.index] = null;
        values[key.index] = null;
        if (entries != null && key.index < entries.length) {
            entries[key.index] = null;
        }
        System.arraycopy(order, k + 1, order, k, size - k - 1);
        order[--size] = null;
        modCount++;
    }

    @Override
    public void clear() {
        if (spilled != null) {
            spilled.clear();
            return;
        }
        Arrays.fill(keys, null);
        Arrays.fill(values, null);
        Arrays.fill(order, null);
        entries = null;
        size = 0;
        modCount++;
    }

    @Override
    public int size() {
        return spilled != null ? spilled.size() : size;
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @SuppressWarnings("unchecked")
    private void spill() {
        LinkedHashMap<SNode, V> m = new LinkedHashMap<>();
        for (int k = 0; k < size; k++) {
            m.put(order[k], (V) values[order[k].index]);
        }
        spilled = m;
        keys = NO_NODES;
        values = new Object[0];
        order = NO_NODES;
        entries = null;
        size = 0;
    }

    /** The entry of {@code key} (placed in this map), made once and then handed out again. */
    @SuppressWarnings("unchecked")
    private Entry entryOf(SNode key) {
        int i = key.index;
        if (entries == null || i >= entries.length) {
            entries = entries == null ? new Object[keys.length] : Arrays.copyOf(entries, keys.length);
        }
        Entry e = (Entry) entries[i];
        if (e == null || e.key != key) {
            e = new Entry(key);
            entries[i] = e;
        }
        return e;
    }

    @Override
    public Set<Map.Entry<SNode, V>> entrySet() {
        if (spilled != null) {
            return spilled.entrySet();
        }
        return new AbstractSet<>() {
            @Override
            public Iterator<Map.Entry<SNode, V>> iterator() {
                return spilled != null ? spilled.entrySet().iterator() : new Entries();
            }

            @Override
            public int size() {
                return NodeMap.this.size();
            }
        };
    }

    /** One entry, live as a LinkedHashMap's: its value is the map's, setValue writes to the map. */
    private final class Entry implements Map.Entry<SNode, V> {
        private final SNode key;

        Entry(SNode key) {
            this.key = key;
        }

        @Override
        public SNode getKey() {
            return key;
        }

        @Override
        @SuppressWarnings("unchecked")
        public V getValue() {
            return (V) values[key.index];
        }

        @Override
        public V setValue(V value) {
            V old = getValue();
            values[key.index] = value;
            return old;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Map.Entry<?, ?> e && key.equals(e.getKey()) && java.util.Objects.equals(getValue(), e.getValue());
        }

        @Override
        public int hashCode() {
            return key.hashCode() ^ java.util.Objects.hashCode(getValue());
        }

        @Override
        public String toString() {
            return key + "=" + getValue();
        }
    }

    /** Entries in insertion order; remove removes (as a LinkedHashMap's iterator does). */
    private final class Entries implements Iterator<Map.Entry<SNode, V>> {
        private int next;
        private int last = -1;
        private int expected = modCount;

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public Map.Entry<SNode, V> next() {
            if (modCount != expected || spilled != null) {
                throw new ConcurrentModificationException();
            }
            if (next >= size) {
                throw new NoSuchElementException();
            }
            last = next;
            SNode key = order[next++];
            return entryOf(key);
        }

        @Override
        public void remove() {
            if (last < 0) {
                throw new IllegalStateException();
            }
            if (modCount != expected) {
                throw new ConcurrentModificationException();
            }
            removeAt(last);
            next = last;
            last = -1;
            expected = modCount;
        }
    }
}
