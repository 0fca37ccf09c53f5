package org.pulse.lrm;

import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Parses OCF meta-data and fence agents' metadata. Real agents declare
 * {@code <!DOCTYPE resource-agent SYSTEM "ra-api-1.dtd">}: the DTD is never fetched (nor any external entity),
 * and the document is not validated against it; we check the structure we use.
 */
final class MetadataParser {
    private MetadataParser() {
    }

    static AgentMetadata parse(AgentRef agent, String xml) throws MetadataException {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(false);
            f.setValidating(false);
            f.setExpandEntityReferences(false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            DocumentBuilder b = f.newDocumentBuilder();
            b.setErrorHandler(null);
            doc = b.parse(new InputSource(new StringReader(xml)));
        } catch (SAXParseException e) {
            throw new MetadataException("meta-data of " + agent + " is not well-formed XML at line " + e.getLineNumber()
                    + ", column " + e.getColumnNumber() + ": " + e.getMessage() + " (first bytes: " + head(xml) + ")");
        } catch (SAXException | IOException | ParserConfigurationException e) {
            throw new MetadataException("meta-data of " + agent + " could not be parsed: " + e.getMessage());
        }
        Element root = doc.getDocumentElement();
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
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && ((Element) n).getTagName().equals(tag)) {
                return (Element) n;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nl = parent.getChildNodes();
        for (int i = 0; i < nl.getLength(); i++) {
            Node n = nl.item(i);
            if (n instanceof Element && ((Element) n).getTagName().equals(tag)) {
                out.add((Element) n);
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
