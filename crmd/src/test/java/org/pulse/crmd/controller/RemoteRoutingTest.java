package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;

/**
 * How the DC routes a remote node's actions, as pure functions: which nodes are remote, which member holds a
 * connection (the router), the remote node's results recorded under its own remote_node node_state, and the
 * order an action on a remote node keeps with its connection's start.
 */
class RemoteRoutingTest {
    private static final String CONNECTION = "<primitive id='remote1' class='ocf' provider='pacemaker' type='remote'>"
            + "<instance_attributes id='ia'><nvpair id='s' name='server' value='192.0.2.7'/></instance_attributes></primitive>"
            + "<primitive id='d1' class='ocf' provider='pulse' type='Dummy'/>";
    private static final AgentSpec REMOTE = new AgentSpec("ocf", "pacemaker", "remote");
    private static final AgentSpec DUMMY = new AgentSpec("ocf", "pulse", "Dummy");

    private static String running(String node, String rsc, String op) {
        return "<node_state id='" + node + "' uname='" + node + "' in_ccm='true' crmd='online' join='member' expected='member'>"
                + "<lrm id='" + node + "'><lrm_resources><lrm_resource id='" + rsc + "' class='ocf' provider='pacemaker'"
                + " type='remote'><lrm_rsc_op id='" + rsc + "_last_0' operation_key='" + rsc + "_" + op + "_0' operation='"
                + op + "' transition-key='1:1:0:x' call-id='3' rc-code='0' op-status='0' interval='0'/>"
                + "</lrm_resource></lrm_resources></lrm></node_state>";
    }

    @Test
    void aConnectionPrimitiveMakesARemoteNodeAndItsHostIsTheRouter() throws Exception {
        Cib cib = CibReadingTest.cib("", CONNECTION, running("n2", "remote1", "start"));
        assertEquals(Set.of("remote1"), RemoteRouting.names(cib));
        assertTrue(RemoteRouting.isConnection(REMOTE));
        assertEquals("n2", RemoteRouting.router(cib, "remote1", new View("v", List.of("n1", "n2"))));
        // the host left the view: nobody routes (the DC fails the action instead of sending it into the void)
        assertNull(RemoteRouting.router(cib, "remote1", new View("v", List.of("n1"))));
        Cib stopped = CibReadingTest.cib("", CONNECTION, running("n2", "remote1", "stop"));
        assertNull(RemoteRouting.router(stopped, "remote1", new View("v", List.of("n1", "n2"))));
    }

    @Test
    void duringAMigrationTheTargetRoutes() throws Exception {
        Cib cib = CibReadingTest.cib("", CONNECTION, running("n1", "remote1", "migrate_to")
                + running("n2", "remote1", "migrate_from"));
        assertEquals("n2", RemoteRouting.router(cib, "remote1", new View("v", List.of("n1", "n2"))));
    }

    @Test
    void aRemoteNodesResultIsRecordedUnderItsOwnNodeStateMarkedRemote() throws Exception {
        Cib cib = CibReadingTest.cib("", CONNECTION, running("n2", "remote1", "start"));
        OpRequest req = new OpRequest("4:2:0:n1@v", "d1", DUMMY, "start", 0, 20_000, Map.of());
        XmlElement root = StatusRecords.withResult(cib.root(), "remote1", OpResult.of(req, 0, OpStatus.DONE, "", 9), 7,
                null, Map.of(), 1_000);
        root = RemoteRouting.markedRemote(root, "remote1");
        Cib after = Cib.of(root);
        XmlElement ns = Cibs.nodeState(after.root(), "remote1").orElseThrow();
        assertEquals("true", ns.attr("remote_node"));
        assertEquals(Set.of("remote1"), after.statusView().runningOn("d1"));
        assertEquals(Set.of("n2"), after.statusView().runningOn("remote1"), "the connection stays on its host");
    }

    private static PlannedAction action(int id, String node, String rsc, AgentSpec agent, String op, long intervalMs,
            List<Integer> inputs) {
        return new PlannedAction(id, node, rsc, agent, op, intervalMs, 20_000, Map.of(), 0, inputs, null);
    }

    @Test
    void anActionOnARemoteNodeWaitsForItsConnectionsStartButAStopDoesNot() {
        TransitionPlan plan = new TransitionPlan("policy-engine", List.of(
                action(0, "n1", "d2", DUMMY, "stop", 0, List.of()),
                action(1, "remote1", "d1", DUMMY, "stop", 0, List.of()),
                action(2, "n2", "remote1", REMOTE, "start", 0, List.of(1)),
                action(3, "remote1", "d1", DUMMY, "monitor", 10_000, List.of()),
                action(4, "remote1", "d3", DUMMY, "start", 0, List.of(2))));
        TransitionPlan ordered = RemoteRouting.afterConnections(plan, Set.of("remote1"));
        assertEquals(List.of(), ordered.actions().get(0).inputs(), "an action on a member is untouched");
        assertEquals(List.of(), ordered.actions().get(1).inputs(), "a stop runs over the connection the node has now");
        assertEquals(List.of(2), ordered.actions().get(3).inputs(), "the re-issued monitor waits for the connection");
        assertEquals(List.of(2), ordered.actions().get(4).inputs(), "an existing input is not doubled");
        // no connection starting: the plan is the same object
        TransitionPlan none = new TransitionPlan("policy-engine", List.of(action(0, "remote1", "d1", DUMMY, "monitor",
                10_000, List.of())));
        assertTrue(none == RemoteRouting.afterConnections(none, Set.of("remote1")));
    }

