package org.pulse.crmd.runtime;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.pulse.cib.Cib;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.CloneConfig;
import org.pulse.cib.model.EffectivePrimitive;
import org.pulse.cib.model.FailCountName;
import org.pulse.cib.model.GroupConfig;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.NodeState;
import org.pulse.cib.model.PrimitiveConfig;
import org.pulse.cib.model.ResourceConfig;
import org.pulse.crmd.controller.StatusReport;
import org.pulse.policy.NodeSummary;
import org.pulse.policy.Placement;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;

/**
 * The cluster as Prometheus metrics, under the names, types and labels of ClusterLabs'
 * ha_cluster_exporter (so its Grafana dashboards work unchanged), plus Pulse's own counters.
 * A pure function of one status answer (the CIB and this node's view of membership and quorum):
 * where each resource is comes from the policy engine's reading of the status section, the same
 * reading the DC schedules from, never a second interpretation of the history.
 *
 * <p>Membership maps onto the corosync family: quorate and votes from crmd's quorum, one ring per
 * cluster link, member votes per node of the view.
 */
final class Metrics {
    private Metrics() {
    }

    /** {@code now}: the time the placement is read at (failure-timeout expiry depends on it). */
    static String render(StatusReport s, Cib cib, int links, java.time.Instant now) {
        CibModel model = cib.model();
        Transition t = PolicyEngine.schedule(model, now);
        StringBuilder b = new StringBuilder(4096);

        family(b, "ha_cluster_pacemaker_nodes", "gauge", "The status of each node in the cluster (1 means the node is in that status)");
        Map<String, String> nodeType = new LinkedHashMap<>();
        model.nodes().forEach(n -> nodeType.put(n.uname(), n.type() == null ? "member" : n.type()));
        for (NodeSummary n : t.nodes()) {
            String type = nodeType.getOrDefault(n.name(), "member");
            for (String status : List.of("online", "standby", "standby_onfail", "maintenance", "pending", "unclean",
                    "shutdown", "expected_up", "dc")) {
                boolean on = switch (status) {
                    case "online" -> n.state().equals("online") || n.state().equals("standby") || n.state().equals("maintenance");
                    case "standby" -> n.state().equals("standby");
                    case "maintenance" -> n.state().equals("maintenance");
                    case "pending" -> n.state().equals("pending");
                    case "unclean" -> n.state().equals("unclean");
                    case "expected_up" -> expectedUp(model, n.name());
                    case "dc" -> n.name().equals(s.dc());
                    default -> false;
                };
                sample(b, "ha_cluster_pacemaker_nodes", on ? 1 : 0, "node", n.name(), "status", status, "type", type);
            }
        }

        family(b, "ha_cluster_pacemaker_resources", "gauge", "The status of each resource in the cluster (1 means the resource is in that status)");
        Map<String, String[]> parents = parents(model);
        Map<String, EffectivePrimitive> primitives = EffectivePrimitive.all(model,
                model.executionDate() != null ? model.executionDate() : now);
        for (Placement p : t.placementBefore()) {
            String id = p.resource();
            String base = id.contains(":") ? id.substring(0, id.indexOf(':')) : id;
            String[] groupClone = parents.getOrDefault(base, new String[] {"", ""});
            String role = switch (p.role()) {
                case "Promoted" -> "master";
                case "Unpromoted" -> "slave";
                case "Stopped" -> "stopped";
                default -> "started";
            };
            String status = p.orphaned() ? "orphaned" : p.blocked() ? "blocked" : p.failed() ? "failed" : "active";
            List<String> on = p.nodes().isEmpty() ? List.of("") : p.nodes();
            for (String node : on) {
                String agent = primitives.containsKey(base) ? primitives.get(base).agent() : "";
                sample(b, "ha_cluster_pacemaker_resources", node.isEmpty() ? 0 : 1, "agent", agent,
                        "clone", groupClone[1], "group", groupClone[0], "managed", Boolean.toString(!p.unmanaged()),
                        "node", node, "resource", id, "role", role, "status", status);
            }
        }

        family(b, "ha_cluster_pacemaker_fail_count", "gauge", "The fail count per node and resource");
        Map<String, Map<String, String>> failCounts = new TreeMap<>();
        for (NodeState ns : model.status()) {
            for (Map.Entry<String, String> a : ns.transientAttributes().entrySet()) {
                FailCountName fc = FailCountName.parse(a.getKey());
                if (fc != null) {
                    failCounts.computeIfAbsent(ns.uname(), k -> new TreeMap<>()).merge(fc.resource(), a.getValue(),
                            Metrics::addCounts);
                }
            }
        }
        failCounts.forEach((node, byRsc) -> byRsc.forEach((rsc, v) ->
                sampleRaw(b, "ha_cluster_pacemaker_fail_count", number(v), "node", node, "resource", rsc)));

        family(b, "ha_cluster_pacemaker_migration_threshold", "gauge", "The migration threshold per node and resource");
        // as the engine reads it: own, inherited from the group or clone, rsc_defaults, rules at now
        Map<String, String> thresholds = new TreeMap<>();
        primitives.forEach((id, p) -> thresholds.put(id, p.meta().getOrDefault("migration-threshold", "INFINITY")));
        for (NodeSummary n : t.nodes()) {
            thresholds.forEach((rsc, v) -> sampleRaw(b, "ha_cluster_pacemaker_migration_threshold", number(v),
                    "node", n.name(), "resource", rsc));
        }

        family(b, "ha_cluster_pacemaker_location_constraints", "gauge", "Resource location constraints; the value is the score");
        for (LocationConstraint l : model.constraints().locations()) {
            if (l.node() != null && l.rsc() != null) {
                sampleRaw(b, "ha_cluster_pacemaker_location_constraints", number(l.score()), "constraint", l.id(),
                        "node", l.node(), "resource", l.rsc(), "role", l.role() == null ? "" : l.role());
            }
        }

        family(b, "ha_cluster_pacemaker_node_attributes", "gauge", "Node attributes as labels; the value is always 1");
        for (NodeState ns : model.status()) {
            new TreeMap<>(ns.transientAttributes()).forEach((name, value) -> {
                if (!name.startsWith("fail-count-") && !name.startsWith("last-failure-")) {
                    sample(b, "ha_cluster_pacemaker_node_attributes", 1, "node", ns.uname(), "name", name, "value", value);
                }
            });
        }

        family(b, "ha_cluster_pacemaker_stonith_enabled", "gauge", "Whether fencing is enabled (1) or not (0)");
        b.append("ha_cluster_pacemaker_stonith_enabled ").append(model.options().stonithEnabled() ? 1 : 0).append('\n');

        family(b, "ha_cluster_pacemaker_config_last_change", "gauge", "Unix time in seconds of the last configuration change");
        String lastWritten = cib.root().attr("cib-last-written");
        b.append("ha_cluster_pacemaker_config_last_change ").append(lastChangeSeconds(lastWritten)).append('\n');

        family(b, "ha_cluster_corosync_quorate", "gauge", "Whether this partition is quorate (1) or not (0)");
        b.append("ha_cluster_corosync_quorate ").append(Boolean.TRUE.equals(s.quorate()) ? 1 : 0).append('\n');
        family(b, "ha_cluster_corosync_quorum_votes", "gauge", "Quorum votes, one line per type");
        int quorum = s.expectedVotes() / 2 + 1;
        sample(b, "ha_cluster_corosync_quorum_votes", s.expectedVotes(), "type", "expected_votes");
        sample(b, "ha_cluster_corosync_quorum_votes", s.expectedVotes(), "type", "highest_expected");
        sample(b, "ha_cluster_corosync_quorum_votes", s.members().size(), "type", "total_votes");
        sample(b, "ha_cluster_corosync_quorum_votes", quorum, "type", "quorum");
        family(b, "ha_cluster_corosync_member_votes", "gauge", "Votes each member contributes to quorum");
        for (int i = 0; i < s.members().size(); i++) {
            String m = s.members().get(i);
            sample(b, "ha_cluster_corosync_member_votes", 1, "local", Boolean.toString(m.equals(s.node())), "node", m,
                    "node_id", Integer.toString(nodeId(model, m)));
        }
        family(b, "ha_cluster_corosync_rings", "gauge", "The status of each cluster link (1 healthy)");
        for (int r = 0; r < links; r++) {
            sample(b, "ha_cluster_corosync_rings", s.joined() ? 1 : 0, "address", "", "node_id",
                    Integer.toString(nodeId(model, s.node())), "number", Integer.toString(r), "ring_id", s.viewId() == null ? "" : s.viewId());
        }
        family(b, "ha_cluster_corosync_ring_errors", "gauge", "The number of faulty cluster links");
        b.append("ha_cluster_corosync_ring_errors ").append(s.joined() ? 0 : links).append('\n');

        family(b, "pulse_pending_fencing", "gauge", "Nodes this DC is fencing or waiting to fence");
        b.append("pulse_pending_fencing ").append(s.pendingFencing().size()).append('\n');
        return b.toString();
    }

