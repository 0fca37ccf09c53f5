package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The history log's lines: the transition tag from a DC's operation key, the first result tagged, rotation. */
class HistoryLogTest {
    @TempDir
    Path dir;

    @Test
    void theTagComesFromTheDcsOperationKey() {
        assertEquals("transition 5 of node1 (view node1.3:12)", HistoryLog.tagOf("d1_start_0:5:0:node1@node1.3:12"));
        assertEquals("transition 5 of node1 (view node1.3:12)", HistoryLog.tagOf("d1:0_start_0:5:0:node1@node1.3:12"),
                "a clone instance's colon");
        assertEquals("transition 7 of node2 (view node2.1:4)", HistoryLog.tagOf("stonith-node3-reboot:7:0:node2@node2.1:4#try3"),
                "a fence step");
        assertEquals("transition 2 of node1 (view node1.1:1)", HistoryLog.tagOf("d1_monitor_0:2:7:node1@node1.1:1"));
        assertNull(HistoryLog.tagOf("d1_monitor_10000"));
        assertNull(HistoryLog.tagOf(null));
    }

    @Test
    void linesCarryTheTagOnceAndTheFileRotates() throws Exception {
        HistoryLog h = new HistoryLog(dir, "node2", LoggerFactory.getLogger("test"), 600);
        Instant at = Instant.parse("2026-12-06T10:00:00.123Z");
        h.operation(at, "d1_monitor_2000:3:0:node1@node1.1:2", "d1", "monitor", 2000, 0, "ok", 4, "", null);
        h.operation(at.plusSeconds(10), "d1_monitor_2000:3:0:node1@node1.1:2", "d1", "monitor", 2000, 7,
                "failed, expected rc 0", 3, "gone", null);
        h.operation(at, "fence:4:0:node1@node1.1:2#try1", "fence-sim", "reboot", 0, 0, "ok", 230, "", "node3");
        List<String> lines = Files.readAllLines(dir.resolve(HistoryLog.FILE));
        assertEquals("2026-12-06T10:00:00.123Z node2 transition 3 of node1 (view node1.1:2): monitor_2000 of d1 on node2: ok"
                + " (rc 0) in 4 ms", lines.get(0));
        assertEquals("2026-12-06T10:00:10.123Z node2 operation monitor_2000 of d1 on node2: failed, expected rc 0 (rc 7) in 3 ms:"
                + " gone (recurring, started by transition 3 of node1 (view node1.1:2))", lines.get(1));
        assertTrue(lines.get(2).endsWith("transition 4 of node1 (view node1.1:2): reboot of fence-sim on node2 (target node3):"
                + " ok (rc 0) in 230 ms"), lines.get(2));
        for (int i = 0; i < 10; i++) {
            h.write(at, "view v" + i + ": members [node2], DC node2, joined [], left []");
        }
        h.close();
        assertTrue(Files.exists(dir.resolve(HistoryLog.FILE + ".1")), "rotated past 600 bytes");
        assertTrue(Files.size(dir.resolve(HistoryLog.FILE)) <= 600);
        assertTrue(Files.readString(dir.resolve(HistoryLog.FILE)).contains("view v9"));
    }
}
