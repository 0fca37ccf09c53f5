package org.pulse.crmd.controller;

import java.util.Objects;

/** Which agent runs a resource: class (ocf, lsb, stonith), provider (ocf only, else null), type. */
public record AgentSpec(String cls, String provider, String type) {
    public AgentSpec {
        Objects.requireNonNull(cls, "cls");
        Objects.requireNonNull(type, "type");
    }

    public boolean isStonith() {
        return "stonith".equals(cls);
    }

    @Override
    public String toString() {
        return provider == null ? cls + ":" + type : cls + ":" + provider + ":" + type;
    }
}
