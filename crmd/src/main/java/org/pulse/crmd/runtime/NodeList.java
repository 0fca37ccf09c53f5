package org.pulse.crmd.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.pulse.cib.join.ConfText;
import org.pulse.cib.join.JoinClient;
import org.pulse.cib.join.JoinException;
import org.pulse.crmd.controller.Event;
import org.pulse.messaging.ClusterView;
import org.pulse.messaging.Envelope;
import org.pulse.messaging.Messenger;
import org.pulse.messaging.Replies;
import org.slf4j.Logger;

/**
 * The cluster's node list while it runs: {@code crm cluster add NODE HOST:PORT}, {@code crm cluster
 * remove NODE} and joins change it on every running member without a restart.
 *
 * <p>Order: the asking node checks the change against its own crmd.conf (a duplicate name or
 * address, two_node, a removed node that still runs are refused there, nothing changed), then asks
 * every member of the view, itself included, to apply it ({@link #TYPE}, one request, bounded by
 * {@link #APPLY_TIMEOUT_MS}). Applying is: the new {@code nodes} line checked as crmd would read it,
 * written to crmd.conf (temporary file and rename), then messaging (who may join, who is asked at
 * discovery) and the controller (who votes, from the next view) take it. Members that are not
 * running are named in the answer with the line to give them before they start.
 *
 * <p>Removal is refused while the node runs: stop it first ({@code crm cluster stop} on it, a clean
 * stop that moves its resources away, as crmsh's remove stops the node it removes), then remove it;
 * its entries in the CIB (nodes section and status) are deleted too, so it no longer votes.
 */
final class NodeList {
    static final String TYPE = "pulse-nodes";
    /** The node list and its version, told at each view change by the view's first member. */
    static final String SYNC_TYPE = "pulse-nodes-sync";
    static final long APPLY_TIMEOUT_MS = 10_000;
    /** As messaging's envelopes accept them. */
    private static final java.util.regex.Pattern NODE_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    private final CrmdRuntime runtime;
    private final Logger log;
    /** One change at a time; the initiator holds it while the members (itself included) apply. */
    private final Object changing = new Object();
    /** Applying is separate: the initiator waits, holding {@link #changing}, for its own apply. */
    private final Object applying = new Object();

    NodeList(CrmdRuntime runtime, Logger log) {
        this.runtime = runtime;
        this.log = log;
    }

    /** The result of a change: what a person reads, and the new node list. */
    record Change(String message, Map<String, String> nodes) {
    }

    /**
     * Adds {@code node} at {@code address} (host:port). {@code again}: the same node at the same
     * address already listed and not running is accepted as done (a join retried after a broken
     * connection), instead of refused as a duplicate.
     */
    Change add(String node, String address, boolean again) throws JoinException {
        synchronized (changing) {
            NodeConfig c = runtime.config();
            Map<String, String> nodes = listed(c);
            refuseTwoNode(c, "add");
            if (node == null || !NODE_NAME.matcher(node).matches()) {
                throw new JoinException("cannot add node '" + node + "': a node name is 1-63 characters of"
                        + " [A-Za-z0-9._-], starting with a letter or digit; nothing changed");
            }
            InetSocketAddress a = parse(node, address);
            if (nodes.containsKey(node)) {
                if (again && nodes.get(node).equals(address) && !running(node)) {
                    return new Change("node " + node + " is already listed at " + address, nodes);
                }
                throw new JoinException("a node named " + node + " is already in cluster " + c.cluster() + " (at "
                        + nodes.get(node) + "); give the new node another name, or remove the old one first"
                        + " (crm cluster remove " + node + "); nothing changed");
            }
            for (Map.Entry<String, InetSocketAddress> e : c.nodes().entrySet()) {
                if (e.getValue().equals(a)) {
                    throw new JoinException("address " + address + " is node " + e.getKey() + "'s already; give " + node
                            + " its own host:port; nothing changed");
                }
            }
            nodes.put(node, address);
            // A joining node (again) gets the list in its admission: it is not "offline, not updated".
            return apply(c, nodes, node + " added at " + address, again ? node : null);
        }
    }

