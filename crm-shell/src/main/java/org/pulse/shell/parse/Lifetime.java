package org.pulse.shell.parse;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lifetimes of temporary moves and bans: ISO 8601 durations as crmsh and crm_resource take
 * them ({@code PT1H}, {@code P1D}, {@code PT30M}), and the end written as crm_resource writes it
 * ({@code 2026-11-22 18:07:51Z}).
 */
public final class Lifetime {
    private Lifetime() {
    }

    private static final Pattern ISO = Pattern.compile("P(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)W)?(?:(\\d+)D)?"
            + "(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+)S)?)?", Pattern.CASE_INSENSITIVE);
    static final DateTimeFormatter END = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    public static boolean looksLikeDuration(String s) {
        return s.length() > 1 && (s.charAt(0) == 'P' || s.charAt(0) == 'p') && ISO.matcher(s).matches();
    }

    /** The duration, or null when {@code s} is not an ISO 8601 duration with at least one field. */
    public static Duration parse(String s) {
        Matcher m = ISO.matcher(s);
        if (!m.matches() || s.equalsIgnoreCase("P") || s.equalsIgnoreCase("PT")) {
            return null;
        }
        long days = n(m, 1) * 365 + n(m, 2) * 30 + n(m, 3) * 7 + n(m, 4);
        return Duration.ofDays(days).plusHours(n(m, 5)).plusMinutes(n(m, 6)).plusSeconds(n(m, 7));
    }

    private static long n(Matcher m, int g) {
        return m.group(g) == null ? 0 : Long.parseLong(m.group(g));
    }

    public static String end(Instant now, Duration lifetime) {
        return END.format(now.plus(lifetime));
    }

    /** Reads an end date as crm_resource and crmsh write them; null when it cannot be read. */
    public static Instant parseEnd(String s) {
        String t = s.trim();
        try {
            if (t.endsWith("Z") && t.length() == 20 && t.charAt(10) == ' ') {
                return Instant.from(END.parse(t));
            }
            if (t.length() == 10) {
                return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
            }
            return OffsetDateTime.parse(t.replace(' ', 'T')).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(t.replace(' ', 'T'));
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }
}
