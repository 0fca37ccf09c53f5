package org.pulse.crmd.controller;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.pulse.cib.Cib;
import org.pulse.cib.xml.XmlElement;

/**
 * What the DC records when a join completes, one concern of {@link DcRole} as pure functions: which
 * CIB wins (the highest version, whoever became DC), the membership as Pacemaker keeps it in the
 * status section (node_state in_ccm/crmd/join/expected, each member's own operation history), and
 * the DC's stamps on the root (have-quorum, dc-uuid, feature set, have-watchdog).
 */
final class JoinRecords {
    private JoinRecords() {
    }

    /** The CIB to continue from and the node it came from. */
    record Best(Cib cib, String from) {
    }

    /** The highest CIB among this DC's own and the members' answers; the DC's own on a tie. */
    static Best highest(Cib own, String self, Map<String, Message.JoinResponse> responses) {
        Cib best = own;
        String bestFrom = self;
        for (Map.Entry<String, Message.JoinResponse> e : responses.entrySet()) {
            Cib theirs = e.getValue().cib();
            if (theirs != null && theirs.version().isNewerThan(best.version())) {
                best = theirs;
                bestFrom = e.getKey();
            }
        }
        return new Best(best, bestFrom);
    }

    /**
     * The root with the join's membership recorded: members (those of {@code view}, who answered)
     * online with the history they reported; {@code silent} ones (in the membership, no answer)
     * pending; nodes outside {@code joinView} down; nodes a member suspects of still running
     * something expected as members (so losing them means fencing); stale shutdown requests gone.
     */
    static XmlElement membership(XmlElement bestRoot, View view, View joinView, List<String> silent,
            Map<String, Message.JoinResponse> responses) {
        XmlElement root = Cibs.withNodes(bestRoot, view.members());
        for (String m : view.members()) {
            XmlElement lrm = responses.get(m).lrm();
            root = Cibs.updateNodeState(root, m, ns -> Cibs.withLrm(Cibs.withAttrs(ns, "in_ccm", "true",
                    "crmd", "online", "join", "member", "expected", "member"), lrm));
        }
        Set<String> suspects = new TreeSet<>();
        responses.values().forEach(r -> suspects.addAll(r.suspects()));
        for (String node : suspects) {
            if (!view.contains(node)) {
                root = Cibs.updateNodeState(root, node, s -> Cibs.withAttrs(s, "expected", "member"));
            }
        }
        for (String m : silent) {
            // In the membership but not joined: Pacemaker's pending node (online to corosync, not a member).
            root = Cibs.updateNodeState(root, m, ns -> Cibs.withAttrs(ns, "in_ccm", "true", "crmd", "online",
                    "join", "pending"));
        }
        for (XmlElement ns : Cibs.nodeStates(root)) {
            String node = ns.attr("uname", ns.id());
            // A remote node's state is its connection's business, never the membership's.
            if (node != null && !joinView.contains(node) && !"false".equals(ns.attr("in_ccm"))
                    && !"true".equals(ns.attr("remote_node"))) {
                root = Cibs.updateNodeState(root, node, s -> Cibs.withAttrs(s, "in_ccm", "false", "crmd", "offline",
                        "join", "down"));
            }
        }
        for (String m : view.members()) {
            // A node still shutting down asks again after this join; a stale request must not linger.
            root = Cibs.updateNodeState(root, m, ns -> Cibs.withTransientAttribute(ns, m, "shutdown", null));
        }
        return root;
    }

    /** The root with the DC's stamps: have-quorum, dc-uuid, its feature set and have-watchdog. */
    static XmlElement stamped(XmlElement root, String haveQuorum, String dcUuid, boolean haveWatchdog) {
        // As Pacemaker's DC stamps its own feature set: the policy engine reads history by it (fail counts per
        // operation, as this controller records them, count from 3.0.13 on).
        XmlElement out = root.withAttribute("have-quorum", haveQuorum).withAttribute("dc-uuid", dcUuid)
                .withAttribute("crm_feature_set", Cibs.CRM_FEATURE_SET);
        // As Pacemaker's DC records whether SBD runs on it: the policy engine then counts watchdog
        // self-fencing as a way to fence (have-watchdog), so a cluster without a fence device may run.
        return Cibs.withHaveWatchdog(out, haveWatchdog);
    }
}
