package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.xml.XmlParser;

/**
 * A tiny CIB builder for the engine's stage tests: nodes and their state by helper, resources
 * and constraints as plain XML fragments (so a test reads like the CIB it stands for). Fencing is
 * off and the cluster quorate unless a test says otherwise; every test runs at {@link #NOW}.
 * (Named apart from plan-stages' TestCibs so both branches merge; one of them should stay.)
 */
final class StageCibs {
    /** The time every stage test schedules at (2023-11-14T22:13:20Z). */
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000L);

    private final List<String> options = new ArrayList<>();
    private final List<String> nodes = new ArrayList<>();
    private final List<String> states = new ArrayList<>();
    private final StringBuilder resources = new StringBuilder();
    private final StringBuilder constraints = new StringBuilder();
    private final StringBuilder rscDefaults = new StringBuilder();
    private int ids;

    static StageCibs cib() {
        return new StageCibs().option("stonith-enabled", "false");
    }

    StageCibs option(String name, String value) {
        options.removeIf(o -> o.contains("name=\"" + name + "\""));
        options.add("<nvpair id=\"o" + (ids++) + "\" name=\"" + name + "\" value=\"" + value + "\"/>");
        return this;
    }

    /** A cluster node (id = its name) with permanent attributes given as name, value, name, value... */
    StageCibs node(String name, String... attributeNamesAndValues) {
        return nodeXml(name, nvSet("instance_attributes", attributeNamesAndValues));
    }

    /** A cluster node with utilization (capacity) given as name, value, ... */
    StageCibs nodeWithCapacity(String name, String... capacityNamesAndValues) {
        return nodeXml(name, nvSet("utilization", capacityNamesAndValues));
    }

    /** A cluster node with its inner XML as given (attribute sets with rules, ...). */
    StageCibs nodeRaw(String name, String innerXml) {
        return nodeXml(name, innerXml);
    }

    private StageCibs nodeXml(String name, String inner) {
        nodes.add("<node id=\"" + name + "\" uname=\"" + name + "\">" + inner + "</node>");
        return this;
    }

    /** The node is a member: in the membership, controller up, joined. */
    StageCibs online(String node, String... lrmResources) {
        return state(node, "in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\"", lrmResources);
    }

    /** The node left the membership while it was expected up (lost, not shut down). */
    StageCibs lost(String node, String... lrmResources) {
        return state(node, "in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\"", lrmResources);
    }

    private StageCibs state(String node, String attrs, String... lrmResources) {
        states.add("<node_state id=\"" + node + "\" uname=\"" + node + "\" " + attrs + "><lrm id=\"" + node
                + "\"><lrm_resources>" + String.join("", lrmResources) + "</lrm_resources></lrm></node_state>");
        return this;
    }

    /** History of an ocf:pacemaker:Dummy resource with one successful start: it runs there. */
    static String started(String rsc) {
        return "<lrm_resource id=\"" + rsc + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
                + "<lrm_rsc_op id=\"" + rsc + "_start_0\" operation_key=\"" + rsc + "_start_0\" operation=\"start\""
                + " call-id=\"10\" rc-code=\"0\" op-status=\"0\" interval=\"0\" last-rc-change=\"1699990000\""
                + " transition-key=\"1:1:0:x\" crm_feature_set=\"3.16.1\"/></lrm_resource>";
    }

    /** An ocf:pacemaker:Dummy primitive with extra inner XML (meta_attributes, utilization, ...). */
    static String dummy(String id, String inner) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">" + inner + "</primitive>";
    }

    StageCibs resources(String xml) {
        resources.append(xml);
        return this;
    }

    StageCibs constraints(String xml) {
        constraints.append(xml);
        return this;
    }

    StageCibs rscDefault(String name, String value) {
        rscDefaults.append("<nvpair id=\"rd").append(ids++).append("\" name=\"").append(name).append("\" value=\"")
                .append(value).append("\"/>");
        return this;
    }

    /** name, value pairs as an nvpair set of the given element name. */
    String nvSet(String element, String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values come in pairs: " + List.of(namesAndValues));
        }
        StringBuilder b = new StringBuilder("<" + element + " id=\"s" + (ids++) + "\">");
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.append("<nvpair id=\"n").append(ids++).append("\" name=\"").append(namesAndValues[i])
                    .append("\" value=\"").append(namesAndValues[i + 1]).append("\"/>");
        }
        return b.append("</").append(element).append(">").toString();
    }

    String xml() {
        return "<cib crm_feature_set=\"3.16.1\" admin_epoch=\"0\" epoch=\"1\" num_updates=\"1\" have-quorum=\"1\""
                + " validate-with=\"pacemaker-3.0\"><configuration><crm_config><cluster_property_set id=\"opts\">"
                + String.join("", options) + "</cluster_property_set></crm_config><nodes>" + String.join("", nodes)
                + "</nodes><resources>" + resources + "</resources><constraints>" + constraints + "</constraints>"
                + "<rsc_defaults><meta_attributes id=\"rd\">" + rscDefaults + "</meta_attributes></rsc_defaults>"
                + "</configuration><status>" + String.join("", states) + "</status></cib>";
    }

    CibModel model() {
        try {
            return CibModel.from(XmlParser.parse("test cib", xml()));
        } catch (org.pulse.cib.xml.XmlParseException e) {
            throw new IllegalStateException("StageCibs made a CIB that does not parse: " + e.getMessage() + "\n" + xml(), e);
        }
    }

    /** Unpack, all three stages. */
    Cluster unpack() {
        return Unpack.run(model(), NOW);
    }

    static SNode node(Cluster c, String name) {
        SNode n = c.node(name);
        if (n == null) {
            throw new AssertionError("no node " + name + " in " + c.nodesByName().keySet());
        }
        return n;
    }

    static Rsc rsc(Cluster c, String id) {
        Rsc r = c.byId().get(id);
        if (r == null) {
            throw new AssertionError("no resource " + id + " in " + c.byId().keySet());
        }
        return r;
    }
}
