package org.pulse.crmd.controller;

import java.util.Objects;

/**
 * A change an operator (or an agent through crm_attribute / attrd_updater) asks for. It travels
 * to the DC as is and is applied there to the DC's CIB, never to a possibly stale copy;
 * {@link CibEdits} applies it.
 */
public sealed interface CibEdit {
    /**
     * Replace the whole CIB's configuration (and root attributes) with the given document; the
     * status stays. Refused when the document is based on an older configuration than the
     * cluster's (another write came first).
     */
    record ReplaceCib(String xml) implements CibEdit {
        public ReplaceCib {
            Objects.requireNonNull(xml, "xml");
        }
    }

    /** Replace one configuration section (crm_config, nodes, resources, constraints, ...) or "configuration". */
    record ReplaceSection(String section, String xml) implements CibEdit {
        public ReplaceSection {
            Objects.requireNonNull(section, "section");
            Objects.requireNonNull(xml, "xml");
        }
    }

    /** Apply a CibDiff (JSON); it must be based on the cluster's current configuration epoch. */
    record Patch(String diffJson) implements CibEdit {
        public Patch {
            Objects.requireNonNull(diffJson, "diffJson");
        }
    }

    /**
     * Set (value non-null) or delete a node attribute: permanent ones live in the nodes section
     * (crm_attribute -l forever), transient ones in the status section (attrd_updater, -l reboot).
     */
    record NodeAttribute(String node, String name, String value, boolean transientAttribute) implements CibEdit {
        public NodeAttribute {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(name, "name");
        }
    }

    /** Set or delete a cluster property (crm_config). */
    record ClusterProperty(String name, String value) implements CibEdit {
        public ClusterProperty {
            Objects.requireNonNull(name, "name");
        }
    }

    /** Set or delete a resource's meta attribute (target-role, is-managed, ...). */
    record ResourceMeta(String resourceId, String name, String value) implements CibEdit {
        public ResourceMeta {
            Objects.requireNonNull(resourceId, "resourceId");
            Objects.requireNonNull(name, "name");
        }
    }

    /** Forget failures and history of a resource (null: all) on a node (null: all), so it is probed afresh. */
    record Cleanup(String resourceId, String node) implements CibEdit {
    }

    /**
     * Set a resource's fail count on a node (crm resource failcount RSC set NODE VALUE): the node's
     * transient attribute fail-count-RSC becomes {@code value} (a whole number or INFINITY) and the
     * per-operation counts fail-count-RSC#op_interval go, since the policy engine adds them all up;
     * "0" removes them all. The history stays (unlike {@link Cleanup}).
     */
    record FailCount(String resourceId, String node, String value) implements CibEdit {
        public FailCount {
            Objects.requireNonNull(resourceId, "resourceId");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * Put a constraint (the XML of one rsc_location / rsc_colocation / rsc_order, with this id) into
     * the constraints section, replacing one with the same id; null xml removes it. crm resource
     * move, ban and clear are this.
     */
    record Constraint(String id, String xml) implements CibEdit {
        public Constraint {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * crm resource move RSC [NODE]: with a node, a cli-prefer-RSC constraint for it (replacing an
     * earlier one); without, a cli-ban-RSC-on-N for every node where RSC runs now. Decided by the DC
     * from its own CIB (cib's {@link org.pulse.cib.admin.MoveBanClear#move}) and written as one change: nothing another
     * writer did between the operator's look and the write can be lost or half applied.
     */
    record Move(String resourceId, String node) implements CibEdit {
        public Move {
            Objects.requireNonNull(resourceId, "resourceId");
        }
    }

    /** crm resource ban RSC NODE: a cli-ban-RSC-on-NODE constraint ({@link org.pulse.cib.admin.MoveBanClear#ban}). */
    record Ban(String resourceId, String node) implements CibEdit {
        public Ban {
            Objects.requireNonNull(resourceId, "resourceId");
            Objects.requireNonNull(node, "node");
        }
    }

    /** crm resource clear RSC: every cli-prefer/cli-ban constraint of RSC goes, in one change ({@link org.pulse.cib.admin.MoveBanClear#clear}). */
    record Clear(String resourceId) implements CibEdit {
        public Clear {
            Objects.requireNonNull(resourceId, "resourceId");
        }
    }

    /**
     * crm site ticket ACTION TICKET (crm_ticket): the ticket's state in the status section, by cib's
     * {@link org.pulse.cib.admin.TicketCommands} on the DC's own CIB; {@code atEpochS} is the requester's clock,
     * which a grant records as last-granted (crm_ticket stamps its own clock too).
     */
    record Ticket(String ticket, String action, long atEpochS) implements CibEdit {
        public Ticket {
            Objects.requireNonNull(ticket, "ticket");
            Objects.requireNonNull(action, "action");
        }
    }

    /**
     * crm node clearstate NODE (crmsh after a node was fenced by hand): the node's status as after a fencing
     * (offline, expected down, no operation history, no transient attributes), so the policy engine takes what
     * ran there for stopped and recovers it elsewhere. Refused while the node is online: its crmd would report
     * its history again at the next join, and what runs there really runs.
     */
    record ClearState(String node) implements CibEdit {
        public ClearState {
            Objects.requireNonNull(node, "node");
        }
    }

    /**
     * crm node fence NODE (stonith_admin --fence): not a change of the CIB but a request the DC takes
     * like one (forwarded, answered); it fences the node with the devices and topology that fencing
     * after a failure uses, and resets the node's count of failed attempts.
     */
    record Fence(String node) implements CibEdit {
        public Fence {
            Objects.requireNonNull(node, "node");
        }
    }
}
