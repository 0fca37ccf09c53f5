package org.pulse.cib.model;

import java.util.List;

/**
 * A {@code <node>} of the configuration.
 *
 * @param score  the node's base score for every resource (the {@code score} attribute), 0 if absent
 */
public record NodeConfig(String id, String uname, String type, int score, List<NvSet> attributes,
                         List<NvSet> utilization) {
    public NodeConfig {
        attributes = List.copyOf(attributes);
        utilization = List.copyOf(utilization);
    }

    public boolean isRemote() {
        return "remote".equals(type);
    }
}
