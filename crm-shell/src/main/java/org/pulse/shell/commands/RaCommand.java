package org.pulse.shell.commands;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.pulse.lrm.AgentCatalog;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentMetadata;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.MetadataException;
import org.pulse.lrm.RaTester;
import org.pulse.shell.config.Agents;
import org.pulse.shell.config.FencerParameters;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crm ra list|info|test}: resource agents on this machine, run locally through the LRM library (no
 * cluster needed). Search path: {@code --agents-dir} options, then $PULSE_OCF_DIRS (colon-separated), then
 * Pulse's own agents in the repository, then ClusterLabs' in /usr/lib/ocf; each directory holds resource.d/.
 */
@Command(name = "ra", mixinStandardHelpOptions = true, description = "Resource agents: list, info, test (runs locally, no cluster needed).",
        subcommands = {RaCommand.ListAgents.class, RaCommand.Classes.class, RaCommand.Providers.class, RaCommand.Info.class,
                RaCommand.Test.class})
public final class RaCommand implements Callable<Integer> {
    // Not taken from Crm: this command must not depend on the shell's internals (another engineer's code).
    final PrintStream stdout;
    final PrintStream stderr;
    final Map<String, String> env;

    public RaCommand() {
        this(System.out, System.err, System.getenv());
    }

    /** For tests and embedding: output to these streams, $PULSE_OCF_DIRS from this environment. */
    public RaCommand(PrintStream stdout, PrintStream stderr, Map<String, String> env) {
        this.stdout = stdout;
        this.stderr = stderr;
        this.env = env;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(out());
        return 2;
    }

    PrintStream out() {
        return stdout;
    }

    PrintStream err() {
        return stderr;
    }

