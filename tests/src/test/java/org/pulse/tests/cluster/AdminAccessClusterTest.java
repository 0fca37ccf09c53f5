package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminOp;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.support.Ports;
import org.pulse.lab.support.TestEnv;

/**
 * Who may do what, end to end, on a real one-node crmd: a haclient member under ACLs (its writes
 * checked by the DC, refused with the rule named and nothing changed; its reads filtered; its
 * allowed writes recorded as update-user/-client/-origin), a user outside haclient refused even
 * on a world-writable socket, and a 100 MB line and 200 idle connections leaving crm status
 * answering. Needs root (clients run as other users with runuser): under CI=true it must run.
 * Makes the users pulse-acl-member (in haclient) and pulse-acl-stranger when missing, and
 * removes the ones it made. Bounded: about 20 s.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminAccessClusterTest {
    static final String MEMBER = "pulse-acl-member";
    static final String STRANGER = "pulse-acl-stranger";
    /** In haclient, under a read-only ACL role: the console shows it everything and refuses every write. */
    static final String VIEWER = "pulse-acl-viewer";
    static LocalCluster cluster;
    static Path dir;
    static final List<String> madeUsers = new ArrayList<>();
    static boolean madeGroup;

    @BeforeAll
    static void start() throws Exception {
        TestEnv.requireRoot();
        TestEnv.requireCommand("runuser");
        TestEnv.requireCommand("perl");
        Path repo = TestEnv.requireBuiltJars();
        if (run("getent", "group", "haclient") != 0) {
            assertEquals(0, run("groupadd", "--system", "haclient"));
            madeGroup = true;
        }
        user(MEMBER, "haclient");
        user(STRANGER, null);
        user(VIEWER, "haclient");
        dir = Files.createTempDirectory("pulse-acl-");
        int basePort = Ports.freeBase(10);
        cluster = LocalCluster.start(repo, dir, 1, basePort);
        // Other users must reach the socket's directory; the socket's own mode and peer credentials decide.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("node1"), PosixFilePermissions.fromString("rwxr-xr-x"));
        System.out.println("AdminAccessClusterTest: node in " + dir + ", port " + (basePort + 1));
        assertTrue(LocalCluster.waitFor(Duration.ofSeconds(60), () -> cluster.agreedDc(1) != null),
                "no DC within 60 s; log in " + dir);
    }

    static void user(String name, String group) throws Exception {
        if (run("id", name) == 0) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("useradd", "--system", "--no-create-home", "--shell",
                "/usr/sbin/nologin"));
        if (group != null) {
            cmd.addAll(List.of("-G", group));
        }
        cmd.add(name);
        assertEquals(0, run(cmd.toArray(String[]::new)), "useradd " + name);
        madeUsers.add(name);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        for (String u : madeUsers) {
            run("userdel", u);
        }
        if (madeGroup) {
            run("groupdel", "haclient");
        }
        if (dir != null) {
            try (var paths = Files.walk(dir)) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    static int run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    /** One request as {@code user} (runuser: its login groups), through a small perl client. */
    static AdminResponse as(String user, String op, Object... args) throws Exception {
        String line = AdminCodec.encode(new AdminRequest("acltest-" + System.nanoTime(), op, AdminArgs.of(args)));
        String perl = "use IO::Socket::UNIX; $SIG{PIPE} = 'IGNORE'; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die \"connect: $!\\n\";"
                + " print $s $ARGV[1], \"\\n\"; my $r = <$s>; print $r // \"\";";
        Process p = new ProcessBuilder("runuser", "-u", user, "--", "perl", "-e", perl, cluster.socket(1).toString(),
                line).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "client as " + user + " hung");
        assertFalse(out.isEmpty(), "no answer for " + user + " to " + line);
        return AdminCodec.decodeResponse(out);
    }

    static String cibAsRoot() throws Exception {
        AdminResponse q = cluster.admin(1, AdminRequest.query(cluster.nextId()));
        assertTrue(q.ok(), q.toString());
        return FailoverAdmin.str(q.result(), "xml");
    }

    @Test
    @Order(1)
    void rootSetsUpResourcesAndAcls() throws Exception {
        String[][] commands = {
            {"configure", "property", "stonith-enabled=false", "enable-acl=true"},
            {"configure", "primitive", "web", "ocf:pulse:Dummy"},
            {"configure", "primitive", "db", "ocf:pulse:Dummy", "params", "state=" + dir.resolve("pulse-acl-db-secret")},
            {"configure", "role", "operator", "read", "xpath:/cib", "write", "ref:web", "deny",
                "xpath://nvpair[@name='state']"},
            {"configure", "acl_target", MEMBER, "operator"},
            {"configure", "role", "viewer", "read", "xpath:/cib"},
            {"configure", "acl_target", VIEWER, "viewer"},
        };
        for (String[] c : commands) {
            Map.Entry<Integer, String> r = cluster.crm(1, c);
            assertEquals(0, r.getKey(), String.join(" ", c) + ": " + r.getValue());
        }
        assertTrue(cibAsRoot().contains("acl_target id=\"" + MEMBER + "\""));
    }

    @Test
    @Order(2)
    void aMembersWriteTheAclsDenyIsRefusedNamingTheRuleAndNothingChanges() throws Exception {
        String before = cibAsRoot();
        AdminResponse r = as(MEMBER, AdminOp.NODE, "action", "property-set", "name", "maintenance-mode",
                "value", "true");
        assertFalse(r.ok(), r.toString());
        assertEquals("access-denied", r.error().code());
        assertTrue(r.error().message().contains("operator-read") && r.error().message().contains("xpath /cib")
                && r.error().message().contains(MEMBER), r.error().message());
        String after = cibAsRoot();
        assertFalse(after.contains("maintenance-mode"), "nothing changed");
        assertEquals(version(before), version(after));

        AdminResponse onDb = as(MEMBER, AdminOp.RESOURCE, "action", "stop", "resource", "db");
        assertEquals("access-denied", onDb.error().code(), onDb.toString());
        assertTrue(onDb.error().message().contains("primitive[@id='db']"), onDb.error().message());
    }

    private static String version(String xml) {
        return xml.replaceAll("(?s).*?<cib[^>]*? epoch=\"(\\d+)\".*", "$1");
    }

    @Test
    @Order(2)
    void binCrmAsAMemberGetsTheRefusalWithTheRuleNamed() throws Exception {
        // bin/crm as the member needs the repository readable by other users (a clone under /root is not).
        Path crm = TestEnv.root().resolve("bin/crm");
        if (run("runuser", "-u", MEMBER, "--", "test", "-r", crm.toString()) != 0) {
            System.out.println("bin/crm as " + MEMBER + ": not run, " + TestEnv.root() + " is not readable by other users");
            return;
        }
        Process p = new ProcessBuilder("runuser", "-u", MEMBER, "--", crm.toString(), "--socket",
                cluster.socket(1).toString(), "configure", "property", "maintenance-mode=true")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertTrue(p.exitValue() != 0 && out.contains("access denied") && out.contains("operator-read"), out);
        assertFalse(cibAsRoot().contains("maintenance-mode"));
    }

    @Test
    @Order(3)
    void aMembersReadsAreFiltered() throws Exception {
        AdminResponse q = as(MEMBER, AdminOp.QUERY);
        assertTrue(q.ok(), q.toString());
        String xml = FailoverAdmin.str(q.result(), "xml");
        assertTrue(xml.contains("id=\"web\"") && xml.contains("id=\"db\""), xml);
        assertFalse(xml.contains("pulse-acl-db-secret"), "the denied parameter is filtered out: " + xml);
        AdminResponse s = as(MEMBER, AdminOp.STATUS);
        assertTrue(s.ok() && !FailoverAdmin.str(s.result(), "xml").contains("pulse-acl-db-secret"), s.toString());
        assertTrue(cibAsRoot().contains("pulse-acl-db-secret"), "root sees it");
    }

    /**
     * crm simulate on the live CIB through crmd's resident scheduler: only for a caller who may read
     * all of it (the member's ACLs hide a parameter: refused, naming what to do); the viewer reads
     * everything and gets the schedule; the member may still simulate a CIB it brings.
     */
    @Test
    @Order(3)
    void simulatingTheLiveCibNeedsReadAccessToAllOfIt() throws Exception {
        long now = System.currentTimeMillis();
        AdminResponse member = as(MEMBER, AdminOp.SIMULATE, "now_ms", now);
        assertEquals("access-denied", member.error().code(), member.toString());
        assertTrue(member.error().message().contains(MEMBER) && member.error().message().contains("--cib-file"),
                member.error().message());
        AdminResponse viewer = as(VIEWER, AdminOp.SIMULATE, "now_ms", now);
        assertTrue(viewer.ok(), viewer.toString());
        assertTrue(FailoverAdmin.str(viewer.result(), "text").contains("web"), viewer.toString());
        String own = "<cib validate-with=\"pacemaker-3.9\" epoch=\"1\" num_updates=\"0\" admin_epoch=\"0\"><configuration>"
                + "<crm_config/><nodes><node id=\"1\" uname=\"n1\"/></nodes><resources/><constraints/></configuration>"
                + "<status/></cib>";
        AdminResponse ownCib = as(MEMBER, AdminOp.SIMULATE, "cib", own, "now_ms", now);
        assertTrue(ownCib.ok(), ownCib.toString());
    }

    @Test
    @Order(4)
    void aMembersAllowedWriteIsRecordedWithWhoMadeIt() throws Exception {
        AdminResponse r = as(MEMBER, AdminOp.RESOURCE, "action", "stop", "resource", "web");
        assertTrue(r.ok(), r.toString());
        String xml = cibAsRoot();
        assertTrue(xml.contains("update-user=\"" + MEMBER + "\"") && xml.contains("update-client=\"acltest\"")
                && xml.contains("update-origin=\"node1\""), xml.substring(0, Math.min(400, xml.length())));
        assertTrue(xml.contains("target-role"), xml);
        String log = Files.readString(cluster.log(1));
        assertTrue(log.contains("written by user " + MEMBER + " (acltest on node1)"), "the write's log line says who");
    }

    @Test
    @Order(5)
    void aUserOutsideHaclientIsRefusedEvenOnAWorldWritableSocket() throws Exception {
        Files.setPosixFilePermissions(cluster.socket(1), PosixFilePermissions.fromString("rw-rw-rw-"));
        AdminResponse r = as(STRANGER, AdminOp.STATUS);
        assertEquals("access-denied", r.error().code(), r.toString());
        assertTrue(r.error().message().contains(STRANGER) && r.error().message().contains("haclient"),
                r.error().message());
        AdminResponse q = as(STRANGER, AdminOp.QUERY);
        assertFalse(q.ok());
        AdminResponse sim = as(STRANGER, AdminOp.SIMULATE, "now_ms", 1L);
        assertEquals("access-denied", sim.error().code(), sim.toString());
    }

    /**
     * The console as a haclient user under a read-only ACL role (a token it asked for itself through the admin
     * socket): the page, whoami and the status (resources included) answer; every node and resource action
     * of the console is refused with 403 naming the user and the rule, and the CIB does not change.
     */
    @Test
    @Order(5)
    void aReadOnlyAclUserSeesTheConsoleAndEveryWriteActionIsRefused() throws Exception {
        AdminResponse t = as(VIEWER, AdminOp.WEB_TOKEN, "lifetime", 600L);
        assertTrue(t.ok(), t.toString());
        String token = t.result().requireString("token");
        String base = "http://127.0.0.1:" + cluster.httpPort(1);
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> call = (method, path) -> {
            var b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path)).timeout(Duration.ofSeconds(60))
                    .header("Authorization", "Bearer " + token);
            if (method.equals("POST")) {
                b.header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        path.endsWith("/move") ? "{\"node\": \"node1\"}" : "{}"));
            }
            try {
                return http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(method + " " + path + ": " + e, e);
            }
        };
        assertEquals(200, call.apply("GET", "/").statusCode());
        var who = call.apply("GET", "/api/v1/whoami");
        assertEquals(200, who.statusCode(), who.body());
        assertTrue(who.body().contains("\"user\":\"" + VIEWER + "\"") && who.body().contains("\"kind\":\"acl\""), who.body());
        var status = call.apply("GET", "/api/v1/status");
        assertEquals(200, status.statusCode(), status.body());
        assertTrue(status.body().contains("\"id\":\"web\"") && status.body().contains("\"name\":\"node1\""), status.body());

        // Each action from a state where it would change the CIB (root prepares it; a write that changes nothing is
        // answered "no change" whoever asks, as nothing is written).
        String[][] writes = {
            {"/api/v1/nodes/node1/standby", "node online node1"},
            {"/api/v1/nodes/node1/online", "node standby node1"},
            {"/api/v1/nodes/node1/maintenance", "node ready node1"},
            {"/api/v1/nodes/node1/ready", "node maintenance node1"},
            {"/api/v1/resources/web/start", "resource stop web"},
            {"/api/v1/resources/web/stop", "resource start web"},
            {"/api/v1/resources/web/move", "resource clear web"},
            {"/api/v1/resources/web/clear", "resource move web node1"},
            {"/api/v1/resources/web/cleanup", "resource start web"},
        };
        for (String[] w : writes) {
            Map.Entry<Integer, String> prepared = cluster.crm(1, w[1].split(" "));
            assertEquals(0, prepared.getKey(), w[1] + ": " + prepared.getValue());
            String before = cibAsRoot();
            var r = call.apply("POST", w[0]);
            assertEquals(403, r.statusCode(), "POST " + w[0] + " as " + VIEWER + " after " + w[1] + ": " + r.body());
            assertTrue(r.body().contains("\"code\":\"access-denied\"") && r.body().contains(VIEWER)
                    && r.body().contains("viewer"), "POST " + w[0] + ": the refusal names the user and the rule: " + r.body());
            assertEquals(version(before), version(cibAsRoot()), "POST " + w[0] + " changed nothing");
        }
        for (String undo : List.of("node online node1", "node ready node1", "resource clear web")) {
            assertEquals(0, cluster.crm(1, undo.split(" ")).getKey(), undo);
        }
    }

    @Test
    @Order(6)
    void theAgentsSocketOffersAgentsWhatTheyNeedAndNoMore() throws Exception {
        Path agents = cluster.socket(1).resolveSibling("crmd-agents.sock");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(agents)));
        var client = new FailoverAdmin();
        AdminResponse set = client.call(agents, new AdminRequest("attrd_updater-1-1", AdminOp.NODE,
                AdminArgs.of("action", "attribute-set", "node", "node1", "name", "pingd", "value", "100")));
        assertTrue(set.ok(), set.toString());
        assertTrue(client.call(agents, AdminRequest.status("crm_node-1-1")).ok());
        AdminResponse stop = client.call(agents, AdminRequest.resource("crm_resource-1-1", "stop", "web", null));
        assertEquals("access-denied", stop.error().code(), stop.toString());
        assertTrue(stop.error().message().contains("agents' socket"), stop.error().message());
        // A member of haclient is not an agent, whatever the socket's mode.
        Files.setPosixFilePermissions(agents, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String line = AdminCodec.encode(AdminRequest.status("x-1"));
        String perl = "use IO::Socket::UNIX; $SIG{PIPE} = 'IGNORE'; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die \"connect: $!\\n\";"
                + " print $s $ARGV[1], \"\\n\"; my $r = <$s>; print $r // \"\";";
        Process p = new ProcessBuilder("runuser", "-u", MEMBER, "--", "perl", "-e", perl, agents.toString(), line)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertTrue(out.contains("access-denied") && out.contains("agents' socket"), out);
    }

    /**
     * Ids with quotes and angle brackets given to move and ban (as root, past every ACL): constraints are built
     * as elements, so such an id can never inject XML; an unknown resource is refused naming it, and the CIB's
     * configuration is what it was.
     */
    @Test
    @Order(7)
    void quotesAndAngleBracketsInIdsGivenToMoveAndBanChangeNothing() throws Exception {
        String before = cibAsRoot();
        String configBefore = before.substring(before.indexOf("<configuration"), before.indexOf("</configuration>"));
        String[] ids = {"web\"/><rsc_location id=\"x\" rsc=\"db\" node=\"node1\" score=\"-INFINITY", "<db>", "db'&amp;"};
        for (String id : ids) {
            for (String action : List.of("move", "ban")) {
                AdminResponse r = cluster.admin(1, AdminRequest.resource(cluster.nextId(), action, id, "node1"));
                assertFalse(r.ok(), action + " of " + id + " was accepted: " + r);
                assertTrue(r.toString().contains(id.length() > 12 ? id.substring(0, 12) : id),
                        "the refusal names the id given: " + r);
            }
            AdminResponse node = cluster.admin(1, AdminRequest.resource(cluster.nextId(), "move", "web", id));
            assertFalse(node.ok(), "move of web to node " + id + " was accepted: " + node);
        }
        String after = cibAsRoot();
        assertEquals(configBefore, after.substring(after.indexOf("<configuration"), after.indexOf("</configuration>")),
                "the configuration changed");
    }

    @Test
    @Order(8)
    void aHundredMegabyteLineAndManyIdleConnectionsLeaveCrmStatusAnswering() throws Exception {
        long sent = 0;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(cluster.socket(1)));
            ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
            long t0 = System.nanoTime();
            try {
                while (sent < 100L << 20) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        sent += ch.write(chunk);
                    }
                }
            } catch (IOException closedByCrmd) {
                // crmd refused the line at its limit and closed the connection
            }
            System.out.println("100 MB line: crmd closed after " + (sent >> 20) + " MiB, "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
        }
        assertTrue(sent < 100L << 20, "crmd kept reading a line past its limit: " + sent + " bytes");

        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(cluster.socket(1)));
                idle.add(ch);
            }
            long t0 = System.nanoTime();
            Map.Entry<Integer, String> status = cluster.crm(1, "status");
            System.out.println("crm status with 200 idle connections: " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            assertEquals(0, status.getKey(), status.getValue());
            assertTrue(status.getValue().contains("node1"), status.getValue());
        } finally {
            for (SocketChannel ch : idle) {
                ch.close();
            }
        }
        assertTrue(cluster.alive(1), "crmd is still running");
    }
}
