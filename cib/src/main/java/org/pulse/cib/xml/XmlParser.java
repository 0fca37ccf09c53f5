package org.pulse.cib.xml;

import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads XML into an {@link XmlElement} tree with StAX (Woodstox, which Jackson's XML module
 * brings). StAX rather than Jackson's data binding because the CIB must keep what Pulse does
 * not understand, in place and in order: a streaming reader sees every element, attribute and
 * comment in document order, where data binding would drop or reorder the unknown ones.
 *
 * <p>DTDs and external entities are refused (a CIB never needs them, and they are the classic
 * XML attack). Whitespace-only text between elements is dropped: the CIB has no mixed content,
 * and the writer indents anew.
 */
public final class XmlParser {
    /** Deeper than any real CIB (about 12 levels) by far; guards the stack against hostile input. */
    public static final int MAX_DEPTH = 256;
    /** Largest attribute value accepted; a real CIB's largest are digests and rule expressions. */
    public static final int MAX_ATTRIBUTE_CHARS = 1 << 20;

    private static final String WOODSTOX_MAX_ATTRIBUTE_SIZE = "com.ctc.wstx.maxAttributeSize";

    private XmlParser() {
    }

    public static XmlElement parse(String source, String xml) throws XmlParseException {
        if (xml.isBlank()) {
            throw new XmlParseException(source, 1, 1, "no root element: the file is empty; a CIB is an XML document"
                    + " with a <cib> root");
        }
        return parse(source, new StringReader(xml));
    }

    public static XmlElement parse(String source, Reader reader) throws XmlParseException {
        XMLInputFactory factory = newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        // Names as written ("x:thing") and namespace declarations as plain attributes: a CIB that
        // carries another tool's namespaced data must write back with its xmlns declarations.
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
        // Woodstox stops at 512 KiB with a message that names neither the attribute nor the
        // element; let our own limit (below) speak instead.
        if (factory.isPropertySupported(WOODSTOX_MAX_ATTRIBUTE_SIZE)) {
            factory.setProperty(WOODSTOX_MAX_ATTRIBUTE_SIZE, MAX_ATTRIBUTE_CHARS * 2);
        }
        XMLStreamReader in = null;
        try {
            in = factory.createXMLStreamReader(reader);
            return read(source, in);
        } catch (XMLStreamException e) {
            Location loc = e.getLocation();
            String msg = e.getMessage();
            // StAX prefixes its messages with the location; the exception carries it anyway.
            int cut = msg == null ? -1 : msg.indexOf("Message: ");
            String problem = cut >= 0 ? msg.substring(cut + 9) : String.valueOf(msg);
            // Woodstox appends its own copy of the location; ours is in the exception.
            int at = problem.indexOf("\n at [row,col");
            if (at >= 0) {
                problem = problem.substring(0, at);
            }
            if (problem.startsWith("Maximum attribute size limit")) {
                problem = "an attribute value is longer than " + MAX_ATTRIBUTE_CHARS
                        + " characters; store large data outside the CIB";
            } else if (problem.startsWith("Unexpected EOF in prolog")) {
                problem = "no root element: the file ends before any element; a CIB has a <cib> root";
            } else if (problem.startsWith("Unexpected EOF") || problem.contains("end of input")) {
                problem = stripPeriod(problem) + " (the file is cut short: was it truncated?)";
            }
            problem = stripPeriod(problem);
            throw new XmlParseException(source, loc == null ? 0 : loc.getLineNumber(),
                    loc == null ? 0 : loc.getColumnNumber(), "malformed XML: " + problem.strip());
        } finally {
            if (in != null) {
                try {
                    in.close();
                } catch (XMLStreamException ignored) {
                    // nothing to release beyond the reader the caller owns
                }
            }
        }
    }

    /** The StAX implementation Pulse ships (Woodstox, via Jackson's XML module). */
    private static final String WOODSTOX_FACTORY = "com.ctc.wstx.stax.WstxInputFactory";

    /**
     * Woodstox made directly: XMLInputFactory.newFactory() first reads jaxp.properties and walks
     * every jar's META-INF/services to find the same class, about 35 ms of a one-shot
     * {@code crm simulate}. By name, not by import, so cib's code depends on StAX alone; when
     * Woodstox is not on the class path the standard lookup still finds whatever is.
     */
    private static XMLInputFactory newFactory() {
        try {
            return (XMLInputFactory) Class.forName(WOODSTOX_FACTORY).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            return XMLInputFactory.newFactory();
        }
    }

