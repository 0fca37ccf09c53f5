package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The one date grammar, form by form: what it reads and to which instant, what it refuses and why.
 * Impossible dates read as none (the rule never holds) and never throw.
 */
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

    /** Every form the grammar takes, with the instant it names (UTC when no zone is written). */
    @Test
    void everyFormReadsToItsInstant() {
        String[][] cases = {
            // calendar, extended and basic; Pacemaker also takes one-digit month and day
            {"2024-12-31", "2024-12-31T00:00:00Z"},
            {"20241231", "2024-12-31T00:00:00Z"},
            {"2024-1-5", "2024-01-05T00:00:00Z"},
            {"2024-02-29", "2024-02-29T00:00:00Z"},
            // ordinal and week dates
            {"2024-366", "2024-12-31T00:00:00Z"},
            {"2024-060", "2024-02-29T00:00:00Z"},
            {"2024-W01-1", "2024-01-01T00:00:00Z"},
            {"2020-W53-1", "2020-12-28T00:00:00Z"},
            {"2009-W01-1", "2008-12-29T00:00:00Z"},
            {"epoch", "1970-01-01T00:00:00Z"},
            // times: extended and basic, hours alone, fractions ignored, 24:00 ends the day
            {"2024-12-31T12", "2024-12-31T12:00:00Z"},
            {"2024-12-31T12:30", "2024-12-31T12:30:00Z"},
            {"2024-12-31 12:30:15", "2024-12-31T12:30:15Z"},
            {"20241231T1200", "2024-12-31T12:00:00Z"},
            {"20241231T120015Z", "2024-12-31T12:00:15Z"},
            {"2024-12-31T12:00:00.75Z", "2024-12-31T12:00:00Z"},
            {"2024-12-31T24:00:00", "2025-01-01T00:00:00Z"},
            {"2024-W01-1T08:00", "2024-01-01T08:00:00Z"},
            {"2024-366T12", "2024-12-31T12:00:00Z"},
            // zones: Z, hours, hours:minutes, basic, a space before it
            {"2024-12-31T12:00:00+01", "2024-12-31T11:00:00Z"},
            {"2024-12-31T12:00:00+01:00", "2024-12-31T11:00:00Z"},
            {"2024-12-31T12:00:00-0530", "2024-12-31T17:30:00Z"},
            {"2019-09-23 13:00:00 -05:00", "2019-09-23T18:00:00Z"},
            {" 2024-12-31T12:00Z ", "2024-12-31T12:00:00Z"},
        };
        for (String[] c : cases) {
            IsoDates.Reading r = IsoDates.read(c[0]);
            assertNull(r.problem(), "'" + c[0] + "': " + r.problem());
            assertEquals(Instant.parse(c[1]), r.instant(), "'" + c[0] + "'");
        }
    }

    /** Written in a date form, naming no real time: refused with the field that is out of range. */
    @Test
    void impossibleDatesSayWhichFieldIsWrong() {
        String[][] cases = {
            {"2024-04-31", "day 31 is not in April 2024"},
            {"2023-02-29", "day 29 is not in February 2023"},
            {"2024-12-00", "day 0 is not in December 2024"},
            {"2024-13-01", "13 is not a month"},
            {"2024-00-10", "0 is not a month"},
            {"20241331", "13 is not a month"},
            {"2023-366", "day 366 is not in 2023 (it has 365 days)"},
            {"2024-000", "day 0 is not in 2024"},
            {"2024-W53-1", "week 53 is not in 2024 (it has 52 weeks)"},
            {"2024-W00-1", "week 0 is not in 2024"},
            {"2024-W01-8", "8 is not a day of the week"},
            {"2024-W01-0", "0 is not a day of the week"},
            {"2024-12-31T25:00", "25 is not an hour"},
            {"2024-12-31T24:30", "24 is not an hour"},
            {"2024-12-31T12:60", "60 is not a minute"},
            {"2024-12-31T23:59:60", "60 is not a second"},
            {"2024-12-31T12:00+19:00", "+19:00 is not a time zone offset"},
            {"0000-01-01", "year 0 is not a year"},
        };
        for (String[] c : cases) {
            IsoDates.Reading r = IsoDates.read(c[0]);
            assertNull(r.instant(), c[0]);
            assertTrue(r.wellFormed(), c[0]);
            assertNotNull(r.problem(), c[0]);
            assertTrue(r.problem().contains(c[1]), "'" + c[0] + "': " + r.problem());
        }
    }

    /** Not one of the forms: refused with what to write instead. */
    @Test
    void otherTextIsRefusedWithWhatToWrite() {
        String[][] cases = {
            {"2024366", "write it with a dash, e.g. 2024-366"},
            {"2024W011", "with dashes"},
            {"2024-W01", "needs its day"},
            {"2024-W1-1", "a week is two digits"},
            {"2024", "a year alone"},
            {"2024-12", "a year and month alone"},
            {"now", "\"now\""},
            {"NOW", "\"now\""},
            {"T12:00", "a time without a date"},
            {"12:00:00", "a time without a date"},
            {"24-12-31", "four-digit year"},
            {"12024-01-01", "four-digit year"},
            {"2024-12-31x", "\"x\" after the date"},
            {"2024-12-31Z", "\"Z\" after the date"},
            {"2024-12-31t12:00", "after the date"},
            {"2024-12-31T12:00:00 junk", "\"junk\" after the time"},
            {"2024-12-31T1", "HH, HH:MM or HH:MM:SS"},
            {"2024-12-31T12:00+1", "the time zone is"},
            {"next tuesday", "four-digit year"},
            {"", "no date"},
            {null, "no date"},
        };
        for (String[] c : cases) {
            IsoDates.Reading r = IsoDates.read(c[0]);
            assertNull(r.instant(), String.valueOf(c[0]));
            assertFalse(r.wellFormed(), String.valueOf(c[0]));
            assertTrue(r.problem() != null && r.problem().contains(c[1]), "'" + c[0] + "': " + r.problem());
        }
    }
}
