package org.pulse.crmd.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.pulse.cib.admin.AdminDeadlines;
import org.pulse.crmd.controller.QuorumConfig;
import org.pulse.lrm.LrmConfig;

/**
 * A node's configuration file ({@code /etc/pulse/crmd.conf} by default): {@code key = value} lines,
 * {@code #} comments. Several nodes run on one machine with one file each. Example:
 *
 * <pre>
 * # this node's name; must be one of the names in "nodes"
 * node = node1
 * # JGroups cluster name (all nodes alike)
 * cluster = pulse
 * # every node: name@host:port (TCP; port+100 is used for failure detection); a node with a second,
 * # redundant link lists it after a '+': name@host:port+host2:port2 (lost only when both are)
 * nodes = node1@127.0.0.1:7801, node2@127.0.0.1:7802, node3@127.0.0.1:7803
 * # the HTTP listener (/metrics in Prometheus format); loopback unless set otherwise; "off" turns it off
 * http = 127.0.0.1:9664
 * # TLS of that listener: off, self-signed (made once under DATA_DIR/tls; crm web token prints its
 * # fingerprint) or pem (http_tls_cert = PEM chain, http_tls_key = PEM PKCS#8 or RSA key). Off loopback
 * # the console and its API are served only with TLS.
 * http_tls = off
 * # the cluster key, made by `crmd --generate-key FILE`
 * key = /etc/pulse/authkey
 * # during a rolling key change only: other keys whose traffic is accepted (this node seals with
 * # "key" alone), comma-separated; see crmd/README.md "Changing the cluster key"
 * accept_keys = /etc/pulse/authkey.new
 * # CIB (cib/) and saved scheduler inputs (pe/)
 * data_dir = /var/lib/pulse
 * # admin socket for crm and the agent shims (mode 0660)
 * socket = /run/pulse/crmd.sock
 * # OCF roots searched in order (each holds resource.d/PROVIDER/TYPE), colon-separated
 * agent_dirs = /usr/lib/pulse/ocf:/usr/lib/ocf
 * # OCF_ROOT given to every OCF agent, whatever agent_dirs says: ClusterLabs agents source
 * # $OCF_ROOT/lib/heartbeat/ocf-shellfuncs from it (Pulse's own agents find their library beside them)
 * ocf_root = /usr/lib/ocf
 * # where fence agents (stonith class) are found, colon-separated
 * stonith_dirs = /usr/sbin
 * # init scripts (lsb class)
 * lsb_dir = /etc/init.d
 * # agents' state directory; give each node on a machine its own
 * ha_rsctmp = /run/resource-agents
 * # the longest time from a node going silent to the others acting (ms; crashes are seen sooner)
 * failure_detection_ms = 500
 * # how many scheduler inputs to keep in data_dir/pe
 * pe_inputs_kept = 200
 * # quorum (as corosync's votequorum): two_node = true only with exactly 2 nodes: one of two votes is
 * # quorum, fencing decides a split (resources stay stopped without it); it implies wait_for_all
 * two_node = false
 * # after this node starts, no quorum until every node has been a member together once
 * wait_for_all = false
 * # an exact half split: none, lowest (the half with the first of "nodes" wins), ping:ADDRESS (the half
 * # whose DC gets an answer from ADDRESS wins), lease:/PATH (the half whose DC holds the lease file,
 * # on storage every node sees, wins), arbitrator:HOST[:PORT] (the part a pulse-arbitrator on a third
 * # machine gives its vote to; port 5403 by default; see crmd/README.md "Arbitrator")
 * tie_breaker = none
 * # with tie_breaker = arbitrator only: ffsplit (its vote breaks an exact half split) or lms (last man
 * # standing: the part holding its vote is quorate down to one node, and without it only the whole cluster)
 * arbitrator_algorithm = ffsplit
 * # with tie_breaker = arbitrator only: which of two equal parts it favours when neither had its vote
 * # before: lowest (the part with the first node of "nodes"), highest (the last), or a node's name
 * arbitrator_tie_breaker = lowest
 * # how long a CIB write may keep failing (retried with backoff) before this node stops its resources
 * # and leaves the cluster (the others take over, fencing it if needed); also a durable write's deadline
 * cib_write_deadline_ms = 10000
 * # how long the DC keeps an operator's write waiting for every member to store it: answered timed out
 * # after this long without progress (no member that owed it acknowledged anything, no join answer) ...
 * cib_confirm_idle_ms = 30000
 * # ... or this long after it arrived, progress or not (at most 90000: the shell waits no longer)
 * cib_confirm_cap_ms = 90000
 * # how no-quorum-policy=suicide fences this node: reboot or off (at once, through the kernel's sysrq,
 * # as a watchdog would; systemctl --force --force when sysrq is not available), exit (this process
 * # only: for test clusters sharing one machine), or exec:COMMAND (run by /bin/sh, then exit)
 * self_fence = reboot
 * # the node's watchdog device (Linux semantics: opening arms it, any write feeds it, 'V' then close
 * # disarms it); crmd feeds it only while its event loop answers and, with watchdog fencing
 * # (stonith-watchdog-timeout), while quorate. Unset: no watchdog. See crmd/README.md "Watchdog"
 * watchdog = /dev/watchdog
 * # the device's timeout (ms): the node is reset this long after the last feed (as SBD_WATCHDOG_TIMEOUT);
 * # it must match the device's own setting (softdog's soft_margin, the BMC's, or pulse-watchdog-sim's)
 * watchdog_timeout_ms = 5000
 * # poison-pill disks (sbd's way), comma-separated, 1 to 3, laid out by fence_pulse_sbd create: crmd reads
 * # its slot there and resets itself through the watchdog when it finds a pill; needs watchdog
 * sbd_devices = /dev/disk/by-id/SHARED1
 * # written by crm cluster add/remove/join (do not edit): the node list's version, so that a node that
 * # missed a change while stopped takes the newer list from the others when it is back
 * nodes_version = 3
 * </pre>
 */
