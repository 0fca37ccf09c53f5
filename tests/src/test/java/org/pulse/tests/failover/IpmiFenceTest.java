package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.lab.failover.BmcLab;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.support.AtomicFiles;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;
import org.pulse.lrm.AgentExecutor;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecOutcome;
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;

/**
 * Per-node BMCs of the lab (BmcLab: ipmi_sim per node on a management network) against Debian's
 * unchanged ipmitool and fence_ipmilan (root): each BMC answers RMCP+ with its own user and password
 * and refuses a wrong one; its chassis power-off powers exactly its own node off (no process, no
 * address left: the power-switch simulator's off) and nobody else's; fence_ipmilan run by Pulse's LRM
 * (AgentExecutor, in another node's namespace, as a fencing crmd runs it) starts the device, fences
 * the node through its BMC, and fails (within the device's power_timeout, leaving the node alone)
 * when the BMC cannot be reached. Nodes here are plain processes in their own mount namespaces; the
 * crmd cluster on top of the same fixture is IpmiFencingLabTest's. CI time: about 20 s (3 labs).
 */
class IpmiFenceTest {
    static final AgentRef FENCE_IPMILAN = new AgentRef(AgentRef.STONITH, null, "fence_ipmilan");
    NetnsLab lab;
    BmcLab bmcs;
    Path power;
    final Process[] nodes = new Process[4];

    @BeforeEach
    void start() throws Exception {
        BmcLab.requireTools();
        TestEnv.requireCommand("unshare");
        lab = NetnsLab.create(3);
        power = lab.dir("power");
        for (int i = 1; i <= 3; i++) {
            nodes[i] = bootNode(lab.node(i));
        }
        bmcs = BmcLab.start(lab, TestEnv.root(), power);
        System.out.println("IpmiFenceTest: " + lab + "; BMC logs " + bmcs.log(1).getParent().getParent() + "/bmcN/bmc.log");
    }

    @AfterEach
    void stop() {
        if (bmcs != null) {
            bmcs.close();
        }
        if (lab != null) {
            lab.close();
        }
    }

    /** A node "machine": a shell and a child in its own mount namespace, wired to the power switch's outlet. */
    Process bootNode(NetnsLab.Node node) throws Exception {
        Process p = lab.startInOwnMountNamespace(node, List.of("sh", "-c", "(sleep 600 &) ; exec sleep 600"), Map.of(),
                node.runDir().resolve("node.log"));
        AtomicFiles.writeString(power.resolve(node.name() + ".pid"), Long.toString(p.pid()));
        AtomicFiles.writeString(power.resolve(node.name() + ".netns"), node.netns());
        AtomicFiles.writeString(power.resolve(node.name() + ".link"), NetnsLab.IFNAME);
        AtomicFiles.writeString(power.resolve(node.name() + ".rsctmp"), node.rsctmp().toString());
        assertTrue(FailoverLab.waitFor(Duration.ofSeconds(10), () -> lab.processesIn(node).size() >= 2 ? "up" : null) != null,
                node.name() + " did not boot");
        return p;
    }

    /** Node i is off as the power switch leaves a node: no process, no address on any interface, outlet off. */
    void assertOff(int i) throws IOException, InterruptedException {
        NetnsLab.Node n = lab.node(i);
        assertTrue(FailoverLab.waitFor(Duration.ofSeconds(5), () -> lab.processesIn(n).isEmpty() ? "off" : null) != null,
                "processes of " + n.name() + " left: " + lab.processesIn(n));
        assertEquals("", lab.exec(n, "ip", "-o", "-4", "addr", "show").stdout().strip(), "a powered-off node holds no address");
        assertEquals("off", Files.readString(power.resolve(n.name() + ".state")).strip());
    }

    void assertUntouched(int... others) {
        for (int i : others) {
            assertTrue(nodes[i].isAlive(), lab.node(i).name() + " was killed");
            assertEquals(List.of(), bmcs.chassisControls(i), "BMC " + i + " received a chassis control");
            assertEquals(List.of(), bmcs.powerActions(i), "BMC " + i + " powered something");
            assertFalse(Files.exists(power.resolve(lab.node(i).name() + ".state")), lab.node(i).name() + "'s outlet was switched");
        }
    }

