package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The history reader's number fields, read without String.split or exceptions for speed, read
 * as the plain definitions do: the third field of the transition key by split and parseInt, a
 * number by parseInt of the trimmed text, whatever the text.
 */
class HistoryFieldsTest {
    private static int expectedBySplit(String key) {
        if (key == null) {
            return -1;
        }
        String[] parts = key.split(":");
        if (parts.length < 3) {
            return -1;
        }
        try {
            return Integer.parseInt(parts[2].trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int byParseInt(String s, int fallback) {
        if (s == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Test
    void numbersAndTransitionKeysReadAsSplitAndParseIntReadThem() {
        String[] fixed = {null, "", "7", "0:7", "1:2:7", "1:2:7:uuid", "1:2::uuid", "1:2:", "1:2", "::7", "1:2: 7 :u",
            "1:2:+7:u", "1:2:-1:u", "1:2:x:u", "1:2:2147483648:u", "1:2:0007:u", "1:2:\u0667:u", "-", "+", " 12 ",
            "123456789", "1234567890", "-123456789", "99999999999", "1:2:7:u:v:w", ":::", "a:b:c:d"};
        for (String s : fixed) {
            assertEquals(expectedBySplit(s), CibModelReader.expectedRc(s), () -> "transition key " + s);
            assertEquals(byParseInt(s, -5), CibModelReader.intOr(s, -5), () -> "number " + s);
        }
        long seed = Long.getLong("pulse.seed", System.nanoTime());
        System.out.println("HistoryFieldsTest: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random random = new Random(seed);
        String alphabet = "0123456789:: -+x\t";
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = random.nextInt(14); k > 0; k--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String s = sb.toString();
            assertEquals(expectedBySplit(s), CibModelReader.expectedRc(s), () -> "transition key '" + s + "' seed " + seed);
            assertEquals(byParseInt(s, -5), CibModelReader.intOr(s, -5), () -> "number '" + s + "' seed " + seed);
        }
    }
}
