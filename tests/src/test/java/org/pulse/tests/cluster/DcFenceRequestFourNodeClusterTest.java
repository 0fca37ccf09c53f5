package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.TestEnv;

/**
 * Issue 11 with four real crmd processes: {@code crm node fence DC} run by a member that is not the next DC. The
 * device is banned from the next DC (the view's second member), so the third member runs it, and its power switch
 * confirms the off 3 s after it cut the power (a wrapper around the simulator): the next DC's join runs while the
 * run is in flight. Before, that DC fenced the old DC a second time (the executor's result reached it after the
 * join); now the executor reports the run in its join answer and the next DC waits for its result: the old DC's
 * outlet is switched exactly once, and its Dummy comes back on a survivor.
 */
class DcFenceRequestFourNodeClusterTest {
    static final int NODES = 4;
    /** How long the wrapped switch takes to confirm an off it already did: longer than detection plus a join. */
    static final int CONFIRM_S = 3;
    static LocalCluster cluster;
    static Path dir;

    @BeforeAll
    static void start() throws Exception {
        Path repo = TestEnv.requireBuiltJars();
        dir = Files.createTempDirectory("pulse-dcfence4-");
        Path agents = Files.createDirectories(dir.resolve("fence"));
        Path slow = agents.resolve("fence_slow_sim");
        Files.writeString(slow, "#!/usr/bin/env bash\n"
                + "# fence_pulse_sim behind a switch that confirms an off or reboot " + CONFIRM_S + " s after doing it\n"
                + "input=$(cat)\n"
                + "action=$(printf '%s\\n' \"$input\" | sed -n 's/^action=//p' | tail -n 1)\n"
                + "printf '%s\\n' \"$input\" | " + repo.resolve("crmd/src/main/fence/fence_pulse_sim") + "\n"
                + "rc=$?\n"
                + "if [[ $rc == 0 && ( $action == off || $action == reboot ) ]]; then sleep " + CONFIRM_S + "; fi\n"
                + "exit $rc\n");
        Files.setPosixFilePermissions(slow, PosixFilePermissions.fromString("rwxr-xr-x"));
        cluster = LocalCluster.prepared(repo, dir, NODES, Ports.freeBase(10), 2_000);
        for (int i = 1; i <= NODES; i++) {
            // The wrapper's directory first: the node config names each setting once.
            Path conf = dir.resolve("node" + i).resolve("crmd.conf");
            Files.writeString(conf, Files.readString(conf).replace("stonith_dirs = ", "stonith_dirs = " + agents + ":"));
            cluster.startNode(i);
        }
        System.out.println("DcFenceRequestFourNodeClusterTest: nodes in " + dir
                + " (removed afterwards; keep with -Dpulse.keep=true)");
    }

    @AfterAll
    static void stop() throws Exception {
        LabCleanup.closeAndRemove(cluster);
    }

    static String logs() {
        StringBuilder b = new StringBuilder();
        for (int n = 1; n <= NODES; n++) {
            b.append("\n--- node").append(n).append(":\n").append(LogText.tail(cluster.log(n)));
        }
        return b.toString();
    }

    @Test
    void crmNodeFenceOfTheDcRunByAMemberThatIsNotTheNextDcFencesItOnce() throws Exception {
        int[] all = IntStream.rangeClosed(1, NODES).toArray();
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(all) != null),
                "no DC agreed within 120 s" + logs());
        String dc = cluster.agreedDc(all);
        int dcIndex = Integer.parseInt(dc.substring("node".length()));
        List<String> members = List.of(FailoverAdmin.str(cluster.status(dcIndex), "members").split(","));
        assertEquals(NODES, members.size(), "the DC's view: " + members);
        assertEquals(dc, members.get(0), "the DC is the view's first member: " + members);
        // The next DC is the view's second member (the oldest after the DC); the device may not run there, so the
        // fencer picks the third (the DC first, then the view's order; never the target).
        String nextDc = members.get(1);
        String executor = members.get(2);
        int[] survivors = IntStream.rangeClosed(1, NODES).filter(n -> n != dcIndex).toArray();
        FencedDcChecks.configureWithD1OnDc(cluster, survivors[0], dcIndex, dc, "fence_slow_sim",
                "<rsc_location id=\"fence-not-on-next\" rsc=\"fence-sim\" node=\"" + nextDc + "\" score=\"-INFINITY\"/>",
                DcFenceRequestFourNodeClusterTest::logs);

        long t0 = System.currentTimeMillis();
        Map.Entry<Integer, String> out = cluster.crm(dcIndex, "node", "fence", dc);
        assertEquals(0, out.getKey(), "crm node fence " + dc + " on the DC: " + out.getValue() + logs());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> !cluster.alive(dcIndex)),
                "the DC " + dc + " still runs 60 s after crm node fence" + logs());
        String line = FencedDcChecks.awaitRecordedFencing(cluster, survivors, dc,
                DcFenceRequestFourNodeClusterTest::logs);
        String newDc = cluster.agreedDc(survivors);
        assertNotNull(newDc);
        assertEquals(executor, line.split("\t", -1)[5], "the executor is the third member: " + line);
        FencedDcChecks.awaitRecoveredElsewhere(cluster, survivors[0], dc, "d1", DcFenceRequestFourNodeClusterTest::logs);
        long recoveredMs = System.currentTimeMillis() - t0;
        // Settled: no second fencing of the old DC comes later (a second run would also take CONFIRM_S).
        Thread.sleep((CONFIRM_S + 2) * 1000L);
        assertEquals(1, FencedDcChecks.outletSwitches(cluster, dc), dc + "'s outlet was switched more than once (fenced"
                + " again by the next DC?): " + FencedDcChecks.outlet(cluster, dc) + logs());
        String newDcLog = LogText.readOrEmpty(cluster.log(Integer.parseInt(newDc.substring("node".length()))));
        System.out.println("DcFenceRequestFourNodeClusterTest: crm node fence " + dc + " (the DC, view " + members
                + "): fenced by " + executor + ", new DC " + newDc + (newDcLog.contains("waiting for its result")
                ? " (waited for the run in flight)" : newDcLog.contains("recording it instead of fencing")
                ? " (recorded the run done)" : "") + ", d1 on " + LocalCluster.runningOn(cluster, survivors[0], "d1")
                + " " + recoveredMs + " ms after the command (load " + LocalCluster.load() + ")\n"
                + line.replace('\t', ' '));
    }
}
