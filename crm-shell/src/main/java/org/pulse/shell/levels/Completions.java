package org.pulse.shell.levels;

import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.pulse.lrm.AgentMetadata;
import org.pulse.shell.CrmException;
import org.pulse.shell.config.Agents;
import org.pulse.shell.config.Configuration;
import org.pulse.shell.config.FencerParameters;

/**
 * What TAB offers after some words, level by level: command names; resource ids where a
 * resource goes; node names after a score or a resource that moves; agents (class:provider:type)
 * after {@code primitive <id>}; the agent's parameters as {@code name=} after {@code params};
 * object ids after show/edit/delete. A pure function of the shell's state and the words.
 */
final class Completions {
    private Completions() {
    }

    static final List<String> OPS = List.of("start", "stop", "monitor", "promote", "demote", "notify", "reload",
            "migrate_to", "migrate_from");
    static final List<String> OP_ATTRS = List.of("interval=", "timeout=", "role=", "on-fail=", "start-delay=",
            "enabled=", "record-pending=", "requires=", "description=");
    static final List<String> CLUSTER_OPTIONS = List.of("stonith-enabled=", "no-quorum-policy=", "cluster-name=",
            "maintenance-mode=", "symmetric-cluster=", "stonith-timeout=", "start-failure-is-fatal=",
            "cluster-recheck-interval=", "stop-all-resources=", "shutdown-escalation=", "batch-limit=");
    static final List<String> RSC_OPTIONS = List.of("resource-stickiness=", "migration-threshold=", "failure-timeout=",
            "target-role=", "is-managed=", "priority=", "multiple-active=", "allow-migrate=");

    static List<String> candidates(Shell shell, List<String> words, String partial) {
        List<String> out = new ArrayList<>();
        for (String c : all(shell, words)) {
            if (c.startsWith(partial)) {
                out.add(c);
            }
        }
        return out;
    }

    private static Set<String> all(Shell shell, List<String> words) {
        Set<String> out = new LinkedHashSet<>();
        String level = shell.current() == null ? null : shell.current().name();
        List<String> w = words;
        if (!w.isEmpty() && shell.level(w.get(0)) != null) {
            level = w.get(0);
            w = w.subList(1, w.size());
        }
        if (level == null) {
            if (w.isEmpty()) {
                out.addAll(shell.topCommands());
                out.addAll(List.of("help", "quit", "exit", "cd", "ls"));
            } else if (w.get(0).equals("status")) {
                out.addAll(List.of("--output", "--watch", "json", "xml", "text"));
            } else if (w.get(0).equals("ra")) {
                out.addAll(raCandidates(shell, w.subList(1, w.size())));
            }
            return out;
        }
        if (w.isEmpty()) {
            Level l = shell.level(level);
            if (l != null) {
                out.addAll(l.commands());
            } else if (level.equals("ra")) {
                out.addAll(List.of("list", "info", "test"));
            }
            out.addAll(List.of("up", "end", "help", "quit"));
            if (shell.current() == null) {
                out.removeAll(List.of("up", "end"));
            }
            return out;
        }
        switch (level) {
            case "configure" -> out.addAll(configure(shell, w));
            case "resource" -> {
                if (w.size() == 1) {
                    out.addAll(resources(shell));
                } else if (List.of("move", "ban").contains(w.get(0)) && w.size() == 2) {
                    out.addAll(nodes(shell));
                } else if (w.get(0).equals("failcount")) {
                    if (w.size() == 2) {
                        out.addAll(List.of("show", "set", "delete"));
                    } else if (w.size() == 3) {
                        out.addAll(nodes(shell));
                    }
                } else if (List.of("cleanup", "refresh", "operations").contains(w.get(0)) && w.size() == 2) {
                    out.addAll(nodes(shell));
                }
            }
            case "node" -> {
                if (w.size() == 1) {
                    out.addAll(nodes(shell));
                } else if (List.of("attribute", "status-attr").contains(w.get(0)) && w.size() == 2) {
                    out.addAll(List.of("set", "delete", "show"));
                } else if (w.get(0).equals("standby") && w.size() == 2) {
                    out.addAll(List.of("forever", "reboot"));
                }
            }
            case "cib" -> {
                if (w.size() == 1 && !w.get(0).equals("new")) {
                    out.addAll(shadows(shell));
                    if (w.get(0).equals("use")) {
                        out.add("live");
                    }
                }
            }
            case "ra" -> out.addAll(raCandidates(shell, w));
            default -> {
                // nothing more to offer
            }
        }
        return out;
    }

    private static List<String> raCandidates(Shell shell, List<String> w) {
        if (w.isEmpty()) {
            return List.of("list", "info", "test", "classes", "providers");
        }
        if (w.size() == 1 && (w.get(0).equals("info") || w.get(0).equals("test"))) {
            return agents(shell);
        }
        if (w.size() == 1 && w.get(0).equals("list")) {
            return List.of("ocf", "lsb", "stonith");
        }
        return List.of();
    }

