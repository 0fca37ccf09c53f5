package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;
import org.pulse.cib.xml.XmlParser;

/**
 * crm resource move, ban and clear are decided by the DC on its own CIB and written as one change:
 * one version bump however many constraints change, and a change someone else made just before is
 * neither lost nor decided against (the decision reads the CIB that already holds it).
 */
class AdminDecisionsTest {
    private static final String OK = "op-status='0' rc-code='0' interval='0'";

    /** Nodes n1..n3; d1 a clone of Dummy whose instances last started on the given nodes. */
    static Cib cib(String constraints, String... runningOn) throws Exception {
        StringBuilder status = new StringBuilder();
        int i = 0;
        for (String n : runningOn) {
            status.append("<node_state id='").append(n).append("' uname='").append(n).append("'><lrm id='").append(n)
                    .append("'><lrm_resources><lrm_resource id='d1:").append(i).append("' class='ocf' provider='pulse'")
                    .append(" type='Dummy'><lrm_rsc_op id='d1:").append(i).append("_last_0' operation='start' call-id='")
                    .append(i + 2).append("' ").append(OK).append("/></lrm_resource></lrm_resources></lrm></node_state>");
            i++;
        }
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch='0' epoch='5' num_updates='3'><configuration>"
                + "<crm_config/><nodes><node id='n1' uname='n1'/><node id='n2' uname='n2'/><node id='n3' uname='n3'/>"
                + "</nodes><resources><clone id='c1'><primitive id='d1' class='ocf' provider='pulse' type='Dummy'/>"
                + "</clone></resources><constraints>" + constraints + "</constraints></configuration><status>" + status
                + "</status></cib>"));
    }

    static Map<String, String> constraintScores(Cib cib) {
        Map<String, String> out = new TreeMap<>();
        for (XmlElement c : Cibs.section(cib.root(), "constraints").elements()) {
            out.put(c.id(), c.attr("node") + " " + c.attr("score"));
        }
        return out;
    }

    @Test
    void aMoveAwayFromTwoNodesIsOneWrite() throws Exception {
        Cib before = cib("", "n1", "n2");
        Cib after = CibEdits.apply(before, new CibEdit.Move("d1", null));
        assertEquals(Map.of("cli-ban-d1-on-n1", "n1 -INFINITY", "cli-ban-d1-on-n2", "n2 -INFINITY"),
                constraintScores(after));
        assertEquals(before.version().epoch() + 1, after.version().epoch(), "both bans in one configuration change");
        assertEquals(0, after.version().numUpdates());
    }

    @Test
    void clearRemovesEveryCliConstraintOfTheResourceInOneWriteAndNothingElse() throws Exception {
        Cib before = cib("<rsc_location id='cli-prefer-d1' rsc='d1' node='n3' score='INFINITY'/>"
                + "<rsc_location id='cli-ban-d1-on-n1' rsc='d1' node='n1' score='-INFINITY'/>"
                + "<rsc_location id='cli-ban-d1-on-n2' rsc='d1' node='n2' score='-INFINITY'/>"
                + "<rsc_location id='cli-ban-d10-on-n2' rsc='d10' node='n2' score='-INFINITY'/>"
                + "<rsc_location id='keep' rsc='d1' node='n2' score='50'/>", "n1");
        Cib after = CibEdits.apply(before, new CibEdit.Clear("d1"));
        assertEquals(Map.of("cli-ban-d10-on-n2", "n2 -INFINITY", "keep", "n2 50"), constraintScores(after));
        assertEquals(before.version().epoch() + 1, after.version().epoch());
        Cib again = CibEdits.apply(after, new CibEdit.Clear("d1"));
        assertEquals(after.version(), again.version(), "nothing left to clear is no write");
    }

    @Test
    void theDecisionReadsTheCibAsItIsWhenTheDcAppliesIt() throws Exception {
        // The operator looked while d1 ran on n1; before the move reached the DC, d1 moved to n3 and
        // someone else added their own constraint. The DC decides on what it holds then.
        Cib operatorSaw = cib("", "n1");
        Cib meanwhile = cib("<rsc_location id='theirs' rsc='d1' node='n2' score='-100'/>", "n3")
                .withVersion(operatorSaw.version().nextConfiguration());
        Cib after = CibEdits.apply(meanwhile, new CibEdit.Move("d1", null));
        assertEquals(Map.of("cli-ban-d1-on-n3", "n3 -INFINITY", "theirs", "n2 -100"), constraintScores(after),
                "the ban goes where d1 runs now, and the other writer's constraint stays");
        assertEquals(meanwhile.version().epoch() + 1, after.version().epoch());
    }

    @Test
    void moveAndBanToAnUnknownNodeAreRefusedNamingIt() throws Exception {
        Cib before = cib("", "n1");
        CibEdits.Refused r = assertThrows(CibEdits.Refused.class,
                () -> CibEdits.apply(before, new CibEdit.Move("d1", "n9")));
        assertEquals(AdminResult.NOT_FOUND, r.code);
        assertTrue(r.getMessage().contains("'n9'"), r.getMessage());
        assertEquals(AdminResult.NOT_FOUND, assertThrows(CibEdits.Refused.class,
                () -> CibEdits.apply(before, new CibEdit.Ban("d1", "n9"))).code);
        CibEdits.Refused notRunning = assertThrows(CibEdits.Refused.class,
                () -> CibEdits.apply(cib(""), new CibEdit.Move("d1", null)));
        assertTrue(notRunning.getMessage().contains("not running anywhere"), notRunning.getMessage());
    }

    @Test
    void hostileNamesStayAttributeValues() throws Exception {
        String rsc = "we\"b'/><evil id=\"x\"/><x a=\"";
        Cib withNode = Cib.of(Cibs.withNodes(cib("", "n1").root(), List.of("n<1>&\"")));
        Cib after = CibEdits.apply(withNode, new CibEdit.Ban(rsc, "n<1>&\""));
        XmlElement ban = Cibs.section(after.root(), "constraints").elements().get(0);
        assertTrue(ban.elements().isEmpty(), "no injected element");
        assertEquals(rsc, ban.attr("rsc"));
        assertEquals("n<1>&\"", ban.attr("node"));
        // and the document written out reads back the same
        XmlElement reread = XmlParser.parse("again", after.toXml());
        assertEquals(ban, Cibs.section(reread, "constraints").elements().get(0).withoutChildren(e -> true));
    }

    @Test
    void aMoveInARunningClusterIsOneVersionBumpAndAConcurrentWriteSurvives() throws Exception {
        MiniCluster c = new MiniCluster(List.of("a", "b", "c"),
                ControllerTest.cib(ControllerTest.DUMMY + ControllerTest.FENCE, ""), new PolicyEngineScheduler());
        c.view("v1", List.of("a", "b", "c"));
        String from = MigrationTest.holder(c, "d1");
        String to = from.equals("b") ? "c" : "b";
        long epochBefore = c.nodes.get("a").cib().version().epoch();
        int storedBefore = c.stored.get("a").size();
        // both requests are in flight together: neither overwrites the other
        long property = c.admin("c", ControllerTest.property("x", "1"));
        long move = c.admin("b", new AdminCommand.Write(new CibEdit.Move("d1", to), false));
        c.settle();
        assertTrue(c.replies.get(property).ok(), c.replies.get(property).message());
        assertTrue(c.replies.get(move).ok(), c.replies.get(move).message());
        Cib end = c.nodes.get("a").cib();
        assertEquals("1", Cibs.property(end, "x", null), "the concurrent write was lost");
        assertEquals(Map.of("cli-prefer-d1", to + " INFINITY"), constraintScores(end));
        assertEquals(epochBefore + 2, end.version().epoch(), "two writes, two configuration versions");
        long configVersions = c.stored.get("a").subList(storedBefore, c.stored.get("a").size()).stream()
                .map(x -> x.version().epoch()).distinct().count();
        assertEquals(2, configVersions, "the move is one configuration change, the property the other");
        assertEquals(to, MigrationTest.holder(c, "d1"));
    }
}
