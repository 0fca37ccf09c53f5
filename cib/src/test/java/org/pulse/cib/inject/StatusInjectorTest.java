package org.pulse.cib.inject;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;

/** The what-if edits as pure functions; their parity with crm_simulate is in tests' CrmSimulateWhatIfTest. */
class StatusInjectorTest {
    private static final String CIB = "<cib have-quorum=\"1\"><configuration><nodes><node id=\"1\" uname=\"n1\"/>"
            + "<node id=\"2\" uname=\"n2\"/><node id=\"3\" uname=\"n3\"/></nodes><resources><clone id=\"c\">"
            + "<primitive id=\"my_rsc\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\"/></clone></resources></configuration>"
            + "<status><node_state id=\"1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
            + "<lrm id=\"1\"><lrm_resources><lrm_resource id=\"my_rsc\" class=\"ocf\" provider=\"pacemaker\" type=\"Dummy\">"
            + "<lrm_rsc_op id=\"my_rsc_last_0\" operation_key=\"my_rsc_start_0\" operation=\"start\" call-id=\"6\" rc-code=\"0\""
            + " interval=\"0\"/></lrm_resource></lrm_resources></lrm></node_state>"
            + "<tickets><ticket_state id=\"T\" granted=\"true\"/></tickets></status></cib>";

    private static XmlElement cib() throws Exception {
        return XmlParser.parse("test", CIB);
    }

    private static XmlElement nodeState(XmlElement cib, String uname) {
        return cib.element("status").orElseThrow().elements("node_state").stream()
                .filter(n -> uname.equals(n.attr("uname"))).findFirst().orElseThrow();
    }

    private static List<XmlElement> ops(XmlElement cib, String uname) {
        return nodeState(cib, uname).element("lrm").orElseThrow().element("lrm_resources").orElseThrow()
                .elements("lrm_resource").get(0).elements("lrm_rsc_op");
    }

    @Test
    void opSpecsReadCrmSimulatesFormIncludingUnderscoresAndMigrations() {
        OpSpec s = OpSpec.parse("my_rsc_monitor_10000@n1=7");
        assertEquals(new OpSpec("my_rsc", "monitor", 10_000, "n1", 7), s);
        assertEquals("my_rsc_monitor_10000", s.key());
        assertEquals(new OpSpec("db_start", "migrate_to", 0, "n2", 1), OpSpec.parse("db_start_migrate_to_0@n2=1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpSpec.parse("vip-monitor@n1"));
        assertTrue(e.getMessage().contains("vip-monitor@n1") && e.getMessage().contains("RESOURCE_TASK_INTERVALMS@NODE=RC"));
    }

    @Test
    void aFailedMonitorIsRecordedWithTheNextCallIdAndCounted() throws Exception {
        OpSpec fail = OpSpec.parse("my_rsc_monitor_10000@n1=7");
        XmlElement once = StatusInjector.injectOp(cib(), fail, "d1", 1000);
        XmlElement twice = StatusInjector.injectOp(once, fail, "d1", 2000);
        XmlElement failure = ops(twice, "n1").stream().filter(o -> o.id().equals("my_rsc_last_failure_0")).findFirst().orElseThrow();
        assertEquals("8", failure.attr("call-id"));
        assertEquals("7", failure.attr("rc-code"));
        assertEquals("0:7;8:-1:0:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", failure.attr("transition-magic"));
        assertEquals(null, failure.attr("op-digest"), "a recurring result carries no digest");
        assertEquals(2, ops(twice, "n1").size(), "the start stays; one failure record, replaced");
        XmlElement attrs = nodeState(twice, "n1").element("transient_attributes").orElseThrow()
                .element("instance_attributes").orElseThrow();
        assertEquals("2", attrs.elements("nvpair").stream().filter(n -> n.attr("name").equals("fail-count-my_rsc#monitor_10000"))
                .findFirst().orElseThrow().attr("value"));
        assertEquals("2000", attrs.elements("nvpair").stream().filter(n -> n.attr("name").equals("last-failure-my_rsc#monitor_10000"))
                .findFirst().orElseThrow().attr("value"));
    }

    @Test
    void aFailedStartReplacesTheLastResultAndKeepsTheDigest() throws Exception {
        XmlElement c = StatusInjector.injectOp(cib(), OpSpec.parse("my_rsc_start_0@n1=1"), "d1", 1000);
        XmlElement last = ops(c, "n1").stream().filter(o -> o.id().equals("my_rsc_last_0")).findFirst().orElseThrow();
        assertEquals("start", last.attr("operation"));
        assertEquals("1", last.attr("rc-code"));
        assertEquals("d1", last.attr("op-digest"));
        assertEquals("7", last.attr("call-id"));
    }

    @Test
    void aResultOnANodeWithoutHistoryStartsItsHistory() throws Exception {
        XmlElement c = StatusInjector.injectOp(cib(), OpSpec.parse("my_rsc_monitor_0@n3=7"), "d1", 1000);
        XmlElement ns = nodeState(c, "n3");
        assertEquals("3", ns.attr("id"));
        assertEquals(List.of("my_rsc_last_failure_0", "my_rsc_last_0"), ops(c, "n3").stream().map(XmlElement::id).toList());
        assertTrue(ns.element("transient_attributes").isEmpty(), "a probe that finds it stopped counts no failure");
        assertThrows(IllegalArgumentException.class, () -> StatusInjector.injectOp(cib(), OpSpec.parse("nosuch_start_0@n1=0"), null, 0));
    }

    @Test
    void nodesComeGoAndFailAsCrmSimulateWritesThem() throws Exception {
        XmlElement down = StatusInjector.nodeDown(cib(), "n1");
        XmlElement ns = nodeState(down, "n1");
        assertEquals(List.of("false", "offline", "down", "down"),
                List.of(ns.attr("in_ccm"), ns.attr("crmd"), ns.attr("join"), ns.attr("expected")));
        assertTrue(ns.element("lrm").isEmpty(), "a clean leave forgets the node's history");
        XmlElement failed = nodeState(StatusInjector.nodeFail(cib(), "n1"), "n1");
        assertEquals(List.of("false", "online", "member"), List.of(failed.attr("in_ccm"), failed.attr("crmd"), failed.attr("expected")));
        assertFalse(failed.element("lrm").isEmpty());
        XmlElement up = StatusInjector.nodeUp(cib(), "n2");
        List<XmlElement> status = up.element("status").orElseThrow().elements();
        assertEquals("n2", status.get(status.size() - 1).attr("uname"), "a new node_state is appended, after the tickets");
        assertEquals("2", status.get(status.size() - 1).attr("id"));
    }

    @Test
    void ticketsAreGrantedRevokedAndPutInStandby() throws Exception {
        XmlElement c = StatusInjector.ticket(StatusInjector.ticket(cib(), "T", TicketChange.REVOKE), "U", TicketChange.STANDBY);
        List<XmlElement> ts = c.element("status").orElseThrow().element("tickets").orElseThrow().elements("ticket_state");
        assertEquals("false", ts.get(0).attr("granted"));
        assertEquals("U", ts.get(1).id());
        assertEquals("true", ts.get(1).attr("standby"));
    }
}