    private static boolean expectedUp(CibModel model, String node) {
        return model.status().stream().anyMatch(ns -> node.equals(ns.uname()) && "member".equals(ns.expected()));
    }

    /** Node ids as corosync would number them: position in the nodes section, from 1. */
    private static int nodeId(CibModel model, String node) {
        for (int i = 0; i < model.nodes().size(); i++) {
            if (node.equals(model.nodes().get(i).uname())) {
                return i + 1;
            }
        }
        return 0;
    }

    /** Primitive id → {group, clone} it belongs to ("" when none), and its agent; the console reads it too. */
    static Map<String, String[]> parents(CibModel model) {
        Map<String, String[]> out = new LinkedHashMap<>();
        for (ResourceConfig r : model.resources()) {
            walk(r, "", "", out);
        }
        return out;
    }

    private static void walk(ResourceConfig r, String group, String clone, Map<String, String[]> out) {
        if (r instanceof PrimitiveConfig p) {
            out.put(p.id(), new String[] {group, clone, p.agent()});
        } else if (r instanceof GroupConfig g) {
            g.members().forEach(m -> walk(m, g.id(), clone, out));
        } else if (r instanceof CloneConfig c) {
            walk(c.child(), group, c.id(), out);
        }
    }

    private static String addCounts(String a, String b) {
        double x = number(a);
        double y = number(b);
        return Double.isInfinite(x) || Double.isInfinite(y) ? "INFINITY" : Long.toString((long) (x + y));
    }

