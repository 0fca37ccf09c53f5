package org.pulse.cib.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A big CIB file read through a window that slides on (XmlParser.parseFile) gives what the whole
 * file read at once gives: the same tree, the same line for every element, the same error; with
 * the second half on a second thread or not; and where a node does not fit in the window, the
 * whole file is read after all. Windows here are a few hundred bytes, so that they slide often,
 * in the middle of line ends, names and values of the previous element alike.
 */
class XmlParserWindowTest {
    private Path dir;

    @BeforeEach
    void makeDir() throws Exception {
        dir = Files.createTempDirectory("pulse-xml-window");
    }

    @AfterEach
    void removeDir() throws Exception {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    /** XmlParserSplitTest's CIB-like document, with a comment before the root and after it, and names not ASCII. */
    private static String cib(int nodes, String extra, String nl) {
        return XmlParserSplitTest.cib(nodes, extra, nl).replace("<cib ", "<!-- made by a test -->" + nl + "<cib ")
                .replace("uname=\"node", "uname=\"nöde") + "<!-- the end -->" + nl;
    }

    private Path file(String xml) throws Exception {
        Path f = Files.createTempFile(dir, "cib", ".xml");
        Files.write(f, xml.getBytes(StandardCharsets.UTF_8));
        return f;
    }

    private static void collect(XmlElement e, List<Integer> lines) {
        lines.add(e.sourceLine());
        for (XmlElement c : e.elements()) {
            collect(c, lines);
        }
    }

    private static void assertSameTree(XmlElement expected, XmlElement actual, String what) {
        assertEquals(expected, actual, what);
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        collect(expected, a);
        collect(actual, b);
        assertEquals(a, b, what + ": the lines");
        assertEquals(expected.toString(), actual.toString(), what);
    }

    private static XmlElement whole(String xml) throws XmlParseException {
        return whole(xml, "t");
    }

    private static XmlElement whole(String xml, String source) throws XmlParseException {
        return XmlParser.parse(source, xml.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
    }

    @Test
    void aWindowThatSlidesGivesTheSameTreeAndLinesWithAndWithoutTheSplit() throws Exception {
        for (String nl : new String[] {"\n", "\r\n", "\r"}) {
            for (String extra : new String[] {"", "text<![CDATA[<node_state x=\"1\">]]>" + nl + "<?pi a?>",
                    "<!-- <node_state id=\"in a comment\"> -->" + nl}) {
                String xml = cib(9, extra, nl);
                XmlElement expected = whole(xml);
                Path f = file(xml);
                for (int window : new int[] {512, 700, 4096, 1 << 20}) {
                    String what = nl.length() + "-byte line ends, window " + window + ", extra " + extra.length();
                    // the reading through the window itself, not its fall-back to the whole file
                    assertSameTree(expected, XmlParser.windowed(f, window, window / 2, Integer.MAX_VALUE), what);
                    assertSameTree(expected, XmlParser.windowed(f, window, window / 2, 0), what + ", split");
                    assertSameTree(expected, XmlParser.parseFile(f, 0, window, window / 2, 0), what + ", parseFile");
                }
                if (extra.isEmpty()) {
                    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f)) {
                        XmlParser.Reading reading = new XmlParser.Reading("t", ch, 4096, 2048, false);
                        assertSameTree(expected, reading.document(0), "split taken");
                        assertTrue(reading.splitTaken, "the second thread's part was taken");
                    }
                }
            }
        }
    }

    private static java.io.InputStream stream(String xml) {
        return new java.io.ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static XmlElement streamed(String xml, int window) throws Exception {
        return XmlParser.parseStream("t", stream(xml), window, window / 2, () -> {
            throw new AssertionError("the window did not do: the whole document was asked for");
        });
    }

    @Test
    void aStreamReadThroughAWindowGivesTheSameTreeAndLines() throws Exception {
        for (String nl : new String[] {"\n", "\r\n", "\r"}) {
            String xml = cib(9, "text<![CDATA[<node_state x=\"1\">]]>" + nl + "<?pi a?>", nl);
            for (int window : new int[] {512, 700, 4096, 1 << 20}) {
                assertSameTree(whole(xml), streamed(xml, window), nl.length() + "-byte line ends, window " + window);
            }
            assertSameTree(whole(xml), XmlParser.parseStream("t", stream(xml), xml.getBytes(StandardCharsets.UTF_8).length,
                    () -> null), "a window of the document's size");
        }
    }

    @Test
    void aStreamWhoseNodeDoesNotFitOrWithAnErrorIsReadWhole() throws Exception {
        String big = "<node_state id=\"big\" note=\"" + "x".repeat(5000) + "\"/>" + "\n";
        String xml = cib(6, big, "\n");
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        assertSameTree(whole(xml), XmlParser.parseStream("t", stream(xml), 1024, 512, () -> bytes), "a 5 KB node in a 1 KB window");
        String bad = cib(8, "", "\n").replace("</node_state>", "</node_stat>");
        XmlParseException expected = assertThrows(XmlParseException.class, () -> whole(bad));
        XmlParseException actual = assertThrows(XmlParseException.class, () -> XmlParser.parseStream("t", stream(bad),
                512, 256, () -> bad.getBytes(StandardCharsets.UTF_8)));
        assertEquals(expected.getMessage(), actual.getMessage());
    }

    @Test
    void aNodeBiggerThanTheWindowIsReadWithTheWholeFile() throws Exception {
        String big = "<node_state id=\"big\" note=\"" + "x".repeat(5000) + "\"/>" + "\n" + "text ".repeat(2000) + "\n";
        String xml = cib(6, big, "\n");
        Path f = file(xml);
        assertThrows(XmlParseException.class, () -> XmlParser.windowed(f, 1024, 512, 0));
        assertSameTree(whole(xml), XmlParser.parseFile(f, 0, 1024, 512, 0), "a 5 KB node in a 1 KB window");
    }

    @Test
    void anErrorIsTheErrorTheWholeFileGives() throws Exception {
        String good = cib(8, "", "\n");
        List<String> bad = List.of(
                good.replace("<lrm_rsc_op id=\"r7_last_0\"", "<lrm_rsc_op id=\"r7_last_0\" id=\"again\""),
                good.substring(0, good.length() - 40),
                good.replace("</node_state>", "</node_stat>"),
                good + "<after/>",
                "   \n  ",
                good.replace("&amp;", "&nope;"));
        for (String xml : bad) {
            Path f = file(xml);
            XmlParseException expected = assertThrows(XmlParseException.class, () -> whole(xml, f.toString()));
            for (int split : new int[] {0, Integer.MAX_VALUE}) {
                XmlParseException actual = assertThrows(XmlParseException.class,
                        () -> XmlParser.parseFile(f, 0, 512, 256, split));
                assertEquals(expected.getMessage(), actual.getMessage());
            }
        }
    }

    @Test
    void aSmallFileIsReadWhole() throws Exception {
        String xml = cib(2, "", "\n");
        assertSameTree(whole(xml), XmlParser.parseFile(file(xml)), "below 16 MB");
        assertTrue(Files.size(file(xml)) < XmlParser.SPLIT_BYTES);
    }
}
