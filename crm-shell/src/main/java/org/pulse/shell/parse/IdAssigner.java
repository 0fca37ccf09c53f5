package org.pulse.shell.parse;

import java.util.Map;
import java.util.Set;

/**
 * Gives ids to a parsed object exactly as crmsh 4.4 does (idmgmt.new + fix_node_ids), so the
 * XML matches what crmsh writes for the same input: depth first, each element without an id
 * gets one made from the nearest id above it ({@code vip} → {@code vip-instance_attributes} →
 * {@code vip-instance_attributes-ip}; ops {@code vip-monitor-10s}); an id already in use gets
 * {@code -0}, {@code -1}, ... appended.
 */
public final class IdAssigner {
    private static final Map<String, String> SUFFIX = Map.ofEntries(
            Map.entry("instance_attributes", "instance_attributes"),
            Map.entry("meta_attributes", "meta_attributes"),
            Map.entry("utilization", "utilization"),
            Map.entry("operations", "ops"),
            Map.entry("recipient", "recipient"),
            Map.entry("rule", "rule"),
            Map.entry("expression", "expression"),
            Map.entry("date_expression", "expression"),
            Map.entry("rsc_expression", "expression"),
            Map.entry("op_expression", "expression"),
            Map.entry("duration", "duration"),
            Map.entry("date_spec", "date_spec"));
    private static final Map<String, String> ROOT_HINT = Map.of("node", "node", "primitive", "rsc", "template", "rsc",
            "master", "grp", "group", "grp", "clone", "grp", "rsc_location", "location", "tags", "tag",
            "fencing-topology", "fencing");
    private static final Set<String> IDLESS = Set.of("operations", "fencing-topology", "network", "docker", "rkt",
            "storage", "select", "select_attributes", "select_fencing", "select_nodes", "select_resources");
    private static final Set<String> REFS = Set.of("resource_ref", "obj_ref", "crmsh-ref");

    /** Ids in use: the whole configuration's, then each one given out. */
    private final Set<String> used;

    public IdAssigner(Set<String> used) {
        this.used = used;
    }

    public void assign(MNode root) {
        recurse(root, ROOT_HINT.getOrDefault(root.name, ""));
    }

    private void recurse(MNode node, String prefix) {
        if (!REFS.contains(node.name) && !node.attrs.containsKey("id-ref") && !IDLESS.contains(node.name)) {
            String id = node.get("id");
            if (id == null) {
                id = node.get("uname");
            }
            if (id == null) {
                id = fresh(node, prefix);
            }
            used.add(id);
            node.attrs.put("id", id);
        }
        String next = node.get("id") != null ? node.get("id") : prefix;
        for (MNode c : node.children) {
            recurse(c, next);
        }
    }

    /** A new id for {@code node} below {@code prefix}, not yet in use. */
    public String fresh(MNode node, String prefix) {
        if (prefix.chars().allMatch(Character::isDigit) && !prefix.isEmpty() && !node.name.equals("node")) {
            prefix = "num-" + prefix;
        }
        String id;
        if (node.name.equals("nvpair")) {
            id = prefix + "-" + node.get("name");
        } else if (node.name.equals("op")) {
            String interval = node.get("interval");
            id = interval != null && !interval.isEmpty() ? prefix + "-" + node.get("name") + "-" + interval
                    : prefix + "-" + node.get("name");
        } else {
            String suffix = SUFFIX.get(node.name);
            id = suffix == null ? prefix : prefix + "-" + suffix;
        }
        if (used.contains(id)) {
            for (int i = 0; i < 99; i++) {
                String candidate = id + "-" + i;
                if (!used.contains(candidate)) {
                    id = candidate;
                    break;
                }
            }
        }
        used.add(id);
        return id;
    }
}
