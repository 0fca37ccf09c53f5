package org.pulse.shell.commands;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlParser;
import org.pulse.shell.render.StatusModel;

/**
 * The Migration Summary as crm_mon prints it (checked against crm_mon -1 -f on the same CIB): one line a
 * resource and node, its operations' fail counts summed (at most INFINITY, 1000000) with the latest failure,
 * and times in ctime's form, the day padded ("Mon Dec  7"). Before, a connection whose start and monitor
 * both failed on a node had two lines there with different counts and no operation to tell them apart.
 */
class StatusMigrationSummaryTest {
    static final String CIB = "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" dc-uuid=\"n1\" have-quorum=\"1\">"
            + "<configuration><crm_config/><nodes><node id=\"n1\" uname=\"n1\"/></nodes><resources>"
            + "<primitive id=\"rem1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\"/></resources><constraints/>"
            + "</configuration><status><node_state id=\"n1\" uname=\"n1\" in_ccm=\"true\" crmd=\"online\" join=\"member\""
            + " expected=\"member\"><transient_attributes id=\"n1\"><instance_attributes id=\"status-n1\">"
            + "<nvpair id=\"a\" name=\"fail-count-rem1#monitor_10000\" value=\"1\"/>"
            + "<nvpair id=\"b\" name=\"last-failure-rem1#monitor_10000\" value=\"1796609400\"/>"
            + "<nvpair id=\"c\" name=\"fail-count-rem1#start_0\" value=\"INFINITY\"/>"
            + "<nvpair id=\"d\" name=\"last-failure-rem1#start_0\" value=\"1796609407\"/>"
            + "</instance_attributes></transient_attributes></node_state></status></cib>";

    @Test
    void oneLineAResourceSummedWithCtimeDates() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-07T02:21:00Z"));
        String text = StatusCommand.text(m, ZoneOffset.UTC, Map.of());
        assertTrue(text.contains("Migration Summary:\n  * Node: n1:\n"
                + "    * rem1: migration-threshold=1000000 fail-count=1000000 last-failure='Mon Dec  7 02:10:07 2026'\n"),
                text);
        assertTrue(text.contains("  * Last updated: Mon Dec  7 02:21:00 2026\n"), text);
    }
}
