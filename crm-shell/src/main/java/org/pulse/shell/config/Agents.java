package org.pulse.shell.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.pulse.lrm.AgentCatalog;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentMetadata;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.MetadataException;

/**
 * The resource agents the shell knows, through the LRM's catalog and meta-data: Pulse's own
 * (resource-agents/src/main/ocf and the fence agent in crmd/src/main/fence, in the repository), then
 * ClusterLabs' in /usr/lib/ocf and fence agents in /usr/sbin, plus
 * extra directories from PULSE_OCF_DIRS (colon-separated, each holding resource.d/). Used for
 * completion, for turning a bare type into class:provider:type, and for checking parameters.
 */
public final class Agents implements AutoCloseable {
    private final LrmConfig config;
    private final AgentCatalog catalog;
    private AgentExecutor executor;

    Agents(LrmConfig config) {
        this.config = config;
        this.catalog = new AgentCatalog(config);
    }

    /** The default search path, as bin/crm runs it. */
    public static Agents standard(Path repoRoot, String extraDirs) {
        return new Agents(searchPath(repoRoot, extraDirs));
    }

    /**
     * Where the shell looks for agents, the one place configure's checks and {@code crm ra} take it
     * from: PULSE_OCF_DIRS, Pulse's own agents in a source tree, /usr/lib/ocf; fence agents in
     * /usr/sbin, /sbin and, in a source tree, crmd's fence_pulse_sim.
     */
    public static LrmConfig searchPath(Path repoRoot, String extraDirs) {
        LrmConfig cfg = LrmConfig.defaults();
        List<Path> dirs = new ArrayList<>();
        if (extraDirs != null && !extraDirs.isBlank()) {
            for (String d : extraDirs.split(":")) {
                if (!d.isBlank()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        if (repoRoot != null) {
            Path own = repoRoot.resolve("resource-agents/src/main/ocf");
            if (Files.isDirectory(own)) {
                dirs.add(own);
            }
        }
        dirs.addAll(cfg.agentDirs());
        cfg = cfg.withAgentDirs(dirs);
        if (repoRoot != null) {
            // Pulse's own fence agent (fence_pulse_sim) in a source tree, where crmd finds it too (stonith_dirs);
            // the package installs it in /usr/sbin
            Path fence = repoRoot.resolve("crmd/src/main/fence");
            if (Files.isDirectory(fence)) {
                List<Path> stonith = new ArrayList<>(cfg.stonithDirs());
                stonith.add(fence);
                cfg = cfg.withStonithDirs(stonith);
            }
        }
        return cfg;
    }

    /** Where fence agents are looked for, in order, for an error that says where one was not found. */
    public String stonithDirs() {
        return config.stonithDirs().stream().map(Object::toString).collect(java.util.stream.Collectors.joining(", "));
    }

    AgentCatalog catalog() {
        return catalog;
    }

    /**
     * Fills in a parsed primitive's class and provider when the text left them out ({@code primitive d1
     * Dummy}, as crm configure show writes ocf:heartbeat agents): by {@link #resolve}, or as
     * ocf:heartbeat when no agents are known. One place for the configure commands, load and edit.
     */
    public static void qualify(Agents agents, org.pulse.shell.parse.MNode node) {
        if (node.get("type") == null || (node.get("class") != null && node.get("provider") != null)) {
            return;
        }
        String cls = node.get("class");
        if (cls != null && !cls.equals("ocf")) {
            return;
        }
        String[] cpt = agents == null ? new String[] {"ocf", "heartbeat", node.get("type")}
                : agents.resolve(cls, node.get("provider"), node.get("type"));
        // class, provider and type go right after the id, where the parser puts them
        java.util.Map<String, String> copy = new java.util.LinkedHashMap<>();
        node.attrs.forEach((k, v) -> {
            if (k.equals("class") || k.equals("provider") || k.equals("type")) {
                return;
            }
            copy.put(k, v);
            if (k.equals("id")) {
                copy.put("class", cpt[0]);
                copy.put("provider", cpt[1]);
                copy.put("type", cpt[2]);
            }
        });
        node.attrs.clear();
        node.attrs.putAll(copy);
    }

    /** crmsh's disambiguation of {@code [class:[provider:]]type}: a bare type is ocf, provider heartbeat first. */
    public String[] resolve(String cls, String provider, String type) {
        if (cls == null) {
            cls = "ocf";
        }
        if (cls.equals("ocf") && provider == null) {
            List<String> have = new ArrayList<>();
            for (String p : catalog.providers()) {
                if (catalog.locate(AgentRef.ocf(p, type)).isPresent()) {
                    have.add(p);
                }
            }
            provider = have.contains("heartbeat") ? "heartbeat" : have.contains("pacemaker") ? "pacemaker"
                    : have.isEmpty() ? "heartbeat" : have.get(0);
        }
        return new String[] {cls, provider, type};
    }

    public boolean exists(String cls, String provider, String type) {
        try {
            return catalog.locate(new AgentRef(cls, provider, type)).isPresent() || isRemoteConnection(cls, provider, type);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * {@code ocf:pacemaker:remote}, a remote node's connection, is no program: the crmd that runs it makes
     * the connection itself (crmd/README.md "Remote nodes"). So it is known whether or not Pacemaker's
     * placeholder file is installed on this machine (Pulse's package does not need Pacemaker's).
     */
    static boolean isRemoteConnection(String cls, String provider, String type) {
        return "ocf".equals(cls) && "pacemaker".equals(provider) && "remote".equals(type);
    }

    /** The connection's parameters as crmd reads them, for the checks when no agent file describes them. */
    static AgentMetadata remoteConnectionMetadata() {
        List<AgentMetadata.Parameter> params = List.of(
                new AgentMetadata.Parameter("server", false, false, null, false, false, "string", null,
                        "Address of the remote node's pulse-remoted", "Host name or address where pulse-remoted"
                        + " listens; the resource id (the remote node's name) when not given.", List.of()),
                new AgentMetadata.Parameter("port", false, false, null, false, false, "integer", "3121",
                        "TCP port of pulse-remoted", "The port pulse-remoted listens on (its --listen).", List.of()),
                new AgentMetadata.Parameter("reconnect_interval", false, false, null, false, false, "string", "0",
                        "Wait before reconnecting", "After the connection failed, how long the cluster waits before"
                        + " it tries again (0: at once, as a failed resource is recovered).", List.of()));
        List<AgentMetadata.Action> actions = new ArrayList<>();
        for (String a : List.of("start", "stop", "monitor", "migrate_to", "migrate_from", "reload", "meta-data")) {
            actions.add(new AgentMetadata.Action(a, a.equals("monitor") ? 30_000 : 60_000, 0, 0, null, null));
        }
        return new AgentMetadata(AgentRef.ocf("pacemaker", "remote"), "remote", "1.1", "1.1",
                "Remote node connection (made by crmd)", "A remote node's connection: the crmd running it connects to the"
                + " node's pulse-remoted and relays the node's operations.", params, actions, "");
    }

    /** The agent's meta-data, or empty when the agent is missing or its meta-data cannot be read. */
    public Optional<AgentMetadata> metadata(String cls, String provider, String type) {
        try {
            AgentRef ref = new AgentRef(cls, provider, type);
            if (catalog.locate(ref).isEmpty()) {
                return isRemoteConnection(cls, provider, type) ? Optional.of(remoteConnectionMetadata()) : Optional.empty();
            }
            synchronized (this) {
                if (executor == null) {
                    executor = new AgentExecutor(config);
                }
            }
            return Optional.of(executor.metadata(ref));
        } catch (MetadataException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Every agent as class:provider:type (ocf) or class:type, for completion. */
    public List<String> allAgentNames() {
        List<String> out = new ArrayList<>();
        for (String cls : catalog.classes()) {
            try {
                for (AgentRef a : catalog.agents(cls, null)) {
                    out.add(a.toString());
                }
            } catch (RuntimeException e) {
                // an unreadable directory: complete what can be read
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.close();
        }
    }
}
