package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * Fencing the policy engine decides on its own (a node Planner does not name: the DC itself after its stop
 * failed, a node whose monitor failed with on-fail=fence) keeps its progress from one transition to the
 * next, as any fencing does: a failed device is not tried again and again, the next device gets its turn,
 * and the attempts end at stonith-max-attempts. Seed 20261617 of the simulation (see the tests module's
 * PinnedSeedsTest): the DC's own fencing started afresh with the same broken device in every transition,
 * hundreds of them, and the cluster never settled.
 */
class EngineFencingProgressTest {
    static final List<String> NODES = List.of("n1", "n2", "n3");
    /** No topology: the node's own device first (priority), then a pdu for every node. */
    static final String DEVICES = FencePlannerTest.device("fence-n1", "n1", 2) + FencePlannerTest.device("fence-n2",
            "n2", 2) + FencePlannerTest.device("fence-n3", "n3", 2) + FencePlannerTest.device("pdu", "n1 n2 n3", 1);

    /** DEVICES and {@code resource}, placed on {@code node}; stonith-max-attempts=3. */
    static Cib cib(String resource, String id, String node) throws Exception {
        return cib(DEVICES, resource, id, node);
    }

    static Cib cib(String devices, String resource, String id, String node) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\"><configuration>"
                + "<crm_config><cluster_property_set id=\"o\"><nvpair id=\"ma\" name=\"stonith-max-attempts\""
                + " value=\"3\"/></cluster_property_set></crm_config><nodes/><resources>" + devices + resource
                + "</resources><constraints><rsc_location id=\"" + id + "-" + node + "\" rsc=\"" + id + "\" node=\""
                + node + "\" score=\"100\"/></constraints></configuration><status/></cib>"));
    }

    static final String D2 = "<primitive id=\"d2\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><operations><op"
                + " id=\"d2-mon\" name=\"monitor\" interval=\"10s\" on-fail=\"fence\"/></operations></primitive>";

    /** d2 on n3, its monitor with on-fail=fence. */
    static Cib onFailFence() throws Exception {
        return cib(D2, "d2", "n3");
    }

    /** d2 runs on n3; its monitor there fails: on-fail=fence. */
    static MiniCluster monitorFailsOnN3(MiniCluster c) {
        c.view("v1", NODES);
        assertTrue(c.running.get("n3").contains("d2"), "d2 starts on n3; log " + c.log);
        OpRequest monitor = c.requests.stream().filter(r -> r.resourceId().equals("d2") && r.intervalMs() > 0)
                .reduce((a, b) -> b).orElseThrow();
        c.deliver("n3", new Event.OperationCompleted(OpResult.of(monitor, 1, OpStatus.DONE, "failed", 1)));
        c.settle();
        return c;
    }

    @Test
    void aNodeFencedForOnFailFenceGoesOnToTheNextDeviceWhenItsOwnFails() throws Exception {
        MiniCluster c = new MiniCluster(NODES, onFailFence(), new PolicyEngineScheduler());
        c.failingFenceDevices.add("fence-n3");
        monitorFailsOnN3(c);
        // fence-n3 fails on n1, again on n2 (pcmk_reboot_retries=2), then the pdu; not fence-n3 for ever.
        assertEquals(List.of("n1 fence-n3 n3", "n2 fence-n3 n3", "n1 pdu n3"), c.fenceLog, "log " + c.log);
        List<FenceEvent> h = c.nodes.get("n1").status().fenceHistory();
        assertEquals(FenceEvent.SUCCESS, h.get(h.size() - 1).result(), "history " + h);
    }

    /** d1 on n1 (the DC) and its stop fails there: the engine fences the DC itself. */
    @Test
    void theDcsOwnFencingIsBoundedWhenEveryDeviceFails() throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib(ControllerTest.DUMMY, "d1", "n1"), new PolicyEngineScheduler());
        c.failingFenceDevices.add("fence-n1");
        c.failingFenceDevices.add("pdu");
        c.view("v1", NODES);
        assertTrue(c.running.get("n1").contains("d1"), "d1 starts on n1, the DC; log " + c.log);
        c.failOnce.add("n1 stop d1");
        c.admin("n2", new AdminCommand.Write(new CibEdit.ResourceMeta("d1", "target-role", "Stopped"), false));
        // Before the fix settle() never came to rest: every transition fenced n1 with fence-n1 once more.
        c.settle();
        for (int i = 0; i < 10; i++) {
            c.advance(ControllerConfig.defaults("n1", NODES).fenceRetryMs(), "fence-retry");
        }
        List<String> runs = List.copyOf(c.fenceLog);
        c.advance(10 * ControllerConfig.defaults("n1", NODES).fenceRetryMs(), "fence-retry");
        assertEquals(runs, c.fenceLog, "no more fencing of n1 once the attempts are spent");
        // At most 3 attempts x 2 devices x 2 tries; never run on n1 itself; fence-n1 never more than 2 in a row.
        assertTrue(runs.size() <= 12, "runs: " + runs);
        assertTrue(runs.stream().noneMatch(r -> r.startsWith("n1 ")), "n1 never fences itself: " + runs);
        for (int i = 2; i < runs.size(); i++) {
            assertFalse(runs.get(i).contains("fence-n1") && runs.get(i - 1).contains("fence-n1")
                    && runs.get(i - 2).contains("fence-n1"), "fence-n1 tried again past its retries: " + runs);
        }
        assertFalse(c.running.get("n2").contains("d1") || c.running.get("n3").contains("d1"),
                "d1 may still run on n1 (its stop failed): it must not start elsewhere");
    }

    /**
     * The same with a pdu that has no host list (pcmk_host_check=dynamic-list): the fencer asks it first. Its
     * answer is not the fencing: d2 starts elsewhere only after the pdu fenced n3. Before the fix the answer
     * to the list query completed the engine's fencing action, and d2 started on a survivor while n3 was
     * never fenced (seed 20261617: rsc1 on node1 and node2).
     */
    @Test
    void theEnginesFencingIsDoneOnlyWhenTheTargetIsFencedNotWhenADeviceAnswersAQuery() throws Exception {
        String devices = FencePlannerTest.perNode("n1") + FencePlannerTest.perNode("n2") + FencePlannerTest.perNode("n3")
                + "<primitive id=\"pdu\" class=\"stonith\" type=\"fence_dummy\"/>";
        MiniCluster c = new MiniCluster(NODES, cib(devices, D2, "d2", "n3"), new PolicyEngineScheduler());
        c.failingFenceDevices.add("fence-n3");
        monitorFailsOnN3(c);
        int fencedAt = c.timeline.indexOf("fence n1 pdu n3");
        assertTrue(fencedAt >= 0, "the pdu fenced n3: " + c.timeline + "; log " + c.log);
        List<String> startsElsewhere = c.timeline.stream().filter(e -> e.equals("n1 start d2")
                || e.equals("n2 start d2")).toList();
        assertFalse(startsElsewhere.isEmpty(), "d2 is recovered on a survivor: " + c.timeline);
        int firstStart = c.timeline.indexOf(startsElsewhere.get(0));
        assertTrue(firstStart > fencedAt, "d2 started on a survivor before n3 was fenced: " + c.timeline);
    }

    /**
     * The fencing a DC runs while the members still store the join's CIB (before anything may start) is the
     * policy engine's decision like any other: its input is saved, and replaying it gives the engine's whole
     * transition, the fencing the DC ran included (before, that fencing ran "from no saved input").
     */
    @Test
    void theFencingRunBeforeTheJoinsCibIsEverywhereComesFromASavedInput() throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib(ControllerTest.DUMMY, "d1", "n3"), new PolicyEngineScheduler());
        c.view("v1", NODES);
        assertTrue(c.running.get("n3").contains("d1"), "d1 starts on n3; log " + c.log);
        int savedBefore = c.saved.size();
        // n2 never confirms the join's CIB: the DC may fence n3 (lost) but start nothing yet.
        c.hold(e -> e.from().equals("n2") && e.message() instanceof Message.CibAck);
        c.view("v2", List.of("n1", "n2"));
        assertEquals(1, c.fenceLog.size(), "n3 is fenced before the join's CIB is everywhere; log " + c.log);
        assertTrue(c.fenceLog.get(0).endsWith(" n3"), c.fenceLog.toString());
        assertFalse(c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1"),
                "nothing starts before the join's CIB is everywhere");
        List<Effect.SaveSchedulerInput> fencing = c.saved.subList(savedBefore, c.saved.size()).stream()
                .filter(s -> s.decided().actions().stream().anyMatch(a -> a.isFence() && "n3".equals(a.fenceTarget())))
                .toList();
        assertFalse(fencing.isEmpty(), "no saved input decided n3's fencing; saved " + c.saved.size());
        Effect.SaveSchedulerInput input = fencing.get(0);
        assertTrue(input.replayable(), input.decided().source());
        String replay = org.pulse.policy.PolicyEngine.schedule(input.cib().root(), c.now).canonical();
        assertEquals(input.decided().canonicalActions(), replay.substring(0, replay.indexOf("== placement ==")));
        assertTrue(input.decided().canonicalActions().contains("start"), "the engine's whole decision (recovery"
                + " included) is what is saved: " + input.decided().canonicalActions());
    }

    /**
     * A view change while a device run is in flight (the stranger: crm node fence, the target left the view
     * meanwhile) must not fence the target a second time: the next transition waits for the run sent before,
     * and its result counts. Before, the run was dropped and a new one rebooted the node again 175 ms later.
     */
    @Test
    void aViewChangeDuringADeviceRunDoesNotFenceTheTargetTwice() throws Exception {
        MiniCluster c = new MiniCluster(NODES, cib(ControllerTest.DUMMY, "d1", "n3"), new PolicyEngineScheduler());
        c.view("v1", NODES);
        assertTrue(c.running.get("n3").contains("d1"), "d1 starts on n3; log " + c.log);
        c.hang.add("n1 reboot fence-n3");
        c.hang.add("n2 reboot fence-n3");
        c.view("v2", List.of("n1", "n2"));
        List<OpRequest> runs = fenceRunsAgainst(c, "n3");
        assertEquals(1, runs.size(), "n3's fencing started once; log " + c.log);
        String executor = c.hangs("n1 reboot fence-n3") ? "n1" : "n2";
        // Another view (a member flapped) before the device answers: the transition is abandoned.
        c.view("v3", List.of("n1", "n2"));
        assertEquals(1, fenceRunsAgainst(c, "n3").size(), "a second device run against n3 after the view change; log "
                + c.log);
        assertFalse(c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1"),
                "d1 must not start elsewhere before n3 is fenced");
        c.finishHung(executor + " fence-n3");
        c.settle();
        assertEquals(1, fenceRunsAgainst(c, "n3").size(), "n3 fenced twice; log " + c.log);
        assertEquals(List.of(executor + " fence-n3 n3"), c.fenceLog);
        assertTrue(c.running.get("n1").contains("d1") || c.running.get("n2").contains("d1"),
                "d1 recovers once n3 is fenced; log " + c.log);
        long successes = c.nodes.get("n1").status().fenceHistory().stream()
                .filter(e -> e.target().equals("n3") && e.result().equals(FenceEvent.SUCCESS)).count();
        assertEquals(1, successes, "history " + c.nodes.get("n1").status().fenceHistory());
    }

    /** The device runs (reboot/off) the DCs sent against {@code target}. */
    static List<OpRequest> fenceRunsAgainst(MiniCluster c, String target) {
        return c.asked.stream().filter(r -> r.agent().isStonith() && target.equals(r.params().get("nodename"))
                && (r.action().equals("reboot") || r.action().equals("off"))).toList();
    }
}
