package org.pulse.cib.model;

import java.util.List;

/**
 * An {@code <lrm_resource>}: a resource's operation history on one node, in document order.
 *
 * @param shutdownLock  when the node shut down with shutdown-lock, the epoch second the lock was
 *                      taken ({@code shutdown-lock} attribute), else null
 */
public record LrmResource(String id, String cls, String provider, String type, String container,
                          List<LrmOp> ops, Long shutdownLock) {
    public LrmResource {
        ops = List.copyOf(ops);
    }
}
