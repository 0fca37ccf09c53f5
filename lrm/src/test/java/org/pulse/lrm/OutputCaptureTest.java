package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {
    private static OutputCapture.Snapshot capture(String s, int limit) {
        OutputCapture c = new OutputCapture(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)), limit, true);
        c.run();
        return c.snapshot();
    }

    @Test
    void keepsTheFirstBytesAndCountsTheRest() {
        String big = "x".repeat(10_000);
        OutputCapture.Snapshot s = capture(big, 4096);
        assertEquals(4096, s.text().length());
        assertEquals(10_000 - 4096, s.droppedBytes());
    }

    @Test
    void lastExitReasonWinsEvenBeyondTheLimitAndIsCut() {
        String err = "ocf-exit-reason:first\n" + "noise\n".repeat(2000) + "INFO: x ocf-exit-reason:second one  \nmore\n";
        assertEquals("second one", capture(err, 1024).exitReason());
        String longReason = "ocf-exit-reason:" + "r".repeat(300) + "\n";
        assertEquals(128, capture(longReason, 1024).exitReason().length());
        assertEquals("no newline", capture("ocf-exit-reason:no newline", 1024).exitReason());
        assertTrue(capture("nothing here\n", 1024).exitReason().isEmpty());
    }
}
