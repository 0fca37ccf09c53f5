package org.pulse.cib.model;

import java.util.List;

/** A {@code <clone>} (or legacy {@code <master>}); promotable when so configured or a master. */
public record CloneConfig(String id, boolean legacyMaster, List<NvSet> metaAttributes,
                          List<NvSet> instanceAttributes, ResourceConfig child) implements ResourceConfig {
    public CloneConfig {
        metaAttributes = List.copyOf(metaAttributes);
        instanceAttributes = List.copyOf(instanceAttributes);
    }
}
