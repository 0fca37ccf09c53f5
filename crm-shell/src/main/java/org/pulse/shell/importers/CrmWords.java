package org.pulse.shell.importers;

import java.util.Set;
import java.util.regex.Pattern;

/** Writing crm command words: quoting values, making ids from foreign names. */
final class CrmWords {
    private CrmWords() {
    }

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:@%+,=-]+");

    /** {@code name=value}, the value double-quoted when the shell's lexer would split or change it. */
    static String nv(String name, String value) {
        return name + "=" + quote(value);
    }

    static String quote(String value) {
        if (!value.isEmpty() && PLAIN.matcher(value).matches()) {
            return value;
        }
        StringBuilder sb = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            if ("\"\\$`".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }

    /** A valid XML id from a foreign name: other characters become '_', a leading digit gets a prefix. */
    static String id(String raw) {
        StringBuilder sb = new StringBuilder();
        for (char c : raw.toCharArray()) {
            sb.append(Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '.' || c == '-' ? c : '_');
        }
        if (sb.length() == 0 || !(Character.isLetter(sb.charAt(0)) || sb.charAt(0) == '_')) {
            sb.insert(0, "r_");
        }
        return sb.toString();
    }

    /** A node attribute name: letters, digits and '_' only, so rules need no quoting. */
    static String attribute(String raw) {
        return raw.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** {@code base}, or base-2, base-3 ... when taken; the chosen id is added to {@code used}. */
    static String unique(String base, Set<String> used) {
        String id = base;
        for (int i = 2; used.contains(id); i++) {
            id = base + "-" + i;
        }
        used.add(id);
        return id;
    }
}
