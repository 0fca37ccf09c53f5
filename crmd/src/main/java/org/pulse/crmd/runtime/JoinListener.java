package org.pulse.crmd.runtime;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.Map;
import org.pulse.cib.join.JoinException;
import org.pulse.cib.join.JoinServer;
import org.pulse.cib.join.JoinTokens;
import org.pulse.cib.join.JoinWire;
import org.slf4j.Logger;

/**
 * The join port (the node's cluster address, port + {@value JoinWire#PORT_OFFSET}): answers
 * {@code crm cluster join} with {@link JoinServer}, one connection at a time on a thread of its own,
 * every read bounded. Without a live token in DATA_DIR/join-tokens it admits no one, so the port
 * gives a stranger nothing but a refusal.
 *
 * <p>Like messaging's filtered ports (PeerFilteredFdSock), the port talks only to known addresses:
 * a connection is served only when it comes from the address of a node in the current node list
 * (a node listed with {@code crm cluster add} before it joins, a node joining again) or from the
 * address a live token was issued for ({@code crm cluster token --for HOST}, {@code init --for}).
 * Any other connection is told so in one line and closed before anything it sent is parsed: a
 * stranger with a stolen token still cannot join, and cannot make the node hash or decrypt.
 */
final class JoinListener implements AutoCloseable {
    /** The build a refusal names beside the protocol versions. */
    static final String BUILD = "Pulse " + java.util.Optional.ofNullable(JoinListener.class.getPackage().getImplementationVersion())
            .orElse("0.1.0");

    private final ServerSocket server;
    private final Thread thread;

    private JoinListener(ServerSocket server, Thread thread) {
        this.server = server;
        this.thread = thread;
    }

    /** Listens, or returns null (logged) when the port is taken: joins are then made at another node. */
    static JoinListener start(NodeConfig config, java.util.function.Supplier<NodeConfig> current, NodeList nodes, Logger log) {
        InetSocketAddress at = new InetSocketAddress(config.listen().getAddress(), config.listen().getPort() + JoinWire.PORT_OFFSET);
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(at, 4);
        } catch (IOException e) {
            log.warn("join port {} not open ({}): crm cluster join cannot use this node", at, e.getMessage());
            return null;
        }
        SecureRandom random = new SecureRandom();
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    java.net.InetAddress peer = s.getInetAddress();
                    if (!admitsFrom(current.get(), peer, log)) {
                        refuse(s);
                        log.warn("join port: refused a connection from {}: not a listed node's address nor one a live"
                                + " token was issued for", peer.getHostAddress());
                        continue;
                    }
                    String what = JoinServer.serve(s, JoinTokens.file(config.dataDir()), BUILD,
                            request -> admit(config, nodes, request), System::currentTimeMillis, random);
                    log.info("join from {}: {}", s.getInetAddress().getHostAddress(), what);
                } catch (IOException | RuntimeException e) {
                    if (!server.isClosed()) {
                        log.warn("join connection ended: {}", e.toString());
                    }
                }
            }
        }, "crmd-join-" + config.node());
        t.setDaemon(true);
        t.start();
        log.info("join port {} open (admits only holders of a live token from crm cluster token, connecting from a listed"
                + " node's address or the one the token was issued for)", at);
        return new JoinListener(server, t);
    }

    /** The listed nodes' addresses (both links) and the hosts live tokens were issued for. */
    static boolean admitsFrom(NodeConfig c, java.net.InetAddress peer, Logger log) {
        for (InetSocketAddress a : c.nodes().values()) {
            if (peer.equals(a.getAddress())) {
                return true;
            }
        }
        for (InetSocketAddress a : c.secondLinks().values()) {
            if (peer.equals(a.getAddress())) {
                return true;
            }
        }
        try {
            for (String host : JoinTokens.issuedFor(JoinTokens.file(c.dataDir()), System.currentTimeMillis())) {
                try {
                    for (java.net.InetAddress a : java.net.InetAddress.getAllByName(host)) {
                        if (peer.equals(a)) {
                            return true;
                        }
                    }
                } catch (java.net.UnknownHostException e) {
                    log.warn("join port: the host {} a token was issued for does not resolve", host);
                }
            }
        } catch (IOException e) {
            log.warn("join port: cannot read the join tokens: {}", e.getMessage());
        }
        return false;
    }

    private static void refuse(Socket s) throws IOException {
        JoinServer.refuse(s, "this node takes joins only from the addresses of listed nodes and those a token was"
                + " issued for; make the token with 'crm cluster token --for ADDRESS' (the joining node's address as"
                + " this node sees it), or list the node first with 'crm cluster add NODE ADDRESS:PORT'");
    }

    private static org.pulse.cib.join.JoinClient.Admission admit(NodeConfig config, NodeList nodes,
            Map<String, String> request) throws JoinException {
        String expected = request.getOrDefault("cluster", "");
        if (!expected.isBlank() && !expected.equals(config.cluster())) {
            throw new JoinException("this cluster is named '" + config.cluster() + "', not '" + expected
                    + "': check the --name given to crm cluster join (or leave it out)");
        }
        String node = request.get("node");
        String address = request.get("address");
        if (node == null || address == null) {
            throw new JoinException("the request names no node or no address: give both (--node, --address)");
        }
        nodes.add(node, address, true);
        return nodes.admission();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing: nothing to do either way
        }
        thread.interrupt();
    }
}
