package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/** The guard on its own: a fake clock, a pause watch fed by hand, a recorder above it. No view: nobody to ask. */
class SuspicionGuardTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final Timing timing = Timing.derive(500);
    private final SuspicionGuard.Settings settings = SuspicionGuard.Settings.of(timing);
    private final PauseWatch watch = new PauseWatch("t", settings.tickMs(), settings.windowMs(), clock.get(), false);
    private final HeardTap heardTap = new HeardTap(clock::get);
    private final SuspicionGuard guard = new SuspicionGuard("t", watch, heardTap, null, clock::get, settings);
    private final List<Event> passed = new ArrayList<>();
    private final Address dc = UUID.randomUUID();

    SuspicionGuardTest() {
        heardTap.setUpProtocol(new Protocol() {
            @Override
            public Object up(Event evt) {
                return null;
            }

            @Override
            public Object up(org.jgroups.Message msg) {
                return null;
            }
        });
        guard.setUpProtocol(new Protocol() {
            @Override
            public Object up(Event evt) {
                passed.add(evt);
                return null;
            }
        });
    }

    private void run(long ms) {
        for (long t = 0; t < ms; t += settings.tickMs()) {
            clock.addAndGet(Math.min(settings.tickMs(), ms - t) * MS); // exactly ms: the last tick may be short
            watch.recordTick(clock.get());
        }
    }

    private void pause(long ms) {
        clock.addAndGet(ms * MS);
        watch.recordTick(clock.get());
    }

    /** A message from the suspect reaches the tap below the guard. */
    private void hear() {
        heardTap.up(new org.jgroups.EmptyMessage().setSrc(dc));
    }

    /** FD_SOCK2 (below the tap) reports the suspect's connection broken. */
    private void connectionBroken() {
        heardTap.up(new Event(Event.SUSPECT, List.of(dc)));
    }

    private void suspect() {
        guard.up(new Event(Event.SUSPECT, List.of(dc)));
    }

    @Test
    void settingsFollowTheDetectionTime() {
        assertEquals(445, settings.windowMs());
        assertEquals(40, settings.thresholdMs());
        assertEquals(2_000, settings.maxHoldMs());
        assertEquals(30_000, settings.starvedHoldCapMs());
        assertEquals(8, settings.tickMs());
        assertEquals(160, settings.freshMs());
        assertTrue(settings.describe().contains("missed 40 ms of CPU within 445 ms"), settings.describe());
    }

    @Test
    void aNodeThatRanPassesItsSuspicionOn() {
        run(1_000);
        suspect();
        assertEquals(1, passed.size());
        assertEquals(Event.SUSPECT, passed.get(0).getType());
        assertEquals(0, guard.heldCount());
    }

    @Test
    void aSuspicionFormedDuringAPauseIsHeldUntilTheNodeRanAWholeWindow() {
        run(1_000);
        pause(300);
        suspect();
        assertEquals(List.of(), passed, "formed while starved: held");
        run(100);
        suspect(); // FD_ALL3 raises it again: the pause is still within the window
        assertEquals(List.of(), passed);
        run(settings.windowMs());
        suspect(); // a whole window of normal running, and still silent: a real failure
        assertEquals(1, passed.size());
        assertEquals(2, guard.heldCount());
        assertEquals(0, guard.avoidedCount());
    }

    @Test
    void theSuspectHeardAgainEndsTheHoldAsAFalseSuspicionAvoided() {
        run(1_000);
        pause(300);
        suspect();
        guard.up(new Event(Event.UNSUSPECT, dc));
        assertEquals(1, guard.avoidedCount());
        assertEquals(1, passed.size(), "the UNSUSPECT goes up");
        assertEquals(Event.UNSUSPECT, passed.get(0).getType());
    }

    @Test
    void aNodeStarvedForeverStillSuspectsAfterTheCap() {
        run(1_000);
        pause(300);
        suspect();
        long heldMs = 300;
        while (passed.isEmpty() && heldMs < 2 * settings.starvedHoldCapMs()) { // keeps being starved: 200 ms pauses
            pause(200);
            heldMs += 200;
            suspect(); // raised again each time
        }
        assertEquals(1, passed.size(), "let through at last");
        assertTrue(heldMs >= settings.starvedHoldCapMs() && heldMs <= settings.starvedHoldCapMs() + 400,
                "held " + heldMs + " ms: until the cap of " + settings.starvedHoldCapMs() + " ms");
        assertEquals(1, guard.expiredCount());
    }

    /**
     * bench/scale at 24 nodes: watchers that had missed 1-24 s of CPU passed their suspicions once a 2 s hold on
     * the wall clock ran out. What counts is the time this node ran: 10 s mostly off the CPU (a 40 ms run every
     * 400 ms: 1 s of running) is not yet the longest hold (2 s).
     */
    @Test
    void aStarvedWatcherHoldsForTheTimeItRanNotTheWallClock() {
        run(1_000);
        pause(300);
        suspect();
        for (int i = 0; i < 25; i++) { // 10 s: 360 ms off the CPU, then 40 ms of running, re-raised each time
            pause(360);
            run(40);
            suspect();
        }
        assertEquals(List.of(), passed, "10 s of wall time, ~1 s of it running: still held (was let through after 2 s)");
        for (int i = 0; i < 40 && passed.isEmpty(); i++) { // the same starvation, 16 s more: ~1.6 s more running
            pause(360);
            run(40);
            suspect();
        }
        assertEquals(1, passed.size(), "let through once it ran for the longest hold");
        assertEquals(1, guard.expiredCount());
    }

    @Test
    void aSuspectHeardAfterItWasAskedIsHeldNotPassed() {
        run(1_000);
        hear();
        run(settings.verifyMs() - 20); // VERIFY_SUSPECT2 asked it before this message arrived: its verdict is stale
        suspect();
        assertEquals(List.of(), passed, "heard " + (settings.verifyMs() - 20) + " ms ago: not silent");
        assertEquals(1, guard.staleCount());
        run(400); // silent now for longer than any verification
        suspect();
        assertEquals(1, passed.size(), "silent since: it passes (nobody else to ask here)");
    }

    /**
     * The suspect is heard, stays silent for {@code silentBeforeMs}, FD_SOCK2 reports its connection broken, it is
     * heard again after {@code heardAfterMs} (-1: never), and this node is starved while VERIFY_SUSPECT2 confirms: only
     * crash evidence passes then. Returns what passed.
     */
    private List<Event> brokenConnectionSeenWhileStarved(long silentBeforeMs, long heardAfterMs) {
        passed.clear();
        run(1_000);
        hear();
        run(silentBeforeMs);
        connectionBroken();
        if (heardAfterMs >= 0) {
            run(heardAfterMs);
            hear();
        }
        run(settings.verifyMs());
        pause(60); // starved, with the report still within crashEvidenceMs
        suspect();
        return List.copyOf(passed);
    }

    @Test
    void aBrokenConnectionIsACrashOnlyIfTheSuspectSaidNothingSince() {
        assertEquals(1, brokenConnectionSeenWhileStarved(40, -1).size(), "nothing heard since: a crash, passes at once");
        assertEquals(List.of(), brokenConnectionSeenWhileStarved(40, 5), "heard after the report: no crash, held");
    }

    @Test
    void aBrokenConnectionOfAMemberSilentBeforeIsNoCrash() {
        // A node that joined and has not installed its view yet: heard once (its join), then a neighbour's FD_SOCK2
        // connect to it timed out and was broadcast as a suspicion. Seen at load ~25 with D = 300.
        assertEquals(List.of(), brokenConnectionSeenWhileStarved(timing.heartbeatFloorMs() + 50, -1),
                "silent for longer than the floor before the report: no crash, held while starved");
    }

    @Test
    void aHoldThatEndedWithoutAnUnsuspectDoesNotWaveALaterSuspicionThrough() {
        run(1_000);
        pause(300);
        suspect(); // held: starved
        assertEquals(List.of(), passed);
        run(settings.maxHoldMs() * 3);
        hear(); // the suspect spoke again; no UNSUSPECT came up (FD_SOCK2's suspicions have none)
        run(200);
        pause(300);
        suspect(); // a new episode, formed while starved again
        assertEquals(List.of(), passed, "a new episode is held like the first, not passed as held the longest already");

        run(settings.maxHoldMs() * 3); // silent throughout, re-raised only this rarely by a starved node: the same episode
        pause(300);
        suspect();
        assertEquals(1, passed.size(), "a suspect never heard again keeps its hold's start: passed, not held anew");
    }

    @Test
    void whyASuspicionPassedNamesEachMembersAnswerOrItsSilence() {
        Address n2 = UUID.randomUUID();
        Address n4 = UUID.randomUUID();
        Address n5 = UUID.randomUUID();
        java.util.Map<Address, Long> answers = new java.util.LinkedHashMap<>();
        answers.put(n4, -1L);
        answers.put(n2, 400L);
        String s = SuspicionGuard.opinionSummary(List.of(n2, n4, n5), answers, 50);
        assertEquals(Messenger.nameOf(n2) + " heard it 400 ms ago, " + Messenger.nameOf(n4) + " never heard it, "
                + Messenger.nameOf(n5) + " did not answer within 50 ms", s);
    }
}
