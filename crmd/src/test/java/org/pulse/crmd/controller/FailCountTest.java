package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** crm resource failcount RSC set NODE VALUE: the transient attribute the policy engine reads. */
class FailCountTest {
    static Map<String, String> attrs(Controller c, String node) {
        return Cibs.transientAttributes(Cibs.nodeState(c.cib().root(), node).orElseThrow());
    }

    static AdminResult write(MiniCluster c, String node, CibEdit edit) {
        long id = c.admin(node, new AdminCommand.Write(edit, false));
        c.settle();
        return c.replies.get(id);
    }

    @Test
    void anInfiniteFailCountMovesTheResourceAwayAndZeroClearsIt() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"),
                ControllerTest.cib(ControllerTest.DUMMY + ControllerTest.FENCE, ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        String holder = c.running.entrySet().stream().filter(e -> e.getValue().contains("d1")).findFirst()
                .orElseThrow().getKey();
        AdminResult r = write(c, "b", new CibEdit.FailCount("d1", holder, "INFINITY"));
        assertTrue(r.ok(), r.message());
        for (Controller n : c.nodes.values()) {
            // The DC stamps its feature set (3.16.1): fail counts are kept per operation, as the engine reads them.
            assertEquals("INFINITY", attrs(n, holder).get("fail-count-d1#start_0"), n.nodeName() + " lacks the fail count");
        }
        assertFalse(c.running.get(holder).contains("d1"), "the policy engine did not read the fail count: d1 stayed");
        assertEquals(1, c.running.values().stream().filter(s -> s.contains("d1")).count());

        r = write(c, "a", new CibEdit.FailCount("d1", holder, "0"));
        assertTrue(r.ok(), r.message());
        assertNull(attrs(c.nodes.get("c"), holder).get("fail-count-d1#start_0"), "0 must clear the fail count");
    }

    @Test
    void settingReplacesPerOperationCountsAndCleanupRemovesThePlainOne() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"),
                ControllerTest.cib(ControllerTest.DUMMY + ControllerTest.FENCE, ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        assertTrue(write(c, "a", new CibEdit.NodeAttribute("b", "fail-count-d1#monitor_10000", "2", true)).ok());
        assertTrue(write(c, "a", new CibEdit.FailCount("d1", "b", "3")).ok());
        Map<String, String> b = attrs(c.nodes.get("a"), "b");
        assertEquals("3", b.get("fail-count-d1#start_0"));
        assertNull(b.get("fail-count-d1#monitor_10000"), "the policy engine would add 2 to the 3 set: " + b);
        assertTrue(write(c, "a", new CibEdit.Cleanup("d1", "b")).ok());
        assertNull(attrs(c.nodes.get("a"), "b").get("fail-count-d1#start_0"), "failcount-delete left the fail count");
    }

    @Test
    void badCountsNodesAndResourcesAreRefusedByName() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"),
                ControllerTest.cib(ControllerTest.DUMMY + ControllerTest.FENCE, ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        AdminResult r = write(c, "a", new CibEdit.FailCount("d1", "b", "lots"));
        assertEquals(AdminResult.INVALID, r.code());
        assertTrue(r.message().contains("'lots'") && r.message().contains("INFINITY"), r.message());
        r = write(c, "a", new CibEdit.FailCount("ghost", "b", "1"));
        assertTrue(r.message().contains("'ghost'"), r.message());
        r = write(c, "a", new CibEdit.FailCount("d1", "zz", "1"));
        assertTrue(r.message().contains("'zz'"), r.message());
    }
}
