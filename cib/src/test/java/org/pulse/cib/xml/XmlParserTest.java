package org.pulse.cib.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.StringReader;
import java.util.List;
import java.util.Random;
import javax.xml.parsers.SAXParserFactory;
import org.junit.jupiter.api.Test;
import org.xml.sax.InputSource;
import org.xml.sax.helpers.DefaultHandler;

/** Pulse's own XML reader: what XML 1.0 says about the documents a CIB can be, and clear errors. */
class XmlParserTest {
    @Test
    void lineEndsAndAttributeValuesAreNormalizedAsXmlRequires() throws XmlParseException {
        XmlElement e = XmlParser.parse("t", "<a x='1\r\n2' y=\"a\tb\" z=\"a&#10;b&#x9;c\">one\r\ntwo\rthree</a>");
        assertEquals("1 2", e.attr("x"));
        assertEquals("a b", e.attr("y"));
        assertEquals("a\nb\tc", e.attr("z"));
        assertEquals("one\ntwo\nthree", e.text());
    }

    @Test
    void cdataAndEntitiesJoinTheTextAroundThem() throws XmlParseException {
        XmlElement e = XmlParser.parse("t", "<a>x <![CDATA[<b> & ]]>&lt;&#128640;<?pi ignored?>y</a>");
        assertEquals("x <b> & <\uD83D\uDE80y", e.text());
        assertEquals(List.of(), e.elements());
    }

    @Test
    void elementsKnowTheLineTheyStartOn() throws XmlParseException {
        XmlElement e = XmlParser.parse("t", "<?xml version=\"1.0\"?>\n<cib>\n  <configuration>\n\n    <x/>\n  </configuration>\n</cib>\n");
        assertEquals(2, e.sourceLine());
        XmlElement conf = e.element("configuration").orElseThrow();
        assertEquals(3, conf.sourceLine());
        assertEquals(5, conf.elements().get(0).sourceLine());
    }

    /**
     * Lines are counted as the reading goes (whitespace, text, CDATA, comments, processing
     * instructions and values each count the line ends they pass): every element of a document
     * with each of them, in LF, CR LF and lone CR, knows the line a plain count of line ends
     * before its '<' gives.
     */
    @Test
    void elementLinesCountLineEndsInEveryKindOfContent() throws XmlParseException {
        String[] ends = {"\n", "\r\n", "\r"};
        for (String nl : ends) {
            String xml = ("<?xml version='1.0'?>" + nl + "<!-- a" + nl + "comment -->" + nl + "<cib a='1" + nl + "2'>" + nl
                    + "  <x b=\"v&#10;" + nl + "\"/><y>text" + nl + "more<![CDATA[" + nl + "cdata" + nl + "]]>" + nl
                    + "<?pi one" + nl + "two?>" + nl + "  <z/></y><!--" + nl + "--><w" + nl + " c='3'" + nl + "/>" + nl
                    + "<v>&lt;" + nl + "</v><u/></cib>" + nl);
            XmlElement root = XmlParser.parse("t", xml);
            List<XmlElement> all = new java.util.ArrayList<>();
            collect(root, all);
            List<Integer> expected = new java.util.ArrayList<>();
            for (int i = 0; i < xml.length(); i++) {
                if (xml.charAt(i) == '<' && i + 1 < xml.length() && Character.isLetter(xml.charAt(i + 1))
                        && !xml.startsWith("<![", i)) {
                    expected.add(linesBefore(xml, i) + 1);
                }
            }
            List<Integer> actual = all.stream().map(XmlElement::sourceLine).toList();
            assertEquals(expected, actual, () -> "line ends " + nl.replace("\r", "CR").replace("\n", "LF"));
        }
    }

    private static int linesBefore(String xml, int at) {
        int lines = 0;
        for (int i = 0; i < at; i++) {
            char ch = xml.charAt(i);
            if (ch == '\n' || (ch == '\r' && (i + 1 >= xml.length() || xml.charAt(i + 1) != '\n'))) {
                lines++;
            }
        }
        return lines;
    }

    private static void collect(XmlElement e, List<XmlElement> into) {
        into.add(e);
        for (XmlElement c : e.elements()) {
            collect(c, into);
        }
    }

