package org.pulse.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** A listener that records every callback with its arrival time (System.nanoTime) and thread. */
final class Recorder implements MessagingListener {
    record Event(long atNanos, String thread, ClusterView view, Set<String> suspects, Envelope message) {
    }

    private final List<Event> events = new ArrayList<>();
    /** Called for every message after it is recorded (on the delivery thread), e.g. to reply. */
    private volatile java.util.function.Consumer<Envelope> onMessage = e -> { };

    void onEachMessage(java.util.function.Consumer<Envelope> handler) {
        this.onMessage = handler;
    }

    @Override
    public synchronized void onView(ClusterView view) {
        events.add(new Event(System.nanoTime(), Thread.currentThread().getName(), view, null, null));
        notifyAll();
    }

    @Override
    public synchronized void onSuspect(Set<String> nodeNames) {
        events.add(new Event(System.nanoTime(), Thread.currentThread().getName(), null, nodeNames, null));
        notifyAll();
    }

    @Override
    public void onMessage(Envelope envelope) {
        synchronized (this) {
            events.add(new Event(System.nanoTime(), Thread.currentThread().getName(), null, null, envelope));
            notifyAll();
        }
        onMessage.accept(envelope);
    }

    synchronized List<Event> events() {
        return List.copyOf(events);
    }

    synchronized List<Envelope> messages() {
        return events.stream().filter(e -> e.message() != null).map(Event::message).toList();
    }

    synchronized List<ClusterView> views() {
        return events.stream().filter(e -> e.view() != null).map(Event::view).toList();
    }

    /** Waits for the first event (at or after index {@code from}) matching, or fails after timeoutMs. */
    synchronized Event await(int from, Predicate<Event> match, long timeoutMs, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (true) {
            for (int i = from; i < events.size(); i++) {
                if (match.test(events.get(i))) {
                    return events.get(i);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what + "; events: " + events);
            }
            wait(Math.max(1, left / 1_000_000L));
        }
    }

    Event awaitView(Predicate<ClusterView> match, long timeoutMs, String what) throws InterruptedException {
        return awaitView(0, match, timeoutMs, what);
    }

    Event awaitView(int from, Predicate<ClusterView> match, long timeoutMs, String what) throws InterruptedException {
        return await(from, e -> e.view() != null && match.test(e.view()), timeoutMs, what);
    }

    synchronized int size() {
        return events.size();
    }
}
