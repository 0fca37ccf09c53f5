package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * Attacks on the cluster protocol, for real: three crmd nodes in network namespaces on TEST-NET
 * (198.51.100.0/24), and attackers beside them. Each case is refused and logged, and afterwards
 * the cluster has the same members and DC and answers crm status:
 * <ul>
 * <li>a stranger without the key, from an address that is no node's, on the cluster port and on
 *     FD_SOCK2's (port + 100): both connections closed at once, before anything is read;</li>
 * <li>a key holder claiming a live member's name (n2), from a configured node's address: refused
 *     at the seal as a second sender of that name, n2 stays in the view;</li>
 * <li>a key holder under a name that is no configured node (n9): refused at the seal, never a member.</li>
 * </ul>
 * Replays are covered below this suite: sealed traffic replayed is refused by the seal's window and
 * incarnations (messaging's SecurityTest), and what a restarted receiver cannot tell is refused by
 * crmd as of another view (crmd's StaleMessageTest). Root; about 90 s.
 */
class ProtocolAttackLabTest {
    @Test
    void strangersImpostorsAndUnknownNamesAreRefusedAndTheClusterIsUnharmed() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "setsid", "bash", "timeout")) {
            TestEnv.requireCommand(c);
        }
        Path repo = TestEnv.requireBuiltJars();
        try (NetnsLab lab = NetnsLab.create(FailoverLab.NODES)) {
            FailoverLab cluster = FailoverLab.start(lab, repo, 500);
            try {
                String dc = FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all()));
                assertTrue(dc != null, "no DC within 120 s; logs " + cluster.logs());
                String n1 = lab.node(1).address();
                System.out.println("ProtocolAttackLabTest: " + lab + ", DC " + dc + "; logs " + cluster.logs());

                // 1. A stranger without the key, from the client's address (no node's).
                String stranger = lab.client().address();
                for (int port : new int[] {FailoverLab.CLUSTER_PORT, FailoverLab.CLUSTER_PORT + 100}) {
                    long t0 = System.nanoTime();
                    NetnsLab.Result r = lab.exec(lab.client(), "timeout", "5", "bash", "-c",
                            "exec 3<>/dev/tcp/" + n1 + "/" + port + "; printf 'bela\\0\\0' >&3; cat <&3 >/dev/null");
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertTrue(r.rc() != 124, "the connection of " + stranger + " to " + n1 + ":" + port
                            + " was kept open for 5 s: " + r);
                    System.out.printf("FIGURE stranger %s -> %s:%d closed after %d ms%n", stranger, n1, port, ms);
                }
                assertTrue(FailoverLab.waitFor(Duration.ofSeconds(5), () -> logHas(cluster.log(1),
                        "connection refused: " + stranger) && logHas(cluster.log(1),
                        "failure-detection connection refused: " + stranger) ? true : null) != null,
                        "n1 logs both refusals; log " + cluster.log(1));
                assertUnharmed(cluster, dc, "after the stranger");

                // 2. A key holder claiming n2's name, from n3's address (a configured one) on another port.
                Process impostor = startAttacker(lab, cluster, repo, "n2", 7810);
                assertTrue(FailoverLab.waitFor(Duration.ofSeconds(30), () -> logHas(cluster.log(1),
                        "a second sender calls itself n2") ? true : null) != null,
                        "n1 refuses the second n2 at the seal; log " + cluster.log(1));
                Thread.sleep(3 * cluster.failureDetectionMs);
                assertUnharmed(cluster, dc, "with an impostor n2 running");
                impostor.destroyForcibly();
                impostor.waitFor();

                // 3. A key holder under a name no node has.
                Process unknown = startAttacker(lab, cluster, repo, "n9", 7820);
                assertTrue(FailoverLab.waitFor(Duration.ofSeconds(30), () -> logHas(cluster.log(1),
                        "sender 'n9' is not a node of this cluster") ? true : null) != null,
                        "n1 refuses n9 at the seal; log " + cluster.log(1));
                Thread.sleep(3 * cluster.failureDetectionMs);
                assertUnharmed(cluster, dc, "with an unknown n9 running");
                unknown.destroyForcibly();
                unknown.waitFor();
                long refusals = Files.readAllLines(cluster.log(1)).stream().filter(l -> l.contains("dropped a message"))
                        .count();
                System.out.println("FIGURE attack suite: n1 logged " + refusals + " refusal lines (rate-limited per sender"
                        + " and reason), view and DC " + dc + " unchanged");
            } finally {
                cluster.close();
            }
        }
    }

    /**
     * A crmd with the cluster's key under {@code name}, in n3's namespace (n3's address, so the
     * address filters let it through to the seal), listening on {@code port}; its own data and socket.
     */
    private static Process startAttacker(NetnsLab lab, FailoverLab cluster, Path repo, String name, int port)
            throws Exception {
        NetnsLab.Node host = lab.node(3);
        Path dir = lab.workDir().resolve("attacker-" + name);
        Files.createDirectories(dir.resolve("rsctmp"));
        StringBuilder nodes = new StringBuilder();
        for (int k = 1; k <= FailoverLab.NODES; k++) {
            String n = cluster.name(k);
            if (!n.equals(name)) {
                nodes.append(nodes.length() > 0 ? ", " : "").append(n).append('@').append(lab.node(k).address())
                        .append(':').append(FailoverLab.CLUSTER_PORT);
            }
        }
        nodes.append(", ").append(name).append('@').append(host.address()).append(':').append(port);
        Path conf = dir.resolve("crmd.conf");
        Files.writeString(conf, "node = " + name + "\nnodes = " + nodes + "\nkey = " + cluster.key + "\ndata_dir = "
                + dir.resolve("data") + "\nsocket = " + dir.resolve("crmd.sock") + "\nha_rsctmp = " + dir.resolve("rsctmp")
                + "\nhttp = off\nfailure_detection_ms = 500\nself_fence = exit\n");
        return lab.start(host, List.of(repo.resolve("bin/crmd").toString(), "--config", conf.toString()),
                LocalCluster.daemonEnv(), dir.resolve("crmd.log"));
    }

    private static boolean logHas(Path log, String text) {
        try {
            return Files.readString(log).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void assertUnharmed(FailoverLab cluster, String dc, String when) {
        for (int i : cluster.all()) {
            AdminArgs s = cluster.status(i);
            assertTrue(FailoverAdmin.joinedWithQuorum(s), cluster.name(i) + " answers crm status, joined and quorate "
                    + when + ": " + s);
            assertEquals(dc, FailoverAdmin.str(s, "dc"), "the DC " + when + " on " + cluster.name(i));
            assertEquals(Set.of("n1", "n2", "n3"), Set.of(FailoverAdmin.str(s, "members").split(",")),
                    "members " + when + " on " + cluster.name(i));
        }
    }
}
