package org.pulse.crmd.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.model.CibModel;

/** The events each node derives from two consecutive CIBs, and the environment its agents get. */
class AlertEventsTest {
    private static final String ALERTS = """
            <alerts>
              <alert id="file" path="/bin/true">
                <instance_attributes id="file-ia"><nvpair id="file-ia-d" name="debug_exec_order" value="false"/></instance_attributes>
                <meta_attributes id="file-meta"><nvpair id="file-meta-t" name="timeout" value="5s"/>
                  <nvpair id="file-meta-f" name="timestamp-format" value="%Y-%m-%d %H:%M:%S.%06N"/></meta_attributes>
                <recipient id="file-r1" value="/tmp/one.log"/>
                <recipient id="file-r2" value="/tmp/two.log">
                  <meta_attributes id="file-r2-meta"><nvpair id="file-r2-t" name="timestamp-format" value="%H:%M"/></meta_attributes>
                </recipient>
                <recipient id="file-r3" value="/tmp/off.log">
                  <meta_attributes id="file-r3-meta"><nvpair id="file-r3-e" name="enabled" value="false"/></meta_attributes>
                </recipient>
              </alert>
              <alert id="attrs" path="/bin/true">
                <select><select_attributes><attribute id="attrs-p" name="pingd"/></select_attributes></select>
              </alert>
            </alerts>""";