    /** The repository, for Pulse's own agents: -Dpulse.root, else three levels above this class's jar. */
    static Path repoRoot() {
        String p = System.getProperty("pulse.root");
        if (p != null) {
            return Path.of(p);
        }
        try {
            Path jar = Path.of(RaCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent().getParent();
        } catch (Exception e) {
            return null;
        }
    }

    /** Options every ra command takes: where agents are. */
    static final class Where {
        @Option(names = "--agents-dir", paramLabel = "DIR",
                description = "Search DIR/resource.d first (repeatable); then $PULSE_OCF_DIRS, the repository's agents, /usr/lib/ocf.")
        List<Path> agentDirs = new ArrayList<>();

        @Option(names = "--lsb-dir", paramLabel = "DIR", description = "Init scripts for lsb: agents (default /etc/init.d).")
        Path lsbDir;

        @Option(names = "--stonith-dir", paramLabel = "DIR", description = "Fence agents for stonith: (default /usr/sbin, /sbin).")
        List<Path> stonithDirs = new ArrayList<>();

        LrmConfig config(RaCommand ra) {
            // the shell's search path (configure checks agents against the same), --agents-dir first
            LrmConfig cfg = Agents.searchPath(repoRoot(), ra.env.get("PULSE_OCF_DIRS"));
            if (!agentDirs.isEmpty()) {
                List<Path> dirs = new ArrayList<>(agentDirs);
                dirs.addAll(cfg.agentDirs());
                cfg = cfg.withAgentDirs(dirs);
            }
            if (lsbDir != null) {
                cfg = cfg.withLsbDir(lsbDir);
            }
            if (!stonithDirs.isEmpty()) {
                cfg = cfg.withStonithDirs(stonithDirs);
            }
            return cfg;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Without arguments: the classes and OCF providers. 'list ocf [PROVIDER]', "
            + "'list lsb', 'list stonith': the agents (also 'list ocf:PROVIDER').")
    static final class ListAgents implements Callable<Integer> {
        @CommandLine.ParentCommand
        RaCommand ra;

        @CommandLine.Mixin
        Where where = new Where();

        @Parameters(arity = "0..2", paramLabel = "CLASS [PROVIDER]")
        List<String> args = new ArrayList<>();

        @Override
        public Integer call() {
            AgentCatalog catalog = new AgentCatalog(where.config(ra));
            PrintStream out = ra.out();
            if (args.isEmpty()) {
                out.println("Classes:   " + String.join(" ", catalog.classes()));
                out.println("Providers: " + String.join(" ", catalog.providers()) + "   (ocf)");
                return 0;
            }
            String cls = args.get(0);
            String provider = args.size() > 1 ? args.get(1) : null;
            if (cls.contains(":")) {
                String[] p = cls.split(":", 2);
                cls = p[0];
                provider = p[1].isEmpty() ? null : p[1];
            }
            if (!catalog.classes().contains(cls)) {
                ra.err().println("crm ra list: unknown class '" + cls + "'; classes are " + String.join(", ", catalog.classes()));
                return 2;
            }
            List<AgentRef> found = catalog.agents(cls, cls.equals(AgentRef.OCF) ? provider : null);
            List<String> names = new ArrayList<>();
            for (AgentRef a : found) {
                names.add(cls.equals(AgentRef.OCF) && provider == null ? a.provider() + ":" + a.type() : a.type());
            }
            printColumns(out, names);
            if (names.isEmpty()) {
                ra.err().println("crm ra list: no " + cls + (provider == null ? "" : ":" + provider) + " agents found");
                return 1;
            }
            return 0;
        }
    }

    /** crmsh's {@code ra classes}: one class a line, ocf with its providers. */
    @Command(name = "classes", mixinStandardHelpOptions = true, description = "The agent classes (ocf with its providers).")
    static final class Classes implements Callable<Integer> {
        @CommandLine.ParentCommand
        RaCommand ra;

        @CommandLine.Mixin
        Where where = new Where();

        @Override
        public Integer call() {
            AgentCatalog catalog = new AgentCatalog(where.config(ra));
            for (String cls : catalog.classes()) {
                ra.out().println(cls.equals(AgentRef.OCF) ? cls + " / " + String.join(" ", catalog.providers()) : cls);
            }
            return 0;
        }
    }

    /** crmsh's {@code ra providers TYPE [CLASS]}: the OCF providers that have an agent of that type. */
    @Command(name = "providers", mixinStandardHelpOptions = true, description = "The OCF providers with an agent TYPE.")
    static final class Providers implements Callable<Integer> {
        @CommandLine.ParentCommand
        RaCommand ra;

        @CommandLine.Mixin
        Where where = new Where();

        @Parameters(index = "0", paramLabel = "TYPE")
        String type;

        @Parameters(index = "1", arity = "0..1", paramLabel = "CLASS")
        String cls = AgentRef.OCF;

        @Override
        public Integer call() {
            if (!cls.equals(AgentRef.OCF)) {
                ra.err().println("crm ra providers: only ocf agents have providers, not " + cls);
                return 2;
            }
            AgentCatalog catalog = new AgentCatalog(where.config(ra));
            List<String> providers = new ArrayList<>();
            for (AgentRef a : catalog.agents(AgentRef.OCF, null)) {
                if (a.type().equals(type) && !providers.contains(a.provider())) {
                    providers.add(a.provider());
                }
            }
            if (providers.isEmpty()) {
                ra.err().println("crm ra providers: no ocf agent '" + type + "' here; 'crm ra list ocf' lists them");
                return 1;
            }
            ra.out().println(String.join(" ", providers));
            return 0;
        }
    }

    /** crmsh prints agent lists in columns. */
    static void printColumns(PrintStream out, List<String> names) {
        int width = names.stream().mapToInt(String::length).max().orElse(0) + 2;
        int cols = Math.max(1, 100 / Math.max(1, width));
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < names.size(); i++) {
            line.append(String.format("%-" + width + "s", names.get(i)));
            if ((i + 1) % cols == 0 || i == names.size() - 1) {
                out.println(line.toString().stripTrailing());
                line.setLength(0);
            }
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true, aliases = "meta", description = "An agent's parameters, defaults and advised operation timeouts: "
            + "crm ra info ocf:heartbeat:IPaddr2 (or ocf:pulse:Dummy, lsb:NAME, stonith:fence_x, or a bare TYPE).")
    static final class Info implements Callable<Integer> {
        @CommandLine.ParentCommand
        RaCommand ra;

        @CommandLine.Mixin
        Where where = new Where();

        @Parameters(index = "0", paramLabel = "AGENT")
        String agentSpec;

        @Override
        public Integer call() {
            AgentRef agent;
            try {
                agent = AgentRef.parse(agentSpec);
            } catch (IllegalArgumentException e) {
                ra.err().println("crm ra info: " + e.getMessage());
                return 2;
            }
            try (AgentExecutor ex = new AgentExecutor(where.config(ra))) {
                if (ex.catalog().locate(agent).isEmpty()) {
                    ra.err().println("crm ra info: agent " + agent + " not found; looked at " + ex.catalog().searchPath(agent)
                            + " (see 'crm ra list', or add --agents-dir DIR)");
                    return 1;
                }
                AgentMetadata md = ex.metadata(agent);
                print(ra.out(), md);
                return 0;
            } catch (MetadataException e) {
                ra.err().println("crm ra info: " + e.getMessage());
                return 1;
            }
        }

        static void print(PrintStream out, AgentMetadata md) {
            out.println(md.agent() + " - " + md.shortdesc()
                    + (md.version().isEmpty() ? "" : "   (OCF " + md.version() + ")"));
            out.println();
            if (!md.longdesc().isEmpty()) {
                out.println(md.longdesc());
                out.println();
            }
            out.println("Parameters (*: required, []: default):");
            out.println();
            for (AgentMetadata.Parameter p : md.parameters()) {
                StringBuilder b = new StringBuilder(p.name());
                if (p.required()) {
                    b.append('*');
                }
                b.append(" (").append(p.type());
                if (p.defaultValue() != null) {
                    b.append(", [").append(p.defaultValue()).append(']');
                }
                b.append(")");
                if (p.unique()) {
                    b.append(" unique");
                }
                if (p.reloadable()) {
                    b.append(" reloadable");
                }
                b.append(": ").append(p.shortdesc());
                out.println(b);
                if (!p.options().isEmpty()) {
                    out.println("    one of: " + String.join(", ", p.options()));
                }
                if (!p.longdesc().isEmpty() && !p.longdesc().equals(p.shortdesc())) {
                    for (String line : p.longdesc().split("\n")) {
                        out.println("    " + line.strip());
                    }
                }
                out.println();
            }
            if (md.agent().toString().startsWith("stonith:")) {
                // the fencer's own settings: valid on every device, whatever the agent lists
                out.println("Fencer parameters (every stonith resource):");
                out.println();
                for (String name : FencerParameters.NAMES) {
                    out.println(name + ": " + FencerParameters.describe(name));
                }
                out.println();
            }
            out.println("Operations' defaults (advisory minimum):");
            out.println();
            for (AgentMetadata.Action a : md.actions()) {
                StringBuilder b = new StringBuilder(String.format("    %-14s", a.name()));
                if (a.timeoutMs() > 0) {
                    b.append(" timeout=").append(seconds(a.timeoutMs()));
                }
                if (a.intervalMs() > 0) {
                    b.append(" interval=").append(seconds(a.intervalMs()));
                }
                if (a.depth() != null) {
                    b.append(" depth=").append(a.depth());
                }
                if (a.role() != null) {
                    b.append(" role=").append(a.role());
                }
                if (a.startDelayMs() > 0) {
                    b.append(" start-delay=").append(seconds(a.startDelayMs()));
                }
                out.println(b.toString().stripTrailing());
            }
        }

        private static String seconds(long ms) {
            return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true, description = "Lifecycle check like ocf-tester: meta-data, validate-all, probe (7), start, "
            + "monitor (0), start again, stop, stop again, monitor (7). Prints each step with its exit code and time; "
            + "exit status 1 when a step fails. Runs the agent for real on this machine.")
    static final class Test implements Callable<Integer> {
        @CommandLine.ParentCommand
        RaCommand ra;

        @CommandLine.Mixin
        Where where = new Where();

        @Parameters(index = "0", paramLabel = "AGENT", description = "e.g. ocf:pulse:Dummy, ocf:heartbeat:IPaddr2")
        String agentSpec;

        @Parameters(index = "1..*", paramLabel = "NAME=VALUE", description = "Instance parameters.")
        List<String> params = new ArrayList<>();

        @Option(names = "--id", paramLabel = "RESOURCE_ID", description = "OCF_RESOURCE_INSTANCE (default test-TYPE).")
        String resourceId;

        @Option(names = "--rsctmp", paramLabel = "DIR", description = "HA_RSCTMP for the agent (state files), e.g. per lab node.")
        Path rsctmp;

        @Option(names = "--netns", paramLabel = "NAME|PATH",
                description = "Run the agent in this network namespace (/run/netns/NAME, or a path), net namespace only.")
        String netns;

        @Override
        public Integer call() {
            AgentRef agent;
            Map<String, String> values = new LinkedHashMap<>();
            try {
                agent = AgentRef.parse(agentSpec);
                for (String kv : params) {
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("parameter '" + kv + "' is not NAME=VALUE (e.g. ip=192.0.2.10)");
                    }
                    values.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            } catch (IllegalArgumentException e) {
                ra.err().println("crm ra test: " + e.getMessage());
                return 2;
            }
            LrmConfig cfg = where.config(ra);
            if (rsctmp != null) {
                try {
                    Files.createDirectories(rsctmp);
                } catch (java.io.IOException e) {
                    ra.err().println("crm ra test: cannot create --rsctmp " + rsctmp + ": " + e.getMessage());
                    return 2;
                }
                cfg = cfg.withHaRsctmp(rsctmp);
            }
            if (netns != null) {
                Path ns = netns.contains("/") ? Path.of(netns) : Path.of("/run/netns", netns);
                if (!Files.exists(ns)) {
                    ra.err().println("crm ra test: network namespace " + ns + " does not exist (ip netns add NAME)");
                    return 2;
                }
                cfg = cfg.withNetns(ns);
            }
            String id = resourceId != null ? resourceId : "test-" + agent.type();
            PrintStream out = ra.out();
            try (AgentExecutor ex = new AgentExecutor(cfg)) {
                if (ex.catalog().locate(agent).isEmpty()) {
                    ra.err().println("crm ra test: agent " + agent + " not found; looked at " + ex.catalog().searchPath(agent));
                    return 1;
                }
                ex.verifyProcessGroups();
                out.println("Testing " + agent + " as resource " + id + (values.isEmpty() ? "" : " with " + values)
                        + (rsctmp == null ? "" : ", HA_RSCTMP=" + rsctmp) + (netns == null ? "" : ", netns " + netns));
                RaTester.Report r = new RaTester(ex).run(agent, id, values, step -> {
                    out.println(step.format());
                    out.flush();
                });
                for (String w : r.warnings()) {
                    out.println("warning: " + w);
                }
                out.println(r.summary());
                return r.passed() ? 0 : 1;
            } catch (IllegalStateException e) {
                ra.err().println("crm ra test: " + e.getMessage());
                return 1;
            }
        }
    }
}
