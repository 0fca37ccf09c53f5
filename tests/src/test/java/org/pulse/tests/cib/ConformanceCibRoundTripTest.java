package org.pulse.tests.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.Cib;
import org.pulse.cib.CibProblem;
import org.pulse.cib.CibStore;
import org.pulse.cib.CibValidator;
import org.pulse.lab.support.TestEnv;
import org.w3c.dom.Attr;
import org.w3c.dom.Document;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * Every CIB of Pacemaker's scheduler cases loads, passes {@code verify} (warnings allowed), goes
 * through the store, and writes back as the same document. "Same" is judged by the JDK's own DOM
 * parser, not by Pulse's reader, in a canonical form: attributes sorted, whitespace-only text
 * dropped (the writer re-indents), other text trimmed, comments kept in place.
 */
class ConformanceCibRoundTripTest {
    @TempDir
    Path tmp;

    @Test
    void everyConformanceCibLoadsVerifiesAndWritesBackTheSameDocument() throws Exception {
        Path cases = TestEnv.shared().resolve("conformance/cases");
        List<Path> files;
        try (Stream<Path> s = Files.list(cases)) {
            files = s.map(d -> d.resolve("cib.xml")).filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(files.size() > 0, "no cib.xml under " + cases);
        DocumentBuilder dom = domParser();
        List<String> failures = new ArrayList<>();
        int warnings = 0;
        int comments = 0;
        for (Path f : files) {
            String name = cases.relativize(f).toString();
            String original = Files.readString(f);
            Cib cib = Cib.parse(name, original);
            List<CibProblem> problems = CibValidator.validate(cib);
            for (CibProblem p : problems) {
                if (p.isError()) {
                    failures.add(name + ": verify reports an error: " + p.message());
                } else {
                    warnings++;
                }
            }
            String written = cib.toXml();
            String want = canonical(dom, original);
            String got = canonical(dom, written);
            if (!want.equals(got)) {
                failures.add(name + ": written back differs:\n" + firstDifference(want, got));
            }
            comments += original.split("<!--", -1).length - 1;
            // and through the store: what is loaded is what was saved
            CibStore store = new CibStore(tmp.resolve(f.getParent().getFileName().toString()));
            store.save(cib);
            assertEquals(cib, store.load().orElseThrow(), name + ": the store gave back another CIB");
        }
        System.out.println("ConformanceCibRoundTripTest: " + files.size() + " conformance CIBs loaded, verified ("
                + warnings + " warnings, no errors allowed), stored and written back identically (canonical XML, "
                + comments + " comments kept)");
        assertTrue(failures.isEmpty(), failures.size() + " of " + files.size() + " failed:\n" + String.join("\n", failures));
    }

    private static DocumentBuilder domParser() throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setNamespaceAware(false);
        f.setIgnoringComments(false);
        f.setCoalescing(true);
        return f.newDocumentBuilder();
    }

    static String canonical(DocumentBuilder dom, String xml) throws Exception {
        Document d = dom.parse(new InputSource(new StringReader(xml)));
        StringBuilder sb = new StringBuilder();
        write(sb, d.getDocumentElement(), 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Node n, int depth) {
        String indent = "  ".repeat(depth);
        switch (n.getNodeType()) {
            case Node.ELEMENT_NODE -> {
                sb.append(indent).append('<').append(n.getNodeName());
                NamedNodeMap attrs = n.getAttributes();
                List<Attr> sorted = new ArrayList<>();
                for (int i = 0; i < attrs.getLength(); i++) {
                    sorted.add((Attr) attrs.item(i));
                }
                sorted.sort(Comparator.comparing(Attr::getName));
                for (Attr a : sorted) {
                    sb.append(' ').append(a.getName()).append("=\"").append(escape(a.getValue())).append('"');
                }
                sb.append(">\n");
                for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
                    write(sb, c, depth + 1);
                }
                sb.append(indent).append("</").append(n.getNodeName()).append(">\n");
            }
            case Node.TEXT_NODE, Node.CDATA_SECTION_NODE -> {
                String t = n.getNodeValue();
                if (!t.isBlank()) {
                    sb.append(indent).append("text:").append(escape(t.strip())).append('\n');
                }
            }
            case Node.COMMENT_NODE -> sb.append(indent).append("<!--").append(escape(n.getNodeValue())).append("-->\n");
            default -> {
                // processing instructions: none in a CIB
            }
        }
    }

    private static String escape(String s) {
        return s.replace("\n", "\\n").replace("\"", "\\\"");
    }

    private static String firstDifference(String a, String b) {
        String[] la = a.split("\n");
        String[] lb = b.split("\n");
        for (int i = 0; i < Math.min(la.length, lb.length); i++) {
            if (!la[i].equals(lb[i])) {
                return "  line " + (i + 1) + "\n  original: " + la[i] + "\n  written:  " + lb[i];
            }
        }
        return "  lengths differ: " + la.length + " vs " + lb.length + " lines";
    }
}
