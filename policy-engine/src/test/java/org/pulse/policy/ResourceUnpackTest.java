package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pulse.policy.TestCibs.cluster;
import static org.pulse.policy.TestCibs.dummy;
import static org.pulse.policy.TestCibs.rsc;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The resources stage on small hand-built clusters. */
class ResourceUnpackTest {
    @Test
    void templateAndIdRefAreExpanded() {
        Cluster c = cluster().node("n1").resources(
                "<template id=\"tpl\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\">"
                + "<operations><op id=\"tpl-mon\" name=\"monitor\" interval=\"30s\" timeout=\"20s\"/></operations>"
                + "<meta_attributes id=\"tpl-meta\"><nvpair id=\"tpl-ms\" name=\"migration-threshold\" value=\"3\"/></meta_attributes>"
                + "</template>"
                + dummy("a", "<meta_attributes id=\"shared\"><nvpair id=\"sh-st\" name=\"resource-stickiness\" value=\"77\"/></meta_attributes>")
                + "<primitive id=\"vip\" template=\"tpl\">"
                + "<instance_attributes id=\"vip-ia\"><nvpair id=\"vip-ip\" name=\"ip\" value=\"192.0.2.10\"/></instance_attributes>"
                + "<meta_attributes id-ref=\"shared\"/></primitive>").unpack();
        Rsc vip = rsc(c, "vip");
        assertEquals("ocf", vip.prim.cls());
        assertEquals("heartbeat", vip.prim.provider());
        assertEquals("IPaddr2", vip.prim.type(), "class, provider and type come from the template");
        assertEquals(List.of("monitor"), vip.ops.stream().map(o -> o.name()).toList());
        assertEquals(30_000L, vip.ops.get(0).intervalMs());
        assertEquals(3, vip.migrationThreshold, "the template's meta attributes");
        assertEquals(77, vip.stickiness, "the meta attributes named by id-ref");
        assertEquals("192.0.2.10", vip.params.get("ip"));
        assertEquals(77, rsc(c, "a").stickiness, "the referenced set still serves its owner");
    }

    @Test
    void metaAttributeRuleByDateAppliesOnlyInItsWindow() {
        // two sets: one whose date range holds NOW (2026-01-01) says Stopped, one already past sets stickiness
        String current = "<meta_attributes id=\"now\" score=\"2\"><rule id=\"rn\" score=\"0\"><date_expression id=\"dn\""
                + " operation=\"in_range\" start=\"2025-01-01\" end=\"2027-01-01\"/></rule>"
                + "<nvpair id=\"tr-now\" name=\"target-role\" value=\"Stopped\"/></meta_attributes>";
        String past = "<meta_attributes id=\"past\" score=\"1\"><rule id=\"rp\" score=\"0\"><date_expression id=\"dp\""
                + " operation=\"lt\" end=\"2020-01-01\"/></rule>"
                + "<nvpair id=\"st-past\" name=\"resource-stickiness\" value=\"500\"/></meta_attributes>";
        Cluster c = cluster().node("n1").resources(dummy("a", current + past)).unpack();
        assertEquals(Role.STOPPED, rsc(c, "a").targetRole, "the set whose date range holds now applies");
        assertEquals(0, rsc(c, "a").stickiness, "a set whose date is past does not");
    }

    @Test
    void instanceAttributeRuleByDatePicksTheSetInEffect() {
        String later = "<instance_attributes id=\"later\" score=\"10\"><rule id=\"rl\" score=\"0\"><date_expression id=\"dl\""
                + " operation=\"gt\" start=\"2030-01-01\"/></rule><nvpair id=\"p-later\" name=\"mode\" value=\"future\"/>"
                + "</instance_attributes>";
        String always = "<instance_attributes id=\"always\" score=\"1\"><nvpair id=\"p-always\" name=\"mode\" value=\"plain\"/>"
                + "</instance_attributes>";
        Cluster c = cluster().node("n1").resources(dummy("a", later + always)).unpack();
        assertEquals("plain", rsc(c, "a").params.get("mode"));
    }

    @Test
    void groupAndCloneMembersInheritMetaAndCloneMaxDefaultsToNodeCount() {
        Cluster c = cluster().node("n1").node("n2").node("n3")
                .resources("<clone id=\"cl\"><meta_attributes id=\"cl-m\"><nvpair id=\"cl-im\" name=\"is-managed\" value=\"false\"/>"
                        + "</meta_attributes><group id=\"g\">" + dummy("a", "") + dummy("b", "") + "</group></clone>")
                .unpack();
        Rsc clone = rsc(c, "cl");
        assertEquals(3, clone.cloneMax);
        assertEquals(3, clone.children.size());
        Rsc b1 = rsc(c, "b:1");
        assertEquals("g:1", b1.parent.id);
        assertFalse(b1.managed, "is-managed=false inherited from the clone");
        assertEquals(1, b1.stickiness, "members of a clone stick at 1 by default");
    }

    @Test
    void rscDefaultsApplyUnderOwnMeta() {
        Cluster c = cluster().node("n1").rscDefault("resource-stickiness", "40")
                .primitive("a").resources(dummy("b", "<meta_attributes id=\"bm\"><nvpair id=\"bs\""
                        + " name=\"resource-stickiness\" value=\"5\"/></meta_attributes>")).unpack();
        assertEquals(40, rsc(c, "a").stickiness);
        assertEquals(5, rsc(c, "b").stickiness);
    }

    @Test
    void requiresDefaultsToFencingOnlyWhenFencingIsOn() {
        Cluster off = cluster().node("n1").primitive("a").unpack();
        assertFalse(rsc(off, "a").requiresFencing);
        Cluster on = cluster().option("stonith-enabled", "true").node("n1").primitive("a")
                .resources("<primitive id=\"fd\" class=\"stonith\" type=\"fence_dummy\"/>").unpack();
        assertTrue(rsc(on, "a").requiresFencing);
        assertFalse(rsc(on, "fd").requiresFencing, "a fence device needs only quorum");
        assertTrue(on.hasFenceDevice());
        assertFalse(off.hasFenceDevice());
        assertNull(rsc(on, "a").parent);
    }
}
