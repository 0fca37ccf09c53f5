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

    /**
     * A transient node attribute update with a dampening delay (attrd_updater -d), handled by the
     * node that received it, as attrd does: the value is written (a {@link Write} to the DC) only
     * once it has stayed the same for {@code dampenMs}; a different value restarts the wait, the
     * same value does not. {@code value} null deletes the attribute. Answered at once.
     */
    record DampenedAttribute(String node, String name, String value, long dampenMs) implements AdminCommand {
        public DampenedAttribute {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(name, "name");
            if (dampenMs < 0) {
                throw new IllegalArgumentException("dampening of " + name + " is negative: " + dampenMs + " ms");
            }
        }
    }

    /**
     * A change of the CIB; {@code force} allows a configuration write without quorum. {@code by}
     * is the operator or agent behind it (null: this cluster's own write, e.g. a dampened value):
     * the DC checks it against the CIB's ACLs and records it on the CIB.
     */
    record Write(CibEdit edit, boolean force, Requester by) implements AdminCommand {
        public Write {
            Objects.requireNonNull(edit, "edit");
        }

        public Write(CibEdit edit, boolean force) {
            this(edit, force, null);
        }
    }
}
