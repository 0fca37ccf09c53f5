package org.pulse.cib.model;

/**
 * Pacemaker's score arithmetic: integers clipped to ±1,000,000 (INFINITY), where
 * -INFINITY + anything stays -INFINITY and +INFINITY + x (x > -INFINITY) stays INFINITY.
 */
public final class Scores {
    public static final int INFINITY = 1_000_000;

    private Scores() {
    }

    /** Parses "INFINITY", "+INFINITY", "-INFINITY", integers; {@code fallback} for null/garbage. */
    public static int parse(String text, int fallback) {
        if (text == null) {
            return fallback;
        }
        String s = text.trim();
        if (s.isEmpty()) {
            return fallback;
        }
        if (s.equalsIgnoreCase("INFINITY") || s.equalsIgnoreCase("+INFINITY")) {
            return INFINITY;
        }
        if (s.equalsIgnoreCase("-INFINITY")) {
            return -INFINITY;
        }
        if (s.equalsIgnoreCase("red")) {
            return -INFINITY;
        }
        if (s.equalsIgnoreCase("yellow") || s.equalsIgnoreCase("green")) {
            return 0;
        }
        try {
            long v = Long.parseLong(s.startsWith("+") ? s.substring(1) : s);
            return (int) Math.max(-INFINITY, Math.min(INFINITY, v));
        } catch (NumberFormatException e) {
            // Pacemaker's char2score reads the leading digits, like strtoll
            int i = 0;
            boolean neg = false;
            if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                neg = s.charAt(i) == '-';
                i++;
            }
            long v = 0;
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && v < INFINITY) {
                v = v * 10 + (s.charAt(i) - '0');
                i++;
            }
            if (i == start) {
                return fallback;
            }
            v = Math.min(v, INFINITY);
            return (int) (neg ? -v : v);
        }
    }

    /** Adds two scores with Pacemaker's rules for infinities. */
    public static int add(int a, int b) {
        if (a <= -INFINITY || b <= -INFINITY) {
            return -INFINITY;
        }
        if (a >= INFINITY || b >= INFINITY) {
            return INFINITY;
        }
        long s = (long) a + b;
        return (int) Math.max(-INFINITY, Math.min(INFINITY, s));
    }

    public static String format(int score) {
        if (score >= INFINITY) {
            return "INFINITY";
        }
        if (score <= -INFINITY) {
            return "-INFINITY";
        }
        return Integer.toString(score);
    }
}
