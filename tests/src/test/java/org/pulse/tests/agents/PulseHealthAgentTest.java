package org.pulse.tests.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ocf:pulse:health, the agent keepalived's vrrp_script and track_interface are imported as: the
 * value (first word of the state file; the same value goes to attrd_updater) moves as
 * keepalived's script state does, by fall failures and rise successes in a row; a failing check
 * never fails the monitor; a hanging command is killed after its timeout and counts as failed.
 */
class PulseHealthAgentTest {
    @TempDir
    Path dir;

    private String value(Path state) throws Exception {
        return Files.readString(state).strip().split(" ")[0];
    }

    @Test
    void fallAndRiseMoveTheValueAsKeepalivedDoes() throws Exception {
        Path flag = dir.resolve("bad");
        Path state = dir.resolve("h.state");
        Ocf.Agent a = Ocf.pulse("health", "h1", Map.of("command", "test ! -e " + flag, "fall", "2", "rise", "2",
                "state", state.toString()), null);
        assertEquals(7, a.monitor(2000).rc(), "monitor before start: not running");
        assertEquals(0, a.run("start").rc());
        assertEquals("1", value(state));
        Files.writeString(flag, "");
        assertEquals(0, a.monitor(2000).rc(), "a failed check does not fail the monitor");
        assertEquals("1", value(state), "one failure of fall=2 keeps it healthy");
        assertEquals(0, a.monitor(2000).rc());
        assertEquals("0", value(state), "two failures in a row: failed");
        Files.delete(flag);
        a.monitor(2000);
        assertEquals("0", value(state), "one success of rise=2 keeps it failed");
        a.monitor(2000);
        assertEquals("1", value(state), "two successes in a row: healthy again");
        assertEquals(0, a.run("stop").rc());
        assertFalse(Files.exists(state));
        assertEquals(7, a.monitor(2000).rc());
    }

    @Test
    void initFailInterfacesTimeoutsAndBadParameters() throws Exception {
        Path state = dir.resolve("i.state");
        Ocf.Agent lo = Ocf.pulse("health", "h2", Map.of("interface", "lo", "init_fail", "true", "rise", "2",
                "state", state.toString()), null);
        lo.run("start");
        assertEquals("0", value(state), "init_fail: failed until rise good checks");
        lo.monitor(2000);
        assertEquals("1", value(state), "lo has carrier");
        lo.run("stop");
        Ocf.Agent none = Ocf.pulse("health", "h3", Map.of("interface", "nosuch0", "state", state.toString()), null);
        none.run("start");
        assertEquals("0", value(state), "a missing interface is down");
        none.run("stop");
        Ocf.Agent slow = Ocf.pulse("health", "h4", Map.of("command", "sleep 30", "timeout", "1",
                "state", state.toString()), null);
        long t0 = System.nanoTime();
        assertEquals(0, slow.run("start").rc());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000, "the hanging command was not cut at its timeout");
        assertEquals("0", value(state), "a command past its timeout counts as failed");
        slow.run("stop");
        Ocf.Agent neither = Ocf.pulse("health", "h5", Map.of("state", state.toString()), null);
        Ocf.Result r = neither.run("validate-all");
        assertEquals(6, r.rc(), r::toString);
        assertTrue(r.toString().contains("nothing to check"), r::toString);
        Ocf.Agent both = Ocf.pulse("health", "h6", Map.of("command", "true", "interface", "lo", "state",
                state.toString()), null);
        assertEquals(6, both.run("validate-all").rc());
    }
}
