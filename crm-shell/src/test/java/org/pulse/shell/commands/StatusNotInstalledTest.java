package org.pulse.shell.commands;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlParser;
import org.pulse.shell.render.StatusModel;

/**
 * A device whose fence agent is not installed (crm configure primitive f stonith:NO_SUCH_AGENT, accepted
 * with a warning): every node's probe answers rc 5. crm_mon and crm_simulate (and Pulse's own policy
 * engine) read that as stopped there, "Stopped (not installed)"; crm status said FAILED on every node.
 * The probes' results stay in Failed Resource Actions: they say what is missing where.
 */
class StatusNotInstalledTest {
    static String state(String node) {
        return "<node_state id=\"" + node + "\" uname=\"" + node + "\" in_ccm=\"true\" crmd=\"online\" join=\"member\""
                + " expected=\"member\"><lrm id=\"" + node + "\"><lrm_resources><lrm_resource id=\"f\" class=\"stonith\""
                + " type=\"NO_SUCH_AGENT\"><lrm_rsc_op id=\"f_last_failure_0\" operation=\"monitor\" call-id=\"3\""
                + " rc-code=\"5\" op-status=\"0\" interval=\"0\" transition-key=\"1:5:7:x\" exit-reason=\"agent"
                + " stonith:NO_SUCH_AGENT is not installed\"/></lrm_resource></lrm_resources></lrm></node_state>";
    }

    static final String CIB = "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" dc-uuid=\"n1\" have-quorum=\"1\">"
            + "<configuration><crm_config/><nodes><node id=\"n1\" uname=\"n1\"/><node id=\"n2\" uname=\"n2\"/></nodes>"
            + "<resources><primitive id=\"f\" class=\"stonith\" type=\"NO_SUCH_AGENT\"/></resources><constraints/>"
            + "</configuration><status>" + state("n1") + state("n2") + "</status></cib>";

    @Test
    void aProbeThatFindsNoAgentIsStoppedNotFailed() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-07T02:30:00Z"));
        String text = StatusCommand.text(m, ZoneOffset.UTC, Map.of());
        assertTrue(text.contains("  * f\t(stonith:NO_SUCH_AGENT):\t Stopped (not installed)\n"), text);
        assertFalse(text.contains("FAILED"), text);
        assertTrue(text.contains("f monitor on n1 returned 'not installed' (agent stonith:NO_SUCH_AGENT is not installed)"),
                text);
    }
}
