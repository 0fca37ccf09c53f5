package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * The operation history of a status section, read by Pulse's parser and typed view, against the JDK's own XML
 * reader: every history entry's attributes and typed fields, for status sections with many entries per
 * resource, failures, pending operations and values that look alike (the parser compares each value with the
 * one at the same place in the entry before and shares short values across entries: a value that differs
 * from its predecessor only at its start or its end, or is longer, shorter, not ASCII or holds an entity,
 * must still read as itself). Random documents, seeded; the seed is printed.
 */
class HistoryReadingTest {
    private static final String[] OPERATIONS = {"monitor", "start", "stop", "promote", "demote", "migrate_to"};

    @Test
    void historyReadsAsTheJdkReaderReadsIt() throws Exception {
        long seed = System.nanoTime();
        System.out.println("HistoryReadingTest seed=" + seed);
        Random random = new Random(seed);
        for (int round = 0; round < 20; round++) {
            String xml = statusDocument(random);
            XmlElement root = XmlParser.parse("t", xml);
            List<NodeState> states = StatusView.of(root).nodes().values().stream().toList();
            Document dom = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            List<Element> domStates = children(dom.getDocumentElement(), "status", "node_state");
            assertEquals(domStates.size(), states.size(), "seed " + seed);
            for (int n = 0; n < states.size(); n++) {
                List<Element> domResources = children(domStates.get(n), "lrm", "lrm_resources", "lrm_resource");
                List<LrmResource> resources = states.get(n).resources();
                assertEquals(domResources.size(), resources.size(), "seed " + seed);
                for (int r = 0; r < resources.size(); r++) {
                    List<Element> domOps = children(domResources.get(r), "lrm_rsc_op");
                    List<LrmOp> ops = resources.get(r).ops();
                    assertEquals(domOps.size(), ops.size(), "seed " + seed);
                    for (int o = 0; o < ops.size(); o++) {
                        Map<String, String> expected = attributes(domOps.get(o));
                        LrmOp op = ops.get(o);
                        String where = "seed " + seed + ", node " + n + ", resource " + resources.get(r).id() + ", entry " + o;
                        assertEquals(expected, new LinkedHashMap<>(op.attributes()), where);
                        assertEquals(expected.get("id"), op.id(), where);
                        assertEquals(expected.get("operation"), op.operation(), where);
                        assertEquals(Integer.parseInt(expected.get("call-id")), op.callId(), where);
                        assertEquals(Integer.parseInt(expected.get("rc-code")), op.rcCode(), where);
                        assertEquals(Integer.parseInt(expected.get("op-status")), op.opStatus(), where);
                        assertEquals(Long.parseLong(expected.get("interval")), op.intervalMs(), where);
                        assertEquals(expected.get("op-digest"), op.opDigest(), where);
                        assertEquals(expected.get("transition-key"), op.transitionKey(), where);
                        assertEquals(expected.get("transition-magic"), op.transitionMagic(), where);
                        assertEquals(expected.get("exit-reason"), op.exitReason(), where);
                        assertEquals(Integer.parseInt(expected.get("transition-key").split(":")[2]), op.expectedRc(), where);
                    }
                }
            }
        }
    }

    /** What the typed view answers from a history: the last entry, the last failure, what is in flight. */
    @Test
    void manyEntriesFailuresAndPendingOperationsAreAnsweredFromTheirOwnEntries() throws Exception {
        String xml = "<cib><status><node_state id='1' uname='node1'><lrm id='1'><lrm_resources>"
                + "<lrm_resource id='d1' class='ocf' provider='pulse' type='Dummy'>"
                + op("d1_last_0", "start", 4, 0, 0, 0, "f2317cad3d54cec5d7d7aa7d0bf35cf8")
                + op("d1_last_failure_0", "monitor", 3, 1, 0, 10000, "f2317cad3d54cec5d7d7aa7d0bf35cf8")
                + op("d1_monitor_10000", "monitor", 5, 0, 0, 10000, "0c8a0e5b2e7d4f3a9b1c2d3e4f5a6b7c")
                + op("d1_monitor_20000", "monitor", -1, 0, -1, 20000, "0c8a0e5b2e7d4f3a9b1c2d3e4f5a6b7d")
                + "</lrm_resource>"
                + "<lrm_resource id='d2' class='ocf' provider='pulse' type='Dummy'>"
                + op("d2_last_0", "stop", 7, 1, 0, 0, "f2317cad3d54cec5d7d7aa7d0bf35cf8")
                + "</lrm_resource>"
                + "<lrm_resource id='d3' class='ocf' provider='pulse' type='Dummy'>"
                + op("d3_last_0", "monitor", 2, 7, 0, 0, "f2317cad3d54cec5d7d7aa7d0bf35cf8")
                + "</lrm_resource>"
                + "</lrm_resources></lrm></node_state></status></cib>";
        StatusView view = StatusView.of(XmlParser.parse("t", xml));
        LrmResource d1 = view.history("node1", "d1").orElseThrow();
        assertEquals(4, d1.ops().size());
        assertEquals("start", d1.last().operation());
        assertEquals(1, d1.lastFailure().rcCode());
        assertEquals(10000, d1.lastFailure().intervalMs());
        assertEquals(List.of("d1_monitor_20000"), d1.pending().stream().map(LrmOp::id).toList());
        assertEquals("0c8a0e5b2e7d4f3a9b1c2d3e4f5a6b7d", d1.pending().get(0).opDigest());
        assertEquals("0c8a0e5b2e7d4f3a9b1c2d3e4f5a6b7c", d1.op("d1_monitor_10000").opDigest());
        assertTrue(d1.possiblyActive());
        LrmResource d2 = view.history("node1", "d2").orElseThrow();
        assertTrue(d2.stopFailed());
        assertNull(d2.lastFailure());
        LrmResource d3 = view.history("node1", "d3").orElseThrow();
        assertTrue(d3.last().isProbe());
        assertEquals(false, d3.possiblyActive());
        assertEquals(Map.of("d1", new java.util.TreeSet<>(List.of("node1")), "d2", new java.util.TreeSet<>(List.of("node1"))),
                view.possiblyActive());
    }

