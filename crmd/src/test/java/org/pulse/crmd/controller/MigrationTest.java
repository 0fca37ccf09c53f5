package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;

/**
 * A move of a resource with allow-migrate=true runs as live migration end to end: migrate_to on
 * the source and migrate_from on the target, each told both nodes (CRM_meta_migrate_source/
 * target), then the source's stop; the status records it so that the next transition sees the
 * resource on the target and neither restarts nor moves it again.
 */
class MigrationTest {
    static final String MIGRATABLE = "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
            + "<meta_attributes id=\"d1-meta\"><nvpair id=\"d1-am\" name=\"allow-migrate\" value=\"true\"/>"
            + "</meta_attributes><operations><op id=\"d1-mon\" name=\"monitor\" interval=\"10s\" timeout=\"20s\"/>"
            + "</operations></primitive>";

    static AdminCommand.Write prefer(String rsc, String node) {
        return new AdminCommand.Write(new CibEdit.Constraint("cli-prefer-" + rsc, "<rsc_location id=\"cli-prefer-"
                + rsc + "\" rsc=\"" + rsc + "\" role=\"Started\" node=\"" + node + "\" score=\"INFINITY\"/>"), false);
    }

    static String holder(MiniCluster c, String rsc) {
        return c.running.entrySet().stream().filter(e -> e.getValue().contains(rsc)).map(e -> e.getKey())
                .reduce((x, y) -> x + "," + y).orElse("");
    }

    @Test
    void aMoveMigratesMakeBeforeBreakAndTheNextTransitionLeavesItOnTheTarget() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(MIGRATABLE + ControllerTest.FENCE, ""),
                new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        String from = holder(c, "d1");
        assertEquals(1, from.length(), "d1 runs on one node: " + from + "; log " + c.log);
        String to = from.equals("b") ? "c" : "b";
        c.executed.clear();
        c.requests.clear();

        long id = c.admin("a", prefer("d1", to));
        c.settle();
        assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
        List<String> oneShots = c.executed.stream().filter(s -> !s.contains(" monitor ")).toList();
        assertEquals(List.of(from + " migrate_to d1", to + " migrate_from d1", from + " stop d1"), oneShots,
                "live migration, not stop + start; log " + c.log);
        for (OpRequest r : c.requests) {
            if (r.action().startsWith("migrate_")) {
                assertEquals(from, r.params().get("CRM_meta_migrate_source"), r.action() + " " + r.params());
                assertEquals(to, r.params().get("CRM_meta_migrate_target"), r.action() + " " + r.params());
            }
        }
        assertTrue(c.executed.contains(to + " monitor d1"), "the recurring monitor runs on the target: " + c.executed);
        assertEquals(to, holder(c, "d1"));

        // The status the DC wrote: source stopped, target migrated in, with both node names kept.
        Cib cib = c.nodes.get("a").cib();
        XmlElement targetLast = lastOp(cib, to, "d1").orElseThrow();
        assertEquals("migrate_from", targetLast.attr("operation"));
        assertEquals(from, targetLast.attr("migrate_source"));
        assertEquals(to, targetLast.attr("migrate_target"));
        assertEquals("stop", lastOp(cib, from, "d1").orElseThrow().attr("operation"));
        assertEquals(List.of(to), List.copyOf(Cibs.possiblyActive(cib).get("d1")));

        // Nothing more to do: a new transition (an unrelated change) neither restarts nor moves it.
        c.executed.clear();
        long id2 = c.admin("b", new AdminCommand.Write(new CibEdit.ClusterProperty("x", "1"), false));
        c.settle();
        assertTrue(c.replies.get(id2).ok());
        assertFalse(c.executed.stream().anyMatch(s -> !s.contains(" monitor ")),
                "the next transition touched d1 again: " + c.executed);
        assertEquals(to, holder(c, "d1"));
        // And a member's own history, which a new DC collects at join, says the same.
        c.view("v2", List.of("a", "b", "c"));
        assertFalse(c.executed.stream().anyMatch(s -> !s.contains(" monitor ")),
                "a new join restarted or moved d1: " + c.executed);
        assertEquals(to, holder(c, "d1"));
        assertEquals(from, lastOp(c.nodes.get("a").cib(), to, "d1").orElseThrow().attr("migrate_source"));
    }

    @Test
    void aFailedMigrateFromEndsWithTheResourceOnExactlyOneNode() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), ControllerTest.cib(MIGRATABLE + ControllerTest.FENCE, ""),
                new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        String from = holder(c, "d1");
        String to = from.equals("b") ? "c" : "b";
        c.failOnce.add(to + " migrate_from d1");
        c.executed.clear();
        long id = c.admin("a", prefer("d1", to));
        c.settle();
        assertTrue(c.replies.get(id).ok(), c.replies.get(id).message());
        assertTrue(c.executed.contains(to + " migrate_from d1"), c.executed.toString());
        // Pacemaker's recovery: a failed migrate_from leaves the resource possibly on both nodes,
        // so both are stopped and it starts once, wherever placement puts it now.
        String end = holder(c, "d1");
        assertEquals(1, end.length(), "d1 must end on exactly one node, is on [" + end + "]; ran " + c.executed
                + "; log " + c.log);
        assertEquals(List.of(end), List.copyOf(Cibs.possiblyActive(c.nodes.get("a").cib()).get("d1")),
                "the status agrees with where d1 runs");
        assertTrue(c.fenceRequests.isEmpty(), "a failed migrate_from is no reason to fence: " + c.fenceRequests);
    }

    static Optional<XmlElement> lastOp(Cib cib, String node, String rsc) {
        return Cibs.nodeState(cib.root(), node).flatMap(ns -> Cibs.lrmResources(ns).stream()
                .filter(r -> rsc.equals(r.id())).findFirst()).flatMap(r -> LrmOps.op(r, rsc + "_last_0"));
    }
}
