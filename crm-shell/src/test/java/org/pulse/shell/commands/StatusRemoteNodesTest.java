package org.pulse.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlParser;
import org.pulse.shell.render.StatusModel;

/**
 * crm status with Pacemaker Remote and guest nodes, as crm_mon shows them: a remote node is a node (in the
 * count, in "RemoteOnline"/"RemoteOFFLINE", "RemoteNode NAME: UNCLEAN (offline)" when its connection failed
 * with fencing on, in a clone's Started list), a guest node is listed while it runs (counted always); the JSON and
 * XML say each node's type. Before, only the nodes section's members were listed: a clone running on a
 * remote node showed only its members' instances and the remote nodes were nowhere in the node list.
 */
class StatusRemoteNodesTest {
    /**
     * n1, n2 members; rem1's connection runs on n1; rem2's failed on n2; guest g1 in c1 on n2 (its connection,
     * recorded under the guest's name, runs there too), g2's container stopped.
     */
    static final String CIB = "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" dc-uuid=\"n1\" have-quorum=\"1\">"
            + "<configuration><crm_config><cluster_property_set id=\"o\"><nvpair id=\"o-s\" name=\"stonith-enabled\""
            + " value=\"true\"/></cluster_property_set></crm_config>"
            + "<nodes><node id=\"n1\" uname=\"n1\"/><node id=\"n2\" uname=\"n2\"/>"
            + "<node id=\"rem1\" uname=\"rem1\" type=\"remote\"><instance_attributes id=\"nodes-rem1\">"
            + "<nvpair id=\"nodes-rem1-site\" name=\"site\" value=\"east\"/></instance_attributes></node></nodes>"
            + "<resources>"
            + prim("rem1", "pacemaker", "remote", "") + prim("rem2", "pacemaker", "remote", "")
            + prim("c1", "pulse", "Dummy", "<meta_attributes id=\"c1-m\"><nvpair id=\"c1-m-r\" name=\"remote-node\""
                    + " value=\"g1\"/></meta_attributes>")
            + prim("c2", "pulse", "Dummy", "<meta_attributes id=\"c2-m\"><nvpair id=\"c2-m-r\" name=\"remote-node\""
                    + " value=\"g2\"/></meta_attributes>")
            + prim("d1", "pulse", "Dummy", "")
            + "<clone id=\"dc\">" + prim("dd", "pulse", "Dummy", "") + "</clone>"
            + "</resources><constraints/></configuration><status>"
            + member("n1", lrm("n1", op("rem1", "start", 0, 0) + op("dd", "start", 0, 0)))
            + member("n2", lrm("n2", op("rem2", "monitor", 10000, 1) + op("c1", "start", 0, 0)
                    + op("g1", "start", 0, 0)))
            + "<node_state id=\"rem1\" uname=\"rem1\" remote_node=\"true\" in_ccm=\"true\" crmd=\"online\">"
            + lrm("rem1", op("d1", "start", 0, 0) + op("dd", "start", 0, 0))
            + "<transient_attributes id=\"rem1\"><instance_attributes id=\"status-rem1\"><nvpair id=\"status-rem1-p\""
            + " name=\"pingd\" value=\"1\"/></instance_attributes></transient_attributes></node_state>"
            + "</status></cib>";

    private static String prim(String id, String provider, String type, String inner) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"" + provider + "\" type=\"" + type + "\">" + inner
                + "</primitive>";
    }

    private static String member(String id, String inner) {
        return "<node_state id=\"" + id + "\" uname=\"" + id + "\" in_ccm=\"true\" crmd=\"online\" join=\"member\""
                + " expected=\"member\">" + inner + "</node_state>";
    }

    private static String lrm(String node, String resources) {
        return "<lrm id=\"" + node + "\"><lrm_resources>" + resources + "</lrm_resources></lrm>";
    }

    private static int callId = 1;

    private static String op(String rsc, String operation, long intervalMs, int rc) {
        int call = callId++;
        return "<lrm_resource id=\"" + rsc + "\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><lrm_rsc_op id=\""
                + rsc + "_" + call + "\" operation=\"start\" call-id=\"" + call + "\" rc-code=\"0\" op-status=\"0\""
                + " interval=\"0\" transition-key=\"1:1:0:x\"/>"
                + (operation.equals("start") ? "" : "<lrm_rsc_op id=\"" + rsc + "_m" + call + "\" operation=\"" + operation
                        + "\" call-id=\"" + (call + 100) + "\" rc-code=\"" + rc + "\" op-status=\"0\" interval=\""
                        + intervalMs + "\" transition-key=\"2:1:0:x\"/>")
                + "</lrm_resource>";
    }

    private static StatusModel model() throws Exception {
        return new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-01T12:01:00Z"));
    }

    @Test
    void remoteAndGuestNodesAreNodesOfTheirOwnKind() throws Exception {
        StatusModel m = model();
        assertEquals(List.of("n1:member:true", "n2:member:true", "rem1:remote:true", "rem2:remote:false", "g1:guest:true",
                "g2:guest:false"),
                m.nodes.stream().map(n -> n.name() + ":" + n.type() + ":" + n.online()).toList());
        assertEquals(Set.of("rem2"), m.unclean);
        StatusModel.NodeView rem1 = m.nodes.get(2);
        assertEquals("east", rem1.attributes().get("site"), "the nodes section's permanent attributes");
        assertEquals("1", rem1.attributes().get("pingd"), "the node_state's transient attributes");
    }

    @Test
    void textListsThemAsCrmMonDoes() throws Exception {
        String text = StatusCommand.text(model(), ZoneOffset.UTC, Map.of());
        assertTrue(text.contains("  * 6 nodes configured\n"), text);
        assertTrue(text.contains("Node List:\n  * RemoteNode rem2: UNCLEAN (offline)\n  * Online: [ n1 n2 ]\n"
                + "  * RemoteOnline: [ rem1 ]\n  * GuestOnline: [ g1 ]\n\n"), text);
        assertTrue(text.contains("d1\t(ocf:pulse:Dummy):\t Started rem1\n"), text);
        assertTrue(text.contains("* Clone Set: dc [dd]:\n    * Started: [ n1 rem1 ]\n"), text);
        assertFalse(text.substring(0, text.indexOf("Full List")).contains("g2"),
                "a guest node whose container is stopped is not in the node list: " + text);
    }

    @Test
    void bynodeNamesTheKind() throws Exception {
        String text = StatusCommand.text(model(), ZoneOffset.UTC, Map.of(), Set.of("bynode"));
        assertTrue(text.contains("  * RemoteNode rem1: online:\n    * Resources:\n      * d1\t(ocf:pulse:Dummy):\t Started\n"),
                text);
        assertTrue(text.contains("  * GuestNode g1: online:\n"), text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonAndXmlSayTheType() throws Exception {
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) StatusCommand.json(model(), Map.of()).get("nodes");
        assertEquals(List.of("member", "member", "remote", "remote", "guest", "guest"), nodes.stream().map(n -> n.get("type")).toList());
        assertEquals(true, nodes.get(3).get("unclean"));
        String xml = org.pulse.cib.xml.XmlWriter.toXml(StatusCommand.xml(model()));
        assertTrue(xml.contains("name=\"rem1\" id=\"rem1\" type=\"remote\" online=\"true\""), xml);
    }
}
