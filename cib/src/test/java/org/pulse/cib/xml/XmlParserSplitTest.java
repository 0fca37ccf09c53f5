package org.pulse.cib.xml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A big document's second half read on a second thread (XmlParser's Split) gives what one
 * reading alone gives: the same tree, the same line for every element, the same error; and where
 * the place it began turns out not to be between two children, it is not used.
 */
class XmlParserSplitTest {
    /** A CIB-like document: {@code nodes} node_states with history, comments, text and CDATA among them. */
    static String cib(int nodes, String extraInSecondHalf, String nl) {
        return cib(nodes, extraInSecondHalf, nl, nodes / 2 + 1);
    }

    /** ... with the extra content before node {@code before} ({@code nodes + 1}: after the last). */
    private static String cib(int nodes, String extraInSecondHalf, String nl, int before) {
        StringBuilder sb = new StringBuilder("<?xml version=\"1.0\"?>" + nl + "<cib epoch=\"1\">" + nl
                + "  <configuration><resources/></configuration>" + nl + "  <status>" + nl);
        for (int n = 1; n <= nodes; n++) {
            if (n == before) {
                sb.append(extraInSecondHalf);
            }
            sb.append("    <node_state id=\"").append(n).append("\" uname=\"node").append(n).append("\">").append(nl)
                    .append("      <!-- node ").append(n).append(" -->").append(nl)
                    .append("      <lrm id=\"").append(n).append("\"><lrm_resources>").append(nl);
            for (int r = 1; r <= 40; r++) {
                sb.append("        <lrm_resource id=\"r").append(r).append("\" class=\"ocf\">").append(nl)
                        .append("          <lrm_rsc_op id=\"r").append(r).append("_last_0\" call-id=\"").append(r)
                        .append("\" rc-code=\"7\" exit-reason=\"a&amp;b&#10;c\"/>").append(nl)
                        .append("        </lrm_resource>").append(nl);
            }
            sb.append("      </lrm_resources></lrm>").append(nl).append("    </node_state>").append(nl);
        }
        if (before > nodes) {
            sb.append(extraInSecondHalf);
        }
        sb.append("  </status>").append(nl).append("</cib>").append(nl);
        return sb.toString();
    }

    private static void collect(XmlElement e, List<XmlElement> out) {
        out.add(e);
        for (XmlElement c : e.elements()) {
            collect(c, out);
        }
    }

    private static List<Integer> lines(XmlElement root) {
        List<XmlElement> all = new ArrayList<>();
        collect(root, all);
        List<Integer> out = new ArrayList<>();
        for (XmlElement e : all) {
            out.add(e.sourceLine());
        }
        return out;
    }

    /** Parses with and without the split; asserts the same tree and lines; returns whether the split was used. */
    private static boolean sameEitherWay(String xml) throws XmlParseException {
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        XmlElement alone = new XmlParser.Reading("t", bytes).document(Integer.MAX_VALUE);
        XmlParser.Reading reading = new XmlParser.Reading("t", bytes);
        XmlElement split = reading.document(0);
        assertEquals(alone, split);
        assertEquals(lines(alone), lines(split));
        assertEquals(alone.toString(), split.toString());
        return reading.splitTaken;
    }

    @Test
    void theSecondHalfReadOnItsOwnThreadGivesTheSameTreeAndLines() throws XmlParseException {
        for (String nl : new String[] {"\n", "\r\n", "\r"}) {
            assertTrue(sameEitherWay(cib(8, "", nl)), "the split was used (" + nl.length() + "-byte line ends)");
            // text and CDATA between the node states are kept where they are
            assertTrue(sameEitherWay(cib(9, "text<![CDATA[<node_state x=\"1\">]]>" + nl + "<?pi a?>", nl)));
        }
    }

    @Test
    void aPlaceInsideACommentIsNotUsed() throws XmlParseException {
        // the first "<node_state" after the middle is inside a comment: read past, not taken
        String xml = cib(2, "<!--" + "x".repeat(40_000) + " <node_state id=\"c\"> -->", "\n");
        assertFalse(sameEitherWay(xml));
    }

    @Test
    void aDocumentWithoutNodeStatesAfterItsMiddleIsReadAlone() throws XmlParseException {
        assertFalse(sameEitherWay("<cib>" + "<x a=\"1\"/>".repeat(1000) + "</cib>"));
    }

    @Test
    void anErrorInTheSecondHalfIsTheErrorOneReadingGives() {
        String bad = cib(8, "", "\n").replace("<lrm_resource id=\"r7\" class=\"ocf\">\n          <lrm_rsc_op id=\"r7_last_0\"",
                "<lrm_resource id=\"r7\" class=\"ocf\">\n          <lrm_rsc_op id=\"r7_last_0\" id=\"again\"");
        byte[] bytes = bad.getBytes(StandardCharsets.UTF_8);
        XmlParseException alone = assertThrows(XmlParseException.class,
                () -> new XmlParser.Reading("t", bytes).document(Integer.MAX_VALUE));
        XmlParseException split = assertThrows(XmlParseException.class, () -> new XmlParser.Reading("t", bytes).document(0));
        assertEquals(alone.getMessage(), split.getMessage());
        assertTrue(alone.getMessage().contains("appears twice"), alone.getMessage());

        String truncated = cib(8, "", "\n");
        byte[] cut = truncated.substring(0, truncated.length() - 30).getBytes(StandardCharsets.UTF_8);
        XmlParseException aloneCut = assertThrows(XmlParseException.class,
                () -> new XmlParser.Reading("t", cut).document(Integer.MAX_VALUE));
        XmlParseException splitCut = assertThrows(XmlParseException.class, () -> new XmlParser.Reading("t", cut).document(0));
        assertEquals(aloneCut.getMessage(), splitCut.getMessage());
    }

    @Test
    void nestingTooDeepInTheSecondHalfIsRefusedAsOneReadingRefusesIt() {
        // deep enough only when counted from the root: the second thread alone counts from its parent
        int levels = XmlParser.MAX_DEPTH - 2;   // the root and status above: the deepest <d> is at depth 256
        String deep = "<d>".repeat(levels) + "</d>".repeat(levels);
        String xml = cib(4, "<node_state id=\"deep\">" + deep + "</node_state>", "\n", 5);
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        XmlParseException alone = assertThrows(XmlParseException.class,
                () -> new XmlParser.Reading("t", bytes).document(Integer.MAX_VALUE));
        XmlParseException split = assertThrows(XmlParseException.class, () -> new XmlParser.Reading("t", bytes).document(0));
        assertEquals(alone.getMessage(), split.getMessage());
        assertTrue(alone.getMessage().contains("deeper than"), alone.getMessage());
    }

    @Test
    void aFileReadInTwoHalvesAtOnceIsTheFileAsItIs() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("pulse-readfile-halves");
        try {
            java.util.Random random = new java.util.Random(23);
            for (int size : new int[] {0, 1, 2, 3, (1 << 20) + 1, 3 * (1 << 20) + 12345}) {
                byte[] data = new byte[size];
                random.nextBytes(data);
                java.nio.file.Path f = dir.resolve("f" + size);
                java.nio.file.Files.write(f, data);
                assertTrue(java.util.Arrays.equals(data, XmlParser.readFile(f, 0)), () -> size + " bytes");
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
}
