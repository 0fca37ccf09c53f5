package org.pulse.cib.xml;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads XML into an {@link XmlElement} tree: a small reader written for the CIB rather than a
 * StAX library. The CIB is plain XML (elements, attributes, comments, the five predefined
 * entities and character references, the odd CDATA section), and a one-shot {@code crm simulate}
 * or {@code crm configure show} is mostly start-up: Woodstox needed ~170 ms to read a 3.8 MB CIB in
 * a fresh JVM, this reader ~50 ms (bench/scheduler). It keeps what Pulse does not understand, in
 * place and in order: every element, attribute and comment in document order.
 *
 * <p>It checks well-formedness as XML 1.0 defines it for such documents (matching tags, quoted
 * and unique attributes, no '<' in values, legal characters, defined entities) and refuses DTDs
 * (a CIB never needs one, and they are the classic XML attack). Names are taken as written
 * ("x:thing") and namespace declarations are kept as plain attributes, so a CIB that carries
 * another tool's namespaced data writes back with its xmlns declarations. Whitespace-only text is
 * dropped: the CIB has no mixed content, and the writer indents anew. Line ends are normalized
 * (CR LF and CR become LF) and attribute values are normalized as XML requires (a literal tab or
 * line end becomes a space; {@code &#10;} stays a line end).
 */
public final class XmlParser {
    /** Deeper than any real CIB (about 12 levels) by far; guards against hostile input. */
    public static final int MAX_DEPTH = 256;
    /** Largest attribute value accepted; a real CIB's largest are digests and rule expressions. */
    public static final int MAX_ATTRIBUTE_CHARS = 1 << 20;

    private XmlParser() {
    }

    public static XmlElement parse(String source, String xml) throws XmlParseException {
        if (xml.isBlank()) {
            throw new XmlParseException(source, 1, 1, "no root element: the file is empty; a CIB is an XML document"
                    + " with a <cib> root");
        }
        return new Reading(source, xml.getBytes(StandardCharsets.UTF_8)).document();
    }

    /**
     * Reads a document given as UTF-8 bytes (a file as it is on disk): no decoding into a String
     * and no copy into chars first, which for a 3.8 MB CIB was ~15 ms and 11 MB of fresh memory.
     */
    public static XmlElement parse(String source, byte[] utf8) throws XmlParseException {
        int i = 0;
        while (i < utf8.length && (utf8[i] == ' ' || utf8[i] == '\n' || utf8[i] == '\t' || utf8[i] == '\r')) {
            i++;
        }
        if (i == utf8.length) {
            throw new XmlParseException(source, 1, 1, "no root element: the file is empty; a CIB is an XML document"
                    + " with a <cib> root");
        }
        return new Reading(source, utf8).document();
    }

    /** An element whose end tag has not been read yet. */
    private static final class Open {
        final String name;
        final AttributeMap attributes;
        final int line;
        final List<XmlNode> children = new ArrayList<>(4);

        Open(String name, AttributeMap attributes, int line) {
            this.name = name;
            this.attributes = attributes;
            this.line = line;
        }
    }

    /** Values this short are shared between elements (one "ocf", one "monitor", ...); see {@link Names}. */
    private static final int SHARED_VALUE_CHARS = 24;

    /** One pass over one document. */
    private static final class Reading {
        private final String source;
        private final byte[] c;
        private final int end;
        private int pos;
        /** Line numbers are counted lazily, only where an element starts or an error is reported. */
        private int countedTo;
        private int countedLines = 1;
        private final Names names;
        private final ArrayList<Open> stack = new ArrayList<>();
        private String[] pairs = new String[16];
        private final Bytes scratch = new Bytes();

        Reading(String source, byte[] utf8) {
            this.source = source;
            this.c = utf8;
            this.end = utf8.length;
            this.names = new Names(utf8.length);
        }

        XmlElement document() throws XmlParseException {
            if (end >= 3 && c[0] == (byte) 0xEF && c[1] == (byte) 0xBB && c[2] == (byte) 0xBF) {
                pos = 3; // a byte-order mark, as some editors write
            }
            // The prolog: XML declaration, comments, processing instructions, whitespace.
            while (true) {
                skipWhitespace();
                if (pos >= end) {
                    throw error(pos, "no root element: the file ends before any element; a CIB has a <cib> root");
                }
                if (c[pos] != '<') {
                    throw error(pos, c[pos] >= 0 && c[pos] < ' ' ? badCharacter(c[pos])
                            : "text before the root element; a CIB starts with <cib ...> (or <?xml ...?>)");
                }
                if (startsWith("<?")) {
                    skipProcessingInstruction(true);
                } else if (startsWith("<!--")) {
                    comment(); // before the root: not kept, a CIB has nothing there
                } else if (startsWith("<!DOCTYPE")) {
                    throw error(pos, "DOCTYPE declarations are not accepted in a CIB; remove the <!DOCTYPE ...> line");
                } else {
                    break;
                }
            }
            XmlElement root = elementTree();
            // The epilog: only comments, processing instructions and whitespace may follow.
            while (true) {
                skipWhitespace();
                if (pos >= end) {
                    return root;
                }
                if (startsWith("<!--")) {
                    comment();
                } else if (startsWith("<?") && !startsWith("<?xml")) {
                    skipProcessingInstruction(false);
                } else {
                    throw error(pos, "content after the end of the root element </" + root.name()
                            + ">; an XML document has exactly one root");
                }
            }
        }

        /** The root element and everything in it, without recursion. */
        private XmlElement elementTree() throws XmlParseException {
            XmlElement done = startTag();
            if (done != null) {
                return done;
            }
            while (true) {
                Open top = stack.get(stack.size() - 1);
                text(top);
                if (pos >= end) {
                    throw truncated(top);
                }
                // c[pos] == '<'
                if (pos + 1 < end && c[pos + 1] == '/') {
                    XmlElement closed = endTag(top);
                    if (stack.isEmpty()) {
                        return closed;
                    }
                    stack.get(stack.size() - 1).children.add(closed);
                } else if (startsWith("<!--")) {
                    top.children.add(new XmlComment(comment()));
                } else if (startsWith("<?")) {
                    if (startsWith("<?xml") && pos + 5 < end && isWhitespace(c[pos + 5])) {
                        throw error(pos, "an XML declaration <?xml ...?> inside the document; it may only be"
                                + " the first line");
                    }
                    skipProcessingInstruction(false);
                } else if (startsWith("<!")) {
                    throw error(pos, "'<!' inside an element starts neither a comment <!-- --> nor <![CDATA[ ]]>");
                } else {
                    XmlElement empty = startTag();
                    if (empty != null) {
                        top.children.add(empty);
                    }
                }
            }
        }

        /**
         * The text up to the next tag, comment or end of input. A run that is whitespace only (the
         * indentation between tags, nearly all the text a CIB has) is skipped without a copy.
         * CDATA sections and processing instructions do not end a run; tags and comments do.
         */
        private void text(Open top) throws XmlParseException {
            int start = pos;
            skipWhitespace();
            if (pos >= end || (c[pos] == '<' && !startsWith("<![CDATA[") && !startsWith("<?"))) {
                return;
            }
            Bytes sb = new Bytes();
            appendNormalized(sb, start, pos);
            while (pos < end) {
                int ch = c[pos] & 0xFF;
                if (ch == '<') {
                    if (startsWith("<![CDATA[")) {
                        int close = indexOf("]]>", pos + 9);
                        if (close < 0) {
                            throw error(pos, "a <![CDATA[ section is never closed with ]]>: was the file truncated?");
                        }
                        appendNormalized(sb, pos + 9, close);
                        pos = close + 3;
                        continue;
                    }
                    if (startsWith("<?") && !startsWith("<?xml")) {
                        skipProcessingInstruction(false);
                        continue;
                    }
                    break;
                } else if (ch == '&') {
                    entity(sb, "text");
                } else if (ch == ']' && pos + 2 < end && c[pos + 1] == ']' && c[pos + 2] == '>') {
                    throw error(pos, "']]>' in text is not allowed in XML; write ]]&gt;");
                } else if (ch == '\r') {
                    sb.append('\n');
                    pos += pos + 1 < end && c[pos + 1] == '\n' ? 2 : 1;
                } else {
                    if (ch < ' ' && ch != '\t' && ch != '\n') {
                        throw error(pos, badCharacter(ch));
                    }
                    sb.append(ch);
                    pos++;
                }
            }
            String text = decode(sb.bytes(), 0, sb.length(), start);
            if (!text.isBlank()) {
                top.children.add(new XmlText(text));
            }
        }

        /**
         * A start tag at {@code pos}. An empty element ({@code <x/>}) is returned; an open one is
         * pushed on the stack and null is returned.
         */
        private XmlElement startTag() throws XmlParseException {
            int at = pos;
            pos++; // '<'
            if (stack.size() >= MAX_DEPTH) {
                throw error(at, "elements nested deeper than " + MAX_DEPTH
                        + " levels; a CIB is never this deep, so the file is not a CIB");
            }
            String name = name(AFTER_LT, null);
            int n = 0;
            while (true) {
                boolean spaced = skipWhitespace();
                if (pos >= end) {
                    throw truncatedTag(name, at);
                }
                int ch = c[pos];
                if (ch == '>' || ch == '/') {
                    if (ch == '/') {
                        if (pos + 1 >= end) {
                            throw truncatedTag(name, at);
                        }
                        if (c[pos + 1] != '>') {
                            throw error(pos, "'/' in the tag <" + name + "> must be followed by '>'");
                        }
                        pos += 2;
                        return new XmlElement(name, AttributeMap.ofPairs(Arrays.copyOf(pairs, n), n), List.of(),
                                lineOf(at));
                    }
                    pos++;
                    stack.add(new Open(name, AttributeMap.ofPairs(Arrays.copyOf(pairs, n), n), lineOf(at)));
                    return null;
                }
                if (!spaced) {
                    throw error(pos, "expected whitespace, '>' or '/>' after " + (n == 0 ? "<" + name
                            : "the value of attribute '" + pairs[n - 2] + "'") + " in <" + name + ">");
                }
                int attrAt = pos;
                String attr = name(ATTRIBUTE, name);
                skipWhitespace();
                if (pos >= end) {
                    throw truncatedTag(name, at);
                }
                if (c[pos] != '=') {
                    throw error(pos, "attribute '" + attr + "' of <" + name + "> has no value: write "
                            + attr + "=\"...\"");
                }
                pos++;
                skipWhitespace();
                if (pos >= end) {
                    throw truncatedTag(name, at);
                }
                int quote = c[pos];
                if (quote != '"' && quote != '\'') {
                    throw error(pos, "the value of attribute '" + attr + "' of <" + name
                            + "> must be in quotes: " + attr + "=\"...\"");
                }
                pos++;
                String value = attributeValue(quote, attr, name, at);
                for (int i = 0; i < n; i += 2) {
                    if (pairs[i].equals(attr)) {
                        throw error(attrAt, "attribute '" + attr + "' appears twice in <" + name
                                + ">; keep one");
                    }
                }
                if (n + 2 > pairs.length) {
                    pairs = Arrays.copyOf(pairs, pairs.length * 2);
                }
                pairs[n++] = attr;
                pairs[n++] = value;
            }
        }

        private String attributeValue(int quote, String attr, String element, int tagAt) throws XmlParseException {
            byte[] cs = c;
            int start = pos;
            int p = start;
            int limit = end;
            int high = 0;
            while (p < limit) {
                int ch = cs[p];
                if (ch == quote) {
                    int length = p - start;
                    pos = p + 1;
                    checkLength(length, attr, element, start);
                    if (length <= SHARED_VALUE_CHARS) {
                        return shared(start, length);
                    }
                    return high < 0 ? decode(cs, start, length, start)
                            : new String(cs, start, length, StandardCharsets.ISO_8859_1);
                }
                high |= ch;
                if (ch == '&' || (ch >= 0 && ch < ' ') || ch == '<') {
                    break;   // (bytes of multi-byte characters are negative here: plain text)
                }
                p++;
            }
            pos = p;
            // The slow path: entities, tabs and line ends to normalize, or an error.
            Bytes sb = scratch;
            sb.clear();
            sb.append(c, start, pos - start);
            while (pos < end) {
                int ch = c[pos] & 0xFF;
                if (ch == quote) {
                    pos++;
                    checkLength(sb.length(), attr, element, start);
                    return decode(sb.bytes(), 0, sb.length(), start);
                } else if (ch == '&') {
                    entity(sb, "the value of attribute '" + attr + "'");
                } else if (ch == '<') {
                    throw error(pos, "'<' in the value of attribute '" + attr + "' of <" + element
                            + ">: write &lt;, or add the value's missing closing quote");
                } else if (ch == '\r') {
                    sb.append(' ');
                    pos += pos + 1 < end && c[pos + 1] == '\n' ? 2 : 1;
                } else if (ch == '\n' || ch == '\t') {
                    sb.append(' ');
                    pos++;
                } else if (ch < ' ') {
                    throw error(pos, badCharacter(ch));
                } else {
                    sb.append(ch);
                    pos++;
                }
            }
            throw truncatedTag(element, tagAt);
        }

        /** A name or short value, shared (see {@link Names}); decoded strictly when not ASCII. */
        private String shared(int start, int length) throws XmlParseException {
            String s = names.get(c, start, length);
            return s != null ? s : decode(c, start, length, start);
        }

        /**
         * Strict UTF-8: bytes that are not UTF-8 would otherwise be read as U+FFFD and written back
         * so. Only text with some non-ASCII byte comes here; ASCII is copied as it is.
         */
        private String decode(byte[] b, int from, int length, int at) throws XmlParseException {
            try {
                return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b, from, length)).toString();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw error(at, "bytes that are not UTF-8 text; save the file as UTF-8");
            }
        }

        private void checkLength(int length, String attr, String element, int at) throws XmlParseException {
            if (length > MAX_ATTRIBUTE_CHARS) {
                throw error(at, "attribute '" + attr + "' of <" + element + "> is " + length + " characters long:"
                        + " this attribute value is longer than " + MAX_ATTRIBUTE_CHARS + " characters, the limit;"
                        + " store large data outside the CIB");
            }
        }

        /** An end tag at {@code pos}; it must close {@code top}. */
        private XmlElement endTag(Open top) throws XmlParseException {
            int at = pos;
            pos += 2; // "</"
            String name = name(AFTER_END_LT, null);
            skipWhitespace();
            if (pos >= end) {
                throw truncated(top);
            }
            if (c[pos] != '>') {
                throw error(pos, "the end tag </" + name + " must end with '>'");
            }
            pos++;
            if (!name.equals(top.name)) {
                throw error(at, "</" + name + "> closes <" + top.name + "> (opened at line " + top.line
                        + "); close <" + top.name + "> first, or remove the stray </" + name + ">");
            }
            stack.remove(stack.size() - 1);
            return new XmlElement(top.name, top.attributes, top.children, top.line);
        }

        /** A comment at {@code pos} ("<!--"); returns its text. */
        private String comment() throws XmlParseException {
            int at = pos;
            int start = pos + 4;
            int dashes = indexOf("--", start);
            if (dashes < 0) {
                throw error(at, "a comment <!-- is never closed with -->: was the file truncated?");
            }
            if (dashes + 2 >= end || c[dashes + 2] != '>') {
                throw error(dashes, "'--' inside a comment is not allowed in XML; end the comment with --> or"
                        + " remove the dashes");
            }
            pos = dashes + 3;
            for (int i = start; i < dashes; i++) {
                if (c[i] >= 0 && c[i] < ' ' && c[i] != '\t' && c[i] != '\n' && c[i] != '\r') {
                    throw error(i, badCharacter(c[i]));
                }
            }
            Bytes sb = new Bytes();
            appendNormalized(sb, start, dashes);
            return decode(sb.bytes(), 0, sb.length(), start);
        }

        /** A processing instruction or XML declaration at {@code pos}: skipped, a CIB carries nothing in them. */
        private void skipProcessingInstruction(boolean prolog) throws XmlParseException {
            int at = pos;
            int close = indexOf("?>", pos + 2);
            if (close < 0) {
                throw error(at, "'<?' is never closed with '?>': was the file truncated?");
            }
            if (!prolog && startsWith("<?xml") && close > pos + 5 && isWhitespace(c[pos + 5])) {
                throw error(at, "an XML declaration <?xml ...?> after the root element; it may only be the first line");
            }
            pos = close + 2;
        }

        /** An entity or character reference at {@code pos} ('&'), appended to {@code sb}. */
        private void entity(Bytes sb, String where) throws XmlParseException {
            int at = pos;
            int semi = -1;
            for (int i = pos + 1; i < end && i < pos + 12; i++) {
                if (c[i] == ';') {
                    semi = i;
                    break;
                }
            }
            if (semi < 0) {
                throw error(at, "'&' in " + where + " starts no entity: write &amp; for a literal '&'");
            }
            String ref = decode(c, pos + 1, semi - pos - 1, pos);
            pos = semi + 1;
            switch (ref) {
                case "lt": sb.append('<'); return;
                case "gt": sb.append('>'); return;
                case "amp": sb.append('&'); return;
                case "quot": sb.append('"'); return;
                case "apos": sb.append('\''); return;
                default: break;
            }
            if (ref.startsWith("#")) {
                int code = -1;
                try {
                    code = ref.startsWith("#x") ? Integer.parseInt(ref.substring(2), 16) : Integer.parseInt(ref.substring(1));
                } catch (NumberFormatException e) {
                    code = -1;
                }
                boolean legal = code == 0x9 || code == 0xA || code == 0xD || (code >= 0x20 && code <= 0xD7FF)
                        || (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
                if (!legal) {
                    throw error(at, "'&" + ref + ";' in " + where + " is not a legal XML character");
                }
                sb.appendCodePoint(code);
                return;
            }
            throw error(at, "undefined entity '&" + ref + ";' in " + where + "; XML knows only &lt; &gt; &amp;"
                    + " &quot; &apos; and numeric references such as &#160;");
        }

        private static final int AFTER_LT = 0;
        private static final int ATTRIBUTE = 1;
        private static final int AFTER_END_LT = 2;

        /** What was expected, for an error only: built per attribute it was a third of parsing. */
        private static String expected(int what, String element) {
            switch (what) {
                case AFTER_LT: return "an element name after '<' (a literal '<' in text is written &lt;)";
                case ATTRIBUTE: return "an attribute name in <" + element + ">";
                default: return "an element name after '</'";
            }
        }

        /** A name (element or attribute) at {@code pos}; {@code what} and {@code element} say what for errors. */
        private String name(int what, String element) throws XmlParseException {
            int start = pos;
            if (pos >= end) {
                throw error(pos, "the file ends where " + expected(what, element) + " should be: was it truncated?");
            }
            int first = c[pos] & 0xFF;
            if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_' || first == ':'
                    || first >= 0x80)) {
                throw error(pos, first < ' ' ? badCharacter(first)
                        : "expected " + expected(what, element) + ", found '" + (char) first + "'");
            }
            // Hot loops keep the position in a local: a one-shot run is compiled by C1 only, which
            // would otherwise load and store the field on every character.
            byte[] cs = c;
            int p = pos + 1;
            int limit = end;
            while (p < limit) {
                int ch = cs[p];
                if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-'
                        || ch == '_' || ch == '.' || ch == ':' || ch < 0) {
                    p++;
                } else {
                    break;
                }
            }
            pos = p;
            return shared(start, p - start);
        }

        private boolean skipWhitespace() {
            byte[] cs = c;
            int start = pos;
            int p = start;
            int limit = end;
            while (p < limit && isWhitespace(cs[p])) {
                p++;
            }
            pos = p;
            return p > start;
        }

        private boolean startsWith(String s) {
            if (pos + s.length() > end) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (c[pos + i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private int indexOf(String s, int from) {
            char first = s.charAt(0);
            outer:
            for (int i = from; i + s.length() <= end; i++) {
                if (c[i] != first) {
                    continue;
                }
                for (int k = 1; k < s.length(); k++) {
                    if (c[i + k] != s.charAt(k)) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }

        /** Appends c[from, to) with CR LF and lone CR made LF. */
        private void appendNormalized(Bytes sb, int from, int to) {
            for (int i = from; i < to; i++) {
                byte ch = c[i];
                if (ch == '\r') {
                    sb.append('\n');
                    if (i + 1 < to && c[i + 1] == '\n') {
                        i++;
                    }
                } else {
                    sb.append(ch & 0xFF);
                }
            }
        }

        /** The line of position {@code p}, counting on from the last position asked about (positions only grow). */
        private int lineOf(int p) {
            if (p < countedTo) {
                countedTo = 0;
                countedLines = 1;
            }
            byte[] cs = c;
            int lines = countedLines;
            for (int i = countedTo; i < p; i++) {
                byte ch = cs[i];
                if (ch == '\n' || (ch == '\r' && (i + 1 >= end || cs[i + 1] != '\n'))) {
                    lines++;
                }
            }
            countedTo = p;
            countedLines = lines;
            return lines;
        }

        /** Characters, not bytes: the continuation bytes of a multi-byte character are not counted. */
        private int columnOf(int p) {
            int column = 1;
            for (int i = p; i > 0 && c[i - 1] != '\n' && c[i - 1] != '\r'; i--) {
                if ((c[i - 1] & 0xC0) != 0x80) {
                    column++;
                }
            }
            return column;
        }

        private XmlParseException error(int at, String problem) {
            int p = Math.min(at, end);
            return new XmlParseException(source, lineOf(p), columnOf(p), "malformed XML: " + problem);
        }

        private XmlParseException truncated(Open open) {
            return error(end, "the file ends inside <" + open.name + "> (opened at line " + open.line
                    + "): was it truncated?");
        }

        private XmlParseException truncatedTag(String element, int at) {
            return error(end, "the file ends inside the tag <" + element + " (line " + lineOf(at)
                    + "): was it truncated?");
        }

        private static String badCharacter(int ch) {
            return String.format("character U+%04X is not allowed in XML (is this a binary file?)", ch);
        }

        private static boolean isWhitespace(int ch) {
            return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
        }
    }

    /** A growing run of UTF-8 bytes: text and values with entities or line ends to rewrite. */
    private static final class Bytes {
        private byte[] b = new byte[64];
        private int n;

        void clear() {
            n = 0;
        }

        int length() {
            return n;
        }

        byte[] bytes() {
            return b;
        }

        void append(int oneByte) {
            if (n == b.length) {
                b = Arrays.copyOf(b, n * 2);
            }
            b[n++] = (byte) oneByte;
        }

        void append(byte[] from, int start, int length) {
            if (n + length > b.length) {
                b = Arrays.copyOf(b, Math.max(n * 2, n + length));
            }
            System.arraycopy(from, start, b, n, length);
            n += length;
        }

        /** A character reference: the code point in UTF-8. */
        void appendCodePoint(int cp) {
            if (cp < 0x80) {
                append(cp);
            } else if (cp < 0x800) {
                append(0xC0 | (cp >> 6));
                append(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
                append(0xE0 | (cp >> 12));
                append(0x80 | ((cp >> 6) & 0x3F));
                append(0x80 | (cp & 0x3F));
            } else {
                append(0xF0 | (cp >> 18));
                append(0x80 | ((cp >> 12) & 0x3F));
                append(0x80 | ((cp >> 6) & 0x3F));
                append(0x80 | (cp & 0x3F));
            }
        }

    }

    /**
     * Names and short values, one String each: a big CIB repeats the same element and attribute
     * names and short values (class, provider, type, operation names, intervals, rc codes) tens of
     * thousands of times; sharing them saves megabytes and the allocation of each copy. An open
     * addressing table keyed by the characters, so a hit allocates nothing.
     */
    private static final class Names {
        private String[] table;
        /** Each entry's bytes beside it: comparing bytes with bytes, not bytes with charAt. */
        private byte[][] keys;
        /** Each entry's hash (of its bytes, which for ASCII is the String's hash). */
        private int[] hashes;
        private int shift;
        private int size;

        /** Sized for the document: about one shared string per 32 bytes, so a big CIB rarely regrows. */
        Names(int documentBytes) {
            int bits = 10;
            while (bits < 20 && (1 << bits) < documentBytes / 32) {
                bits++;
            }
            table = new String[1 << bits];
            keys = new byte[1 << bits][];
            hashes = new int[1 << bits];
            shift = 32 - bits;
        }

        /** The shared String of c[from, from + length), or null when those bytes are not ASCII. */
        String get(byte[] c, int from, int length) {
            int h = 0;
            int high = 0;
            for (int i = from; i < from + length; i++) {
                h = 31 * h + c[i];
                high |= c[i];
            }
            if (high < 0) {
                return null;   // not ASCII: rare, decoded by the caller and not shared
            }
            int mask = table.length - 1;
            for (int i = slot(h); ; i = (i + 1) & mask) {
                byte[] k = keys[i];
                if (k == null) {
                    String s = new String(c, from, length, StandardCharsets.ISO_8859_1);
                    add(i, s, Arrays.copyOfRange(c, from, from + length), h);
                    return s;
                }
                if (hashes[i] == h && k.length == length && Arrays.equals(k, 0, length, c, from, from + length)) {
                    return table[i];
                }
            }
        }

        private void add(int slot, String s, byte[] key, int h) {
            table[slot] = s;
            keys[slot] = key;
            hashes[slot] = h;
            if (++size * 2 > table.length) {
                String[] oldTable = table;
                byte[][] oldKeys = keys;
                int[] oldHashes = hashes;
                table = new String[oldTable.length * 2];
                keys = new byte[table.length][];
                hashes = new int[table.length];
                shift--;
                int mask = table.length - 1;
                for (int j = 0; j < oldTable.length; j++) {
                    if (oldKeys[j] != null) {
                        int i = slot(oldHashes[j]);
                        while (keys[i] != null) {
                            i = (i + 1) & mask;
                        }
                        table[i] = oldTable[j];
                        keys[i] = oldKeys[j];
                        hashes[i] = oldHashes[j];
                    }
                }
            }
        }

        /**
         * Fibonacci hashing: the top bits of h times 2^32/phi. Ids such as rsc1234 have nearly
         * consecutive String hashes; taken as they are, linear probing made one long run of them.
         */
        private int slot(int h) {
            return (h * 0x9E3779B9) >>> shift;
        }
    }
}
