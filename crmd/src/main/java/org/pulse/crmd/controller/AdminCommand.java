package org.pulse.crmd.controller;

import java.util.Objects;

/**
 * An admin-socket request, as the controller understands it. The runtime translates the
 * versioned JSON records of org.pulse.cib.admin into these; reads are answered by the node that
 * received them, writes go to the DC.
 */
public sealed interface AdminCommand {
    /** The CIB as this node holds it. */
    record Query() implements AdminCommand {
    }

    /** Membership, DC, quorum, transition, blocked resources, and the CIB. */
    record Status() implements AdminCommand {
    }

    /**
     * This node is asked to stop (SIGTERM): its resources move away, the CIB records it as expected
     * down, then {@link Effect.ShutdownComplete} tells the runtime to leave. Answered at once.
     */
    record Shutdown() implements AdminCommand {
    }

    /** A change of the CIB; {@code force} allows a configuration write without quorum. */
    record Write(CibEdit edit, boolean force) implements AdminCommand {
        public Write {
            Objects.requireNonNull(edit, "edit");
        }
    }
}
