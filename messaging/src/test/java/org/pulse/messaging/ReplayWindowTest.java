package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {
    @Test
    void acceptsEachCounterOnceInAnyOrderWithinTheWindow() {
        ReplayWindow w = new ReplayWindow();
        assertTrue(w.accept(0));
        assertFalse(w.accept(0));
        assertTrue(w.accept(5));
        assertTrue(w.accept(3), "late but new");
        assertFalse(w.accept(3));
        assertFalse(w.accept(5));
        assertTrue(w.accept(5 + ReplayWindow.WINDOW), "a jump clears the window");
        assertFalse(w.accept(5), "too old to tell: refused");
        assertTrue(w.accept(7), "never seen, and inside the window after the jump");
        assertFalse(w.accept(7));
        assertFalse(w.accept(-1));
    }

    @Test
    void matchesASetModelOnRandomReorderedStreamsWithDuplicates() {
        long seed = System.nanoTime();
        System.out.println("ReplayWindowTest seed " + seed);
        Random rnd = new Random(seed);
        ReplayWindow w = new ReplayWindow();
        Set<Long> seen = new HashSet<>();
        long highest = -1;
        List<Long> stream = new ArrayList<>();
        for (long c = 0; c < 50_000; c++) {
            stream.add(c);
            if (rnd.nextInt(3) == 0) {
                stream.add(c); // a second link's copy
            }
        }
        // Local reordering, as concurrent sealing and two racing links produce.
        for (int i = 0; i + 16 < stream.size(); i += 16) {
            Collections.shuffle(stream.subList(i, i + 16), rnd);
        }
        for (long c : stream) {
            boolean expected = !seen.contains(c) && (c > highest || highest - c < ReplayWindow.WINDOW);
            assertEquals(expected, w.accept(c), "counter " + c + " (seed " + seed + ")");
            if (expected) {
                seen.add(c);
                highest = Math.max(highest, c);
            }
        }
        assertEquals(50_000, seen.size(), "every message accepted exactly once");
    }
}
