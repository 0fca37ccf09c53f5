package org.pulse.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;

/** What the live shell suites do on their cluster: run bin/crm, wait for a placement, show the nodes' logs. */
final class ShellCluster {
    private ShellCluster() {
    }

    /** The index of the DC all three nodes agree on, waited for up to 90 s. */
    static int agreedDc(LocalCluster cluster) throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1, 2, 3) != null),
                () -> "no DC agreed within 90 s" + logs(cluster));
        return Integer.parseInt(cluster.agreedDc(1, 2, 3).substring("node".length()));
    }

    /** The last 40 lines of each node's log, for a failure message. */
    static String logs(LocalCluster cluster) {
        StringBuilder b = new StringBuilder();
        for (int n = 1; n <= cluster.names().size(); n++) {
            try {
                List<String> lines = Files.readAllLines(cluster.log(n));
                b.append("\n--- node").append(n).append(" (last 40 lines):\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            } catch (Exception e) {
                b.append("\n--- node").append(n).append(": ").append(e);
            }
        }
        return b.toString();
    }

    /** bin/crm ARGS on {@code node}, which must succeed; its output. */
    static String crm(LocalCluster cluster, int node, String... args) throws Exception {
        Map.Entry<Integer, String> r = cluster.crm(node, args);
        assertEquals(0, r.getKey(), "bin/crm " + String.join(" ", args) + " failed:\n" + r.getValue());
        return r.getValue();
    }

    /** Waits up to 90 s until {@code asker} sees {@code rsc} on {@code node} (null: stopped). */
    static void awaitOn(LocalCluster cluster, int asker, String rsc, String node, String what) throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> java.util.Objects.equals(node,
                LocalCluster.runningOn(cluster, asker, rsc))), () -> what + ": " + rsc + " is not "
                + (node == null ? "stopped" : "on " + node) + " after 90 s:\n"
                + FailoverAdmin.str(cluster.status(asker), "text") + logs(cluster));
    }
}
