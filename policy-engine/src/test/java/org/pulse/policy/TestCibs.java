package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlParser;

/**
 * Small hand-built CIBs for the engine's stage tests: a few nodes, a few Dummy resources, their
 * history, some constraints; written as XML (the form the engine reads) and parsed, so a test
 * says in a few lines what cluster it means.
 */
final class TestCibs {
    /** The time every test schedules at (the history's times are just before it). */
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final Map<String, String> options = new LinkedHashMap<>();
    private final List<String> nodes = new ArrayList<>();
    /** node → its node_state attributes. */
    private final Map<String, String> nodeStates = new LinkedHashMap<>();
    private final StringBuilder resources = new StringBuilder();
    private final StringBuilder constraints = new StringBuilder();
    /** node → its transient attributes (name → value). */
    private final Map<String, Map<String, String>> attributes = new LinkedHashMap<>();
    /** node → its lrm_resource entries. */
    private final Map<String, StringBuilder> history = new LinkedHashMap<>();
    private int callId = 10;
    private boolean quorum = true;

    private TestCibs() {
    }

    /** A cluster with quorum and fencing off (turn it on with {@link #option}). */
    static TestCibs cluster() {
        return new TestCibs().option("stonith-enabled", "false");
    }

    /** The partition has lost quorum (have-quorum="0"). */
    TestCibs withoutQuorum() {
        quorum = false;
        return this;
    }

    TestCibs option(String name, String value) {
        options.put(name, value);
        return this;
    }

