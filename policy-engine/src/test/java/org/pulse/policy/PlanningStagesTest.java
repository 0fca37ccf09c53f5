package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pulse.policy.TestCibs.node;
import static org.pulse.policy.TestCibs.rsc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Each planning stage on a small hand-built cluster: what the stage returns (its record), and
 * the actions it added to the table, checked where they could come out otherwise. The stages
 * run through {@link PolicyEngine#stages}, so each sees exactly the inputs the schedule gives it.
 */
class PlanningStagesTest {

    /** "op rsc node" (with the interval for a recurring op), sorted: a stable picture of a set of actions. */
    /** The one-shot (interval 0) action op of rsc on node in the run's plan, or null. */
    static Act oneShot(PolicyEngine.Stages s, String op, String rsc, String node) {
        for (Act a : s.plan().acts()) {
            if (a.op.equals(op) && a.rsc != null && a.rsc.id.equals(rsc) && a.node != null && a.node.name.equals(node)
                    && a.intervalMs == 0) {
                return a;
            }
        }
        return null;
    }

    static Set<String> described(Collection<Act> acts) {
        Set<String> out = new TreeSet<>();
        for (Act a : acts) {
            out.add(describe(a));
        }
        return out;
    }

    static String describe(Act a) {
        return a.op + (a.rsc == null ? "" : " " + a.rsc.id) + (a.node == null ? "" : " " + a.node.name)
                + (a.intervalMs > 0 ? " " + a.intervalMs : "");
    }

    /** Every runnable action of the plan but probes, described. */
    static Set<String> runnable(PolicyEngine.Stages s) {
        List<Act> out = new ArrayList<>();
        for (Act a : s.plan().acts()) {
            boolean probe = "monitor".equals(a.op) && a.intervalMs == 0;
            if (a.runnable && !probe) {
                out.add(a);
            }
        }
        return described(out);
    }

    @Nested
    class FencingStage {
        private TestCibs lostNodeWithA() {
            return TestCibs.cluster().option("stonith-enabled", "true")
                    .node("n1").lostNode("n2").fenceDevice("fence").primitive("A")
                    .running("fence", "n1").running("A", "n2").notRunning("A", "n1");
        }

        @Test
        void anUncleanNodeRunningAManagedResourceIsFencedAndItsStopIsImplied() {
            PolicyEngine.Stages s = lostNodeWithA().schedule();
            SNode n2 = node(s, "n2");
            assertEquals(Set.of(n2), s.fencing().fencing().keySet());
            Act fence = s.fencing().fencing().get(n2);
            assertEquals("stonith-n2-reboot", fence.key());
            Act stop = s.plan().find(rsc(s, "A"), "stop", n2);
            assertTrue(stop.pseudo, "the fencing stops A on n2: a pseudo stop");
            assertTrue(stop.inputs.contains(fence), "the implied stop waits for the fencing");
            assertTrue(s.plan().find(rsc(s, "A"), "start", node(s, "n1")).inputs.contains(fence),
                    "A starts on n1 only once n2 is fenced");
        }

        @Test
        void withNothingManagedTheUncleanNodeIsNotFenced() {
            PolicyEngine.Stages s = lostNodeWithA().option("maintenance-mode", "true").schedule();
            assertTrue(s.fencing().fencing().isEmpty(), "nothing to recover: " + s.fencing().fencing());
            assertTrue(s.fencing().unfence().isEmpty());
        }

        @Test
        void aNodeShuttingDownStopsItsResourcesFirst() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").primitive("A")
                    .running("A", "n1").notRunning("A", "n2").transientAttribute("n1", "shutdown", "1700000000").schedule();
            SNode n1 = node(s, "n1");
            assertEquals(Set.of(n1), s.shutdowns().keySet());
            Act shutdown = s.shutdowns().get(n1);
            Act stop = s.plan().find(rsc(s, "A"), "stop", n1);
            assertNotNull(stop);
            assertTrue(shutdown.runnable);
            assertTrue(shutdown.inputs.contains(stop), "do_shutdown after A's stop: " + shutdown.inputs);
        }
    }

    @Nested
    class ProbesAndResourceActions {
        @Test
        void aResourceMovedByALocationStopsStartsAndIsProbedWhereUnknown() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").node("n3").primitive("A")
                    .running("A", "n1").notRunning("A", "n2").location("A-on-n2", "A", "n2", "INFINITY").schedule();
            assertEquals(Set.of("monitor A n2 10000", "start A n2", "stop A n1"), runnable(s));
            Rsc a = rsc(s, "A");
            // the history covers n1 and n2: only n3 is probed
            assertEquals(Set.of("monitor A n3"), described(s.resourceActions().probes().get(a)));
            assertTrue(s.probing().reprobe().isEmpty());
            assertTrue(s.resourceActions().redefined().isEmpty());
        }

        @Test
        void whatStaysWithTheSameDefinitionGetsNothing() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").primitive("A")
                    .running("A", "n1").notRunning("A", "n2").schedule();
            assertEquals(Set.of(), runnable(s), "A runs on n1 as configured, its monitor with it");
            assertTrue(s.resourceActions().probes().isEmpty());
        }

        @Test
        void aNodeWhoseProbesAreIncompleteIsProbedAsAWhole() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").primitive("A")
                    .running("A", "n1").transientAttribute("n2", "probe_complete", "false").schedule();
            SNode n2 = node(s, "n2");
            assertEquals(Set.of(n2), s.probing().reprobe());
            assertNotNull(s.plan().find(null, "probe_again", n2));
            assertNull(s.resourceActions().probes().get(rsc(s, "A")), "no per-resource probe where probe_again runs");
        }
    }

    @Nested
    class MonitorsStage {
        @Test
        void stoppedRoleMonitorsWatchEveryNodeButTheOneItRunsOn() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").node("n3").primitiveWatchedWhereStopped("A")
                    .location("A-on-n1", "A", "n1", "100").schedule();
            assertEquals(Set.of("monitor A n2 20000", "monitor A n3 20000"), described(s.stoppedMonitors()));
            for (Act m : s.stoppedMonitors()) {
                assertEquals("Stopped", m.extra.get("CRM_meta_role"));
                assertTrue(m.inputs.containsAll(s.resourceActions().probes().get(rsc(s, "A")).stream()
                        .filter(p -> p.node == m.node).toList()), "it waits for the probe on its node");
            }
            assertTrue(s.reconnectMonitors().isEmpty(), "no remote nodes here");
        }
    }

    @Nested
    class OrderGraphStage {
        @Test
        void groupsAndOrderConstraintsBecomeEdges() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").group("G", "G1", "G2", "G3").primitive("A")
                    .order("A-then-G", "A", "G").schedule();
            List<String> edges = new ArrayList<>();
            for (OrderGraph.Edge e : s.orders().edges()) {
                edges.add(e.first().id + ">" + e.then().id + (e.mandatory() ? " mandatory" : "")
                        + (e.symmetrical() ? " symmetrical" : ""));
            }
            assertEquals(List.of("G1>G2 mandatory symmetrical", "G2>G3 mandatory symmetrical",
                    "A>G mandatory symmetrical"), edges);
            assertEquals(1, s.orders().byThen(rsc(s, "G")).size());
            assertEquals(List.of(), s.orders().byFirst(rsc(s, "G3")));
        }
    }

    @Nested
    class RestartsAndOrderings {
        private TestCibs aThenBOnN1() {
            return TestCibs.cluster().node("n1").node("n2").primitive("A").primitive("B")
                    .running("A", "n1").notRunning("A", "n2").running("B", "n1").notRunning("B", "n2")
                    .location("A-prefers-n1", "A", "n1", "100").location("B-prefers-n1", "B", "n1", "100")
                    .order("A-then-B", "A", "B");
        }

        @Test
        void whatIsOrderedAfterAMovingResourceRestarts() {
            PolicyEngine.Stages s = aThenBOnN1().location("A-on-n2", "A", "n2", "INFINITY").schedule();
            assertEquals(Set.of(rsc(s, "B")), s.restarts().restarted());
            assertEquals(Set.of("monitor A n2 10000", "start A n2", "stop A n1",
                    "monitor B n1 10000", "start B n1", "stop B n1"), runnable(s));
        }

        @Test
        void stopBeforeStartAcrossAMoveAndTheOrderBothWays() {
            PolicyEngine.Stages s = aThenBOnN1().location("A-on-n2", "A", "n2", "INFINITY").schedule();
            Rsc a = rsc(s, "A");
            Rsc b = rsc(s, "B");
            SNode n1 = node(s, "n1");
            SNode n2 = node(s, "n2");
            Act stopA = s.plan().find(a, "stop", n1);
            Act startA = s.plan().find(a, "start", n2);
            Act stopB = s.plan().find(b, "stop", n1);
            Act startB = s.plan().find(b, "start", n1);
            assertTrue(startA.inputs.contains(stopA), "A stops on n1 before it starts on n2");
            assertTrue(startB.inputs.contains(stopB), "B's restart: stop, then start");
            assertTrue(startB.inputs.contains(startA), "A then B: B starts after A");
            assertTrue(stopA.inputs.contains(stopB), "symmetrical: B stops before A");
            assertFalse(startA.inputs.contains(startB));
            assertTrue(s.plan().find(a, "monitor", n2, 10_000).inputs.contains(startA), "the monitor after the start");
        }

        @Test
        void withoutAMoveNothingRestarts() {
            PolicyEngine.Stages s = aThenBOnN1().schedule();
            assertTrue(s.restarts().restarted().isEmpty());
            assertEquals(Set.of(), runnable(s));
        }
    }

    @Nested
    class RunnabilityStage {
        @Test
        void aStartAfterSomethingThatWillNotRunCannotRun() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").primitive("A", "target-role", "Stopped").primitive("B")
                    .notRunning("A", "n1").notRunning("B", "n1").order("A-then-B", "A", "B").schedule();
            Act startB = s.plan().find(rsc(s, "B"), "start", node(s, "n1"));
            assertNotNull(startB, "B is assigned n1, with a start the runnability stage judges");
            assertFalse(startB.runnable, "B starts after A, which will not run");
            assertTrue(startB.unrunnableReason.contains("A"), startB.unrunnableReason);
            assertEquals(Set.of(), runnable(s), "neither starts");
            assertTrue(s.runnability().neverReady().isEmpty());
        }

        @Test
        void withoutQuorumNothingStarts() {
            PolicyEngine.Stages s = TestCibs.cluster().option("no-quorum-policy", "stop").node("n1").node("n2")
                    .primitive("A").notRunning("A", "n1").notRunning("A", "n2").withoutQuorum().schedule();
            Act start = s.plan().find(rsc(s, "A"), "start", s.alloc().node(rsc(s, "A")));
            assertNotNull(start, "assigned, with a start the runnability stage judges");
            assertFalse(start.runnable);
            assertTrue(start.unrunnableReason.contains("no quorum"), start.unrunnableReason);
            assertEquals(Set.of(), runnable(s));
        }
    }

    @Nested
    class MigrationsStage {
        private TestCibs aOnN1PreferringN2(String... meta) {
            return TestCibs.cluster().node("n1").node("n2").primitive("A", meta)
                    .running("A", "n1").notRunning("A", "n2").location("A-on-n2", "A", "n2", "INFINITY");
        }

        @Test
        void allowMigrateMovesLive() {
            PolicyEngine.Stages s = aOnN1PreferringN2("allow-migrate", "true").schedule();
            Rsc a = rsc(s, "A");
            assertEquals(Set.of(a), s.migrating());
            assertEquals(Set.of("migrate_from A n2", "migrate_to A n1"), described(s.migrations()));
            Act from = s.plan().find(a, "migrate_from", node(s, "n2"));
            Act to = s.plan().find(a, "migrate_to", node(s, "n1"));
            assertEquals("n2", to.extra.get("CRM_meta_migrate_target"));
            assertTrue(from.inputs.contains(to), "migrate_from after migrate_to");
            assertTrue(s.plan().find(a, "stop", node(s, "n1")).inputs.contains(from), "the source stops after migrate_from");
            assertTrue(s.plan().find(a, "start", node(s, "n2")).pseudo, "the migration did the start");
        }

        @Test
        void withoutAllowMigrateItStopsAndStarts() {
            PolicyEngine.Stages s = aOnN1PreferringN2().schedule();
            assertTrue(s.migrating().isEmpty());
            assertTrue(s.migrations().isEmpty());
            assertFalse(s.plan().find(rsc(s, "A"), "start", node(s, "n2")).pseudo);
        }
    }

    @Nested
    class NotificationsStage {
        @Test
        void aCloneStartIsAnnouncedBeforeAndAfter() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2")
                    .clone("C", "D", "notify", "true", "clone-max", "2")
                    .running("D", "n1").notRunning("D", "n2").schedule();
            Set<String> notes = new TreeSet<>();
            for (Act n : s.notifications()) {
                notes.add(n.extra.get("CRM_meta_notify_type") + "-" + n.extra.get("CRM_meta_notify_operation") + " "
                        + n.node.name);
            }
            assertEquals(Set.of("pre-start n1", "post-start n1", "post-start n2"), notes);
            Act start = null;
            for (Act a : s.plan().acts()) {
                if ("start".equals(a.op)) {
                    assertNull(start, "one start");
                    start = a;
                }
            }
            assertNotNull(start);
            assertEquals("n2", start.node.name);
            // each notification is ordered around its own instance's action (the instance starting on n2)
            Act postOnN2 = null;
            for (Act n : s.notifications()) {
                if (n.rsc == start.rsc) {
                    assertNull(postOnN2);
                    postOnN2 = n;
                }
            }
            assertNotNull(postOnN2);
            assertEquals("post", postOnN2.extra.get("CRM_meta_notify_type"));
            assertTrue(postOnN2.inputs.contains(start), "the post-notification waits for the start");
        }

        @Test
        void withoutNotifyNothingIsAnnounced() {
            PolicyEngine.Stages s = TestCibs.cluster().node("n1").node("n2").clone("C", "D", "clone-max", "2")
                    .running("D", "n1").notRunning("D", "n2").schedule();
            assertTrue(s.notifications().isEmpty());
        }
    }
}
