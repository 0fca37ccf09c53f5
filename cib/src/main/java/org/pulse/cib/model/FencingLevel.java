package org.pulse.cib.model;

import java.util.List;

/** A {@code <fencing-level>} of the fencing topology. */
public record FencingLevel(String id, String target, String targetPattern, String targetAttribute,
                           String targetValue, int index, List<String> devices) {
    public FencingLevel {
        devices = List.copyOf(devices);
    }
}
