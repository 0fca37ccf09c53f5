package org.pulse.crmd.alerts;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * {@code timestamp-format}: date(1)'s conversions (strftime's, plus {@code %N} for nanoseconds,
 * with an optional width that keeps the leading digits: {@code %06N} is microseconds, {@code %3N}
 * milliseconds), as Pacemaker formats CRM_alert_timestamp. An unknown conversion is kept as written.
 */
final class Timestamps {
    private Timestamps() {
    }

    static String format(String format, Instant t, ZoneId zone) {
        ZonedDateTime z = t.atZone(zone);
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < format.length()) {
            char ch = format.charAt(i);
            if (ch != '%' || i + 1 >= format.length()) {
                out.append(ch);
                i++;
                continue;
            }
            int j = i + 1;
            int width = -1;
            while (j < format.length() && Character.isDigit(format.charAt(j))) {
                width = (width < 0 ? 0 : width * 10) + (format.charAt(j) - '0');
                j++;
            }
            if (j >= format.length()) {
                out.append(format, i, j);
                break;
            }
            char conv = format.charAt(j);
            String v = conversion(conv, z, width);
            out.append(v != null ? v : format.substring(i, j + 1));
            i = j + 1;
        }
        return out.toString();
    }

    private static String conversion(char conv, ZonedDateTime z, int width) {
        return switch (conv) {
            case 'N' -> {
                String nanos = String.format("%09d", z.getNano());
                yield width > 0 && width < 9 ? nanos.substring(0, width) : nanos;
            }
            case 'Y' -> Integer.toString(z.getYear());
            case 'y' -> two(z.getYear() % 100);
            case 'm' -> two(z.getMonthValue());
            case 'd' -> two(z.getDayOfMonth());
            case 'e' -> String.format("%2d", z.getDayOfMonth());
            case 'H' -> two(z.getHour());
            case 'I' -> two(z.getHour() % 12 == 0 ? 12 : z.getHour() % 12);
            case 'M' -> two(z.getMinute());
            case 'S' -> two(z.getSecond());
            case 'p' -> z.getHour() < 12 ? "AM" : "PM";
            case 'j' -> String.format("%03d", z.getDayOfYear());
            case 's' -> Long.toString(z.toEpochSecond());
            case 'a' -> z.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT);
            case 'A' -> z.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ROOT);
            case 'b', 'h' -> z.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT);
            case 'B' -> z.getMonth().getDisplayName(TextStyle.FULL, Locale.ROOT);
            case 'Z' -> z.getZone().getDisplayName(TextStyle.SHORT, Locale.ROOT);
            case 'z' -> z.getOffset().getId().equals("Z") ? "+0000" : z.getOffset().getId().replace(":", "");
            case 'F' -> z.getYear() + "-" + two(z.getMonthValue()) + "-" + two(z.getDayOfMonth());
            case 'T' -> two(z.getHour()) + ":" + two(z.getMinute()) + ":" + two(z.getSecond());
            case 'D' -> two(z.getMonthValue()) + "/" + two(z.getDayOfMonth()) + "/" + two(z.getYear() % 100);
            case 'R' -> two(z.getHour()) + ":" + two(z.getMinute());
            case 'n' -> "\n";
            case 't' -> "\t";
            case '%' -> "%";
            default -> null;
        };
    }

    private static String two(int v) {
        return v < 10 ? "0" + v : Integer.toString(v);
    }
}
