package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.support.AtomicFiles;

/**
 * A remote node for real (issue 17 part 2): two crmd processes (two_node) and one bin/pulse-remoted on
 * loopback. The cluster's connection resource (ocf:pacemaker:remote, id remote1) runs on one crmd, which
 * connects and authenticates to the daemon; a Dummy placed on remote1 runs in the daemon's state directory,
 * and crm status shows it on remote1. kill -9 of the crmd holding the connection: that node is fenced, the
 * connection moves to the survivor, and the Dummy is found running by its monitor, never started again. A
 * second daemon with another key: its connection fails with a reason naming the key, in crm status and in
 * both logs. No root needed. Bounded: each wait has its own limit (at most ~4 minutes in all).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteNodeClusterTest {
    static LocalCluster cluster;
    static Path dir;
    static Path repo;
    static int remotePort;
    static Process remoted;
    static Process remoted2;
    static final List<Process> extra = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        // Failure detection 2 s: this suite is about the remote node, not about detection on a loaded machine.
        cluster = LocalCluster.startForSuite(RemoteNodeClusterTest.class, 2, 2_000, i -> "two_node = true\n");
        repo = cluster.repo();
        dir = cluster.root();
        remotePort = cluster.basePort() + 7;
        remoted = daemon("remote1", remotePort, dir.resolve("key"));
        // The power switch's outlet for remote1 is its daemon: fencing the remote node ends it, as a reset would.
        AtomicFiles.writeString(cluster.powerDir().resolve("remote1.pid"), Long.toString(remoted.pid()));
        System.out.println("RemoteNodeClusterTest: pulse-remoted on 127.0.0.1:" + remotePort);
    }

    static Process daemon(String name, int port, Path key) throws IOException {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("rsctmp"));
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/pulse-remoted").toString(), "--listen",
                "127.0.0.1:" + port, "--authkey", key.toString(), "--node", name, "--agent-dirs",
                repo.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf", "--ha-rsctmp", home.resolve("rsctmp").toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("remoted.log").toFile()));
        Process p = pb.start();
        extra.add(p);
        return p;
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : extra) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (cluster != null) {
            cluster.closeAndRemove();
        }
    }

    static String fenceDevice() {
        return "<primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\">"
                + "<instance_attributes id=\"fence-sim-ia\"><nvpair id=\"fence-sim-dir\" name=\"power_dir\" value=\""
                + cluster.powerDir() + "\"/></instance_attributes></primitive>";
    }

    static String connection(String id, int port) {
        return "<primitive id=\"" + id + "\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">"
                + "<instance_attributes id=\"" + id + "-ia\">"
                + "<nvpair id=\"" + id + "-server\" name=\"server\" value=\"127.0.0.1\"/>"
                + "<nvpair id=\"" + id + "-port\" name=\"port\" value=\"" + port + "\"/></instance_attributes>"
                + "<operations><op id=\"" + id + "-mon\" name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations>"
                + "</primitive>";
    }

    static String dummy() {
        return "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
                + "<operations><op id=\"d1-mon\" name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations>"
                + "</primitive>";
    }

    static String remotedLog(String name) {
        Path f = dir.resolve(name).resolve("remoted.log");
        return LogText.readOrEmpty(f);
    }

    static String statusText(int node) {
        return FailoverAdmin.str(cluster.status(node), "text");
    }

    static String logs() throws IOException {
        return "\n--- node1:\n" + LogText.tail(cluster.log(1)) + "\n--- node2:\n" + LogText.tail(cluster.log(2)) + "\n--- remoted:\n"
                + remotedLog("remote1");
    }

    @Test
    @Order(1)
    void aDummyPlacedOnTheRemoteNodeRunsInTheDaemonsStateDirectory() throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1, 2) != null),
                "no DC within 90 s" + logs());
        AdminResponse r = cluster.admin(1, AdminRequest.replace(cluster.nextId(), "<resources>" + fenceDevice()
                + connection("remote1", remotePort) + dummy() + "</resources>"));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        AdminResponse c = cluster.admin(1, AdminRequest.replace(cluster.nextId(), "<constraints>"
                + "<rsc_location id=\"d1-on-remote1\" rsc=\"d1\" node=\"remote1\" score=\"INFINITY\"/></constraints>"));
        assertTrue(c.ok(), () -> "constraints failed: " + c.error());
        Path state = dir.resolve("remote1/rsctmp/Dummy-d1.state");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> Files.exists(state)
                        && "remote1".equals(LocalCluster.runningOn(cluster, 1, "d1"))),
                "d1 did not start on remote1 within 60 s: " + statusText(1) + logs());
        assertTrue(remotedLog("remote1").contains("authenticated"), remotedLog("remote1"));
        for (int n = 1; n <= 2; n++) {
            assertTrue(!Files.exists(dir.resolve("node" + n + "/rsctmp/Dummy-d1.state")), "d1 ran on node" + n + " too");
        }
        Map.Entry<Integer, String> st = cluster.crm(1, "status");
        assertEquals(0, st.getKey(), st.getValue());
        assertTrue(st.getValue().lines().anyMatch(l -> l.contains("d1") && l.contains("Started") && l.contains("remote1")),
                "crm status does not show d1 started on remote1:\n" + st.getValue());
        System.out.println("RemoteNodeClusterTest: crm status\n" + st.getValue());
        String xml = FailoverAdmin.str(cluster.admin(1, AdminRequest.query(cluster.nextId())).result(), "xml");
        assertTrue(Pattern.compile("<node_state[^>]*(id=\"remote1\"[^>]*remote_node=\"true\"|remote_node=\"true\"[^>]*id=\"remote1\")")
                .matcher(xml).find(), "no remote_node=\"true\" node_state for remote1 in the status section");
    }

    @Test
    @Order(2)
    void killingTheConnectionsHostMovesTheConnectionAndTheDummyIsNotStartedAgain() throws Exception {
        String host = LocalCluster.runningOn(cluster, 1, "remote1");
        assertNotNull(host, "remote1's connection runs nowhere: " + statusText(1));
        int victim = host.equals("node1") ? 1 : 2;
        int survivor = 3 - victim;
        int startsBefore = LogText.count(remotedLog("remote1"), "d1_start_0 call");
        assertEquals(1, startsBefore, "d1 started " + startsBefore + " times before the kill:\n" + remotedLog("remote1"));
        int logBefore = remotedLog("remote1").length();
        long t0 = System.currentTimeMillis();
        cluster.kill9(victim);
        String survivorName = "node" + survivor;
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> survivorName.equals(
                        LocalCluster.runningOn(cluster, survivor, "remote1"))
                        && "remote1".equals(LocalCluster.runningOn(cluster, survivor, "d1"))
                        && remotedLog("remote1").substring(logBefore).contains("d1_monitor_")),
                "remote1's connection did not move to " + survivorName + " with d1 found running within 90 s: "
                        + statusText(survivor) + logs());
        long movedMs = System.currentTimeMillis() - t0;
        String after = remotedLog("remote1").substring(logBefore);
        assertTrue(after.contains("authenticated") && after.contains(survivorName), "the daemon did not see "
                + survivorName + " connect:\n" + after);
        // Give a wrong restart a moment to show, then count: one start in the daemon's whole life.
        Thread.sleep(3_000);
        assertEquals(1, LogText.count(remotedLog("remote1"), "d1_start_0 call"), "d1 was started again:\n" + remotedLog("remote1"));
        assertEquals(0, LogText.count(remotedLog("remote1"), "d1_stop_0 call"), "d1 was stopped:\n" + remotedLog("remote1"));
        assertTrue(Files.exists(dir.resolve("remote1/rsctmp/Dummy-d1.state")));
        System.out.println("RemoteNodeClusterTest: connection moved to " + survivorName + " with d1 found running "
                + movedMs + " ms after kill -9 of node" + victim + " (failure detection 2 s, load " + LocalCluster.load() + ")");
    }

    @Test
    @Order(3)
    void aDaemonWithAnotherKeyIsNotConnectedAndTheReasonSaysSo() throws Exception {
        int survivor = cluster.alive(1) ? 1 : 2;
        Path otherKey = dir.resolve("other-key");
        Process gen = new ProcessBuilder(repo.resolve("bin/crmd").toString(), "--generate-key", otherKey.toString())
                .redirectErrorStream(true).start();
        gen.getInputStream().readAllBytes();
        assertTrue(gen.waitFor(60, TimeUnit.SECONDS) && gen.exitValue() == 0, "crmd --generate-key failed");
        int port2 = remotePort + 1;
        remoted2 = daemon("remote2", port2, otherKey);
        AtomicFiles.writeString(cluster.powerDir().resolve("remote2.pid"), Long.toString(remoted2.pid()));
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> remotedLog("remote2").contains("listening")), "the second pulse-remoted did not start: " + remotedLog("remote2"));
        AdminResponse r = cluster.admin(survivor, AdminRequest.replace(cluster.nextId(), "<resources>" + fenceDevice()
                + connection("remote1", remotePort) + dummy() + connection("remote2", port2) + "</resources>"));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> {
            try {
                Map.Entry<Integer, String> st = cluster.crm(survivor, "status");
                return st.getValue().contains("remote2") && st.getValue().contains("authentication failed");
            } catch (Exception e) {
                return false;
            }
        }), "crm status does not say why remote2's connection failed: " + cluster.crm(survivor, "status").getValue() + logs());
        String crmdLog = Files.readString(cluster.log(survivor));
        assertTrue(crmdLog.contains("cannot connect to remote node remote2") && crmdLog.contains("authentication failed"),
                "the connection host's log does not say why");
        assertTrue(remotedLog("remote2").contains("refused connection from /127.0.0.1:")
                && remotedLog("remote2").contains("authentication failed"), remotedLog("remote2"));
        assertTrue(!remotedLog("remote2").contains("authenticated"), "remote2 let a node in with another key");
        System.out.println("RemoteNodeClusterTest: crm status with the wrong key\n" + cluster.crm(survivor, "status").getValue());
    }
}
