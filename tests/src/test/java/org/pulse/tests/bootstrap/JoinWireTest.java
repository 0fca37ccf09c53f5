package org.pulse.tests.bootstrap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.join.ConfText;
import org.pulse.cib.join.JoinClient;
import org.pulse.cib.join.JoinException;
import org.pulse.cib.join.JoinServer;
import org.pulse.cib.join.JoinToken;
import org.pulse.cib.join.JoinTokens;
import org.pulse.cib.join.JoinWire;
import org.pulse.messaging.ClusterKey;

/**
 * The join channel in one JVM, answerer on a loopback port: the key's fingerprint pinned by the
 * token (an answerer with another key is not believed), the token's one use, and the file edits
 * keeping what an operator wrote. BootstrapClusterTest runs the same with real crmds.
 */
class JoinWireTest {
    @TempDir
    Path dir;

    @Test
    void theFingerprintIsCrmdsOwn() throws Exception {
        ClusterKey key = ClusterKey.generate(dir.resolve("authkey"));
        assertEquals(key.fingerprint(), JoinWire.fingerprint(Files.readAllBytes(dir.resolve("authkey"))));
    }

    @Test
    void aTokenReadsBackAndNonsenseIsRefused() throws Exception {
        JoinToken t = JoinToken.generate(new SecureRandom(), "0123456789abcdef");
        JoinToken back = JoinToken.parse(t.toString());
        assertArrayEquals(t.secret(), back.secret());
        assertEquals(t.id(), back.id());
        JoinException e = assertThrows(JoinException.class, () -> JoinToken.parse("pulse1:short:0123"));
        assertTrue(e.getMessage().contains("not a Pulse join token"), e.getMessage());
    }

    @Test
    void editsKeepCommentsAndOtherKeys() {
        List<String> lines = List.of("# mine", "node = a", "data_dir = /x", "# nodes below", "nodes = a@h:1");
        List<String> out = ConfText.with(lines, Map.of("nodes", "a@h:1, b@h:2", "cluster", "lab"));
        assertEquals(List.of("# mine", "node = a", "data_dir = /x", "# nodes below", "nodes = a@h:1, b@h:2", "cluster = lab"), out);
        assertEquals(Map.of("a", "h:1", "b", "h:2"), ConfText.nodesOf(ConfText.values(out).get("nodes")));
    }

    /** An answerer on loopback serving one connection with this key; the future holds what it logged. */
    private CompletableFuture<String> answer(ServerSocket server, Path tokens, byte[] key) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = server.accept()) {
                return JoinServer.serve(s, tokens, "test", req -> new JoinClient.Admission(key,
                        Map.of("cluster", "lab", "nodes", "n1@127.0.0.1:1")), System::currentTimeMillis, new SecureRandom());
            } catch (Exception e) {
                return e.toString();
            }
        });
    }

    @Test
    void anAnswererWithAnotherKeyIsNotBelievedAndTheTokenIsSpentOnce() throws Exception {
        byte[] real = new byte[32];
        byte[] other = new byte[32];
        new SecureRandom().nextBytes(real);
        new SecureRandom().nextBytes(other);
        Path tokens = dir.resolve("join-tokens");
        JoinToken t = JoinToken.generate(new SecureRandom(), JoinWire.fingerprint(real));
        long now = System.currentTimeMillis();
        JoinTokens.add(tokens, t, now + 60_000, now);
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            InetSocketAddress cluster = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    server.getLocalPort() - JoinWire.PORT_OFFSET);
            Map<String, String> req = Map.of("node", "n2", "address", "127.0.0.1:2");
            // The answerer knows the token (it has the file) but sends another key: refused by the pin.
            CompletableFuture<String> served = answer(server, tokens, other);
            JoinException e = assertThrows(JoinException.class,
                    () -> JoinClient.join(cluster, t, req, JoinWire.PROTOCOL_VERSION, new SecureRandom()));
            assertTrue(e.getMessage().contains("not the cluster the token was made for"), e.getMessage());
            served.get(10, TimeUnit.SECONDS);
            // That answerer spent the token; a new one, the right key: admitted, and the token is gone after.
            JoinToken t2 = JoinToken.generate(new SecureRandom(), JoinWire.fingerprint(real));
            JoinTokens.add(tokens, t2, now + 60_000, now);
            served = answer(server, tokens, real);
            JoinClient.Admission a = JoinClient.join(cluster, t2, req, JoinWire.PROTOCOL_VERSION, new SecureRandom());
            assertArrayEquals(real, a.key());
            assertEquals("lab", a.settings().get("cluster"));
            assertTrue(served.get(10, TimeUnit.SECONDS).startsWith("admitted n2"));
            assertNull(JoinTokens.secret(tokens, t2.id(), System.currentTimeMillis()));
            // an expired token is no token
            JoinToken old = JoinToken.generate(new SecureRandom(), JoinWire.fingerprint(real));
            JoinTokens.add(tokens, old, now - 1, now - 2);
            assertNull(JoinTokens.secret(tokens, old.id(), now));
            assertFalse(Files.readString(tokens).contains(t2.secretText()));
        }
    }
}
