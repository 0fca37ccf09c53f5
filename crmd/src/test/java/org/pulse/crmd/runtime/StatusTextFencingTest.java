package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.crmd.controller.FenceEvent;

/** The fence history as the admin socket sends it: one event a line, 8 tab-separated fields, as crm status reads it. */
class StatusTextFencingTest {
    @Test
    void oneLinePerEventWithEightFields() {
        String text = StatusText.fenceHistoryLines(List.of(
                new FenceEvent("n3", "n1", "fence-n3", 1, "reboot", FenceEvent.FAILED, 1_764_590_400_000L,
                        "rc 1\twith a tab\nand a line break"),
                new FenceEvent("n3", "", "", 0, "reboot", FenceEvent.GAVE_UP, 1_764_590_401_000L, "max")));
        String[] lines = text.split("\n");
        assertEquals(2, lines.length, text);
        String[] f = lines[0].split("\t", -1);
        assertEquals(List.of("2025-12-01T12:00:00Z", "n3", "reboot", "failed", "fence-n3", "n1", "1",
                "rc 1 with a tab and a line break"), List.of(f));
        assertTrue(lines[1].split("\t", -1).length == 8, lines[1]);
    }
}
