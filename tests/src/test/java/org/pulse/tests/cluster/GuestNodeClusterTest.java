package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.Procs;
import org.pulse.lab.support.TestEnv;

/**
 * A guest node at run time (issue 17 part 2), with real processes: two crmd (two_node) and a "VM" vm1 of the lab
 * agent ocf:pulselab:guest (tests/src/test/agents), whose start boots a pulse-remoted on 127.0.0.1 with its own
 * state directory. vm1 has meta remote-node=guest1 remote-addr=127.0.0.1 remote-port=P: once vm1 runs, the DC
 * connects to guest1 through the policy engine's implicit connection and runs a Dummy placed there. kill -9 of
 * the guest's pulse-remoted (the VM crashed): vm1 is recovered where it runs (stop, start), which is guest1's
 * fencing, and the Dummy is started again in the new guest. Bounded: each wait has its own limit (at most ~4
 * minutes in all; typically under one).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GuestNodeClusterTest {
    static LocalCluster cluster;
    static Path dir;
    static Path repo;
    static int guestPort;

    @BeforeAll
    static void start() throws Exception {
        repo = TestEnv.requireBuiltJars();
        dir = Files.createTempDirectory("pulse-guest-");
        int basePort = Ports.freeBase(10);
        guestPort = basePort + 7;
        // Failure detection 2 s: this suite is about the guest node, not about detection on a loaded machine.
        cluster = LocalCluster.prepared(repo, dir, 2, basePort, 2_000);
        String labAgents = repo.resolve("tests/src/test/agents/ocf").toString();
        for (int i = 1; i <= 2; i++) {
            Path conf = dir.resolve("node" + i + "/crmd.conf");
            // the lab's guest agent beside Pulse's own (a VM's agent on a real cluster)
            Files.writeString(conf, Files.readString(conf).replace("agent_dirs = ", "agent_dirs = " + labAgents + ":")
                    + "two_node = true\n");
        }
        for (int i = 1; i <= 2; i++) {
            cluster.startNode(i);
        }
        System.out.println("GuestNodeClusterTest: nodes in " + dir + ", ports from " + (basePort + 1)
                + ", guest1's pulse-remoted on 127.0.0.1:" + guestPort + " (removed afterwards; keep with -Dpulse.keep=true)");
    }

    static Path guestDir() {
        return dir.resolve("guest1");
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            killGuest();
            cluster.close();
            killGuest();   // a crmd killed mid-start may have booted one more
        }
        if (dir != null && !Boolean.getBoolean("pulse.keep")) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The guest's daemon, by the pid its agent recorded (it runs in its own session, as a VM would). */
    static void killGuest() {
        try {
            long pid = Long.parseLong(Files.readString(guestDir().resolve("remoted.pid")).strip());
            Procs.killAndAwait(pid, Duration.ofSeconds(10));
        } catch (IOException | NumberFormatException e) {
            // no guest running
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String resources() {
        String ia = "<instance_attributes id=\"vm1-ia\">"
                + nv("vm1-node", "node", "guest1") + nv("vm1-port", "port", Integer.toString(guestPort))
                + nv("vm1-key", "authkey", dir.resolve("key").toString()) + nv("vm1-dir", "state_dir", guestDir().toString())
                + nv("vm1-remoted", "remoted", repo.resolve("bin/pulse-remoted").toString())
                + nv("vm1-agents", "agent_dirs", repo.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf")
                + "</instance_attributes>";
        String meta = "<meta_attributes id=\"vm1-meta\">" + nv("vm1-rn", "remote-node", "guest1")
                + nv("vm1-ra", "remote-addr", "127.0.0.1") + nv("vm1-rp", "remote-port", Integer.toString(guestPort))
                + nv("vm1-rct", "remote-connect-timeout", "30s") + "</meta_attributes>";
        return "<resources><primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\">"
                + "<instance_attributes id=\"fence-sim-ia\">" + nv("fence-sim-dir", "power_dir", cluster.powerDir().toString())
                + "</instance_attributes></primitive>"
                + "<primitive id=\"vm1\" class=\"ocf\" provider=\"pulselab\" type=\"guest\">" + ia + meta
                + "<operations><op id=\"vm1-start\" name=\"start\" interval=\"0\" timeout=\"60s\"/>"
                + "<op id=\"vm1-mon\" name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations></primitive>"
                + "<primitive id=\"d2\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
                + "<operations><op id=\"d2-mon\" name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations>"
                + "</primitive></resources>";
    }

    static String nv(String id, String name, String value) {
        return "<nvpair id=\"" + id + "\" name=\"" + name + "\" value=\"" + value + "\"/>";
    }

    static String guestLog() {
        Path f = guestDir().resolve("remoted.log");
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
        return "\n--- node1:\n" + LogText.tail(cluster.log(1)) + "\n--- node2:\n" + LogText.tail(cluster.log(2)) + "\n--- guest1:\n"
                + guestLog();
    }

    @Test
    @Order(1)
    void theVmsStartBootsTheGuestAndADummyPlacedThereRunsInIt() throws Exception {
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> cluster.agreedDc(1, 2) != null),
                "no DC within 90 s" + logs());
        AdminResponse r = cluster.admin(1, AdminRequest.replace(cluster.nextId(), resources()));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        AdminResponse c = cluster.admin(1, AdminRequest.replace(cluster.nextId(), "<constraints>"
                + "<rsc_location id=\"d2-on-guest1\" rsc=\"d2\" node=\"guest1\" score=\"INFINITY\"/></constraints>"));
        assertTrue(c.ok(), () -> "constraints failed: " + c.error());
        Path state = guestDir().resolve("rsctmp/Dummy-d2.state");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(90), () -> Files.exists(state)
                        && "guest1".equals(LocalCluster.runningOn(cluster, 1, "d2"))),
                "d2 did not start on guest1 within 90 s: " + status(1) + logs());
        assertTrue(guestLog().contains("authenticated"), guestLog());
        String st = status(1);
        String vmHost = LocalCluster.runningOn(cluster, 1, "vm1");
        assertTrue(vmHost != null && vmHost.startsWith("node"), "vm1 does not run on a cluster node:\n" + st);
        assertTrue(st.lines().anyMatch(l -> l.contains("guest1") && l.contains("Online")) || st.contains("GuestOnline"),
                "crm status does not show guest1 online:\n" + st);
        for (int n = 1; n <= 2; n++) {
            assertTrue(!Files.exists(dir.resolve("node" + n + "/rsctmp/Dummy-d2.state")), "d2 ran on node" + n + " too");
        }
        System.out.println("GuestNodeClusterTest: crm status\n" + st);
    }

    @Test
    @Order(2)
    void theGuestCrashingRecoversItsVmAndWhatRanInIt() throws Exception {
        int boots = LogText.count(guestLog(), "listening on");
        int starts = LogText.count(guestLog(), "d2_start_0 call");
        assertEquals(1, boots, guestLog());
        assertEquals(1, starts, guestLog());
        long t0 = System.currentTimeMillis();
        killGuest();   // the VM crashed
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(120), () -> LogText.count(guestLog(), "listening on") > boots
                        && LogText.count(guestLog(), "d2_start_0 call") > starts
                        && Files.exists(guestDir().resolve("rsctmp/Dummy-d2.state"))
                        && "guest1".equals(LocalCluster.runningOn(cluster, 1, "d2"))),
                "the guest was not booted again with d2 started in it within 120 s: " + status(1) + logs());
        long recoveredMs = System.currentTimeMillis() - t0;
        String dcLogs = Files.readString(cluster.log(1)) + Files.readString(cluster.log(2));
        assertTrue(dcLogs.contains("guest node guest1 is fenced by recovering its container vm1"),
                "the DC did not record guest1's fencing" + logs());
        String st = status(1);
        assertTrue(st.contains("vm1") && st.contains("monitor on node"), "crm status does not say vm1 failed:\n" + st);
        System.out.println("GuestNodeClusterTest: guest1 crashed (kill -9): vm1 recovered and d2 started in the new guest "
                + recoveredMs + " ms after (load " + LocalCluster.load() + ")\n" + st);
    }
}
