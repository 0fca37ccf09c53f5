package org.pulse.cib.acl;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathExpressionException;
import javax.xml.xpath.XPathFactory;
import javax.xml.xpath.XPathFactoryConfigurationException;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * One subject's permissions evaluated over one CIB tree. The XPaths run on a W3C DOM copy of the
 * tree through the JDK's XPath 1.0 engine: the same language libxml2 gives Pacemaker, so an
 * operator's existing ACLs select the same elements here (functions, axes, unions and all), with
 * no home-made subset to drift from it. The DOM is walked in parallel with the XmlElement tree
 * (the i-th element child of one is the i-th of the other), so no identity map of our immutable
 * (and possibly shared) elements is needed.
 */
final class Evaluation {
    final Element rootNode;
    final List<String> problems = new ArrayList<>();
    /** Per selected DOM element: the first permission of each kind that selected it. */
    private final Map<Node, AclPermission[]> selected = new IdentityHashMap<>();
    /** Set when a deny could not be evaluated: everything is denied by it. */
    private AclPermission failClosed;

    Evaluation(XmlElement root, List<AclPermission> permissions) {
        Document doc;
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            doc = f.newDocumentBuilder().newDocument();
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("the JDK's DOM is not available: " + e, e);
        }
        rootNode = build(doc, root);
        doc.appendChild(rootNode);
        XPath xpath = xpath();
        for (AclPermission p : permissions) {
            NodeList nodes;
            try {
                nodes = (NodeList) xpath.evaluate(p.xpath(), doc, XPathConstants.NODESET);
            } catch (XPathExpressionException e) {
                String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
                problems.add(p.describe() + ": the XPath cannot be evaluated (" + why + ")"
                        + (p.kind() == AclPermission.Kind.DENY ? "; as a deny it denies everything until corrected"
                                : "; it grants nothing"));
                if (p.kind() == AclPermission.Kind.DENY && failClosed == null) {
                    failClosed = p;
                }
                continue;
            }
            for (int i = 0; i < nodes.getLength(); i++) {
                Node n = nodes.item(i);
                // An attribute selects its element; the document selects the root.
                if (n instanceof Attr a) {
                    n = a.getOwnerElement();
                } else if (n instanceof Document) {
                    n = rootNode;
                }
                if (n instanceof Element) {
                    AclPermission[] kinds = selected.computeIfAbsent(n, k -> new AclPermission[3]);
                    if (kinds[p.kind().ordinal()] == null) {
                        kinds[p.kind().ordinal()] = p;
                    }
                }
            }
        }
    }

    private static XPath xpath() {
        XPathFactory f = XPathFactory.newInstance();
        try {
            // No extension functions, no external access: XPaths come from the CIB.
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (XPathFactoryConfigurationException e) {
            throw new IllegalStateException("the JDK's XPath cannot run securely: " + e, e);
        }
        return f.newXPath();
    }

    private static Element build(Document doc, XmlElement e) {
        Element d = doc.createElement(e.name());
        e.attributes().forEach(d::setAttribute);
        for (XmlNode c : e.children()) {
            if (c instanceof XmlElement ce) {
                d.appendChild(build(doc, ce));
            }
        }
        return d;
    }

    static List<Element> children(Element d) {
        List<Element> out = new ArrayList<>();
        for (Node c = d.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * The access at {@code d}, given the access its parent has ({@code inherited}): the element's
     * own selection decides when there is one (deny, else write, else read), else the parent's.
     */
    CibAcl.Eff effective(Element d, CibAcl.Eff inherited) {
        if (failClosed != null) {
            return new CibAcl.Eff(AclPermission.Kind.DENY, failClosed);
        }
        AclPermission[] kinds = selected.get(d);
        if (kinds == null) {
            return inherited;
        }
        for (AclPermission.Kind k : new AclPermission.Kind[] {AclPermission.Kind.DENY, AclPermission.Kind.WRITE,
                AclPermission.Kind.READ}) {
            if (kinds[k.ordinal()] != null) {
                return new CibAcl.Eff(k, kinds[k.ordinal()]);
            }
        }
        return inherited;
    }

    /** The readable part of {@code e} (see CibAcl.filterForRead), or null when nothing of it is. */
    XmlElement filter(XmlElement e, Element d, CibAcl.Eff inherited) {
        CibAcl.Eff eff = effective(d, inherited);
        List<Element> dom = children(d);
        List<XmlNode> kept = new ArrayList<>();
        boolean anyElement = false;
        boolean changed = false;
        int i = 0;
        for (XmlNode c : e.children()) {
            if (c instanceof XmlElement ce) {
                XmlElement f = filter(ce, dom.get(i++), eff);
                if (f != null) {
                    kept.add(f);
                    anyElement = true;
                }
                changed |= f != ce;
            } else if (eff.readable()) {
                kept.add(c);
            } else {
                changed = true;
            }
        }
        if (eff.readable()) {
            return changed ? e.withChildren(kept) : e;
        }
        if (!anyElement) {
            return null;
        }
        Map<String, String> idOnly = e.id() == null ? Map.of() : Map.of("id", e.id());
        return new XmlElement(e.name(), idOnly, kept, e.sourceLine());
    }
}
