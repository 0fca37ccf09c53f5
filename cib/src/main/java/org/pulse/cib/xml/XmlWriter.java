package org.pulse.cib.xml;

import java.util.Map;

/**
 * Writes an {@link XmlElement} tree as indented XML (two spaces a level, attributes in their
 * order). Output is a pure function of the tree, so equal trees give equal bytes, which the
 * store's digest relies on.
 */
public final class XmlWriter {
    private XmlWriter() {
    }

    public static String toXml(XmlElement root) {
        StringBuilder sb = new StringBuilder(4096);
        write(sb, root, 0);
        return sb.toString();
    }

    /** The document with an XML declaration, as written to cib.xml. */
    public static String toDocument(XmlElement root) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + toXml(root) + "\n";
    }

    private static void write(StringBuilder sb, XmlElement e, int depth) {
        indent(sb, depth);
        writeElement(sb, e, depth);
    }

    private static void writeElement(StringBuilder sb, XmlElement e, int depth) {
        sb.append('<').append(e.name());
        for (Map.Entry<String, String> a : e.attributes().entrySet()) {
            sb.append(' ').append(a.getKey()).append("=\"");
            escape(sb, a.getValue(), true);
            sb.append('"');
        }
        if (e.children().isEmpty()) {
            sb.append("/>");
            return;
        }
        sb.append('>');
        boolean anyText = false;
        for (XmlNode child : e.children()) {
            anyText |= child instanceof XmlText;
        }
        if (anyText) {
            // Text (alone or mixed with elements) is written exactly, with no indentation added
            // around it: whitespace next to text would become part of it when read back.
            for (XmlNode child : e.children()) {
                if (child instanceof XmlElement ce) {
                    writeElement(sb, ce, depth + 1);
                } else if (child instanceof XmlText t) {
                    escape(sb, t.text(), false);
                } else if (child instanceof XmlComment c) {
                    sb.append("<!--").append(c.text()).append("-->");
                }
            }
        } else {
            for (XmlNode child : e.children()) {
                sb.append('\n');
                if (child instanceof XmlElement ce) {
                    write(sb, ce, depth + 1);
                } else if (child instanceof XmlComment c) {
                    indent(sb, depth + 1);
                    sb.append("<!--").append(c.text()).append("-->");
                }
            }
            sb.append('\n');
            indent(sb, depth);
        }
        sb.append("</").append(e.name()).append('>');
    }

    private static boolean needsEscape(char c) {
        return c == '&' || c == '<' || c == '>' || c == '"' || c == '\n' || c == '\r' || c == '\t';
    }

    private static void indent(StringBuilder sb, int depth) {
        for (int i = 0; i < depth; i++) {
            sb.append("  ");
        }
    }

    private static void escape(StringBuilder sb, String s, boolean attribute) {
        // Nearly every CIB value needs no escaping: copy those in one go.
        int first = 0;
        while (first < s.length() && !needsEscape(s.charAt(first))) {
            first++;
        }
        sb.append(s, 0, first);
        for (int i = first; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append(attribute ? "&quot;" : "\"");
                case '\n' -> sb.append(attribute ? "&#10;" : "\n");
                case '\r' -> sb.append("&#13;");
                case '\t' -> sb.append(attribute ? "&#9;" : "\t");
                default -> sb.append(c);
            }
        }
    }
}
