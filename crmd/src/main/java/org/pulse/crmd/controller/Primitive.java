package org.pulse.crmd.controller;

import java.util.Map;

/**
 * A primitive resource as the controller needs it (to probe, to stop, to fence with): its agent,
 * instance parameters and meta attributes, and whether it sits in a promotable clone.
 */
record Primitive(String id, AgentSpec agent, Map<String, String> params, Map<String, String> meta,
        boolean promotable) {
    Primitive {
        params = Map.copyOf(params);
        meta = Map.copyOf(meta);
    }
}
