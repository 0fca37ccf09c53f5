package org.pulse.cib.model;

/** Interval and timeout specifications as the CIB writes them ("10s", "1m", "500ms", "PT10S", "20"). */
public final class Durations {
    private Durations() {
    }

    /** Milliseconds, or {@code fallback} when absent or unreadable; a bare number means seconds. */
    public static long parseMs(String spec, long fallback) {
        if (spec == null) {
            return fallback;
        }
        String s = spec.trim();
        if (s.isEmpty()) {
            return fallback;
        }
        if (s.charAt(0) == 'P' || s.charAt(0) == 'p') {
            return parseIso(s, fallback);
        }
        long whole = wholeWithCommonUnit(s);
        if (whole >= 0) {
            return whole;
        }
        int i = 0;
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            return fallback;
        }
        double n;
        try {
            n = Double.parseDouble(s.substring(0, i));
        } catch (NumberFormatException e) {
            return fallback;
        }
        String unit = s.substring(i).trim().toLowerCase(java.util.Locale.ROOT);
        double mult;
        switch (unit) {
            case "": case "s": case "sec": case "secs": case "second": case "seconds": mult = 1000; break;
            case "ms": case "msec": case "msecs": mult = 1; break;
            case "us": case "usec": case "usecs": mult = 0.001; break;
            case "m": case "min": case "mins": case "minute": case "minutes": mult = 60_000; break;
            case "h": case "hr": case "hrs": case "hour": case "hours": mult = 3_600_000; break;
            default: return fallback;
        }
        return (long) (n * mult);
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

    private static long parseIso(String text, long fallback) {
        String s = text.toUpperCase(java.util.Locale.ROOT);
        char last = s.charAt(s.length() - 1);
        if (s.indexOf('T') < 0 && (last == 'S' || last == 'H')) {
            s = "PT" + s.substring(1);   // "P10S": Pacemaker reads the time part without its 'T'
        }
        try {
            return java.time.Duration.parse(s).toMillis();
        } catch (java.time.format.DateTimeParseException e) {
            try {
                java.time.Period p = java.time.Period.parse(s);
                return p.toTotalMonths() * 30L * 86_400_000L + p.getDays() * 86_400_000L;
            } catch (java.time.format.DateTimeParseException e2) {
                return fallback;
            }
        }
    }
}
