package org.pulse.cib.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pulse.cib.xml.XmlElement;

/**
 * The status section, typed: per node its recorded membership, transient attributes, fail counts
 * and operation history, and across nodes where each resource may be active. Built once per CIB
 * (see {@code Cib.statusView()}) and read by the DC, the fencer and the observers instead of each
 * walking {@code lrm_rsc_op} elements of its own.
 */
public final class StatusView {
    private final Map<String, NodeState> byNode;

    private StatusView(List<NodeState> states) {
        Map<String, NodeState> m = new LinkedHashMap<>();
        for (NodeState s : states) {
            m.putIfAbsent(nameOf(s), s);
        }
        this.byNode = Collections.unmodifiableMap(m);
    }

    public static StatusView of(List<NodeState> states) {
        return new StatusView(states);
    }

    /** The view of {@code <cib>}'s status section alone (the configuration is not read). */
    public static StatusView of(XmlElement cibRoot) {
        List<NodeState> states = new ArrayList<>();
        for (XmlElement st : cibRoot.elements("status")) {
            for (XmlElement ns : st.elements("node_state")) {
                states.add(CibModelReader.nodeState(ns));
            }
        }
        return new StatusView(states);
    }

    /**
     * The transient attributes of one {@code node_state} element, name → value in document order, the first
     * to name one wins: the one reading of them, for the typed view and for writers that edit the XML.
     */
    public static Map<String, String> transientAttributes(XmlElement nodeState) {
        Map<String, String> out = new LinkedHashMap<>();
        for (XmlElement ta : nodeState.elements("transient_attributes")) {
            for (XmlElement s : ta.elements("instance_attributes")) {
                for (XmlElement p : s.elements("nvpair")) {
                    if (p.attr("name") != null) {
                        out.putIfAbsent(p.attr("name"), p.attr("value", ""));
                    }
                }
            }
        }
        return out;
    }

    /** A node_state's node name: its uname, else its id (as Pacemaker's tools show it). */
    public static String nameOf(NodeState s) {
        return s.uname() != null ? s.uname() : s.id();
    }

    /** node name → its recorded state, in document order. */
    public Map<String, NodeState> nodes() {
        return byNode;
    }

    public Optional<NodeState> node(String name) {
        return Optional.ofNullable(byNode.get(name));
    }

    /** The history of {@code resourceId} on {@code node}, if any. */
    public Optional<LrmResource> history(String node, String resourceId) {
        NodeState s = byNode.get(node);
        if (s != null) {
            for (LrmResource r : s.resources()) {
                if (resourceId.equals(r.id())) {
                    return Optional.of(r);
                }
            }
        }
        return Optional.empty();
    }

    /** Each resource that may be active, with the nodes where it may be (see {@link LrmResource#possiblyActive}). */
    public Map<String, SortedSet<String>> possiblyActive() {
        Map<String, SortedSet<String>> out = new TreeMap<>();
        for (Map.Entry<String, NodeState> e : byNode.entrySet()) {
            for (LrmResource r : e.getValue().resources()) {
                if (r.possiblyActive()) {
                    out.computeIfAbsent(r.id(), k -> new TreeSet<>()).add(e.getKey());
                }
            }
        }
        return out;
    }

    /**
     * The nodes where the last one-shot operation of {@code resourceId} (or of an instance
     * {@code resourceId:N}) completed and left it running: a start, promote or migration that
     * succeeded, a failed stop, or a probe that found it running. Stricter than
     * {@link #possiblyActive}: what crm status and crm resource move call "running there".
     */
    public SortedSet<String> runningOn(String resourceId) {
        SortedSet<String> out = new TreeSet<>();
        for (Map.Entry<String, NodeState> e : byNode.entrySet()) {
            for (LrmResource r : e.getValue().resources()) {
                if (!r.id().equals(resourceId) && !r.id().startsWith(resourceId + ":")) {
                    continue;
                }
                LrmOp last = r.last();
                if (last != null && last.opStatus() == 0 && leftRunning(last)) {
                    out.add(e.getKey());
                }
            }
        }
        return out;
    }

    private static boolean leftRunning(LrmOp op) {
        if ("stop".equals(op.operation())) {
            return op.rcCode() != 0;
        }
        if ("monitor".equals(op.operation())) {
            return op.rcCode() == 0 || op.rcCode() == 8;
        }
        return op.rcCode() == 0;
    }

    /** The operations in flight on {@code node} (recorded pending). */
    public List<LrmOp> pending(String node) {
        List<LrmOp> out = new ArrayList<>();
        NodeState s = byNode.get(node);
        if (s != null) {
            for (LrmResource r : s.resources()) {
                out.addAll(r.pending());
            }
        }
        return out;
    }

    /**
     * {@code node}'s fail counts by resource: {@code fail-count-RSC} and the per-operation
     * {@code fail-count-RSC#op_interval} entries added up (INFINITY, or a sum reaching it, is
     * {@link Scores#INFINITY}), as the policy engine counts them.
     */
    public Map<String, Integer> failCounts(String node) {
        Map<String, Integer> out = new TreeMap<>();
        NodeState s = byNode.get(node);
        if (s == null) {
            return out;
        }
        for (Map.Entry<String, String> a : s.transientAttributes().entrySet()) {
            FailCountName name = FailCountName.parse(a.getKey());
            if (name == null) {
                continue;
            }
            int n = Scores.parse(a.getValue(), 0);
            out.merge(name.resource(), n, (x, y) -> (int) Math.min((long) Scores.INFINITY, (long) x + y));
        }
        return out;
    }

    /**
     * Whether {@code resourceId} (a history entry's id: a clone instance's "rsc:1" too) has a failure
     * to clean up on {@code node}, or on any node when null: a fail count above 0 or a recorded last
     * failure. What Pacemaker 2's {@code crm_resource --cleanup} acts on; {@code --refresh} forgets a
     * healthy resource's history too (a re-probe).
     */
    public boolean hasFailures(String resourceId, String node) {
        for (NodeState s : byNode.values()) {
            String name = nameOf(s);
            if (node != null && !node.equals(name)) {
                continue;
            }
            if (failCounts(name).getOrDefault(resourceId, 0) > 0) {
                return true;
            }
            for (LrmResource r : s.resources()) {
                if (r.id().equals(resourceId) && r.lastFailure() != null) {
                    return true;
                }
            }
        }
        return false;
    }
}
