package org.pulse.cib.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdminDeadlinesTest {
    @Test
    void everyOuterDeadlineFollowsTheInnerOneByTheMargin() {
        AdminDeadlines d = new AdminDeadlines(2_000, 12_000);
        assertEquals(12_000 + AdminDeadlines.MARGIN_MS, d.forwardMs());
        assertEquals(d.forwardMs() + AdminDeadlines.MARGIN_MS, d.socketMs());
        assertTrue(AdminDeadlines.clientReadMs() > AdminDeadlines.DEFAULTS.socketMs());
    }

    @Test
    void aCapBeyondWhatTheShellWaitsForIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new AdminDeadlines(30_000, AdminDeadlines.MAX_CAP_MS + 1));
        assertTrue(e.getMessage().contains("cib_confirm_cap_ms") && e.getMessage().contains("90000"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AdminDeadlines(10_000, 5_000));
        assertThrows(IllegalArgumentException.class, () -> new AdminDeadlines(0, 5_000));
    }

    @Test
    void ofIdleCapsAtThreeWindowsWithinTheMaximum() {
        assertEquals(30_000, AdminDeadlines.ofIdle(10_000).capMs());
        assertEquals(AdminDeadlines.MAX_CAP_MS, AdminDeadlines.ofIdle(60_000).capMs());
    }
}
