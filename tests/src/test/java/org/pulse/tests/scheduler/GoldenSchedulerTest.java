package org.pulse.tests.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;
import org.pulse.lab.support.TestEnv;

/**
 * Pulse's own golden scheduler cases: tests/src/test/resources/scheduler/NAME/{cib.xml,
 * expected.txt, purpose.txt}. Each CIB isolates one rule; expected.txt is Pacemaker 2.1.5's
 * decision in the canonical form (made with ../shared/conformance/tools/canon.py, i.e.
 * crm_simulate) and is rewritten only deliberately.
 */
class GoldenSchedulerTest {
    static Path casesDir() {
        return TestEnv.root().resolve("tests/src/test/resources/scheduler");
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenCaseMatchesItsExpectedTransition() throws IOException {
        List<Path> cases;
        try (Stream<Path> s = Files.list(casesDir())) {
            cases = s.filter(Files::isDirectory).sorted().toList();
        }
        assertFalse(cases.isEmpty(), "no golden cases under " + casesDir());
        return cases.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            String purpose = Files.readString(dir.resolve("purpose.txt")).trim();
            Transition t = schedule(dir.resolve("cib.xml"));
            assertEquals(Files.readString(dir.resolve("expected.txt")), t.canonical(),
                    dir.getFileName() + ": " + purpose);
        }));
    }

    @Test
    void sameInputGivesTheSameTransitionByteForByte() throws Exception {
        Path cib = casesDir().resolve("group-member-failure-restarts-tail/cib.xml");
        Transition a = schedule(cib);
        Transition b = schedule(cib);
        assertEquals(a.canonical(), b.canonical());
        assertEquals(a.graphXml(), b.graphXml());
        assertEquals(a.actions(), b.actions());
    }

    @Test
    void graphOrdersStopsBeforeStartsAndFencingBeforeRecovery() throws Exception {
        Transition t = schedule(casesDir().resolve("lost-node-fenced-then-recovered/cib.xml"));
        int fence = -1;
        int start = -1;
        for (org.pulse.policy.Action a : t.actions()) {
            if (a.operation().equals("stonith")) {
                fence = a.id();
            }
            if (a.operation().equals("start") && "rsc1".equals(a.resource())) {
                start = a.id();
                assertTrue(a.params().containsKey("CRM_meta_timeout"), "the LRM needs the timeout: " + a.params());
            }
        }
        assertTrue(fence >= 0 && start >= 0, t.canonical());
        int f = fence;
        assertTrue(t.actions().get(start).inputs().contains(f),
                "start of rsc1 must wait for fencing of node1: " + t.actions().get(start));
    }

    @Test
    void explanationNamesEveryContribution() throws Exception {
        Transition t = schedule(casesDir().resolve("stickiness-holds-place/cib.xml"));
        var e = t.explanations().explain("rsc1");
        assertEquals("node2", e.endNode());
        assertEquals(100, e.totals().get("node2"));
        assertEquals(50, e.totals().get("node1"));
        assertTrue(e.contributions().stream().anyMatch(c -> c.source().contains("location constraint pref")), e.toString());
        assertTrue(e.contributions().stream().anyMatch(c -> c.source().contains("stickiness")), e.toString());
    }

    static Transition schedule(Path cib) throws Exception {
        XmlElement root = XmlParser.parse(cib.toString(), Files.readString(cib));
        return PolicyEngine.schedule(root, Instant.ofEpochSecond(1_700_000_000L));
    }
}
