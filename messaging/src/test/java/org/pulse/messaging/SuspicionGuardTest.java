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
    private final HeardTap heard = new HeardTap(clock::get);
    private final SuspicionGuard guard = new SuspicionGuard("t", watch, heard, null, clock::get, settings);
    private final List<Event> passed = new ArrayList<>();
    private final Address dc = UUID.randomUUID();

    SuspicionGuardTest() {
        heard.setUpProtocol(new Protocol() {
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
            clock.addAndGet(settings.tickMs() * MS);
            watch.recordTick(clock.get());
        }
    }

    private void pause(long ms) {
        clock.addAndGet(ms * MS);
        watch.recordTick(clock.get());
    }

    private void suspect() {
        guard.up(new Event(Event.SUSPECT, List.of(dc)));
    }

    @Test
    void settingsFollowTheDetectionTime() {
        assertEquals(445, settings.windowMs());
        assertEquals(40, settings.thresholdMs());
        assertEquals(2_000, settings.maxHoldMs());
        assertEquals(4, settings.tickMs());
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
    void aNodeStarvedForeverStillSuspectsAfterTheLongestHold() {
        run(1_000);
        pause(300);
        suspect();
        for (int i = 0; i < 12; i++) { // keeps being starved: 200 ms pauses, suspicion raised again each time
            pause(200);
            suspect();
        }
        assertEquals(1, passed.size(), "let through after " + settings.maxHoldMs() + " ms");
        assertEquals(1, guard.expiredCount());
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

    /** FD_SOCK2 (below the tap) reports the DC's connection broken. */
    private void fdSockReportsTheDcGone() {
        heard.up(new Event(Event.SUSPECT, List.of(dc)));
    }

    private void dcSpeaks() {
        heard.up(new org.jgroups.BytesMessage(null).setSrc(dc));
    }

    @Test
    void aBrokenConnectionIsACrashEvenForAStarvedNode() {
        run(1_000);
        dcSpeaks();
        pause(300);
        fdSockReportsTheDcGone();
        pause(5);
        suspect();
        assertEquals(1, passed.size(), "FD_SOCK2's report is evidence: not held for this node's starvation");
    }

    @Test
    void aSuspectHeardAfterFdSocksReportIsNoCrashAndIsHeldAsAnySilence() {
        // FD_SOCK2 also reports a live member that did not answer its CONNECT in time (a JVM just started on a
        // busy machine) or whose connection closed as the ring moved: heard since, it did not crash.
        run(1_000);
        pause(300);
        fdSockReportsTheDcGone();
        pause(5);
        dcSpeaks();
        suspect();
        assertEquals(List.of(), passed, "heard after the report: a starved node's suspicion, held");
        assertEquals(1, guard.heldCount());
    }
}
