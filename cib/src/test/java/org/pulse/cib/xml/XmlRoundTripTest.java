package org.pulse.cib.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What is read is written back as the same tree: comments, text, namespaces, odd characters, order. */
class XmlRoundTripTest {
    private static XmlElement again(XmlElement e) throws XmlParseException {
        return XmlParser.parse("again", XmlWriter.toDocument(e));
    }

    @Test
    void oddButLegalContentSurvives() throws XmlParseException {
        String xml = """
                <?xml version="1.0"?>
                <!-- before the root: not kept, a CIB has nothing there -->
                <cib xmlns:x="urn:vendor" z="1" a="2" epoch="3">
                  <!-- a note -->
                  <configuration>
                    <x:thing x:flavour="mint &amp; lime" quote='say "hi"' nl="a&#10;b" tab="a&#9;b" lt="&lt;&gt;">  spaced text  <!--inner--> tail </x:thing>
                    <text-only>  keep my spaces  </text-only>
                    <cdata><![CDATA[<not-an-element> & stuff]]></cdata>
                    <unicode name="Zürich — 東京 🚀"/>
                  </configuration>
                  <status/>
                  <!-- trailing note -->
                </cib>
                """;
        XmlElement e = XmlParser.parse("t", xml);
        assertEquals(e, again(e));
        assertEquals(List.of("xmlns:x", "z", "a", "epoch"), List.copyOf(e.attributes().keySet()), "attribute order kept");
        XmlElement thing = e.element("configuration").orElseThrow().element("x:thing").orElseThrow();
        assertEquals("mint & lime", thing.attr("x:flavour"));
        assertEquals("a\nb", thing.attr("nl"));
        assertEquals("  spaced text  ", ((XmlText) thing.children().get(0)).text());
        assertEquals("  keep my spaces  ", e.element("configuration").orElseThrow().element("text-only").orElseThrow().text());
        assertEquals(new XmlComment(" a note "), e.children().get(0));
    }

    @Test
    void randomTreesWriteAndReadBackAsThemselves() throws XmlParseException {
        long seed = Long.getLong("pulse.seed", System.nanoTime());
        System.out.println("XmlRoundTripTest: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random rnd = new Random(seed);
        for (int i = 0; i < 1000; i++) {
            XmlElement e = tree(rnd, 0);
            assertEquals(e, again(e), "seed " + seed + " tree " + i + ":\n" + XmlWriter.toXml(e));
        }
    }

    private static final String CHARS = "ab<>&\"' \t\nzé東";

    private static String text(Random rnd) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++) {
            sb.append(CHARS.charAt(rnd.nextInt(CHARS.length())));
        }
        // whitespace-only text is not kept by design (the writer indents); give it a letter
        return sb.toString().isBlank() ? sb + "x" : sb.toString();
    }

    private static XmlElement tree(Random rnd, int depth) {
        List<XmlNode> kids = new ArrayList<>();
        int n = depth > 4 ? 0 : rnd.nextInt(5);
        boolean lastWasText = false;
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(6);
            if (k == 0 && !lastWasText) {
                // adjacent text nodes are one text when read back, so never generate two in a row
                kids.add(new XmlText(text(rnd)));
                lastWasText = true;
                continue;
            }
            lastWasText = false;
            if (k == 1) {
                kids.add(new XmlComment(" c" + rnd.nextInt(9) + " "));
            } else {
                kids.add(tree(rnd, depth + 1));
            }
        }
        java.util.Map<String, String> attrs = new java.util.LinkedHashMap<>();
        for (int i = rnd.nextInt(4); i > 0; i--) {
            attrs.put("a" + rnd.nextInt(6), rnd.nextBoolean() ? text(rnd) : "");
        }
        return new XmlElement(rnd.nextBoolean() ? "e" + rnd.nextInt(3) : "ns:e", attrs, kids);
    }
}