    Change remove(String node) throws JoinException {
        synchronized (changing) {
            NodeConfig c = runtime.config();
            Map<String, String> nodes = listed(c);
            refuseTwoNode(c, "remove");
            if (!nodes.containsKey(node)) {
                throw new JoinException("no node " + node + " in cluster " + c.cluster() + "; its nodes: "
                        + nodes.keySet());
            }
            if (node.equals(c.node())) {
                throw new JoinException(node + " cannot remove itself: stop it (crm cluster stop on " + node
                        + "), then run crm cluster remove " + node + " on another node");
            }
            if (running(node)) {
                throw new JoinException(node + " is running (a member of the current view): stop it first with"
                        + " 'crm cluster stop' on " + node + " (a clean stop moves its resources away), then remove it;"
                        + " nothing changed");
            }
            nodes.remove(node);
            return apply(c, nodes, node + " removed", null);
        }
    }

    private boolean running(String node) {
        Messenger m = runtime.messenger();
        ClusterView v = m == null ? null : m.view();
        return v != null && v.contains(node);
    }

    private static void refuseTwoNode(NodeConfig c, String what) throws JoinException {
        if (c.quorum().twoNode()) {
            throw new JoinException("cannot " + what + " a node while two_node = true: set two_node = false in every"
                    + " node's crmd.conf (a majority decides with 3 or more) and restart them one at a time first;"
                    + " nothing changed");
        }
    }

