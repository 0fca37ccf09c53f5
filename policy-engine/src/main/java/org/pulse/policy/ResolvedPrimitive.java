package org.pulse.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A primitive as the policy engine reads it, after templates, id-refs, rules, inheritance and
 * rsc_defaults (its resources stage): the read-only view that lets crmd and tests check that they
 * read every resource alike ({@link PolicyEngine#resolvedPrimitives}). Immutable.
 *
 * @param id          the primitive's id (clone instances share one entry, without ":N")
 * @param provider    null for classes without providers
 * @param params      instance attributes, in the engine's order
 * @param meta        meta attributes: own, inherited, rsc_defaults, and what the engine adds (a remote
 *                    connection's allow-migrate, a bundle's markers)
 * @param operations  the configured operations, each with the timeout its actions carry
 * @param implicit    made by the engine, not configured as a primitive: a bundle's containers, addresses
 *                    and connections, a guest node's connection
 */
public record ResolvedPrimitive(String id, String cls, String provider, String type, Map<String, String> params,
                                Map<String, String> meta, List<Operation> operations, boolean implicit) {
    public ResolvedPrimitive {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        meta = Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        operations = List.copyOf(operations);
    }

    /** "ocf:heartbeat:Dummy", "stonith:fence_xvm". */
    public String agent() {
        return provider == null ? cls + ":" + type : cls + ":" + provider + ":" + type;
    }

    /**
     * One configured operation.
     *
     * @param role       "Promoted", "Unpromoted", "Stopped"... or null
     * @param timeoutMs  what its actions carry as CRM_meta_timeout: its own, op_defaults', or 20 s
     * @param onFail     as configured on the op, or null
     * @param params     the op's own instance attributes (OCF_CHECK_LEVEL), sent over the resource's
     */
    public record Operation(String name, long intervalMs, String role, long timeoutMs, String onFail,
                            boolean enabled, Map<String, String> params) {
        public Operation {
            params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }
    }
}