    @Test
    void anActionTheConnectionStartComesAfterIsNotMadeToWaitForIt() {
        // a (hypothetical) probe on the remote node that the connection's start was ordered after: no cycle
        TransitionPlan plan = new TransitionPlan("policy-engine", List.of(
                action(0, "remote1", "d1", DUMMY, "monitor", 0, List.of()),
                action(1, "n2", "remote1", REMOTE, "start", 0, List.of(0))));
        assertEquals(List.of(), RemoteRouting.afterConnections(plan, Set.of("remote1")).actions().get(0).inputs());
    }

    private static final String GUEST = "<primitive id='vm1' class='ocf' provider='pulselab' type='guest'>"
            + "<meta_attributes id='vm1-m'><nvpair id='rn' name='remote-node' value='guest1'/>"
            + "<nvpair id='ra' name='remote-addr' value='127.0.0.1'/><nvpair id='rp' name='remote-port' value='3999'/>"
            + "</meta_attributes></primitive>";

    @Test
    void aPrimitiveWithRemoteNodeMakesAGuestWhoseImplicitConnectionTheDcRunsAsARemoteOne() throws Exception {
        String online = "<node_state id='n1' uname='n1' in_ccm='true' crmd='online' join='member' expected='member'/>"
                + "<node_state id='n2' uname='n2' in_ccm='true' crmd='online' join='member' expected='member'/>";
        Cib cib = CibReadingTest.cib("<nvpair id='se' name='stonith-enabled' value='false'/>",
                GUEST + "<primitive id='d2' class='ocf' provider='pulse' type='Dummy'/>", online);
        assertEquals(Map.of("guest1", "vm1"), RemoteRouting.guests(cib));
        assertEquals(Set.of("guest1"), RemoteRouting.names(cib));
        // the policy engine's probe of guest1's connection: an ocf:pacemaker:remote action with the address and port
        List<org.pulse.policy.Action> actions = org.pulse.policy.PolicyEngine.schedule(cib.root(), java.time.Instant.now())
                .actions();
        org.pulse.policy.Action start = actions.stream().filter(a -> "guest1".equals(a.resource())
                && "monitor".equals(a.operation())).findFirst().orElseThrow(() -> new AssertionError(actions.toString()));
        PlannedAction p = PolicyEngineScheduler.convert(cib, new PolicyEngineScheduler.Agents(cib, java.time.Instant.now()), start);
        assertEquals(REMOTE, p.agent());
        assertEquals("127.0.0.1", p.params().get("addr"));
        assertEquals("3999", p.params().get("port"));
        // a guest's "fencing" is an event the DC completes (its container's recovery does the work), never a device run
        PlannedAction fence = PolicyEngineScheduler.convert(cib, new PolicyEngineScheduler.Agents(cib, java.time.Instant.now()), new org.pulse.policy.Action(9,
                "stonith", "stonith-guest1-reboot", null, "guest1", 0, null, "pseudo_event",
                Map.of("CRM_meta_stonith_action", "reboot"), List.of()));
        assertEquals("pseudo", fence.operation());
        assertTrue(!fence.isFence());
        assertEquals("guest1", fence.node());
    }

    @Test
    void aLostConnectionWithReconnectIntervalWakesTheDcWhenItMayReconnect() throws Exception {
        String conn = "<primitive id='remote1' class='ocf' provider='pacemaker' type='remote'>"
                + "<instance_attributes id='ia'><nvpair id='ri' name='reconnect_interval' value='8s'/></instance_attributes>"
                + "</primitive>";
        String failed = "<node_state id='n1' uname='n1' in_ccm='true' crmd='online' join='member' expected='member'>"
                + "<lrm id='n1'><lrm_resources><lrm_resource id='remote1' class='ocf' provider='pacemaker' type='remote'>"
                + "<lrm_rsc_op id='remote1_last_failure_0' operation_key='remote1_monitor_2000' operation='monitor'"
                + " transition-key='1:1:0:x' call-id='4' rc-code='1' op-status='0' interval='2000' last-rc-change='1000'/>"
                + "</lrm_resource></lrm_resources></lrm></node_state>";
        Cib cib = CibReadingTest.cib("", conn, failed);
        assertEquals(1_008_000, RemoteRouting.nextReconnectAtMs(cib, 1_000_000));
        assertEquals(-1, RemoteRouting.nextReconnectAtMs(cib, 1_008_000), "passed: nothing to wake for");
        Cib without = CibReadingTest.cib("", conn.replace("reconnect_interval", "other"), failed);
        assertEquals(-1, RemoteRouting.nextReconnectAtMs(without, 1_000_000));
    }

    @Test
    void aFencedRemoteNodeIsMarkedSoUntilItsConnectionStartsAgain() throws Exception {
        Cib cib = CibReadingTest.cib("", CONNECTION, running("n2", "remote1", "start"));
        XmlElement fenced = RemoteRouting.markedFenced(Planner.markFenced(cib.root(), "remote1", 1_000), "remote1");
        XmlElement ns = Cibs.nodeState(fenced, "remote1").orElseThrow();
        assertEquals("1", ns.attr("node_fenced"));
        assertEquals("true", ns.attr("remote_node"));
        assertEquals("0", Cibs.nodeState(RemoteRouting.connected(fenced, "remote1"), "remote1").orElseThrow()
                .attr("node_fenced"));
        // never fenced: nothing to say
        assertEquals(cib.root(), RemoteRouting.connected(cib.root(), "remote1"));
    }
}
