package org.pulse.tests.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;

/**
 * The operator's commands Pulse refused on a running cluster, on three real crmd processes: a resource bound
 * to a ticket (rsc_ticket, loss-policy stop) starts when {@code crm site ticket grant} is written by the DC
 * and stops when the ticket is revoked; {@code crm resource trace} makes the agent's next start leave its
 * trace under the node's DATA_DIR/trace_ra; {@code crm node clearstate} is refused for an online node, and for
 * a node killed whose fencing failed (a device with no outlet for it, stonith-max-attempts=1) it lets the
 * cluster recover what ran there.
 */
class LiveOperatorCommandsTest {
    static LocalCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.startForSuite(LiveOperatorCommandsTest.class, 3, 2_000);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.closeAndRemove();
        }
    }

    static String logs() {
        return ShellCluster.logs(cluster);
    }

    private static String crm(int node, String... args) throws Exception {
        return ShellCluster.crm(cluster, node, args);
    }

    private static void awaitOn(int asker, String rsc, String node, String what) throws Exception {
        ShellCluster.awaitOn(cluster, asker, rsc, node, what);
    }

    @Test
    void ticketsTraceAndClearstateOnARunningCluster() throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1, 2, 3) != null),
                "no DC agreed within 90 s" + logs());
        String dc = cluster.agreedDc(1, 2, 3);
        int dcIndex = Integer.parseInt(dc.substring("node".length()));
        int victim = IntStream.rangeClosed(1, 3).filter(n -> n != dcIndex).max().orElseThrow();
        String victimNode = "node" + victim;
        Path noOutlets = Files.createDirectories(cluster.root().resolve("no-outlets"));
        Path config = cluster.root().resolve("operator.crm");
        Files.writeString(config, String.join("\n",
                "property stonith-enabled=true stonith-max-attempts=1",
                "primitive fence1 stonith:fence_pulse_sim params power_dir=" + noOutlets
                        + " pcmk_host_list=\"node1 node2 node3\" pcmk_host_check=static-list",
                "primitive t1 ocf:pulse:Dummy op monitor interval=2s",
                "primitive d1 ocf:pulse:Dummy op monitor interval=2s",
                "location t1-on-dc t1 100: " + dc,
                "location d1-on-victim d1 100: " + victimNode,
                "rsc_ticket t1-needs-a ticketA: t1 loss-policy=stop", ""));
        crm(dcIndex, "configure", "load", "update", config.toString());
        awaitOn(dcIndex, "d1", victimNode, "after configure");

        // tickets: written by the DC into the status section; the policy engine starts and stops t1 by them
        assertNull(LocalCluster.runningOn(cluster, dcIndex, "t1"), "t1 runs without its ticket");
        Map.Entry<Integer, String> unforced = cluster.crm(victim, "site", "ticket", "grant", "ticketA");
        assertNotEquals(0, unforced.getKey(), unforced.getValue());
        assertTrue(unforced.getValue().contains("crm -F"), unforced.getValue());
        crm(victim, "-F", "site", "ticket", "grant", "ticketA");
        assertTrue(crm(dcIndex, "site", "ticket", "show", "ticketA").contains("ticket ticketA is granted"));
        awaitOn(dcIndex, "t1", dc, "granted");
        crm(dcIndex, "-F", "site", "ticket", "revoke", "ticketA");
        assertTrue(crm(victim, "site", "ticket", "show", "ticketA").contains("ticket ticketA is revoked"));
        awaitOn(dcIndex, "t1", null, "revoked");
        crm(dcIndex, "site", "ticket", "standby", "ticketA");
        crm(dcIndex, "-F", "site", "ticket", "grant", "ticketA");
        Thread.sleep(3_000);
        assertNull(LocalCluster.runningOn(cluster, dcIndex, "t1"), "t1 started with its ticket in standby");
        crm(dcIndex, "site", "ticket", "activate", "ticketA");
        awaitOn(dcIndex, "t1", dc, "activated");
        assertTrue(crm(dcIndex, "site", "ticket", "time", "ticketA").contains("ticket ticketA last time granted on "));

        // trace: the next start of d1 leaves the agent's shell trace on the node that runs it
        String traced = crm(dcIndex, "resource", "trace", "d1", "start");
        assertTrue(traced.contains("DATA_DIR/trace_ra"), traced);
        crm(dcIndex, "resource", "stop", "d1");
        awaitOn(dcIndex, "d1", null, "stopped for the trace");
        crm(dcIndex, "resource", "start", "d1");
        awaitOn(dcIndex, "d1", victimNode, "started traced");
        Path traceDir = cluster.root().resolve(victimNode).resolve("data/trace_ra/Dummy");
        List<Path> traces;
        try (Stream<Path> s = Files.isDirectory(traceDir) ? Files.list(traceDir) : Stream.empty()) {
            traces = s.filter(p -> p.getFileName().toString().startsWith("d1.start.")).toList();
        }
        assertTrue(!traces.isEmpty(), "traces of d1's start in " + traceDir + ": " + traces + logs());
        assertTrue(Files.readString(traces.get(0)).contains("+ __OCF_ACTION=start"), Files.readString(traces.get(0)));
        crm(dcIndex, "resource", "untrace", "d1");
        assertTrue(!crm(dcIndex, "configure", "show", "d1").contains("trace_ra"));

        // clearstate: refused for an online node; for a node down whose fencing failed, what ran there recovers
        Map.Entry<Integer, String> online = cluster.crm(dcIndex, "-F", "node", "clearstate", victimNode);
        assertNotEquals(0, online.getKey(), online.getValue());
        assertTrue(online.getValue().contains("node " + victimNode + " is online"), online.getValue());
        cluster.kill9(victim);
        int survivor = IntStream.rangeClosed(1, 3).filter(n -> n != victim && n != dcIndex).findFirst().orElseThrow();
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> {
            String h = FailoverAdmin.str(cluster.status(dcIndex), "fencing_failed");
            return h != null && h.contains(victimNode);
        }), () -> "the DC did not give up fencing " + victimNode + " within 90 s:\n"
                + FailoverAdmin.str(cluster.status(dcIndex), "text") + logs());
        // not recovered: still shown where it ran (UNCLEAN), since it may still run there
        assertEquals(victimNode, LocalCluster.runningOn(cluster, dcIndex, "d1"), "d1 recovered although " + victimNode
                + " was not fenced:\n" + FailoverAdmin.str(cluster.status(dcIndex), "text"));
        String cleared = crm(survivor, "-F", "node", "clearstate", victimNode);
        assertTrue(cleared.contains("state of node " + victimNode + " cleared"), cleared);
        // recorded as stonith_admin --confirm is: an "off" done by "a human", in every member's fence history
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> {
            String h = FailoverAdmin.str(cluster.status(survivor), "fence_history");
            return h != null && h.contains("\t" + victimNode + "\toff\tsuccess\t\ta human\t");
        }), () -> "no confirmation by hand in the fence history:\n" + FailoverAdmin.str(cluster.status(survivor),
                "fence_history"));
        assertTrue(crm(survivor, "status").contains("off of " + victimNode + " successful: delegate=a human, client=crm"
                + " node clearstate"), () -> FailoverAdmin.str(cluster.status(survivor), "text"));
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> {
            String on = LocalCluster.runningOn(cluster, dcIndex, "d1");
            return on != null && !on.equals(victimNode);
        }), () -> "d1 not recovered 90 s after clearstate:\n" + FailoverAdmin.str(cluster.status(dcIndex), "text") + logs());
        System.out.println("LiveOperatorCommandsTest: d1 on " + LocalCluster.runningOn(cluster, dcIndex, "d1")
                + " after clearstate of " + victimNode + " (load " + LocalCluster.load() + ")");
    }
}