    /**
     * Names and values are compared with the previous element of the same name before they are
     * read afresh: elements that share some attributes and values with their predecessor, in
     * another order, with a longer or shorter name or value, other quotes, entities or non-ASCII
     * text, each read as if alone.
     */
    @Test
    void repeatedElementsReadAsIfEachWereAlone() throws XmlParseException {
        String[] ops = {
            "<op id='a' rc='7' interval='0'/>",
            "<op id='a' rc='7' interval='0'/>",
            "<op id='ab' rc='7' interval='00'/>",
            "<op id=\"a\" rc='70' interval=\"0\"/>",
            "<op rc='7' id='a' interval='0'/>",
            "<op id='a' rcx='7' interval='0' extra='&amp;'/>",
            "<op id='a' rc='7' interval='0' extra='&amp;'/>",
            "<op id='a' rc=\"'7'\" interval='0'/>",
            "<op id='a' rc='7'/>",
            "<opx id='a' rc='7'></opx>",
            "<op id='\u00e9' \u00e9='x' rc='7' interval='0'/>",
            "<op id='\u00e9' \u00e9='x' rc='7' interval='0'/>",
            "<op id='a' rc='7' interval='0' ></op>",
            "<op  id = 'a'  rc='7' interval='0'/>",
        };
        StringBuilder all = new StringBuilder("<cib>");
        for (String op : ops) {
            all.append("<r>").append(op).append("</r>");
        }
        all.append("</cib>");
        List<XmlElement> rs = XmlParser.parse("t", all.toString()).elements();
        assertEquals(ops.length, rs.size());
        for (int i = 0; i < ops.length; i++) {
            XmlElement alone = XmlParser.parse("t", ops[i]);
            XmlElement inRow = rs.get(i).elements().get(0);
            assertEquals(alone, inRow, ops[i]);
            assertEquals(List.copyOf(alone.attributes().entrySet()), List.copyOf(inRow.attributes().entrySet()), ops[i]);
        }
        XmlParseException twice = assertThrows(XmlParseException.class,
                () -> XmlParser.parse("t", "<cib><op a='1' b='2'/><op a='1' a='2'/></cib>"));
        assertTrue(twice.getMessage().contains("attribute 'a' appears twice"), twice::getMessage);
        XmlParseException twiceNonAscii = assertThrows(XmlParseException.class,
                () -> XmlParser.parse("t", "<cib><op \u00e9='1' \u00e9='2'/></cib>"));
        assertTrue(twiceNonAscii.getMessage().contains("appears twice"), twiceNonAscii::getMessage);
        XmlParseException longer = assertThrows(XmlParseException.class,
                () -> XmlParser.parse("t", "<cib><op a='1'/><op a='1x/></cib>"));
        assertTrue(longer.getMessage().contains("'<' in the value"), longer::getMessage);
    }

