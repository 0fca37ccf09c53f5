package org.pulse.cib.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The fast path selects exactly what the JDK's XPath 1.0 engine selects, for every path it takes. */
class SimplePathTest {
    static final List<String> TAKEN = List.of("/cib", "/cib/configuration", "//primitive", "//*",
            "//primitive[@id='web']", "//*[@id='db']", "//nvpair[@name='password']",
            "//nvpair[@name='target-role' and @value='Started']", "//nvpair[@name='priority' or @name='password']",
            "//nvpair[@name = \"password\"]", "//primitive[@provider]", "//primitive[@provider][@type='apache']",
            "/cib/configuration/resources/primitive[@id='web']/meta_attributes", "//resources//nvpair",
            "/cib//nvpair[@value!='Started']", "//meta_attributes/nvpair", "/cib/status", "//node[@uname='node1']",
            "//primitive[@class='stonith' or @provider and @type='pgsql']", "/nothing", "//resources/*");
    static final List<String> LEFT_TO_THE_JDK = List.of("//nvpair[contains(@name,'pass')]", "//primitive[1]",
            "//primitive/@provider", "//primitive | //node", "descendant::nvpair", "//primitive[@id='web']/..",
            "//nvpair[not(@name='x')]", "//primitive[(@id='a')]");

    @Test
    void takenPathsSelectWhatTheJdkSelects() throws Exception {
        XmlElement root = CibAclTest.cib(true, "");
        SimplePath.Node tree = tree(root);
        Map<XmlElement, String> label = new IdentityHashMap<>();
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().newDocument();
        Map<Element, String> domLabel = new IdentityHashMap<>();
        doc.appendChild(dom(doc, root, "0", label, domLabel));
        for (String xpath : TAKEN) {
            SimplePath p = SimplePath.parse(xpath);
            assertNotNull(p, "the fast path should take " + xpath);
            Set<String> mine = new TreeSet<>();
            p.select(tree).forEach(n -> mine.add(label.get(n.element)));
            Set<String> jdk = new TreeSet<>();
            NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, doc,
                    XPathConstants.NODESET);
            for (int i = 0; i < nodes.getLength(); i++) {
                jdk.add(domLabel.get((Element) nodes.item(i)));
            }
            assertEquals(jdk, mine, xpath);
        }
    }

    @Test
    void otherXpathsAreLeftToTheJdk() {
        for (String xpath : LEFT_TO_THE_JDK) {
            assertNull(SimplePath.parse(xpath), xpath);
        }
    }

    @Test
    void functionsStillWorkThroughTheJdk() {
        String acls = "<acl_role id='r'><acl_permission id='rd' kind='read' xpath='/cib'/>"
                + "<acl_permission id='d' kind='deny' xpath=\"//nvpair[contains(@name,'pass')]\"/></acl_role>"
                + "<acl_target id='hugo'><role id='r'/></acl_target>";
        XmlElement root = CibAclTest.cib(true, acls);
        assertNull(CibAclTest.find(CibAcl.filterForRead(root, AclSubject.user("hugo")), "db-pw"));
        assertNotNull(CibAclTest.find(CibAcl.filterForRead(root, AclSubject.user("hugo")), "web-meta-prio"));
    }

    static SimplePath.Node tree(XmlElement e) {
        SimplePath.Node n = new SimplePath.Node(e);
        for (XmlNode c : e.children()) {
            if (c instanceof XmlElement ce) {
                n.children.add(tree(ce));
            }
        }
        return n;
    }

    static Element dom(Document d, XmlElement e, String path, Map<XmlElement, String> label, Map<Element, String> dl) {
        Element el = d.createElement(e.name());
        e.attributes().forEach(el::setAttribute);
        label.put(e, path);
        dl.put(el, path);
        List<XmlElement> kids = new ArrayList<>(e.elements());
        for (int i = 0; i < kids.size(); i++) {
            el.appendChild(dom(d, kids.get(i), path + "." + i, label, dl));
        }
        return el;
    }
}
