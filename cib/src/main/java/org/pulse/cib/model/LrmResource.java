package org.pulse.cib.model;

import java.util.List;

/** An {@code <lrm_resource>}: a resource's operation history on one node, in document order. */
public record LrmResource(String id, String cls, String provider, String type, String container,
                          List<LrmOp> ops) {
    public LrmResource {
        ops = List.copyOf(ops);
    }
}
