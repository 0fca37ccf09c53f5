package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlParser;

/**
 * Small hand-built CIBs for the engine's stage tests, written as XML (the form the engine reads)
 * and parsed, so a test says in a few lines what cluster it means. Helpers cover the common
 * shapes (nodes and their state, Dummy primitives, their history, simple constraints); anything
 * else goes in as a raw XML fragment ({@link #resources}, {@link #constraints}, {@link #nodeRaw}).
 * Fencing is off and the partition quorate unless a test says otherwise; every test runs at {@link #NOW}.
 */
final class TestCibs {
    /** The time every test schedules at (the history's times are just before it). */
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private static final String MEMBER = "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"";
    private static final String LOST = "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\"";

    /** One configured node: its inner XML, and its node_state attributes (null: never seen, no node_state). */
    private record Node(String name, String innerXml, String state) {
    }

    private final Map<String, String> options = new LinkedHashMap<>();
    private final Map<String, String> rscDefaults = new LinkedHashMap<>();
    private final List<Node> nodes = new ArrayList<>();
    /** Remote nodes with a status (remote_node="true"); they have no entry in the nodes section. */
    private final List<String> remoteNodes = new ArrayList<>();
    private final StringBuilder resources = new StringBuilder();
    private final StringBuilder constraints = new StringBuilder();
    /** node → its transient attributes (name → value); only nodes with a node_state. */
    private final Map<String, Map<String, String>> attributes = new LinkedHashMap<>();
    /** node → its lrm_resource entries; only nodes with a node_state. */
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

    /** A cluster option (crm_config); a later value for the same name replaces the earlier. */
    TestCibs option(String name, String value) {
        options.put(name, value);
        return this;
    }

    /** A resource default (rsc_defaults meta attribute). */
    TestCibs rscDefault(String name, String value) {
        rscDefaults.put(name, value);
        return this;
    }

    /** An online member with permanent node attributes as name, value pairs. */
    TestCibs node(String name, String... attributes) {
        return node(name, nvSet("instance_attributes", name + "-attrs", pairs(name, attributes)), MEMBER);
    }

    /** An online member with utilization (capacity) as name, value pairs. */
    TestCibs nodeWithCapacity(String name, String... capacity) {
        return node(name, nvSet("utilization", name + "-capacity", pairs(name, capacity)), MEMBER);
    }

    /** An online member whose node element holds this inner XML (attribute sets with rules, ...). */
    TestCibs nodeRaw(String name, String innerXml) {
        return node(name, innerXml, MEMBER);
    }

    /** A node that was a member and has left the cluster without a clean shutdown: unclean when fencing is on. */
    TestCibs lostNode(String name) {
        return node(name, "", LOST);
    }

    /** A configured node the cluster has never seen (no node_state): unclean only under startup fencing. */
    TestCibs unseenNode(String name) {
        return node(name, "", null);
    }

    private TestCibs node(String name, String innerXml, String state) {
        nodes.add(new Node(name, innerXml, state));
        if (state != null) {
            history.put(name, new StringBuilder());
            attributes.put(name, new LinkedHashMap<>());
        }
        return this;
    }

    /**
     * A remote node the cluster has a status for, so that history can be recorded on it (its
     * connection, an ocf:pacemaker:remote primitive named after it, is added with {@link #resources}).
     */
    TestCibs remoteNode(String name) {
        remoteNodes.add(name);
        history.put(name, new StringBuilder());
        attributes.put(name, new LinkedHashMap<>());
        return this;
    }

    /** A transient node attribute (shutdown, probe_complete, ...) in the node's status. */
    TestCibs transientAttribute(String node, String name, String value) {
        Map<String, String> a = attributes.get(node);
        if (a == null) {
            throw new IllegalArgumentException("attribute " + name + " of " + node
                    + ": no such node with a status (add it first, not as unseenNode)");
        }
        a.put(name, value);
        return this;
    }

    /** Resources as a raw XML fragment (templates, clones of groups, remote connections, ...). */
    TestCibs resources(String xml) {
        resources.append(xml);
        return this;
    }

    /** Constraints as a raw XML fragment (colocations, rules, ...). */
    TestCibs constraints(String xml) {
        constraints.append(xml);
        return this;
    }

