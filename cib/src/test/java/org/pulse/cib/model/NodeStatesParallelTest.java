package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParseException;
import org.pulse.cib.xml.XmlParser;

/** The typed node states of a big status section, built on two threads, are those one thread builds, in order. */
class NodeStatesParallelTest {
    @Test
    void twoThreadsGiveTheSameNodeStatesInTheSameOrder() throws XmlParseException {
        StringBuilder sb = new StringBuilder("<status>");
        for (int n = 1; n <= 7; n++) {
            sb.append("<node_state id=\"").append(n).append("\" uname=\"node").append(n).append("\" in_ccm=\"true\">")
                    .append("<lrm id=\"").append(n).append("\"><lrm_resources>");
            // uneven: later nodes have more history, so the halves are split by entries, not nodes
            for (int r = 1; r <= n * 5; r++) {
                sb.append("<lrm_resource id=\"r").append(r).append("\" class=\"ocf\" type=\"Dummy\">")
                        .append("<lrm_rsc_op id=\"r").append(r).append("_last_0\" operation=\"monitor\" call-id=\"")
                        .append(r).append("\" rc-code=\"7\" interval=\"0\" last-rc-change=\"1700000000\"/>")
                        .append("</lrm_resource>");
            }
            sb.append("</lrm_resources></lrm></node_state>");
        }
        sb.append("</status>");
        List<XmlElement> states = XmlParser.parse("t", sb.toString()).elements("node_state");
        List<NodeState> one = CibModelReader.nodeStates(states, Integer.MAX_VALUE);
        List<NodeState> two = CibModelReader.nodeStates(states, 0);
        assertEquals(7, one.size());
        assertEquals(one, two);
        assertEquals(35, two.get(6).resources().size());
        assertEquals("node7", two.get(6).uname());
    }
}
