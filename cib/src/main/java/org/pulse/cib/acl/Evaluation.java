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
 * One subject's permissions evaluated over one CIB tree. The XPaths are XPath 1.0, the language
 * libxml2 gives Pacemaker, so an operator's existing ACLs select the same elements here. The paths
 * operators usually write (steps with attribute predicates) are walked directly ({@link SimplePath});
 * any other XPath (functions, axes, unions, positions) runs on the JDK's XPath engine over a DOM
 * copy made for it, so nothing an operator writes is refused or misread. Results are marked on a
 * tree of {@link SimplePath.Node}s built once per evaluation (our immutable elements may be shared,
 * so they are never keys).
 */
final class Evaluation {
    final SimplePath.Node rootNode;
    final List<String> problems = new ArrayList<>();
    /** Per selected element: the first permission of each kind that selected it. */
    private final Map<SimplePath.Node, AclPermission[]> selected = new IdentityHashMap<>();
    /** Set when a deny could not be evaluated: everything is denied by it. */
    private AclPermission failClosed;
    /** The DOM copy for the JDK's XPath, made only when a permission's XPath needs it. */
    private Document doc;
    private Map<Node, SimplePath.Node> fromDom;

    Evaluation(XmlElement root, List<AclPermission> permissions) {
        rootNode = tree(root);
        for (AclPermission p : permissions) {
            SimplePath simple = SimplePath.parse(p.xpath());
            if (simple != null) {
                for (SimplePath.Node n : simple.select(rootNode)) {
                    mark(n, p);
                }
                continue;
            }
            NodeList nodes;
            try {
                nodes = (NodeList) xpath().evaluate(p.xpath(), dom(), XPathConstants.NODESET);
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
                    n = doc.getDocumentElement();
                }
                SimplePath.Node mine = n == null ? null : fromDom.get(n);
                if (mine != null) {
                    mark(mine, p);
                }
            }
        }
    }

    private void mark(SimplePath.Node n, AclPermission p) {
        AclPermission[] kinds = selected.computeIfAbsent(n, k -> new AclPermission[3]);
        if (kinds[p.kind().ordinal()] == null) {
            kinds[p.kind().ordinal()] = p;
        }
    }

    private static SimplePath.Node tree(XmlElement e) {
        SimplePath.Node n = new SimplePath.Node(e);
        for (XmlNode c : e.children()) {
            if (c instanceof XmlElement ce) {
                n.children.add(tree(ce));
            }
        }
        return n;
    }

    private Document dom() {
        if (doc == null) {
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
                doc = f.newDocumentBuilder().newDocument();
            } catch (ParserConfigurationException e) {
                throw new IllegalStateException("the JDK's DOM is not available: " + e, e);
            }
            fromDom = new IdentityHashMap<>();
            doc.appendChild(build(doc, rootNode));
        }
        return doc;
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

    private Element build(Document d, SimplePath.Node n) {
        Element el = d.createElement(n.element.name());
        n.element.attributes().forEach(el::setAttribute);
        fromDom.put(el, n);
        for (SimplePath.Node c : n.children) {
            el.appendChild(build(d, c));
        }
        return el;
    }

    static List<SimplePath.Node> children(SimplePath.Node n) {
        return n.children;
    }

    /**
     * The access at {@code d}, given the access its parent has ({@code inherited}): the element's
     * own selection decides when there is one (deny, else write, else read), else the parent's.
     */
    CibAcl.Eff effective(SimplePath.Node d, CibAcl.Eff inherited) {
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
    XmlElement filter(XmlElement e, SimplePath.Node d, CibAcl.Eff inherited) {
        CibAcl.Eff eff = effective(d, inherited);
        List<SimplePath.Node> dom = children(d);
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
