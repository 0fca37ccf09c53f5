package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pulse.lab.failover.FailoverLab;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.TestEnv;

/**
 * The lab's defect behind this test: nodes shared the machine's mount namespace, so a Filesystem
 * probe on node 2 saw node 1's mount of the shared disk and said the filesystem ran on node 2
 * too. With each node in a mount namespace of its own (as the failover lab starts crmd), both
 * Filesystem agents — Pulse's and ClusterLabs' unchanged — answer per node: running where the node
 * mounted it, not running elsewhere; and the disk, stopped on one node, starts on the other (root).
 */
class NodeMountNamespaceTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pulse", "heartbeat"})
    void aFilesystemIsRunningOnlyOnTheNodeThatMountedIt(String provider) throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "unshare", "setsid", "losetup", "mkfs.ext4")) {
            TestEnv.requireCommand(c);
        }
        Path agent = provider.equals("pulse")
                ? TestEnv.root().resolve("resource-agents/src/main/ocf/resource.d/pulse/Filesystem")
                : Path.of("/usr/lib/ocf/resource.d/heartbeat/Filesystem");
        TestEnv.require(Files.isExecutable(agent), agent + " (Debian's resource-agents for heartbeat)");
        try (NetnsLab lab = NetnsLab.create(2)) {
            NetnsLab.LoopDevice disk = lab.loopImage("shared", 16);
            Path mnt = lab.dir("shared-mnt");
            for (NetnsLab.Node n : lab.nodes()) {
                // The node's "crmd": it holds the node's own mount namespace for as long as the node lives.
                lab.startInOwnMountNamespace(n, List.of("sleep", "600"), Map.of(), n.runDir().resolve("holder.log"));
            }
            assertTrue(FailoverLab.waitFor(Duration.ofSeconds(10), () ->
                    lab.nodes().stream().allMatch(n -> lab.mountNamespacesOf(n).size() == 1) ? "up" : null) != null);

            assertEquals(7, ocf(lab, lab.node(1), agent, disk, mnt, "monitor").rc(), "probe on node 1 before start");
            NetnsLab.Result start = ocf(lab, lab.node(1), agent, disk, mnt, "start");
            assertEquals(0, start.rc(), "start on node 1: " + start.stderr());
            assertEquals(0, ocf(lab, lab.node(1), agent, disk, mnt, "monitor").rc(), "monitor on node 1");
            assertEquals(List.of(mnt.toString()), lab.mountsSeenBy(lab.node(1)));
            assertEquals(7, ocf(lab, lab.node(2), agent, disk, mnt, "monitor").rc(),
                    "node 2 must not see node 1's mount as its own");
            assertEquals(List.of(), lab.mountsSeenBy(lab.node(2)));
            assertFalse(lab.mountsUnderWorkDir().contains(mnt.toString()), "the host does not see node 1's mount");

            assertEquals(0, lab.execInNode(lab.node(1), "sh", "-c", "echo from-n1 > " + mnt + "/f.txt").rc());
            NetnsLab.Result stop = ocf(lab, lab.node(1), agent, disk, mnt, "stop");
            assertEquals(0, stop.rc(), "stop on node 1: " + stop.stderr());
            assertEquals(List.of(), lab.mountsSeenBy(lab.node(1)));
            NetnsLab.Result start2 = ocf(lab, lab.node(2), agent, disk, mnt, "start");
            assertEquals(0, start2.rc(), "start on node 2 after node 1 stopped it: " + start2.stderr());
            assertEquals("from-n1", lab.execInNode(lab.node(2), "cat", mnt + "/f.txt").stdout().strip(),
                    "node 2 sees what node 1 wrote: one shared disk");
            assertEquals(7, ocf(lab, lab.node(1), agent, disk, mnt, "monitor").rc(), "node 1 no longer runs it");
            assertEquals(0, ocf(lab, lab.node(2), agent, disk, mnt, "stop").rc());
        }
    }

    /**
     * A node boots without the lab mounts the machine had when it started (its namespace begins as
     * a copy): otherwise its private copy would keep another lab's disk mounted, and that lab's loop
     * device attached, for as long as the node lives. The machine's mount is left alone.
     */
    @Test
    void aNodeStartsWithoutTheMachinesLabMounts() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "unshare", "setsid", "losetup", "mkfs.ext4")) {
            TestEnv.requireCommand(c);
        }
        try (NetnsLab lab = NetnsLab.create(1)) {
            NetnsLab.LoopDevice disk = lab.loopImage("host", 16);
            Path mnt = lab.dir("host mnt");
            lab.execOk(lab.node(1), "mount", disk.device(), mnt.toString());
            lab.startInOwnMountNamespace(lab.node(1), List.of("sleep", "600"), Map.of(),
                    lab.node(1).runDir().resolve("holder.log"));
            assertTrue(FailoverLab.waitFor(Duration.ofSeconds(10), () ->
                    lab.mountNamespacesOf(lab.node(1)).size() == 1 ? "up" : null) != null);
            long pid = lab.mountNamespacesOf(lab.node(1)).values().iterator().next();
            assertTrue(FailoverLab.waitFor(Duration.ofSeconds(10), () ->
                    lab.mountsSeenBy(lab.node(1)).isEmpty() ? "clean" : null) != null,
                    "the node still sees the machine's lab mount: " + lab.mountsSeenBy(lab.node(1)));
            assertTrue(ProcessHandle.of(pid).map(h -> h.info().command().orElse("")).orElse("").endsWith("sleep"),
                    "the node's process is the command itself (exec in place)");
            assertTrue(lab.mountsUnderWorkDir().contains(mnt.toString()), "the machine keeps its own mount");
        }
    }

    /** Runs a Filesystem action inside the node (its network and its own mount namespace). */
    static NetnsLab.Result ocf(NetnsLab lab, NetnsLab.Node node, Path agent, NetnsLab.LoopDevice disk, Path mnt,
            String action) {
        List<String> argv = new ArrayList<>(List.of("env", "OCF_ROOT=/usr/lib/ocf", "HA_RSCTMP=" + node.rsctmp(),
                "OCF_RESOURCE_INSTANCE=fs", "OCF_RESOURCE_TYPE=Filesystem", "OCF_RESKEY_device=" + disk.device(),
                "OCF_RESKEY_directory=" + mnt, "OCF_RESKEY_fstype=ext4", "OCF_RESKEY_CRM_meta_timeout=20000"));
        if (action.equals("monitor")) {
            argv.add("OCF_RESKEY_CRM_meta_interval=10000");
        }
        argv.addAll(List.of(agent.toString(), action));
        return lab.execInNode(node, argv.toArray(new String[0]));
    }
}
