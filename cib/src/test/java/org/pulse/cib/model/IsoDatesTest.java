package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Dates as rules read them; one that names no real time reads as none (the rule never holds), never throws. */
class IsoDatesTest {
    @Test
    void realDatesParseImpossibleOnesReadAsNone() {
        assertEquals(Instant.parse("2024-04-30T23:59:00Z"), IsoDates.parse("2024-04-30T23:59:00Z"));
        assertEquals(Instant.parse("2024-01-04T00:00:00Z"), IsoDates.parse("2024-W01-4"));
        assertNull(IsoDates.parse("2024-04-31"), "31 April");
        assertNull(IsoDates.parse("2024-13-01"), "month 13");
        assertNull(IsoDates.parse("2024-12-31T25:00:00"), "hour 25");
        assertNull(IsoDates.parse("2023-366"), "day 366 of a common year");
        assertNull(IsoDates.parse("yesterday"));
    }
}
