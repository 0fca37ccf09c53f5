package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.failover.WatchdogSims;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * Poison-pill fencing (sbd's way) in the namespace lab (root): three nodes share a loop-device disk
 * laid out by fence_pulse_sbd (a slot per node, watchdog {@value #WATCHDOG_MS} ms, msgwait
 * {@value #MSGWAIT_MS} ms, loop {@value #LOOP_MS} ms); each node's crmd reads its slot (through a path
 * of its own, a symlink to the disk, so one node can lose the disk) and feeds a pulse-watchdog-sim;
 * the cluster's only fence device is stonith:fence_pulse_sbd. A node cut off gets the pill in its
 * slot, resets itself through its watchdog, and the others recover its VIP only after msgwait; a node
 * that loses the disk while quorate keeps running. The loop device goes with the lab. Bound: about
 * 2 minutes.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SbdPoisonPillLabTest {
    static final long WATCHDOG_MS = 2000;
    static final long MSGWAIT_MS = 5000;
    static final long LOOP_MS = 500;
    static NetnsLab lab;
    static FailoverLab cluster;
    static String vip;
    static String disk;
    static Path agent;
    static WatchdogSims watchdogs;

    @BeforeAll
    static void start() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "setsid", "mkfifo", "losetup", "dd", "mkfs.ext4")) {
            TestEnv.requireCommand(c);
        }
        Path repo = TestEnv.requireBuiltJars();
        agent = repo.resolve("crmd/src/main/fence/fence_pulse_sbd");
        lab = NetnsLab.create(FailoverLab.NODES);
        disk = lab.loopImage("sbd", 4).device();
        NetnsLab.Result created = NetnsLab.run(List.of(agent.toString(), "create", disk, "--nodes", "n1,n2,n3",
                "--watchdog-ms", Long.toString(WATCHDOG_MS), "--msgwait-ms", Long.toString(MSGWAIT_MS), "--loop-ms",
                Long.toString(LOOP_MS)), Map.of(), Duration.ofSeconds(30));
        assertTrue(created.ok(), "fence_pulse_sbd create: " + created.stdout() + created.stderr());
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            Files.createSymbolicLink(link(i), Path.of(disk));
        }
        watchdogs = WatchdogSims.start(lab, repo, WATCHDOG_MS);
        cluster = FailoverLab.start(lab, repo, 500, i -> watchdogs.nodeConfig(i) + "sbd_devices = " + link(i) + "\n");
        System.out.println("SbdPoisonPillLabTest: " + lab + "; disk " + disk + "; node logs " + cluster.logs());
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())),
                "the three lab nodes did not agree on a DC within 120 s; logs " + cluster.logs());
        vip = lab.vip(0);
        cluster.configureWhenJoined(1, List.of(
                "property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                "rsc_defaults resource-stickiness=100",
                "primitive sbd stonith:fence_pulse_sbd params devices=" + disk + " op monitor interval=5s timeout=20s",
                "primitive vip ocf:pulse:IPaddr params ip=" + vip + " cidr_netmask=24 nic=" + NetnsLab.IFNAME
                        + " op monitor interval=1s timeout=10s"));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.agreedRunningOn("vip", cluster.all())),
                "the VIP did not start: " + FailoverAdmin.str(cluster.status(1), "text"));
    }

    /** Node i's own path to the shared disk. */
    static Path link(int i) {
        return lab.workDir().resolve("sbd-n" + i);
    }

    @AfterAll
    static void stop() {
        if (watchdogs != null) {
            watchdogs.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    static String dump() {
        return NetnsLab.run(List.of(agent.toString(), "dump", disk), Map.of(), Duration.ofSeconds(20)).stdout();
    }

    @Test
    @Order(1)
    void aNodeCutOffGetsThePillResetsItselfAndIsRecoveredAfterMsgwait() throws Exception {
        String on = cluster.agreedRunningOn("vip", cluster.all());
        assertNotNull(on);
        int victim = cluster.index(on);
        int[] survivors = cluster.others(victim);
        long cutAt = System.currentTimeMillis();
        lab.linkDown(cluster.node(victim));
        String movedTo = FailoverLab.waitFor(Duration.ofSeconds(60), () -> {
            String w = cluster.agreedRunningOn("vip", survivors);
            return w != null && !w.equals(on) ? w : null;
        });
        long seenAt = System.currentTimeMillis();
        assertNotNull(movedTo, "the VIP was not recovered within 60 s of cutting " + on + "; logs " + cluster.logs());
        String slots = dump();
        Matcher m = Pattern.compile("name=" + on + " msg=(\\w+) from=\\S* at=(\\d+)").matcher(slots);
        assertTrue(m.find(), "no slot for " + on + ":\n" + slots);
        assertEquals("off", m.group(1), "the pill (stonith-action=off) is not in " + on + "'s slot:\n" + slots);
        long pillAt = Long.parseLong(m.group(2));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(20), () -> cluster.fenced(victim) ? "yes" : null),
                on + " did not reset itself through its watchdog after the pill");
        long resetAt = cluster.fencedAtEpochMs(victim);
        String victimLog = WatchdogSims.read(cluster.log(victim));
        assertTrue(victimLog.contains("poison pill (off) from"), on + " did not reset because of the pill; its log:\n"
                + victimLog.lines().filter(l -> l.contains("sbd") || l.contains("watchdog")).toList());
        System.out.printf("poison pill for %s: written %d ms after the cut, %s reset %d ms after the pill, VIP on %s"
                + " %d ms after the pill (msgwait %d ms), %d ms after the cut%n", on, pillAt - cutAt, on,
                resetAt - pillAt, movedTo, seenAt - pillAt, MSGWAIT_MS, seenAt - cutAt);
        assertTrue(pillAt >= cutAt, "the pill predates the cut");
        assertTrue(resetAt >= pillAt && resetAt <= seenAt, "the victim must reset after the pill and before the"
                + " others recover: pill " + pillAt + ", reset " + resetAt + ", recovered " + seenAt);
        assertTrue(seenAt - pillAt >= MSGWAIT_MS, "the VIP was recovered " + (seenAt - pillAt) + " ms after the pill,"
                + " before msgwait (" + MSGWAIT_MS + " ms)");
        assertEquals(List.of(movedTo), cluster.owners(vip), "the VIP must be on exactly one live node");
        cluster.powerOn(victim);
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())),
                on + " did not rejoin within 120 s; logs " + cluster.logs());
        assertTrue(dump().contains("name=" + on + " msg=clear"), "the rebooted node did not clear its slot:\n" + dump());
    }

    @Test
    @Order(2)
    void aNodeThatLosesTheDiskWhileQuorateKeepsRunning() throws Exception {
        String on = FailoverLab.waitFor(Duration.ofSeconds(30), () -> cluster.agreedRunningOn("vip", cluster.all()));
        assertNotNull(on, "the VIP runs nowhere: " + FailoverAdmin.str(cluster.status(1), "text"));
        int node = cluster.index(on);
        Files.delete(link(node));
        Files.createSymbolicLink(link(node), lab.workDir().resolve("no-such-disk"));
        try {
            assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(10), () -> WatchdogSims.read(cluster.log(node))
                    .contains("cannot read this node's slot") ? "yes" : null), on + " did not notice the disk was gone");
            Thread.sleep(3 * WATCHDOG_MS);
            assertTrue(cluster.alive(node) && !cluster.fenced(node), on + " was reset although it is quorate: "
                    + WatchdogSims.read(watchdogs.log(cluster.index(on))));
            assertEquals(on, cluster.agreedRunningOn("vip", cluster.all()), "the VIP moved although nothing failed");
        } finally {
            Files.delete(link(node));
            Files.createSymbolicLink(link(node), Path.of(disk));
        }
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(10), () -> WatchdogSims.read(cluster.log(node))
                .contains("readable again") ? "yes" : null), on + " did not read the disk again");
    }
}
