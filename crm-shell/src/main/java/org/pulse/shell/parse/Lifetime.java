package org.pulse.shell.parse;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.pulse.cib.model.Durations;
import org.pulse.cib.model.IsoDates;

/**
 * Lifetimes of temporary moves and bans: ISO 8601 durations as crmsh and crm_resource take
 * them ({@code PT1H}, {@code P1D}, {@code PT30M}), and the end written as crm_resource writes it
 * ({@code 2026-11-22 18:07:51Z}).
 */
public final class Lifetime {
    private Lifetime() {
    }

    static final DateTimeFormatter END = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** Whether {@code s} reads as an ISO 8601 duration (as the CIB reads them: {@link Durations}; any case here). */
    public static boolean looksLikeDuration(String s) {
        return s.length() > 1 && (s.charAt(0) == 'P' || s.charAt(0) == 'p') && parse(s) != null;
    }

    /** The duration, or null when {@code s} is not an ISO 8601 duration of more than nothing. */
    public static Duration parse(String s) {
        if (s.isEmpty() || (s.charAt(0) != 'P' && s.charAt(0) != 'p')) {
            return null;
        }
        Long ms = Durations.read(s.toUpperCase(Locale.ROOT)).ms();
        return ms == null || ms <= 0 ? null : Duration.ofMillis(ms);
    }

    public static String end(Instant now, Duration lifetime) {
        return END.format(now.plus(lifetime));
    }

    /** Reads an end date as crm_resource and crmsh write them ({@link IsoDates}); null when it cannot be read. */
    public static Instant parseEnd(String s) {
        return IsoDates.read(s.trim()).instant();
    }
}