    @Test
    void ipmitoolAndFenceIpmilanDriveExactlyTheirNodesPower() throws Exception {
        NetnsLab.Node n2 = lab.node(2);
        // Each BMC is its own ipmi_sim at its own address.
        for (int i = 1; i <= 3; i++) {
            assertEquals("ipmi_sim", Files.readString(Path.of("/proc", Long.toString(bmcs.pid(i)), "comm")).strip());
            assertEquals(BmcLab.MGMT_NET + (10 + i), bmcs.address(i));
        }
        NetnsLab.Result status = bmcs.ipmitool(n2, 1, "chassis", "power", "status");
        assertEquals(0, status.rc(), status.stderr());
        assertTrue(status.stdout().contains("Chassis Power is on"), status.stdout());

        // The password is checked: BMC 2's password does not open BMC 1.
        NetnsLab.Result wrong = NetnsLab.run(NetnsLab.inNs(n2, "ipmitool", "-I", "lanplus", "-H", bmcs.address(1), "-U",
                BmcLab.USER, "-P", bmcs.bmc(2).password, "-C", BmcLab.CIPHER, "-N", "1", "-R", "1", "chassis", "power",
                "status"), Map.of(), Duration.ofSeconds(30));
        assertNotEquals(0, wrong.rc(), "BMC 1 accepted BMC 2's password: " + wrong.stdout());

        NetnsLab.Result fs = bmcs.fenceIpmilan(n2, 1, "status");
        assertEquals(0, fs.rc(), fs.stdout() + fs.stderr());
        assertTrue(fs.stdout().contains("Status: ON"), fs.stdout());

        long t0 = System.nanoTime();
        NetnsLab.Result off = bmcs.fenceIpmilan(n2, 1, "off");
        long offMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, off.rc(), off.stdout() + off.stderr());
        assertTrue(off.stdout().contains("Success: Powered OFF"), off.stdout());
        System.out.println("IpmiFenceTest: fence_ipmilan off round trip " + offMs + " ms");
        assertOff(1);
        assertEquals(List.of("power-down"), bmcs.chassisControls(1));
        assertEquals(1, bmcs.powerActions(1).size());
        assertTrue(bmcs.powerActions(1).get(0).contains(" n1 power-off ok"), bmcs.powerActions(1).get(0));
        assertFalse(bmcs.chassisOn(1));
        assertUntouched(2, 3);

        NetnsLab.Result offStatus = bmcs.fenceIpmilan(n2, 1, "status");
        assertEquals(2, offStatus.rc(), "fence_ipmilan status of a node that is off: " + offStatus.stdout());
        assertTrue(bmcs.ipmitool(n2, 1, "chassis", "power", "status").stdout().contains("Chassis Power is off"));

        // Power on by hand: the outlet is on again (the node's software is the boot's business).
        NetnsLab.Result on = bmcs.ipmitool(n2, 1, "chassis", "power", "on");
        assertEquals(0, on.rc(), on.stderr());
        assertTrue(bmcs.chassisOn(1));
        assertEquals("on", Files.readString(power.resolve("n1.state")).strip());

        // Reboot: fence_ipmilan's off then on, both through BMC 1 alone.
        nodes[1] = bootNode(lab.node(1));
        NetnsLab.Result reboot = bmcs.fenceIpmilan(n2, 1, "reboot");
        assertEquals(0, reboot.rc(), reboot.stdout() + reboot.stderr());
        assertTrue(FailoverLab.waitFor(Duration.ofSeconds(5), () -> nodes[1].isAlive() ? null : "gone") != null,
                "reboot did not power n1 off");
        assertEquals(List.of("power-down", "power-up", "power-down", "power-up"), bmcs.chassisControls(1));
        assertTrue(bmcs.chassisOn(1));
        assertUntouched(2, 3);

