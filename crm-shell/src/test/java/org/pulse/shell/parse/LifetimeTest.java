package org.pulse.shell.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Lifetimes read with the CIB's one duration and date grammar (cib.model's Durations and IsoDates). */
class LifetimeTest {
    @Test
    void isoDurationsAsCrmResourceTakesThem() {
        assertEquals(Duration.ofHours(1), Lifetime.parse("PT1H"));
        assertEquals(Duration.ofDays(1), Lifetime.parse("P1D"));
        assertEquals(Duration.ofMinutes(90), Lifetime.parse("PT1H30M"));
        assertEquals(Duration.ofDays(7), Lifetime.parse("P1W"));
        assertEquals(Duration.ofMinutes(30), Lifetime.parse("pt30m"), "lower case, as the shell always took it");
        assertTrue(Lifetime.looksLikeDuration("PT10M"));
    }

    @Test
    void nodeNamesAndEmptyDurationsAreNotLifetimes() {
        for (String s : new String[] {"primary", "p1", "P", "PT", "PT0S", "node1", "P1X"}) {
            assertFalse(Lifetime.looksLikeDuration(s), s);
        }
        assertNull(Lifetime.parse("10m"), "not ISO: a lifetime is an ISO 8601 duration");
    }

    @Test
    void endsAsCrmResourceAndCrmshWriteThem() {
        assertEquals(Instant.parse("2026-11-22T18:07:51Z"), Lifetime.parseEnd("2026-11-22 18:07:51Z"));
        assertEquals(Instant.parse("2026-11-22T00:00:00Z"), Lifetime.parseEnd("2026-11-22"));
        assertEquals(Instant.parse("2026-11-22T17:07:51Z"), Lifetime.parseEnd("2026-11-22T18:07:51+01:00"));
        assertNull(Lifetime.parseEnd("tomorrow"));
        assertEquals(Lifetime.end(Instant.parse("2026-11-22T17:07:51Z"), Duration.ofHours(1)), "2026-11-22 18:07:51Z");
    }
}
