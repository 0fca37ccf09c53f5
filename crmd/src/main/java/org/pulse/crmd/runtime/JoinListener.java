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
    static JoinListener start(NodeConfig config, NodeList nodes, Logger log) {
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
        log.info("join port {} open (admits only holders of a live token from crm cluster token)", at);
        return new JoinListener(server, t);
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
