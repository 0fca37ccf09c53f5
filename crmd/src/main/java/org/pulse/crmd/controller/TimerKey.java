package org.pulse.crmd.controller;

/** Names a timer; setting a timer with a name already set replaces it. */
public record TimerKey(String name) {
    static TimerKey of(String kind, Object detail) {
        return new TimerKey(kind + ":" + detail);
    }

    boolean is(String kind) {
        return name.equals(kind) || name.startsWith(kind + ":");
    }

    String detail() {
        int i = name.indexOf(':');
        return i < 0 ? "" : name.substring(i + 1);
    }
}
