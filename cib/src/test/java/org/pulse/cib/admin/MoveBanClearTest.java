package org.pulse.cib.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
 * The move/ban/clear rule crmd and the shell share: what constraints come out for a CIB, and what
 * is refused. crmd's own tests (AdminDecisionsTest) show the DC applies it as one write.
 */
class MoveBanClearTest {
    /** Nodes n1, n2 configured, n3 known only from the status; d1 last started on n1. */
    static Cib cib(String constraints) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch='0' epoch='5' num_updates='3'><configuration>"
                + "<crm_config/><nodes><node id='n1' uname='n1'/><node id='n2' uname='n2'/></nodes>"
                + "<resources><primitive id='d1' class='ocf' provider='pulse' type='Dummy'/></resources>"
                + "<constraints>" + constraints + "</constraints></configuration><status>"
                + "<node_state id='n1' uname='n1'><lrm id='n1'><lrm_resources><lrm_resource id='d1' class='ocf'"
                + " provider='pulse' type='Dummy'><lrm_rsc_op id='d1_last_0' operation='start' call-id='2'"
                + " op-status='0' rc-code='0' interval='0'/></lrm_resource></lrm_resources></lrm></node_state>"
                + "<node_state id='n3' uname='n3'/></status></cib>"));
    }

    static Map<String, String> constraints(XmlElement root) {
        Map<String, String> out = new TreeMap<>();
        for (XmlElement c : root.element("configuration").orElseThrow().element("constraints").orElseThrow().elements()) {
            out.put(c.id(), c.attr("node") + " " + c.attr("score"));
        }
        return out;
    }

    @Test
    void moveToANodePrefersItAndReplacesAnEarlierPreferenceInPlace() throws Exception {
        Cib before = cib("<rsc_location id='cli-prefer-d1' rsc='d1' role='Started' node='n1' score='INFINITY'/>"
                + "<rsc_location id='other' rsc='d1' node='n2' score='10'/>");
        XmlElement after = MoveBanClear.apply(before.root(), MoveBanClear.move(before, "d1", "n2", null));
        assertEquals(Map.of("cli-prefer-d1", "n2 INFINITY", "other", "n2 10"), constraints(after));
        assertEquals("cli-prefer-d1", after.element("configuration").orElseThrow().element("constraints").orElseThrow()
                .elements().get(0).id(), "replaced where it was, not moved to the end");
    }

    @Test
    void moveWithoutANodeBansWhereItRunsAndIsRefusedWhereItRunsNowhere() throws Exception {
        Cib before = cib("");
        assertEquals(List.of(new MoveBanClear.ConstraintChange("cli-ban-d1-on-n1", XmlElement.of("rsc_location",
                        "id", "cli-ban-d1-on-n1", "rsc", "d1", "role", "Started", "node", "n1", "score", "-INFINITY"))),
                MoveBanClear.move(before, "d1", null, null));
        MoveBanClear.Refused r = assertThrows(MoveBanClear.Refused.class, () -> MoveBanClear.move(before, "d9", null, null));
        assertEquals(MoveBanClear.Refused.Reason.NOT_RUNNING, r.reason());
        assertTrue(r.getMessage().contains("d9 is not running anywhere"), r.getMessage());
    }

    @Test
    void aLifetimeBecomesARuleWithCrmResourcesIds() throws Exception {
        Cib before = cib("");
        XmlElement prefer = MoveBanClear.move(before, "d1", "n2", "2026-11-22 13:00:00Z").get(0).xml();
        XmlElement rule = prefer.elements().get(0);
        assertEquals("cli-prefer-rule-d1", rule.id());
        assertEquals(null, prefer.attr("node"), "the node is in the rule, so the constraint ends with it");
        assertEquals(List.of("cli-prefer-expr-d1", "cli-prefer-lifetime-end-d1"),
                rule.elements().stream().map(XmlElement::id).toList());
        assertEquals("2026-11-22 13:00:00Z", rule.elements().get(1).attr("end"));
        XmlElement ban = MoveBanClear.ban(before, "d1", "n1", "2026-11-22 13:00:00Z").get(0).xml();
        assertEquals("cli-ban-d1-on-n1-rule", ban.elements().get(0).id());
        assertEquals("-INFINITY", ban.elements().get(0).attr("score"));
    }

    @Test
    void aNodeTheCibDoesNotKnowIsRefusedNamingItAndTheKnownOnes() throws Exception {
        Cib before = cib("");
        MoveBanClear.Refused r = assertThrows(MoveBanClear.Refused.class, () -> MoveBanClear.ban(before, "d1", "n9", null));
        assertEquals(MoveBanClear.Refused.Reason.UNKNOWN_NODE, r.reason());
        assertTrue(r.getMessage().contains("node 'n9' is not a cluster node; the nodes are n1, n2, n3"), r.getMessage());
        // a node known only from the status section is a node (crm_resource accepts it too)
        assertEquals("cli-ban-d1-on-n3", MoveBanClear.ban(before, "d1", "n3", null).get(0).id());
    }

    @Test
    void clearTakesOnlyTheResourcesOwnCliConstraintsAndNothingLeftIsTheSameTree() throws Exception {
        Cib before = cib("<rsc_location id='cli-prefer-d1' rsc='d1' node='n2' score='INFINITY'/>"
                + "<rsc_location id='cli-ban-d1-on-n1' rsc='d1' node='n1' score='-INFINITY'/>"
                + "<rsc_location id='cli-ban-d10-on-n1' rsc='d10' node='n1' score='-INFINITY'/>"
                + "<rsc_location id='keep' rsc='d1' node='n2' score='50'/>");
        List<MoveBanClear.ConstraintChange> changes = MoveBanClear.clear(before, "d1");
        assertEquals(List.of("cli-prefer-d1", "cli-ban-d1-on-n1"), changes.stream().map(MoveBanClear.ConstraintChange::id).toList());
        XmlElement after = MoveBanClear.apply(before.root(), changes);
        assertEquals(Map.of("cli-ban-d10-on-n1", "n1 -INFINITY", "keep", "n2 50"), constraints(after));
        assertSame(after, MoveBanClear.apply(after, MoveBanClear.clear(Cib.of(after), "d1")), "nothing to clear: no change");
    }

    @Test
    void aCibWithoutAConstraintsSectionGetsOne() throws Exception {
        Cib bare = Cib.of(XmlParser.parse("test", "<cib admin_epoch='0' epoch='1' num_updates='0'><configuration>"
                + "<nodes><node id='n1' uname='n1'/></nodes></configuration><status/></cib>"));
        XmlElement after = MoveBanClear.apply(bare.root(), MoveBanClear.ban(bare, "x", "n1", null));
        assertEquals(Map.of("cli-ban-x-on-n1", "n1 -INFINITY"), constraints(after));
    }
}
