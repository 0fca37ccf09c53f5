package org.pulse.messaging;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Ports on 127.0.0.1, chosen at test time, with port+100 (FD_SOCK2) free as well.
 *
 * <p>They are taken below the kernel's ephemeral range ({@code ip_local_port_range}). A port the kernel
 * handed out for {@code bind(0)} and that was then released can be handed out again to the next
 * outgoing connection, and the nodes of an eight-member cluster open dozens of them before the last
 * node binds its port: on a busy CI machine that raced ("No available port to bind to"). Below the
 * range, only a listener that asks for the port by number can take it.
 */
final class TestNet {
    static final String LOOPBACK = "127.0.0.1";
    private static final int LOWEST_PORT = 10_000;

    private TestNet() {
    }

    static List<InetSocketAddress> freeAddresses(int count) throws IOException {
        long seed = System.nanoTime() ^ ProcessHandle.current().pid();
        Random random = new Random(seed);
        int highest = ephemeralLow() - MessagingConfig.FD_SOCK_PORT_OFFSET - 10;
        List<InetSocketAddress> out = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        InetAddress lo = InetAddress.getByName(LOOPBACK);
        for (int attempt = 0; out.size() < count && attempt < 5000; attempt++) {
            int port = LOWEST_PORT + random.nextInt(highest - LOWEST_PORT);
            int fdPort = port + MessagingConfig.FD_SOCK_PORT_OFFSET;
            if (taken.contains(port) || taken.contains(fdPort)) {
                continue;
            }
            if (free(lo, port) && free(lo, fdPort)) {
                taken.add(port);
                taken.add(fdPort);
                out.add(new InetSocketAddress(lo, port));
            }
        }
        if (out.size() < count) {
            throw new IOException("could not find " + count + " free port pairs on " + LOOPBACK + " between "
                    + LOWEST_PORT + " and " + highest + " (seed " + seed + ")");
        }
        return out;
    }

    /** The low end of the kernel's ephemeral range; Linux's default when it cannot be read. */
    private static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return Math.max(LOWEST_PORT + 2_000, low);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static boolean free(InetAddress lo, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, lo)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
