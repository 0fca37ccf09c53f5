package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.AtomicFiles;

/**
 * A remote node whose daemon fails (issue 17 part 2), with real processes: two crmd (two_node, fencing on) and
 * one bin/pulse-remoted, its power-switch outlet the daemon itself (fence_pulse_sim kills it; "on" runs
 * remote1.on when the test has put one there, a reboot that brings the daemon back).
 * <ol>
 * <li>kill -9 of pulse-remoted: the connection's monitor fails with the reason, the connection cannot be
 *     re-established, so remote1 is fenced and its Dummy recovered on a cluster node; crm status says why.</li>
 * <li>The daemon hangs (SIGSTOP), the connection has reconnect_interval: the connection fails when its pings go
 *     unanswered, remote1 is fenced (the reboot kills the hung daemon and starts a new one), the Dummy is
 *     recovered on a cluster node, and once reconnect_interval has passed the connection comes back and the
 *     Dummy goes back to remote1 (it prefers it).</li>
 * </ol>
 * Bounded: each wait has its own limit, at most ~5 minutes in all (typically about one).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RemoteNodeFailureTest {
    static LocalCluster cluster;
    static Path dir;
    static Path repo;
    static int remotePort;
    static Process remoted;

    @BeforeAll
    static void start() throws Exception {
        // Failure detection 2 s: this suite is about the remote node, not about detection on a loaded machine.
        cluster = LocalCluster.startForSuite(RemoteNodeFailureTest.class, 2, 2_000, i -> "two_node = true\n");
        repo = cluster.repo();
        dir = cluster.root();
        remotePort = cluster.basePort() + 7;
        Files.createDirectories(dir.resolve("remote1/rsctmp"));
        // The outlet: the daemon's pid; a power-off empties its temporary directory, as a reboot does.
        AtomicFiles.writeString(cluster.powerDir().resolve("remote1.rsctmp"), dir.resolve("remote1/rsctmp").toString());
        remoted = new ProcessBuilder("bash", "-c", daemonCommand()).start();
        assertTrue(remoted.waitFor(30, TimeUnit.SECONDS), "starting pulse-remoted hung");
        System.out.println("RemoteNodeFailureTest: pulse-remoted on 127.0.0.1:" + remotePort);
    }

    /** Starts pulse-remoted in its own session (as a boot would) and writes its pid into the outlet. */
    static String daemonCommand() {
        return daemonCommand(repo, dir, cluster.powerDir(), remotePort);
    }

    /** The same for any lab: the cluster's key in {@code dir}, the daemon's files in dir/remote1. */
    static String daemonCommand(Path repo, Path dir, Path powerDir, int port) {
        Path home = dir.resolve("remote1");
        // Written beside and renamed: the fence agent reading a half-written outlet would kill nothing.
        Path pidTmp = powerDir.resolve(".remote1.pid.tmp");
        return "setsid " + repo.resolve("bin/pulse-remoted") + " --listen 127.0.0.1:" + port + " --authkey "
                + dir.resolve("key") + " --node remote1 --agent-dirs " + repo.resolve("resource-agents/src/main/ocf")
                + ":/usr/lib/ocf --ha-rsctmp " + home.resolve("rsctmp") + " </dev/null >>" + home.resolve("remoted.log")
                + " 2>&1 & echo $! > " + pidTmp + " && mv -f " + pidTmp + " " + powerDir.resolve("remote1.pid");
    }

    static long daemonPid() throws IOException {
        return daemonPid(cluster.powerDir());
    }

    static long daemonPid(Path powerDir) throws IOException {
        return Long.parseLong(Files.readString(powerDir.resolve("remote1.pid")).strip());
    }

    @AfterAll
    static void stop() throws Exception {
        LabCleanup.closeAndRemove(cluster);
    }

    static String connection(String reconnect) {
        return connection(remotePort, reconnect);
    }

    static String connection(int remotePort, String reconnect) {
        return "<primitive id=\"remote1\" class=\"ocf\" provider=\"pacemaker\" type=\"remote\">"
                + "<instance_attributes id=\"remote1-ia\">"
                + "<nvpair id=\"remote1-server\" name=\"server\" value=\"127.0.0.1\"/>"
                + "<nvpair id=\"remote1-port\" name=\"port\" value=\"" + remotePort + "\"/>"
                + (reconnect == null ? "" : "<nvpair id=\"remote1-reconnect\" name=\"reconnect_interval\" value=\""
                + reconnect + "\"/>")
                + "</instance_attributes>"
                + "<operations><op id=\"remote1-start\" name=\"start\" interval=\"0\" timeout=\"5s\"/>"
                + "<op id=\"remote1-mon\" name=\"monitor\" interval=\"2s\" timeout=\"5s\"/></operations>"
                + "</primitive>";
    }

    static String resources(String reconnect) {
        return resources(cluster.powerDir(), remotePort, reconnect);
    }

    /** fence-sim (the power-switch simulator), remote1's connection and d1, for any lab. */
    static String resources(Path powerDir, int remotePort, String reconnect) {
        return "<resources><primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\">"
                + "<instance_attributes id=\"fence-sim-ia\"><nvpair id=\"fence-sim-dir\" name=\"power_dir\" value=\""
                + powerDir + "\"/></instance_attributes></primitive>" + connection(remotePort, reconnect)
                + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
                + "<operations><op id=\"d1-mon\" name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations>"
                + "</primitive></resources>";
    }

    static String remotedLog() {
        Path f = dir.resolve("remote1/remoted.log");
        return LogText.readOrEmpty(f);
    }

    static String fenceHistory() {
        Path f = cluster.powerDir().resolve("remote1.history");
        return LogText.readOrEmpty(f);
    }

    static String status(int node) {
        try {
            return cluster.crm(node, "status").getValue();
        } catch (IOException | InterruptedException e) {
            return "(crm status failed: " + e + ")";
        }
    }

    static String logs() throws IOException {
        return "\n--- node1:\n" + LogText.tail(cluster.log(1)) + "\n--- node2:\n" + LogText.tail(cluster.log(2)) + "\n--- remoted:\n"
                + remotedLog() + "\n--- remote1's outlet: " + fenceHistory();
    }

    /** The cluster node d1 runs on now, or null (on remote1, or nowhere). */
    static String d1OnClusterNode() {
        String on = LocalCluster.runningOn(cluster, 1, "d1");
        return on != null && on.startsWith("node") ? on : null;
    }

    @Test
    @Order(1)
    void aDummyRunsOnTheRemoteNode() throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1, 2) != null),
                "no DC within 90 s" + logs());
        AdminResponse r = cluster.admin(1, AdminRequest.replace(cluster.nextId(), resources(null)));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        // d1 prefers remote1 and may run anywhere: when remote1 is lost it is recovered on a cluster node.
        AdminResponse c = cluster.admin(1, AdminRequest.replace(cluster.nextId(), "<constraints>"
                + "<rsc_location id=\"d1-prefers-remote1\" rsc=\"d1\" node=\"remote1\" score=\"100\"/></constraints>"));
        assertTrue(c.ok(), () -> "constraints failed: " + c.error());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> "remote1".equals(LocalCluster.runningOn(cluster, 1, "d1"))
                        && Files.exists(dir.resolve("remote1/rsctmp/Dummy-d1.state"))),
                "d1 did not start on remote1 within 60 s: " + status(1) + logs());
    }

    @Test
    @Order(2)
    void theDaemonKilledGetsTheRemoteNodeFencedAndItsResourcesRecoveredOnAClusterNode() throws Exception {
        long pid = daemonPid();
        long t0 = System.currentTimeMillis();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> fenceHistory().contains("reboot")
                        && d1OnClusterNode() != null),
                "remote1 was not fenced with d1 recovered on a cluster node within 60 s: " + status(1) + logs());
        long recoveredMs = System.currentTimeMillis() - t0;
        String where = d1OnClusterNode();
        assertTrue(Files.exists(dir.resolve(where + "/rsctmp/Dummy-d1.state")), "d1's state is not on " + where);
        String st = status(1);
        // The reason: the connection could not be made again (the daemon is gone), and the fencing of remote1.
        assertTrue(st.contains("remote1 start on node") && st.contains("Connection refused"),
                "crm status does not say why remote1's connection is down:\n" + st);
        assertTrue(st.contains("of remote1 successful"), "crm status does not show remote1's fencing:\n" + st);
        assertTrue(st.lines().anyMatch(l -> l.contains("remote1") && l.contains("OFFLINE")),
                "crm status does not show remote1 offline:\n" + st);
        System.out.println("RemoteNodeFailureTest: kill -9 of pulse-remoted: remote1 fenced and d1 started on " + where
                + " " + recoveredMs + " ms after (load " + LocalCluster.load() + ")\n" + st);
    }

    @Test
    @Order(3)
    void aHungDaemonIsFencedAndTheConnectionComesBackAfterReconnectInterval() throws Exception {
        // The daemon is back (an operator restarted it); the connection gets reconnect_interval, its failures
        // are cleaned up; a reboot from now on starts the daemon again (the outlet's "on").
        Path on = cluster.powerDir().resolve("remote1.on");
        AtomicFiles.writeString(on, "#!/bin/bash\n" + daemonCommand() + "\n");
        on.toFile().setExecutable(true);
        Process p = new ProcessBuilder("bash", "-c", daemonCommand()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "starting pulse-remoted hung");
        int listening = LogText.count(remotedLog(), "listening on");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> LogText.count(remotedLog(), "listening on") >= 2),
                "pulse-remoted did not start again: " + remotedLog());
        AdminResponse r = cluster.admin(1, AdminRequest.replace(cluster.nextId(), resources("8s")));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        Map.Entry<Integer, String> cleanup = cluster.crm(1, "resource", "cleanup", "remote1");
        assertEquals(0, cleanup.getKey(), cleanup.getValue());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> "remote1".equals(LocalCluster.runningOn(cluster, 1, "d1"))),
                "d1 did not go back to remote1 after the cleanup within 60 s: " + status(1) + logs());
        int reboots = LogText.count(fenceHistory(), "reboot");
        int authenticated = LogText.count(remotedLog(), "authenticated");

        long t0 = System.currentTimeMillis();
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(daemonPid())).start();
        assertTrue(stop.waitFor(10, TimeUnit.SECONDS) && stop.exitValue() == 0, "kill -STOP failed");
        // The CIB as it was while it held the failed monitor: reconnect_interval after that failure the
        // cluster tries the connection again, and when the rebooted daemon does not listen yet (a JVM's
        // start on a loaded machine), that start's failure becomes remote1's last failure in its place.
        // A crm status run after the wait (itself a JVM start) could come too late to see the monitor's.
        String[] failedMonitorCib = {null};
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> {
            if (failedMonitorCib[0] == null) {
                String xml = FailoverAdmin.str(new FailoverAdmin().query(cluster.socket(1)), "xml");
                failedMonitorCib[0] = xml != null && xml.contains("no answer to a ping") ? xml : null;
            }
            return LogText.count(fenceHistory(), "reboot") > reboots && d1OnClusterNode() != null;
        }), "remote1 was not fenced with d1 recovered on a cluster node within 90 s of the hang: " + status(1) + logs());
        long fencedMs = System.currentTimeMillis() - t0;
        assertNotNull(failedMonitorCib[0], "the CIB never recorded why remote1's connection failed: " + status(1));
        Path snapshot = AtomicFiles.writeString(dir.resolve("failed-monitor-cib.xml"), failedMonitorCib[0]);
        Process shown = new ProcessBuilder(repo.resolve("bin/crm").toString(), "--cib-file", snapshot.toString(), "status")
                .redirectErrorStream(true).start();
        String st = new String(shown.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(shown.waitFor(60, TimeUnit.SECONDS), "crm status --cib-file hung");
        assertTrue(st.contains("remote1 2s-interval monitor on node") && st.contains("no answer to a ping"),
                "crm status does not say why remote1's connection failed:\n" + st);
        assertTrue(listening < LogText.count(remotedLog(), "listening on") || LocalCluster.waitFor(Duration.ofSeconds(30),
                () -> LogText.count(remotedLog(), "listening on") > 2), "the reboot did not start pulse-remoted again");
        // reconnect_interval (8 s) after the failure, the connection comes back and d1 goes home.
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> "remote1".equals(LocalCluster.runningOn(cluster, 1, "d1"))
                        && LogText.count(remotedLog(), "authenticated") > authenticated),
                "the connection did not come back with d1 on remote1 within 90 s: " + status(1) + logs());
        long backMs = System.currentTimeMillis() - t0;
        System.out.println("RemoteNodeFailureTest: SIGSTOP of pulse-remoted: remote1 fenced, d1 on a cluster node "
                + fencedMs + " ms after; connection back with d1 on remote1 " + backMs + " ms after (reconnect_interval"
                + " 8 s, load " + LocalCluster.load() + ")\n" + status(1));
    }

}
