package org.pulse.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlParser;
import org.pulse.shell.render.StatusModel;

/** crm status shows what crmd says of fencing: pending, stopped at stonith-max-attempts, the history. */
class StatusFencingTest {
    static final String CIB = "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" dc-uuid=\"n1\" have-quorum=\"1\">"
            + "<configuration><crm_config/><nodes><node id=\"n1\" uname=\"n1\"/></nodes><resources/><constraints/>"
            + "</configuration><status/></cib>";

    static Map<String, String> partition() {
        return Map.of("quorum", "2 of 3 votes", "fencing_pending", "n2",
                "fencing_failed", "n3: fencing n3 failed 3 times (stonith-max-attempts=3); last: pdu on n1: failed",
                "fence_history", "2026-12-01T12:00:00Z\tn3\treboot\tfailed\tfence-n3\tn1\t1\trc 1 (DONE)\n"
                        + "2026-12-01T12:00:05Z\tn3\treboot\tsuccess\tpdu\tn2\t2\trc 0 (DONE)");
    }

    @Test
    void textShowsPendingStoppedAndHistoryNewestFirst() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-01T12:01:00Z"));
        String text = StatusCommand.text(m, ZoneOffset.UTC, partition());
        int at = text.indexOf("Fencing History:");
        assertTrue(at > 0, text);
        String section = text.substring(at);
        assertTrue(section.contains("fencing of n2 pending"), section);
        assertTrue(section.contains("fencing of n3 STOPPED: fencing n3 failed 3 times (stonith-max-attempts=3)")
                && section.contains("'crm node fence n3' tries again"), section);
        int success = section.indexOf("reboot of n3 successful: device=pdu, executor=n2, level=2");
        int failed = section.indexOf("reboot of n3 failed: device=fence-n3, executor=n1, level=1");
        assertTrue(success > 0 && failed > success, "newest first: " + section);
        assertTrue(section.contains("(rc 1 (DONE))"), section);
    }

    @Test
    void aConfirmationByHandNamesItsDelegateAsCrmMonDoes() throws Exception {
        // crm node clearstate n3, as crmd records it (crm_mon: "off of X successful: delegate=a human, client=...")
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-01T12:01:00Z"));
        String text = StatusCommand.text(m, ZoneOffset.UTC, Map.of("quorum", "2 of 3 votes", "fence_history",
                "2026-12-01T12:00:09Z\tn3\toff\tsuccess\t\ta human\t0\tclient=crm node clearstate, origin=n1, user=root"));
        assertTrue(text.contains("  * off of n3 successful: delegate=a human, client=crm node clearstate, origin=n1,"
                + " user=root, completed="), text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonCarriesTheSameFacts() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-01T12:01:00Z"));
        Map<String, Object> cluster = (Map<String, Object>) StatusCommand.json(m, partition()).get("cluster");
        Map<String, Object> fencing = (Map<String, Object>) cluster.get("fencing");
        assertEquals(List.of("n2"), fencing.get("pending"));
        assertTrue(((Map<String, String>) fencing.get("stopped")).get("n3").contains("stonith-max-attempts=3"));
        List<Map<String, Object>> history = (List<Map<String, Object>>) fencing.get("history");
        assertEquals(2, history.size());
        assertEquals(Map.of("target", "n3", "action", "reboot", "result", "success", "device", "pdu", "executor",
                "n2", "level", 2, "completed", "2026-12-01T12:00:05Z", "detail", "rc 0 (DONE)"), history.get(1));
    }

    @Test
    void offlineThereIsNoFencingSection() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-01T12:01:00Z"));
        assertFalse(StatusCommand.text(m, ZoneOffset.UTC, Map.of()).contains("Fencing History"));
        assertFalse(((Map<?, ?>) StatusCommand.json(m, Map.of()).get("cluster")).containsKey("fencing"));
    }

    /** n3 lost while expected up and not fenced yet (as crmd writes it), n2 fenced (expected down). */
    static final String LOST = "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" dc-uuid=\"n1\" have-quorum=\"1\">"
            + "<configuration><crm_config/><nodes><node id=\"n1\" uname=\"n1\"/><node id=\"n2\" uname=\"n2\"/>"
            + "<node id=\"n3\" uname=\"n3\"/></nodes><resources><primitive id=\"vip\" class=\"ocf\" provider=\"pulse\""
            + " type=\"Dummy\"/><primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/></resources>"
            + "<constraints/></configuration><status>"
            + "<node_state id=\"n1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
            + lrm("d1", "n1") + "</node_state>"
            + "<node_state id=\"n2\" uname=\"n2\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"/>"
            + "<node_state id=\"n3\" uname=\"n3\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\">"
            + lrm("vip", "n3") + "</node_state></status></cib>";

    private static String lrm(String rsc, String node) {
        return "<lrm id=\"" + node + "\"><lrm_resources><lrm_resource id=\"" + rsc + "\" class=\"ocf\" provider=\"pulse\""
                + " type=\"Dummy\"><lrm_rsc_op id=\"" + rsc + "_last_0\" operation=\"start\" call-id=\"2\" rc-code=\"0\""
                + " op-status=\"0\" interval=\"0\" transition-key=\"1:1:0:x\"/></lrm_resource></lrm_resources></lrm>";
    }

    @Test
    void aNodeLostWhileExpectedUpIsUncleanNotPlainOffline() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", LOST), Instant.parse("2026-12-01T12:01:00Z"));
        String text = StatusCommand.text(m, ZoneOffset.UTC, Map.of());
        // crm_mon's words: the lost node waits for fencing, what ran there may still run
        assertTrue(text.contains("  * Node n3: UNCLEAN (offline)\n"), text);
        assertTrue(text.contains("  * OFFLINE: [ n2 ]\n"), "a fenced node is plainly offline: " + text);
        assertTrue(text.contains("vip\t(ocf:pulse:Dummy):\t Started n3 (UNCLEAN)\n"), text);
        assertTrue(text.contains("d1\t(ocf:pulse:Dummy):\t Started n1\n"), text);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) StatusCommand.json(m, Map.of()).get("nodes");
        assertEquals(List.of(false, false, true), nodes.stream().map(n -> n.get("unclean")).toList());
        // without fencing nothing is fenced: the node is only offline (the engine recovers elsewhere)
        String noFencing = LOST.replace("<crm_config/>", "<crm_config><cluster_property_set id=\"o\"><nvpair id=\"o-f\""
                + " name=\"fencing-enabled\" value=\"false\"/></cluster_property_set></crm_config>");
        String plain = StatusCommand.text(new StatusModel(XmlParser.parse("t", noFencing), Instant.parse(
                "2026-12-01T12:01:00Z")), ZoneOffset.UTC, Map.of());
        assertFalse(plain.contains("UNCLEAN"), plain);
        assertTrue(plain.contains("  * OFFLINE: [ n2 n3 ]\n"), plain);
    }
}
