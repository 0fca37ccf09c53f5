package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * When the supervisor feeds the watchdog: the decision table, then a real feeder on a file standing for
 * the device (bytes written = feeds; 'V' last = magic close).
 */
class WatchdogFeederTest {
    static final long T = 1000;

    static WatchdogFeeder.Verdict judge(long silentMs, boolean wdFencing, Boolean quorate, boolean ever, String self) {
        return WatchdogFeeder.judge(new WatchdogFeeder.Health(10_000, 10_000 - silentMs, wdFencing, quorate, ever,
                self), T);
    }

    @Test
    void decisionTable() {
        assertTrue(judge(100, true, true, true, null).feed(), "healthy and quorate");
        assertTrue(judge(100, false, false, true, null).feed(), "no watchdog fencing: quorum is not the watchdog's");
        assertTrue(judge(100, true, null, true, null).feed(), "joining (quorum unknown): keeps feeding");
        assertTrue(judge(100, true, false, false, null).feed(), "never quorate yet (starting): keeps feeding");
        WatchdogFeeder.Verdict lost = judge(100, true, false, true, null);
        assertFalse(lost.feed());
        assertTrue(lost.forGood() && lost.why().contains("lost quorum"), lost.why());
        WatchdogFeeder.Verdict hung = judge(T / 2 + 1, false, true, true, null);
        assertFalse(hung.feed());
        assertFalse(hung.forGood(), "a slow loop may recover before the device fires");
        WatchdogFeeder.Verdict suicide = judge(0, false, true, true, "no-quorum-policy=suicide");
        assertTrue(!suicide.feed() && suicide.forGood() && suicide.why().contains("suicide"));
    }

    static WatchdogFeeder.Verdict cutOff(long peersUnheardMs, boolean wdFencing, long watchdogFencingMs) {
        return WatchdogFeeder.judge(new WatchdogFeeder.Health(10_000, 10_000, wdFencing, true, true, null, 0, 0,
                peersUnheardMs, watchdogFencingMs), 2_000);
    }

    @Test
    void aQuorateViewWhoseOtherMembersAreNotHeardStopsTheFeeding() {
        // watchdog 2 s, stonith-watchdog-timeout 5 s (WatchdogFencingLabTest's settings): fed every 400 ms, so at
        // most (5000 - 2000 - 400) / 2 = 1300 ms without hearing anyone.
        assertEquals(1_300, WatchdogFeeder.unheardLimitMs(5_000, 2_000));
        assertTrue(cutOff(1_300, true, 5_000).feed(), "heard within the limit");
        WatchdogFeeder.Verdict cut = cutOff(1_301, true, 5_000);
        assertFalse(cut.feed(), "cut off although the view says quorate");
        assertFalse(cut.forGood(), "hearing the others again resumes the feeding");
        assertTrue(cut.why().contains("cut off"), cut.why());
        assertFalse(cutOff(Long.MAX_VALUE, true, 5_000).feed(), "never heard any other member of the view");
        assertTrue(cutOff(1_000_000, false, 0).feed(), "no watchdog fencing: the cluster fences with devices");
        assertTrue(cutOff(-1, true, 5_000).feed(), "alone in its view (nobody to hear), or not known");
        // Safe for every setting Pacemaker accepts with room for a feeding period: the node is reset before the
        // quorate side counts it fenced (cut at 0, lost at 0 at the earliest).
        for (long wdt : new long[] {1_000, 2_000, 5_000, 10_000}) {
            for (long swt = wdt + 3 * WatchdogFeeder.periodMs(wdt); swt <= 6 * wdt; swt += 250) {
                long limit = WatchdogFeeder.unheardLimitMs(swt, wdt);
                long resetAtMs = limit + WatchdogFeeder.periodMs(wdt) + wdt;
                assertTrue(resetAtMs < swt, "watchdog " + wdt + " ms, stonith-watchdog-timeout " + swt + " ms: reset at "
                        + resetAtMs + " ms");
            }
        }
    }

    @Test
    void feedsWhileTheLoopAnswersStopsWhenItHangsAndDisarmsOnACleanStop(@TempDir Path dir) throws Exception {
        Path device = Files.createFile(dir.resolve("watchdog"));
        AtomicBoolean loopAnswers = new AtomicBoolean(true);
        AtomicReference<WatchdogFeeder.ControllerState> state = new AtomicReference<>(
                new WatchdogFeeder.ControllerState(true, true));
        WatchdogFeeder f = new WatchdogFeeder(device, 200, LoggerFactory.getLogger("test"), r -> {
            if (loopAnswers.get()) {
                r.run();
            }
        }, state::get, () -> System.nanoTime() / 1_000_000);
        f.start();
        waitUntil(() -> size(device) >= 5);
        loopAnswers.set(false);
        Thread.sleep(250);
        long frozen = size(device);
        Thread.sleep(400);
        assertEquals(frozen, size(device), "fed although the event loop did not answer");
        loopAnswers.set(true);
        waitUntil(() -> size(device) > frozen);
        f.close();
        String written = Files.readString(device);
        assertTrue(written.endsWith("V"), "a clean stop ends with the magic close: " + written);
    }

    @Test
    void lostQuorumWithWatchdogFencingStopsFeedingForGood(@TempDir Path dir) throws Exception {
        Path device = Files.createFile(dir.resolve("watchdog"));
        AtomicReference<WatchdogFeeder.ControllerState> state = new AtomicReference<>(
                new WatchdogFeeder.ControllerState(true, true));
        WatchdogFeeder f = new WatchdogFeeder(device, 200, LoggerFactory.getLogger("test"), Runnable::run, state::get,
                () -> System.nanoTime() / 1_000_000);
        f.start();
        waitUntil(() -> size(device) >= 3);
        state.set(new WatchdogFeeder.ControllerState(false, true));
        waitUntil(f::stoppedForGood);
        long stopped = size(device);
        state.set(new WatchdogFeeder.ControllerState(true, true));
        Thread.sleep(300);
        assertEquals(stopped, size(device), "quorum back does not undo a lost quorum: the node awaits its reset");
        f.close();
        assertFalse(Files.readString(device).endsWith("V"), "never disarmed while the node must be reset");
    }

    @Test
    void aMissingDeviceIsRefusedSayingWhatToDo(@TempDir Path dir) {
        WatchdogFeeder f = new WatchdogFeeder(dir.resolve("nope"), 200, LoggerFactory.getLogger("test"), Runnable::run,
                () -> null, System::currentTimeMillis);
        IOException e = assertThrows(IOException.class, f::start);
        assertTrue(e.getMessage().contains("no such device") && e.getMessage().contains("pulse-watchdog-sim"),
                e.getMessage());
        f.close();
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    static void waitUntil(java.util.function.BooleanSupplier c) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
