package org.pulse.tests.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.NetnsLab;
import org.pulse.lab.support.Procs;
import org.pulse.lab.support.TestEnv;

/** The lab itself: connectivity, isolation of parallel labs, link and power control, full cleanup. */
class NetnsLabTest {
    private static boolean exists(String... argv) {
        return NetnsLab.run(List.of(argv), Map.of(), Duration.ofSeconds(10)).ok();
    }

    @Test
    void buildsAConnectedLabAndRemovesEverythingAtClose() throws Exception {
        Ocf.requireLab();
        TestEnv.requireCommand("losetup");
        NetnsLab.LoopDevice loop;
        Path work;
        List<NetnsLab.Node> nodes;
        Process sleeper;
        String prefix;
        try (NetnsLab lab = NetnsLab.create(3); NetnsLab other = NetnsLab.create(1)) {
            assertNotEquals(lab.prefix(), other.prefix(), "parallel labs get different names");
            prefix = lab.prefix();
            work = lab.workDir();
            nodes = lab.nodes();
            assertEquals(List.of("198.51.100.11", "198.51.100.12", "198.51.100.13"),
                    nodes.stream().map(NetnsLab.Node::address).toList());
            assertEquals("198.51.100.100", lab.client().address());
            assertEquals("198.51.100.200", lab.vip(0));
            for (NetnsLab.Node n : nodes) {
                assertTrue(lab.ping(lab.client(), n.address(), 2000), "client reaches " + n.name());
                assertTrue(lab.ping(n, lab.client().address(), 2000), n.name() + " reaches the client");
            }
            // Same addresses, separate networks: the other lab's node 1 cannot see this lab's node 2.
            assertTrue(other.ping(other.client(), other.node(1).address(), 2000));
            assertFalse(other.ping(other.node(1), lab.node(2).address(), 500), "the other lab is a separate network");
            // Link down/up.
            lab.linkDown(lab.node(2));
            assertFalse(lab.ping(lab.client(), lab.node(2).address(), 1000), "node 2 is cut off");
            lab.linkUp(lab.node(2));
            assertTrue(lab.ping(lab.client(), lab.node(2).address(), 3000), "node 2 is back");
            // Mounts made through nsenter --net stay visible to the whole machine.
            loop = lab.loopImage("shared", 16);
            Path mnt = lab.node(1).mountRoot().resolve("data");
            Files.createDirectories(mnt);
            lab.execOk(lab.node(1), "mount", loop.device(), mnt.toString());
            assertTrue(lab.mountsUnderWorkDir().contains(mnt.toString()));
            Files.writeString(lab.node(1).rsctmp().resolve("Dummy-x.state"), "x");
            sleeper = lab.start(lab.node(1), List.of("sh", "-c", "cd " + mnt + " && exec sleep 600"), Map.of(),
                    lab.node(1).runDir().resolve("sleeper.log"));
            assertTrue(Procs.awaitHolding(sleeper.pid(), mnt, Duration.ofSeconds(30)), "the sleeper did not enter " + mnt);
            assertEquals(List.of(sleeper.pid()), lab.processesIn(lab.node(1)), "the lab sees what runs in a node");
            // Power off: processes killed, its mounts dropped, /run emptied, cable cut.
            lab.powerOff(lab.node(1));
            sleeper.waitFor();
            assertFalse(sleeper.isAlive());
            assertFalse(lab.mountsUnderWorkDir().contains(mnt.toString()), "a dead node holds no mount");
            assertFalse(Files.exists(lab.node(1).rsctmp().resolve("Dummy-x.state")));
            assertFalse(lab.ping(lab.client(), lab.node(1).address(), 500));
            lab.powerOn(lab.node(1));
            assertTrue(lab.ping(lab.client(), lab.node(1).address(), 3000));
            // Leave things behind on purpose: a running process and a mount; close must clean them.
            lab.execOk(lab.node(1), "mount", loop.device(), mnt.toString());
            sleeper = lab.start(lab.node(3), List.of("sleep", "600"), Map.of(), lab.node(3).runDir().resolve("s.log"));
        }
        sleeper.waitFor();
        assertFalse(sleeper.isAlive(), "started processes are gone");
        for (NetnsLab.Node n : nodes) {
            assertFalse(Files.exists(n.netnsPath()), n.netns() + " removed");
            assertFalse(exists("ip", "link", "show", n.hostVeth()), n.hostVeth() + " removed");
        }
        assertFalse(exists("ip", "link", "show", prefix + "br"), "bridge removed");
        assertFalse(NetnsLab.run(List.of("losetup", "-a"), Map.of(), Duration.ofSeconds(10)).stdout()
                .contains(loop.image().toString()), "loop device detached");
        assertFalse(Files.exists(work), "work directory removed");
    }

    @Test
    void aLabWhoseOwnerDiedIsRemovedByTheNextRun() throws Exception {
        Ocf.requireLab();
        try (NetnsLab lab = NetnsLab.create(1)) {
            NetnsLab.LoopDevice loop = lab.loopImage("orphan", 16);
            Path mnt = lab.node(1).mountRoot().resolve("o");
            Files.createDirectories(mnt);
            lab.execOk(lab.node(1), "mount", loop.device(), mnt.toString());
            Process p = new ProcessBuilder("true").start();
            p.waitFor();
            // Pretend the JVM that made this lab was killed: its recorded owner is a dead process.
            Files.writeString(lab.workDir().resolve("owner.pid"), Long.toString(p.pid()));
            List<String> removed = NetnsLab.removeAbandoned();
            assertTrue(removed.contains(lab.prefix()), "removed " + removed);
            assertFalse(Files.exists(lab.node(1).netnsPath()));
            assertFalse(exists("ip", "link", "show", lab.prefix() + "br"));
            assertFalse(NetnsLab.run(List.of("losetup", "-a"), Map.of(), Duration.ofSeconds(10)).stdout()
                    .contains(loop.image().toString()));
            assertFalse(Files.exists(lab.workDir()));
        }
    }
}
