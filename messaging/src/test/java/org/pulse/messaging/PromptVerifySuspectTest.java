package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jgroups.Address;
import org.jgroups.Event;
import org.jgroups.stack.Protocol;
import org.jgroups.util.TimeScheduler;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A suspicion goes up once the suspect's time to answer is over, without waiting for VERIFY_SUSPECT2's
 * next periodic check (which came up to a whole timeout later), and never before that time.
 */
class PromptVerifySuspectTest {
    static final long TIMEOUT_MS = 80;

    /** What was scheduled: "once DELAY" or "every PERIOD", with the task. */
    record Scheduled(String kind, long delayMs, Runnable task) {
    }

    static TimeScheduler recording(List<Scheduled> into) {
        return (TimeScheduler) Proxy.newProxyInstance(TimeScheduler.class.getClassLoader(),
                new Class<?>[] {TimeScheduler.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "schedule" -> into.add(new Scheduled("once",
                                ((TimeUnit) args[2]).toMillis((Long) args[1]), (Runnable) args[0]));
                        case "scheduleAtFixedRate", "scheduleWithFixedDelay" -> into.add(new Scheduled("every",
                                ((TimeUnit) args[3]).toMillis((Long) args[2]), (Runnable) args[0]));
                        default -> {
                            return method.getReturnType() == boolean.class ? false
                                    : method.getReturnType() == int.class ? 0 : null;
                        }
                    }
                    return new CompletableFuture<>();
                });
    }

    @Test
    void aSuspicionIsCheckedWhenItsTimeoutEndsAndGoesUpOnlyThen() throws Exception {
        List<Scheduled> scheduled = new ArrayList<>();
        List<Object> wentUp = new ArrayList<>();
        PromptVerifySuspect p = new PromptVerifySuspect();
        p.setValue("timeout", TIMEOUT_MS);
        p.useTimer(recording(scheduled));
        p.setUpProtocol(new Protocol() {
            @Override
            public Object up(Event evt) {
                wentUp.add(evt.getArg());
                return null;
            }
        });
        p.start();
        assertEquals(List.of("every " + TIMEOUT_MS), scheduled.stream().map(s -> s.kind() + " " + s.delayMs()).toList(),
                "JGroups' own periodic check stays");

        Address suspect = UUID.randomUUID();
        long addedNanos = System.nanoTime();
        p.addSuspects(List.of(suspect));
        assertEquals(2, scheduled.size(), "one check scheduled for the new suspicion: " + scheduled);
        Scheduled once = scheduled.get(1);
        assertEquals("once", once.kind());
        assertEquals(TIMEOUT_MS + PromptVerifySuspect.MARGIN_MS, once.delayMs());
        assertTrue(once.task() == p, "the check is VERIFY_SUSPECT2's own");

        // Too early (the suspect may still answer): nothing goes up.
        once.task().run();
        if (System.nanoTime() - addedNanos < TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS - 10)) {
            assertTrue(wentUp.isEmpty(), "went up before the suspect's time to answer was over: " + wentUp);
        }
        Thread.sleep(TIMEOUT_MS + 2 * PromptVerifySuspect.MARGIN_MS + 1);
        once.task().run();
        assertEquals(1, wentUp.size(), "the suspicion goes up once its timeout has passed: " + wentUp);
        assertTrue(wentUp.get(0).toString().contains(suspect.toString()), wentUp.toString());
        p.stop();
    }

    @Test
    void noCheckIsScheduledWhenStopped() {
        List<Scheduled> scheduled = new ArrayList<>();
        PromptVerifySuspect p = new PromptVerifySuspect();
        p.setValue("timeout", TIMEOUT_MS);
        p.useTimer(recording(scheduled));
        p.addSuspects(List.of(UUID.randomUUID()));
        assertTrue(scheduled.isEmpty(), "scheduled while not running: " + scheduled);
    }
}
