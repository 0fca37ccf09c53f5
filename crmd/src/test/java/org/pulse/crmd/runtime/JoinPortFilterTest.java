package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.join.JoinToken;
import org.pulse.cib.join.JoinTokens;
import org.slf4j.LoggerFactory;

/**
 * The join port talks only to listed nodes' addresses and to the address a live token was issued
 * for (issue 15): on loopback, where every 127.x address is this machine's, a "stranger" connects
 * from 127.0.0.2 while the node lists only 127.0.0.1. The stranger is told why and nothing it sent
 * is parsed; a listed address, and an address a token names, reach the token check.
 */
class JoinPortFilterTest {
    @TempDir
    Path dir;

    @Test
    void aStrangerIsRefusedAListedNodeAndATokensAddressAreServed() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = probe.getLocalPort() - 200;
        }
        Path conf = dir.resolve("crmd.conf");
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(conf, String.join("\n", "node = a", "cluster = lab", "nodes = a@127.0.0.1:" + port,
                "key = " + dir.resolve("authkey"), "data_dir = " + dir.resolve("data"),
                "socket = " + dir.resolve("crmd.sock"), "http = off", ""));
        NodeConfig config = NodeConfig.load(conf);
        // a live token issued for 127.0.0.3, and one for no address
        long now = System.currentTimeMillis();
        Path tokens = JoinTokens.file(config.dataDir());
        JoinTokens.add(tokens, JoinToken.generate(new SecureRandom(), "0123456789abcdef"), now + 60_000, now, "127.0.0.3");
        JoinTokens.add(tokens, JoinToken.generate(new SecureRandom(), "0123456789abcdef"), now + 60_000, now);
        assertEquals(List.of("127.0.0.3"), JoinTokens.issuedFor(tokens, now));
        try (JoinListener l = JoinListener.start(config, () -> config, null, LoggerFactory.getLogger("test"))) {
            assertTrue(l != null, "join port not open");
            String stranger = ask("127.0.0.2", port + 200);
            assertTrue(stranger.contains("takes joins only from the addresses of listed nodes"), stranger);
            String listed = ask("127.0.0.1", port + 200);
            assertTrue(listed.contains("the token is unknown here"), "a listed address reaches the token check: " + listed);
            String issued = ask("127.0.0.3", port + 200);
            assertTrue(issued.contains("the token is unknown here"), "the token's address reaches the token check: " + issued);
            // the token for 127.0.0.3 expires: that address is a stranger again
            Files.writeString(tokens, Files.readString(tokens).replaceAll(" " + (now + 60_000) + " 127", " 1 127"));
            String expired = ask("127.0.0.3", port + 200);
            assertTrue(expired.contains("takes joins only from"), expired);
        }
    }

    /** A join hello with a token nobody issued, sent from {@code from}; the answer's first line. */
    private static String ask(String from, int port) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(from, 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(10_000);
            // the join wire's frame: a 4-byte length, then key=value lines
            byte[] hello = "magic=pulse-join\nprotocol=1\ntoken-id=0000000000000000\nnonce=AAAA\n"
                    .getBytes(StandardCharsets.UTF_8);
            java.io.DataOutputStream d = new java.io.DataOutputStream(s.getOutputStream());
            d.writeInt(hello.length);
            d.write(hello);
            d.flush();
            byte[] buf = s.getInputStream().readNBytes(4096);
            return new String(buf, StandardCharsets.UTF_8);
        }
    }
}
