package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pulse.policy.StageCibs.cib;
import static org.pulse.policy.StageCibs.dummy;
import static org.pulse.policy.StageCibs.rsc;
import static org.pulse.policy.StageCibs.started;

import org.junit.jupiter.api.Test;

/** The assignment stage: where each resource goes, by scores, stickiness and utilization. */
class AssignmentTest {
    private static Cluster assign(StageCibs cib) {
        Cluster c = cib.unpack();
        Assignment.run(c, Scoring.run(c));
        return c;
    }

    /** A Dummy that needs this many cpu. */
    private static String needingCpu(String id, int cpu) {
        return dummy(id, "<utilization id=\"" + id + "-u\"><nvpair id=\"" + id + "-cpu\" name=\"cpu\" value=\"" + cpu
                + "\"/></utilization>");
    }

    @Test
    void stickinessAboveThePreferenceKeepsTheResourceWhereItRuns() {
        StageCibs base = cib().node("n1").node("n2").online("n1").online("n2", started("a"))
                .constraints("<rsc_location id=\"pref\" rsc=\"a\" node=\"n1\" score=\"50\"/>");
        Cluster sticky = assign(cib().node("n1").node("n2").online("n1").online("n2", started("a"))
                .constraints("<rsc_location id=\"pref\" rsc=\"a\" node=\"n1\" score=\"50\"/>")
                .rscDefault("resource-stickiness", "100").resources(dummy("a", "")));
        assertEquals("n2", rsc(sticky, "a").assigned.name, "100 to stay beats 50 to move");
        Cluster loose = assign(base.rscDefault("resource-stickiness", "10").resources(dummy("a", "")));
        assertEquals("n1", rsc(loose, "a").assigned.name, "10 to stay loses to 50 to move");
    }

    @Test
    void utilizationPlacesWhereCapacityIsLeftAndNowhereWhenNoneIs() {
        StageCibs cib = cib().option("placement-strategy", "utilization")
                .nodeWithCapacity("n1", "cpu", "2").nodeWithCapacity("n2", "cpu", "2").online("n1").online("n2")
                .resources(needingCpu("a", 2) + needingCpu("b", 2) + needingCpu("c", 1));
        Cluster c = assign(cib);
        assertNotNull(rsc(c, "a").assigned);
        assertNotNull(rsc(c, "b").assigned);
        assertNotEquals(rsc(c, "a").assigned, rsc(c, "b").assigned, "each fills one node");
        assertNull(rsc(c, "c").assigned, "no node has 1 cpu left");
    }

    @Test
    void withoutPlacementStrategyUtilizationIsIgnored() {
        StageCibs cib = cib().nodeWithCapacity("n1", "cpu", "1").online("n1")
                .resources(needingCpu("a", 2) + needingCpu("b", 2));
        Cluster c = assign(cib);
        assertEquals("n1", rsc(c, "a").assigned.name);
        assertEquals("n1", rsc(c, "b").assigned.name);
    }

    @Test
    void balancedStrategySpreadsByFreeCapacity() {
        StageCibs cib = cib().option("placement-strategy", "balanced")
                .nodeWithCapacity("n1", "cpu", "8").nodeWithCapacity("n2", "cpu", "4").online("n1").online("n2")
                .resources(needingCpu("a", 3) + needingCpu("b", 3));
        Cluster c = assign(cib);
        assertEquals("n1", rsc(c, "a").assigned.name, "n1 has the most free capacity");
        assertEquals("n1", rsc(c, "b").assigned.name, "n1 still has 5 free to n2's 4");
    }

    @Test
    void resourceBannedEverywhereStaysUnassignedWithAReason() {
        Cluster c = assign(cib().node("n1").online("n1").resources(dummy("a", ""))
                .constraints("<rsc_location id=\"ban\" rsc=\"a\" node=\"n1\" score=\"-INFINITY\"/>"));
        assertNull(rsc(c, "a").assigned);
        assertNotNull(rsc(c, "a").unassignedReason);
    }
}
