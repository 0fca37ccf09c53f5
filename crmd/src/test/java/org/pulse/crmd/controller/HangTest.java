package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;

/**
 * Nothing one stuck operation or one silent member does holds the partition up (issue 11): members answer
 * the join at once with their operations in flight as pending; the join goes on without a member silent past
 * join-integration-timeout (fenced if it may run something); an action whose result never comes is recorded
 * as timed out at the DC, so a stop that hangs gets its node fenced.
 */
class HangTest {
    static final String FENCE = "<primitive id=\"fence\" class=\"stonith\" type=\"fence_pulse_sim\"/>";

    static String dummy(String id) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>";
    }

    static String prefers(String rsc, String node) {
        return "<rsc_location id=\"loc-" + rsc + "\" rsc=\"" + rsc + "\" node=\"" + node + "\" score=\"100\"/>";
    }

    static Cib cib(String resources, String constraints) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\">"
                + "<configuration><crm_config/><nodes/><resources>" + resources + "</resources><constraints>"
                + constraints + "</constraints></configuration><status/></cib>"));
    }

    static Optional<XmlElement> lastOp(Cib cib, String node, String rsc, String suffix) {
        return Cibs.nodeState(cib.root(), node).flatMap(ns -> Cibs.lrmResources(ns).stream()
                .filter(r -> r.id().equals(rsc)).findFirst()).flatMap(r -> LrmOps.op(r, rsc + suffix));
    }

    /** Where rsc runs among the nodes still up (a crashed or fenced node's leftovers do not count). */
    static String runsOn(MiniCluster c, String rsc) {
        return c.running.entrySet().stream().filter(e -> c.nodes.containsKey(e.getKey()))
                .filter(e -> e.getValue().contains(rsc)).map(e -> e.getKey()).sorted()
                .toList().toString();
    }

    @Test
    void aLongOperationOnASurvivorDelaysNeitherTheJoinNorFencingOfADeadNode() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(dummy("d1") + dummy("d2") + FENCE,
                prefers("d1", "c") + prefers("d2", "b") + prefers("fence", "a")), new PolicyEngineScheduler());
        c.hang.add("b start d2");
        c.view("v1", List.of("a", "b", "c"));
        assertEquals("[c]", runsOn(c, "d1"));
        assertTrue(c.hangs("b start d2"), "the start of d2 on b should hang: " + c.executed);
        assertEquals("-1", lastOp(c.nodes.get("a").cib(), "b", "d2", "_last_0").orElseThrow().attr("op-status"),
                "the DC records the start it sent as pending (record-pending)");

        c.crash("c");
        c.view("v2", List.of("a", "b"));
        Controller a = c.nodes.get("a");
        assertTrue(a.hasConfirmedQuorum(), "b's start in flight held up the join: " + a.status().transition());
        assertEquals(1, c.fenceRequests.size(), "c must be fenced at once: " + c.fenceRequests);
        assertEquals("c", c.fenceRequests.get(0).params().get("port"));
        assertTrue(List.of("[a]", "[b]").contains(runsOn(c, "d1")),
                "d1 should run on one survivor: " + runsOn(c, "d1"));
        // (c.executed lists operations that ran to the end; the hung start is not among them yet.)
        assertEquals(List.of(), c.executed.stream().filter(e -> e.endsWith("start d2")).toList(),
                "d2 was started again or elsewhere while pending on b");
        assertTrue(c.hangs("b start d2"));
        XmlElement pending = lastOp(a.cib(), "b", "d2", "_last_0").orElseThrow();
        assertEquals("-1", pending.attr("op-status"), "b's join answer reported its start as pending: " + pending);

        c.finishHung("b d2");
        assertEquals("[b]", runsOn(c, "d2"));
        assertEquals(List.of("b start d2"), c.executed.stream().filter(e -> e.endsWith("start d2")).toList(),
                "d2 was started twice: " + c.log);
        XmlElement done = lastOp(a.cib(), "b", "d2", "_last_0").orElseThrow();
        assertEquals("start", done.attr("operation"));
        assertEquals("0", done.attr("op-status"), "the result is recorded as usual: " + done);
        assertEquals("0", done.attr("rc-code"));
    }

    @Test
    void aMemberSilentPastJoinIntegrationTimeoutIsLeftOutPendingAndWhatItRunsWaitsUntilItIsFenced() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(dummy("d1") + FENCE,
                prefers("d1", "c") + prefers("fence", "a")), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        assertEquals("[c]", runsOn(c, "d1"));
        // c's crmd is stuck: JGroups still lists it, but it says nothing.
        c.hold(e -> e.from().equals("c"));
        c.view("v2", List.of("a", "b", "c"));
        Controller a = c.nodes.get("a");
        assertFalse(a.hasConfirmedQuorum(), "the join cannot be complete before c answers or the timeout");
        assertTrue(c.fenceRequests.isEmpty());
        c.advance(DcRole.DEFAULT_JOIN_INTEGRATION_TIMEOUT_MS, "join-integration");
        assertTrue(a.hasConfirmedQuorum(), "a and b are 2 of 3: " + a.status().transition());
        XmlElement ns = Cibs.nodeState(a.cib().root(), "c").orElseThrow();
        assertEquals("pending", ns.attr("join"), ns.toString());
        // As Pacemaker's scheduler: a pending node (in the membership, not joined) is not fenced (its crmd hangs:
        // the watchdog's business); what it may run is neither stopped nor started elsewhere meanwhile.
        assertTrue(c.fenceRequests.isEmpty(), "a pending node is not fenced: " + c.fenceRequests);
        assertEquals("[c]", runsOn(c, "d1"), "d1 may still run on c: it must not start elsewhere");
        c.crash("c");
        c.view("v3", List.of("a", "b"));
        assertEquals(1, c.fenceRequests.size(), "c left the membership while it may run d1: fenced; log: " + c.log);
        assertEquals("c", c.fenceRequests.get(0).params().get("port"));
        assertTrue(List.of("[a]", "[b]").contains(runsOn(c, "d1")), "d1 recovered on a survivor: " + runsOn(c, "d1"));
    }

    @Test
    void aSilentMemberThatRunsNothingIsOnlyLeftOutAndJoinsOnceItAnswers() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(dummy("d1") + FENCE,
                prefers("d1", "a") + prefers("fence", "b")), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        assertTrue(c.running.get("c").isEmpty());
        c.hold(e -> e.from().equals("c"));
        c.view("v2", List.of("a", "b", "c"));
        c.advance(DcRole.DEFAULT_JOIN_INTEGRATION_TIMEOUT_MS, "join-integration");
        Controller a = c.nodes.get("a");
        assertTrue(a.hasConfirmedQuorum());
        assertTrue(c.fenceRequests.isEmpty(), "c runs nothing: no reason to fence it " + c.fenceRequests);
        assertEquals("pending", Cibs.nodeState(a.cib().root(), "c").orElseThrow().attr("join"));
        assertFalse(c.nodes.get("c").joined());
        assertEquals("[a]", runsOn(c, "d1"));

        c.release();
        assertTrue(c.nodes.get("c").joined(), "c answered (late): it must be joined again; log: " + c.log);
        assertEquals("member", Cibs.nodeState(a.cib().root(), "c").orElseThrow().attr("join"));
        assertTrue(c.fenceRequests.isEmpty());
    }

    @Test
    void aStopWhoseResultNeverComesIsRecordedAsTimedOutAndItsNodeFenced() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(dummy("d1") + FENCE,
                prefers("d1", "b") + prefers("fence", "a")), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        assertEquals("[b]", runsOn(c, "d1"));
        c.hang.add("b stop d1");
        c.admin("a", new AdminCommand.Write(new CibEdit.ResourceMeta("d1", "target-role", "Stopped"), false));
        c.settle();
        assertTrue(c.hangs("b stop d1"));
        assertTrue(c.fenceRequests.isEmpty());
        long deadlineMs = 20_000 + ControllerConfig.defaults("a", List.of()).actionMarginMs();
        c.advance(deadlineMs - 1, "action");
        assertTrue(c.fenceRequests.isEmpty(), "fenced before the DC's deadline (timeout + margin)");
        c.advance(1, "action");
        boolean recorded = c.stored.get("a").stream().anyMatch(cib -> lastOp(cib, "b", "d1", "_last_0")
                .filter(op -> op.attr("operation").equals("stop") && op.attr("op-status").equals("2")
                        && op.attr("rc-code").equals("1")).isPresent());
        assertTrue(recorded, "the DC never recorded b's stop as timed out (op-status 2, rc 1)");
        assertEquals(1, c.fenceRequests.size(), "a stop that timed out must get b fenced; log: " + c.log);
        assertEquals("b", c.fenceRequests.get(0).params().get("port"));
    }

    @Test
    void aStartWhoseResultNeverComesCountsAgainstMigrationThreshold() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(dummy("d1") + FENCE,
                prefers("d1", "b") + prefers("fence", "a")), new PolicyEngineScheduler());
        c.hang.add("b start d1");
        c.view("v1", List.of("a", "b", "c"));
        assertTrue(c.hangs("b start d1"));
        c.advance(20_000 + ControllerConfig.defaults("a", List.of()).actionMarginMs(), "action");
        Controller a = c.nodes.get("a");
        XmlElement ns = Cibs.nodeState(a.cib().root(), "b").orElseThrow();
        assertEquals("INFINITY", Cibs.transientAttributes(ns).get("fail-count-d1#start_0"), ns.toString());
        XmlElement failure = lastOp(a.cib(), "b", "d1", "_last_failure_0").orElseThrow();
        assertEquals("2", failure.attr("op-status"));
        assertEquals("1", failure.attr("rc-code"));
        // The agent finally returns: the stop queued behind it runs, and d1 moves off b for good.
        c.finishHung("b d1");
        assertTrue(List.of("[a]", "[c]").contains(runsOn(c, "d1")), "d1 should run once, not on b: "
                + runsOn(c, "d1") + "; log: " + c.log);
    }

    @Test
    void aMemberThatNeverConfirmsTheJoinsCibIsLeftOutAfterJoinFinalizationTimeout() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib(dummy("d1") + FENCE,
                prefers("d1", "a") + prefers("fence", "b")), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        c.hold(e -> e.from().equals("c") && e.message() instanceof Message.CibAck);
        c.view("v2", List.of("a", "b", "c"));
        long id = c.admin("b", new AdminCommand.Write(new CibEdit.ClusterProperty("x", "1"), false));
        c.settle();
        assertEquals(null, c.replies.get(id), "acknowledged before c confirmed the join's CIB");
        c.advance(DcRole.DEFAULT_JOIN_FINALIZATION_TIMEOUT_MS, "join-finalization");
        assertTrue(c.replies.get(id) != null && c.replies.get(id).ok(), "the write still waits for c: "
                + c.replies.get(id));
        Controller a = c.nodes.get("a");
        assertEquals("pending", Cibs.nodeState(a.cib().root(), "c").orElseThrow().attr("join"));
        assertTrue(c.fenceRequests.isEmpty(), "c runs nothing: " + c.fenceRequests);

        c.release();
        assertEquals("member", Cibs.nodeState(a.cib().root(), "c").orElseThrow().attr("join"),
                "c's late confirmation should bring it back in; log: " + c.log);
        assertEquals(a.cib().version(), c.nodes.get("c").cib().version());
    }

    @Test
    void joinIntegrationTimeoutIsTheClusterProperty() throws Exception {
        Cib base = cib(dummy("d1") + FENCE, prefers("d1", "a") + prefers("fence", "b"));
        Cib withProperty = Cib.of(XmlParser.parse("test", base.toXml().replace("<crm_config/>",
                "<crm_config><cluster_property_set id=\"o\"><nvpair id=\"jit\" name=\"join-integration-timeout\""
                        + " value=\"2s\"/></cluster_property_set></crm_config>")));
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), withProperty, new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        c.hold(e -> e.from().equals("c"));
        c.view("v2", List.of("a", "b", "c"));
        c.advance(1_999, "join-integration");
        assertFalse(c.nodes.get("a").hasConfirmedQuorum(), "the join gave up on c before join-integration-timeout");
        c.advance(1, "join-integration");
        assertTrue(c.nodes.get("a").hasConfirmedQuorum(), "the join still waits for c after 2 s");
    }
}
