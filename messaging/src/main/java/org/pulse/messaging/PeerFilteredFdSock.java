package org.pulse.messaging;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Set;
import org.jgroups.blocks.cs.NioConnection;
import org.jgroups.blocks.cs.NioServer;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.util.SocketFactory;
import org.jgroups.util.ThreadFactory;
import org.jgroups.util.Util;

/**
 * FD_SOCK2 whose port (cluster port + {@value MessagingConfig#FD_SOCK_PORT_OFFSET}) keeps only
 * connections from configured nodes' addresses, as the cluster port does ({@link PeerAddressFilter}).
 *
 * <p>Why: FD_SOCK2 talks on its own connections, below the seal. A stranger who connects is read
 * (the peer's address first, then messages), and one that asks (a CONNECT message, no key needed)
 * is told the cluster's name and the node's JGroups address; it may also hold connections open for
 * free. What it can do to the node is small: FD_SOCK2 suspects only when its own outgoing connection
 * to its ping destination breaks, never on what arrives on an accepted one. Sealing it would mean
 * replacing its connection layer; it is filtered instead: a connection from any other address is
 * closed as it is accepted, before a byte is read. A stranger on a configured node's own address
 * still gets the name and address (never a member's traffic, never a suspicion).
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class PeerFilteredFdSock extends FD_SOCK2 {
    private static final String SERVICE_NAME = "jgroups.nio.server.fd_sock";
    private final Set<InetAddress> allowed;
    private final DropLog dropLog;

    PeerFilteredFdSock(Set<InetAddress> allowed, DropLog dropLog) {
        this.allowed = Set.copyOf(allowed);
        this.dropLog = dropLog;
        // JGroups names headers by the protocol's class; this one speaks FD_SOCK2's wire format.
        this.id = ClassConfigurator.getProtocolId(FD_SOCK2.class);
    }

    /** As FD_SOCK2 does: the first of the candidate ports that binds. */
    @Override
    protected NioServer createServer(int[] ports) {
        for (int port : ports) {
            try {
                NioServer server = new FilteringServer(getThreadFactory(), getSocketFactory(), bind_addr, port,
                        external_addr, external_port);
                // Connect from the configured address too, which is what the peers' filters accept
                // (on a multi-homed host the kernel may pick another source).
                server.clientBindAddress(bind_addr);
                return server;
            } catch (Exception taken) {
                // the next candidate port
            }
        }
        return null;
    }

    private final class FilteringServer extends NioServer {
        FilteringServer(ThreadFactory threads, SocketFactory sockets, InetAddress bindAddr, int port,
                InetAddress externalAddr, int externalPort) throws Exception {
            super(threads, sockets, bindAddr, port, port, externalAddr, externalPort, 0, SERVICE_NAME);
        }

        /** NioServer's accept, with the peer's address checked before the connection is registered for reading. */
        @Override
        protected void handleAccept(SelectionKey key) throws Exception {
            SocketChannel client = channel.accept();
            if (client == null) {
                return;
            }
            InetAddress from = ((InetSocketAddress) client.getRemoteAddress()).getAddress();
            if (!allowed.contains(from)) {
                try {
                    client.close();
                } catch (IOException ignored) {
                    // closing a refused connection: nothing to do either way
                }
                dropLog.dropped(from.getHostAddress(), "failure-detection connection refused: "
                        + from.getHostAddress() + " is not the address of a configured node");
                return;
            }
            NioConnection conn = null;
            try {
                conn = new NioConnection(client, this);
                conn.key(client.register(selector, SelectionKey.OP_READ, conn));
                if (!use_peer_connections) {
                    handleIncomingConnection(conn.peerAddress(), conn);
                }
            } catch (Exception e) {
                Util.close(conn != null ? conn : client);
                if (conn != null) {
                    removeConnectionIfPresent(conn.peerAddress(), conn);
                }
                throw e;
            }
        }
    }
}