    private static CibModel cib(String dc, String status) {
        String xml = "<cib admin_epoch=\"0\" epoch=\"3\" num_updates=\"1\" validate-with=\"pacemaker-3.9\" dc-uuid=\""
                + dc + "\"><configuration><crm_config/><nodes><node id=\"1\" uname=\"node1\"/><node id=\"2\" uname=\"node2\"/>"
                + "<node id=\"3\" uname=\"node3\"/></nodes><resources/><constraints/>" + ALERTS
                + "</configuration><status>" + status + "</status></cib>";
        try {
            return CibModel.from(Cib.parse("test", xml).root());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String member(String node) {
        return "<node_state id=\"" + node + "\" uname=\"" + node + "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
                + "<lrm id=\"" + node + "\"><lrm_resources/></lrm></node_state>";
    }

    private static String withOps(String node, String ops, String attrs) {
        return "<node_state id=\"" + node + "\" uname=\"" + node + "\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
                + "<transient_attributes id=\"" + node + "\"><instance_attributes id=\"status-" + node + "\">" + attrs
                + "</instance_attributes></transient_attributes>"
                + "<lrm id=\"" + node + "\"><lrm_resources><lrm_resource id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
                + ops + "</lrm_resource></lrm_resources></lrm></node_state>";
    }

    private static String op(String id, String action, long interval, int callId, int rc, int status, int target) {
        return "<lrm_rsc_op id=\"" + id + "\" operation=\"" + action + "\" transition-key=\"4:7:" + target
                + ":dc@v1\" call-id=\"" + callId + "\" rc-code=\"" + rc + "\" op-status=\"" + status + "\" interval=\""
                + interval + "\" last-rc-change=\"100\" exec-time=\"42\"/>";
    }

    /** A node whose crmd runs since long before any fencing in these CIBs. */
    private static List<AlertEvent> between(CibModel before, CibModel after, String local) {
        return AlertEvents.between(before, after, local, 0);
    }

    private static final String FENCED_NODE2 = "<node_state id=\"node2\" uname=\"node2\" in_ccm=\"false\" crmd=\"offline\""
            + " join=\"down\" expected=\"down\" pulse-fenced=\"1700000000\"><lrm id=\"node2\"><lrm_resources/></lrm></node_state>";

    @Test
    void aLostNodeIsANodeEventEverywhereAndItsFencingAFencingEvent() {
        CibModel before = cib("node1", member("node1") + member("node2") + member("node3"));
        String lost = "<node_state id=\"node2\" uname=\"node2\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\">"
                + "<lrm id=\"node2\"><lrm_resources/></lrm></node_state>";
        CibModel left = cib("node1", member("node1") + lost + member("node3"));
        CibModel fenced = cib("node1", member("node1") + FENCED_NODE2 + member("node3"));
        for (String local : List.of("node1", "node3")) {
            List<AlertEvent> e1 = between(before, left, local);
            assertEquals(List.of(new AlertEvent(AlertEvent.Kind.NODE,
                    Map.of("node", "node2", "nodeid", "2", "desc", "lost"))), e1, local);
            List<AlertEvent> e2 = between(left, fenced, local);
            assertEquals(1, e2.size(), e2.toString());
            assertEquals(AlertEvent.Kind.FENCING, e2.get(0).kind());
            assertEquals("node2", e2.get(0).field("node"));
            assertEquals("reboot", e2.get(0).field("task"));
            assertEquals("0", e2.get(0).field("rc"));
            assertTrue(e2.get(0).field("desc").startsWith("Operation reboot of node2"), e2.get(0).field("desc"));
        }
        // Lost and fenced in one CIB: both, node first. And the CIB applied again: nothing new.
        List<AlertEvent> both = between(before, fenced, "node3");
        assertEquals(List.of(AlertEvent.Kind.NODE, AlertEvent.Kind.FENCING), both.stream().map(AlertEvent::kind).toList());
        assertEquals(List.of(), between(fenced, fenced, "node3"));
        // Back: a member again.
        List<AlertEvent> back = between(fenced, before, "node3");
        assertEquals("member", back.get(0).field("desc"));
    }

    /**
     * A node that comes back finds the fencing that happened while it was away in the first CIB it
     * gets (its own stored one does not have it): the nodes that saw the fencing reported it, a
     * second report from the one that was away (the fenced node itself, after its power cycle) would
     * tell the operator of a second fencing that never happened.
     */
    @Test
    void aFencingBeforeThisNodeStartedIsNotItsToReport() {
        String lost = "<node_state id=\"node2\" uname=\"node2\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
                + "<lrm id=\"node2\"><lrm_resources/></lrm></node_state>";
        CibModel stored = cib("node1", member("node1") + lost + member("node3"));
        CibModel joined = cib("node1", member("node1") + FENCED_NODE2.replace("in_ccm=\"false\"", "in_ccm=\"true\"")
                + member("node3"));
        assertEquals(List.of(), AlertEvents.between(stored, joined, "node2", 1_700_000_005L), "node2, restarted after it");
        assertEquals(List.of(), AlertEvents.between(stored, joined, "node3", 1_700_000_000L), "node3, started in that second");
        List<AlertEvent> seen = AlertEvents.between(stored, joined, "node3", 1_699_999_000L);
        assertEquals(List.of(AlertEvent.Kind.FENCING), seen.stream().map(AlertEvent::kind).toList(), "node3, running before");
    }

    @Test
    void withoutStonithADownNodeIsNoFencing() {
        String noStonith = "<cib admin_epoch=\"0\" epoch=\"3\" num_updates=\"1\" validate-with=\"pacemaker-3.9\" dc-uuid=\"node1\">"
                + "<configuration><crm_config><cluster_property_set id=\"o\"><nvpair id=\"o-s\" name=\"stonith-enabled\" value=\"false\"/>"
                + "</cluster_property_set></crm_config><nodes/><resources/><constraints/></configuration><status>"
                + member("node1") + FENCED_NODE2 + "</status></cib>";
        CibModel after;
        try {
            after = CibModel.from(Cib.parse("t", noStonith).root());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        List<AlertEvent> e = between(cib("node1", member("node1") + member("node2")), after, "node1");
        assertEquals(List.of(AlertEvent.Kind.NODE), e.stream().map(AlertEvent::kind).toList());
    }

    @Test
    void resourceResultsAreTheirOwnNodesOnlyAndRecurringOnesOnlyWhenTheyChange() {
        String ops1 = op("vip_last_0", "start", 0, 5, 0, 0, 0) + op("vip_monitor_10000", "monitor", 10000, 6, 0, 0, 0);
        CibModel before = cib("node1", member("node1") + member("node2"));
        CibModel after = cib("node1", member("node1") + withOps("node2", ops1, ""));
        assertEquals(List.of(), between(before, after, "node1"), "node1 did not run it");
        List<AlertEvent> e = between(before, after, "node2");
        assertEquals(2, e.size(), e.toString());
        AlertEvent start = e.get(0);
        assertEquals(Map.of("node", "node2", "rsc", "vip", "task", "start", "interval", "0", "rc", "0", "status", "0",
                "target_rc", "0", "exec_time", "42", "desc", "ok"), start.fields());
        assertEquals("10000", e.get(1).field("interval"));
        // The same monitor again (same result): nothing; it fails: an event, with the failure copy left out.
        String ops2 = op("vip_last_0", "start", 0, 5, 0, 0, 0) + op("vip_monitor_10000", "monitor", 10000, 6, 0, 0, 0);
        assertEquals(List.of(), between(after, cib("node1", member("node1") + withOps("node2", ops2, "")), "node2"));
        String ops3 = op("vip_last_0", "start", 0, 5, 0, 0, 0) + op("vip_monitor_10000", "monitor", 10000, 6, 7, 0, 0)
                + op("vip_last_failure_0", "monitor", 10000, 6, 7, 0, 0);
        List<AlertEvent> failed = between(after, cib("node1", member("node1") + withOps("node2", ops3, "")), "node2");
        assertEquals(1, failed.size(), failed.toString());
        assertEquals("not running", failed.get(0).field("desc"));
        assertEquals("7", failed.get(0).field("rc"));
        // A timed-out stop: the status's words; a pending start: not a result yet.
        String ops4 = op("vip_last_0", "stop", 0, 9, 1, 2, 0);
        AlertEvent timeout = between(after, cib("node1", member("node1") + withOps("node2", ops4, "")), "node2").get(0);
        assertEquals("Timed Out", timeout.field("desc"));
        assertEquals("2", timeout.field("status"));
        String pending = op("vip_last_0", "start", 0, -1, 193, -1, 0);
        assertEquals(List.of(), between(before, cib("node1", member("node1") + withOps("node2", pending, "")), "node2"));
        // A probe that finds it stopped (target 7).
        String probe = op("vip_last_0", "monitor", 0, 2, 7, 0, 7);
        AlertEvent p = between(before, cib("node1", member("node1") + withOps("node2", probe, "")), "node2").get(0);
        assertEquals("7", p.field("target_rc"));
    }

    @Test
    void attributeChangesAreTheDcs() {
        String a1 = "<nvpair id=\"s-p\" name=\"pingd\" value=\"100\"/>";
        String a2 = "<nvpair id=\"s-p\" name=\"pingd\" value=\"0\"/><nvpair id=\"s-x\" name=\"other\" value=\"1\"/>";
        CibModel before = cib("node1", member("node1") + withOps("node2", "", a1));
        CibModel after = cib("node1", member("node1") + withOps("node2", "", a2));
        assertEquals(List.of(), between(before, after, "node2"), "not the DC");
        List<AlertEvent> e = between(before, after, "node1");
        assertEquals(List.of(new AlertEvent(AlertEvent.Kind.ATTRIBUTE, Map.of("node", "node2", "attribute_name", "pingd",
                "attribute_value", "0")), new AlertEvent(AlertEvent.Kind.ATTRIBUTE, Map.of("node", "node2",
                "attribute_name", "other", "attribute_value", "1"))), e);
        // The configuration: alert "file" has no select (no attributes by default); "attrs" wants pingd only.
        List<AlertCall> calls = AlertCalls.plan(after.alerts(), e, Instant.EPOCH, 1, ZoneOffset.UTC);
        assertEquals(1, calls.size(), calls.toString());
        assertEquals("attrs", calls.get(0).alertId());
        assertEquals(null, calls.get(0).recipient());
        assertEquals("pingd", calls.get(0).env().get("CRM_alert_attribute_name"));
        assertTrue(!calls.get(0).env().containsKey("CRM_alert_recipient"));
    }

    @Test
    void theEnvironmentIsPacemakersOncePerEnabledRecipient() {
        CibModel c = cib("node1", member("node1"));
        AlertEvent stop = new AlertEvent(AlertEvent.Kind.RESOURCE, Map.of("node", "node1", "rsc", "vip", "task", "stop",
                "interval", "0", "rc", "0", "status", "0", "target_rc", "0", "exec_time", "12", "desc", "ok"));
        AlertEvent lost = new AlertEvent(AlertEvent.Kind.NODE, Map.of("node", "node2", "nodeid", "2", "desc", "lost"));
        Instant t = Instant.parse("2026-12-06T09:05:07.123456789Z");
        List<AlertCall> calls = AlertCalls.plan(c.alerts(), List.of(lost, stop), t, 41, ZoneOffset.UTC);
        assertEquals(4, calls.size(), "two events × two enabled recipients (r3 is disabled, attrs selects attributes only)");
        AlertCall first = calls.get(0);
        assertEquals("/tmp/one.log", first.recipient());
        assertEquals(5000, first.timeoutMs());
        Map<String, String> env = first.env();
        assertEquals("node", env.get("CRM_alert_kind"));
        assertEquals("node2", env.get("CRM_alert_node"));
        assertEquals("2", env.get("CRM_alert_nodeid"));
        assertEquals("lost", env.get("CRM_alert_desc"));
        assertEquals("41", env.get("CRM_alert_node_sequence"));
        assertEquals("/tmp/one.log", env.get("CRM_alert_recipient"));
        assertEquals("2026-12-06 09:05:07.123456", env.get("CRM_alert_timestamp"));
        assertEquals(Long.toString(t.getEpochSecond()), env.get("CRM_alert_timestamp_epoch"));
        assertEquals("123456", env.get("CRM_alert_timestamp_usec"));
        assertEquals(AlertCalls.INTERFACE_VERSION, env.get("CRM_alert_version"));
        assertEquals("false", env.get("debug_exec_order"), "instance attributes are the agent's variables");
        assertEquals("lost", env.get("CRM_notify_desc"), "ClusterMon's names too");
        assertEquals("09:05", calls.get(1).env().get("CRM_alert_timestamp"), "the recipient's own timestamp-format");
        assertEquals("/tmp/two.log", calls.get(1).recipient());
        Map<String, String> res = calls.get(2).env();
        assertEquals("42", res.get("CRM_alert_node_sequence"), "one number per event");
        assertEquals("resource", res.get("CRM_alert_kind"));
        for (String k : List.of("rsc", "task", "interval", "rc", "status", "target_rc", "exec_time")) {
            assertTrue(res.containsKey("CRM_alert_" + k), k);
        }
    }

    @Test
    void timestampFormats() {
        Instant t = Instant.parse("2026-01-02T03:04:05.006007008Z");
        assertEquals("03:04:05.006007", Timestamps.format("%H:%M:%S.%06N", t, ZoneOffset.UTC));
        assertEquals("006", Timestamps.format("%3N", t, ZoneOffset.UTC));
        assertEquals("2026-01-02T03:04:05 +0000 %q 100%", Timestamps.format("%FT%T %z %q 100%%", t, ZoneOffset.UTC));
        assertEquals(Long.toString(t.getEpochSecond()), Timestamps.format("%s", t, ZoneOffset.UTC));
    }
}
