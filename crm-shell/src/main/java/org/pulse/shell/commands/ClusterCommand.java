package org.pulse.shell.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.cib.join.ConfText;
import org.pulse.cib.join.JoinClient;
import org.pulse.cib.join.JoinException;
import org.pulse.cib.join.JoinToken;
import org.pulse.cib.join.JoinTokens;
import org.pulse.cib.join.JoinWire;
import org.pulse.shell.Crm;
import org.pulse.shell.CrmException;
import org.pulse.shell.parse.Token;
import org.pulse.shell.source.AdminClient;
import org.pulse.shell.source.DirectDaemon;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code crm cluster}: bootstrap without SSH and the node list of a running cluster.
 * {@code init} writes this node's crmd.conf and the cluster key and a one-time join token;
 * {@code join} fetches the key and the shared settings from a running node over the join port
 * (cib's join package: keyed by the token's secret, the key's fingerprint pinned) and writes them;
 * {@code add}/{@code remove} change the node list of every running member through crmd;
 * {@code start|stop|restart|status} drive pulse.service as crmsh's drive pacemaker's.
 *
 * <p>Nothing is written before every check passed: a bad token, an unreachable node, a duplicate
 * name or address each leave the files as they were.
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Bootstrap (init, join, token) and change the node list (add, remove) of a "
        + "running cluster without SSH; start, stop, restart, status of this node's pulse service.",
        subcommands = {ClusterCommand.Init.class, ClusterCommand.Token.class, ClusterCommand.Join.class,
                ClusterCommand.Add.class, ClusterCommand.Remove.class, ClusterCommand.Service.Start.class,
                ClusterCommand.Service.Stop.class, ClusterCommand.Service.Restart.class,
                ClusterCommand.Service.Status.class})
public final class ClusterCommand implements Callable<Integer> {
    static final Path DEFAULT_CONFIG = Path.of("/etc/pulse/crmd.conf");
    static final long DEFAULT_TOKEN_MINUTES = 60;

