package org.pulse.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlComment;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlNode;

/** diff/patch: apply(a, diff(a, b)) == b over random CIBs, and what a patch refuses. */
class CibDiffTest {
    private static final int RUNS = 2000;

    private static long seed() {
        String s = System.getProperty("pulse.seed");
        return s != null ? Long.parseLong(s) : System.nanoTime();
    }

    private static void roundTrip(Cib a, Cib b, String what) throws CibException {
        CibDiff d = CibDiff.diff(a, b);
        assertEquals(b, d.apply(a), what + ": apply(a, diff(a, b)) != b\n" + d);
        CibDiff wire = CibDiff.fromJson(d.toJson());
        assertEquals(d, wire, what + ": the JSON form does not read back as the same diff");
        assertEquals(b, wire.apply(a), what + ": applying the diff read from JSON does not give b");
        assertEquals(b.version(), d.to());
        assertEquals(a.version(), d.from());
    }

    @Test
    void applyingTheDiffOfAnEditedCibGivesTheEditedCib() throws CibException {
        long seed = seed();
        System.out.println("CibDiffTest edited: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random rnd = new Random(seed);
        RandomCib gen = new RandomCib(rnd);
        for (int i = 0; i < RUNS; i++) {
            Cib a = gen.cib();
            Cib b = gen.edit(a, 1 + rnd.nextInt(6));
            roundTrip(a, b, "seed " + seed + " run " + i);
            roundTrip(b, a.withVersion(b.version().nextStatus()), "seed " + seed + " run " + i + " (back)");
        }
    }

    @Test
    void applyingTheDiffBetweenUnrelatedCibsGivesTheSecond() throws CibException {
        long seed = seed();
        System.out.println("CibDiffTest unrelated: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random rnd = new Random(seed);
        RandomCib gen = new RandomCib(rnd);
        for (int i = 0; i < RUNS; i++) {
            roundTrip(gen.cib(), gen.cib(), "seed " + seed + " run " + i);
        }
    }

    @Test
    void aDiffIsRefusedByACibOfAnotherVersionAndChangesNothing() throws CibException {
        Cib a = Cib.empty();
        Cib b = a.next(a.withConfigurationSection(XmlElement.of("rsc_defaults")));
        CibDiff d = CibDiff.diff(a, b);
        Cib other = a.withVersion(new CibVersion(0, 7, 3));
        CibPatchException e = assertThrows(CibPatchException.class, () -> d.apply(other));
        assertTrue(e.isVersionMismatch());
        assertTrue(e.getMessage().contains("0.7.3") && e.getMessage().contains("0.0.0")
                && e.getMessage().contains("fetch the whole CIB"), e.getMessage());
        assertEquals(new CibVersion(0, 7, 3), other.version());
    }

    @Test
    void aDiffNamingAMissingElementIsRefused() throws CibException {
        Cib a = Cib.empty();
        CibDiff bad = new CibDiff(a.version(), a.version().nextStatus(), List.of(new CibDiff.Delete(List.of(
                new CibDiff.Step("cib", null, 0), new CibDiff.Step("status", null, 0),
                new CibDiff.Step("node_state", "9", 0)))));
        CibPatchException e = assertThrows(CibPatchException.class, () -> bad.apply(a));
        assertTrue(e.getMessage().contains("node_state[@id='9']"), e.getMessage());
    }

    @Test
    void badJsonIsRefusedWithTheReason() {
        assertTrue(assertThrows(CibException.class, () -> CibDiff.fromJson("{not json")).getMessage()
                .contains("not valid JSON"));
        assertTrue(assertThrows(CibException.class, () -> CibDiff.fromJson(
                "{\"format\":\"pulse-cib-diff\",\"formatVersion\":9,\"from\":\"0.0.0\",\"to\":\"0.0.1\",\"changes\":[]}"))
                .getMessage().contains("format version 9"));
        assertTrue(assertThrows(CibException.class, () -> CibDiff.fromJson(
                "{\"format\":\"pulse-cib-diff\",\"formatVersion\":1,\"from\":\"0.0\",\"to\":\"0.0.1\",\"changes\":[]}"))
                .getMessage().contains("\"from\""));
        assertTrue(assertThrows(CibException.class, () -> CibDiff.fromJson(
                "{\"format\":\"pulse-cib-diff\",\"formatVersion\":1,\"from\":\"0.0.0\",\"to\":\"0.0.1\","
                        + "\"changes\":[{\"op\":\"explode\"}]}")).getMessage().contains("unknown op \"explode\""));
    }

    @Test
    void commentsReordersAndUnknownElementsTravel() throws CibException {
        Cib a = Cib.empty();
        XmlElement config = a.configuration();
        List<XmlNode> kids = new java.util.ArrayList<>(config.children());
        java.util.Collections.reverse(kids);
        kids.add(1, new XmlComment(" keep me "));
        kids.add(new XmlElement("x-vendor", Map.of("flavour", "mint"), List.of()));
        Cib b = a.next(a.withConfiguration(config.withChildren(kids)));
        assertEquals(new CibVersion(0, 1, 0), b.version());
        CibDiff d = CibDiff.diff(a, b);
        assertEquals(b, d.apply(a));
        assertTrue(d.changes().stream().anyMatch(c -> c instanceof CibDiff.Move), d.toString());
    }

    /** What crmd replicates most: one operation result in a big CIB must be a small diff. */
    @Test
    void aStatusChangeInABigCibIsASmallDiff() throws CibException {
        Cib a = BigCib.make(32, 10_000);
        XmlElement nodeState = a.status().elements("node_state").get(5);
        XmlElement lrmResources = nodeState.element("lrm").orElseThrow().element("lrm_resources").orElseThrow();
        XmlElement op = XmlElement.of("lrm_rsc_op", "id", "r09999_monitor_0", "operation", "monitor",
                "call-id", "77", "rc-code", "7", "interval", "0");
        XmlElement rsc = new XmlElement("lrm_resource", Map.of("id", "r09999", "class", "ocf",
                "provider", "heartbeat", "type", "Dummy"), List.of(op));
        XmlElement newState = nodeState.withChildReplaced(e -> e.name().equals("lrm"),
                XmlElement.of("lrm", "id", nodeState.id()).withChildAppended(lrmResources.withChildAppended(rsc)));
        Cib b = a.next(a.withNodeState(newState));
        assertEquals(a.version().nextStatus(), b.version());
        CibDiff d = CibDiff.diff(a, b);
        assertEquals(b, d.apply(a));
        String json = d.toJson();
        System.out.println("CibDiffTest: status change in a 32x10000 CIB (" + a.toXml().length() / 1024
                + " KiB): " + d.changes().size() + " changes, " + json.length() + " bytes of JSON");
        assertTrue(d.changes().size() <= 3, d.toString());
        assertTrue(json.length() < 2000, json);
    }

    /** Many changes under one big parent: every one of 10,000 primitives edited, some moved, some gone. */
    @Test
    void aDiffTouchingEveryResourceApplies() throws CibException {
        Cib a = BigCib.make(4, 10_000);
        XmlElement resources = a.configurationSection("resources").orElseThrow();
        List<XmlNode> edited = new java.util.ArrayList<>();
        int i = 0;
        for (XmlElement p : resources.elements()) {
            if (i % 97 != 0) {
                edited.add(p.withAttribute("description", "r" + i));
            }
            i++;
        }
        java.util.Collections.rotate(edited.subList(0, 500), 7);
        Cib b = a.next(a.withConfigurationSection(resources.withChildren(edited)));
        CibDiff d = CibDiff.diff(a, b);
        assertEquals(b, d.apply(a));
        assertEquals(b, CibDiff.fromJson(d.toJson()).apply(a));
        assertTrue(d.changes().size() > 9_000, "one change per edited primitive: " + d.changes().size());
    }

    /** crmd re-bases an operator's configuration patch onto the current num_updates. */
    @Test
    void aRebasedDiffGivesItsToVersion() throws CibException {
        Cib a = Cib.empty().withVersion(new CibVersion(0, 5, 0));
        Cib b = a.next(a.withConfigurationSection(XmlElement.of("rsc_defaults")));
        assertEquals(new CibVersion(0, 6, 0), b.version());
        CibDiff d = CibDiff.diff(a, b);
        Cib current = a.next(a.withNodeState(XmlElement.of("node_state", "id", "1"))).withVersion(new CibVersion(0, 5, 7));
        Cib applied = new CibDiff(current.version(), d.to(), d.changes()).apply(current);
        assertEquals(new CibVersion(0, 6, 0), applied.version());
        assertEquals("0", applied.root().attr("num_updates"));
        assertTrue(applied.configurationSection("rsc_defaults").isPresent());
        assertEquals(1, applied.status().elements("node_state").size(), "the status the patch did not touch stays");
    }

    /** The wire format is what nodes of one cluster exchange: it changes only on purpose. */
    @Test
    void theWireFormatIsStable() throws CibException {
        Cib a = Cib.parse("a", "<cib validate-with=\"pacemaker-3.9\" admin_epoch=\"0\" epoch=\"2\" num_updates=\"5\">"
                + "<configuration/><status><node_state id=\"1\" crmd=\"offline\"/></status></cib>");
        Cib b = a.next(a.withNodeState(a.status().elements("node_state").get(0).withAttribute("crmd", "online")
                .withChildAppended(new org.pulse.cib.xml.XmlComment("joined"))));
        String expected = "{\"format\":\"pulse-cib-diff\",\"formatVersion\":1,\"from\":\"0.2.5\",\"to\":\"0.2.6\","
                + "\"changes\":[{\"op\":\"modify\",\"path\":[{\"name\":\"cib\"}],\"set\":{\"num_updates\":\"6\"},\"remove\":[]},"
                + "{\"op\":\"modify\",\"path\":[{\"name\":\"cib\"},{\"name\":\"status\"},{\"name\":\"node_state\",\"id\":\"1\"}],"
                + "\"set\":{\"crmd\":\"online\"},\"remove\":[]},"
                + "{\"op\":\"create\",\"parent\":[{\"name\":\"cib\"},{\"name\":\"status\"},{\"name\":\"node_state\",\"id\":\"1\"}],"
                + "\"index\":0,\"node\":{\"comment\":\"joined\"}}]}";
        assertEquals(expected, CibDiff.diff(a, b).toJson());
        assertEquals(b, CibDiff.fromJson(expected).apply(a));
    }
}
