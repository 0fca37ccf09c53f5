package org.pulse.cib.model;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Month;
import java.time.Year;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.time.temporal.IsoFields;
import java.util.Locale;
import java.util.Map;

/**
 * The one reading of ISO 8601 dates in a CIB: the rule evaluator ({@link RuleExpression.Date}, the
 * CIB's execution-date) and the validator (org.pulse.cib.RuleChecks) both call {@link #read}, so a
 * date the validator accepts is a date a rule can hold on, and one it refuses is one a rule reads
 * as no date (as Pacemaker, which cannot read it either: the rule never holds).
 *
 * <p>The forms are those Pacemaker's date reader takes:
 * <ul>
 * <li>a calendar date, extended {@code 2024-12-31} (Pacemaker also takes {@code 2024-1-5}) or basic
 *     {@code 20241231};</li>
 * <li>an ordinal date, extended only: {@code 2024-366};</li>
 * <li>a week date, extended only and with its day: {@code 2024-W01-1} (the Monday of week 1);</li>
 * <li>the word {@code epoch} (1970-01-01T00:00:00Z);</li>
 * <li>then, after {@code T} or a space, a time {@code 12}, {@code 12:30}, {@code 12:30:15}, {@code 1230}
 *     or {@code 123015}, a fraction of a second that is read and ignored ({@code .5}), and a zone
 *     {@code Z}, {@code +01}, {@code +01:00} or {@code +0100}, a space before it allowed
 *     ({@code 2019-09-23 13:00:00 -05:00}). {@code 24:00:00} is the midnight that ends the day.</li>
 * </ul>
 * Without a zone the time is UTC (Pacemaker takes the node's local zone: on a UTC machine the same).
 * Refused, each with a reason a person can act on: another year length, basic ordinal and week dates
 * ({@code 2024366}, {@code 2024W011}), a week without its day, a year or year-month alone (Pacemaker
 * reads {@code 2024-12} as the 12th day of 2024), a time without a date (Pacemaker would take today's),
 * {@code now} (only Pacemaker's iso8601 command reads it), text after the date, and fields out of range
 * (31 April, day 366 of a common year, week 53 of a year of 52, hour 25, minute 60, second 60).
 */
public final class IsoDates {
    /** The examples every "what to write" hint gives. */
    public static final String EXAMPLES = "2024-12-31, 2024-12-31T23:59:00Z, 2024-366 or 2024-W01-1";

    private IsoDates() {
    }

    /**
     * A date as read: the instant, or a problem saying why there is none. {@code wellFormed} tells a
     * date that is written in one of the forms but names no real time (31 April, hour 25) from text that
     * is not one of the forms at all.
     */
    public record Reading(Instant instant, String problem, boolean wellFormed) {
        static Reading of(Instant instant) {
            return new Reading(instant, null, true);
        }

        static Reading malformed(String problem) {
            return new Reading(null, problem, false);
        }

        static Reading impossible(String problem) {
            return new Reading(null, problem, true);
        }
    }

    /** The instant written, or null when {@link #read} refuses it: never throws. */
    static Instant parse(String text) {
        return read(text).instant();
    }

