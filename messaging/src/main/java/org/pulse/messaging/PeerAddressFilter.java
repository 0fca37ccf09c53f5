package org.pulse.messaging;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import org.jgroups.util.DefaultSocketFactory;

/**
 * The cluster port accepts connections only from the configured nodes' addresses. Below the seal,
 * anyone who reaches the port could otherwise open connections (each costs a thread and a
 * handshake wait) and claim any node's address in JGroups' handshake; refused here, such a
 * connection is closed before a byte is read. A stranger on a configured node's own address is
 * still stopped by the seal.
 *
 * <p>Applies to JGroups' TCP server socket (blocking accept); FD_SOCK2's port carries no cluster
 * state and only signals a broken connection.
 */
final class PeerAddressFilter extends DefaultSocketFactory {
    /** Replaced whole when the node list changes at run time. */
    private volatile Set<InetAddress> allowed;
    private final DropLog dropLog;

    PeerAddressFilter(Set<InetAddress> allowed, DropLog dropLog) {
        this.allowed = Set.copyOf(allowed);
        this.dropLog = dropLog;
    }

    /** The node list changed while running: connections from these addresses only, from now on. */
    void allow(Set<InetAddress> hosts) {
        allowed = Set.copyOf(hosts);
    }

    @Override
    public ServerSocket createServerSocket(String serviceName) throws IOException {
        return new FilteringServerSocket();
    }

    private final class FilteringServerSocket extends ServerSocket {
        FilteringServerSocket() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            while (true) {
                Socket s = super.accept();
                InetAddress from = s.getInetAddress();
                if (allowed.contains(from)) {
                    return s;
                }
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing a refused connection: nothing to do either way
                }
                dropLog.dropped(from.getHostAddress(), "connection refused: " + from.getHostAddress()
                        + " is not the address of a configured node (add the node to every node's 'nodes')");
            }
        }
    }
}
