package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.failover.BmcLab;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * Per-node fencing of a real cluster in the namespace lab (root), as production clusters fence: the
 * three crmd nodes of FailoverLab, a BMC per node (BmcLab: ipmi_sim on a management network), a
 * {@code stonith:fence_ipmilan} device per node ({@code pcmk_host_list} = that node; Debian's agent,
 * unchanged) and the power switch ({@code fence_pulse_sim}) as a second device, in
 * {@code fencing-topology}: level 1 the node's own BMC, level 2 the power switch. A VIP is the
 * service. One lab for the class; each test brings its victim back before the next.
 *
 * <p>What each BMC did is read from its own log (ipmi_sim's record of the messages it received and
 * the chassis' power actions), so "only the victim's BMC powered it off" is checked on all three.
 *
 * <p>CI time: about 90 s for the class at a load average of 25 on 2 cores (cluster start ~20 s, the
 * three faults 14, 18 and 39 s); every wait is bounded (settling 90 s, recovery 60 s plus the dead
 * BMC's power_timeout, the give-up at stonith-max-attempts by its own computed bound, rejoin 120 s).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IpmiFencingLabTest {
    /** fence_ipmilan gives up on a dead BMC after this (its default, 20 s, would make the fallback slow). */
    static final int POWER_TIMEOUT_S = 3;
    static final int MAX_ATTEMPTS = 2;
    static NetnsLab lab;
    static FailoverLab cluster;
    static BmcLab bmcs;
    static String vip;
    static String dc;

    @BeforeAll
    static void start() throws Exception {
        BmcLab.requireTools();
        for (String c : List.of("unshare", "curl")) {
            TestEnv.requireCommand(c);
        }
        Path repo = TestEnv.requireBuiltJars();
        lab = NetnsLab.create(FailoverLab.NODES);
        vip = lab.vip(0);
        cluster = FailoverLab.start(lab, repo, 500);
        bmcs = BmcLab.start(lab, repo, cluster.power);
        System.out.println("IpmiFencingLabTest: " + lab + "; node logs " + cluster.logs() + "; BMC logs " + bmcs.log(1)
                + " (bmc2, bmc3 beside it)");
        dc = FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all()));
        assertNotNull(dc, "the three lab nodes did not agree on a DC within 120 s; logs " + cluster.logs());
        List<String> config = new ArrayList<>(List.of(
                "property stonith-enabled=true no-quorum-policy=stop stonith-action=off stonith-max-attempts=" + MAX_ATTEMPTS
                        + " stonith-timeout=" + (POWER_TIMEOUT_S * 4 + 10) + "s",
                // A node that comes back must not pull the service back.
                "rsc_defaults resource-stickiness=100"));
        config.addAll(bmcs.fencingConfiguration(POWER_TIMEOUT_S, ""));
        config.add("primitive vip ocf:pulse:IPaddr params ip=" + vip + " cidr_netmask=24 nic=" + NetnsLab.IFNAME
                + " op monitor interval=1s timeout=10s");
        cluster.configure(cluster.index(dc), config);
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(90), () -> cluster.agreedRunningOn("vip", cluster.all())),
                "vip did not start within 90 s: " + statusText(cluster.index(dc)));
    }

    @AfterAll
    static void stop() {
        if (bmcs != null) {
            bmcs.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    static String statusText(int i) {
        return FailoverAdmin.str(cluster.status(i), "text");
    }

    static int[] liveNodes() {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= FailoverLab.NODES; i++) {
            if (cluster.alive(i)) {
                out.add(i);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The DC's fencing history of node {@code name} as node i's crmd reports it (its status text, newest
     * last): "TIME off of NAME: RESULT (DEVICE on EXECUTOR, level N): DETAIL".
     */
    static List<String> fenceHistory(int i, String name) {
        String t = statusText(i);
        if (t == null) {
            return List.of();
        }
        return t.lines().map(String::strip).filter(l -> l.contains(" of " + name + ": ")
                && !l.startsWith("Fencing of ")).toList();
    }

    /** What every BMC and the victim's outlet recorded so far, to compare with after a fault. */
    record Marks(int[] controls, int[] actions, long offsBefore) {
        static Marks now(int victim) throws IOException {
            int[] c = new int[FailoverLab.NODES + 1];
            int[] a = new int[FailoverLab.NODES + 1];
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                c[i] = bmcs.chassisControls(i).size();
                a[i] = bmcs.powerActions(i).size();
            }
            return new Marks(c, a, outletOffs(victim));
        }

        List<String> newControls(int i) {
            List<String> all = bmcs.chassisControls(i);
            return all.subList(controls[i], all.size());
        }

        List<String> newActions(int i) {
            List<String> all = bmcs.powerActions(i);
            return all.subList(actions[i], all.size());
        }
    }

    /** How many times the power switch has switched node i off (by anyone: a BMC's chassis or the level-2 device). */
    static long outletOffs(int i) throws IOException {
        Path h = cluster.power.resolve(cluster.name(i) + ".history");
        return Files.exists(h) ? Files.readAllLines(h).stream().filter(l -> l.endsWith(" off")).count() : 0;
    }

    /**
     * A node that is not the DC and runs vip (moved there if needed; to {@code preferred} when that is
     * given, 0 otherwise): the victim of a test.
     */
    static int victimRunningVip(int preferred) throws Exception {
        // Settled first: every device started (a start asks its BMC for the power status) and the DC
        // idle, so that what the BMCs log during the fault is the fault's.
        List<String> rscs = List.of("vip", "fence-pdu", "ipmi-n1", "ipmi-n2", "ipmi-n3");
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(90), () -> {
            String d = cluster.agreedDc(cluster.all());
            if (d == null || rscs.stream().anyMatch(r -> cluster.agreedRunningOn(r, cluster.all()) == null)) {
                return null;
            }
            String t = statusText(cluster.index(d));
            return t != null && t.contains("Transition: idle") ? d : null;
        }), "the cluster did not settle (all devices and vip started, the DC idle): " + statusText(1));
        String on = cluster.agreedRunningOn("vip", cluster.all());
        assertNotNull(on, "vip runs nowhere: " + statusText(1));
        String d = cluster.agreedDc(cluster.all());
        assertNotNull(d);
        dc = d;
        if (preferred == 0 ? !on.equals(dc) : on.equals(cluster.name(preferred))) {
            return cluster.index(on);
        }
        int target = preferred != 0 ? preferred : cluster.others(cluster.index(dc))[0];
        assertNotEquals(dc, cluster.name(target), "the victim must not be the DC");
        cluster.crm(cluster.index(dc), "resource", "move", "vip", cluster.name(target));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60),
                () -> cluster.name(target).equals(cluster.agreedRunningOn("vip", cluster.all())) ? "moved" : null),
                "vip did not move to " + cluster.name(target) + ": " + statusText(1));
        cluster.crm(cluster.index(dc), "resource", "clear", "vip");
        return target;
    }

    /**
     * The victim boots again as a real machine does after a fence: its BMC is told to power it on
     * (the chassis and its outlet on again), then the machine comes up with crmd and rejoins.
     */
    static void bringBack(int victim) throws Exception {
        int from = cluster.others(victim)[0];
        NetnsLab.Result on = bmcs.ipmitool(cluster.node(from), victim, "chassis", "power", "on");
        assertEquals(0, on.rc(), "power on of " + cluster.name(victim) + " through its BMC: " + on.stderr());
        cluster.powerOn(victim);
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> cluster.agreedDc(cluster.all())),
                cluster.name(victim) + " did not rejoin within 120 s; logs " + cluster.logs());
        assertTrue(bmcs.chassisOn(victim));
    }

    /** The service is back, on a survivor, everyone agrees, and the VIP is on that one node only. */
    static String assertServiceOnSurvivor(String what, int victim, Duration within) throws InterruptedException {
        int[] survivors = cluster.others(victim);
        String dead = cluster.name(victim);
        String on = FailoverLab.waitFor(within, () -> {
            String w = cluster.agreedRunningOn("vip", survivors);
            return w != null && !w.equals(dead) ? w : null;
        });
        assertNotNull(on, what + ": vip did not start on a survivor within " + within + ": " + statusText(survivors[0])
                + "; logs " + cluster.logs());
        assertEquals(List.of(on), cluster.owners(vip), what + ": the VIP must be on exactly one node");
        return on;
    }

    /**
     * Level 1: the node holding the service dies; the DC fences it through the victim's own BMC —
     * one Chassis Control "power down" on that BMC, one power-off of its outlet — and no other BMC
     * receives a chassis control or switches anything; only then does the VIP start elsewhere.
     */
    @Test
    @Order(1)
    void aDeadNodeIsFencedByItsOwnBmcAlone() throws Exception {
        int victim = victimRunningVip(0);
        String name = cluster.name(victim);
        int survivor = cluster.others(victim)[0];
        Marks before = Marks.now(victim);
        int historyBefore = fenceHistory(survivor, name).size();
        long killedAt = System.currentTimeMillis();
        cluster.powerOff(victim);
        assertServiceOnSurvivor("kill of " + name, victim, Duration.ofSeconds(60));
        assertTrue(cluster.fenced(victim), name + " is not fenced although its service moved");
        long fencedAt = cluster.fencedAtEpochMs(victim);
        assertTrue(fencedAt >= killedAt, "the outlet of " + name + " was not switched off after the kill");
        // From the kill until the fence, the other BMCs logged nothing: nobody even asked them.
        for (int other : cluster.others(victim)) {
            assertEquals(0, bmcs.answersBetween(other, killedAt, fencedAt), "BMC of " + cluster.name(other)
                    + " was talked to while " + name + " was fenced; its log " + bmcs.log(other));
        }
        assertTrue(bmcs.answersBetween(victim, killedAt, fencedAt + 1000) >= 3, "the BMC of " + name
                + " answered fewer requests than a session, an off and a status take");
        List<String> history = fenceHistory(survivor, name);
        assertEquals(historyBefore + 1, history.size(), "one fencing run, at once successful: " + history);
        String last = history.get(history.size() - 1);
        assertTrue(last.contains("off of " + name + ": success (ipmi-" + name + " on ") && last.contains(", level 1)")
                && !last.contains(" on " + name + ","), "the fencing of " + name + " ran elsewhere through its BMC: " + last);
        assertEquals(List.of("power-down"), before.newControls(victim), name + "'s BMC: the chassis controls it received");
        List<String> actions = before.newActions(victim);
        assertEquals(1, actions.size(), name + "'s BMC power actions: " + actions);
        assertTrue(actions.get(0).contains(" " + name + " power-off ok"), actions.get(0));
        for (int other : cluster.others(victim)) {
            assertEquals(List.of(), before.newControls(other), "BMC of " + cluster.name(other) + " received a chassis"
                    + " control while " + name + " was fenced; its log " + bmcs.log(other));
            assertEquals(List.of(), before.newActions(other), "BMC of " + cluster.name(other) + " switched power");
        }
        assertEquals(before.offsBefore() + 1, outletOffs(victim),
                "the outlet of " + name + " was switched off other than by its BMC once (the power switch device ran too?)");
        // The service started only after the fence: the BMC's power-off precedes the VIP's start on the survivor.
        bringBack(victim);
    }

    /**
     * Level 2 (needs the fencer's fencing-topology): the victim's BMC is unreachable (its cable cut),
     * so fence_ipmilan fails within its power_timeout and the power switch, level 2, fences the node;
     * the service moves; no BMC powered anything.
     */
    @Test
    @Order(2)
    void withItsBmcUnreachableThePowerSwitchFencesTheNode() throws Exception {
        int victim = victimRunningVip(0);
        String name = cluster.name(victim);
        int survivor = cluster.others(victim)[0];
        Marks before = Marks.now(victim);
        int historyBefore = fenceHistory(survivor, name).size();
        bmcs.unplug(victim);
        try {
            long killedAt = System.currentTimeMillis();
            cluster.powerOff(victim);
            assertServiceOnSurvivor("kill of " + name + " with its BMC unreachable", victim,
                    Duration.ofSeconds(60 + 6L * POWER_TIMEOUT_S));
            assertTrue(cluster.fenced(victim), name + " is not fenced although its service moved");
            long fencedAt = cluster.fencedAtEpochMs(victim);
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                assertEquals(0, bmcs.answersBetween(i, killedAt, fencedAt), "BMC of " + cluster.name(i)
                        + " answered while " + name + " was fenced (its own is unplugged, the others are not asked)");
            }
            List<String> history = fenceHistory(survivor, name);
            List<String> run = history.subList(historyBefore, history.size());
            assertTrue(run.size() >= 2, "level 1 failed, then level 2: " + run);
            assertTrue(run.get(run.size() - 1).contains("off of " + name + ": success (fence-pdu on ")
                    && run.get(run.size() - 1).contains(", level 2)"), "the power switch (level 2) fenced " + name + ": " + run);
            for (String l : run.subList(0, run.size() - 1)) {
                assertTrue(l.contains("(ipmi-" + name + " on ") && l.contains(", level 1)") && !l.contains(": success"),
                        "before level 2 only level 1 (the BMC) failed: " + run);
            }
            assertEquals(before.offsBefore() + 1, outletOffs(victim), "the power switch switched " + name + " off once");
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                assertEquals(List.of(), before.newControls(i), "BMC of " + cluster.name(i) + " received a chassis control");
                assertEquals(List.of(), before.newActions(i), "BMC of " + cluster.name(i) + " switched power");
            }
        } finally {
            bmcs.plug(victim);
        }
        bringBack(victim);
    }

    /**
     * Both levels fail (the BMC unreachable and the power switch broken): the fencer stops after
     * stonith-max-attempts, the VIP that ran on the victim starts nowhere else, and crm status says
     * why. Once both are repaired, {@code crm node fence} fences it (through its BMC) and the VIP
     * starts on a survivor.
     */
    @Test
    @Order(3)
    void withBothLevelsFailingNothingStartsElsewhereUntilAFenceAfterTheRepair() throws Exception {
        int victim = victimRunningVip(0);
        String name = cluster.name(victim);
        int survivor = cluster.others(victim)[0];
        Marks before = Marks.now(victim);
        bmcs.unplug(victim);
        bmcs.breakPowerSwitch();
        try {
            cluster.powerOff(victim);
            // Each attempt runs level 1 (fails after power_timeout) then level 2 (fails at once).
            long boundMs = (MAX_ATTEMPTS + 1) * (POWER_TIMEOUT_S * 3L + 5) * 1000L + 20_000;
            int dcNode = cluster.index(dc);
            String gaveUp = FailoverLab.waitFor(Duration.ofMillis(boundMs), () -> {
                String t = statusText(dcNode);
                return t != null && t.contains("Fencing of " + name + " stopped: ") ? t : null;
            });
            assertNotNull(gaveUp, "the DC does not say that fencing " + name + " stopped within " + boundMs + " ms: "
                    + statusText(dcNode));
            assertTrue(gaveUp.contains("stonith-max-attempts=" + MAX_ATTEMPTS), gaveUp);
            // The reason is said where operators look: crm status (the DC's: it alone knows that it
            // stopped; every member has the history, whose last run says it gave up, and why).
            String crmStatus = cluster.crm(dcNode, "status");
            assertTrue(crmStatus.contains("fencing of " + name + " STOPPED") && crmStatus.contains("stonith-max-attempts="
                    + MAX_ATTEMPTS) && crmStatus.contains("crm node fence " + name), "crm status on the DC: " + crmStatus);
            for (int member : cluster.others(victim)) {
                String c = cluster.crm(member, "status");
                assertTrue(c.contains("stonith-max-attempts=" + MAX_ATTEMPTS), "crm status on " + cluster.name(member)
                        + " does not say why " + name + " is not fenced: " + c);
            }
            assertTrue(!cluster.fenced(victim), name + " counts as fenced although both levels failed");
            // The attempts have stopped: no further runs while we wait.
            int runs = fenceHistory(survivor, name).size();
            Thread.sleep(8000);
            assertEquals(runs, fenceHistory(survivor, name).size(), "fencing of " + name + " went on after it stopped: "
                    + fenceHistory(survivor, name));
            // The survivors hold vip where it was (blocked: it may still be active on the unfenced node).
            String held = cluster.agreedRunningOn("vip", cluster.others(victim));
            assertTrue(held == null || held.equals(name), "vip started on " + held + " although " + name
                    + " was never fenced: " + statusText(survivor));
            assertTrue(statusText(dcNode).contains("could not be fenced"), "the held-back vip does not say why: "
                    + statusText(dcNode));
            assertEquals(List.of(), cluster.owners(vip), "the VIP is up somewhere although its node was never fenced");
            for (int i = 1; i <= FailoverLab.NODES; i++) {
                assertEquals(List.of(), before.newControls(i), "BMC of " + cluster.name(i) + " received a chassis control");
            }
            assertEquals(before.offsBefore(), outletOffs(victim), "the power switch switched " + name + " off");
        } finally {
            bmcs.plug(victim);
            bmcs.repairPowerSwitch();
        }
        // Repaired: the operator's fence goes through the victim's BMC (level 1) and the VIP recovers.
        cluster.crm(survivor, "node", "fence", name);
        assertServiceOnSurvivor("crm node fence " + name + " after the repair", victim, Duration.ofSeconds(60));
        assertTrue(cluster.fenced(victim));
        assertEquals(List.of("power-down"), before.newControls(victim), name + "'s BMC after the repair");
        List<String> history = fenceHistory(survivor, name);
        assertTrue(history.get(history.size() - 1).contains("success (ipmi-" + name + " on "), history.toString());
        assertTrue(!statusText(survivor).contains("Fencing of " + name + " stopped"), statusText(survivor));
        bringBack(victim);
    }
}