    @CommandLine.ParentCommand
    Crm crm;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(crm.stdout);
        return 0;
    }

    /** Options every file-writing subcommand shares. */
    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand
        ClusterCommand parent;

        @Option(names = "--config", paramLabel = "FILE", description = "This node's crmd.conf (default: /etc/pulse/crmd.conf)."
                + " An existing file keeps its local settings (paths, ports); the cluster's are set.")
        Path config = DEFAULT_CONFIG;

        PrintStream out() {
            return parent.crm.stdout;
        }

        PrintStream err() {
            return parent.crm.stderr;
        }

        @Override
        public Integer call() {
            try {
                return run();
            } catch (JoinException | CrmException e) {
                err().println("ERROR: cluster " + getClass().getSimpleName().toLowerCase() + ": " + e.getMessage());
                return 1;
            } catch (IOException e) {
                err().println("ERROR: cluster " + getClass().getSimpleName().toLowerCase() + ": " + e);
                return 1;
            }
        }

        abstract int run() throws JoinException, CrmException, IOException;

        List<String> lines() throws IOException {
            return Files.exists(config) ? Files.readAllLines(config) : List.of("# written by crm cluster");
        }

        static Path keyPath(Map<String, String> v) {
            return Path.of(v.getOrDefault("key", "/etc/pulse/authkey"));
        }

        static Path dataDir(Map<String, String> v) {
            return Path.of(v.getOrDefault("data_dir", "/var/lib/pulse"));
        }

        /**
         * A new token in DATA_DIR/join-tokens, valid {@code minutes}, issued for {@code forHost} (null:
         * usable only from a listed node's address); the join command that uses it.
         */
        String newToken(Map<String, String> v, byte[] key, long minutes, String self, String forHost)
                throws IOException, JoinException {
            if (forHost != null) {
                try {
                    InetAddress.getAllByName(forHost);
                } catch (java.net.UnknownHostException e) {
                    throw new JoinException("--for " + forHost + " does not resolve: give the joining node's address"
                            + " as this node sees it, e.g. 192.0.2.2");
                }
            }
            JoinToken t = JoinToken.generate(new SecureRandom(), JoinWire.fingerprint(key));
            long now = parent.crm.clock.millis();
            JoinTokens.add(JoinTokens.file(dataDir(v)), t, now + TimeUnit.MINUTES.toMillis(minutes), now, forHost);
            return "crm cluster join --token " + t + " --node NAME --address " + (forHost == null ? "HOST" : forHost)
                    + ":PORT " + self + "\n  (one use, valid " + minutes + " min; NAME and "
                    + (forHost == null ? "HOST:PORT are the new node's; it must join from a listed node's address:"
                            + " 'crm cluster add NAME HOST:PORT' first, or make the token with --for HOST)"
                            : "PORT are the new node's; accepted only from " + forHost + ")");
        }

        /**
         * Starts the node as 'crm cluster start' does: pulse.service on a systemd host with the
         * packaged config, else the daemon directly. With --no-start, says how. The files are
         * written either way: a start that fails is reported (exit 1) and can be redone.
         */
        int startOrSay(boolean start) throws IOException {
            boolean systemd = Files.isDirectory(Path.of("/run/systemd/system"));
            if (!start) {
                out().println("start the node: " + (config.equals(DEFAULT_CONFIG) ? "crm cluster start"
                        : "crm cluster start --config " + config));
                return 0;
            }
            if (systemd && config.equals(DEFAULT_CONFIG)) {
                int rc = Service.systemctl(out(), err(), "start");
                if (rc == 0) {
                    out().println("started pulse.service");
                    return 0;
                }
                err().println("ERROR: systemctl start pulse failed (exit " + rc + "); see journalctl -u pulse,"
                        + " then 'crm cluster start'");
                return 1;
            }
            return direct(this, null).start();
        }
    }

    @Command(name = "init", description = "Make this node the first of a new cluster: writes crmd.conf, the cluster key "
            + "(mode 0400) and a one-time join token, starts pulse.service (systemd, default config) or says how, and "
            + "prints the join command for the other nodes.", mixinStandardHelpOptions = true)
    static final class Init extends Sub {
        @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "The cluster's name (default: pulse).")
        String cluster = "pulse";

        @Option(names = "--node", paramLabel = "NODE", description = "This node's name (default: the short host name).")
        String node;

        @Option(names = "--address", paramLabel = "HOST:PORT", required = true,
                description = "This node's cluster address (TCP; port+100 and port+200 are used too).")
        String address;

        @Option(names = "--nodes", paramLabel = "NAME@HOST:PORT", split = ",",
                description = "Other nodes to list from the start (they join with a token); usually none: join adds them.")
        List<String> others = new ArrayList<>();

        @Option(names = "--token-minutes", paramLabel = "MIN", description = "How long the join token is valid (default: 60).")
        long minutes = DEFAULT_TOKEN_MINUTES;

        @Option(names = "--no-start", description = "Write the files only; do not start the node.")
        boolean noStart;

        @Option(names = "--for", paramLabel = "HOST", description = "The address the first join comes from: this node's"
                + " join port accepts only listed nodes' addresses and those a live token was issued for.")
        String forHost;

        @Option(names = "--force", description = "Overwrite an existing cluster key (this node leaves its old cluster).")
        boolean force;

        @Override
        int run() throws JoinException, IOException {
            String self = node != null ? node : InetAddress.getLocalHost().getHostName().split("\\.")[0];
            List<String> lines = lines();
            Map<String, String> v = ConfText.values(lines);
            Path key = keyPath(v);
            if (Files.exists(key, LinkOption.NOFOLLOW_LINKS) && !force) {
                throw new JoinException("the cluster key " + key + " exists already: this node is set up for a cluster."
                        + " To make a new one, stop the node and run init with --force; nothing was written");
            }
            Map<String, String> nodes = new LinkedHashMap<>();
            nodes.put(self, address);
            for (String o : others) {
                int at = o.indexOf('@');
                if (at <= 0) {
                    throw new JoinException("'" + o + "' in --nodes is not NAME@HOST:PORT; nothing was written");
                }
                String name = o.substring(0, at).strip();
                String addr = o.substring(at + 1).strip();
                if (nodes.containsKey(name)) {
                    throw new JoinException("node " + name + " is listed twice; each node once; nothing was written");
                }
                if (nodes.containsValue(addr)) {
                    throw new JoinException("address " + addr + " is listed twice; each node its own; nothing was written");
                }
                nodes.put(name, addr);
            }
            checkAddress(address);
            Map<String, String> set = new LinkedHashMap<>();
            set.put("node", self);
            set.put("cluster", cluster);
            set.put("nodes", ConfText.nodesValue(nodes));
            if (!v.containsKey("key")) {
                set.put("key", key.toString());
            }
            List<String> updated = ConfText.with(lines, set);
            byte[] k = new byte[32];
            new SecureRandom().nextBytes(k);
            if (Files.exists(key)) {
                Files.delete(key); // --force: the old key file is read-only
            }
            ConfText.write(key, k, "r--------");
            ConfText.writeAtomically(config, String.join("\n", updated) + "\n");
            out().println("wrote " + config + " (node " + self + " of cluster " + cluster + ") and the cluster key "
                    + key + " (fingerprint " + JoinWire.fingerprint(k) + ")");
            Files.createDirectories(dataDir(v));
            out().println("join other nodes with:\n  " + newToken(ConfText.values(updated), k, minutes, address, forHost));
            return startOrSay(!noStart);
        }
    }

    @Command(name = "token", description = "Make a new one-time join token on this (initialised) node and print the "
            + "join command that uses it.", mixinStandardHelpOptions = true)
    static final class Token extends Sub {
        @Option(names = "--token-minutes", paramLabel = "MIN", description = "How long it is valid (default: 60).")
        long minutes = DEFAULT_TOKEN_MINUTES;

        @Option(names = "--for", paramLabel = "HOST", description = "The address the joining node connects from, as"
                + " this node sees it: the join port accepts only listed nodes' addresses and those a live token was"
                + " issued for. Without it, list the node first ('crm cluster add NODE HOST:PORT').")
        String forHost;

        @Override
        int run() throws JoinException, IOException {
            if (!Files.exists(config)) {
                throw new JoinException("no node config " + config + ": run crm cluster init first (or give --config FILE)");
            }
            Map<String, String> v = ConfText.values(Files.readAllLines(config));
            Path key = keyPath(v);
            if (!Files.isReadable(key)) {
                throw new JoinException("cannot read the cluster key " + key + ": run this as root on a cluster node");
            }
            String self = ConfText.nodesOf(v.get("nodes")).get(v.get("node"));
            out().println(newToken(v, Files.readAllBytes(key), minutes, self == null ? "HOST:PORT" : self.split("\\+")[0],
                    forHost));
            return 0;
        }
    }

    @Command(name = "join", description = "Join a running cluster: fetches the cluster key and settings from NODE_ADDRESS "
            + "(a member's cluster address) with a token from 'crm cluster init' or 'crm cluster token', writes them "
            + "(key mode 0400), and starts the node or says how. Fails within seconds when the node cannot be reached.",
            mixinStandardHelpOptions = true)
    static final class Join extends Sub {
        @Option(names = "--token", paramLabel = "TOKEN", required = true, description = "The one-time token (pulse1:...).")
        String token;

        @Option(names = "--node", paramLabel = "NODE", description = "This node's name (default: the short host name).")
        String node;

        @Option(names = "--address", paramLabel = "HOST:PORT", required = true, description = "This node's cluster address.")
        String address;

        @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "The cluster name expected (refused if it differs).")
        String cluster;

        @Option(names = "--no-start", description = "Write the files only; do not start the node.")
        boolean noStart;

        @Option(names = "--protocol-version", hidden = true, description = "Announce another join protocol version (tests of version skew).")
        int protocolVersion = JoinWire.PROTOCOL_VERSION;

        @Parameters(paramLabel = "NODE_ADDRESS", description = "A running member's cluster address, HOST:PORT.")
        String first;

        @Override
        int run() throws JoinException, IOException {
            String self = node != null ? node : InetAddress.getLocalHost().getHostName().split("\\.")[0];
            JoinToken t = JoinToken.parse(token);
            List<String> lines = lines();
            Map<String, String> v = ConfText.values(lines);
            Path key = keyPath(v);
            if (Files.exists(key, LinkOption.NOFOLLOW_LINKS)) {
                throw new JoinException("the cluster key " + key + " exists already: this node is set up for a cluster;"
                        + " remove the key (and stop the node) to join another; nothing was written");
            }
            checkAddress(address);
            InetSocketAddress to = checkAddress(first);
            Map<String, String> request = new LinkedHashMap<>();
            request.put("node", self);
            request.put("address", address);
            if (cluster != null) {
                request.put("cluster", cluster);
            }
            JoinClient.Admission a = JoinClient.join(to, t, request, protocolVersion, new SecureRandom());
            Map<String, String> set = new LinkedHashMap<>(a.settings());
            set.put("node", self);
            if (!v.containsKey("key")) {
                set.put("key", key.toString());
            }
            List<String> updated = ConfText.with(lines, set);
            ConfText.write(key, a.key(), "r--------");
            ConfText.writeAtomically(config, String.join("\n", updated) + "\n");
            out().println("joined cluster " + a.settings().get("cluster") + " as " + self + ": wrote " + config
                    + " and the cluster key " + key + " (fingerprint " + t.fingerprint() + "); nodes: "
                    + a.settings().get("nodes"));
            return startOrSay(!noStart);
        }
    }

    @Command(name = "add", description = "Add NODE at HOST:PORT to the node list of every running member, without a "
            + "restart (quorum counts it from the next view). Usually done by 'join'; use it to list a node before it "
            + "is set up.", mixinStandardHelpOptions = true)
    static final class Add extends Sub {
        @Parameters(index = "0", paramLabel = "NODE")
        String node;

        @Parameters(index = "1", paramLabel = "HOST:PORT")
        String address;

        @Override
        int run() throws CrmException {
            return admin(this, AdminArgs.of("action", "add", "node", node, "address", address));
        }
    }

    @Command(name = "remove", aliases = "delete", description = "Remove NODE from the node list of every running member "
            + "and from the CIB, without a restart. Refused while NODE runs: stop it first ('crm cluster stop' on it "
            + "moves its resources away).", mixinStandardHelpOptions = true)
    static final class Remove extends Sub {
        @Parameters(index = "0", paramLabel = "NODE")
        String node;

        @Override
        int run() throws CrmException {
            return admin(this, AdminArgs.of("action", "remove", "node", node));
        }
    }

    private static int admin(Sub sub, AdminArgs args) throws CrmException {
        AdminClient client = new AdminClient(sub.parent.crm.socketPath());
        AdminResponse r = client.call(new AdminRequest(client.nextId(), AdminOp.CLUSTER, args));
        if (!r.ok()) {
            sub.err().println("ERROR: " + r.error().message());
            return 1;
        }
        sub.out().println(r.result().asMap().get("message"));
        return 0;
    }

    static InetSocketAddress checkAddress(String hostPort) throws JoinException {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new IllegalArgumentException("not HOST:PORT");
            }
            InetSocketAddress a = new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
            if (a.isUnresolved()) {
                throw new IllegalArgumentException("the host does not resolve");
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new JoinException("'" + hostPort + "' is not a usable address (" + e.getMessage() + "); give HOST:PORT,"
                    + " e.g. 192.0.2.1:7801; nothing was written");
        }
    }

    /**
     * start, stop, restart, status: systemctl on pulse.service where systemd runs (as crmsh's cluster
     * commands drive pacemaker's unit); elsewhere (containers, hosts without systemd: no
     * /run/systemd/system) crm does what the unit would, with {@link DirectDaemon}.
     */
    abstract static class Service extends Sub {
        @Option(names = "--log", paramLabel = "FILE", description = "Without systemd: where the daemon's output goes"
                + " (default: /var/log/pulse/crmd.log; crmd.log beside a --config other than the default).")
        Path log;

        abstract String verb();

        @Override
        int run() throws JoinException, IOException {
            if (Files.isDirectory(Path.of("/run/systemd/system")) && config.equals(DEFAULT_CONFIG)) {
                return systemctl(out(), err(), verb());
            }
            DirectDaemon d = direct(this, log);
            return switch (verb()) {
                case "start" -> d.start();
                case "stop" -> d.stop();
                case "restart" -> {
                    int rc = d.stop();
                    yield rc != 0 ? rc : d.start();
                }
                default -> d.status();
            };
        }

        static int systemctl(PrintStream out, PrintStream err, String verb) {
            try {
                Process p = new ProcessBuilder("systemctl", verb, "--no-pager", "pulse.service").inheritIO().start();
                // stop waits for the clean stop (TimeoutStopSec=90s in the unit) and no longer
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    err.println("ERROR: systemctl " + verb + " pulse did not finish within 120 s");
                    return 1;
                }
                return p.exitValue();
            } catch (IOException e) {
                err.println("ERROR: cannot run systemctl: " + e.getMessage());
                return 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }

        @Command(name = "start", description = "Start this node: systemctl start pulse, or without systemd the daemon"
                + " directly (pid file beside the socket, /run/pulse/crmd.pid; returns once it answers on its socket).",
                mixinStandardHelpOptions = true)
        static final class Start extends Service {
            String verb() {
                return "start";
            }
        }

        @Command(name = "stop", description = "Stop this node cleanly: its resources move away first (systemctl stop pulse,"
                + " or without systemd SIGTERM to the daemon, then SIGKILL after 90 s as the unit's TimeoutStopSec).",
                mixinStandardHelpOptions = true)
        static final class Stop extends Service {
            String verb() {
                return "stop";
            }
        }

        @Command(name = "restart", description = "Stop this node cleanly and start it again.", mixinStandardHelpOptions = true)
        static final class Restart extends Service {
            String verb() {
                return "restart";
            }
        }

        @Command(name = "status", description = "This node's service status (systemctl status pulse, or the pid file and"
                + " the daemon's own answer); exit 0 running, 3 not running. 'crm status' shows the cluster.",
                mixinStandardHelpOptions = true)
        static final class Status extends Service {
            String verb() {
                return "status";
            }
        }
    }

    /** The daemon run without systemd for the node whose config {@code sub} names. */
    static DirectDaemon direct(Sub sub, Path log) throws IOException {
        Map<String, String> v = Files.exists(sub.config) ? ConfText.values(Files.readAllLines(sub.config)) : Map.of();
        Path socket = Path.of(v.getOrDefault("socket", "/run/pulse/crmd.sock"));
        Path logFile = log != null ? log
                : sub.config.equals(DEFAULT_CONFIG) ? DirectDaemon.DEFAULT_LOG
                : sub.config.toAbsolutePath().resolveSibling("crmd.log");
        return new DirectDaemon(sub.config, socket, logFile, daemonProgram(sub.parent.crm), sub.out(), sub.err());
    }

    /**
     * The daemon beside this crm: the package's /usr/lib/pulse/bin/crmd (the jar is in
     * /usr/lib/pulse/lib), or a source tree's bin/crmd.
     */
    static Path daemonProgram(Crm crm) {
        try {
            Path jar = Path.of(Crm.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path installed = jar.getParent().resolveSibling("bin").resolve("crmd");
            if (Files.isExecutable(installed)) {
                return installed;
            }
        } catch (Exception e) {
            // not from a jar (an IDE run): the tree's launcher below
        }
        Path root = crm.repoRoot();
        return root == null ? Path.of("/usr/sbin/pulse-crmd") : root.resolve("bin/crmd");
    }
}
