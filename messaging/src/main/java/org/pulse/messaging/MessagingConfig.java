package org.pulse.messaging;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How one node joins its cluster. Build with {@link #builder(String, String)}.
 *
 * @param clusterName JGroups cluster name; nodes with another name ignore each other
 * @param nodeName    this node's name, unique in the cluster; it names the node in views and envelopes
 * @param links       the addresses this node listens on (TCP), one per network link (one or
 *                    two). The first is the node's identity in JGroups and also uses the port
 *                    {@code + }{@value #FD_SOCK_PORT_OFFSET} for FD_SOCK2; with a second, every
 *                    packet goes out on both links ({@link MultiLinkTCP}), so the node is lost only
 *                    when both are
 * @param peers       every cluster node's first-link address (host:port), this node's own
 *                    included or not; TCPPING contacts exactly these
 * @param peerSecondLinks for peers with a second link: first-link address to second-link address
 * @param timing      all timings, from one knob: {@link Timing#derive(long)}
 * @param clusterKey  the shared key; null only with {@code insecure}
 * @param insecure    true runs without authentication and encryption: only for experiments,
 *                    never the default
 * @param memberNames the names of the cluster's nodes: a key holder under any other name is
 *                    refused at the seal (never joins, never votes); empty accepts any name
 * @param stateDir    where this node keeps its incarnation counter and what it heard of the
 *                    others' ({@link Incarnations}); null keeps them in memory only
 * @param acceptKeys  during a rolling key change, other keys whose traffic is opened too; this
 *                    node seals with {@code clusterKey} alone
 */
public record MessagingConfig(String clusterName, String nodeName, List<InetSocketAddress> links,
                              List<InetSocketAddress> peers, Map<InetSocketAddress, InetSocketAddress> peerSecondLinks,
                              Timing timing, ClusterKey clusterKey, boolean insecure, Set<String> memberNames,
                              Path stateDir, List<ClusterKey> acceptKeys) {
    /** FD_SOCK2 listens on the TCP port plus this. */
    public static final int FD_SOCK_PORT_OFFSET = 100;
    static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public MessagingConfig {
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(timing, "timing");
        if (!CLUSTER_NAME.matcher(clusterName).matches()) {
            throw new IllegalArgumentException("cluster name '" + clusterName + "' is invalid: use 1-63 characters of [A-Za-z0-9._-]");
        }
        Envelope.checkNodeName(nodeName);
        links = List.copyOf(links);
        peers = List.copyOf(peers);
        if (links.isEmpty()) {
            throw new IllegalArgumentException("node " + nodeName + " has no address to listen on: give one (host:port)");
        }
        if (links.size() > 2) {
            throw new IllegalArgumentException("node " + nodeName + " lists " + links.size() + " addresses " + links
                    + ": at most two links are supported");
        }
        peerSecondLinks = Map.copyOf(peerSecondLinks);
        memberNames = Set.copyOf(memberNames);
        acceptKeys = List.copyOf(acceptKeys);
        if (!memberNames.isEmpty() && !memberNames.contains(nodeName)) {
            throw new IllegalArgumentException("node " + nodeName + " is not among the cluster's nodes " + memberNames);
        }
        for (Map.Entry<InetSocketAddress, InetSocketAddress> e : peerSecondLinks.entrySet()) {
            if (!peers.contains(e.getKey())) {
                throw new IllegalArgumentException("second link " + e.getValue() + " is given for " + e.getKey()
                        + ", which is not in the peer list " + peers);
            }
            checkAddress(e.getValue(), "second-link peer address");
        }
        for (InetSocketAddress a : links) {
            checkAddress(a, "listen address of " + nodeName);
        }
        if (peers.isEmpty()) {
            throw new IllegalArgumentException("node " + nodeName + " has no peers: list every cluster node's host:port");
        }
        for (InetSocketAddress a : peers) {
            checkAddress(a, "peer address");
        }
        if (insecure && clusterKey != null) {
            throw new IllegalArgumentException("node " + nodeName + ": both a cluster key and insecure mode given; choose one");
        }
        if (!insecure && clusterKey == null) {
            throw new IllegalArgumentException("node " + nodeName + " has no cluster key: cluster traffic is authenticated"
                    + " and encrypted by default; give the key file (made by `crmd --generate-key FILE`)");
        }
    }

    private static void checkAddress(InetSocketAddress a, String what) {
        if (a.isUnresolved()) {
            throw new IllegalArgumentException(what + " " + a.getHostString() + ":" + a.getPort() + " does not resolve");
        }
        if (a.getPort() <= 0 || a.getPort() + FD_SOCK_PORT_OFFSET > 65535) {
            throw new IllegalArgumentException(what + " " + a + ": port must be 1.." + (65535 - FD_SOCK_PORT_OFFSET)
                    + " (port+" + FD_SOCK_PORT_OFFSET + " is used for failure detection)");
        }
    }

    /** Every address a configured node may connect from: its links and every peer's. */
    Set<java.net.InetAddress> peerHosts() {
        Set<java.net.InetAddress> hosts = new java.util.HashSet<>();
        links.forEach(a -> hosts.add(a.getAddress()));
        peers.forEach(a -> hosts.add(a.getAddress()));
        peerSecondLinks.values().forEach(a -> hosts.add(a.getAddress()));
        return hosts;
    }

    /** The address JGroups binds (the first link). */
    InetSocketAddress primaryLink() {
        return links.get(0);
    }

    /** The second link, or null. */
    InetSocketAddress secondLink() {
        return links.size() > 1 ? links.get(1) : null;
    }

    public static Builder builder(String clusterName, String nodeName) {
        return new Builder(clusterName, nodeName);
    }

    /** Collects a config; {@link #build()} validates it with errors naming what to fix. */
    public static final class Builder {
        private final String clusterName;
        private final String nodeName;
        private final List<InetSocketAddress> links = new ArrayList<>();
        private final List<InetSocketAddress> peers = new ArrayList<>();
        private final Map<InetSocketAddress, InetSocketAddress> peerSecondLinks = new LinkedHashMap<>();
        private Timing timing = Timing.defaults();
        private ClusterKey clusterKey;
        private boolean insecure;
        private final Set<String> memberNames = new java.util.LinkedHashSet<>();
        private Path stateDir;
        private final List<ClusterKey> acceptKeys = new ArrayList<>();

        private Builder(String clusterName, String nodeName) {
            this.clusterName = clusterName;
            this.nodeName = nodeName;
        }

        public Builder listenOn(InetSocketAddress address) {
            links.add(address);
            return this;
        }

        public Builder listenOn(String host, int port) {
            return listenOn(new InetSocketAddress(host, port));
        }

        public Builder peer(InetSocketAddress address) {
            peers.add(address);
            return this;
        }

        public Builder peer(String host, int port) {
            return peer(new InetSocketAddress(host, port));
        }

        /** A peer reachable over two links. */
        public Builder peer(InetSocketAddress firstLink, InetSocketAddress secondLink) {
            peers.add(firstLink);
            peerSecondLinks.put(firstLink, secondLink);
            return this;
        }

        public Builder peers(List<InetSocketAddress> addresses) {
            peers.addAll(addresses);
            return this;
        }

        public Builder failureDetectionMs(long failureDetectionMs) {
            this.timing = Timing.derive(failureDetectionMs);
            return this;
        }

        public Builder timing(Timing timing) {
            this.timing = timing;
            return this;
        }

        public Builder clusterKey(ClusterKey key) {
            this.clusterKey = key;
            return this;
        }

        /** The cluster's node names; only these may join (this node's own included). */
        public Builder memberNames(java.util.Collection<String> names) {
            memberNames.addAll(names);
            return this;
        }

        /** Where the incarnation counters are kept across restarts. */
        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        /** Keys accepted besides the cluster key during a rolling key change. */
        public Builder acceptKeys(List<ClusterKey> keys) {
            acceptKeys.addAll(keys);
            return this;
        }

        /** Turns authentication and encryption off. For experiments only. */
        public Builder insecure() {
            this.insecure = true;
            return this;
        }

        public MessagingConfig build() {
            return new MessagingConfig(clusterName, nodeName, links, peers, peerSecondLinks, timing, clusterKey, insecure,
                    memberNames, stateDir, acceptKeys);
        }
    }
}