    /** Reads {@code text} (surrounding white space ignored) as one of the forms above. */
    public static Reading read(String text) {
        if (text == null || text.isBlank()) {
            return Reading.malformed("no date is given");
        }
        String s = text.strip();
        if (s.equalsIgnoreCase("epoch")) {
            return Reading.of(Instant.EPOCH);
        }
        if (s.equalsIgnoreCase("now")) {
            return Reading.malformed("\"now\" is read only by Pacemaker's iso8601 command, not in a rule; write the date");
        }
        if (s.charAt(0) == 'T' || (s.length() > 2 && s.charAt(2) == ':')) {
            return Reading.malformed("a time without a date (Pacemaker would take the day it evaluates the rule);"
                    + " write the date too, or use a date_spec (hours=\"9-17\") for every day");
        }
        Cursor c = new Cursor(s);
        int digits = c.digitsAhead();
        LocalDate date;
        if (digits == 8) {
            int year = c.number(4);
            int month = c.number(2);
            int day = c.number(2);
            Reading bad = checkDay(year, month, day);
            if (bad != null) {
                return bad;
            }
            date = LocalDate.of(year, month, day);
        } else if (digits == 7) {
            return Reading.malformed("a basic ordinal date is not read; write it with a dash, e.g. 2024-366");
        } else if (digits != 4) {
            return Reading.malformed("a date starts with a four-digit year, as in " + EXAMPLES);
        } else {
            int year = c.number(4);
            if (year == 0) {
                return Reading.impossible("year 0 is not a year (0001 to 9999)");
            }
            if (c.atEnd()) {
                return Reading.malformed("a year alone is not a date; write e.g. " + year + "-01-01");
            }
            if (c.peek() == 'W') {
                return Reading.malformed("a week date is written with dashes, e.g. " + year + "-W01-1");
            }
            if (!c.take('-')) {
                return Reading.malformed("\"" + c.rest() + "\" after the year: write e.g. " + EXAMPLES);
            }
            if (c.take('W')) {
                if (c.digitsAhead() != 2) {
                    return Reading.malformed("a week is two digits, as in " + year + "-W01-1");
                }
                int week = c.number(2);
                if (!c.take('-') || c.digitsAhead() != 1) {
                    return Reading.malformed("a week date needs its day after a dash: " + year + "-W"
                            + twoDigits(week) + "-1 is the Monday");
                }
                int weekday = c.number(1);
                int weeks = (int) LocalDate.of(year, 12, 28).get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
                if (week < 1 || week > weeks) {
                    return Reading.impossible("week " + week + " is not in " + year + " (it has " + weeks + " weeks)");
                }
                if (weekday < 1 || weekday > 7) {
                    return Reading.impossible(weekday + " is not a day of the week (1 is Monday, 7 Sunday)");
                }
                date = LocalDate.of(year, 1, 4).with(IsoFields.WEEK_OF_WEEK_BASED_YEAR, week)
                        .with(DayOfWeek.of(weekday));
            } else {
                int n = c.digitsAhead();
                if (n == 3) {
                    int yearDay = c.number(3);
                    int length = Year.of(year).length();
                    if (yearDay < 1 || yearDay > length) {
                        return Reading.impossible("day " + yearDay + " is not in " + year + " (it has " + length + " days)");
                    }
                    date = LocalDate.ofYearDay(year, yearDay);
                } else if (n == 1 || n == 2) {
                    int month = c.number(n);
                    if (!c.take('-')) {
                        return Reading.malformed("a year and month alone is not a date (Pacemaker reads " + year + "-"
                                + c.text.substring(5, 5 + n) + " as a day of the year); write e.g. " + year + "-"
                                + twoDigits(month) + "-01");
                    }
                    int dn = c.digitsAhead();
                    if (dn != 1 && dn != 2) {
                        return Reading.malformed("the day of the month is two digits, as in " + year + "-"
                                + twoDigits(month) + "-01");
                    }
                    int day = c.number(dn);
                    Reading bad = checkDay(year, month, day);
                    if (bad != null) {
                        return bad;
                    }
                    date = LocalDate.of(year, month, day);
                } else {
                    return Reading.malformed("\"" + c.rest() + "\" after the year: write e.g. " + EXAMPLES);
                }
            }
        }
        if (c.atEnd()) {
            return Reading.of(date.atStartOfDay().toInstant(ZoneOffset.UTC));
        }
        if (!c.take('T') && !c.take(' ')) {
            return Reading.malformed("\"" + c.rest() + "\" after the date: a time follows a T, as in 2024-12-31T23:59:00Z");
        }
        return time(c, date);
    }

