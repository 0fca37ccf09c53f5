package org.pulse.shell;

import java.util.Map;
import java.util.TreeMap;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.pulse.cib.xml.XmlText;

/** Canonical XML for comparisons: attributes sorted, whitespace dropped, children kept in order. */
final class Canonical {
    private Canonical() {
    }

    static String of(XmlElement e) {
        StringBuilder sb = new StringBuilder();
        write(sb, e, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, XmlElement e, int depth) {
        sb.append("  ".repeat(depth)).append('<').append(e.name());
        Map<String, String> sorted = new TreeMap<>(e.attributes());
        sorted.forEach((k, v) -> sb.append(' ').append(k).append("=\"").append(v).append('"'));
        sb.append(">\n");
        for (XmlNode n : e.children()) {
            if (n instanceof XmlElement c) {
                write(sb, c, depth + 1);
            } else if (n instanceof XmlText t && !t.text().isBlank()) {
                sb.append("  ".repeat(depth + 1)).append(t.text().strip()).append('\n');
            }
        }
    }
}
