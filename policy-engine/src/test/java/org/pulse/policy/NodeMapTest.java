package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Collections;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** NodeMap (a resource's history per node, the nodes it is known on) behaves as the LinkedHashMap it replaces. */
class NodeMapTest {
    private static SNode node(int index) {
        return new SNode("id" + index, "node" + index, index, new LinkedHashMap<>(), 0, Map.of());
    }

    @Test
    void randomOperationsGiveWhatALinkedHashMapGives() {
        long seed = System.nanoTime();
        System.out.println("NodeMapTest seed " + seed);
        Random random = new Random(seed);
        List<SNode> nodes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            nodes.add(node(i));
        }
        // a second node with an index already used, and null: kept as a LinkedHashMap keeps them
        nodes.add(node(3));
        nodes.add(null);
        for (int round = 0; round < 200; round++) {
            Map<SNode, Integer> expected = new LinkedHashMap<>();
            Map<SNode, Integer> actual = new NodeMap<>();
            Set<SNode> expectedSet = new LinkedHashSet<>();
            Set<SNode> actualSet = Collections.newSetFromMap(new NodeMap<>());
            int keys = round % 2 == 0 ? 40 : nodes.size();
            for (int step = 0; step < 60; step++) {
                SNode n = nodes.get(random.nextInt(keys));
                int v = random.nextInt(5);
                switch (random.nextInt(6)) {
                    case 0, 1, 2 -> assertEquals(expected.put(n, v), actual.put(n, v), "put, seed " + seed);
                    case 3 -> assertEquals(expected.remove(n), actual.remove(n), "remove, seed " + seed);
                    case 4 -> {
                        // through the iterator, as removeIf on the values does
                        expected.values().removeIf(x -> x == v);
                        actual.values().removeIf(x -> x == v);
                    }
                    default -> {
                        for (Map.Entry<SNode, Integer> e : actual.entrySet()) {
                            e.setValue(e.getValue() + 1);
                        }
                        expected.replaceAll((k, x) -> x + 1);
                    }
                }
                assertEquals(expectedSet.add(n), actualSet.add(n), "set add, seed " + seed);
                if (random.nextInt(4) == 0) {
                    assertEquals(expectedSet.remove(n), actualSet.remove(n), "set remove, seed " + seed);
                }
                assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(actual.entrySet()), "seed " + seed);
                assertEquals(new ArrayList<>(expectedSet), new ArrayList<>(actualSet), "seed " + seed);
                assertEquals(expected, actual);
                assertEquals(expected.hashCode(), actual.hashCode());
                SNode probe = nodes.get(random.nextInt(nodes.size()));
                assertEquals(expected.get(probe), actual.get(probe), "get, seed " + seed);
                assertEquals(expected.containsKey(probe), actual.containsKey(probe), "containsKey, seed " + seed);
                assertEquals(expectedSet.contains(probe), actualSet.contains(probe), "contains, seed " + seed);
            }
        }
    }

    @Test
    void changingTheMapWhileIteratingItFailsAsALinkedHashMapDoes() {
        Map<SNode, Integer> m = new NodeMap<>();
        m.put(node(0), 0);
        m.put(node(1), 1);
        Iterator<SNode> it = m.keySet().iterator();
        it.next();
        m.put(node(2), 2);
        assertThrows(ConcurrentModificationException.class, it::next);
    }
}
