package org.pulse.cib.model;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The ISO 8601 forms Pacemaker reads in rules: calendar, ordinal ("2005-020") and week dates. */
final class IsoDates {
    private static final Pattern DATE = Pattern.compile(
            "^(\\d{4})(?:-(\\d{2})-(\\d{2})|-(\\d{3})|-W(\\d{2})-(\\d))?(?:[ T](\\d{2})(?::(\\d{2})(?::(\\d{2}))?)?)?\\s*(Z|[+-]\\d{2}:?\\d{2})?$");

    private IsoDates() {
    }

    /**
     * The instant written, or null when it is not one of these forms or names no real time (31 April, hour 25):
     * Pacemaker cannot read such a date, so a rule with it never holds. The validator refuses those
     * (RuleChecks.calendarProblem), but a CIB stored before, or read with --cib-file, reaches the engine
     * unchecked, and it must not throw there.
     */
    static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = DATE.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        try {
            return instant(m);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static Instant instant(Matcher m) {
        int year = Integer.parseInt(m.group(1));
        LocalDate d;
        if (m.group(2) != null) {
            d = LocalDate.of(year, Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
        } else if (m.group(4) != null) {
            d = LocalDate.ofYearDay(year, Integer.parseInt(m.group(4)));
        } else if (m.group(5) != null) {
            d = LocalDate.of(year, 1, 4).with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, Integer.parseInt(m.group(5)))
                    .with(DayOfWeek.of(Integer.parseInt(m.group(6))));
        } else {
            d = LocalDate.of(year, 1, 1);
        }
        int h = m.group(7) == null ? 0 : Integer.parseInt(m.group(7));
        int min = m.group(8) == null ? 0 : Integer.parseInt(m.group(8));
        int s = m.group(9) == null ? 0 : Integer.parseInt(m.group(9));
        ZoneOffset off = ZoneOffset.UTC;
        if (m.group(10) != null && !m.group(10).equals("Z")) {
            off = ZoneOffset.of(m.group(10).length() == 5 ? m.group(10).substring(0, 3) + ":" + m.group(10).substring(3) : m.group(10));
        }
        return LocalDateTime.of(d, java.time.LocalTime.of(h, min, s)).toInstant(off);
    }

    static Instant plus(Instant start, Map<String, String> duration) {
        ZonedDateTime t = start.atZone(ZoneOffset.UTC);
        t = t.plusYears(num(duration.get("years"))).plusMonths(num(duration.get("months")))
                .plusWeeks(num(duration.get("weeks"))).plusDays(num(duration.get("days")))
                .plusHours(num(duration.get("hours"))).plusMinutes(num(duration.get("minutes")))
                .plusSeconds(num(duration.get("seconds")));
        return t.toInstant();
    }

    private static long num(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    static boolean matchesSpec(Instant now, Map<String, String> spec) {
        ZonedDateTime t = now.atZone(ZoneOffset.UTC);
        return in(spec.get("years"), t.getYear())
                && in(spec.get("months"), t.getMonthValue())
                && in(spec.get("monthdays"), t.getDayOfMonth())
                && in(spec.get("hours"), t.getHour())
                && in(spec.get("minutes"), t.getMinute())
                && in(spec.get("seconds"), t.getSecond())
                && in(spec.get("yeardays"), t.getDayOfYear())
                && in(spec.get("weekdays"), t.getDayOfWeek().getValue())
                && in(spec.get("weekyears"), t.get(IsoFields.WEEK_BASED_YEAR))
                && in(spec.get("weeks"), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
    }

    /** "5", "1-5", "-5", "5-" ; absent means any. */
    private static boolean in(String range, int value) {
        if (range == null || range.isBlank()) {
            return true;
        }
        String r = range.trim();
        int dash = r.indexOf('-', 1);
        try {
            if (dash < 0) {
                if (r.startsWith("-")) {
                    return value <= Integer.parseInt(r.substring(1));
                }
                return value == Integer.parseInt(r);
            }
            String lo = r.substring(0, dash).trim();
            String hi = r.substring(dash + 1).trim();
            return (lo.isEmpty() || value >= Integer.parseInt(lo)) && (hi.isEmpty() || value <= Integer.parseInt(hi));
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
