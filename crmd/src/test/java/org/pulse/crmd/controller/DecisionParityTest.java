package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlParser;

/**
 * DecisionParity reads the partition, the DC and quorum from the input as the policy engine does, and names
 * the differences between the DC's decision and the policy engine's: none when the DC fences the lost member
 * the engine fences, one when it would not; the engine's panic fencing for no-quorum-policy=suicide.
 */
class DecisionParityTest {
    private static final Instant NOW = Instant.parse("2026-12-06T09:00:00Z");

    private static String running(String id) {
        return "<lrm_resource id=\"" + id + "\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"><lrm_rsc_op id=\"" + id
                + "_last_0\" operation_key=\"" + id + "_start_0\" operation=\"start\" call-id=\"1\" rc-code=\"0\""
                + " op-status=\"0\" interval=\"0\"/></lrm_resource>";
    }

    private static String probed(String id) {
        return "<lrm_resource id=\"" + id + "\" class=\"stonith\" type=\"fence_dummy\"><lrm_rsc_op id=\"" + id
                + "_last_0\" operation_key=\"" + id + "_monitor_0\" operation=\"monitor\" call-id=\"2\" rc-code=\"7\""
                + " op-status=\"0\" interval=\"0\"/></lrm_resource>";
    }

    private static Cib cib(String cibAttrs, String props, String n1Lrm, String n2State) throws Exception {
        return Cib.of(XmlParser.parse("test", "<cib admin_epoch=\"0\" epoch=\"1\" num_updates=\"0\""
                + " validate-with=\"pacemaker-3.9\" dc-uuid=\"n1\" " + cibAttrs + "><configuration><crm_config>"
                + "<cluster_property_set id=\"opts\">" + props + "</cluster_property_set></crm_config>"
                + "<nodes><node id=\"n1\" uname=\"n1\"/><node id=\"n2\" uname=\"n2\"/><node id=\"n3\" uname=\"n3\"/>"
                + "</nodes><resources><primitive id=\"fence\" class=\"stonith\" type=\"fence_dummy\"/>"
                + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\"/></resources><constraints/>"
                + "</configuration><status>"
                + "<node_state id=\"n1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">"
                + "<lrm id=\"n1\"><lrm_resources>" + n1Lrm + "</lrm_resources></lrm></node_state>" + n2State
                + "<node_state id=\"n3\" uname=\"n3\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"down\"/>"
                + "</status></cib>"));
    }

    private static final TransitionPlan NOTHING = new TransitionPlan("probes", List.of());

    @Test
    void theDcFencesWhatThePolicyEngineFences() throws Exception {
        Cib input = cib("have-quorum=\"1\"", "", probed("fence"),
                "<node_state id=\"n2\" uname=\"n2\" in_ccm=\"false\" crmd=\"offline\" join=\"down\" expected=\"member\">"
                + "<lrm id=\"n2\"><lrm_resources>" + running("d1") + "</lrm_resources></lrm></node_state>");
        TransitionPlan dc = new PolicyEngineScheduler().schedule(input, NOW);
        assertEquals(List.of("n2"), dc.fenceTargets(), "the policy engine fences the lost member n2");
        DecisionParity.Result r = DecisionParity.compare(input, NOW, dc);
        assertEquals(List.of(), r.fencing(), "the DC ran the engine's fencing of n2");
        DecisionParity.Result other = DecisionParity.compare(input, NOW, NOTHING);
        assertEquals(1, other.fencing().size(), "a DC that probed instead of fencing n2 differs: " + other);
        assertTrue(other.fencing().get(0).endsWith("only policy engine [n2]"), other.toString());
    }

    @Test
    void suicideIsThePolicyEnginesPanicFencingOfAPartitionThatLostQuorum() throws Exception {
        String n2 = "<node_state id=\"n2\" uname=\"n2\" in_ccm=\"true\" crmd=\"online\" join=\"member\""
                + " expected=\"member\"/>";
        String props = "<nvpair id=\"nq\" name=\"no-quorum-policy\" value=\"suicide\"/>";
        Cib lost = cib("have-quorum=\"0\" no-quorum-panic=\"1\"", props, running("d1"), n2);
        TransitionPlan panic = new PolicyEngineScheduler().schedule(lost, NOW);
        assertEquals(List.of("n1", "n2"), panic.fenceTargets().stream().sorted().toList(),
                "a partition that lost quorum takes every member down: " + panic);
        assertEquals(List.of(), DecisionParity.compare(lost, NOW, panic).fencing());
        Cib never = cib("have-quorum=\"0\"", props, running("d1"), n2);
        assertEquals(List.of(), new PolicyEngineScheduler().schedule(never, NOW).fenceTargets(),
                "a partition never quorate (no no-quorum-panic) is left alone");
    }
}