    @Test
    void aFileReadInStepsIsTheFileAsItIs() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pulse-readfile");
        try {
            Random random = new Random(17);
            for (int size : new int[] {0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12345}) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                java.nio.file.Path f = dir.resolve("f" + size);
                java.nio.file.Files.write(f, data);
                assertTrue(java.util.Arrays.equals(data, XmlParser.readFile(f)), () -> size + " bytes");
            }
            assertThrows(java.io.IOException.class, () -> XmlParser.readFile(dir.resolve("missing")));
            // what it costs: the file's bytes once, not a doubled array and a copy
            java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
            if (threads instanceof com.sun.management.ThreadMXBean counting && counting.isThreadAllocatedMemorySupported()) {
                java.nio.file.Path big = dir.resolve("f" + (3 * (1 << 20) + 12345));
                long before = counting.getCurrentThreadAllocatedBytes();
                XmlParser.readFile(big);
                long allocated = counting.getCurrentThreadAllocatedBytes() - before;
                assertTrue(allocated < java.nio.file.Files.size(big) + (256 << 10), () -> "allocated " + allocated);
            }
        } finally {
            try (var files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(dir);
        }
    }

    @Test
    void byteOrderMarkCommentsAndProcessingInstructionsAroundTheRootAreAccepted() throws XmlParseException {
        XmlElement e = XmlParser.parse("t", "\uFEFF<?xml version=\"1.0\"?><!-- a --><?pi x?><cib/><!-- b -->\n<?pi y?>\n");
        assertEquals("cib", e.name());
    }

    @Test
    void bytesReadLikeTheTextTheyEncodeAndBytesThatAreNotUtf8AreRefused() throws XmlParseException {
        String xml = "<cib name=\"Z\u00fcrich \u6771\u4eac \uD83D\uDE80\">caf\u00e9 &#233;</cib>";
        assertEquals(XmlParser.parse("t", xml), XmlParser.parse("t", xml.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        byte[] latin1 = "<cib>\n<x name=\"caf\u00e9\"/></cib>".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        XmlParseException e = assertThrows(XmlParseException.class, () -> XmlParser.parse("l.xml", latin1));
        assertTrue(e.getMessage().startsWith("l.xml:2:") && e.getMessage().contains("not UTF-8"), e::getMessage);
    }

    record Bad(String xml, String says, int line) {
    }

    @Test
    void malformedDocumentsAreRefusedNamingWhatAndWhere() {
        List<Bad> cases = List.of(
                new Bad("<a>\n<b>\n</a>", "</a> closes <b> (opened at line 2)", 3),
                new Bad("<a>\n  <b x=\"1\" x=\"2\"/></a>", "attribute 'x' appears twice in <b>", 2),
                new Bad("<a x=1/>", "must be in quotes", 1),
                new Bad("<a x/>", "has no value", 1),
                new Bad("<a x=\"1\"y=\"2\"/>", "expected whitespace", 1),
                new Bad("<a>&nbsp;</a>", "undefined entity '&nbsp;'", 1),
                new Bad("<a>fish & chips</a>", "write &amp;", 1),
                new Bad("<a x=\"&#0;\"/>", "not a legal XML character", 1),
                new Bad("<a>]]></a>", "']]>' in text", 1),
                new Bad("<a/>\n<b/>", "content after the end of the root element </a>", 2),
                new Bad("<a>\n<!-- x -- y --></a>", "'--' inside a comment", 2),
                new Bad("<a><!-- never closed", "never closed", 1),
                new Bad("<a><![CDATA[ never closed", "never closed", 1),
                new Bad("<a>\n<b>", "the file ends inside <b> (opened at line 2)", 2),
                new Bad("<a\n  x=\"1", "the file ends inside the tag <a", 2),
                new Bad("<a>< b/></a>", "expected an element name", 1),
                new Bad("<a></a >x", "content after the end", 1),
                new Bad("<a><?xml version=\"1.0\"?></a>", "XML declaration", 1),
                new Bad("<a>\u0007</a>", "U+0007", 1),
                new Bad("<a x=\"<\"/>", "'<' in the value of attribute 'x'", 1),
                new Bad("<a><!DOCTYPE x></a>", "'<!'", 1),
                new Bad("<!DOCTYPE a><a/>", "DOCTYPE", 1),
                new Bad("text", "text before the root element", 1));
        for (Bad b : cases) {
            XmlParseException e = assertThrows(XmlParseException.class, () -> XmlParser.parse("f.xml", b.xml()),
                    () -> "accepted: " + b.xml());
            assertTrue(e.getMessage().contains(b.says()), () -> b.xml() + " -> " + e.getMessage());
            assertTrue(e.getMessage().startsWith("f.xml:" + b.line() + ":"), () -> b.xml() + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("malformed XML"), e::getMessage);
        }
    }

    /**
     * Random damage to a real-looking CIB (a character removed, doubled or replaced by one of
     * the XML's special characters): Pulse's reader must accept exactly what the JDK's own
     * (Xerces) reader accepts, and fail only with XmlParseException.
     */
    @Test
    void acceptsExactlyWhatTheJdkReaderAcceptsUnderRandomDamage() throws Exception {
        String good = """
                <?xml version="1.0" encoding="UTF-8"?>
                <cib epoch="3" admin_epoch="0" validate-with="pacemaker-3.9">
                  <!-- a note -->
                  <configuration>
                    <resources>
                      <primitive id="vip" class="ocf" provider="pulse" type="IPaddr" description='a &amp; b &#233;'>
                        <instance_attributes id="vip-ia"><nvpair id="vip-ip" name="ip" value="192.0.2.10"/></instance_attributes>
                      </primitive>
                      <x:vendor xmlns:x="urn:v" x:k="v"><![CDATA[raw <stuff>]]> text</x:vendor>
                    </resources>
                  </configuration>
                  <status/>
                </cib>
                """;
        long seed = Long.getLong("pulse.seed", System.nanoTime());
        System.out.println("XmlParserTest damage: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random rnd = new Random(seed);
        String specials = "<>&\"'=/!?-[];#x \n";
        SAXParserFactory factory = SAXParserFactory.newInstance();
        factory.setNamespaceAware(false);
        int agreedBad = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder(good);
            // past the XML declaration: damage there only tests Xerces' declaration rules
            int at = 40 + rnd.nextInt(sb.length() - 40);
            switch (rnd.nextInt(3)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, sb.charAt(at));
                default -> sb.setCharAt(at, specials.charAt(rnd.nextInt(specials.length())));
            }
            String xml = sb.toString();
            boolean jdk = true;
            try {
                factory.newSAXParser().parse(new InputSource(new StringReader(xml)), new DefaultHandler());
            } catch (org.xml.sax.SAXException e) {
                jdk = false;
            }
            boolean ours = true;
            try {
                XmlParser.parse("d.xml", xml);
            } catch (XmlParseException e) {
                ours = false;
                agreedBad++;
            } catch (RuntimeException e) {
                fail("seed " + seed + " case " + i + ": " + e + " instead of XmlParseException for:\n" + xml);
            }
            if (ours != jdk) {
                fail("seed " + seed + " case " + i + ": Pulse " + (ours ? "accepts" : "refuses") + " what the JDK "
                        + (jdk ? "accepts" : "refuses") + ":\n" + xml);
            }
        }
        assertTrue(agreedBad > 500, "the damage made too few bad documents to mean anything: " + agreedBad);
    }
}
