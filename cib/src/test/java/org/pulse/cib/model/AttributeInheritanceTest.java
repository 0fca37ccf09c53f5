package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlParser;

/**
 * A resource's attributes resolve by one rule (crmd's EffectivePrimitive and the policy engine's resources
 * stage both call it): own sets, then what the parent resolved (its rsc_defaults included), then rsc_defaults.
 */
class AttributeInheritanceTest {
    private static final Instant AT = Instant.parse("2026-12-01T12:00:00Z");

    /**
     * rsc_defaults with a rule for ocf resources only (score 10) and a plain set (score 0). The group has no agent,
     * so the rule does not hold for it: it takes the plain set's target-role, and its member inherits that before
     * its own rsc_defaults are read, as Pacemaker's unpacking does (crmd read Stopped here while the engine read
     * Started).
     */
    @Test
    void aParentsRscDefaultsComeBeforeTheMembersOwn() throws Exception {
        CibModel cib = CibModel.from(XmlParser.parse("test", """
                <cib><configuration><crm_config/><nodes/><resources>
                  <group id="g"><primitive id="p" class="ocf" provider="pacemaker" type="Dummy"/></group>
                  <primitive id="alone" class="ocf" provider="pacemaker" type="Dummy"/>
                </resources><constraints/>
                <rsc_defaults>
                  <meta_attributes id="ocf-only" score="10"><rule id="r" score="0"><rsc_expression id="e" class="ocf"/></rule>
                    <nvpair id="ocf-only-tr" name="target-role" value="Stopped"/></meta_attributes>
                  <meta_attributes id="plain" score="0"><nvpair id="plain-tr" name="target-role" value="Started"/>
                    <nvpair id="plain-st" name="resource-stickiness" value="7"/></meta_attributes>
                </rsc_defaults></configuration><status/></cib>"""));
        Map<String, EffectivePrimitive> all = EffectivePrimitive.all(cib, AT);
        assertEquals("Started", all.get("p").meta().get("target-role"), "the group's value, inherited first");
        assertEquals("Stopped", all.get("alone").meta().get("target-role"), "without a parent the ocf rule holds");
        assertEquals("7", all.get("p").meta().get("resource-stickiness"));
    }

    @Test
    void defaultIsNoValueAndTheMembersOwnSetsWin() {
        NvSet own = new NvSet("own", "instance_attributes", 0, null, Map.of("a", "#default", "b", "mine"));
        Map<String, String> params = AttributeInheritance.params(java.util.List.of(own), Map.of("a", "parent's",
                "b", "parent's", "c", "parent's"), RuleContext.at(AT));
        assertEquals(Map.of("a", "parent's", "b", "mine", "c", "parent's"), params);
    }
}
