package org.pulse.cib.model;

import java.util.List;
import java.util.Map;

/**
 * A {@code <bundle>}, read only as far as naming goes: the container kind and its attributes,
 * replicas, and the child primitive if any. Pulse does not schedule bundles yet.
 */
public record BundleConfig(String id, String containerKind, Map<String, String> containerAttributes,
                           List<NvSet> metaAttributes, List<NvSet> instanceAttributes, PrimitiveConfig child)
        implements ResourceConfig {
    public BundleConfig {
        containerAttributes = Map.copyOf(containerAttributes);
        metaAttributes = List.copyOf(metaAttributes);
        instanceAttributes = List.copyOf(instanceAttributes);
    }
}
