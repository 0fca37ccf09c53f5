package org.pulse.crmd.runtime;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.pulse.cib.Cib;
import org.pulse.cib.model.CibModel;
import org.pulse.cib.model.FailCountName;
import org.pulse.cib.model.LocationConstraint;
import org.pulse.cib.model.LrmOp;
import org.pulse.cib.model.LrmResource;
import org.pulse.cib.model.NodeState;
import org.pulse.policy.NodeSummary;
import org.pulse.policy.Placement;
import org.pulse.policy.PolicyEngine;
import org.pulse.policy.Transition;

/**
 * The console's view of the cluster (GET /api/v1/status, and each server-sent update): a pure function
 * of what the admin socket's status answers a caller (the CIB already filtered by the caller's ACLs)
 * and the time. Where each resource is comes from the policy engine's reading of the status section,
 * as crm status and /metrics read it. The shape is version 1 of the API (README of crmd): fields are
 * added, never renamed or removed, within v1.
 */
final class ConsoleView {
    private ConsoleView() {
    }

    /** {@code status}: the admin status answer's fields (node, dc, quorate, quorum, members, ...). */
    static Map<String, Object> of(Map<String, Object> status, Cib cib, String user, Instant now) {
        CibModel model = cib.model();
        Transition t = PolicyEngine.schedule(model, now);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("api", 1);
        out.put("user", user);
        for (String k : List.of("node", "dc", "quorate", "quorum", "version", "transition", "expected_votes", "joined")) {
            out.put(k, status.get(k));
        }
        String members = (String) status.get("members");
        out.put("members", members == null || members.isEmpty() ? List.of() : List.of(members.split(",")));
        out.put("blocked", lines(status.get("blocked")));
        out.put("fencing_pending", status.get("fencing_pending") == null ? List.of()
                : List.of(((String) status.get("fencing_pending")).split(",")));
        out.put("fence_history", lines(status.get("fence_history")));
        out.put("text", status.get("text"));

        Map<String, List<String>> onNode = new TreeMap<>();
        Map<String, String[]> parents = Metrics.parents(model);
        List<Map<String, Object>> resources = new ArrayList<>();
        for (Placement p : t.placementBefore()) {
            String base = p.resource().contains(":") ? p.resource().substring(0, p.resource().indexOf(':')) : p.resource();
            String[] gc = parents.getOrDefault(base, new String[] {"", "", ""});
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", p.resource());
            r.put("agent", gc[2]);
            r.put("group", gc[0]);
            r.put("clone", gc[1]);
            r.put("nodes", p.nodes());
            r.put("role", p.role());
            r.put("status", p.orphaned() ? "orphaned" : p.blocked() ? "blocked" : p.failed() ? "failed"
                    : p.nodes().isEmpty() ? "stopped" : "active");
            r.put("managed", !p.unmanaged());
            resources.add(r);
            p.nodes().forEach(n -> onNode.computeIfAbsent(n, k -> new ArrayList<>()).add(p.resource()));
        }
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeSummary n : t.nodes()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", n.name());
            m.put("state", n.state());
            m.put("dc", n.name().equals(status.get("dc")));
            m.put("reason", n.reason());
            m.put("resources", onNode.getOrDefault(n.name(), List.of()));
            nodes.add(m);
        }
        out.put("nodes", nodes);
        out.put("resources", resources);

        List<Map<String, Object>> constraints = new ArrayList<>();
        for (LocationConstraint l : model.constraints().locations()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("id", l.id());
            c.put("resource", l.rsc());
            c.put("node", l.node());
            c.put("score", l.score());
            c.put("kind", l.id().startsWith("cli-prefer-") ? "move" : l.id().startsWith("cli-ban-") ? "ban" : "location");
            constraints.add(c);
        }
        out.put("constraints", constraints);

        List<Map<String, Object>> failCounts = new ArrayList<>();
        List<Map<String, Object>> failed = new ArrayList<>();
        for (NodeState ns : model.status()) {
            ns.transientAttributes().forEach((name, value) -> {
                FailCountName fc = FailCountName.parse(name);
                if (fc != null) {
                    failCounts.add(Map.of("node", ns.uname(), "resource", fc.resource(), "operation", fc.operation(),
                            "count", value));
                }
            });
            for (LrmResource lr : ns.resources()) {
                for (LrmOp op : lr.ops()) {
                    if (op.isPending()) {
                        continue;
                    }
                    // A probe finds a resource stopped (7), started (0) or promoted (8): an answer, not a failure.
                    boolean bad = op.opStatus() != 0 && op.opStatus() != 1
                            || (op.isProbe() ? op.rcCode() != 0 && op.rcCode() != 7 && op.rcCode() != 8
                                    : op.expectedRc() >= 0 && op.rcCode() != op.expectedRc());
                    if (bad) {
                        Map<String, Object> f = new LinkedHashMap<>();
                        f.put("node", ns.uname());
                        f.put("resource", lr.id());
                        f.put("operation", op.operation());
                        f.put("interval_ms", op.intervalMs());
                        f.put("rc", op.rcCode());
                        f.put("status", op.opStatus());
                        f.put("reason", op.exitReason() == null ? "" : op.exitReason());
                        failed.add(f);
                    }
                }
            }
        }
        out.put("fail_counts", failCounts);
        out.put("failed_actions", failed);
        return out;
    }

    private static List<String> lines(Object text) {
        return text == null || text.toString().isBlank() ? List.of() : List.of(text.toString().split("\n"));
    }
}
