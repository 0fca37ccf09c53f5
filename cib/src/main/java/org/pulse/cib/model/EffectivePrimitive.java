package org.pulse.cib.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A primitive as the cluster runs it: its template merged in (by the reader), id-refs resolved,
 * the rules of its attribute sets evaluated at one time, and what it inherits from its group or
 * clone and from rsc_defaults filled in. One reading shared by everyone that needs "what agent,
 * with what parameters and operations" (crmd's DC and fencer, the parity test against the policy
 * engine), so they cannot disagree about the same resource.
 *
 * @param params      instance attributes: its own sets (best score first), then its parents'
 * @param meta        meta attributes: its own, its parents', then rsc_defaults
 * @param parents     the ids of the group and clone around it, innermost first
 * @param promotable  inside a promotable clone (or a legacy master)
 */
public record EffectivePrimitive(String id, String cls, String provider, String type, Map<String, String> params,
                                 Map<String, String> meta, List<OpConfig> operations, List<String> parents,
                                 boolean promotable) {
    public EffectivePrimitive {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        meta = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(meta));
        operations = List.copyOf(operations);
        parents = List.copyOf(parents);
    }

    public boolean isFenceDevice() {
        return "stonith".equals(cls);
    }

    /** "ocf:heartbeat:Dummy", "stonith:fence_xvm". */
    public String agent() {
        return provider == null ? cls + ":" + type : cls + ":" + provider + ":" + type;
    }

    /**
     * The configured operation {@code name} with exactly this interval, else null (the policy
     * engine's rule: a start is the op named start with interval 0, however it was spelled).
     */
    public OpConfig op(String name, long intervalMs) {
        for (OpConfig o : operations) {
            if (name.equals(o.name()) && o.intervalMs() == intervalMs) {
                return o;
            }
        }
        return null;
    }

    /**
     * The timeout of operation {@code name}: the op's own, else op_defaults' (its rules evaluated
     * for this resource and operation at {@code at}), else null (the caller's default applies).
     */
    public Long opTimeoutMs(CibModel cib, String name, long intervalMs, Instant at) {
        return opTimeoutMs(cib, cls, provider, type, op(name, intervalMs), name, intervalMs, at);
    }

    /**
     * The one rule for an operation's timeout, for crmd and the policy engine alike: the configured op's
     * own ({@code configured}, may be null), else op_defaults' (rules evaluated for this agent and
     * operation at {@code at}), else null: the caller's default applies (Pacemaker's is 20 s).
     */
    public static Long opTimeoutMs(CibModel cib, String cls, String provider, String type, OpConfig configured,
            String name, long intervalMs, Instant at) {
        if (configured != null && configured.timeoutMs() != null) {
            return configured.timeoutMs();
        }
        if (cib.opDefaults().isEmpty()) {
            return null;
        }
        Map<String, String> d = NvSet.merge(cib.opDefaults(),
                new RuleContext(Map.of(), at, cls, provider, type, name, intervalMs));
        String t = d.get("timeout");
        return t == null ? null : Durations.parseMs(t, DEFAULT_OP_TIMEOUT_MS);
    }

    /** Pacemaker's timeout of an operation nothing configures a timeout for. */
    public static final long DEFAULT_OP_TIMEOUT_MS = 20_000L;

    /** Every primitive of {@code cib} (also inside groups and clones), in document order, resolved at {@code at}. */
    public static Map<String, EffectivePrimitive> all(CibModel cib, Instant at) {
        Map<String, EffectivePrimitive> out = new LinkedHashMap<>();
        for (ResourceConfig rc : cib.resources()) {
            collect(cib, rc, at, new Parent(List.of(), Map.of(), Map.of(), false), out);
        }
        return out;
    }

    private record Parent(List<String> ids, Map<String, String> meta, Map<String, String> params, boolean promotable) {
    }

    private static void collect(CibModel cib, ResourceConfig rc, Instant at, Parent parent,
            Map<String, EffectivePrimitive> out) {
        if (rc instanceof PrimitiveConfig p) {
            RuleContext ctx = AttributeInheritance.context(at, p.cls(), p.provider(), p.type());
            Map<String, String> meta = AttributeInheritance.meta(p.metaAttributes(), parent.meta(), cib.rscDefaults(), ctx);
            Map<String, String> params = AttributeInheritance.params(p.instanceAttributes(), parent.params(), ctx);
            out.putIfAbsent(p.id(), new EffectivePrimitive(p.id(), p.cls() == null ? "ocf" : p.cls(), p.provider(),
                    p.type() == null ? "" : p.type(), params, meta, p.operations(), reversed(parent.ids()),
                    parent.promotable()));
            return;
        }
        RuleContext ctx = AttributeInheritance.context(at, null, null, null);
        Map<String, String> meta = AttributeInheritance.meta(rc.metaAttributes(), parent.meta(), cib.rscDefaults(), ctx);
        Map<String, String> params = AttributeInheritance.params(rc.instanceAttributes(), parent.params(), ctx);
        List<String> ids = new ArrayList<>(parent.ids());
        ids.add(rc.id());
        if (rc instanceof GroupConfig g) {
            Parent inner = new Parent(ids, meta, params, parent.promotable());
            for (PrimitiveConfig m : g.members()) {
                collect(cib, m, at, inner, out);
            }
        } else if (rc instanceof CloneConfig c) {
            boolean promotable = parent.promotable() || c.legacyMaster() || ClusterOptions.isTrue(meta.get("promotable"));
            collect(cib, c.child(), at, new Parent(ids, meta, params, promotable), out);
        } else if (rc instanceof BundleConfig b && b.child() != null) {
            collect(cib, b.child(), at, new Parent(ids, meta, params, parent.promotable()), out);
        }
    }

    private static List<String> reversed(List<String> ids) {
        List<String> out = new ArrayList<>(ids);
        java.util.Collections.reverse(out);
        return out;
    }
}