    /** Pacemaker scores and counts: whole numbers, or (+/-)INFINITY. */
    static double number(String v) {
        if (v == null) {
            return 0;
        }
        String s = v.strip().toUpperCase(Locale.ROOT);
        if (s.equals("INFINITY") || s.equals("+INFINITY") || s.equals("INF") || s.equals("+INF")) {
            return Double.POSITIVE_INFINITY;
        }
        if (s.equals("-INFINITY") || s.equals("-INF")) {
            return Double.NEGATIVE_INFINITY;
        }
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static long lastChangeSeconds(String cibLastWritten) {
        if (cibLastWritten == null) {
            return 0;
        }
        try {
            return java.time.ZonedDateTime.parse(cibLastWritten.strip().replaceAll("\\s+", " "),
                    java.time.format.DateTimeFormatter.ofPattern("EEE MMM d HH:mm:ss yyyy", Locale.ROOT)
                            .withZone(java.time.ZoneOffset.UTC)).toEpochSecond();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        if (name == null) {
            return;
        }
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, long value, String... labels) {
        sampleRaw(b, name, value, labels);
    }

    private static void sampleRaw(StringBuilder b, String name, double value, String... labels) {
        b.append(name).append('{');
        for (int i = 0; i < labels.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(labels[i]).append("=\"").append(escape(labels[i + 1])).append('"');
        }
        b.append("} ").append(format(value)).append('\n');
    }

    private static String format(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    /** Label values as the text format wants them: backslash, quote and newline escaped. */
    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
