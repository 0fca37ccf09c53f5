package org.pulse.cib.model;

import java.util.List;
import java.util.Map;

/**
 * A {@code <bundle>}: the container kind and its attributes (image, replicas, promoted-max...),
 * the {@code <network>} element's attributes (ip-range-start, control-port...), and the child
 * primitive if any. The policy engine expands it into its implicit resources (see the
 * engine's Bundles); storage and port mappings only shape the container's run options.
 */
public record BundleConfig(String id, String containerKind, Map<String, String> containerAttributes,
                           List<NvSet> metaAttributes, List<NvSet> instanceAttributes, PrimitiveConfig child,
                           Map<String, String> networkAttributes)
        implements ResourceConfig {
    public BundleConfig {
        containerAttributes = Map.copyOf(containerAttributes);
        networkAttributes = Map.copyOf(networkAttributes);
        metaAttributes = List.copyOf(metaAttributes);
        instanceAttributes = List.copyOf(instanceAttributes);
    }
}
