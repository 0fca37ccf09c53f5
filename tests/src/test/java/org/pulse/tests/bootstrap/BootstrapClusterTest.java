package org.pulse.tests.bootstrap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.TestEnv;

/**
 * Bootstrap without SSH, with real crmd processes on loopback, as an operator would do it: each
 * node has a crmd.conf holding only its local settings (as the package's conffile does), then
 * {@code crm cluster init} on the first, {@code crm cluster join} on the second and third, a
 * resource, bad inputs refused with nothing changed, a node removed and added back, while the
 * cluster keeps running (the resource stays up and the first node is never restarted).
 *
 * <p>Bound: about 90 s (three JVM daemons, a dozen crm runs); every wait has its own limit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BootstrapClusterTest {
    private static final Pattern TOKEN = Pattern.compile("pulse1:[A-Za-z0-9_-]+:[0-9a-f]{16}");
    static Path repo;
    static Path dir;
    static int basePort;
    static final Process[] nodes = new Process[5];
    static final FailoverAdmin admin = new FailoverAdmin();
    static String initToken;

    @BeforeAll
    static void prepare() throws IOException {
        repo = TestEnv.requireBuiltJars();
        dir = Files.createTempDirectory("pulse-bootstrap-");
        basePort = Ports.freeBase(10);
        for (int i = 1; i <= 4; i++) {
            writeLocalSettings(i);
        }
        System.out.println("BootstrapClusterTest: nodes in " + dir + ", cluster ports from " + (basePort + 1));
    }

    /** What the package's conffile holds before init/join: this node's paths, no cluster. */
    static void writeLocalSettings(int i) throws IOException {
        Path d = dir.resolve("n" + i);
        Files.createDirectories(d.resolve("rsctmp"));
        Files.writeString(d.resolve("crmd.conf"), "# local settings of n" + i + "\n"
                + "key = " + d.resolve("authkey") + "\n"
                + "data_dir = " + d.resolve("data") + "\n"
                + "socket = " + d.resolve("crmd.sock") + "\n"
                + "agent_dirs = " + repo.resolve("resource-agents/src/main/ocf") + ":/usr/lib/ocf\n"
                + "ha_rsctmp = " + d.resolve("rsctmp") + "\n"
                + "http = off\n");
    }

    @AfterAll
    static void stop() throws Exception {
        for (Process p : nodes) {
            if (p != null) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (dir != null && !Boolean.getBoolean("pulse.keep")) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static Path conf(int i) {
        return dir.resolve("n" + i).resolve("crmd.conf");
    }

    static String addr(int i) {
        return "127.0.0.1:" + (basePort + i);
    }

    static Path socket(int i) {
        return dir.resolve("n" + i).resolve("crmd.sock");
    }

    static void startNode(int i) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(repo.resolve("bin/crmd").toString(), "--config", conf(i).toString());
        pb.environment().putAll(LocalCluster.daemonEnv());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("n" + i).resolve("crmd.log").toFile()));
        nodes[i] = pb.start();
    }

    /** bin/crm with these arguments; exit code and output (stdout and stderr). */
    static Map.Entry<Integer, String> crm(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(repo.resolve("bin/crm").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            return Map.entry(-1, out);
        }
        return Map.entry(p.exitValue(), out);
    }

    static AdminArgs status(int i) {
        return admin.status(socket(i));
    }

    /** Every listed node joined, quorate, with these members, under one DC. */
    static boolean formed(Set<String> members, int... on) {
        String dc = null;
        for (int i : on) {
            AdminArgs s = status(i);
            if (s == null || !FailoverAdmin.joinedWithQuorum(s)
                    || !members.equals(Set.of(FailoverAdmin.str(s, "members").split(",")))) {
                return false;
            }
            String d = FailoverAdmin.str(s, "dc");
            if (dc != null && !dc.equals(d)) {
                return false;
            }
            dc = d;
        }
        return true;
    }

    static String d1On() {
        AdminArgs s = status(1);
        return s == null ? null : FailoverAdmin.runningOn(s, "d1");
    }

    static String token(String output) {
        Matcher m = TOKEN.matcher(output);
        assertTrue(m.find(), "no token in: " + output);
        return m.group();
    }

    static String nodesLine(int i) throws IOException {
        return Files.readAllLines(conf(i)).stream().filter(l -> l.startsWith("nodes")).findFirst().orElse("");
    }

    @Test
    @Order(1)
    void initWritesConfigKeyAndTokenAndTheFirstNodeRuns() throws Exception {
        Map.Entry<Integer, String> r = crm("cluster", "init", "--name", "lab", "--node", "n1", "--address", addr(1),
                "--config", conf(1).toString(), "--no-start");
        assertEquals(0, r.getKey(), r.getValue());
        initToken = token(r.getValue());
        Path key = dir.resolve("n1/authkey");
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals(32, Files.size(key));
        assertEquals("nodes = n1@" + addr(1), nodesLine(1));
        assertTrue(Files.readString(conf(1)).contains("cluster = lab"));
        assertTrue(Files.readString(conf(1)).contains("data_dir = " + dir.resolve("n1/data")), "local settings kept");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("n1/data/join-tokens"))));
        // init again: refused, nothing overwritten
        byte[] keyBefore = Files.readAllBytes(key);
        r = crm("cluster", "init", "--node", "n1", "--address", addr(1), "--config", conf(1).toString(), "--no-start");
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("exists already"), r.getValue());
        assertTrue(java.util.Arrays.equals(keyBefore, Files.readAllBytes(key)));
        startNode(1);
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> formed(Set.of("n1"), 1)),
                "n1 alone did not become a quorate DC within 60 s; log " + dir.resolve("n1/crmd.log"));
    }

    @Test
    @Order(2)
    void aSecondAndThirdNodeJoinWithTokensAndAResourceRuns() throws Exception {
        long t0 = System.nanoTime();
        Map.Entry<Integer, String> r = crm("cluster", "join", "--token", initToken, "--node", "n2", "--address", addr(2),
                "--name", "lab", "--config", conf(2).toString(), "--no-start", addr(1));
        assertEquals(0, r.getKey(), r.getValue());
        System.out.printf("BootstrapClusterTest: join of n2 took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(conf(2))));
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("n2/authkey"))));
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(dir.resolve("n1/authkey")),
                Files.readAllBytes(dir.resolve("n2/authkey"))), "n2 got the cluster key");
        assertEquals(nodesLine(1), nodesLine(2));
        assertTrue(Files.readString(conf(2)).contains("node = n2"));
        startNode(2);
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> formed(Set.of("n1", "n2"), 1, 2)),
                "n1 and n2 did not form within 60 s");

        r = crm("cluster", "token", "--config", conf(1).toString());
        assertEquals(0, r.getKey(), r.getValue());
        r = crm("cluster", "join", "--token", token(r.getValue()), "--node", "n3", "--address", addr(3),
                "--config", conf(3).toString(), "--no-start", addr(1));
        assertEquals(0, r.getKey(), r.getValue());
        startNode(3);
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> formed(Set.of("n1", "n2", "n3"), 1, 2, 3)),
                "three nodes did not form within 60 s");
        assertEquals(nodesLine(1), nodesLine(3));
        assertEquals(nodesLine(1), nodesLine(2), "n2, running, took n3 into its node list without a restart");

        r = crm("--socket", socket(2).toString(), "configure", "property", "stonith-enabled=false");
        assertEquals(0, r.getKey(), r.getValue());
        r = crm("--socket", socket(2).toString(), "configure", "primitive", "d1", "ocf:pulse:Dummy",
                "op", "monitor", "interval=2s");
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> d1On() != null), "d1 did not start");
    }

    @Test
    @Order(3)
    void badInputsAreRefusedClearlyAndChangeNothing() throws Exception {
        String before = nodesLine(1);
        Path n4 = conf(4);
        String n4Before = Files.readString(n4);
        // a used token
        Map.Entry<Integer, String> r = crm("cluster", "join", "--token", initToken, "--node", "n4", "--address", addr(4),
                "--config", n4.toString(), "--no-start", addr(1));
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("unknown here, used already or expired"), r.getValue());
        // a wrong token (right form, right fingerprint, a secret nobody issued)
        String fingerprint = initToken.substring(initToken.lastIndexOf(':') + 1);
        r = crm("cluster", "join", "--token", "pulse1:AAAAAAAAAAAAAAAAAAAAAAAA:" + fingerprint, "--node", "n4",
                "--address", addr(4), "--config", n4.toString(), "--no-start", addr(1));
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("refused the join"), r.getValue());
        // not a token at all
        r = crm("cluster", "join", "--token", "hunter2", "--node", "n4", "--address", addr(4), "--config", n4.toString(),
                "--no-start", addr(1));
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("is not a Pulse join token"), r.getValue());
        // a live token, but the cluster has another name; then a duplicate name; then a duplicate address
        r = crm("cluster", "token", "--config", conf(1).toString());
        String live = token(r.getValue());
        r = crm("cluster", "join", "--token", live, "--name", "prod", "--node", "n4", "--address", addr(4),
                "--config", n4.toString(), "--no-start", addr(1));
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("named 'lab', not 'prod'"), r.getValue());
        r = crm("cluster", "join", "--token", live, "--node", "n2", "--address", addr(4), "--config", n4.toString(),
                "--no-start", addr(1));
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("a node named n2 is already in cluster lab"), r.getValue());
        r = crm("--socket", socket(1).toString(), "cluster", "add", "n9", addr(2));
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("is node n2's already"), r.getValue());
        // a node that cannot be reached: a clear error within seconds (TEST-NET-1, nothing answers)
        long t0 = System.nanoTime();
        r = crm("cluster", "join", "--token", live, "--node", "n4", "--address", addr(4), "--config", n4.toString(),
                "--no-start", "192.0.2.1:7801");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("BootstrapClusterTest: join of an unreachable node failed after %d ms%n", tookMs);
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("192.0.2.1"), r.getValue());
        assertTrue(tookMs < 15_000, "took " + tookMs + " ms");
        // a joiner announcing a join protocol this node does not speak (the next version)
        r = crm("cluster", "join", "--token", live, "--protocol-version", "2", "--node", "n4", "--address", addr(4),
                "--config", n4.toString(), "--no-start", addr(1));
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("speaks join protocol 1, the joining node speaks 2"), r.getValue());
        // nothing changed anywhere: the node lists, n4's files; the cluster runs on
        assertEquals(before, nodesLine(1));
        assertEquals(before, nodesLine(2));
        assertEquals(n4Before, Files.readString(n4));
        assertFalse(Files.exists(dir.resolve("n4/authkey")));
        assertTrue(formed(Set.of("n1", "n2", "n3"), 1, 2, 3));
        assertNotNull(d1On());
        // the live token was not spent by the refusals: it still admits n4 (added, then removed again below)
        r = crm("cluster", "join", "--token", live, "--node", "n4", "--address", addr(4), "--config", n4.toString(),
                "--no-start", addr(1));
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(nodesLine(2).contains("n4@" + addr(4)), nodesLine(2));
    }

    @Test
    @Order(4)
    void aNodeIsRemovedAndAddedBackWhileTheClusterRuns() throws Exception {
        // n4 was listed but never started: removed at once
        Map.Entry<Integer, String> r = crm("--socket", socket(3).toString(), "cluster", "remove", "n4");
        assertEquals(0, r.getKey(), r.getValue());
        assertFalse(nodesLine(1).contains("n4"));
        // a running node: refused, with what to do
        r = crm("--socket", socket(1).toString(), "cluster", "remove", "n3");
        assertEquals(1, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("n3 is running") && r.getValue().contains("stop it first"), r.getValue());
        assertTrue(nodesLine(1).contains("n3@"));
        // stopped cleanly (its resources move away), then removed
        long n1Pid = nodes[1].pid();
        nodes[3].destroy();
        assertTrue(nodes[3].waitFor(90, TimeUnit.SECONDS), "n3 did not stop within 90 s");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> formed(Set.of("n1", "n2"), 1, 2)));
        // with 3 votes listed, 2 members are a majority: the cluster stays quorate and d1 runs
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(30), () -> d1On() != null && !"n3".equals(d1On())));
        r = crm("--socket", socket(1).toString(), "cluster", "remove", "n3");
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("n3 removed"), r.getValue());
        assertFalse(nodesLine(1).contains("n3"));
        assertFalse(nodesLine(2).contains("n3"));
        AdminResponse q = admin.call(socket(2), AdminRequest.query(admin.nextId()));
        String xml = FailoverAdmin.str(q.result(), "xml");
        assertFalse(xml.contains("uname=\"n3\""), "n3 is still in the CIB: " + xml);
        assertNotNull(d1On());
        // while n3 is stopped, n4 is listed (n3 misses that change); n3 is added back on another node and
        // started with its old files: it rejoins, takes the newer list at the view change, no one restarted
        String stale = nodesLine(3);
        r = crm("--socket", socket(1).toString(), "cluster", "add", "n4", addr(4));
        assertEquals(0, r.getKey(), r.getValue());
        r = crm("--socket", socket(2).toString(), "cluster", "add", "n3", addr(3));
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("not running now, so not updated: [n3, n4]"), r.getValue());
        assertEquals(stale, nodesLine(3));
        startNode(3);
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> formed(Set.of("n1", "n2", "n3"), 1, 2, 3)),
                "n3 did not rejoin within 60 s");
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(10), () -> {
            try {
                return nodesLine(3).equals(nodesLine(1)) && nodesLine(3).contains("n4@");
            } catch (IOException e) {
                return false;
            }
        }), "n3 did not take the newer node list: " + nodesLine(3) + " vs " + nodesLine(1));
        r = crm("--socket", socket(3).toString(), "cluster", "remove", "n4");
        assertEquals(0, r.getKey(), r.getValue());
        assertTrue(r.getValue().contains("taken by [n1, n2, n3]"), r.getValue());
        assertNotNull(d1On());
        assertEquals(n1Pid, nodes[1].pid());
        assertTrue(nodes[1].isAlive() && nodes[2].isAlive());
        String text = FailoverAdmin.str(status(1), "text");
        assertTrue(text.contains("3 of 3 votes") || text.contains("Quorum: 3"), text);
    }
}