        // ipmitool's hard reset: the power switch's reboot of that node.
        NetnsLab.Result reset = bmcs.ipmitool(n2, 3, "chassis", "power", "reset");
        assertEquals(0, reset.rc(), reset.stderr());
        assertTrue(FailoverLab.waitFor(Duration.ofSeconds(5), () -> nodes[3].isAlive() ? null : "gone") != null);
        assertEquals(List.of("hard-reset"), bmcs.chassisControls(3));
        assertTrue(bmcs.powerActions(3).get(0).contains(" n3 reset ok"), bmcs.powerActions(3).toString());
        assertTrue(nodes[2].isAlive());
        assertEquals(List.of(), bmcs.chassisControls(2));
    }

    /** The LRM as node 2's crmd runs a fence device: in node 2's namespace, its HA_RSCTMP, fence_ipmilan from /usr/sbin. */
    AgentExecutor lrmOf(int i) {
        NetnsLab.Node n = lab.node(i);
        return new AgentExecutor(LrmConfig.defaults().withNodeName(n.name()).withHaRsctmp(n.rsctmp())
                .withNetns(n.netnsPath()).withStonithDirs(List.of(Path.of("/usr/sbin"))));
    }

    /** An operation on device ipmi-n1 as crmd asks for it: the device's parameters, plus the target as the planner adds it. */
    OperationRequest op(String action, String target, int powerTimeoutS, long timeoutMs) {
        Map<String, String> params = new HashMap<>(bmcs.deviceParams(1, powerTimeoutS));
        params.put("pcmk_host_list", "n1");
        if (target != null) {
            params.put("port", target);
            params.put("plug", target);
            params.put("nodename", target);
        }
        return new OperationRequest("ipmi-n1", FENCE_IPMILAN, action, 0, timeoutMs, params, Map.of(), null, 0);
    }

    @Test
    void fenceIpmilanThroughPulsesLrmPowersTheNodeOffThroughItsBmcOnly() throws Exception {
        try (AgentExecutor lrm = lrmOf(2)) {
            ExecOutcome start = lrm.execute(op("start", null, 5, 20_000));
            assertEquals(0, start.rc(), "start (the device's monitor) of ipmi-n1 from n2: " + start.exitReason() + start.stderr());
            ExecOutcome monitor = lrm.execute(op("monitor", null, 5, 20_000));
            assertEquals(0, monitor.rc(), monitor.exitReason() + monitor.stderr());
            assertTrue(nodes[1].isAlive());
            assertEquals(List.of(), bmcs.chassisControls(1), "a monitor asks for the status only");

            ExecOutcome off = lrm.execute(op("off", "n1", 5, 20_000));
            assertEquals(0, off.rc(), "off of n1 through ipmi-n1: " + off.exitReason() + off.stdout() + off.stderr());
            assertEquals(ExecStatus.DONE, off.status());
            System.out.println("IpmiFenceTest: LRM fence_ipmilan off " + off.execTimeMs() + " ms");
            assertOff(1);
            assertEquals(List.of("power-down"), bmcs.chassisControls(1));
            assertUntouched(2, 3);
        }
    }

    @Test
    void anUnreachableBmcFailsTheFenceWithinItsPowerTimeoutAndLeavesTheNodeAlone() throws Exception {
        try (AgentExecutor lrm = lrmOf(2)) {
            bmcs.unplug(1);
            long t0 = System.nanoTime();
            ExecOutcome off = lrm.execute(op("off", "n1", 3, 30_000));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertNotEquals(0, off.rc(), "off through an unplugged BMC succeeded: " + off.stdout());
            assertTrue(ms < 15_000, "the failure took " + ms + " ms; power_timeout=3 should bound it");
            assertTrue(nodes[1].isAlive(), "n1 was powered off although its BMC is unreachable");
            ExecOutcome monitor = lrm.execute(op("monitor", null, 3, 30_000));
            assertNotEquals(0, monitor.rc(), "the device's monitor passed with its BMC unreachable");

            // Its daemon stopped instead: the same, and after a restart the device works again.
            bmcs.plug(1);
            bmcs.stop(1);
            assertEquals(-1, bmcs.pid(1));
            assertNotEquals(0, lrm.execute(op("off", "n1", 3, 30_000)).rc());
            assertTrue(nodes[1].isAlive());
            bmcs.restart(1);
            ExecOutcome repaired = lrm.execute(op("off", "n1", 5, 30_000));
            assertEquals(0, repaired.rc(), repaired.exitReason() + repaired.stderr());
            assertOff(1);
            assertEquals(List.of("power-down"), bmcs.chassisControls(1));
            assertUntouched(2, 3);
        }
    }
}
