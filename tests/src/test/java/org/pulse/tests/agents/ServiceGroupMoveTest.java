package org.pulse.tests.agents;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.NetnsLab;

/**
 * The tutorials' service group built from Pulse's agents alone: a VIP, a filesystem on shared
 * storage (one loop device, mounted on one node at a time) and httpd serving a page from that
 * filesystem through the VIP. Started on node 1, moved to node 2 the way the cluster moves a
 * group (stop in reverse order, start in order), and served from node 2 with the client's ARP
 * entry on node 2's MAC. Prints how long the move took and what the client saw.
 */
class ServiceGroupMoveTest {
    @Test
    void vipFilesystemAndHttpdMoveTogether() throws Exception {
        Ocf.requireLab();
        try (NetnsLab lab = NetnsLab.create(2)) {
            NetnsLab.LoopDevice shared = lab.loopImage("shared", 32);
            String vip = lab.vip(0);
            Map<Integer, List<Ocf.Agent>> group = new java.util.HashMap<>();
            for (int n = 1; n <= 2; n++) {
                NetnsLab.Node node = lab.node(n);
                Path mnt = node.mountRoot().resolve("www");
                group.put(n, List.of(
                        Ocf.pulse("IPaddr", "vip", Map.of("ip", vip), node),
                        Ocf.pulse("Filesystem", "fs", Map.of("device", shared.device(), "directory", mnt.toString(),
                                "fstype", "ext4"), node),
                        Ocf.pulse("httpd", "web", Map.of("listen", vip + ":80", "docroot", mnt.toString()), node)));
            }
            // Put the page on the shared filesystem once (as an operator would).
            Path setup = lab.dir("setup");
            lab.execOk(lab.node(1), "mount", shared.device(), setup.toString());
            Files.writeString(setup.resolve("index.html"), "<html>served from the shared disk</html>\n");
            lab.execOk(lab.node(1), "chmod", "-R", "a+rX", setup.toString());
            lab.execOk(lab.node(1), "umount", setup.toString());

            for (Ocf.Agent a : group.get(1)) {
                Ocf.Result r = a.run("start");
                assertEquals(0, r.rc(), () -> "start " + a.type() + " on n1: " + r);
            }
            String url = "http://" + vip + "/";
            assertEquals(Optional.of("<html>served from the shared disk</html>\n"), lab.httpGet(lab.client(), url, 2000));
            assertEquals(Optional.of(lab.mac(lab.node(1))), lab.neighbourMac(lab.client(), vip));

            long t0 = System.nanoTime();
            StringBuilder steps = new StringBuilder();
            List<Ocf.Agent> from = group.get(1);
            for (int i = from.size() - 1; i >= 0; i--) {
                Ocf.Result r = from.get(i).run("stop");
                steps.append(" stop ").append(from.get(i).type()).append('@').append("n1 ").append(r.elapsedMs()).append("ms");
                assertEquals(0, r.rc(), r::toString);
            }
            for (Ocf.Agent a : group.get(2)) {
                Ocf.Result r = a.run("start");
                steps.append(" start ").append(a.type()).append("@n2 ").append(r.elapsedMs()).append("ms");
                assertEquals(0, r.rc(), () -> "start " + a.type() + " on n2: " + r);
            }
            long moveMs = (System.nanoTime() - t0) / 1_000_000;
            Optional<String> page = lab.httpGet(lab.client(), url, 2000);
            long servedMs = (System.nanoTime() - t0) / 1_000_000;
            System.out.println("group move n1 → n2: agents" + steps + "; total " + moveMs
                    + " ms; client served again after " + servedMs + " ms");
            assertEquals(Optional.of("<html>served from the shared disk</html>\n"), page, "same page, now from n2");
            assertEquals(Optional.of(lab.mac(lab.node(2))), lab.neighbourMac(lab.client(), vip),
                    "the client talks to node 2's MAC");
            assertTrue(lab.mountsUnderWorkDir().stream().noneMatch(m -> m.startsWith(lab.node(1).mountRoot().toString())),
                    "node 1 holds no mount of the shared disk any more");
            List<Ocf.Agent> to = group.get(2);
            for (int i = to.size() - 1; i >= 0; i--) {
                assertEquals(0, to.get(i).run("stop").rc());
            }
        }
    }
}
