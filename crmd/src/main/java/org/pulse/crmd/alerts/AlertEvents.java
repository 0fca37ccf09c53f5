package org.pulse.crmd.alerts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.LrmOp;
import org.pulse.cib.model.LrmResource;
import org.pulse.cib.model.NodeConfig;
import org.pulse.cib.model.NodeState;

/**
 * The alert events one node owes its agents when its CIB goes from {@code before} to
 * {@code after}: a pure function of the two CIBs, so every node derives its own share from the
 * CIBs it applies, and nothing in the controller changes for alerts. Which node sends what
 * follows Pacemaker (whose controller, fencer and attribute writer each send their own):
 * <ul>
 * <li>node: every node, for each node whose membership ({@code in_ccm}) changed;</li>
 * <li>fencing: every node, for each node the DC marked fenced ({@code pulse-fenced} on its
 *     node_state, the DC's epoch second, written only after the fence device confirmed) — not when
 *     stonith-enabled=false, where the DC only takes the node as down; and not for a fencing recorded
 *     before this node's crmd started: a node that comes back (the fenced one itself, or one that was
 *     down meanwhile) finds it in the first CIB it gets, but its fencer was not there to see it, and
 *     the nodes that were have reported it already;</li>
 * <li>resource: the node that ran the operation, for each new result in its own history
 *     (a recurring monitor only when its result changed, as Pacemaker's executor reports them;
 *     pending records and the {@code _last_failure_} copy are not results of their own);</li>
 * <li>attribute: the DC (Pacemaker's attribute writer; Pulse's DC writes every attribute), for each
 *     transient attribute that changed on a node still in the membership.</li>
 * </ul>
 * Node events come first, then fencing, resource and attribute events, each in document order.
 */
public final class AlertEvents {
    private AlertEvents() {
    }

    /**
     * {@code before} may be null (nothing applied yet: everything in {@code after} is new);
     * {@code runningSinceEpochSec}: when this node's crmd started (fencing recorded in that second or
     * before is not this node's to report).
     */
    public static List<AlertEvent> between(CibModel before, CibModel after, String localNode,
            long runningSinceEpochSec) {
        Map<String, NodeState> was = byUname(before);
        Map<String, NodeState> now = byUname(after);
        List<AlertEvent> out = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>(was.keySet());
        names.addAll(now.keySet());
        for (String node : names) {
            boolean wasMember = member(was.get(node));
            boolean isMember = member(now.get(node));
            if (wasMember != isMember && now.containsKey(node)) {
                out.add(new AlertEvent(AlertEvent.Kind.NODE, fields("node", node, "nodeid", nodeId(after, node),
                        "desc", isMember ? "member" : "lost")));
            }
        }
        if (after.options().stonithEnabled()) {
            for (NodeState ns : now.values()) {
                String fenced = ns.attributes().get("pulse-fenced");
                NodeState old = was.get(uname(ns));
                if (fenced != null && !fenced.equals(old == null ? null : old.attributes().get("pulse-fenced"))
                        && !fencedBefore(fenced, runningSinceEpochSec)) {
                    String action = after.options().stonithAction();
                    String dc = after.dcUuid() == null ? "the DC" : after.dcUuid();
                    out.add(new AlertEvent(AlertEvent.Kind.FENCING, fields("node", uname(ns), "task", action,
                            "rc", "0", "desc", "Operation " + action + " of " + uname(ns) + " for crmd@" + dc
                                    + ": OK (confirmed)")));
                }
            }
        }
        NodeState mine = now.get(localNode);
        if (mine != null) {
            resourceEvents(was.get(localNode), mine, localNode, out);
        }
        if (localNode.equals(after.dcUuid())) {
            for (NodeState ns : now.values()) {
                if (member(ns)) {
                    attributeEvents(was.get(uname(ns)), ns, out);
                }
            }
        }
        return out;
    }