    private static Reading time(Cursor c, LocalDate date) {
        int n = c.digitsAhead();
        int hour;
        int minute = 0;
        int second = 0;
        if (n == 2) {
            hour = c.number(2);
            if (c.peek() == ':' && c.digitsAheadAt(1) == 2) {
                c.take(':');
                minute = c.number(2);
                if (c.peek() == ':' && c.digitsAheadAt(1) == 2) {
                    c.take(':');
                    second = c.number(2);
                }
            }
        } else if (n == 4 || n == 6) {
            hour = c.number(2);
            minute = c.number(2);
            second = n == 6 ? c.number(2) : 0;
        } else {
            return Reading.malformed("the time is HH, HH:MM or HH:MM:SS, as in 2024-12-31T23:59:00Z");
        }
        if ((c.peek() == '.' || c.peek() == ',') && c.digitsAheadAt(1) > 0) {
            c.take(c.peek());
            c.number(c.digitsAhead());   // read and ignored, as Pacemaker does
        }
        // Midnight at the end of a day is ISO 8601's 24:00:00, which Pacemaker reads too.
        if (hour > 24 || (hour == 24 && (minute > 0 || second > 0))) {
            return Reading.impossible(hour + " is not an hour");
        }
        if (minute > 59) {
            return Reading.impossible(minute + " is not a minute");
        }
        if (second > 59) {
            return Reading.impossible(second + " is not a second");
        }
        while (c.peek() == ' ') {
            c.take(' ');
        }
        ZoneOffset zone = ZoneOffset.UTC;
        if (c.take('Z')) {
            zone = ZoneOffset.UTC;
        } else if (c.peek() == '+' || c.peek() == '-') {
            int sign = c.peek() == '-' ? -1 : 1;
            c.take(c.peek());
            int zn = c.digitsAhead();
            int zh;
            int zm = 0;
            if (zn == 2) {
                zh = c.number(2);
                if (c.peek() == ':' && c.digitsAheadAt(1) == 2) {
                    c.take(':');
                    zm = c.number(2);
                }
            } else if (zn == 4) {
                zh = c.number(2);
                zm = c.number(2);
            } else {
                return Reading.malformed("the time zone is Z, +01, +01:00 or +0100");
            }
            if (zh > 18 || zm > 59 || (zh == 18 && zm > 0)) {
                return Reading.impossible(String.format(Locale.ROOT, "%s%02d:%02d is not a time zone offset (-18:00 to +18:00)",
                        sign < 0 ? "-" : "+", zh, zm));
            }
            zone = ZoneOffset.ofHoursMinutes(sign * zh, sign * zm);
        }
        if (!c.atEnd()) {
            return Reading.malformed("\"" + c.rest() + "\" after the time: write e.g. 2024-12-31T23:59:00Z");
        }
        LocalDateTime at = hour == 24 ? date.plusDays(1).atStartOfDay()
                : LocalDateTime.of(date, LocalTime.of(hour, minute, second));
        return Reading.of(at.toInstant(zone));
    }

    private static Reading checkDay(int year, int month, int day) {
        if (year == 0) {
            return Reading.impossible("year 0 is not a year (0001 to 9999)");
        }
        if (month < 1 || month > 12) {
            return Reading.impossible(month + " is not a month");
        }
        int days = java.time.YearMonth.of(year, month).lengthOfMonth();
        if (day < 1 || day > days) {
            return Reading.impossible("day " + day + " is not in "
                    + Month.of(month).getDisplayName(TextStyle.FULL, Locale.ENGLISH) + " " + year);
        }
        return null;
    }

    private static String twoDigits(int n) {
        return n < 10 ? "0" + n : Integer.toString(n);
    }

    /** A position in the text being read. */
    private static final class Cursor {
        final String text;
        int at;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return at >= text.length();
        }

        char peek() {
            return atEnd() ? '\0' : text.charAt(at);
        }

        boolean take(char expected) {
            if (peek() == expected && !atEnd()) {
                at++;
                return true;
            }
            return false;
        }

        int digitsAhead() {
            return digitsAheadAt(0);
        }

        int digitsAheadAt(int offset) {
            int i = at + offset;
            while (i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                i++;
            }
            return Math.max(0, i - at - offset);
        }

        /** The next {@code count} characters, all digits (the caller counted them), as a number. */
        int number(int count) {
            int n = 0;
            for (int k = 0; k < count; k++) {
                // Fractions may be long: keep the number bounded, its value is ignored anyway.
                n = Math.min(n * 10 + (text.charAt(at++) - '0'), 100_000_000);
            }
            return n;
        }

        String rest() {
            return text.substring(at);
        }
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