    /** An ocf:heartbeat:Dummy with a 10 s monitor; meta as name, value pairs. */
    TestCibs primitive(String id, String... meta) {
        return resources(primitiveXml(id, meta));
    }

    /** A Dummy with a 10 s monitor and a 20 s role="Stopped" monitor (it watches where the resource is not). */
    TestCibs primitiveWatchedWhereStopped(String id) {
        return resources(dummy(id, "<operations><op id=\"" + id + "-mon\" name=\"monitor\" interval=\"10s\"/><op id=\""
                + id + "-mon-stopped\" name=\"monitor\" interval=\"20s\" role=\"Stopped\"/></operations>"));
    }

    /** A fence device (stonith:fence_dummy) that can fence every node. */
    TestCibs fenceDevice(String id) {
        return resources("<primitive id=\"" + id + "\" class=\"stonith\" type=\"fence_dummy\">"
                + "<operations><op id=\"" + id + "-mon\" name=\"monitor\" interval=\"60s\"/></operations></primitive>");
    }

    /** A clone of one Dummy primitive; clone meta as name, value pairs. */
    TestCibs clone(String id, String primitiveId, String... meta) {
        return resources("<clone id=\"" + id + "\">" + metaXml(id, meta) + primitiveXml(primitiveId) + "</clone>");
    }

    /** A group of Dummy primitives. */
    TestCibs group(String id, String... members) {
        StringBuilder g = new StringBuilder("<group id=\"" + id + "\">");
        for (String m : members) {
            g.append(primitiveXml(m));
        }
        return resources(g.append("</group>").toString());
    }

    TestCibs location(String id, String rsc, String node, String score) {
        return constraints("<rsc_location id=\"" + id + "\" rsc=\"" + rsc + "\" node=\"" + node + "\" score=\"" + score + "\"/>");
    }

    TestCibs order(String id, String first, String then) {
        return constraints("<rsc_order id=\"" + id + "\" first=\"" + first + "\" then=\"" + then + "\" kind=\"Mandatory\"/>");
    }

