package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
        for (String bad : new String[] {null, "", "  ", "soon", "10 parsecs", "s10", "-5s", "PTxS"}) {
            assertEquals(-1L, Durations.parseMs(bad, -1), "'" + bad + "'");
        }
    }
}
