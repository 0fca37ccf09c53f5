package org.pulse.cib.model;

import java.util.List;
import java.util.Map;

/**
 * An {@code <op>} of a primitive.
 *
 * @param intervalMs  0 for one-shot operations (start, stop, probe)
 * @param timeoutMs   null when not configured here (defaults come from op_defaults)
 * @param role        "Promoted"/"Unpromoted"/"Started"/... or null; legacy names normalised
 * @param attributes  every XML attribute of the op, in order (they become CRM_meta_* for the agent)
 */
public record OpConfig(String id, String name, long intervalMs, String role, Long timeoutMs,
                       String onFail, boolean enabled, Map<String, String> attributes,
                       List<NvSet> metaAttributes, List<NvSet> instanceAttributes) {
    public OpConfig {
        attributes = org.pulse.cib.xml.AttributeMap.copyOf(attributes);
        metaAttributes = List.copyOf(metaAttributes);
        instanceAttributes = List.copyOf(instanceAttributes);
    }
}
