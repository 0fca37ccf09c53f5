package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.AtomicFiles;
import org.pulse.lab.support.Procs;

/**
 * A clean stop of pulse-remoted (SIGTERM, as systemd stops the service) with real processes: two crmd
 * (two_node, fencing on with the power-switch simulator, whose outlet for remote1 is the daemon) and one
 * bin/pulse-remoted running a Dummy. As Pacemaker Remote's: the daemon tells the cluster, the Dummy is stopped
 * on remote1 and started on a cluster node, the daemon exits once nothing runs there, and remote1 is not fenced
 * (its outlet is never switched). Before, the connection's end was taken for a failure and remote1 was fenced.
 * Started again and its connection cleaned up, remote1 takes the Dummy back (its shutdown is over).
 */
class RemoteNodeCleanStopTest {
    static LocalCluster cluster;
    static Path dir;
    static Path repo;
    static int remotePort;

    @BeforeAll
    static void start() throws Exception {
        cluster = LocalCluster.startForSuite(RemoteNodeCleanStopTest.class, 2, 2_000, i -> "two_node = true\n");
        repo = cluster.repo();
        dir = cluster.root();
        remotePort = cluster.basePort() + 7;
        Files.createDirectories(dir.resolve("remote1/rsctmp"));
        AtomicFiles.writeString(cluster.powerDir().resolve("remote1.rsctmp"), dir.resolve("remote1/rsctmp").toString());
        startDaemon();
        System.out.println("RemoteNodeCleanStopTest: pulse-remoted on 127.0.0.1:" + remotePort);
    }

    static void startDaemon() throws Exception {
        Process p = new ProcessBuilder("bash", "-c", RemoteNodeFailureTest.daemonCommand(repo, dir, cluster.powerDir(), remotePort))
                .start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "starting pulse-remoted hung");
    }

    static long daemonPid() throws IOException {
        return RemoteNodeFailureTest.daemonPid(cluster.powerDir());
    }

    @AfterAll
    static void stop() throws Exception {
        LabCleanup.closeAndRemove(cluster);
    }

    /** The daemon's thread dump (jcmd), so a hang at exit says where it waits. */
    static String threads(long pid) {
        try {
            Process p = new ProcessBuilder("jcmd", Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "(jcmd " + pid + " did not answer in 15 s)";
            }
            return new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | InterruptedException e) {
            return "(jcmd failed: " + e + ")";
        }
    }

    static String remotedLog() {
        return LogText.readOrEmpty(dir.resolve("remote1/remoted.log"));
    }

    static String outlet() {
        return LogText.readOrEmpty(cluster.powerDir().resolve("remote1.history"));
    }

    static String status() {
        try {
            return cluster.crm(1, "status").getValue();
        } catch (IOException | InterruptedException e) {
            return "(crm status failed: " + e + ")";
        }
    }

    static String logs() {
        return "\n--- node1:\n" + LogText.tail(cluster.log(1)) + "\n--- node2:\n" + LogText.tail(cluster.log(2))
                + "\n--- remoted:\n" + remotedLog() + "\n--- remote1's outlet: " + outlet();
    }

    @Test
    void sigtermOfPulseRemotedMovesItsResourcesAwayWithoutFencing() throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1, 2) != null), "no DC" + logs());
        AdminResponse r = cluster.admin(1, AdminRequest.replace(cluster.nextId(), RemoteNodeFailureTest.resources(cluster.powerDir(), remotePort, null)));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        AdminResponse c = cluster.admin(1, AdminRequest.replace(cluster.nextId(), "<constraints>"
                + "<rsc_location id=\"d1-prefers-remote1\" rsc=\"d1\" node=\"remote1\" score=\"100\"/></constraints>"));
        assertTrue(c.ok(), () -> "constraints failed: " + c.error());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> "remote1".equals(LocalCluster.runningOn(cluster, 1, "d1"))),
                "d1 did not start on remote1 within 60 s: " + status() + logs());

        long pid = daemonPid();
        long t0 = System.currentTimeMillis();
        Process term = new ProcessBuilder("kill", "-TERM", Long.toString(pid)).start();
        assertTrue(term.waitFor(10, TimeUnit.SECONDS) && term.exitValue() == 0, "kill -TERM failed");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> !Procs.running(pid)),
                () -> "pulse-remoted did not exit within 60 s of SIGTERM; its threads:\n" + threads(pid) + logs());
        long exitedMs = System.currentTimeMillis() - t0;
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> {
            String on = LocalCluster.runningOn(cluster, 1, "d1");
            return on != null && on.startsWith("node");
        }), "d1 was not moved to a cluster node within 60 s: " + status() + logs());
        long movedMs = System.currentTimeMillis() - t0;
        assertTrue(remotedLog().contains("nothing of the cluster runs here any more"),
                "the daemon left before d1 was stopped on remote1:" + logs());
        assertFalse(Files.exists(dir.resolve("remote1/rsctmp/Dummy-d1.state")), "d1 still runs on remote1");
        // Given time to (wrongly) fence: the connection's end is seen and acted on within seconds.
        Thread.sleep(10_000);
        assertEquals("", outlet().strip(), "remote1 was fenced after a clean stop:\n" + status() + logs());
        String st = status();
        assertFalse(st.contains("of remote1 successful"), "crm status shows remote1 fenced:\n" + st);
        System.out.println("RemoteNodeCleanStopTest: SIGTERM of pulse-remoted: exited " + exitedMs + " ms after, d1 on "
                + LocalCluster.runningOn(cluster, 1, "d1") + " " + movedMs + " ms after, no fencing (load "
                + LocalCluster.load() + ")\n" + st);

        // Back: the daemon started again and the connection's failures cleaned up, remote1 runs d1 again.
        int listening = LogText.count(remotedLog(), "listening on");
        startDaemon();
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> LogText.count(remotedLog(), "listening on") > listening),
                "pulse-remoted did not start again" + logs());
        Map.Entry<Integer, String> cleanup = cluster.crm(1, "resource", "cleanup", "remote1");
        assertEquals(0, cleanup.getKey(), cleanup.getValue());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> "remote1".equals(LocalCluster.runningOn(cluster, 1, "d1"))),
                "d1 did not go back to remote1 after the daemon came back within 60 s: " + status() + logs());
    }
}