    private static Set<String> configure(Shell shell, List<String> w) {
        Set<String> out = new LinkedHashSet<>();
        String cmd = w.get(0).toLowerCase(Locale.ROOT);
        int n = w.size();
        switch (cmd) {
            case "primitive", "rsc_template" -> {
                if (n == 1) {
                    return out; // a new id: nothing to offer
                }
                if (n == 2) {
                    out.addAll(agents(shell));
                    return out;
                }
                String context = "params";
                for (int i = 3; i < n; i++) {
                    String t = w.get(i);
                    if (List.of("params", "meta", "utilization", "op", "op_params", "op_meta").contains(t)) {
                        context = t;
                    } else if (context.equals("op") && !t.contains("=")) {
                        context = "op-attrs";
                    }
                }
                String last = w.get(n - 1);
                if (last.equals("op")) {
                    out.addAll(OPS);
                    return out;
                }
                switch (context) {
                    case "params" -> out.addAll(parameters(shell, w.get(2)));
                    case "meta" -> out.addAll(RSC_OPTIONS);
                    case "op-attrs" -> out.addAll(OP_ATTRS);
                    default -> {
                        // free-form lists
                    }
                }
                out.addAll(List.of("params", "meta", "utilization", "op"));
            }
            case "group", "clone", "ms" -> {
                if (n >= 2) {
                    out.addAll(resources(shell));
                    out.addAll(List.of("meta", "params"));
                }
            }
            case "location" -> {
                if (n == 2) {
                    out.addAll(resources(shell));
                } else if (n >= 3 && w.get(n - 1).endsWith(":")) {
                    out.addAll(nodes(shell));
                } else if (n >= 3) {
                    out.addAll(List.of("rule", "inf:", "-inf:", "role="));
                }
            }
            case "colocation", "collocation", "order" -> {
                if (n >= 3) {
                    out.addAll(resources(shell));
                } else if (n == 2 && cmd.equals("order")) {
                    out.addAll(List.of("Mandatory:", "Optional:", "Serialize:"));
                } else if (n == 2) {
                    out.addAll(List.of("inf:", "-inf:"));
                }
            }
            case "property" -> out.addAll(CLUSTER_OPTIONS);
            case "rsc_defaults" -> out.addAll(RSC_OPTIONS);
            case "op_defaults" -> out.addAll(List.of("timeout=", "record-pending=", "interval=", "on-fail="));
            case "show", "edit" -> {
                out.addAll(objects(shell));
                out.addAll(List.of("xml", "changed", "type:primitive", "type:group", "type:clone", "type:location",
                        "type:colocation", "type:order", "type:property"));
            }
            case "delete", "rename" -> {
                if (cmd.equals("delete") || n == 1) {
                    out.addAll(objects(shell));
                }
            }
            default -> {
                // commit, verify, erase...
            }
        }
        return out;
    }

    /** The parameters of the agent named in the command, as name= (from its meta-data, through the LRM). */
    static List<String> parameters(Shell shell, String agentSpec) {
        Agents agents = shell.session.agents;
        if (agents == null || agentSpec.startsWith("@")) {
            return List.of();
        }
        String[] parts = agentSpec.split(":");
        String cls = parts.length > 1 ? parts[0] : null;
        String prov = parts.length == 3 ? parts[1] : null;
        String type = parts[parts.length - 1];
        String[] cpt = agents.resolve(cls, prov, type);
        Optional<AgentMetadata> md = agents.metadata(cpt[0], cpt[1], cpt[2]);
        List<String> out = new ArrayList<>();
        md.ifPresent(m -> m.parameters().forEach(p -> {
            // the fencer fills these in per request: offering them would invite a warning
            if (!("stonith".equals(cpt[0]) && FencerParameters.SET_BY_FENCER.containsKey(p.name()))) {
                out.add(p.name() + "=");
            }
        }));
        if ("stonith".equals(cpt[0])) {
            FencerParameters.NAMES.forEach(n -> out.add(n + "="));
        }
        return out;
    }

    static List<String> agents(Shell shell) {
        return shell.session.agents == null ? List.of() : shell.session.agents.allAgentNames();
    }

    static List<String> resources(Shell shell) {
        try {
            return shell.session.config().resourceIds();
        } catch (CrmException e) {
            return List.of();
        }
    }

    static List<String> nodes(Shell shell) {
        try {
            return shell.session.config().nodeNames();
        } catch (CrmException e) {
            return List.of();
        }
    }

    static List<String> objects(Shell shell) {
        try {
            return shell.session.config().objects().stream().map(Configuration.CibObject::id).toList();
        } catch (CrmException e) {
            return List.of();
        }
    }

    static List<String> shadows(Shell shell) {
        List<String> out = new ArrayList<>();
        Path dir = shell.session.shadowDir;
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "shadow.*")) {
            for (Path p : ds) {
                out.add(p.getFileName().toString().substring("shadow.".length()));
            }
        } catch (java.io.IOException e) {
            return out;
        }
        out.sort(null);
        return out;
    }
}
