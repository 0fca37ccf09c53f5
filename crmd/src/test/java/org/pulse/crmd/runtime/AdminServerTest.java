package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.cib.admin.AdminArgs;
import org.pulse.cib.admin.AdminCodec;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.slf4j.LoggerFactory;

/**
 * The admin socket's bounds and peer credentials, with a stand-in handler that answers who asked.
 * The credential cases run clients as other uids (setpriv), so they need root: under CI=true they
 * must run; elsewhere they skip unless run as root. They create the users pulse-acl-member (in
 * haclient) and pulse-acl-stranger when missing and remove them afterwards.
 */
class AdminServerTest {
    private Path dir;
    private AdminServer server;
    private final List<String> createdUsers = new ArrayList<>();
    private boolean madeGroup;

    @BeforeEach
    void dir() throws IOException {
        dir = Files.createTempDirectory("pulse-admin");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (server != null) {
            server.close();
        }
        for (String u : createdUsers) {
            run("userdel", u);
        }
        if (madeGroup) {
            run("groupdel", "haclient");
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Path start(AdminServer.Limits limits) throws IOException {
        Path sock = dir.resolve("crmd.sock");
        server = AdminServer.start(sock, false, (req, caller) -> AdminResponse.ok(req.id(), AdminArgs.of("user",
                caller.user(), "kind", caller.kind().name(), "groups", String.join(",", caller.groups()))),
                new AdminAccess(() -> System.nanoTime() / 1_000_000), limits, LoggerFactory.getLogger("test"));
        return sock;
    }

    private static AdminResponse call(Path sock, String line) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            try {
                ch.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
            } catch (IOException refusedFirst) {
                // crmd may answer (a refusal) and close before the request is written: read its answer
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                    StandardCharsets.UTF_8));
            return AdminCodec.decodeResponse(in.readLine());
        } catch (org.pulse.cib.admin.AdminProtocolException e) {
            throw new IOException(e);
        }
    }

    private static String status() {
        return AdminCodec.encode(AdminRequest.status("crm-1-1"));
    }

    @Test
    void aLineOverTheLimitIsRefusedAndClosedAndTheServerGoesOn() throws Exception {
        Path sock = start(new AdminServer.Limits(64 * 1024, 256 * 1024, 8, 60_000));
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            byte[] chunk = new byte[64 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            long sent = 0;
            try {
                // 100 MB offered; crmd stops reading at its limit and closes, so the write fails early.
                while (sent < 100L * 1024 * 1024) {
                    sent += ch.write(ByteBuffer.wrap(chunk));
                }
            } catch (IOException expected) {
                // broken pipe / reset: the server closed after refusing
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                    StandardCharsets.UTF_8));
            String answer;
            try {
                answer = in.readLine();
            } catch (IOException reset) {
                answer = null;
            }
            assertTrue(sent < 100L * 1024 * 1024, "crmd read it all: " + sent);
            if (answer != null) {
                assertTrue(answer.contains("longer than 65536 bytes"), answer);
            }
        }
        assertEquals("FULL", call(sock, status()).result().string("kind").orElseThrow());
    }

    @Test
    void connectionsAreCountedAndIdleOnesClosed() throws Exception {
        Path sock = start(new AdminServer.Limits(1024 * 1024, 4 * 1024 * 1024, 4, 1_500));
        List<SocketChannel> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(sock));
                ch.configureBlocking(false); // read: 0 while open, -1 once crmd closed it
                idle.add(ch);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.openConnections() < 4 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // At the limit, the idlest connection makes room: the fifth client is served.
            AdminResponse fifth = call(sock, status());
            assertTrue(fifth.ok(), fifth.toString());
            Thread.sleep(100);
            int closedNow = 0;
            for (SocketChannel ch : idle) {
                closedNow += ch.read(ByteBuffer.allocate(16)) == -1 ? 1 : 0;
            }
            assertEquals(1, closedNow, "one idle connection was closed to make room");
            // Idle past its timeout: closed by crmd, and the slots are free again.
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.openConnections() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(0, server.openConnections());
            for (SocketChannel ch : idle) {
                assertEquals(-1, ch.read(ByteBuffer.allocate(16)), "closed by crmd");
            }
            assertTrue(call(sock, status()).ok());
        } finally {
            for (SocketChannel ch : idle) {
                ch.close();
            }
        }
    }

    // ---- peer credentials: other uids, as root

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void requireRoot() {
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            assertTrue(root(), "CI=true: the peer credential tests need root (they run clients as other users)");
        }
        assumeTrue(root(), "peer credential tests need root (setpriv to other users); skipped");
    }

    private static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " hung");
        }
        return p.exitValue();
    }

    private void ensureUser(String name, String... extraGroups) throws Exception {
        if (run("id", name) == 0) {
            return;
        }
        List<String> cmd = new ArrayList<>(List.of("useradd", "--system", "--no-create-home", "--shell",
                "/usr/sbin/nologin"));
        if (extraGroups.length > 0) {
            cmd.addAll(List.of("-G", String.join(",", extraGroups)));
        }
        cmd.add(name);
        assertEquals(0, run(cmd.toArray(String[]::new)), "useradd " + name);
        createdUsers.add(name);
    }

    /** Sends one line to the socket as {@code user} (its own groups, as login gives them) with perl under runuser (login's groups). */
    private static String callAs(String user, Path sock, String line) throws Exception {
        String perl = "use IO::Socket::UNIX; $SIG{PIPE} = 'IGNORE'; my $s = IO::Socket::UNIX->new(Peer => $ARGV[0]) or die \"connect: $!\\n\";"
                + " print $s $ARGV[1], \"\\n\"; my $r = <$s>; print $r // \"EOF\\n\";";
        Process p = new ProcessBuilder("runuser", "-u", user, "--", "perl", "-e", perl,
                sock.toString(), line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return out;
    }

    @Test
    void peerCredentialsDecideWhateverTheSocketsMode() throws Exception {
        requireRoot();
        if (run("getent", "group", "haclient") != 0) {
            assertEquals(0, run("groupadd", "--system", "haclient"));
            madeGroup = true;
        }
        ensureUser("hacluster", "haclient");
        ensureUser("pulse-acl-member", "haclient");
        ensureUser("pulse-acl-stranger");
        Path sock = start(AdminServer.Limits.defaults());
        // A wrong mode must not let a stranger in: make the socket world-writable on purpose.
        Files.setPosixFilePermissions(sock, PosixFilePermissions.fromString("rw-rw-rw-"));

        String member = callAs("pulse-acl-member", sock, status());
        assertTrue(member.contains("\"kind\":\"ACL\"") && member.contains("pulse-acl-member"), member);
        assertTrue(member.contains("haclient"), "the supplementary group counts: " + member);

        String hacluster = callAs("hacluster", sock, status());
        assertTrue(hacluster.contains("\"kind\":\"FULL\""), hacluster);

        String stranger = callAs("pulse-acl-stranger", sock, status());
        assertTrue(stranger.contains("access-denied") && stranger.contains("pulse-acl-stranger")
                && stranger.contains("haclient"), stranger);
    }
}
