package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Every spelling the CIB uses, through the fast path for the common ones and the general one for the rest. */
class DurationsTest {
    @Test
    void spellingsGiveMilliseconds() {
        Object[][] cases = {
            {"0", 0L}, {"10", 10_000L}, {"10s", 10_000L}, {" 10s ", 10_000L}, {"20000ms", 20_000L},
            {"1m", 60_000L}, {"90min", 5_400_000L}, {"2h", 7_200_000L}, {"1.5s", 1_500L}, {"10 s", 10_000L},
            {"10S", 10_000L}, {"10sec", 10_000L}, {"3 minutes", 180_000L}, {"500usec", 0L}, {"PT20S", 20_000L},
            {"P10S", 10_000L}, {"PT1M30S", 90_000L}, {"P1D", 86_400_000L},
        };
        for (Object[] c : cases) {
            assertEquals((long) (Long) c[1], Durations.parseMs((String) c[0], -1), "'" + c[0] + "'");
        }
    }

    @Test
    void unreadableOrAbsentGivesTheFallback() {
        for (String bad : new String[] {null, "", "  ", "soon", "10 parsecs", "s10", "-5s", "PTxS", "pt10s", "P", "PT"}) {
            assertEquals(-1L, Durations.parseMs(bad, -1), "'" + bad + "'");
        }
    }

    /** The ISO form counts as Pacemaker does: a year is 365 days, a month 30; M after T is minutes. */
    @Test
    void isoYearsAndMonthsCountAsPacemakerCountsThem() {
        assertEquals(365L * 86_400_000L, Durations.read("P1Y").ms());
        assertEquals(30L * 86_400_000L, Durations.read("P1M").ms());
        assertEquals(120_000L, Durations.read("PT2M").ms());
        assertEquals(14L * 86_400_000L, Durations.read("P2W").ms());
        assertEquals(93_600_000L, Durations.read("P1DT2H").ms());
        assertEquals(500L, Durations.read("PT0.5S").ms());
    }

    /** What the validator refuses, each with its reason; a decimal keeps its reading but is refused. */
    @Test
    void refusalsSayWhy() {
        String[][] cases = {
            {"-5s", "negative"},
            {"10 parsecs", "\"parsecs\" is not a unit"},
            {"10ss", "\"ss\" is not a unit"},
            {"pt10s", "in capitals"},
            {"P", "not an ISO 8601 duration"},
            {"T10S", "not a number with a unit"},
            {"", "no duration"},
        };
        for (String[] c : cases) {
            Durations.Reading r = Durations.read(c[0]);
            assertNull(r.ms(), c[0]);
            assertTrue(r.problem() != null && r.problem().contains(c[1]), "'" + c[0] + "': " + r.problem());
        }
        Durations.Reading decimal = Durations.read("1.5s");
        assertEquals(1_500L, decimal.ms());
        assertTrue(decimal.problem().contains("only the whole number before the point (1s)"), decimal.problem());
        assertTrue(decimal.problem().contains("1500ms"), decimal.problem());
    }
}