    private static final class Open {
        final String name;
        final AttributeMap attributes;
        final List<XmlNode> children = new ArrayList<>();
        final int line;
        StringBuilder text;
        /** A whitespace-only run not yet followed by other text: dropped unless text follows. */
        String blank;

        Open(String name, AttributeMap attributes, int line) {
            this.name = name;
            this.attributes = attributes;
            this.line = line;
        }

        /*
         * A pretty-printed CIB has a whitespace run between every two tags: such a run is kept
         * as a String until text follows it in the same run (then both go into the builder), and
         * dropped at the run's end, without a StringBuilder and two copies per run.
         */
        void addText(String chunk, boolean whitespace) {
            if (text == null && whitespace) {
                blank = blank == null ? chunk : blank + chunk;
                return;
            }
            if (text == null) {
                text = new StringBuilder();
                if (blank != null) {
                    text.append(blank);
                    blank = null;
                }
            }
            text.append(chunk);
        }

        void flushText() {
            blank = null;
            if (text != null) {
                String s = text.toString();
                if (!s.isBlank()) {
                    children.add(new XmlText(s));
                }
                text = null;
            }
        }
    }

    /** Values this short are shared between elements (one "ocf", one "monitor", ...); see below. */
    private static final int SHARED_VALUE_CHARS = 24;

    private static XmlElement read(String source, XMLStreamReader in) throws XMLStreamException, XmlParseException {
        Deque<Open> stack = new ArrayDeque<>();
        // A big CIB repeats the same short values (class, provider, type, operation names,
        // intervals, rc codes) tens of thousands of times; one String each saves megabytes.
        Map<String, String> shared = new HashMap<>();
        XmlElement root = null;
        while (in.hasNext()) {
            int event = in.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> {
                    if (stack.size() >= MAX_DEPTH) {
                        throw error(source, in, "elements nested deeper than " + MAX_DEPTH
                                + " levels; a CIB is never this deep, so the file is not a CIB");
                    }
                    int count = in.getAttributeCount();
                    String[] pairs = new String[count * 2];
                    for (int i = 0; i < count; i++) {
                        String value = in.getAttributeValue(i);
                        if (value.length() <= SHARED_VALUE_CHARS) {
                            String known = shared.putIfAbsent(value, value);
                            value = known != null ? known : value;
                        }
                        String attrName = qualified(in.getAttributePrefix(i), in.getAttributeLocalName(i));
                        if (value.length() > MAX_ATTRIBUTE_CHARS) {
                            throw error(source, in, "attribute '" + attrName + "' of <" + in.getLocalName()
                                    + "> is " + value.length() + " characters long (limit "
                                    + MAX_ATTRIBUTE_CHARS + "); store large data outside the CIB");
                        }
                        pairs[2 * i] = attrName;
                        pairs[2 * i + 1] = value;
                    }
                    AttributeMap attrs = AttributeMap.ofPairs(pairs, pairs.length);
                    if (!stack.isEmpty()) {
                        stack.peek().flushText();
                    }
                    stack.push(new Open(qualified(in.getPrefix(), in.getLocalName()), attrs,
                            in.getLocation().getLineNumber()));
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    Open open = stack.pop();
                    open.flushText();
                    XmlElement done = new XmlElement(open.name, open.attributes, open.children, open.line);
                    if (stack.isEmpty()) {
                        root = done;
                    } else {
                        stack.peek().children.add(done);
                    }
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (!stack.isEmpty()) {
                        stack.peek().addText(in.getText(), event != XMLStreamConstants.CDATA && in.isWhiteSpace());
                    }
                }
                case XMLStreamConstants.COMMENT -> {
                    if (!stack.isEmpty()) {
                        stack.peek().flushText();
                        stack.peek().children.add(new XmlComment(in.getText()));
                    }
                }
                case XMLStreamConstants.DTD -> throw error(source, in,
                        "DOCTYPE declarations are not accepted in a CIB; remove the <!DOCTYPE ...> line");
                default -> {
                    // processing instructions and the XML declaration carry nothing for a CIB
                }
            }
        }
        if (root == null) {
            throw new XmlParseException(source, 1, 1, "no root element: the file is empty or not XML");
        }
        return root;
    }

    /** Woodstox ends some messages with a period; ours go on with "; what to do". */
    private static String stripPeriod(String s) {
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String qualified(String prefix, String local) {
        return prefix == null || prefix.isEmpty() ? local : prefix + ":" + local;
    }

    private static XmlParseException error(String source, XMLStreamReader in, String problem) {
        Location loc = in.getLocation();
        return new XmlParseException(source, loc.getLineNumber(), loc.getColumnNumber(), problem);
    }
}
