package org.pulse.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.xml.XmlParser;
import org.pulse.shell.render.StatusModel;

/** crm status shows what crmd says of fencing: pending, stopped at stonith-max-attempts, the history. */
class StatusFencingTest {
    static final String CIB = "<cib epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\" dc-uuid=\"n1\" have-quorum=\"1\">"
            + "<configuration><crm_config/><nodes><node id=\"n1\" uname=\"n1\"/></nodes><resources/><constraints/>"
            + "</configuration><status/></cib>";

    static Map<String, String> partition() {
        return Map.of("quorum", "2 of 3 votes", "fencing_pending", "n2",
                "fencing_failed", "n3: fencing n3 failed 3 times (stonith-max-attempts=3); last: pdu on n1: failed",
                "fence_history", "2026-12-01T12:00:00Z\tn3\treboot\tfailed\tfence-n3\tn1\t1\trc 1 (DONE)\n"
                        + "2026-12-01T12:00:05Z\tn3\treboot\tsuccess\tpdu\tn2\t2\trc 0 (DONE)");
    }

    @Test
    void textShowsPendingStoppedAndHistoryNewestFirst() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-01T12:01:00Z"));
        String text = StatusCommand.text(m, ZoneOffset.UTC, partition());
        int at = text.indexOf("Fencing History:");
        assertTrue(at > 0, text);
        String section = text.substring(at);
        assertTrue(section.contains("fencing of n2 pending"), section);
        assertTrue(section.contains("fencing of n3 STOPPED: fencing n3 failed 3 times (stonith-max-attempts=3)")
                && section.contains("'crm node fence n3' tries again"), section);
        int success = section.indexOf("reboot of n3 successful: device=pdu, executor=n2, level=2");
        int failed = section.indexOf("reboot of n3 failed: device=fence-n3, executor=n1, level=1");
        assertTrue(success > 0 && failed > success, "newest first: " + section);
        assertTrue(section.contains("(rc 1 (DONE))"), section);
    }

    @Test
    @SuppressWarnings("unchecked")
    void jsonCarriesTheSameFacts() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-01T12:01:00Z"));
        Map<String, Object> cluster = (Map<String, Object>) StatusCommand.json(m, partition()).get("cluster");
        Map<String, Object> fencing = (Map<String, Object>) cluster.get("fencing");
        assertEquals(List.of("n2"), fencing.get("pending"));
        assertTrue(((Map<String, String>) fencing.get("stopped")).get("n3").contains("stonith-max-attempts=3"));
        List<Map<String, Object>> history = (List<Map<String, Object>>) fencing.get("history");
        assertEquals(2, history.size());
        assertEquals(Map.of("target", "n3", "action", "reboot", "result", "success", "device", "pdu", "executor",
                "n2", "level", 2, "completed", "2026-12-01T12:00:05Z", "detail", "rc 0 (DONE)"), history.get(1));
    }

    @Test
    void offlineThereIsNoFencingSection() throws Exception {
        StatusModel m = new StatusModel(XmlParser.parse("t", CIB), Instant.parse("2026-12-01T12:01:00Z"));
        assertFalse(StatusCommand.text(m, ZoneOffset.UTC, Map.of()).contains("Fencing History"));
        assertFalse(((Map<?, ?>) StatusCommand.json(m, Map.of()).get("cluster")).containsKey("fencing"));
    }
}
