package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** JGroups threads made from the heartbeat thread (MAX_PRIORITY) do not inherit its priority. */
class NormalPriorityThreadsTest {
    @Test
    void threadsMadeFromAMaxPriorityThreadRunAtNormalPriority() throws Exception {
        NormalPriorityThreads factory = new NormalPriorityThreads();
        AtomicInteger named = new AtomicInteger();
        AtomicInteger unnamed = new AtomicInteger();
        Thread maker = new Thread(() -> {
            named.set(factory.newThread(() -> { }, "pd-bundler").getPriority());
            unnamed.set(factory.newThread(() -> { }).getPriority());
        });
        maker.setPriority(Thread.MAX_PRIORITY);
        maker.start();
        maker.join();
        assertEquals(Thread.NORM_PRIORITY, named.get());
        assertEquals(Thread.NORM_PRIORITY, unnamed.get());
        // Without it, Java's rule: the creator's priority.
        AtomicInteger inherited = new AtomicInteger();
        Thread plain = new Thread(() -> inherited.set(new Thread(() -> { }).getPriority()));
        plain.setPriority(Thread.MAX_PRIORITY);
        plain.start();
        plain.join();
        assertEquals(Thread.MAX_PRIORITY, inherited.get());
    }
}