    /** An online member. */
    TestCibs node(String name) {
        return node(name, "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"");
    }

    /** A node that was a member and has left the cluster without a clean shutdown: unclean when fencing is on. */
    TestCibs lostNode(String name) {
        return node(name, "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\"");
    }

    private TestCibs node(String name, String state) {
        nodes.add(name);
        nodeStates.put(name, state);
        history.put(name, new StringBuilder());
        attributes.put(name, new LinkedHashMap<>());
        return this;
    }

    /** A transient node attribute (shutdown, probe_complete, ...). */
    TestCibs nodeAttribute(String node, String name, String value) {
        Map<String, String> a = attributes.get(node);
        if (a == null) {
            throw new IllegalArgumentException("attribute " + name + " of " + node + ": no such node (add it first)");
        }
        a.put(name, value);
        return this;
    }

    /** An ocf:heartbeat:Dummy with a 10 s monitor; meta as name, value pairs. */
    TestCibs primitive(String id, String... meta) {
        resources.append(primitiveXml(id, meta));
        return this;
    }

    /** A Dummy with a 10 s monitor and a 20 s role="Stopped" monitor (it watches where the resource is not). */
    TestCibs primitiveWatchedWhereStopped(String id) {
        resources.append("<primitive id=\"").append(id).append("\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">"
                + "<operations><op id=\"").append(id).append("-mon\" name=\"monitor\" interval=\"10s\"/><op id=\"")
                .append(id).append("-mon-stopped\" name=\"monitor\" interval=\"20s\" role=\"Stopped\"/></operations></primitive>");
        return this;
    }

    /** A fence device (stonith:fence_dummy) that can fence every node. */
    TestCibs fenceDevice(String id) {
        resources.append("<primitive id=\"").append(id).append("\" class=\"stonith\" type=\"fence_dummy\">"
                + "<operations><op id=\"").append(id).append("-mon\" name=\"monitor\" interval=\"60s\"/></operations>"
                + "</primitive>");
        return this;
    }

    /** A clone of one Dummy primitive; clone meta as name, value pairs. */
    TestCibs clone(String id, String primitiveId, String... meta) {
        resources.append("<clone id=\"").append(id).append("\">").append(metaXml(id, meta))
                .append(primitiveXml(primitiveId)).append("</clone>");
        return this;
    }

    /** A group of Dummy primitives. */
    TestCibs group(String id, String... members) {
        resources.append("<group id=\"").append(id).append("\">");
        for (String m : members) {
            resources.append(primitiveXml(m));
        }
        resources.append("</group>");
        return this;
    }

    TestCibs location(String id, String rsc, String node, String score) {
        constraints.append("<rsc_location id=\"").append(id).append("\" rsc=\"").append(rsc).append("\" node=\"")
                .append(node).append("\" score=\"").append(score).append("\"/>");
        return this;
    }

    TestCibs order(String id, String first, String then) {
        constraints.append("<rsc_order id=\"").append(id).append("\" first=\"").append(first).append("\" then=\"")
                .append(then).append("\" kind=\"Mandatory\"/>");
        return this;
    }

    /**
     * The history says the resource (a Dummy without parameters, as every primitive here) was
     * started on the node and is monitored there; historyId is the name the node's history uses
     * (a clone instance: "clone:0" or, anonymous, the primitive's id).
     */
    TestCibs running(String historyId, String node) {
        return entry(historyId, node, "start", 0, 0).entry(historyId, node, "monitor", 10_000, 0);
    }

    /** The history says a probe found the resource not running on the node. */
    TestCibs notRunning(String historyId, String node) {
        return entry(historyId, node, "monitor", 0, 7);
    }

    private TestCibs entry(String rsc, String node, String op, long intervalMs, int rc) {
        StringBuilder h = history.get(node);
        if (h == null) {
            throw new IllegalArgumentException("history of " + rsc + " on " + node + ": no such node (add it first)");
        }
        boolean device = resources.indexOf("id=\"" + rsc + "\" class=\"stonith\"") >= 0;
        String open = "<lrm_resource id=\"" + rsc + "\" "
                + (device ? "type=\"fence_dummy\" class=\"stonith\">" : "type=\"Dummy\" class=\"ocf\" provider=\"heartbeat\">");
        int at = h.indexOf(open);
        int call = callId++;
        String key = rsc + "_" + op + "_" + intervalMs;
        // a one-shot op digests the parameters alone (none here); a recurring one adds its timeout
        String digest = intervalMs == 0 ? Digests.of(Map.of()) : Digests.of(Map.of("CRM_meta_timeout", "20000"));
        String entry = "<lrm_rsc_op id=\"" + (intervalMs == 0 ? rsc + "_last_0" : key) + "\" operation_key=\"" + key
                + "\" operation=\"" + op + "\" crm_feature_set=\"3.0.7\" transition-key=\"1:1:0:x\""
                + " transition-magic=\"0:" + rc + ";1:1:0:x\" call-id=\"" + call + "\" rc-code=\"" + rc
                + "\" op-status=\"0\" interval=\"" + intervalMs + "\" last-run=\"" + (NOW.getEpochSecond() - 600)
                + "\" last-rc-change=\"" + (NOW.getEpochSecond() - 600) + "\" exec-time=\"10\" queue-time=\"0\""
                + " op-digest=\"" + digest + "\"/>";
        if (at < 0) {
            h.append(open).append(entry).append("</lrm_resource>");
        } else {
            h.insert(at + open.length(), entry);
        }
        return this;
    }

    String xml() {
        StringBuilder x = new StringBuilder();
        x.append("<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" validate-with=\"pacemaker-3.0\""
                + " crm_feature_set=\"3.0.7\" have-quorum=\"" + (quorum ? 1 : 0) + "\" dc-uuid=\"1\"><configuration><crm_config>"
                + "<cluster_property_set id=\"opts\">");
        for (Map.Entry<String, String> o : options.entrySet()) {
            x.append("<nvpair id=\"opts-").append(o.getKey()).append("\" name=\"").append(o.getKey())
                    .append("\" value=\"").append(o.getValue()).append("\"/>");
        }
        x.append("</cluster_property_set></crm_config><nodes>");
        for (int i = 0; i < nodes.size(); i++) {
            x.append("<node id=\"").append(i + 1).append("\" uname=\"").append(nodes.get(i)).append("\"/>");
        }
        x.append("</nodes><resources>").append(resources).append("</resources><constraints>").append(constraints)
                .append("</constraints></configuration><status>");
        for (int i = 0; i < nodes.size(); i++) {
            String n = nodes.get(i);
            x.append("<node_state id=\"").append(i + 1).append("\" uname=\"").append(n).append("\" ")
                    .append(nodeStates.get(n)).append(">").append(attributesXml(i + 1, attributes.get(n)))
                    .append("<lrm id=\"").append(i + 1).append("\"><lrm_resources>")
                    .append(history.get(n)).append("</lrm_resources></lrm></node_state>");
        }
        return x.append("</status></cib>").toString();
    }

    CibModel model() {
        try {
            return CibModel.from(XmlParser.parse("TestCibs", xml()));
        } catch (org.pulse.cib.xml.XmlParseException e) {
            throw new IllegalStateException("TestCibs made a CIB that does not parse: " + e.getMessage() + "\n" + xml(), e);
        }
    }

    /** Every stage of one scheduling run at {@link #NOW}. */
    PolicyEngine.Stages schedule() {
        return PolicyEngine.stages(model(), NOW);
    }

    private static String attributesXml(int nodeId, Map<String, String> attrs) {
        if (attrs.isEmpty()) {
            return "";
        }
        StringBuilder x = new StringBuilder("<transient_attributes id=\"" + nodeId + "\"><instance_attributes id=\"status-"
                + nodeId + "\">");
        for (Map.Entry<String, String> a : attrs.entrySet()) {
            x.append("<nvpair id=\"status-").append(nodeId).append("-").append(a.getKey()).append("\" name=\"")
                    .append(a.getKey()).append("\" value=\"").append(a.getValue()).append("\"/>");
        }
        return x.append("</instance_attributes></transient_attributes>").toString();
    }

    private static String primitiveXml(String id, String... meta) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">" + metaXml(id, meta)
                + "<operations><op id=\"" + id + "-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>";
    }

    private static String metaXml(String id, String... meta) {
        if (meta.length == 0) {
            return "";
        }
        if (meta.length % 2 != 0) {
            throw new IllegalArgumentException("meta of " + id + ": name, value pairs, got an odd count " + meta.length);
        }
        StringBuilder m = new StringBuilder("<meta_attributes id=\"" + id + "-meta\">");
        for (int i = 0; i < meta.length; i += 2) {
            m.append("<nvpair id=\"").append(id).append("-").append(meta[i]).append("\" name=\"").append(meta[i])
                    .append("\" value=\"").append(meta[i + 1]).append("\"/>");
        }
        return m.append("</meta_attributes>").toString();
    }
}
