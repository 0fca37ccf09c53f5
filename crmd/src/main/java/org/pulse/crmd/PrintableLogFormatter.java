package org.pulse.crmd;

import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * JUL's one-line format (JGroups logs through JUL, {@link Main#configureLogging}) with control characters written as
 * {@code \xNN}: JGroups prints an address's values as they are, and a node's incarnation travels as 8 raw bytes (the
 * wire form every release reads), which put NULs into the local_addr and view lines; grep then calls crmd.log binary.
 */
final class PrintableLogFormatter extends SimpleFormatter {
    @Override
    public String format(LogRecord record) {
        return printable(super.format(record));
    }

    /** {@code line} with every control character but a line end (and tab) as {@code \xNN}. */
    static String printable(String line) {
        StringBuilder b = null;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            boolean control = (c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f;
            if (control && b == null) {
                b = new StringBuilder(line.length() + 16).append(line, 0, i);
            }
            if (b != null) {
                if (control) {
                    b.append(String.format("\\x%02x", (int) c));
                } else {
                    b.append(c);
                }
            }
        }
        return b == null ? line : b.toString();
    }
}
