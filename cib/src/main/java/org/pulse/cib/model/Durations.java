package org.pulse.cib.model;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one reading of durations in a CIB (intervals, timeouts, delays, cluster options): the engine,
 * crmd and the shell read values through {@link #parseMs}, the validator (CibValidator.isDuration)
 * refuses what {@link #read} gives a problem for, so both sides agree on every spelling.
 *
 * <p>The forms are Pacemaker's: a number with an optional unit, seconds without one ("10", "10s",
 * "10 s", "500ms", "1min", "2h", "20us"; units in any case: ms msec msecs, us usec usecs, s sec secs
 * second seconds, m min mins minute minutes, h hr hrs hour hours), or ISO 8601 ("PT10S", "PT1M30S",
 * "P1DT2H", "P2W"; "P10S" without its T, which Pacemaker's own tests use; fractions of a second
 * "PT0.5S"). In the ISO form a year is 365 days and a month 30, as Pacemaker counts them.
 *
 * <p>A decimal number with a unit ("1.5s") is read as written (1500 ms) but refused by the validator:
 * Pacemaker reads only the whole number before the point (1 s), so the CIB would mean something else
 * there. Refused too, with a reason: negative numbers, unknown units ("10 parsecs", "10ss"), ISO in
 * lower case, and an ISO duration with no amounts ("P", "PT").
 */
public final class Durations {
    /** What to write, for every message about a duration. */
    public static final String EXAMPLES = "a number of seconds with an optional unit (\"10s\", \"500ms\", \"1min\", \"2h\")"
            + " or ISO 8601 (\"PT10S\")";
    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("([0-9]+)(\\.[0-9]+)?\\s*([A-Za-z]*)");
    private static final Pattern ISO = Pattern.compile(
            "P(?=T?[0-9])([0-9]+[YMWD])*(T?([0-9]+[HM])*([0-9]+(\\.[0-9]+)?S)?)");
    private static final Pattern ISO_PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)([YMWDHS])|T");

    private Durations() {
    }

    /** A duration as read: milliseconds (null when there are none) and why it is refused (null when it is not). */
    public record Reading(Long ms, String problem) {
        static Reading ok(long ms) {
            return new Reading(ms, null);
        }

        static Reading refused(String problem) {
            return new Reading(null, problem);
        }
    }

    /**
     * Milliseconds, or {@code fallback} when absent or unreadable; a bare number means seconds. A
     * value the validator refuses but that has a reading ("1.5s") gives that reading.
     */
    public static long parseMs(String spec, long fallback) {
        if (spec == null) {
            return fallback;
        }
        String s = spec.trim();
        if (s.isEmpty()) {
            return fallback;
        }
        long whole = wholeWithCommonUnit(s);
        if (whole >= 0) {
            return whole;
        }
        Long ms = read(s).ms();
        return ms == null ? fallback : ms;
    }

    /** Reads {@code spec} (surrounding white space ignored) as one of the forms above. */
    public static Reading read(String spec) {
        if (spec == null || spec.isBlank()) {
            return Reading.refused("no duration is given");
        }
        String s = spec.strip();
        char first = s.charAt(0);
        if (first == 'P') {
            return iso(s);
        }
        if (first == 'p') {
            return Reading.refused("an ISO 8601 duration is written in capitals, e.g. " + s.toUpperCase(Locale.ROOT));
        }
        if (first == '-') {
            return Reading.refused("a duration cannot be negative");
        }
        Matcher m = NUMBER_AND_UNIT.matcher(s);
        if (!m.matches()) {
            return Reading.refused("it is not a number with a unit");
        }
        String unit = m.group(3).toLowerCase(Locale.ROOT);
        double perUnitMs;
        switch (unit) {
            case "", "s", "sec", "secs", "second", "seconds" -> perUnitMs = 1000;
            case "ms", "msec", "msecs" -> perUnitMs = 1;
            case "us", "usec", "usecs" -> perUnitMs = 0.001;
            case "m", "min", "mins", "minute", "minutes" -> perUnitMs = 60_000;
            case "h", "hr", "hrs", "hour", "hours" -> perUnitMs = 3_600_000;
            default -> {
                return Reading.refused("\"" + m.group(3) + "\" is not a unit (ms, s, min, h; us, sec, m, hr)");
            }
        }
        if (m.group(1).length() > 15) {
            return Reading.refused("the number is too large");
        }
        if (m.group(2) != null) {
            long ms = (long) (Double.parseDouble(m.group(1) + m.group(2)) * perUnitMs);
            String u = unit.isEmpty() ? "s" : unit;
            return new Reading(ms, "Pacemaker reads only the whole number before the point (" + m.group(1) + u
                    + "); write a whole number of a smaller unit, e.g. " + ms + "ms");
        }
        return Reading.ok((long) (Long.parseLong(m.group(1)) * perUnitMs));
    }

    private static Reading iso(String s) {
        if (!ISO.matcher(s).matches()) {
            return Reading.refused("it is not an ISO 8601 duration: P, then amounts with Y, M, W, D, and after T with H, M, S"
                    + " (PT10S, P1DT2H)");
        }
        Matcher part = ISO_PART.matcher(s.substring(1));
        boolean time = false;
        double ms = 0;
        while (part.find()) {
            if (part.group(0).equals("T")) {
                time = true;
                continue;
            }
            double v = Double.parseDouble(part.group(1));
            switch (part.group(2)) {
                case "Y" -> ms += v * 365 * 86_400_000d;
                case "M" -> ms += time ? v * 60_000d : v * 30 * 86_400_000d;
                case "W" -> ms += v * 7 * 86_400_000d;
                case "D" -> ms += v * 86_400_000d;
                case "H" -> ms += v * 3_600_000d;
                default -> ms += v * 1000d;
            }
        }
        return Reading.ok(Math.round(ms));
    }

    /**
     * The usual spellings ("0", "10s", "20000ms", "1m", "90min", "2h": digits and a common unit)
     * without parseDouble and a lower-cased copy of the unit: a 10,000-resource CIB has tens of
     * thousands of them. -1 when the text is anything else.
     */
    private static long wholeWithCommonUnit(String s) {
        int i = 0;
        long n = 0;
        while (i < s.length() && i < 15) {
            char ch = s.charAt(i);
            if (ch < '0' || ch > '9') {
                break;
            }
            n = n * 10 + (ch - '0');
            i++;
        }
        if (i == 0 || i == 15) {
            return -1;
        }
        int rest = s.length() - i;
        if (rest == 0 || (rest == 1 && s.charAt(i) == 's')) {
            return n * 1000;
        }
        if (rest == 2 && s.charAt(i) == 'm' && s.charAt(i + 1) == 's') {
            return n;
        }
        if ((rest == 1 && s.charAt(i) == 'm') || (rest == 3 && s.startsWith("min", i))) {
            return n * 60_000;
        }
        if (rest == 1 && s.charAt(i) == 'h') {
            return n * 3_600_000;
        }
        return -1;
    }

}
