package org.pulse.lrm;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Parses OCF meta-data and fence agents' metadata. Real agents declare
 * {@code <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">}: the DTD is never fetched (nor any external entity),
 * and the document is not validated against it; we check the structure we use.
 */
final class MetadataParser {
    private MetadataParser() {
    }

    /** Just enough of an XML element for meta-data: name, attributes, child elements, text. */
    private static final class Element {
        final String tag;
        final Map<String, String> attrs = new LinkedHashMap<>();
        final List<Element> kids = new ArrayList<>();
        final StringBuilder text = new StringBuilder();

        Element(String tag) {
            this.tag = tag;
        }

        String getTagName() {
            return tag;
        }

        String getAttribute(String name) {
            return attrs.getOrDefault(name, "");
        }

        boolean hasAttribute(String name) {
            return attrs.containsKey(name);
        }

        /** All text inside, as DOM's getTextContent. */
        String getTextContent() {
            StringBuilder b = new StringBuilder(text);
            for (Element k : kids) {
                b.append(k.getTextContent());
            }
            return b.toString();
        }
    }

    private static Element read(String xml) throws XMLStreamException {
        XMLInputFactory f = XMLInputFactory.newFactory();
        // Real agents name "ra-api-1.dtd": never fetch it, nor any external entity.
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
        XMLStreamReader r = f.createXMLStreamReader(new StringReader(xml));
        List<Element> stack = new ArrayList<>();
        Element root = null;
        try {
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    Element e = new Element(r.getLocalName());
                    for (int i = 0; i < r.getAttributeCount(); i++) {
                        e.attrs.put(r.getAttributeLocalName(i), r.getAttributeValue(i));
                    }
                    if (stack.isEmpty()) {
                        root = e;
                    } else {
                        stack.get(stack.size() - 1).kids.add(e);
                    }
                    stack.add(e);
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    stack.remove(stack.size() - 1);
                } else if ((ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA
                        || ev == XMLStreamConstants.SPACE) && !stack.isEmpty()) {
                    stack.get(stack.size() - 1).text.append(r.getText());
                }
            }
        } finally {
            r.close();
        }
        if (root == null) {
            throw new XMLStreamException("no root element");
        }
        return root;
    }

    static AgentMetadata parse(AgentRef agent, String xml) throws MetadataException {
        Element root;
        try {
            root = read(xml);
        } catch (XMLStreamException | RuntimeException e) {
            Location at = e instanceof XMLStreamException ? ((XMLStreamException) e).getLocation() : null;
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ");
            throw new MetadataException("meta-data of " + agent + " is not well-formed XML"
                    + (at == null ? "" : " at line " + at.getLineNumber() + ", column " + at.getColumnNumber())
                    + ": " + msg + " (first bytes: " + head(xml) + ")");
        }
        if (!root.getTagName().equals("resource-agent")) {
            throw new MetadataException("meta-data of " + agent + " has root element <" + root.getTagName()
                    + ">, expected <resource-agent>");
        }
        String name = root.getAttribute("name");
        String shortdesc = text(child(root, "shortdesc"));
        if (shortdesc.isEmpty()) {
            shortdesc = root.getAttribute("shortdesc"); // fence agents
        }
        List<AgentMetadata.Parameter> params = new ArrayList<>();
        Element ps = child(root, "parameters");
        boolean anyPrivate = false;
        if (ps != null) {
            for (Element p : children(ps, "parameter")) {
                anyPrivate |= flag(p.getAttribute("private"));
            }
            for (Element p : children(ps, "parameter")) {
                String pname = p.getAttribute("name");
                if (pname.isEmpty()) {
                    throw new MetadataException("meta-data of " + agent + " has a <parameter> without a name");
                }
                Element content = child(p, "content");
                List<String> options = new ArrayList<>();
                String type = "string";
                String dflt = null;
                if (content != null) {
                    type = content.getAttribute("type").isEmpty() ? "string" : content.getAttribute("type");
                    dflt = content.hasAttribute("default") ? content.getAttribute("default") : null;
                    for (Element o : children(content, "option")) {
                        options.add(o.getAttribute("value"));
                    }
                }
                boolean priv = anyPrivate ? flag(p.getAttribute("private"))
                        : pname.equals("password") || pname.equals("passwd") || pname.equals("user");
                String group = p.getAttribute("unique-group");
                params.add(new AgentMetadata.Parameter(pname, flag(p.getAttribute("required")),
                        flag(p.getAttribute("unique")) || !group.isEmpty(), group.isEmpty() ? null : group,
                        flag(p.getAttribute("reloadable")), priv, type, dflt, text(child(p, "shortdesc")),
                        text(child(p, "longdesc")), options));
            }
        }
        List<AgentMetadata.Action> actions = new ArrayList<>();
        Element as = child(root, "actions");
        if (as != null) {
            for (Element a : children(as, "action")) {
                String aname = a.getAttribute("name");
                if (aname.isEmpty()) {
                    throw new MetadataException("meta-data of " + agent + " has an <action> without a name");
                }
                actions.add(new AgentMetadata.Action(aname, durationMs(a.getAttribute("timeout"), -1),
                        durationMs(a.getAttribute("interval"), 0), durationMs(a.getAttribute("start-delay"), 0),
                        a.hasAttribute("depth") ? a.getAttribute("depth") : null,
                        a.hasAttribute("role") ? a.getAttribute("role") : null));
            }
        }
        return new AgentMetadata(agent, name, text(child(root, "version")), root.getAttribute("version"), shortdesc,
                text(child(root, "longdesc")), params, actions, xml);
    }

    /**
     * Pacemaker's duration syntax: a number with an optional unit (ms, msec, s, sec, m, min, h, hr, d; seconds
     * without one). Returns {@code absent} for an empty or unreadable value: an advised timeout is a hint, and a
     * bad hint must not make the whole meta-data unusable.
     */
    static long durationMs(String v, long absent) {
        if (v == null) {
            return absent;
        }
        String s = v.trim().toLowerCase();
        if (s.isEmpty()) {
            return absent;
        }
        int i = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            i++;
        }
        if (i == 0) {
            return absent;
        }
        long n;
        try {
            n = Long.parseLong(s.substring(0, i));
        } catch (NumberFormatException e) {
            return absent;
        }
        switch (s.substring(i).trim()) {
            case "": case "s": case "sec": case "secs": return n * 1000;
            case "ms": case "msec": case "msecs": return n;
            case "m": case "min": case "mins": return n * 60_000;
            case "h": case "hr": case "hrs": return n * 3_600_000;
            case "d": case "day": case "days": return n * 86_400_000;
            default: return absent;
        }
    }

    private static boolean flag(String v) {
        return v.equals("1") || v.equalsIgnoreCase("true") || v.equalsIgnoreCase("yes");
    }

    private static Element child(Element parent, String tag) {
        for (Element k : parent.kids) {
            if (k.tag.equals(tag)) {
                return k;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        for (Element k : parent.kids) {
            if (k.tag.equals(tag)) {
                out.add(k);
            }
        }
        return out;
    }

    private static String text(Element e) {
        return e == null ? "" : e.getTextContent().strip();
    }

    private static String head(String xml) {
        String s = xml.strip().replaceAll("\\s+", " ");
        if (s.isEmpty()) {
            return "nothing";
        }
        return "\"" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "\"";
    }
}
