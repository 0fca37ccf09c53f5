package org.pulse.tests.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.lab.fuzz.CibGenerator;
import org.pulse.lab.fuzz.FuzzCase;

/** The fuzzer's generator alone (no Pacemaker needed): seeded, well-formed, and covering the features it reports. */
class CibGeneratorTest {
    @Test
    void aSeedGivesTheSameCaseAndSeedsDiffer() {
        long seed = Long.getLong("fuzz.seed", 42L);
        System.out.println("CibGeneratorTest: seed " + seed);
        assertEquals(CibGenerator.generate(seed), CibGenerator.generate(seed));
        assertNotEquals(CibGenerator.generate(seed).cibBefore(), CibGenerator.generate(seed + 1).cibBefore());
    }

    @Test
    void casesParseAndTogetherCoverWhatOperatorsWrite() throws Exception {
        Set<String> seen = new HashSet<>();
        for (long s = 0; s < 400; s++) {
            FuzzCase c = CibGenerator.generate(s);
            XmlElement before = XmlParser.parse("seed " + s, c.cibBefore());
            XmlElement after = XmlParser.parse("seed " + s + " after", c.configAfter());
            assertEquals("cib", before.name());
            assertEquals(String.valueOf(CibGenerator.EXECUTION_DATE), before.attr("execution-date"));
            assertEquals("configuration", after.name());
            assertTrue(c.cibBefore().contains("name=\"stonith-enabled\""), "crm_simulate needs stonith-enabled said");
            seen.addAll(c.features());
        }
        for (String f : new String[] {"primitive", "group", "clone", "promotable", "colocation", "order", "sets", "location",
                "rule-attr", "rule-date", "utilization", "allow-migrate", "failure", "migration-threshold", "failure-timeout",
                "on-fail", "target-role", "unmanaged", "maintenance", "standby", "fencing", "node-fail", "no-quorum", "ticket"}) {
            assertTrue(seen.contains(f), "no case with " + f + " in 400 seeds: " + seen);
        }
    }

    @Test
    void extendedShapesLieOverTheSameBaseCaseAndCoverWhatBaseNeverMakes() throws Exception {
        Set<String> seen = new HashSet<>();
        for (long s = 0; s < 400; s++) {
            FuzzCase base = CibGenerator.generate(s);
            FuzzCase ext = CibGenerator.generate(s, CibGenerator.Shapes.EXTENDED);
            XmlParser.parse("seed " + s + " extended", ext.cibBefore());
            XmlParser.parse("seed " + s + " extended after", ext.configAfter());
            // the base dice are not moved: the same events, and every base feature still there
            assertEquals(base.eventSeed(), ext.eventSeed(), "seed " + s);
            assertEquals(base.nodeEvents(), ext.nodeEvents(), "seed " + s);
            assertTrue(ext.features().containsAll(base.features()), "seed " + s);
            seen.addAll(ext.features());
        }
        for (String f : new String[] {"template", "template-constraint", "clone-node-max", "promoted-node-max", "priority",
                "op-defaults", "rule-bool", "colocation-node-attribute", "order-actions", "sets-require-all", "sets-role",
                "resource-discovery", "rsc-pattern", "remote"}) {
            assertTrue(seen.contains(f), "no extended case with " + f + " in 400 seeds: " + seen);
        }
    }

    @Test
    void chainsShapeAddsOnlyItsColocationChainToTheExtendedCase() throws Exception {
        int chained = 0;
        for (long s = 0; s < 200; s++) {
            FuzzCase ext = CibGenerator.generate(s, CibGenerator.Shapes.EXTENDED);
            FuzzCase chains = CibGenerator.generate(s, CibGenerator.Shapes.CHAINS);
            XmlParser.parse("seed " + s + " chains", chains.cibBefore());
            assertEquals(ext.eventSeed(), chains.eventSeed(), "seed " + s);
            boolean has = chains.features().contains("colocation-chain");
            // without the chain the case is the EXTENDED one, byte for byte; with it, only chain-* items are added
            String stripped = chains.cibBefore().replaceAll("<rsc_(colocation|location) id=\"chain-[^>]*/>", "");
            assertEquals(ext.cibBefore(), stripped, "seed " + s);
            assertEquals(has, !stripped.equals(chains.cibBefore()), "seed " + s);
            chained += has ? 1 : 0;
        }
        assertTrue(chained > 40, "only " + chained + " of 200 CHAINS cases have a colocation chain");
    }

    @Test
    void cloneShapesLieOverTheSameExtendedCase() throws Exception {
        Set<String> seen = new HashSet<>();
        for (long s = 0; s < 200; s++) {
            FuzzCase ext = CibGenerator.generate(s, CibGenerator.Shapes.EXTENDED);
            FuzzCase clones = CibGenerator.generate(s, CibGenerator.Shapes.CLONES);
            XmlParser.parse("seed " + s + " clones", clones.cibBefore());
            XmlParser.parse("seed " + s + " clones after", clones.configAfter());
            // the base and extended dice are not moved: the same events, every extended feature still there
            assertEquals(ext.eventSeed(), clones.eventSeed(), "seed " + s);
            assertEquals(ext.nodeEvents(), clones.nodeEvents(), "seed " + s);
            assertTrue(clones.features().containsAll(ext.features()), "seed " + s);
            seen.addAll(clones.features());
        }
        for (String f : new String[] {"clone-order", "clone-dependent"}) {
            assertTrue(seen.contains(f), "no clones case with " + f + " in 200 seeds: " + seen);
        }
    }
}