public record NodeConfig(Path file, String node, String cluster, Map<String, InetSocketAddress> nodes,
        Map<String, InetSocketAddress> secondLinks, Path keyFile, Path dataDir, Path socket, List<Path> agentDirs, Path ocfRoot,
        List<Path> stonithDirs, Path lsbDir, Path haRsctmp, long failureDetectionMs, int peInputsKept,
        QuorumConfig quorum, List<Path> acceptKeyFiles, InetSocketAddress http, Failsafe failsafe, Path watchdog,
        long watchdogTimeoutMs, List<Path> sbdDevices, HttpTls httpTls, AdminDeadlines writeDeadlines) {

    /**
     * TLS of the http listener: {@code off}; {@code self-signed} (a key and certificate crmd makes once under
     * DATA_DIR/tls, whose SHA-256 fingerprint {@code crm web token} prints); or {@code pem}, the operator's
     * certificate chain and private key ({@code http_tls_cert}, {@code http_tls_key}, PEM).
     */
    public record HttpTls(String mode, Path cert, Path key) {
        public static final HttpTls OFF = new HttpTls("off", null, null);

        public boolean on() {
            return !mode.equals("off");
        }
    }

    /**
     * What this node does when it cannot go on safely: how long CIB writes may fail before it leaves,
     * and how it fences itself (no-quorum-policy=suicide, when it has no watchdog): {@code reboot},
     * {@code off}, {@code exit} or {@code exec:COMMAND}.
     */
    public record Failsafe(long cibWriteDeadlineMs, String selfFence) {
        public static final Failsafe DEFAULTS = new Failsafe(10_000, "reboot");
    }

    static final Set<String> KEYS = Set.of("node", "cluster", "nodes", "key", "accept_keys", "http", "data_dir", "socket",
            "agent_dirs", "ocf_root", "stonith_dirs", "lsb_dir", "ha_rsctmp", "failure_detection_ms", "pe_inputs_kept",
            "two_node", "wait_for_all", "tie_breaker", "nodes_version", "cib_write_deadline_ms", "self_fence",
            "cib_confirm_idle_ms", "cib_confirm_cap_ms",
            "watchdog", "watchdog_timeout_ms", "sbd_devices", "arbitrator_algorithm", "arbitrator_tie_breaker",
            "http_tls", "http_tls_cert", "http_tls_key");

    /** SBD's default SBD_WATCHDOG_TIMEOUT. */
    static final long DEFAULT_WATCHDOG_TIMEOUT_MS = 5000;

    /** A problem in the file, with the place and what to do. */
    public static final class ConfigException extends Exception {
        private static final long serialVersionUID = 1L;

        ConfigException(String message) {
            super(message);
        }
    }

    public InetSocketAddress listen() {
        return nodes.get(node);
    }

    /** This node's second link, or null. */
    public InetSocketAddress link2() {
        return secondLinks.get(node);
    }

    /** This config with another node list (crm cluster add/remove while running). */
    NodeConfig withNodes(Map<String, InetSocketAddress> newNodes, Map<String, InetSocketAddress> newSecondLinks) {
        return new NodeConfig(file, node, cluster, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(newNodes)),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(newSecondLinks)), keyFile, dataDir, socket,
                agentDirs, ocfRoot, stonithDirs, lsbDir, haRsctmp, failureDetectionMs, peInputsKept, quorum,
                acceptKeyFiles, http, failsafe, watchdog, watchdogTimeoutMs, sbdDevices, httpTls, writeDeadlines);
    }

    public List<String> nodeNames() {
        return List.copyOf(nodes.keySet());
    }

    public static NodeConfig load(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ConfigException("cannot read the node config " + file + ": " + e.getMessage()
                    + "; give an existing file with --config FILE (see README for the format)");
        }
        return parse(file, lines);
    }

    static NodeConfig parse(Path file, List<String> lines) throws ConfigException {
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new ConfigException(file + ":" + (i + 1) + ": '" + line + "' is not 'key = value'");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (!KEYS.contains(key)) {
                throw new ConfigException(file + ":" + (i + 1) + ": unknown key '" + key + "'; known keys: "
                        + new java.util.TreeSet<>(KEYS));
            }
            if (values.containsKey(key)) {
                throw new ConfigException(file + ":" + (i + 1) + ": '" + key + "' is set twice (first at line "
                        + lineOf.get(key) + ")");
            }
            values.put(key, value);
            lineOf.put(key, i + 1);
        }
        String node = require(file, values, "node");
        Map<String, InetSocketAddress> nodes = new LinkedHashMap<>();
        Map<String, InetSocketAddress> secondLinks = new LinkedHashMap<>();
        for (String entry : require(file, values, "nodes").split(",")) {
            String e = entry.strip();
            int at = e.indexOf('@');
            if (at <= 0) {
                throw new ConfigException(file + ":" + lineOf.get("nodes") + ": '" + e
                        + "' in nodes is not name@host:port");
            }
            String name = e.substring(0, at);
            String[] links = e.substring(at + 1).split("\\+");
            if (links.length > 2) {
                throw new ConfigException(file + ":" + lineOf.get("nodes") + ": '" + e
                        + "' lists more than two links; at most name@host:port+host2:port2");
            }
            if (nodes.containsKey(name)) {
                throw new ConfigException(file + ":" + lineOf.get("nodes") + ": node '" + name
                        + "' is listed twice in nodes; each node once, name@host:port");
            }
            InetSocketAddress first = address(file, lineOf.get("nodes"), links[0].strip());
            for (Map.Entry<String, InetSocketAddress> other : nodes.entrySet()) {
                if (other.getValue().equals(first)) {
                    throw new ConfigException(file + ":" + lineOf.get("nodes") + ": nodes " + other.getKey() + " and "
                            + name + " have the same address " + links[0].strip() + "; give each node its own host:port");
                }
            }
            nodes.put(name, first);
            if (links.length == 2) {
                secondLinks.put(name, address(file, lineOf.get("nodes"), links[1].strip()));
            }
        }
        if (!nodes.containsKey(node)) {
            throw new ConfigException(file + ":" + lineOf.get("node") + ": node '" + node + "' is not in nodes "
                    + nodes.keySet() + "; add it as " + node + "@host:port");
        }
        long fd = number(file, values, lineOf, "failure_detection_ms", 500);
        int kept = (int) number(file, values, lineOf, "pe_inputs_kept", 200);
        QuorumConfig quorum = quorum(file, values, lineOf, nodes.keySet());
        return new NodeConfig(file, node, values.getOrDefault("cluster", "pulse"), nodes, secondLinks,
                Path.of(values.getOrDefault("key", "/etc/pulse/authkey")),
                Path.of(values.getOrDefault("data_dir", "/var/lib/pulse")),
                Path.of(values.getOrDefault("socket", "/run/pulse/crmd.sock")),
                paths(values.getOrDefault("agent_dirs", "/usr/lib/ocf")),
                Path.of(values.getOrDefault("ocf_root", LrmConfig.DEFAULT_OCF_ROOT.toString())),
                paths(values.getOrDefault("stonith_dirs", "/usr/sbin:/sbin")),
                Path.of(values.getOrDefault("lsb_dir", "/etc/init.d")),
                Path.of(values.getOrDefault("ha_rsctmp", "/run/resource-agents")), fd, kept, quorum,
                values.containsKey("accept_keys") ? paths(values.get("accept_keys").replace(',', ':')) : List.of(),
                http(file, lineOf.get("http"), values.getOrDefault("http", "127.0.0.1:9664")),
                new Failsafe(number(file, values, lineOf, "cib_write_deadline_ms", Failsafe.DEFAULTS.cibWriteDeadlineMs()),
                        selfFence(file, lineOf.get("self_fence"), values.getOrDefault("self_fence",
                                Failsafe.DEFAULTS.selfFence()))),
                watchdog(file, lineOf.get("watchdog"), values.get("watchdog")),
                number(file, values, lineOf, "watchdog_timeout_ms", DEFAULT_WATCHDOG_TIMEOUT_MS),
                sbdDevices(file, lineOf.get("sbd_devices"), values.get("sbd_devices"), values.get("watchdog")),
                httpTls(file, values, lineOf), writeDeadlines(file, values, lineOf));
    }

    private static AdminDeadlines writeDeadlines(Path file, Map<String, String> values, Map<String, Integer> lineOf)
            throws ConfigException {
        long idle = number(file, values, lineOf, "cib_confirm_idle_ms", AdminDeadlines.DEFAULTS.idleMs());
        long cap = number(file, values, lineOf, "cib_confirm_cap_ms", AdminDeadlines.DEFAULTS.capMs());
        try {
            return new AdminDeadlines(idle, cap);
        } catch (IllegalArgumentException e) {
            Integer line = lineOf.getOrDefault("cib_confirm_cap_ms", lineOf.get("cib_confirm_idle_ms"));
            throw new ConfigException(file + ":" + line + ": " + e.getMessage());
        }
    }

    private static HttpTls httpTls(Path file, Map<String, String> values, Map<String, Integer> lineOf) throws ConfigException {
        String cert = values.get("http_tls_cert");
        String key = values.get("http_tls_key");
        String mode = values.getOrDefault("http_tls", cert != null || key != null ? "pem" : "off").strip();
        Integer line = lineOf.get("http_tls");
        switch (mode) {
            case "off", "self-signed" -> {
                if (cert != null || key != null) {
                    throw new ConfigException(file + ":" + lineOf.get(cert != null ? "http_tls_cert" : "http_tls_key") + ": "
                            + (cert != null ? "http_tls_cert" : "http_tls_key") + " is set but http_tls = " + mode
                            + "; remove http_tls (or set it to pem) to serve your certificate");
                }
                return mode.equals("off") ? HttpTls.OFF : new HttpTls(mode, null, null);
            }
            case "pem" -> {
                if (cert == null || key == null) {
                    throw new ConfigException(file + ":" + (line != null ? line : lineOf.get(cert != null ? "http_tls_cert" : "http_tls_key"))
                            + ": TLS with your own certificate needs both http_tls_cert (the PEM certificate chain) and"
                            + " http_tls_key (its PEM private key); " + (cert == null ? "http_tls_cert" : "http_tls_key")
                            + " is missing (or set http_tls = self-signed)");
                }
                return new HttpTls(mode, Path.of(cert.strip()), Path.of(key.strip()));
            }
            default -> throw new ConfigException(file + ":" + line + ": http_tls = " + mode
                    + " is not one of off, self-signed, pem");
        }
    }

    private static String selfFence(Path file, Integer line, String value) throws ConfigException {
        String v = value.strip();
        if (v.equals("reboot") || v.equals("off") || v.equals("exit")
                || (v.startsWith("exec:") && !v.substring(5).isBlank())) {
            return v;
        }
        throw new ConfigException(file + ":" + line + ": self_fence = " + v + " is not one of reboot, off, exit,"
                + " exec:COMMAND");
    }

    /** sbd_devices: 1 to 3 absolute paths; a node reading pills must be able to reset itself (watchdog). */
    private static List<Path> sbdDevices(Path file, Integer line, String value, String watchdog)
            throws ConfigException {
        if (value == null || value.isBlank()) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        for (String d : value.split(",")) {
            if (!d.strip().startsWith("/")) {
                throw new ConfigException(file + ":" + line + ": sbd_devices: '" + d.strip() + "' is not an absolute path");
            }
            out.add(Path.of(d.strip()));
        }
        if (out.size() > 3) {
            throw new ConfigException(file + ":" + line + ": sbd_devices lists " + out.size() + " disks; use 1 to 3 (a"
                    + " majority of them must be readable)");
        }
        if (watchdog == null || watchdog.isBlank() || watchdog.strip().equalsIgnoreCase("off")) {
            throw new ConfigException(file + ":" + line + ": sbd_devices needs a watchdog (a node that finds a pill resets"
                    + " itself through it): add watchdog = /dev/watchdog");
        }
        return List.copyOf(out);
    }

    /** The watchdog device's path (absolute), or null when unset or "off". */
    private static Path watchdog(Path file, Integer line, String value) throws ConfigException {
        if (value == null || value.strip().equalsIgnoreCase("off") || value.isBlank()) {
            return null;
        }
        if (!value.strip().startsWith("/")) {
            throw new ConfigException(file + ":" + line + ": watchdog = " + value + " is not an absolute path;"
                    + " give the device, e.g. watchdog = /dev/watchdog (or off)");
        }
        return Path.of(value.strip());
    }

    /** This node's watchdog timeout in ms, or 0 when it has no watchdog. */
    public long watchdogTimeoutMsOrZero() {
        return watchdog == null ? 0 : watchdogTimeoutMs;
    }

    /**
     * two_node, wait_for_all and tie_breaker. As corosync: two_node implies wait_for_all unless that is
     * set to false explicitly, and two_node with any number of nodes but two is refused.
     */
    private static QuorumConfig quorum(Path file, Map<String, String> values, Map<String, Integer> lineOf,
            Set<String> nodeNames) throws ConfigException {
        boolean twoNode = bool(file, values, lineOf, "two_node", false);
        if (twoNode && nodeNames.size() != 2) {
            throw new ConfigException(file + ":" + lineOf.get("two_node") + ": two_node = true needs exactly 2 nodes"
                    + " in 'nodes', which lists " + nodeNames.size() + " " + nodeNames + "; remove two_node (with 3"
                    + " or more nodes a majority decides) or list exactly two nodes");
        }
        boolean waitForAll = bool(file, values, lineOf, "wait_for_all", twoNode);
        String tb = values.getOrDefault("tie_breaker", "none").strip();
        QuorumConfig.TieBreaker tieBreaker;
        if (tb.equals("none")) {
            tieBreaker = QuorumConfig.TieBreaker.NONE;
        } else if (tb.equals("lowest")) {
            tieBreaker = QuorumConfig.TieBreaker.LOWEST;
        } else if (tb.startsWith("ping:") && !tb.substring(5).isBlank() && !tb.substring(5).strip().contains(" ")) {
            tieBreaker = QuorumConfig.TieBreaker.ping(tb.substring(5).strip());
        } else if (tb.startsWith("lease:") && tb.substring(6).strip().startsWith("/")) {
            tieBreaker = QuorumConfig.TieBreaker.lease(tb.substring(6).strip());
        } else if (tb.startsWith("arbitrator:") && arbitratorTarget(tb.substring(11).strip()) != null) {
            if (twoNode) {
                throw new ConfigException(file + ":" + lineOf.get("two_node") + ": two_node = true and tie_breaker = "
                        + tb + " contradict each other (two_node makes both halves quorate, the arbitrator one);"
                        + " remove two_node");
            }
            tieBreaker = QuorumConfig.TieBreaker.arbitrator(arbitratorTarget(tb.substring(11).strip()),
                    arbitration(file, values, lineOf, nodeNames));
        } else {
            throw new ConfigException(file + ":" + lineOf.get("tie_breaker") + ": tie_breaker = " + tb
                    + " is not one of none, lowest, ping:ADDRESS (e.g. ping:192.0.2.1, the gateway),"
                    + " lease:/ABSOLUTE/PATH (a file on storage every node sees), arbitrator:HOST[:PORT]"
                    + " (a pulse-arbitrator on a third machine)");
        }
        if (tieBreaker.kind() != QuorumConfig.TieBreaker.Kind.ARBITRATOR) {
            for (String k : List.of("arbitrator_algorithm", "arbitrator_tie_breaker")) {
                if (values.containsKey(k)) {
                    throw new ConfigException(file + ":" + lineOf.get(k) + ": " + k + " goes with tie_breaker ="
                            + " arbitrator:HOST only (tie_breaker is " + tb + "); remove it");
                }
            }
        }
        return new QuorumConfig(twoNode, waitForAll, tieBreaker);
    }

    /** HOST[:PORT] as HOST:PORT (port 5403 when not given), or null when it is not that. */
    static String arbitratorTarget(String hostPort) {
        if (hostPort.isEmpty() || hostPort.contains(" ") || hostPort.contains("/")) {
            return null;
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            return hostPort + ":" + org.pulse.crmd.arbitrator.ArbitratorProtocol.DEFAULT_PORT;
        }
        String port = hostPort.substring(colon + 1);
        if (colon == 0 || !port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            return null;
        }
        return hostPort;
    }

    private static QuorumConfig.Arbitration arbitration(Path file, Map<String, String> values,
            Map<String, Integer> lineOf, Set<String> nodeNames) throws ConfigException {
        String alg = values.getOrDefault("arbitrator_algorithm", "ffsplit").strip().toLowerCase();
        QuorumConfig.Arbitration.Algorithm algorithm;
        switch (alg) {
            case "ffsplit" -> algorithm = QuorumConfig.Arbitration.Algorithm.FFSPLIT;
            case "lms" -> algorithm = QuorumConfig.Arbitration.Algorithm.LMS;
            default -> throw new ConfigException(file + ":" + lineOf.get("arbitrator_algorithm")
                    + ": arbitrator_algorithm = " + alg + " is not ffsplit or lms");
        }
        String tb = values.getOrDefault("arbitrator_tie_breaker", "lowest").strip();
        if (!tb.equals("lowest") && !tb.equals("highest") && !nodeNames.contains(tb)) {
            throw new ConfigException(file + ":" + lineOf.get("arbitrator_tie_breaker") + ": arbitrator_tie_breaker = "
                    + tb + " is not lowest, highest or one of the nodes " + nodeNames);
        }
        return new QuorumConfig.Arbitration(algorithm, tb);
    }

    private static boolean bool(Path file, Map<String, String> values, Map<String, Integer> lineOf, String key,
            boolean fallback) throws ConfigException {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        switch (v.strip().toLowerCase()) {
            case "true", "yes", "on", "1" -> {
                return true;
            }
            case "false", "no", "off", "0" -> {
                return false;
            }
            default -> throw new ConfigException(file + ":" + lineOf.get(key) + ": " + key + " = " + v
                    + " is not true or false");
        }
    }

    private static String require(Path file, Map<String, String> values, String key) throws ConfigException {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new ConfigException(file + ": '" + key + "' is missing; add a line '" + key + " = ...'");
        }
        return v;
    }

    private static long number(Path file, Map<String, String> values, Map<String, Integer> lineOf, String key,
            long fallback) throws ConfigException {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n <= 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(file + ":" + lineOf.get(key) + ": " + key + " = " + v
                    + " is not a positive whole number");
        }
    }

    private static InetSocketAddress address(Path file, int line, String hostPort) throws ConfigException {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException(file + ":" + line + ": '" + hostPort + "' is not host:port");
        }
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1).strip());
            return new InetSocketAddress(hostPort.substring(0, colon).strip(), port);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ":" + line + ": '" + hostPort + "' is not host:port ("
                    + e.getMessage() + ")");
        }
    }

    private static List<Path> paths(String colonSeparated) {
        List<Path> out = new ArrayList<>();
        for (String p : colonSeparated.split(":")) {
            if (!p.isBlank()) {
                out.add(Path.of(p.strip()));
            }
        }
        return out;
    }

    /** {@code HOST:PORT}, or null for {@code off}. */
    private static InetSocketAddress http(Path file, Integer line, String value) throws ConfigException {
        if (value.strip().equalsIgnoreCase("off")) {
            return null;
        }
        return address(file, line == null ? 0 : line, value.strip());
    }
}
