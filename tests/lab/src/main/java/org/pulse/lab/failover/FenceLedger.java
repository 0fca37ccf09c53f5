package org.pulse.lab.failover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells the cluster's fences of nodes the bench killed from fences of healthy nodes (false
 * fences), from the power-switch simulator's history ({@code NODE.history}: "EPOCH_MS off" per
 * fence): a fence is the cluster's answer to a kill when it falls between that node's kill and its
 * restart by the bench; any other fence hit a node nobody touched. Wall-clock ms on both sides
 * (the simulator writes epoch ms), with a second of slack before the kill for clock reads.
 */
public final class FenceLedger {
    private static final long SLACK_MS = 1_000;

    /** Node index → [killedAt, restartedAt (or MAX while down)] in epoch ms, one per kill. */
    private final Map<Integer, List<long[]>> windows = new HashMap<>();
    private final java.util.function.LongSupplier epochMs;

    public FenceLedger(java.util.function.LongSupplier epochMs) {
        this.epochMs = epochMs;
    }

    /** Legitimate fences, false fences, and what the false ones were ("n2 at 12:01:02.345"). */
    public record Count(int legitimate, int falseFences, List<String> details) {
    }

    public synchronized void killed(int node) {
        windows.computeIfAbsent(node, n -> new ArrayList<>()).add(new long[] {epochMs.getAsLong() - SLACK_MS,
                Long.MAX_VALUE});
    }

    /** The bench reboots {@code node}: a later fence of it was not asked for by a kill. */
    public synchronized void restarted(int node) {
        for (long[] w : windows.getOrDefault(node, List.of())) {
            if (w[1] == Long.MAX_VALUE) {
                w[1] = epochMs.getAsLong();
            }
        }
    }

    public synchronized boolean explained(int node, long fencedAtMs) {
        for (long[] w : windows.getOrDefault(node, List.of())) {
            if (fencedAtMs >= w[0] && fencedAtMs <= w[1]) {
                return true;
            }
        }
        return false;
    }

    /** Reads every node's history from the lab's power switch. */
    public Count count(FailoverLab cluster) throws IOException {
        int ok = 0;
        List<String> bad = new ArrayList<>();
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            Path history = cluster.power.resolve(cluster.name(i) + ".history");
            if (!Files.exists(history)) {
                continue;
            }
            for (String l : Files.readAllLines(history)) {
                String[] f = l.strip().split("\\s+");
                if (f.length < 2 || !(f[1].equals("off") || f[1].equals("reboot"))) {
                    continue;
                }
                long at = Long.parseLong(f[0]);
                if (explained(i, at)) {
                    ok++;
                } else {
                    bad.add(cluster.name(i) + " at " + java.time.Instant.ofEpochMilli(at));
                }
            }
        }
        return new Count(ok, bad.size(), bad);
    }
}
