package org.pulse.cib.model;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a resource's attribute sets resolve: the one rule that crmd (through {@link EffectivePrimitive}) and
 * the policy engine (its resources stage) both apply, so they cannot give the same resource different
 * parameters. Pacemaker's order: meta attributes are the resource's own sets, then everything its parent
 * resolved (the parent's own rsc_defaults included, evaluated without an agent, so rsc_expression rules
 * do not hold there), then rsc_defaults for the resource itself; instance attributes are its own sets,
 * then its parent's. The value "#default" is no value ({@link NvSet#mergeIntoWithoutDefaults}).
 */
public final class AttributeInheritance {
    private AttributeInheritance() {
    }

    /** What a resource's rules see at {@code at}: its agent for a primitive (cls null for groups and clones). */
    public static RuleContext context(Instant at, String cls, String provider, String type) {
        return new RuleContext(Map.of(), at, cls, provider, type, null, null);
    }

    /** Meta attributes: {@code own}, then {@code parentMeta} (already resolved), then {@code rscDefaults}. */
    public static Map<String, String> meta(List<NvSet> own, Map<String, String> parentMeta, List<NvSet> rscDefaults,
            RuleContext ctx) {
        Map<String, String> out = params(own, parentMeta, ctx);
        NvSet.mergeIntoWithoutDefaults(out, rscDefaults, ctx);
        return out;
    }

    /** Instance attributes: {@code own}, then {@code parentParams} (already resolved). */
    public static Map<String, String> params(List<NvSet> own, Map<String, String> parentParams, RuleContext ctx) {
        Map<String, String> out = new LinkedHashMap<>();
        NvSet.mergeIntoWithoutDefaults(out, own, ctx);
        for (Map.Entry<String, String> e : parentParams.entrySet()) {
            out.putIfAbsent(e.getKey(), e.getValue());
        }
        return out;
    }
}
