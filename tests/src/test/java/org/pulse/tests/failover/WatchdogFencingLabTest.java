package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * Watchdog-only fencing ("diskless SBD") in the namespace lab (root): three nodes, no fence device,
 * each node's crmd feeding its watchdog, a pulse-watchdog-sim per node (a FIFO device that, unfed for
 * {@value #WATCHDOG_MS} ms, powers its node off through the power-switch simulator), and
 * stonith-watchdog-timeout = {@value #STONITH_WATCHDOG_MS} ms. A node cut off loses quorum, stops
 * feeding and is powered off by its watchdog; the others start its VIP only once
 * stonith-watchdog-timeout has passed since they lost it, never before; a crmd frozen by SIGSTOP on a
 * quorate node feeds nothing, so its watchdog resets it too. A setting that breaks Pacemaker's timing
 * rule is refused with the rule named. Bound: about 2 minutes (two faults, one reboot).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchdogFencingLabTest {
    static final long WATCHDOG_MS = 2000;
    static final long STONITH_WATCHDOG_MS = 5000;
    static NetnsLab lab;
    static FailoverLab cluster;
    static String vip;
    static WatchdogSims watchdogs;

    @BeforeAll
    static void start() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "setsid", "mkfifo")) {
            TestEnv.requireCommand(c);
        }
        Path repo = TestEnv.requireBuiltJars();
        lab = NetnsLab.create(FailoverLab.NODES);
        watchdogs = WatchdogSims.start(lab, repo, WATCHDOG_MS);
        cluster = FailoverLab.start(lab, repo, 500, watchdogs::nodeConfig);
        System.out.println("WatchdogFencingLabTest: " + lab + "; node logs " + cluster.logs());
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())),
                "the three lab nodes did not agree on a DC within 120 s; logs " + cluster.logs());
        vip = lab.vip(0);
    }

    @AfterAll
    static void stop() {
        // The simulators first: the lab's teardown kills the nodes, and their watchdogs must not fire then.
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

    @Test
    @Order(1)
    void aTimeoutNotAboveTheWatchdogsIsRefusedNamingTheRule() throws Exception {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> cluster.configureWhenJoined(1, List.of("property stonith-enabled=true stonith-watchdog-timeout=1s")));
        assertTrue(e.getMessage().contains("must be greater than the watchdog timeout"), e.getMessage());
        cluster.configureWhenJoined(1, List.of(
                "property stonith-enabled=true no-quorum-policy=stop stonith-action=off stonith-watchdog-timeout="
                        + STONITH_WATCHDOG_MS + "ms",
                "rsc_defaults resource-stickiness=100",
                "primitive vip ocf:pulse:IPaddr params ip=" + vip + " cidr_netmask=24 nic=" + NetnsLab.IFNAME
                        + " op monitor interval=1s timeout=10s"));
        // Without a fence device the VIP runs only because the DC counts watchdog self-fencing as fencing.
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> cluster.agreedRunningOn("vip", cluster.all())),
                "the VIP did not start with watchdog-only fencing: " + FailoverAdmin.str(cluster.status(1), "text"));
        String cib = FailoverAdmin.str(cluster.query(1), "xml");
        assertTrue(cib.contains("name=\"have-watchdog\" value=\"true\""), "the DC did not record have-watchdog");
    }

    @Test
    @Order(2)
    void aNodeCutOffIsResetByItsWatchdogAndRecoveredOnlyAfterStonithWatchdogTimeout() throws Exception {
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
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(20), () -> cluster.fenced(victim) ? "yes" : null),
                on + " was not powered off by its watchdog: " + WatchdogSims.read(lab.workDir().resolve("watchdog-" + on + ".log")));
        long resetAt = cluster.fencedAtEpochMs(victim);
        System.out.printf("watchdog fencing of %s (link cut): reset by its watchdog %d ms after the cut, VIP on %s"
                + " %d ms after the cut (stonith-watchdog-timeout %d ms)%n", on, resetAt - cutAt, movedTo,
                seenAt - cutAt, STONITH_WATCHDOG_MS);
        assertTrue(resetAt - cutAt >= WATCHDOG_MS, "the watchdog fired " + (resetAt - cutAt) + " ms after the cut, before"
                + " its timeout: it was not being fed before");
        assertTrue(seenAt - cutAt >= STONITH_WATCHDOG_MS, "the survivors started the VIP " + (seenAt - cutAt)
                + " ms after losing " + on + ", before stonith-watchdog-timeout (" + STONITH_WATCHDOG_MS + " ms)");
        assertTrue(resetAt <= seenAt, "the VIP was started elsewhere " + (resetAt - seenAt) + " ms before " + on
                + " was reset");
        assertEquals(List.of(movedTo), cluster.owners(vip), "the VIP must be on exactly one live node");
        String history = FailoverAdmin.str(cluster.status(survivors[0]), "text");
        assertTrue(history.contains("watchdog"), "the fence history does not name the watchdog:\n" + history);
        cluster.powerOn(victim);
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())),
                on + " did not rejoin within 120 s; logs " + cluster.logs());
    }

    @Test
    @Order(3)
    void aFrozenCrmdOnAQuorateNodeIsResetByItsWatchdog() throws Exception {
        String on = FailoverLab.waitFor(Duration.ofSeconds(30), () -> cluster.agreedRunningOn("vip", cluster.all()));
        assertNotNull(on, "the VIP runs nowhere: " + FailoverAdmin.str(cluster.status(1), "text"));
        int victim = cluster.index(on);
        int[] survivors = cluster.others(victim);
        long pid = Long.parseLong(Files.readString(cluster.power.resolve(on + ".pid")).strip());
        long stoppedAt = System.currentTimeMillis();
        NetnsLab.Result r = NetnsLab.run(List.of("kill", "-STOP", Long.toString(pid)), java.util.Map.of(),
                Duration.ofSeconds(10));
        assertTrue(r.ok(), "kill -STOP " + pid + ": " + r.stderr());
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(30), () -> cluster.fenced(victim) ? "yes" : null),
                on + " (crmd frozen) was not reset by its watchdog: " + WatchdogSims.read(lab.workDir().resolve("watchdog-" + on + ".log")));
        long resetAt = cluster.fencedAtEpochMs(victim);
        String movedTo = FailoverLab.waitFor(Duration.ofSeconds(60), () -> {
            String w = cluster.agreedRunningOn("vip", survivors);
            return w != null && !w.equals(on) ? w : null;
        });
        long seenAt = System.currentTimeMillis();
        assertNotNull(movedTo, "the VIP was not recovered after " + on + " froze; logs " + cluster.logs());
        System.out.printf("watchdog fencing of %s (crmd SIGSTOP): reset %d ms after the freeze, VIP on %s %d ms"
                + " after it%n", on, resetAt - stoppedAt, movedTo, seenAt - stoppedAt);
        // The crmd fed its watchdog until it froze: the simulator's last feed before it fired came shortly
        // before the freeze (crmd feeds every timeout / 5; half the timeout of slack, as a loaded machine
        // delays a feed by hundreds of ms), and the reset came after the freeze. The fence history's time is
        // not the measure: it is written after the kill, so it adds the kill's duration.
        long lastFedAt = watchdogs.lastFedBeforeExpiryEpochMs(victim, stoppedAt);
        System.out.printf("watchdog of %s last fed %d ms before the freeze (crmd feeds every %d ms; load %s)%n", on,
                stoppedAt - lastFedAt, WATCHDOG_MS / 5, org.pulse.lab.cluster.LocalCluster.load());
        assertTrue(lastFedAt > 0, "the watchdog simulator logged no expiry after the freeze: "
                + WatchdogSims.read(lab.workDir().resolve("watchdog-" + on + ".log")));
        assertTrue(stoppedAt - lastFedAt <= WATCHDOG_MS / 2, "the watchdog was last fed " + (stoppedAt - lastFedAt)
                + " ms before the freeze: crmd had stopped feeding it before it froze");
        assertTrue(resetAt >= stoppedAt, "reset " + (stoppedAt - resetAt) + " ms before the freeze");
        assertTrue(resetAt <= seenAt, "the VIP was started elsewhere before " + on + " was reset");
        assertTrue(seenAt - stoppedAt >= STONITH_WATCHDOG_MS, "the VIP was started " + (seenAt - stoppedAt)
                + " ms after the freeze, before stonith-watchdog-timeout");
        assertEquals(List.of(movedTo), cluster.owners(vip), "the VIP must be on exactly one live node");
    }
}
