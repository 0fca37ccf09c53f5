package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.support.AtomicFiles;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * The power-switch simulator (crmd/src/main/fence/fence_pulse_sim) against lab nodes that each run
 * in a mount namespace of their own, as the failover lab's nodes do (root): power-off leaves
 * nothing of the node behind — no process, no mount (the kernel has dropped the node's mount
 * namespace, so the shared disk's filesystem is not mounted anywhere), no address on any of its
 * interfaces — and touches nothing outside the node; the lab's cleanup removes mounts, loop devices
 * and namespaces of a lab whose JVM was killed with -9.
 */
class PowerSwitchSimTest {
    static Path agent;

    @BeforeAll
    static void requirements() {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "unshare", "setsid", "losetup", "mkfs.ext4")) {
            TestEnv.requireCommand(c);
        }
        agent = TestEnv.root().resolve("crmd/src/main/fence/fence_pulse_sim");
    }

    /** A node "machine": a shell in its own mount namespace that mounts the disk and keeps a child. */
    static Process bootNode(NetnsLab lab, NetnsLab.Node node, NetnsLab.LoopDevice disk, Path mnt, Path power)
            throws Exception {
        Files.createDirectories(mnt);
        String script = (disk == null ? "" : "mount " + disk.device() + " " + mnt + " && ")
                + "ip addr add " + lab.vip(0) + "/24 dev eth0 && (sleep 600 &) && exec sleep 600";
        Process p = lab.startInOwnMountNamespace(node, List.of("sh", "-c", script), Map.of(),
                node.runDir().resolve("node.log"));
        AtomicFiles.writeString(power.resolve(node.name() + ".pid"), Long.toString(p.pid()));
        AtomicFiles.writeString(power.resolve(node.name() + ".netns"), node.netns());
        AtomicFiles.writeString(power.resolve(node.name() + ".link"), NetnsLab.IFNAME);
        AtomicFiles.writeString(power.resolve(node.name() + ".rsctmp"), node.rsctmp().toString());
        assertTrue(FailoverLab.waitFor(Duration.ofSeconds(10), () ->
                lab.processesIn(node).size() >= 2 && (disk == null || lab.mountsSeenBy(node).contains(mnt.toString()))
                        ? "up" : null) != null, node.name() + " did not boot: " + Files.readString(node.runDir().resolve("node.log")));
        return p;
    }

    /** Runs the fence agent as node {@code from}'s crmd would: inside that node's namespaces. */
    static NetnsLab.Result fence(NetnsLab lab, NetnsLab.Node from, String action, String target, Path power) {
        return fence(lab, from, action, target, power, Map.of());
    }

    /** As above, with {@code env} added to the agent's environment. */
    static NetnsLab.Result fence(NetnsLab lab, NetnsLab.Node from, String action, String target, Path power,
            Map<String, String> env) {
        List<String> argv = new ArrayList<>(from.nsenter());
        long pid = lab.mountNamespacesOf(from).values().stream().findFirst().orElseThrow();
        argv.add("--mount=/proc/" + pid + "/ns/mnt");
        argv.addAll(List.of("--", agent.toString(), "-o", action, "-n", target, "-d", power.toString()));
        return NetnsLab.run(argv, env, Duration.ofSeconds(30));
    }

    /**
     * Off is on every failover's path, and each program it starts costs ~5 ms on this VM (100 ms and more while it is
     * busy): it runs ip twice (the cable, then every interface's addresses and state in one batch, the interfaces
     * read from /proc before the kill), where it listed the interfaces with a third ip. The node is still left
     * without address and with its interfaces down.
     */
    @Test
    void powerOffRunsIpTwice() throws Exception {
        try (NetnsLab lab = NetnsLab.create(2)) {
            Path power = lab.dir("power");
            Process n1 = bootNode(lab, lab.node(1), null, lab.dir("n1-mnt"), power);
            bootNode(lab, lab.node(2), null, lab.dir("n2-mnt"), power); // the fencer runs in node 2's namespaces
            Path calls = lab.workDir().resolve("ip-calls.log");
            Path bin = lab.dir("bin-counting");
            Path ip = bin.resolve("ip");
            String realIp = java.util.stream.Stream.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")
                    .filter(f -> Files.isExecutable(Path.of(f))).findFirst().orElseThrow();
            Files.writeString(ip, "#!/bin/sh\necho \"$*\" >>" + calls + "\nexec " + realIp + " \"$@\"\n");
            ip.toFile().setExecutable(true);

            NetnsLab.Result off = fence(lab, lab.node(2), "off", "n1", power, Map.of("PATH", bin + ":"
                    + System.getenv("PATH")));
            assertEquals(0, off.rc(), "fence_pulse_sim off: " + off.stderr() + off.stdout());
            assertTrue(n1.waitFor(5, TimeUnit.SECONDS), "node 1 is gone");
            assertEquals("", lab.exec(lab.node(1), "ip", "-o", "addr", "show").stdout().strip(),
                    "a powered-off node holds no address on any interface");
            assertFalse(lab.exec(lab.node(1), "ip", "-o", "link", "show", "dev", "eth0").stdout().contains(",UP"),
                    "its interface is down");
            List<String> ipRuns = Files.readAllLines(calls);
            assertEquals(2, ipRuns.size(), "ip runs of off: " + ipRuns);
        }
    }

    static String loopName(NetnsLab.LoopDevice disk) {
        return disk.device().substring(disk.device().lastIndexOf('/') + 1);
    }

    @Test
    void powerOffLeavesNoProcessNoMountAndNoAddress() throws Exception {
        try (NetnsLab lab = NetnsLab.create(2)) {
            NetnsLab.LoopDevice disk = lab.loopImage("shared", 16);
            Path power = lab.dir("power");
            Path mnt = lab.dir("shared-mnt");
            Files.writeString(lab.node(1).rsctmp().resolve("Dummy-x.state"), "x");
            Process n1 = bootNode(lab, lab.node(1), disk, mnt, power);
            Process n2 = bootNode(lab, lab.node(2), null, lab.dir("n2-mnt"), power);
            long n1MountNs = NetnsLab.mountNamespace(n1.pid());

            // Each node's mounts are its own: not the host's, not the other node's.
            assertEquals(List.of(mnt.toString()), lab.mountsSeenBy(lab.node(1)));
            assertEquals(List.of(), lab.mountsSeenBy(lab.node(2)), "node 2 must not see node 1's mount");
            assertFalse(lab.mountsUnderWorkDir().contains(mnt.toString()), "the host must not see node 1's mount");
            assertTrue(Files.isDirectory(Path.of("/proc/fs/ext4", loopName(disk))), "the disk's filesystem is mounted");
            assertTrue(lab.exec(lab.node(1), "ip", "-o", "addr", "show", "dev", "eth0").stdout().contains(lab.vip(0) + "/"));

            NetnsLab.Result off = fence(lab, lab.node(2), "off", "n1", power);
            assertEquals(0, off.rc(), "fence_pulse_sim off: " + off.stderr() + off.stdout());

            assertTrue(n1.waitFor(5, TimeUnit.SECONDS), "node 1's first process is gone");
            assertEquals(List.of(), lab.processesIn(lab.node(1)), "every process of node 1 is gone, its child too");
            assertEquals(-1, NetnsLab.mountNamespace(n1.pid()));
            assertFalse(Files.isDirectory(Path.of("/proc/fs/ext4", loopName(disk))),
                    "the disk's filesystem is still mounted somewhere after power-off: the node's mount namespace lives on");
            assertEquals("", lab.exec(lab.node(1), "ip", "-o", "addr", "show").stdout().strip(),
                    "a powered-off node holds no address on any interface");
            assertFalse(lab.exec(lab.node(1), "ip", "-o", "link", "show", "dev", "eth0").stdout().contains(",UP"),
                    "its interface is down");
            assertFalse(Files.exists(lab.node(1).rsctmp().resolve("Dummy-x.state")), "its /run is emptied");
            assertEquals("off", Files.readString(power.resolve("n1.state")).strip());
            assertTrue(Files.readString(power.resolve("n1.history")).strip().endsWith(" off"));

            // Node 2 (the fencer) and everything outside node 1 is untouched.
            assertTrue(n2.isAlive(), "the fencing node survives");
            assertTrue(lab.exec(lab.node(2), "ip", "-o", "addr", "show", "dev", "eth0").stdout()
                    .contains(lab.node(2).address() + "/"), "the fencing node keeps its addresses");
            NetnsLab.Result status = fence(lab, lab.node(2), "status", "n1", power);
            assertEquals(2, status.rc(), "status of a node that is off: " + status.stdout());

            // The shared disk is free: node 2 mounts it and sees the same filesystem.
            assertTrue(lab.execInNode(lab.node(2), "mount", disk.device(), mnt.toString()).ok());
            assertEquals(List.of(mnt.toString()), lab.mountsSeenBy(lab.node(2)));
            assertNotEquals(n1MountNs, NetnsLab.mountNamespace(n2.pid()));

            // On: lo and the link come back (lo gets 127.0.0.1 again); the boot sets the node's own address.
            NetnsLab.Result on = fence(lab, lab.node(2), "on", "n1", power);
            assertEquals(0, on.rc(), on.stderr());
            assertTrue(lab.exec(lab.node(1), "ip", "-o", "addr", "show", "dev", "lo").stdout().contains("127.0.0.1/8"));
            lab.powerOn(lab.node(1));
            assertTrue(lab.ping(lab.client(), lab.node(1).address(), 3000), "node 1 answers again after its boot");
            assertFalse(lab.exec(lab.node(1), "ip", "-o", "addr", "show").stdout().contains(lab.vip(0) + "/"),
                    "the VIP it held before the power cut is gone");
        }
    }

    /**
     * Off is on every failover's path, and a program started costs ~5 ms on this VM (many times that on a busy
     * one): off of a node that dies at once starts at most 5 programs (ip for the cable, ip to list and to flush
     * the interfaces, find to empty its /run, mv for the outlet's state); the node's processes are found and
     * awaited through /proc by the agent's bash itself. It started 9 for such a node (ip netns pids and ps to list,
     * ip netns pids again to confirm, a stat for the mount namespace) and 4 more per extra round. Counted by shims ahead on
     * PATH that log their name and run the real program.
     */
    @Test
    void offOfANodeThatDiesAtOnceStartsAtMostFivePrograms() throws Exception {
        try (NetnsLab lab = NetnsLab.create(2)) {
            Path power = lab.dir("power");
            Path shims = lab.dir("shims");
            Path calls = lab.workDir().resolve("calls.log");
            String realPath = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
            for (String c : List.of("ip", "ps", "stat", "sleep", "mv", "find", "cat", "date", "kill", "rm", "tr", "sed",
                    "grep", "awk", "readlink", "ls")) {
                Path shim = shims.resolve(c);
                Files.writeString(shim, "#!/bin/sh\necho " + c + " >> " + calls + "\nPATH=" + realPath + " exec " + c
                        + " \"$@\"\n");
                shim.toFile().setExecutable(true);
            }
            Process n1 = bootNode(lab, lab.node(1), null, lab.dir("n1-mnt"), power);
            bootNode(lab, lab.node(2), null, lab.dir("n2-mnt"), power);
            List<String> argv = new ArrayList<>(lab.node(2).nsenter());
            argv.addAll(List.of("--", "env", "PATH=" + shims + ":" + realPath, agent.toString(), "-o", "off", "-n", "n1", "-d",
                    power.toString()));
            NetnsLab.Result off = NetnsLab.run(argv, Map.of(), Duration.ofSeconds(30));
            assertEquals(0, off.rc(), "fence_pulse_sim off: " + off.stderr() + off.stdout());
            assertTrue(n1.waitFor(5, TimeUnit.SECONDS), "node 1's first process is gone");
            assertEquals(List.of(), lab.processesIn(lab.node(1)), "every process of node 1 is gone, its child too");
            List<String> started = Files.readAllLines(calls);
            assertTrue(started.size() <= 5, "off started " + started.size() + " programs: " + started);
        }
    }

    /**
     * A node whose crmd shares the machine's mount namespace (the loopback cluster, the demo): off
     * kills the node and nothing else — the machine's mount namespace is never taken for the node's.
     */
    @Test
    void aNodeWithoutItsOwnMountNamespaceIsKilledAloneNotTheMachine() throws Exception {
        try (NetnsLab lab = NetnsLab.create(2)) {
            Path power = lab.dir("power");
            Process n2 = bootNode(lab, lab.node(2), null, lab.dir("n2-mnt"), power);
            Process n1 = lab.start(lab.node(1), List.of("sh", "-c", "(sleep 600 &) ; exec sleep 600"), Map.of(),
                    lab.node(1).runDir().resolve("n1.log"));
            AtomicFiles.writeString(power.resolve("n1.pid"), Long.toString(n1.pid()));
            Process bystander = new ProcessBuilder("sleep", "600").start();
            try {
                NetnsLab.Result off = fence(lab, lab.node(2), "off", "n1", power);
                assertEquals(0, off.rc(), off.stderr());
                assertTrue(n1.waitFor(5, TimeUnit.SECONDS));
                assertTrue(bystander.isAlive(), "a process of the machine outside the node was killed");
                assertTrue(n2.isAlive(), "the fencing node was killed");
            } finally {
                bystander.destroyForcibly().waitFor();
            }
        }
    }

    /**
     * An outlet that names the fencer's own ancestor (here this JVM, which runs the agent; PID 1
     * is refused the same way) is refused: a wrong NODE.pid must not take the machine down.
     */
    @Test
    void anOutletNamingTheFencersOwnParentIsRefused() throws Exception {
        Path power = Files.createTempDirectory("pulse-power-");
        try {
            AtomicFiles.writeString(power.resolve("self.pid"), Long.toString(ProcessHandle.current().pid()));
            NetnsLab.Result off = NetnsLab.run(List.of(agent.toString(), "-o", "off", "-n", "self", "-d", power.toString()),
                    Map.of(), Duration.ofSeconds(30));
            assertEquals(1, off.rc(), off.stdout());
            assertTrue(off.stderr().contains("refusing to power off self"), off.stderr());
            assertFalse(Files.exists(power.resolve("self.state")), "no state written for a refused power-off");
        } finally {
            for (String f : List.of("self.pid", "self.state", "self.history")) {
                Files.deleteIfExists(power.resolve(f));
            }
            Files.delete(power);
        }
    }

    /**
     * A real kill -9: a JVM builds a lab whose node mounts the shared disk in its own mount
     * namespace, and is killed with SIGKILL (no shutdown hook runs). Its node lives on, holding the
     * mount; the next run's NetnsLab.removeAbandoned removes all of it.
     */
    @Test
    void aLabWhoseJvmWasKilledWithSigkillIsRemovedByTheNextRun() throws Exception {
        List<String> argv = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LabOwner.class.getName());
        Process owner = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String ready;
        try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(owner.getInputStream()))) {
            ready = out.readLine();
            while (ready != null && !ready.startsWith("READY ")) {
                System.out.println("lab owner: " + ready);
                ready = out.readLine();
            }
            assertTrue(ready != null, "the lab-owning JVM did not get ready");
            owner.destroyForcibly(); // SIGKILL
            assertTrue(owner.waitFor(10, TimeUnit.SECONDS));
        }
        String[] f = ready.split(" ");
        String prefix = f[1];
        Path work = Path.of(f[2]);
        String loop = f[3];
        Path image = Path.of(f[4]);
        Path netns = Path.of("/run/netns", prefix + "-n1");
        String loopName = loop.substring(loop.lastIndexOf('/') + 1);
        assertTrue(Files.isDirectory(Path.of("/proc/fs/ext4", loopName)), "the dead JVM's node still holds its mount");
        List<String> removed = NetnsLab.removeAbandoned();
        assertTrue(removed.contains(prefix), "removed " + removed);
        assertFalse(Files.isDirectory(Path.of("/proc/fs/ext4", loopName)), "the node's mount is gone");
        assertFalse(NetnsLab.run(List.of("losetup", "-a"), Map.of(), Duration.ofSeconds(10)).stdout()
                .contains(image.toString()), "the loop device is detached");
        assertFalse(Files.exists(netns), "the namespace is removed");
        assertFalse(Files.exists(work), "the work directory is removed");
    }

    /** The JVM killed by the test above: a lab with one node holding a mount, then it waits. */
    static final class LabOwner {
        public static void main(String[] args) throws Exception {
            NetnsLab lab = NetnsLab.create(1);
            NetnsLab.LoopDevice disk = lab.loopImage("owned", 16);
            bootNode(lab, lab.node(1), disk, lab.dir("owned-mnt"), lab.dir("power"));
            System.out.println("READY " + lab.prefix() + " " + lab.workDir() + " " + disk.device() + " " + disk.image());
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    /**
     * The JVM that made a lab dies with -9 while a node holds a mount in its own namespace: the
     * next run's NetnsLab.removeAbandoned kills the node, so the kernel drops the mount, then
     * detaches the loop device and removes namespaces, bridge and work directory.
     */
    @Test
    void aDeadJvmsLabWithNodeMountsIsRemovedCompletely() throws Exception {
        try (NetnsLab lab = NetnsLab.create(1)) {
            NetnsLab.LoopDevice disk = lab.loopImage("orphan", 16);
            Path power = lab.dir("power");
            Path mnt = lab.dir("orphan-mnt");
            bootNode(lab, lab.node(1), disk, mnt, power);
            Process dead = new ProcessBuilder("true").start();
            dead.waitFor();
            Files.writeString(lab.workDir().resolve("owner.pid"), Long.toString(dead.pid()));
            List<String> removed = NetnsLab.removeAbandoned();
            assertTrue(removed.contains(lab.prefix()), "removed " + removed);
            assertEquals(List.of(), lab.processesIn(lab.node(1)));
            assertFalse(Files.isDirectory(Path.of("/proc/fs/ext4", loopName(disk))), "the node's mount is gone");
            assertFalse(NetnsLab.run(List.of("losetup", "-a"), Map.of(), Duration.ofSeconds(10)).stdout()
                    .contains(disk.image().toString()), "the loop device is detached");
            assertFalse(Files.exists(lab.node(1).netnsPath()), "the namespace is removed");
            assertFalse(Files.exists(lab.workDir()), "the work directory is removed");
        }
    }
}
