package org.pulse.crmd.controller;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pulse.cib.Cib;

/**
 * How the controller reads a configured resource (agent, parameters, operation timeouts), through
 * the same functions its DC and fencer use. Public for one reason: the test in {@code tests/} that
 * checks crmd and the policy engine agree about every resource of Pacemaker's scheduler cases.
 */
public final class ResourceReading {
    private ResourceReading() {
    }

    /**
     * One primitive as crmd reads it.
     *
     * @param agent  "class:provider:type" or "class:type"
     */
    public record Definition(String id, String agent, Map<String, String> params) {
        public Definition {
            params = Map.copyOf(params);
        }
    }

    /** Every primitive, rules evaluated at {@code at}. */
    public static Map<String, Definition> primitives(Cib cib, Instant at) {
        Map<String, Definition> out = new LinkedHashMap<>();
        for (Primitive p : Cibs.primitives(cib, at).values()) {
            out.put(p.id(), new Definition(p.id(), p.agent().toString(), p.params()));
        }
        return out;
    }

    /** The timeout crmd reads for an operation of {@code resourceId}, {@code fallbackMs} when none is configured. */
    public static long opTimeoutMs(Cib cib, Instant at, String resourceId, String op, long intervalMs, long fallbackMs) {
        return Cibs.opTimeoutMs(cib, at, resourceId, op, intervalMs, fallbackMs);
    }
}
