package org.pulse.cib.model;

import java.util.List;
import java.util.Map;

/**
 * A {@code <node_state>}: membership as last recorded, transient attributes (fail counts,
 * last failures, standby for this boot, shutdown requests) and the operation history.
 *
 * @param inCcm    "true"/"false" or a timestamp (newer Pacemaker); null if absent
 * @param crmd     "online"/"offline" or a timestamp; null if absent
 * @param join     "member", "down", "pending", "banned"; null if absent
 * @param expected "member" or "down"; null if absent
 */
public record NodeState(String id, String uname, String inCcm, String crmd, String join, String expected,
                        Map<String, String> transientAttributes, List<LrmResource> resources,
                        Map<String, String> attributes) {
    public NodeState {
        transientAttributes = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(transientAttributes));
        resources = List.copyOf(resources);
        attributes = org.pulse.cib.xml.AttributeMap.copyOf(attributes);
    }
}
