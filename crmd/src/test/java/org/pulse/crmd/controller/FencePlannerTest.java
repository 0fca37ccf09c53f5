package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * The fence planner's choices, one table row each: which device (topology by name, pattern and
 * attribute; without topology by priority and host list), which executor (never the target, never a
 * node the device is banned from), and when it stops (stonith-max-attempts).
 */
class FencePlannerTest {
    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static final View ALL = new View("v1", List.of("n1", "n2", "n3"));
    static final View N1_N2 = new View("v2", List.of("n1", "n2"));

    /** A per-node device: fence-NODE, fence_dummy, pcmk_host_list=NODE. */
    static String perNode(String node) {
        return "<primitive id=\"fence-" + node + "\" class=\"stonith\" type=\"fence_dummy\"><instance_attributes"
                + " id=\"fence-" + node + "-ia\"><nvpair id=\"fence-" + node + "-hl\" name=\"pcmk_host_list\" value=\""
                + node + "\"/></instance_attributes></primitive>";
    }

    static String device(String id, String hostList, int priority) {
        return "<primitive id=\"" + id + "\" class=\"stonith\" type=\"fence_dummy\"><instance_attributes id=\"" + id
                + "-ia\"><nvpair id=\"" + id + "-hl\" name=\"pcmk_host_list\" value=\"" + hostList + "\"/>"
                + "</instance_attributes><meta_attributes id=\"" + id + "-ma\"><nvpair id=\"" + id + "-pr\""
                + " name=\"priority\" value=\"" + priority + "\"/></meta_attributes></primitive>";
    }

    static final String THREE = perNode("n1") + perNode("n2") + perNode("n3");

