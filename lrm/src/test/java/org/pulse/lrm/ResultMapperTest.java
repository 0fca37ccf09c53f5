package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ResultMapperTest {
    private static RawExecution exited(int code, String reason) {
        return new RawExecution(100, code, false, false, null, new OutputCapture.Snapshot("", 0, ""),
                new OutputCapture.Snapshot("", 0, reason), Instant.EPOCH, 5, false);
    }

    @Test
    void ocfCodesPassAndNonsenseBecomesOne() {
        for (int rc : new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 190, 191}) {
            ResultMapper.Mapped m = ResultMapper.map("ocf", "monitor", exited(rc, ""), 1000);
            assertEquals(rc, m.rc());
            assertEquals(ExecStatus.DONE, m.status());
        }
        ResultMapper.Mapped m = ResultMapper.map("ocf", "start", exited(42, ""), 1000);
        assertEquals(1, m.rc());
        assertEquals(ExecStatus.DONE, m.status());
        assertTrue(m.reason().contains("returned 42"), m.reason());
    }

    @Test
    void signalsAndTheirExitStatusAreNamed() {
        ResultMapper.Mapped m = ResultMapper.map("ocf", "start", exited(137, ""), 1000);
        assertEquals(1, m.rc());
        assertEquals(ExecStatus.ERROR, m.status());
        assertTrue(m.reason().contains("signal 9 (KILL)") && m.reason().contains("137"), m.reason());
    }

    @Test
    void timeoutIsAStatusWithRcOne() {
        RawExecution raw = new RawExecution(100, 137, true, false, null, new OutputCapture.Snapshot("", 0, ""),
                new OutputCapture.Snapshot("", 0, ""), Instant.EPOCH, 3001, false);
        ResultMapper.Mapped m = ResultMapper.map("ocf", "start", raw, 3000);
        assertEquals(1, m.rc());
        assertEquals(ExecStatus.TIMED_OUT, m.status());
        assertTrue(m.reason().contains("3000 ms"), m.reason());
    }

    @Test
    void agentExitReasonIsKeptForValidCodes() {
        assertEquals("IP address (the ip parameter) is mandatory",
                ResultMapper.map("ocf", "start", exited(6, "IP address (the ip parameter) is mandatory"), 1).reason());
    }

    @Test
    void lsbStatusCodesMapAsPacemakerDoes() {
        assertEquals(0, ResultMapper.map("lsb", "monitor", exited(0, ""), 1).rc());
        assertEquals(7, ResultMapper.map("lsb", "monitor", exited(1, ""), 1).rc());
        assertEquals(7, ResultMapper.map("lsb", "monitor", exited(2, ""), 1).rc());
        assertEquals(7, ResultMapper.map("lsb", "monitor", exited(3, ""), 1).rc());
        assertEquals(1, ResultMapper.map("lsb", "monitor", exited(4, ""), 1).rc());
        assertEquals(5, ResultMapper.map("lsb", "monitor", exited(150, ""), 1).rc());
        assertEquals(3, ResultMapper.map("lsb", "start", exited(3, ""), 1).rc());
        assertEquals(1, ResultMapper.map("lsb", "stop", exited(9, ""), 1).rc());
    }

    @Test
    void fenceAgentStatusTwoMeansOff() {
        assertEquals(0, ResultMapper.map("stonith", "reboot", exited(0, ""), 1).rc());
        assertEquals(7, ResultMapper.map("stonith", "status", exited(2, ""), 1).rc());
        assertEquals(1, ResultMapper.map("stonith", "monitor", exited(2, ""), 1).rc());
        assertEquals(1, ResultMapper.map("stonith", "off", exited(1, ""), 1).rc());
    }
}