    /** Short values that repeat across nodes are one String: a full probe history's memory depends on it. */
    @Test
    void valuesRepeatedAcrossNodesAreShared() throws Exception {
        StringBuilder sb = new StringBuilder("<cib><status>");
        for (int n = 1; n <= 3; n++) {
            sb.append("<node_state id='").append(n).append("'><lrm><lrm_resources>");
            for (int r = 1; r <= 40; r++) {
                sb.append("<lrm_resource id='r").append(r).append("'>")
                        .append(op("r" + r + "_last_0", "monitor", r, 7, 0, 0, "f2317cad3d54cec5d7d7aa7d0bf35cf8"))
                        .append("</lrm_resource>");
            }
            sb.append("</lrm_resources></lrm></node_state>");
        }
        sb.append("</status></cib>");
        List<NodeState> states = StatusView.of(XmlParser.parse("t", sb.toString())).nodes().values().stream().toList();
        for (int r = 0; r < 40; r++) {
            LrmOp first = states.get(0).resources().get(r).ops().get(0);
            LrmOp third = states.get(2).resources().get(r).ops().get(0);
            assertEquals("r" + (r + 1) + "_last_0", third.id());
            assertSame(first.id(), third.id());
            assertSame(first.transitionKey(), third.transitionKey());
            assertSame(first.transitionMagic(), third.transitionMagic());
        }
    }

    /**
     * A repeated attribute is refused wherever it comes, also in an element whose other attributes are those of
     * the elements of the same name before it (the parser skips the look for one where it can prove there is none):
     * random runs of elements with names from a small set, accepted or refused as the JDK's reader does.
     */
    @Test
    void repeatedAttributesAreRefusedAfterElementsOfTheSameShape() throws Exception {
        long seed = System.nanoTime();
        System.out.println("HistoryReadingTest repeated attributes seed=" + seed);
        Random random = new Random(seed);
        String[] names = {"id", "rc", "op", "interval", "call-id", "\u00e9t"};
        javax.xml.parsers.DocumentBuilder jdk = DocumentBuilderFactory.newInstance().newDocumentBuilder();
        jdk.setErrorHandler(null);
        for (int round = 0; round < 300; round++) {
            StringBuilder sb = new StringBuilder("<cib>");
            int elements = 1 + random.nextInt(6);
            String[] previous = null;
            for (int e = 0; e < elements; e++) {
                int count = 1 + random.nextInt(5);
                String[] attrs = new String[count];
                for (int a = 0; a < count; a++) {
                    // mostly the previous element's names in its order, as history entries repeat
                    attrs[a] = previous != null && a < previous.length && random.nextInt(4) != 0 ? previous[a]
                            : names[random.nextInt(names.length)];
                }
                previous = attrs;
                sb.append("<op");
                for (String a : attrs) {
                    sb.append(' ').append(a).append("='").append(random.nextInt(3)).append('\'');
                }
                sb.append("/>");
            }
            String xml = sb.append("</cib>").toString();
            boolean jdkAccepts;
            try {
                jdk.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
                jdkAccepts = true;
            } catch (org.xml.sax.SAXException e) {
                jdkAccepts = false;
            }
            boolean accepted;
            try {
                XmlParser.parse("t", xml);
                accepted = true;
            } catch (org.pulse.cib.xml.XmlParseException e) {
                assertTrue(e.getMessage().contains("appears twice"), e::getMessage);
                accepted = false;
            }
            assertEquals(jdkAccepts, accepted, "seed " + seed + ": " + xml);
        }
    }

    private static String op(String id, String operation, int callId, int rc, int status, long interval, String digest) {
        return "<lrm_rsc_op id='" + id + "' operation_key='" + id + "' operation='" + operation + "' call-id='" + callId
                + "' rc-code='" + rc + "' op-status='" + status + "' interval='" + interval + "' transition-key='" + callId
                + ":1:" + rc + ":6f6a5d0c-1a2b-4c3d-9e8f-001122334455' transition-magic='" + status + ":" + rc + ";" + callId
                + ":1:" + rc + ":6f6a5d0c-1a2b-4c3d-9e8f-001122334455' exit-reason='' op-digest='" + digest + "'/>";
    }

