package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.bench.FailoverAdmin;
import org.pulse.bench.FailoverProbe;
import org.pulse.bench.LocalCluster;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.tests.support.NetnsLab;
import org.pulse.tests.support.TestEnv;

/**
 * A two-node cluster with {@code two_node = true} (root): the cluster link between the two nodes is
 * cut (blackhole routes both ways) while the client still reaches both. Both halves keep quorum and
 * each wants to fence the other; the fence device's {@code pcmk_delay_base=n1:10s} makes n2 wait
 * 10 s before fencing n1, so n1 fences n2 first. Then exactly one node is left (n1), n2 is powered
 * off by the switch and n1 never is, and the VIP (which preferred n2) answers from n1 alone. Then
 * n2 boots while still cut off: wait_for_all (implied by two_node) keeps it without quorum, so it
 * fences nobody and starts nothing; once the link is back it rejoins and nobody is fenced.
 *
 * <p>Its own small two-node lab on NetnsLab (FailoverLab is three nodes): real crmd processes, each
 * in its network namespace and a mount namespace of its own, real JGroups, the power-switch
 * simulator, Pulse's IPaddr and httpd agents.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TwoNodeSplitTest {
    static final int PORT = 7800;
    static NetnsLab lab;
    static Path repo;
    static Path power;
    static Path key;
    static String vip;
    static final Process[] crmd = new Process[3];
    static final FailoverAdmin admin = new FailoverAdmin();

    @BeforeAll
    static void start() throws Exception {
        TestEnv.requireRoot();
        for (String c : List.of("ip", "nsenter", "setsid", "unshare", "apache2", "curl")) {
            TestEnv.requireCommand(c);
        }
        repo = TestEnv.root();
        TestEnv.require(Files.isDirectory(repo.resolve("crmd/target/lib"))
                && Files.isDirectory(repo.resolve("crm-shell/target/lib")),
                "built crmd and crm-shell (mvn -DskipTests package) for bin/crmd and bin/crm");
        lab = NetnsLab.create(2);
        vip = lab.vip(0);
        power = lab.dir("power");
        key = lab.workDir().resolve("authkey");
        NetnsLab.Result r = NetnsLab.run(List.of(repo.resolve("bin/crmd").toString(), "--generate-key", key.toString()),
                Map.of(), Duration.ofSeconds(120));
        assertTrue(r.ok(), () -> "crmd --generate-key failed: " + r.stderr() + r.stdout());
        for (int i = 1; i <= 2; i++) {
            writeConfig(i);
        }
        for (int i = 1; i <= 2; i++) {
            startNode(i);
            startWebServer(i);
        }
        System.out.println("TwoNodeSplitTest: " + lab + "; node logs " + log(1) + ", " + log(2));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(120), () -> agreedDc(1, 2)),
                "the two nodes did not agree on a quorate DC within 120 s; logs " + log(1) + ", " + log(2));
        configure(1, List.of(
                "property stonith-enabled=true no-quorum-policy=stop stonith-action=off",
                "rsc_defaults resource-stickiness=100",
                // The usual two_node setup: a delay for fencing the node that should survive a split.
                "primitive fence-sim stonith:fence_pulse_sim params power_dir=" + power + " pcmk_delay_base="
                        + name(1) + ":10s",
                "primitive vip ocf:pulse:IPaddr params ip=" + vip + " cidr_netmask=24 nic=eth0"
                        + " op monitor interval=1s timeout=10s",
                // The VIP starts on n2, so the split must move it to the node that wins.
                "location vip-prefers-n2 vip 50: " + name(2)));
        assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(90), () -> name(2).equals(vipUp(1, 2)) ? "y" : null),
                "the VIP did not start on " + name(2) + " within 90 s: " + FailoverAdmin.str(status(1), "text"));
    }

    @AfterAll
    static void stop() {
        if (lab == null) {
            return;
        }
        try {
            Path keep = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"),
                    "pulse-twonode-logs-" + lab.prefix()));
            for (int i = 1; i <= 2; i++) {
                if (Files.exists(log(i))) {
                    Files.copy(log(i), keep.resolve(name(i) + "-crmd.log"),
                            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.out.println("TwoNodeSplitTest: node logs kept in " + keep);
        } catch (IOException e) {
            System.out.println("TwoNodeSplitTest: could not keep the node logs: " + e.getMessage());
        }
        for (int i = 1; i <= 2; i++) {
            if (crmd[i] != null && crmd[i].isAlive()) {
                lab.killAll(lab.node(i));
            }
        }
        lab.close();
    }

    @Test
    @Order(1)
    void cuttingTheClusterLinkLeavesExactlyOneNodeServing() throws Exception {
        String dc = agreedDc(1, 2);
        assertNotNull(dc);
        AdminArgs before = status(dc.equals(name(1)) ? 1 : 2);
        assertEquals("2 of 2 votes", before.asMap().get("quorum"), FailoverAdmin.str(before, "text"));
        assertEquals(Boolean.FALSE, before.asMap().get("wait_for_all"), "both nodes have seen each other");
        try (FailoverLab.Client client = client()) {
            Thread.sleep(500);
            double cutAt = FailoverProbe.nowMs();
            for (int[] fromTo : new int[][] {{1, 2}, {2, 1}}) {
                lab.execOk(lab.node(fromTo[0]), "ip", "route", "add", "blackhole",
                        lab.node(fromTo[1]).address() + "/32");
            }
            assertNotNull(FailoverLab.waitFor(Duration.ofSeconds(60), () -> poweredOff(2) ? "y" : null),
                    name(2) + " was not fenced within 60 s of the cut; logs " + log(1) + ", " + log(2));
            String on = FailoverLab.waitFor(Duration.ofSeconds(60), () -> vipUp(1));
            assertEquals(name(1), on, "the VIP did not come up on the survivor " + name(1) + ": "
                    + FailoverAdmin.str(status(1), "text"));
            AdminArgs s = status(1);
            assertEquals(Boolean.TRUE, s.asMap().get("quorate"), FailoverAdmin.str(s, "text"));
            assertTrue(String.valueOf(s.asMap().get("quorum")).contains("two_node"), String.valueOf(s.asMap()));
            // n2's own fencing of n1 waited 10 s; it must never have run (n2 was off before).
            Thread.sleep(12_000);
            assertTrue(crmd[1].isAlive(), name(1) + "'s crmd died; log " + log(1));
            assertFalse(poweredOff(1), name(1) + " was fenced too: both sides lost the fence race");
            assertFalse(Files.exists(power.resolve(name(1) + ".history")), "the switch acted on " + name(1));
            assertFalse(crmd[2].isAlive(), name(2) + "'s crmd survived its fencing");
            assertEquals(List.of(name(1)), owners(vip), "the VIP must be on exactly one node");
            List<String> answerers = FailoverProbe.answerers(client.samples);
            assertEquals(name(1), answerers.get(answerers.size() - 1), "the client is served by " + answerers);
            assertEquals(answerers.size(), new java.util.HashSet<>(answerers).size(),
                    "two nodes answered for the VIP in turn: " + answerers);
            assertTrue(client.okSince(cutAt + 1) > 0, "the client got no answer after the cut");
            long fencedAt = lastOffEpochMs(2);
            System.out.println("TwoNodeSplitTest: " + name(2) + " powered off "
                    + Math.round(fencedAt - FailoverLab.toEpochMs(cutAt)) + " ms after the link was cut; answerers "
                    + answerers);
        }
    }

    @Test
    @Order(2)
    void theFencedNodeBootingWhileCutOffWaitsForAllInsteadOfFencing() throws Exception {
        assertTrue(poweredOff(2), "needs the first test: " + name(2) + " fenced");
        // The machine boots (clean /run, its own address) but the cluster link is still cut.
        lab.powerOff(lab.node(2));
        lab.powerOn(lab.node(2));
        lab.execOk(lab.node(2), "ip", "route", "replace", "blackhole", lab.node(1).address() + "/32");
        startWebServer(2);
        startNode(2);
        AdminArgs waiting = FailoverLab.waitFor(Duration.ofSeconds(60), () -> {
            AdminArgs s = status(2);
            return s != null && Boolean.TRUE.equals(s.asMap().get("joined")) ? s : null;
        });
        assertNotNull(waiting, name(2) + " did not form its own partition within 60 s; log " + log(2));
        // Longer than n2's 10 s fence delay for n1: were n2 quorate, n1 would be off by now.
        Thread.sleep(13_000);
        AdminArgs s = status(2);
        assertEquals(Boolean.FALSE, s.asMap().get("quorate"), FailoverAdmin.str(s, "text"));
        assertEquals(Boolean.TRUE, s.asMap().get("wait_for_all"), FailoverAdmin.str(s, "text"));
        assertTrue(String.valueOf(s.asMap().get("quorum")).contains("wait_for_all")
                && String.valueOf(s.asMap().get("quorum")).contains("[" + name(1) + "]"), String.valueOf(s.asMap()));
        assertFalse(poweredOff(1), name(2) + " fenced " + name(1) + " right after booting alone");
        assertTrue(crmd[1].isAlive(), name(1) + "'s crmd died; log " + log(1));
        assertEquals(List.of(name(1)), owners(vip), "the VIP must stay on " + name(1) + " alone");
        assertEquals(name(1), lab.httpGet(lab.client(), "http://" + vip + "/", 1000).map(String::strip).orElse(""));
    }

    @Test
    @Order(3)
    void healingTheLinkLetsTheRebootedNodeRejoinWithoutFencing() throws Exception {
        assertTrue(crmd[2] != null && crmd[2].isAlive(), "needs the second test: " + name(2) + " running again");
        lab.exec(lab.node(1), "ip", "route", "del", "blackhole", lab.node(2).address() + "/32");
        lab.exec(lab.node(2), "ip", "route", "del", "blackhole", lab.node(1).address() + "/32");
        String dc = FailoverLab.waitFor(Duration.ofSeconds(90), () -> agreedDc(1, 2));
        assertNotNull(dc, "the two nodes did not merge within 90 s of the heal; logs " + log(1) + ", " + log(2));
        AdminArgs s = status(2);
        assertEquals(Boolean.FALSE, s.asMap().get("wait_for_all"), "n2 has now seen both: " + s.asMap());
        assertEquals(Boolean.TRUE, s.asMap().get("quorate"));
        String on = FailoverLab.waitFor(Duration.ofSeconds(30), () -> vipUp(1, 2));
        assertEquals(name(1), on, "the VIP must stay on " + name(1) + " (stickiness 100 beats the preference 50)");
        assertEquals(List.of(name(1)), owners(vip));
        assertFalse(poweredOff(1), name(1) + " was fenced");
        assertFalse(poweredOff(2), name(2) + " was fenced again after it rejoined");
    }

    // ---- the small two-node lab

    static String name(int i) {
        return lab.node(i).name();
    }

    static Path socket(int i) {
        return lab.node(i).runDir().resolve("crmd.sock");
    }

    static Path log(int i) {
        return lab.node(i).runDir().resolve("crmd.log");
    }

    static void writeConfig(int i) throws IOException {
        NetnsLab.Node n = lab.node(i);
        String conf = "node = " + name(i) + "\n"
                + "nodes = " + name(1) + "@" + lab.node(1).address() + ":" + PORT + ", " + name(2) + "@"
                + lab.node(2).address() + ":" + PORT + "\n"
                + "two_node = true\n"
                + "key = " + key + "\n"
                + "data_dir = " + n.runDir().resolve("data") + "\n"
                + "socket = " + socket(i) + "\n"
                + "agent_dirs = " + repo.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf\n"
                + "stonith_dirs = " + repo.resolve("crmd/src/main/fence") + "\n"
                + "ha_rsctmp = " + n.rsctmp() + "\n"
                + "failure_detection_ms = 500\n";
        Files.writeString(n.runDir().resolve("crmd.conf"), conf);
        Files.writeString(power.resolve(name(i) + ".netns"), n.netns());
        Files.writeString(power.resolve(name(i) + ".link"), NetnsLab.IFNAME);
        Files.writeString(power.resolve(name(i) + ".rsctmp"), n.rsctmp().toString());
    }

    static void startNode(int i) throws IOException {
        NetnsLab.Node n = lab.node(i);
        crmd[i] = lab.startInOwnMountNamespace(n, List.of(repo.resolve("bin/crmd").toString(), "--config",
                n.runDir().resolve("crmd.conf").toString()), Map.of("PULSE_JAVA_OPTS", LocalCluster.DAEMON_JAVA_OPTS),
                log(i));
        Files.writeString(power.resolve(name(i) + ".pid"), Long.toString(crmd[i].pid()));
        Files.deleteIfExists(power.resolve(name(i) + ".state"));
    }

    /** Pulse's httpd agent run by hand in node i: the web server behind the VIP, its page names the node. */
    static void startWebServer(int i) throws IOException {
        NetnsLab.Node n = lab.node(i);
        Path www = Files.createDirectories(n.runDir().resolve("www"));
        Files.writeString(www.resolve("index.html"), n.name() + "\n");
        List<String> argv = NetnsLab.inNs(n, "env", "HA_RSCTMP=" + n.rsctmp(), "OCF_ROOT=/usr/lib/ocf",
                "OCF_RESOURCE_INSTANCE=nodeweb", "OCF_RESKEY_listen=80", "OCF_RESKEY_docroot=" + www,
                "OCF_RESKEY_CRM_meta_timeout=20000",
                repo.resolve("resource-agents/src/main/ocf/resource.d/pulse/httpd").toString(), "start");
        NetnsLab.Result r = NetnsLab.run(argv, Map.of(), Duration.ofSeconds(30));
        assertTrue(r.ok(), () -> "web server on " + n.name() + ": " + r.stderr() + r.stdout());
    }

    static AdminArgs status(int i) {
        return admin.status(socket(i));
    }

    static String agreedDc(int... nodes) {
        String dc = null;
        for (int i : nodes) {
            if (!crmd[i].isAlive()) {
                throw new IllegalStateException("crmd of " + name(i) + " exited with " + crmd[i].exitValue()
                        + "; log " + log(i));
            }
            AdminArgs s = status(i);
            if (!FailoverAdmin.joinedWithQuorum(s) || (dc != null && !dc.equals(FailoverAdmin.str(s, "dc")))) {
                return null;
            }
            dc = FailoverAdmin.str(s, "dc");
        }
        return dc;
    }

    /** The node the given nodes agree holds the VIP, when the client gets that node's page through it. */
    static String vipUp(int... nodes) {
        String on = null;
        for (int i : nodes) {
            String w = FailoverAdmin.runningOn(status(i), "vip");
            if (w == null || w.isEmpty() || (on != null && !on.equals(w))) {
                return null;
            }
            on = w;
        }
        String expected = on;
        return lab.httpGet(lab.client(), "http://" + vip + "/", 1000).map(String::strip).filter(expected::equals)
                .isPresent() ? on : null;
    }

    static void configure(int i, List<String> lines) throws IOException {
        Path script = Files.createTempFile(lab.workDir(), "config", ".crm");
        List<String> all = new ArrayList<>();
        all.add("configure");
        all.addAll(lines);
        all.add("commit");
        Files.write(script, all);
        NetnsLab.Result r = NetnsLab.run(List.of(repo.resolve("bin/crm").toString(), "--socket", socket(i).toString(),
                "-f", script.toString()), Map.of(), Duration.ofSeconds(120));
        assertTrue(r.ok(), () -> "crm configure on " + name(i) + " failed (rc " + r.rc() + "): " + r.stdout() + r.stderr());
    }

    static boolean poweredOff(int i) {
        try {
            Path state = power.resolve(name(i) + ".state");
            return Files.exists(state) && Files.readString(state).strip().equals("off");
        } catch (IOException e) {
            return false;
        }
    }

    static long lastOffEpochMs(int i) throws IOException {
        long at = -1;
        Path history = power.resolve(name(i) + ".history");
        if (Files.exists(history)) {
            for (String l : Files.readAllLines(history)) {
                String[] f = l.strip().split("\\s+");
                if (f.length >= 2 && (f[1].equals("off") || f[1].equals("reboot"))) {
                    at = Long.parseLong(f[0]);
                }
            }
        }
        return at;
    }

    /** Nodes that hold ip on an interface with carrier (they can answer for it). */
    static List<String> owners(String ip) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            NetnsLab.Result r = lab.exec(lab.node(i), "ip", "-o", "-4", "addr", "show", "dev", NetnsLab.IFNAME);
            NetnsLab.Result link = lab.exec(lab.node(i), "ip", "-o", "link", "show", "dev", NetnsLab.IFNAME);
            boolean up = link.stdout().contains("LOWER_UP") && !link.stdout().contains("NO-CARRIER");
            if (r.stdout().contains(" " + ip + "/") && up) {
                out.add(name(i));
            }
        }
        return out;
    }

    /** A client in the client namespace probing http://VIP/ every 10 ms (its own JVM, FailoverProbe). */
    static FailoverLab.Client client() throws IOException {
        List<String> argv = NetnsLab.inNs(lab.client(), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                FailoverProbe.class.getName(), vip, "80", "10", "50");
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectError(ProcessBuilder.Redirect.appendTo(lab.workDir().resolve("client.err").toFile()));
        return new FailoverLab.Client(pb.start());
    }
}
