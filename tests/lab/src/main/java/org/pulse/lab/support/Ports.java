package org.pulse.lab.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Base ports for local clusters: node i listens on base+i, its failure detection on +100, its join
 * port on +200 and its metrics on +1000.
 *
 * <p>Chosen at random below the kernel's ephemeral range ({@code ip_local_port_range}), and checked
 * free: a port in that range may be handed to any outgoing connection between the check and the
 * node's bind, which is what made a CI run fail with "No available port to bind to". The seed is
 * printed, as for every random choice in a test.
 */
public final class Ports {
    private static final int LOWEST = 10_000;
    private static final int[] OFFSETS = {0, 100, 200, 1000};

    private Ports() {
    }

    /** A base such that base+1..base+span, and the same plus 100, 200 and 1000, are free on 127.0.0.1. */
    public static int freeBase(int span) {
        long seed = System.nanoTime() ^ ProcessHandle.current().pid();
        Random random = new Random(seed);
        int highest = ephemeralLow() - 1000 - span - 1;
        for (int attempt = 0; attempt < 500; attempt++) {
            int base = LOWEST + random.nextInt(highest - LOWEST);
            if (allFree(base, span)) {
                System.out.println("Ports: base " + base + " for " + span + " ports (seed " + seed + ")");
                return base;
            }
        }
        throw new IllegalStateException("found no " + span + " free ports (and +100, +200, +1000) on 127.0.0.1 between "
                + LOWEST + " and " + highest + " in 500 tries (seed " + seed + "): is another cluster running?");
    }

    private static boolean allFree(int base, int span) {
        for (int i = 1; i <= span; i++) {
            for (int offset : OFFSETS) {
                if (!free(base + i + offset)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether nothing listens on the port of 127.0.0.1 (without SO_REUSEADDR, so a lingering socket counts). */
    public static boolean free(int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The low end of the kernel's ephemeral range; Linux's default when it cannot be read. */
    static int ephemeralLow() {
        try {
            String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            return Math.max(LOWEST + 4_000, Integer.parseInt(range.split("\\s+")[0]));
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