    private static InetSocketAddress parse(String node, String address) throws JoinException {
        int colon = address == null ? -1 : address.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new IllegalArgumentException("not host:port");
            }
            int port = Integer.parseInt(address.substring(colon + 1));
            InetSocketAddress a = new InetSocketAddress(address.substring(0, colon), port);
            if (a.isUnresolved()) {
                throw new IllegalArgumentException("the host does not resolve");
            }
            return a;
        } catch (IllegalArgumentException e) {
            throw new JoinException("the address '" + address + "' of " + node + " is not usable (" + e.getMessage()
                    + "); give its cluster address as host:port, e.g. 192.0.2.4:7801; nothing changed");
        }
    }

    /** The node list as this node's crmd.conf writes it (second links kept as written). */
    private static Map<String, String> listed(NodeConfig c) throws JoinException {
        try {
            return new LinkedHashMap<>(ConfText.nodesOf(ConfText.values(Files.readAllLines(c.file())).get("nodes")));
        } catch (IOException e) {
            throw new JoinException("cannot read " + c.file() + ": " + e.getMessage());
        }
    }

    private Change apply(NodeConfig c, Map<String, String> nodes, String what, String joining) throws JoinException {
        String value = ConfText.nodesValue(nodes);
        long version;
        try {
            version = version(Files.readAllLines(c.file())) + 1;
        } catch (IOException e) {
            throw new JoinException("cannot read " + c.file() + ": " + e.getMessage());
        }
        // Checked as every member will check it, before any member changes anything.
        try {
            NodeConfig.parse(c.file(), ConfText.with(Files.readAllLines(c.file()), Map.of("nodes", value)));
        } catch (NodeConfig.ConfigException | IOException e) {
            throw new JoinException("the new node list would not be valid: " + e.getMessage() + "; nothing changed");
        }
        Messenger m = runtime.messenger();
        List<String> members = m.view().members();
        Replies r;
        try {
            r = m.request(members, TYPE, message(value, version), APPLY_TIMEOUT_MS)
                    .get(APPLY_TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new JoinException("asking the members " + members + " to take the new node list failed: " + e
                    + "; run the command again (members that took it are listed in their logs)");
        }
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (String n : members) {
            Envelope e = r.replies().get(n);
            String answer = e == null ? null : new String(e.payload(), StandardCharsets.UTF_8);
            if ("ok".equals(answer)) {
                done.add(n);
            } else {
                failed.add(n + " (" + (answer == null ? "no answer within " + APPLY_TIMEOUT_MS / 1000 + " s" : answer) + ")");
            }
        }
        if (!done.contains(c.node())) {
            throw new JoinException("this node could not take the new node list: " + failed
                    + "; the members that did: " + done + "; fix the cause and run the command again");
        }
        TreeSet<String> offline = new TreeSet<>(nodes.keySet());
        offline.removeAll(members);
        if (joining != null) {
            offline.remove(joining);
        }
        StringBuilder msg = new StringBuilder(what + "; node list " + nodes.keySet() + " (" + nodes.size()
                + " votes, counted from the next view) taken by " + new TreeSet<>(done));
        if (!failed.isEmpty()) {
            msg.append("; NOT taken by ").append(failed).append(": run the command again");
        }
        if (!offline.isEmpty()) {
            msg.append("; not running now, so not updated: ").append(offline)
                    .append(" (before starting them, set in their crmd.conf: nodes = ").append(value).append(")");
        }
        log.info("node list change: {}", msg);
        return new Change(msg.toString(), nodes);
    }

    private static byte[] message(String nodesValue, long version) {
        return ("nodes=" + nodesValue + "\nversion=" + version).getBytes(StandardCharsets.UTF_8);
    }

    /** The nodes_version of a crmd.conf: 0 when unset (a config written by hand). */
    static long version(List<String> lines) {
        try {
            return Long.parseLong(ConfText.values(lines).getOrDefault("nodes_version", "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * A member's side of a change (on the messaging thread): check, write crmd.conf, reload; "ok" or
     * the reason. {@code onlyIfNewer}: a list heard at a view change, taken only when its version is
     * higher than this node's (which missed a change while stopped); a change is refused when this
     * node's list is already as new (the asking node is the one behind).
     */
    String take(String payload, boolean onlyIfNewer) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : payload.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.put(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        String value = fields.get("nodes");
        long version;
        try {
            version = Long.parseLong(fields.getOrDefault("version", ""));
        } catch (NumberFormatException e) {
            return "error: not a node list with a version";
        }
        if (value == null) {
            return "error: not a node list";
        }
        synchronized (applying) {
            NodeConfig c = runtime.config();
            try {
                if (Files.isSymbolicLink(c.file()) || !Files.isRegularFile(c.file(), LinkOption.NOFOLLOW_LINKS)) {
                    return "error: " + c.file() + " is not a plain file";
                }
                List<String> lines = Files.readAllLines(c.file());
                long own = version(lines);
                if (version <= own) {
                    return onlyIfNewer ? "ok" : "error: " + c.node() + " has node list version " + own
                            + ", not older than this change's " + version + ": the asking node missed a change; it takes"
                            + " the newer list at the next view, then run the command again";
                }
                List<String> updated = ConfText.with(lines, Map.of("nodes", value, "nodes_version", Long.toString(version)));
                NodeConfig next = NodeConfig.parse(c.file(), updated);
                ConfText.writeAtomically(c.file(), String.join("\n", updated) + "\n");
                runtime.reloaded(c.withNodes(next.nodes(), next.secondLinks()));
                log.info("node list now {} (version {}, written to {})", next.nodeNames(), version, c.file());
                return "ok";
            } catch (NodeConfig.ConfigException | IOException | RuntimeException e) {
                log.warn("refused a node list change {}: {}", value, e.getMessage());
                return "error: " + e.getMessage();
            }
        }
    }

    /**
     * A new view: its first member tells the others its node list and version, so that a node that
     * was stopped during a change takes the newer list as it comes back. Notices only; nothing waits.
     */
    void viewChanged(ClusterView v) {
        Messenger m = runtime.messenger();
        if (m == null || v.size() < 2 || !v.members().get(0).equals(runtime.nodeName())) {
            return;
        }
        announce(m);
    }

    /** A list announced at a view change: taken when newer; answered with this node's when older. */
    void heard(String from, String payload) {
        String result = take(payload, true);
        if (!result.equals("ok")) {
            log.warn("node list from {} not taken: {}", from, result);
            return;
        }
        try {
            long theirs = Long.parseLong(payload.substring(payload.indexOf("version=") + "version=".length()).strip());
            if (theirs < version(Files.readAllLines(runtime.config().file())) && runtime.messenger() != null) {
                announce(runtime.messenger());
            }
        } catch (IOException | RuntimeException e) {
            log.warn("cannot compare node list versions with {}: {}", from, e.toString());
        }
    }

    private void announce(Messenger m) {
        try {
            List<String> lines = Files.readAllLines(runtime.config().file());
            String value = ConfText.values(lines).get("nodes");
            m.broadcast(SYNC_TYPE, message(value, version(lines)));
        } catch (IOException | RuntimeException e) {
            log.warn("cannot announce the node list: {}", e.toString());
        }
    }

    /** What a joining node is given: the cluster key and the settings every node shares. */
    JoinClient.Admission admission() throws JoinException {
        NodeConfig c = runtime.config();
        try {
            Map<String, String> values = ConfText.values(Files.readAllLines(c.file()));
            Map<String, String> shared = new LinkedHashMap<>();
            shared.put("cluster", c.cluster());
            for (String k : ConfText.CLUSTER_WIDE) {
                if (values.containsKey(k)) {
                    shared.put(k, values.get(k));
                }
            }
            return new JoinClient.Admission(Files.readAllBytes(c.keyFile()), shared);
        } catch (IOException e) {
            throw new JoinException("cannot read this node's config or key: " + e.getMessage());
        }
    }

    static Event nodesEvent(NodeConfig c) {
        return new Event.NodesConfigured(c.nodeNames());
    }
}
