package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.CibDiff;
import org.pulse.cib.CibVersion;
import org.pulse.cib.xml.XmlParser;

/** The DC checks an operator's configuration change with CibValidator before committing it. */
class CibValidationTest {
    static final String FENCE = ControllerTest.FENCE;

    static MiniCluster cluster(Cib cib) {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"), cib, new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        return c;
    }

    static AdminResult write(MiniCluster c, String node, CibEdit edit) {
        long id = c.admin(node, new AdminCommand.Write(edit, false));
        c.settle();
        return c.replies.get(id);
    }

    static void assertUnchanged(MiniCluster c, CibVersion before) {
        for (Controller n : c.nodes.values()) {
            assertEquals(before.adminEpoch() + "." + before.epoch(),
                    n.cib().version().adminEpoch() + "." + n.cib().version().epoch(),
                    n.nodeName() + "'s configuration changed although the write was refused");
        }
    }

    @Test
    void aPatchAddingAConstraintOnAMissingResourceIsRefused() throws Exception {
        MiniCluster c = cluster(ControllerTest.cib(FENCE, ""));
        Cib cur = c.nodes.get("a").cib();
        Cib bad = Cib.of(XmlParser.parse("bad", cur.toXml().replace("<constraints/>",
                "<constraints><rsc_location id=\"loc-ghost\" rsc=\"ghost\" node=\"a\" score=\"100\"/></constraints>")));
        assertTrue(bad.toXml().contains("loc-ghost"), "the test did not build its patch");
        AdminResult r = write(c, "b", new CibEdit.Patch(CibDiff.diff(cur, bad).toJson()));
        assertEquals(AdminResult.INVALID, r.code(), r.message());
        assertTrue(r.message().contains("loc-ghost") && r.message().contains("ghost"), r.message());
        assertUnchanged(c, cur.version());
        assertFalse(c.nodes.get("c").cib().toXml().contains("loc-ghost"));
    }

    @Test
    void aReplaceWithADuplicateIdIsRefusedAndAConstraintOnAMissingResourceToo() throws Exception {
        MiniCluster c = cluster(ControllerTest.cib(FENCE, ""));
        CibVersion before = c.nodes.get("a").cib().version();
        AdminResult r = write(c, "c", new CibEdit.ReplaceSection("resources", "<resources>" + FENCE
                + "<primitive id=\"dup\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/>"
                + "<primitive id=\"dup\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/></resources>"));
        assertEquals(AdminResult.INVALID, r.code(), r.message());
        assertTrue(r.message().contains("'dup'"), r.message());
        r = write(c, "a", new CibEdit.Constraint("ban-ghost",
                "<rsc_location id=\"ban-ghost\" rsc=\"ghost\" node=\"b\" score=\"-INFINITY\"/>"));
        assertEquals(AdminResult.INVALID, r.code(), r.message());
        assertUnchanged(c, before);
    }

    @Test
    void aCibWithAnOldProblemStillTakesChangesButNotNewProblems() throws Exception {
        // Stored before any check existed: a constraint on a resource that is not there.
        Cib old = Cib.of(XmlParser.parse("old", ControllerTest.cib(FENCE, "").toXml().replace("<constraints/>",
                "<constraints><rsc_location id=\"loc-old\" rsc=\"gone\" node=\"a\" score=\"1\"/></constraints>")));
        MiniCluster c = cluster(old);
        AdminResult ok = write(c, "b", new CibEdit.ClusterProperty("x", "1"));
        assertTrue(ok.ok(), "an unrelated change was refused because of an old problem: " + ok.message());
        CibVersion after = c.nodes.get("a").cib().version();
        AdminResult bad = write(c, "b", new CibEdit.Constraint("loc-new",
                "<rsc_location id=\"loc-new\" rsc=\"ghost\" node=\"a\" score=\"1\"/>"));
        assertEquals(AdminResult.INVALID, bad.code(), bad.message());
        assertTrue(bad.message().contains("loc-new") && !bad.message().contains("loc-old"),
                "only the new problem is the change's fault: " + bad.message());
        assertUnchanged(c, after);
        AdminResult fix = write(c, "c", new CibEdit.Constraint("loc-old", null));
        assertTrue(fix.ok(), "the fix of an old problem was refused: " + fix.message());
    }
}
