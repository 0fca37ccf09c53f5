package org.pulse.crmd.controller;

import java.util.Map;

/**
 * A primitive resource as the controller needs it (to probe, to stop, to fence with): its agent,
 * instance parameters and meta attributes (inherited and defaulted, see EffectivePrimitive), and whether it sits in a promotable clone.
 */
record Primitive(String id, AgentSpec agent, Map<String, String> params, Map<String, String> meta,
        boolean promotable) {
    Primitive {
        params = Map.copyOf(params);
        meta = Map.copyOf(meta);
    }

    /** The controller's view of cib.model's reading (one reading of the CIB for crmd and the engine). */
    static Primitive of(org.pulse.cib.model.EffectivePrimitive p) {
        return new Primitive(p.id(), new AgentSpec(p.cls(), p.provider(), p.type()), p.params(), p.meta(),
                p.promotable());
    }
}
