package org.pulse.messaging;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Ephemeral ports on 127.0.0.1, chosen at test time, with port+100 (FD_SOCK2) free as well. */
final class TestNet {
    static final String LOOPBACK = "127.0.0.1";

    private TestNet() {
    }

    static List<InetSocketAddress> freeAddresses(int count) throws IOException {
        List<InetSocketAddress> out = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        InetAddress lo = InetAddress.getByName(LOOPBACK);
        for (int attempt = 0; out.size() < count && attempt < 1000; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, lo)) {
                port = s.getLocalPort();
            }
            if (port + MessagingConfig.FD_SOCK_PORT_OFFSET + 5 > 65535 || !taken.add(port)) {
                continue;
            }
            if (free(lo, port) && free(lo, port + MessagingConfig.FD_SOCK_PORT_OFFSET)) {
                taken.add(port + MessagingConfig.FD_SOCK_PORT_OFFSET);
                out.add(new InetSocketAddress(lo, port));
            }
        }
        if (out.size() < count) {
            throw new IOException("could not find " + count + " free port pairs on " + LOOPBACK);
        }
        return out;
    }

    private static boolean free(InetAddress lo, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, lo)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