    /** A status section whose history entries look alike and differ in small ways, as a real one's do. */
    private static String statusDocument(Random random) {
        StringBuilder sb = new StringBuilder("<cib><status>");
        int nodes = 1 + random.nextInt(4);
        int resources = 1 + random.nextInt(30);
        for (int n = 1; n <= nodes; n++) {
            sb.append("<node_state id=\"").append(n).append("\" uname=\"node").append(n).append("\"><lrm id=\"").append(n)
                    .append("\"><lrm_resources>");
            for (int r = 1; r <= resources; r++) {
                String rsc = "rsc" + (random.nextBoolean() ? r : 1000 + r);
                sb.append("<lrm_resource id=\"").append(rsc).append("\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">");
                int entries = 1 + random.nextInt(6);
                for (int e = 0; e < entries; e++) {
                    String operation = OPERATIONS[random.nextInt(OPERATIONS.length)];
                    boolean pending = random.nextInt(8) == 0;
                    int rc = pending ? 0 : new int[] {0, 1, 7, 8}[random.nextInt(4)];
                    int status = pending ? -1 : random.nextInt(10) == 0 ? 2 : 0;
                    int call = pending ? -1 : random.nextInt(3000);
                    String id = switch (e) {
                        case 0 -> rsc + "_last_0";
                        case 1 -> rsc + "_last_failure_0";
                        default -> rsc + "_" + operation + "_" + (e * 10000);
                    };
                    String uuid = random.nextInt(3) == 0 ? "6f6a5d0c-1a2b-4c3d-9e8f-00112233445" + random.nextInt(10)
                            : random.nextInt(2) == 0 ? random.nextInt(10) + "f6a5d0c-1a2b-4c3d-9e8f-001122334455"
                            : "6f6a5d0c-1a2b-4c3d-9e8f-001122334455";
                    String key = (random.nextInt(4) == 0 ? 1 : call) + ":" + random.nextInt(3) + ":" + rc + ":" + uuid;
                    sb.append("<lrm_rsc_op id=\"").append(id).append("\" operation_key=\"").append(id)
                            .append("\" operation=\"").append(operation).append("\" crm-debug-origin=\"do_update_resource\"")
                            .append(" transition-key=\"").append(key).append("\" transition-magic=\"").append(status)
                            .append(':').append(rc).append(';').append(key).append("\" exit-reason=\"")
                            .append(exitReason(random)).append("\" call-id=\"").append(call).append("\" rc-code=\"")
                            .append(rc).append("\" op-status=\"").append(status).append("\" interval=\"")
                            .append(e < 2 ? 0 : e * 10000).append("\" last-rc-change=\"").append(1_700_000_000 + random.nextInt(3))
                            .append("\" op-digest=\"").append(digest(random)).append("\"");
                    if (random.nextInt(4) == 0) {
                        sb.append(" op-secure-params=\" passwd \" op-secure-digest=\"").append(digest(random)).append('"');
                    }
                    sb.append("/>");
                }
                sb.append("</lrm_resource>");
            }
            sb.append("</lrm_resources></lrm></node_state>");
        }
        return sb.append("</status></cib>").toString();
    }

    /** Mostly the same digest; sometimes one that differs in its first or last character, or is longer or shorter. */
    private static String digest(Random random) {
        String base = "f2317cad3d54cec5d7d7aa7d0bf35cf8";
        return switch (random.nextInt(6)) {
            case 0 -> "0" + base.substring(1);
            case 1 -> base.substring(0, 31) + "9";
            case 2 -> base + "00";
            case 3 -> base.substring(0, 20);
            case 4 -> base + base + base;   // past the length of shared values
            default -> base;
        };
    }

    private static String exitReason(Random random) {
        return switch (random.nextInt(7)) {
            case 0 -> "not running";
            case 1 -> "could not start: address 192.0.2.7 in use, caf\u00e9 closed";   // not ASCII
            case 2 -> "a &amp; b &lt;c&gt; in a reason long enough to be compared eight bytes at a time";
            case 3 -> "a reason longer than any value the parser shares between entries: it is read afresh each time";
            default -> "";
        };
    }

    private static List<Element> children(Element parent, String... path) {
        List<Element> level = List.of(parent);
        for (String name : path) {
            List<Element> next = new ArrayList<>();
            for (Element e : level) {
                for (Node k = e.getFirstChild(); k != null; k = k.getNextSibling()) {
                    if (k instanceof Element ke && ke.getTagName().equals(name)) {
                        next.add(ke);
                    }
                }
            }
            level = next;
        }
        return level;
    }

    private static Map<String, String> attributes(Element e) {
        Map<String, String> out = new LinkedHashMap<>();
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            out.put(attrs.item(i).getNodeName(), attrs.item(i).getNodeValue());
        }
        assertNotNull(out.get("id"));
        return out;
    }
}
