package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pulse.policy.TestCibs.cluster;
import static org.pulse.policy.TestCibs.dummy;
import static org.pulse.policy.TestCibs.rsc;

import org.junit.jupiter.api.Test;

/** The assignment stage: where each resource goes, by scores, stickiness and utilization. */
class AssignmentTest {
    /** The cluster and what assignment (and promotion) decided for it. */
    private record Assigned(Cluster cluster, Allocation alloc) {
        SNode node(String id) {
            return alloc.node(rsc(cluster, id));
        }
    }

    private static Assigned assign(TestCibs cib) {
        Cluster c = cib.unpack();
        Scoring s = Scoring.run(c);
        return new Assigned(c, Promotion.run(c, s, Assignment.run(c, s)));
    }

    /** A Dummy that needs this many cpu. */
    private static String needingCpu(String id, int cpu) {
        return dummy(id, "<utilization id=\"" + id + "-u\"><nvpair id=\"" + id + "-cpu\" name=\"cpu\" value=\"" + cpu
                + "\"/></utilization>");
    }

    /** a runs on n2 and prefers n1 at 50. */
    private static TestCibs aOnN2PreferringN1() {
        return cluster().node("n1").node("n2").primitive("a").started("a", "n2").location("pref", "a", "n1", "50");
    }

    @Test
    void stickinessAboveThePreferenceKeepsTheResourceWhereItRuns() {
        Assigned sticky = assign(aOnN2PreferringN1().rscDefault("resource-stickiness", "100"));
        assertEquals("n2", sticky.node("a").name, "100 to stay beats 50 to move");
        Assigned loose = assign(aOnN2PreferringN1().rscDefault("resource-stickiness", "10"));
        assertEquals("n1", loose.node("a").name, "10 to stay loses to 50 to move");
    }

    @Test
    void utilizationPlacesWhereCapacityIsLeftAndNowhereWhenNoneIs() {
        TestCibs cib = cluster().option("placement-strategy", "utilization")
                .nodeWithCapacity("n1", "cpu", "2").nodeWithCapacity("n2", "cpu", "2")
                .resources(needingCpu("a", 2) + needingCpu("b", 2) + needingCpu("c", 1));
        Assigned c = assign(cib);
        assertNotNull(c.node("a"));
        assertNotNull(c.node("b"));
        assertNotEquals(c.node("a"), c.node("b"), "each fills one node");
        assertNull(c.node("c"), "no node has 1 cpu left");
    }

    @Test
    void withoutPlacementStrategyUtilizationIsIgnored() {
        TestCibs cib = cluster().nodeWithCapacity("n1", "cpu", "1")
                .resources(needingCpu("a", 2) + needingCpu("b", 2));
        Assigned c = assign(cib);
        assertEquals("n1", c.node("a").name);
        assertEquals("n1", c.node("b").name);
    }

    @Test
    void balancedStrategySpreadsByFreeCapacity() {
        TestCibs cib = cluster().option("placement-strategy", "balanced")
                .nodeWithCapacity("n1", "cpu", "8").nodeWithCapacity("n2", "cpu", "4")
                .resources(needingCpu("a", 3) + needingCpu("b", 3));
        Assigned c = assign(cib);
        assertEquals("n1", c.node("a").name, "n1 has the most free capacity");
        assertEquals("n1", c.node("b").name, "n1 still has 5 free to n2's 4");
    }

    @Test
    void resourceBannedEverywhereStaysUnassignedWithAReason() {
        Assigned c = assign(cluster().node("n1").primitive("a").location("ban", "a", "n1", "-INFINITY"));
        assertNull(c.node("a"));
        assertNotNull(c.alloc().unassignedReason(rsc(c.cluster(), "a")));
    }
}