    static Cib cib(String resources, String constraints, String topology, String properties) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\"><configuration>"
                + "<crm_config><cluster_property_set id=\"o\">" + properties + "</cluster_property_set></crm_config>"
                + "<nodes><node id=\"1\" uname=\"n1\"/><node id=\"2\" uname=\"n2\"/><node id=\"3\" uname=\"n3\">"
                + "<instance_attributes id=\"n3-ia\"><nvpair id=\"n3-rack\" name=\"rack\" value=\"r2\"/>"
                + "</instance_attributes></node></nodes><resources>" + resources + "</resources><constraints>"
                + constraints + "</constraints>" + (topology.isEmpty() ? "" : "<fencing-topology>" + topology
                + "</fencing-topology>") + "</configuration><status/></cib>"));
    }

    static String ban(String rsc, String node) {
        return "<rsc_location id=\"ban-" + rsc + "-" + node + "\" rsc=\"" + rsc + "\" node=\"" + node
                + "\" score=\"-INFINITY\"/>";
    }

    static String level(int index, String targetAttrs, String devices) {
        return "<fencing-level id=\"fl" + index + "-" + Math.abs(targetAttrs.hashCode()) + "\" index=\"" + index
                + "\" " + targetAttrs + " devices=\"" + devices + "\"/>";
    }

    /** The first step in words: "run DEVICE on EXECUTOR level N", "query ACTION DEVICE on EXECUTOR", ... */
    static String first(Cib cib, View view, String self, String target, FencePlanner.Progress p) {
        return describe(FencePlanner.next(cib, view, self, target, p, FencePlanner.Answers.none(), NOW, 20_000).step());
    }

    static String describe(FencePlanner.Step s) {
        if (s instanceof FencePlanner.Step.Run r) {
            return "run " + r.device().id() + " on " + r.executor() + " level " + r.level();
        }
        if (s instanceof FencePlanner.Step.Query q) {
            return "query " + q.agentAction() + " " + q.device().id() + " on " + q.executor();
        }
        if (s instanceof FencePlanner.Step.Fenced f) {
            return "fenced";
        }
        if (s instanceof FencePlanner.Step.AttemptFailed) {
            return "attempt failed";
        }
        return "give up";
    }

    static Stream<Arguments> choices() throws Exception {
        FencePlanner.Progress fresh = FencePlanner.Progress.fresh();
        return Stream.of(
                // the user's bug: three per-node devices, n3 died: only n3's device, run by the DC
                Arguments.of("per-node devices: n3's", cib(THREE, "", "", ""), N1_N2, "n1", "n3", fresh,
                        "run fence-n3 on n1 level 0"),
                Arguments.of("per-node devices: n2's", cib(THREE, "", "", ""), ALL, "n1", "n2", fresh,
                        "run fence-n2 on n1 level 0"),
                Arguments.of("no device lists the target", cib(perNode("n1") + perNode("n2"), "", "", ""), N1_N2,
                        "n1", "n3", fresh, "attempt failed"),
                Arguments.of("priority first: the higher one", cib(device("a-low", "n3", 1) + device("b-high", "n3",
                        5), "", "", ""), N1_N2, "n1", "n3", fresh, "run b-high on n1 level 0"),
                Arguments.of("same priority: by id", cib(device("b", "n3", 0) + device("a", "n3", 0), "", "", ""),
                        N1_N2, "n1", "n3", fresh, "run a on n1 level 0"),
                // topology
                Arguments.of("topology by name", cib(THREE + device("pdu", "n1 n2 n3", 0), "", level(1,
                        "target=\"n3\"", "pdu") + level(2, "target=\"n3\"", "fence-n3"), ""), N1_N2, "n1", "n3", fresh,
                        "run pdu on n1 level 1"),
                Arguments.of("topology: levels by index, not document order", cib(THREE + device("pdu", "n3", 0),
                        "", level(2, "target=\"n3\"", "pdu") + level(1, "target=\"n3\"", "fence-n3"), ""), N1_N2, "n1",
                        "n3", fresh, "run fence-n3 on n1 level 1"),
                Arguments.of("topology by pattern", cib(THREE + device("pdu", "n3", 0), "", level(1,
                        "target-pattern=\"^n[0-9]$\"", "pdu"), ""), N1_N2, "n1", "n3", fresh, "run pdu on n1 level 1"),
                Arguments.of("topology by attribute", cib(THREE + device("pdu", "n3", 0), "", level(1,
                        "target-attribute=\"rack\" target-value=\"r2\"", "pdu"), ""), N1_N2, "n1", "n3", fresh,
                        "run pdu on n1 level 1"),
                Arguments.of("attribute of another value: no topology for it", cib(THREE + device("pdu", "n3", 5),
                        "", level(1, "target-attribute=\"rack\" target-value=\"r1\"", "fence-n1"), ""), N1_N2, "n1",
                        "n3", fresh, "run pdu on n1 level 0"),
                Arguments.of("topology of another node only: devices as without", cib(THREE, "", level(1,
                        "target=\"n2\"", "fence-n1"), ""), N1_N2, "n1", "n3", fresh, "run fence-n3 on n1 level 0"),
                Arguments.of("a level device that cannot fence the target: next level", cib(THREE, "", level(1,
                        "target=\"n3\"", "fence-n1") + level(2, "target=\"n3\"", "fence-n3"), ""), N1_N2, "n1", "n3",
                        fresh, "run fence-n3 on n1 level 2"),
                Arguments.of("a level naming a missing device: next level", cib(THREE, "", level(1,
                        "target=\"n3\"", "nosuch") + level(2, "target=\"n3\"", "fence-n3"), ""), N1_N2, "n1", "n3",
                        fresh, "run fence-n3 on n1 level 2"),
                // executors and location constraints
                Arguments.of("device banned from the DC: another member runs it", cib(THREE, ban("fence-n3", "n1"),
                        "", ""), N1_N2, "n1", "n3", fresh, "run fence-n3 on n2 level 0"),
                Arguments.of("banned from every member but the target: nobody", cib(THREE, ban("fence-n3", "n1")
                        + ban("fence-n3", "n2"), "", ""), ALL, "n1", "n3", fresh, "attempt failed"),
                Arguments.of("banned from the target itself: irrelevant", cib(THREE, ban("fence-n3", "n3"), "", ""),
                        N1_N2, "n1", "n3", fresh, "run fence-n3 on n1 level 0"),
                Arguments.of("the target is a member (stop failed): never its own executor", cib(THREE,
                        ban("fence-n2", "n1"), "", ""), ALL, "n1", "n2", fresh, "run fence-n2 on n3 level 0"),
                Arguments.of("opt-in cluster: only where allowed", cib(THREE, "<rsc_location id=\"l\""
                        + " rsc=\"fence-n3\" node=\"n2\" score=\"100\"/>", "", "<nvpair id=\"sym\""
                        + " name=\"symmetric-cluster\" value=\"false\"/>"), N1_N2, "n1", "n3", fresh,
                        "run fence-n3 on n2 level 0"),
                Arguments.of("the DC fences the old DC: any survivor runs it", cib(THREE, "", "", ""),
                        new View("v3", List.of("n2", "n3")), "n2", "n1", fresh, "run fence-n1 on n2 level 0"),
                // dynamic-list: the plan asks the device first
                Arguments.of("dynamic-list device: query list first", cib("<primitive id=\"sw\" class=\"stonith\""
                        + " type=\"fence_dummy\"/>", "", "", ""), N1_N2, "n1", "n3", fresh, "query list sw on n1"),
                // attempts
                Arguments.of("max attempts reached: give up", cib(THREE, "", "", ""), N1_N2, "n1", "n3",
                        new FencePlanner.Progress(10, 0, java.util.Set.of(), java.util.Map.of(), java.util.Set.of(),
                                "x"), "give up"),
                Arguments.of("stonith-max-attempts=2, 2 failed: give up", cib(THREE, "", "", "<nvpair id=\"ma\""
                        + " name=\"stonith-max-attempts\" value=\"2\"/>"), N1_N2, "n1", "n3",
                        new FencePlanner.Progress(2, 0, java.util.Set.of(), java.util.Map.of(), java.util.Set.of(),
                                "x"), "give up"),
                Arguments.of("last attempt failing gives up at once", cib(THREE, "", "", "<nvpair id=\"ma\""
                        + " name=\"stonith-max-attempts\" value=\"2\"/>"), N1_N2, "n1", "n3",
                        // without topology each device is a level of its own: fence-n3 is the third
                        new FencePlanner.Progress(1, 2, java.util.Set.of(), java.util.Map.of("fence-n3", 2),
                                java.util.Set.of(), "x"), "give up"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("choices")
    void chooses(String name, Cib cib, View view, String self, String target, FencePlanner.Progress p,
            String expected) {
        assertEquals(expected, first(cib, view, self, target, p), name);
    }

    @Test
    void aFailedTryMovesToAnotherExecutorThenTheNextLevel() throws Exception {
        Cib cib = cib(THREE + device("pdu", "n3", 0), "", level(1, "target=\"n3\"", "fence-n3")
                + level(2, "target=\"n3\"", "pdu"), "");
        View view = new View("v", List.of("n1", "n2"));
        FencePlanner.Progress p = FencePlanner.Progress.fresh();
        assertEquals("run fence-n3 on n1 level 1", first(cib, view, "n1", "n3", p));
        p = FencePlanner.failed(p, "fence-n3", "n1", "rc 1");
        assertEquals("run fence-n3 on n2 level 1", first(cib, view, "n1", "n3", p), "another executor tries");
        p = FencePlanner.failed(p, "fence-n3", "n2", "rc 1");
        FencePlanner.Decision d = FencePlanner.next(cib, view, "n1", "n3", p, FencePlanner.Answers.none(), NOW, 1);
        assertEquals("run pdu on n1 level 2", describe(d.step()), "pcmk_reboot_retries (2) used up: level 2");
        assertTrue(d.notes().get(0).contains("fence-n3 failed 2 time(s)"), d.notes().toString());
        p = FencePlanner.succeeded(d.progress(), "pdu");
        assertEquals("fenced", first(cib, view, "n1", "n3", p));
    }

    /** A level passed over is in the decision (for the fence history), with its device and why, not only in a note. */
    @Test
    void aSkippedLevelIsReportedWithItsDeviceAndReason() throws Exception {
        Cib cib = cib(THREE + device("pdu", "n3", 0), "", level(1, "target=\"n3\"", "gone")
                + level(2, "target=\"n3\"", "pdu"), "");
        FencePlanner.Decision d = FencePlanner.next(cib, N1_N2, "n1", "n3", FencePlanner.Progress.fresh(),
                FencePlanner.Answers.none(), NOW, 1);
        assertEquals("run pdu on n1 level 2", describe(d.step()));
        assertEquals(1, d.skipped().size(), d.skipped().toString());
        FencePlanner.Skipped k = d.skipped().get(0);
        assertEquals(1, k.level());
        assertEquals("gone", k.device());
        assertEquals("reboot", k.action());
        assertTrue(k.why().contains("fence device gone is not configured"), k.why());
        FencePlanner.Decision again = FencePlanner.next(cib, N1_N2, "n1", "n3", d.progress(),
                FencePlanner.Answers.none(), NOW, 1);
        assertTrue(again.skipped().isEmpty(), "the same level is not reported again within the attempt: " + again.skipped());
    }

    @Test
    void aLevelNeedsEveryDevice() throws Exception {
        Cib cib = cib(THREE + device("pdu-a", "n3", 0) + device("pdu-b", "n3", 0), "",
                level(1, "target=\"n3\"", "pdu-a,pdu-b"), "");
        FencePlanner.Progress p = FencePlanner.Progress.fresh();
        assertEquals("run pdu-a on n1 level 1", first(cib, N1_N2, "n1", "n3", p));
        p = FencePlanner.succeeded(p, "pdu-a");
        assertEquals("run pdu-b on n1 level 1", first(cib, N1_N2, "n1", "n3", p));
        p = FencePlanner.succeeded(p, "pdu-b");
        assertEquals("fenced", first(cib, N1_N2, "n1", "n3", p));
    }

    @Test
    void attemptsEndAtStonithMaxAttempts() throws Exception {
        Cib cib = cib(THREE, "", "", "<nvpair id=\"ma\" name=\"fencing-max-attempts\" value=\"3\"/>");
        FencePlanner.Progress p = FencePlanner.Progress.fresh();
        int runs = 0;
        for (int step = 0; step < 100; step++) {
            FencePlanner.Decision d = FencePlanner.next(cib, N1_N2, "n1", "n3", p, FencePlanner.Answers.none(),
                    NOW, 1);
            p = d.progress();
            if (d.step() instanceof FencePlanner.Step.Run r) {
                assertEquals("fence-n3", r.device().id(), "only n3's device may fence n3");
                assertNotEquals("n3", r.executor());
                runs++;
                p = FencePlanner.failed(p, r.device().id(), r.executor(), "rc 1");
            } else if (d.step() instanceof FencePlanner.Step.GiveUp g) {
                assertTrue(g.why().contains("stonith-max-attempts=3"), g.why());
                assertEquals(3 * 2, runs, "3 attempts of 2 tries (pcmk_reboot_retries default)");
                return;
            } else {
                assertInstanceOf(FencePlanner.Step.AttemptFailed.class, d.step());
            }
        }
        throw new AssertionError("never gave up");
    }
}
