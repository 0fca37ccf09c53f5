package org.pulse.policy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.ClusterOptions;

/**
 * The output of the unpack stage: nodes and resources with their current state, indexed by
 * name and id so that no later stage walks a whole list to find one thing.
 *
 * @param topLevel  resources in configuration order (orphans at the end)
 * @param byId      every resource object, including members, instances and orphans
 */
record Cluster(CibModel cib, ClusterOptions options, Instant now, boolean haveQuorum, boolean stonithEnabled,
               boolean hasFenceDevice, List<SNode> nodes, Map<String, SNode> nodesByName,
               Map<String, SNode> nodesById, List<Rsc> topLevel, Map<String, Rsc> byId) {

    /** Pacemaker's pe_can_fence: fencing on, a device exists, and quorum (or policy ignore, or node is with us). */
    boolean canFence(SNode node) {
        if (!stonithEnabled || !hasFenceDevice) {
            return false;
        }
        if (haveQuorum || "ignore".equals(options.noQuorumPolicy())) {
            return true;
        }
        return node != null && node.online;
    }

    /** May resources start at all (quorum, or a policy that allows running without it)? */
    boolean quorumAllowsStarts() {
        return haveQuorum || "ignore".equals(options.noQuorumPolicy());
    }

    SNode node(String name) {
        return nodesByName.get(name);
    }

    /** One more than the largest {@code Rsc.order}: the length of an array indexed by resource. */
    int rscSlots() {
        int slots = 0;
        for (Rsc r : byId.values()) {
            slots = Math.max(slots, r.order + 1);
        }
        return slots;
    }

    /** One more than the largest {@code SNode.index}: the length of an array indexed by node. */
    int nodeSlots() {
        int slots = 0;
        for (SNode n : nodes) {
            slots = Math.max(slots, n.index + 1);
        }
        return slots;
    }
}