    /**
     * An ocf:heartbeat:Dummy primitive holding this inner XML (meta_attributes, utilization,
     * operations, ...), as a fragment for {@link #resources}.
     */
    static String dummy(String id, String innerXml) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\">" + innerXml + "</primitive>";
    }

    /** The history says the resource was started on the node (one successful start, no monitor). */
    TestCibs started(String historyId, String node) {
        return entry(historyId, node, "start", 0, 0);
    }

    /**
     * The history says the resource (a Dummy without parameters, as every primitive here) was
     * started on the node and is monitored there; historyId is the name the node's history uses
     * (a clone instance: "clone:0" or, anonymous, the primitive's id).
     */
    TestCibs running(String historyId, String node) {
        return started(historyId, node).entry(historyId, node, "monitor", 10_000, 0);
    }

    /** The history says the resource was started on the node and its recurring monitor then failed (rc 1). */
    TestCibs monitorFailed(String historyId, String node) {
        return started(historyId, node).entry(historyId, node, "monitor", 10_000, 1);
    }

    /** The history says the resource was started and promoted on the node, its Promoted monitor answering 8. */
    TestCibs promotedOn(String historyId, String node) {
        return started(historyId, node).entry(historyId, node, "promote", 0, 0).entry(historyId, node, "monitor", 10_000, 8);
    }

    /** The history says a probe found the resource not running on the node. */
    TestCibs notRunning(String historyId, String node) {
        return entry(historyId, node, "monitor", 0, 7);
    }

    private TestCibs entry(String rsc, String node, String op, long intervalMs, int rc) {
        StringBuilder h = history.get(node);
        if (h == null) {
            throw new IllegalArgumentException("history of " + rsc + " on " + node
                    + ": no such node with a status (add it first, not as unseenNode)");
        }
        boolean device = resources.indexOf("id=\"" + rsc + "\" class=\"stonith\"") >= 0;
        boolean connection = resources.indexOf("id=\"" + rsc + "\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"") >= 0;
        String open = "<lrm_resource id=\"" + rsc + "\" "
                + (device ? "type=\"fence_dummy\" class=\"stonith\">" : connection
                        ? "type=\"remote\" class=\"ocf\" provider=\"pacemaker\">" : "type=\"Dummy\" class=\"ocf\" provider=\"heartbeat\">");
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
                + " crm_feature_set=\"3.0.7\" have-quorum=\"" + (quorum ? 1 : 0) + "\" dc-uuid=\"1\"><configuration><crm_config>")
                .append(nvSet("cluster_property_set", "opts", options)).append("</crm_config><nodes>");
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            x.append("<node id=\"").append(i + 1).append("\" uname=\"").append(n.name()).append("\">")
                    .append(n.innerXml()).append("</node>");
        }
        x.append("</nodes><resources>").append(resources).append("</resources><constraints>").append(constraints)
                .append("</constraints>");
        if (!rscDefaults.isEmpty()) {
            x.append("<rsc_defaults>").append(nvSet("meta_attributes", "rsc-defaults", rscDefaults)).append("</rsc_defaults>");
        }
        x.append("</configuration><status>");
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (n.state() == null) {
                continue;
            }
            int id = i + 1;
            Map<String, String> attrs = attributes.get(n.name());
            x.append("<node_state id=\"").append(id).append("\" uname=\"").append(n.name()).append("\" ")
                    .append(n.state()).append(">");
            if (!attrs.isEmpty()) {
                x.append("<transient_attributes id=\"").append(id).append("\">")
                        .append(nvSet("instance_attributes", "status-" + id, attrs)).append("</transient_attributes>");
            }
            x.append("<lrm id=\"").append(id).append("\"><lrm_resources>").append(history.get(n.name()))
                    .append("</lrm_resources></lrm></node_state>");
        }
        for (String r : remoteNodes) {
            Map<String, String> attrs = attributes.get(r);
            x.append("<node_state id=\"").append(r).append("\" uname=\"").append(r).append("\" remote_node=\"true\"")
                    .append(" in_ccm=\"true\" crmd=\"online\">");
            if (!attrs.isEmpty()) {
                x.append("<transient_attributes id=\"").append(r).append("\">")
                        .append(nvSet("instance_attributes", "status-" + r, attrs)).append("</transient_attributes>");
            }
            x.append("<lrm id=\"").append(r).append("\"><lrm_resources>")
                    .append(history.get(r)).append("</lrm_resources></lrm></node_state>");
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

    /** The unpack stages (nodes, resources, history) at {@link #NOW}. */
    Cluster unpack() {
        return Unpack.run(model(), NOW);
    }

    /** Every stage of one scheduling run at {@link #NOW}. */
    PolicyEngine.Stages schedule() {
        return PolicyEngine.stages(model(), NOW);
    }

    static SNode node(Cluster c, String name) {
        SNode n = c.node(name);
        if (n == null) {
            throw new AssertionError("no node " + name + " in " + c.nodesByName().keySet());
        }
        return n;
    }

    static SNode node(PolicyEngine.Stages s, String name) {
        return node(s.cluster(), name);
    }

    static Rsc rsc(Cluster c, String id) {
        Rsc r = c.byId().get(id);
        if (r == null) {
            throw new AssertionError("no resource " + id + " in " + c.byId().keySet());
        }
        return r;
    }

    static Rsc rsc(PolicyEngine.Stages s, String id) {
        return rsc(s.cluster(), id);
    }

    private static String primitiveXml(String id, String... meta) {
        return dummy(id, metaXml(id, meta) + "<operations><op id=\"" + id + "-mon\" name=\"monitor\" interval=\"10s\"/></operations>");
    }

    private static String metaXml(String id, String... meta) {
        return nvSet("meta_attributes", id + "-meta", pairs(id, meta));
    }

    /** name, value, name, value, ... of the owner as a map, in order. */
    private static Map<String, String> pairs(String owner, String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("attributes of " + owner + ": name, value pairs, got an odd count "
                    + namesAndValues.length + " in " + List.of(namesAndValues));
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return m;
    }

    /** An nvpair set (element, id) of these names and values; nothing when there are none. */
    private static String nvSet(String element, String id, Map<String, String> values) {
        if (values.isEmpty()) {
            return "";
        }
        StringBuilder b = new StringBuilder("<" + element + " id=\"" + id + "\">");
        for (Map.Entry<String, String> v : values.entrySet()) {
            b.append("<nvpair id=\"").append(id).append("-").append(v.getKey()).append("\" name=\"").append(v.getKey())
                    .append("\" value=\"").append(v.getValue()).append("\"/>");
        }
        return b.append("</").append(element).append(">").toString();
    }
}
