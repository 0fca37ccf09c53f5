package org.pulse.cib.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void valuesReadAsPlainJavaValuesInDocumentOrder() throws Exception {
        Object v = Json.parse(" {\"b\":1,\"a\":[true,false,null,\"x\\n\\u00e9\\\"\"],\"c\":{},\"d\":[],\"e\":-2.5e1,"
                + "\"f\":12345678901234567890123, \"g\":9223372036854775807}\r\n");
        Map<String, Object> m = Json.fields(v);
        assertEquals(List.of("b", "a", "c", "d", "e", "f", "g"), List.copyOf(m.keySet()));
        assertEquals(1L, m.get("b"));
        assertEquals(Arrays.asList(true, false, Json.NULL, "x\né\""), m.get("a"));
        assertEquals(Map.of(), m.get("c"));
        assertEquals(List.of(), m.get("d"));
        assertEquals(-25.0, m.get("e"));
        assertEquals(new BigInteger("12345678901234567890123"), m.get("f"));
        assertEquals(Long.MAX_VALUE, m.get("g"));
        assertSame(Json.NULL, Json.parse("null"));
    }

    @Test
    void writingAndReadingGiveBackTheSameValues() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("text", "quote \" backslash \\ newline \n tab \t bell \u0007 ünïcödé \ud83d\ude00 slash /");
        m.put("n", -42L);
        m.put("ok", true);
        m.put("list", List.of("a", 1L, false, Map.of("k", "v")));
        m.put("nothing", Json.NULL);
        String text = Json.write(m);
        assertTrue(!text.contains("\n") && text.contains("\\u0007"), text);
        assertEquals(m, Json.parse(text));
        Map<String, Object> small = new LinkedHashMap<>();
        small.put("a", "b");
        small.put("n", 3L);
        assertEquals("{\"a\":\"b\",\"n\":3}", Json.write(small));
    }

    @Test
    void badJsonIsRefusedWithWhatAndWhere() {
        String[][] cases = {
            {"", "ends"},
            {"{\"a\":1", "ends"},
            {"{\"a\" 1}", "':'"},
            {"{a:1}", "key"},
            {"[1,]", "value"},
            {"[1 2]", "','"},
            {"{\"a\":1}x", "after the value"},
            {"\"tab\there\"", "control character"},
            {"\"\\x\"", "unknown escape"},
            {"\"\\u12\"", "four hex digits"},
            {"01", "start with 0"},
            {"1.", "after '.'"},
            {"NaN", "expected a value"},
            {"[" .repeat(Json.MAX_DEPTH + 1), "nested deeper"},
        };
        for (String[] c : cases) {
            Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(c[0]), c[0]);
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains("line 1, column"), c[0] + " -> " + e.getMessage());
        }
        Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse("{\n  \"a\": tru\n}"));
        assertEquals(2, e.line());
        assertEquals(8, e.column());
    }

    @Test
    void nestingUpToTheLimitIsReadWithoutRecursion() throws Exception {
        String deep = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Object v = Json.parse(deep);
        int depth = 0;
        while (v instanceof List<?> l && !l.isEmpty()) {
            v = l.get(0);
            depth++;
        }
        assertEquals(Json.MAX_DEPTH - 1, depth);
    }

    /** Random values written and read back; the seed is printed so a failure can be replayed. */
    @Test
    void randomValuesSurviveTheRoundTrip() throws Exception {
        long seed = Long.getLong("json.seed", System.nanoTime());
        System.out.println("JsonTest seed " + seed + " (replay: -Djson.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (int i = 0; i < 2_000; i++) {
            Object v = random(rnd, 0);
            assertEquals(v, Json.parse(Json.write(v)), "seed " + seed + " value #" + i);
        }
    }

    private static Object random(Random rnd, int depth) {
        int kind = rnd.nextInt(depth > 4 ? 4 : 6);
        switch (kind) {
            case 0 -> {
                StringBuilder b = new StringBuilder();
                for (int i = rnd.nextInt(8); i > 0; i--) {
                    b.append((char) rnd.nextInt(rnd.nextBoolean() ? 0x80 : 0xFFFF));
                }
                return b.toString();
            }
            case 1 -> {
                return rnd.nextLong();
            }
            case 2 -> {
                return rnd.nextBoolean();
            }
            case 3 -> {
                return Json.NULL;
            }
            case 4 -> {
                List<Object> l = new java.util.ArrayList<>();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    l.add(random(rnd, depth + 1));
                }
                return l;
            }
            default -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = rnd.nextInt(4); i > 0; i--) {
                    m.put("k" + rnd.nextInt(100), random(rnd, depth + 1));
                }
                return m;
            }
        }
    }
}
