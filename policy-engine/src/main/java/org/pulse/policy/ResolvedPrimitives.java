package org.pulse.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.model.BundleConfig;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.CloneConfig;
import org.pulse.cib.model.EffectivePrimitive;
import org.pulse.cib.model.GroupConfig;
import org.pulse.cib.model.NvSet;
import org.pulse.cib.model.OpConfig;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.ResourceConfig;
import org.pulse.cib.model.RuleContext;

/**
 * The engine's reading of every primitive, for {@link PolicyEngine#resolvedPrimitives}: the first stages of
 * a scheduling run (bundles expanded, nodes, resources) and nothing after them, so no history is read.
 */
final class ResolvedPrimitives {
    private ResolvedPrimitives() {
    }

    static Map<String, ResolvedPrimitive> of(CibModel configured, Instant now) {
        // the same first stages, in the same order, as PolicyEngine.stages
        CibModel cib = Bundles.expand(configured);
        Instant at = cib.executionDate() != null ? cib.executionDate() : now;
        NodeUnpack.Nodes nodes = new NodeUnpack(cib, at).run();
        ResourceUnpack.Resources resources = new ResourceUnpack(cib, at, nodes).run();
        Set<String> configuredIds = new HashSet<>();
        for (ResourceConfig rc : configured.resources()) {
            primitiveIds(rc, configuredIds);
        }
        Map<String, ResolvedPrimitive> out = new LinkedHashMap<>();
        for (Rsc r : resources.byId().values()) {
            if (!r.isPrimitive() || r.prim == null || out.containsKey(r.prim.id())) {
                continue;   // clone instances: the first stands for all (they differ in nothing read here)
            }
            List<ResolvedPrimitive.Operation> ops = new ArrayList<>();
            for (OpConfig o : r.ops) {
                // an op configured twice reads as its first definition, as the graph's actions do (Unpack.findOp)
                Long ms = EffectivePrimitive.opTimeoutMs(cib, r.prim.cls(), r.prim.provider(), r.prim.type(),
                        Unpack.findOp(r, o.name(), o.intervalMs()), o.name(), o.intervalMs(), at);
                ops.add(new ResolvedPrimitive.Operation(o.name(), o.intervalMs(), o.role(),
                        ms != null ? ms : EffectivePrimitive.DEFAULT_OP_TIMEOUT_MS, o.onFail(), o.enabled(),
                        NvSet.merge(o.instanceAttributes(), RuleContext.at(at))));
            }
            out.put(r.prim.id(), new ResolvedPrimitive(r.prim.id(), r.prim.cls(), r.prim.provider(), r.prim.type(),
                    r.params, r.meta, ops, !configuredIds.contains(r.prim.id())));
        }
        return out;
    }

    private static void primitiveIds(ResourceConfig rc, Set<String> out) {
        if (rc instanceof PrimitiveConfig p) {
            out.add(p.id());
        } else if (rc instanceof GroupConfig g) {
            g.members().forEach(m -> primitiveIds(m, out));
        } else if (rc instanceof CloneConfig c) {
            primitiveIds(c.child(), out);
        } else if (rc instanceof BundleConfig b && b.child() != null) {
            primitiveIds(b.child(), out);
        }
    }
}