    /** Whether a {@code pulse-fenced} second is at or before {@code sinceEpochSec}; unreadable: no (report it). */
    static boolean fencedBefore(String fencedEpochSec, long sinceEpochSec) {
        try {
            return Long.parseLong(fencedEpochSec.trim()) <= sinceEpochSec;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void resourceEvents(NodeState was, NodeState now, String node, List<AlertEvent> out) {
        Map<String, LrmOp> old = new LinkedHashMap<>();
        if (was != null) {
            for (LrmResource r : was.resources()) {
                for (LrmOp op : r.ops()) {
                    old.put(r.id() + "/" + op.id(), op);
                }
            }
        }
        for (LrmResource r : now.resources()) {
            for (LrmOp op : r.ops()) {
                if (op.id().endsWith("_last_failure_0") || op.opStatus() == -1 || op.opStatus() == 1) {
                    continue;
                }
                LrmOp prev = old.get(r.id() + "/" + op.id());
                if (!isNewResult(prev, op)) {
                    continue;
                }
                out.add(new AlertEvent(AlertEvent.Kind.RESOURCE, fields("node", node, "rsc", r.id(),
                        "task", op.operation(), "interval", Long.toString(op.intervalMs()),
                        "rc", Integer.toString(op.rcCode()), "status", Integer.toString(op.opStatus()),
                        "target_rc", Integer.toString(op.expectedRc() < 0 ? 0 : op.expectedRc()),
                        "exec_time", Long.toString(op.execTimeMs()),
                        "desc", op.opStatus() == 0 ? org.pulse.lrm.OcfRc.name(op.rcCode()) : statusText(op.opStatus()))));
            }
        }
    }

    /**
     * A one-shot entry is a new result when anything that identifies the run differs; a recurring
     * monitor's entry only when its result changed, as the executor reports recurring results.
     */
    static boolean isNewResult(LrmOp prev, LrmOp op) {
        if (prev == null || prev.opStatus() == -1) {
            return true;
        }
        boolean resultChanged = prev.rcCode() != op.rcCode() || prev.opStatus() != op.opStatus();
        if (op.intervalMs() > 0) {
            return resultChanged;
        }
        return resultChanged || prev.callId() != op.callId()
                || !java.util.Objects.equals(prev.transitionKey(), op.transitionKey())
                || prev.lastRcChange() != op.lastRcChange();
    }

    private static void attributeEvents(NodeState was, NodeState now, List<AlertEvent> out) {
        Map<String, String> old = was == null ? Map.of() : was.transientAttributes();
        Set<String> names = new LinkedHashSet<>(old.keySet());
        names.addAll(now.transientAttributes().keySet());
        for (String name : names) {
            String before = old.get(name);
            String after = now.transientAttributes().get(name);
            if (!java.util.Objects.equals(before, after)) {
                out.add(new AlertEvent(AlertEvent.Kind.ATTRIBUTE, fields("node", uname(now),
                        "attribute_name", name, "attribute_value", after == null ? "" : after)));
            }
        }
    }

    /** Pacemaker's words for an execution status other than done. */
    static String statusText(int status) {
        return switch (status) {
            case -1 -> "pending";
            case 0 -> "complete";
            case 1 -> "Cancelled";
            case 2 -> "Timed Out";
            case 3 -> "NOT SUPPORTED";
            case 4 -> "Error";
            case 5 -> "Not installed";
            case 6 -> "Internal communication failure";
            case 7 -> "Cannot execute now";
            default -> "Unknown";
        };
    }

    /** In the membership: in_ccm "true" or (newer Pacemaker) a timestamp; absent or "false" is not. */
    static boolean member(NodeState ns) {
        if (ns == null || ns.inCcm() == null) {
            return false;
        }
        String v = ns.inCcm().trim();
        return v.equals("true") || v.equals("yes") || v.equals("1") || (!v.isEmpty() && !v.equals("false")
                && !v.equals("0") && !v.equals("no") && v.chars().allMatch(Character::isDigit));
    }

    private static Map<String, NodeState> byUname(CibModel cib) {
        Map<String, NodeState> out = new LinkedHashMap<>();
        if (cib != null) {
            for (NodeState ns : cib.status()) {
                out.put(uname(ns), ns);
            }
        }
        return out;
    }

    private static String uname(NodeState ns) {
        return ns.uname() != null ? ns.uname() : ns.id();
    }

    private static String nodeId(CibModel cib, String node) {
        for (NodeConfig n : cib.nodes()) {
            if (node.equals(n.uname())) {
                return n.id();
            }
        }
        return node;
    }

    private static Map<String, String> fields(String... kv) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            out.put(kv[i], kv[i + 1]);
        }
        return out;
    }
}
