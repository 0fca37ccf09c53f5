package org.pulse.cib.model;

import java.util.List;

/**
 * A {@code <primitive>}; a {@code template} reference is already merged in (its attribute sets
 * after the primitive's own, so the primitive's values win).
 */
public record PrimitiveConfig(String id, String cls, String provider, String type,
                              List<NvSet> instanceAttributes, List<NvSet> metaAttributes,
                              List<NvSet> utilization, List<OpConfig> operations, String template)
        implements ResourceConfig {
    public PrimitiveConfig {
        instanceAttributes = List.copyOf(instanceAttributes);
        metaAttributes = List.copyOf(metaAttributes);
        utilization = List.copyOf(utilization);
        operations = List.copyOf(operations);
    }

    /** "ocf:heartbeat:Dummy", "stonith:fence_xvm", "lsb:httpd". */
    public String agent() {
        return provider == null ? cls + ":" + type : cls + ":" + provider + ":" + type;
    }

    public boolean isFenceDevice() {
        return "stonith".equals(cls);
    }
}
