package org.pulse.crmd.controller;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The effects of one event, in order, plus the messages a node sends itself (the DC is also a
 * member: it asks itself to join and to run operations like any other node). Those are handled
 * before the event returns, so self-delivery needs no network and keeps the same code path.
 */
final class Outbox {
    private final String self;
    final List<Effect> effects = new ArrayList<>();
    final Deque<Message> toSelf = new ArrayDeque<>();

    Outbox(String self) {
        this.self = self;
    }

    void send(String to, Message m) {
        if (to.equals(self)) {
            toSelf.add(m);
        } else {
            effects.add(new Effect.Send(to, m));
        }
    }

    void add(Effect e) {
        effects.add(e);
    }

    void info(String text) {
        effects.add(new Effect.Log(Effect.Log.Level.INFO, text));
    }

    void warn(String text) {
        effects.add(new Effect.Log(Effect.Log.Level.WARN, text));
    }

    void error(String text) {
        effects.add(new Effect.Log(Effect.Log.Level.ERROR, text));
    }

    void debug(String text) {
        effects.add(new Effect.Log(Effect.Log.Level.DEBUG, text));
    }

    void timer(TimerKey key, long delayMs) {
        effects.add(new Effect.SetTimer(key, delayMs));
    }
}
