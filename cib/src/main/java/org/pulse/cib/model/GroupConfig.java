package org.pulse.cib.model;

import java.util.List;

/** A {@code <group>}: members start in order, stop in reverse, and all run on one node. */
public record GroupConfig(String id, List<NvSet> metaAttributes, List<NvSet> instanceAttributes,
                          List<PrimitiveConfig> members) implements ResourceConfig {
    public GroupConfig {
        metaAttributes = List.copyOf(metaAttributes);
        instanceAttributes = List.copyOf(instanceAttributes);
        members = List.copyOf(members);
    }
}
