package org.pulse.crmd.arbitrator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.messaging.ClusterKey;

/** The daemon over loopback: two clusters with their own keys, a stranger and a wrong key refused, answers authenticated. */
class ArbitratorTest {
    @TempDir
    Path dir;

    @Test
    void servesTwoClustersEachByItsOwnKeyAndRefusesStrangers() throws Exception {
        ClusterKey alpha = ClusterKey.generate(dir.resolve("alpha.key"));
        ClusterKey beta = ClusterKey.generate(dir.resolve("beta.key"));
        ClusterKey stranger = ClusterKey.generate(dir.resolve("stranger.key"));
        Path conf = dir.resolve("arbitrator.conf");
        Files.writeString(conf, "listen = 127.0.0.1:0\nlease_ms = 3000\ngather_ms = 0\ncluster.alpha = "
                + dir.resolve("alpha.key") + "\ncluster.beta = " + dir.resolve("beta.key") + "\n");
        Arbitrator.Config c = Arbitrator.readConfig(conf);
        assertEquals(Map.of("alpha", dir.resolve("alpha.key"), "beta", dir.resolve("beta.key")), c.clusters());
        // Past the start-up quiet period at once: this test's book is the daemon's, with a clock in the past.
        try (Arbitrator a = Arbitrator.start(c)) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.port());
            byte[] ka = alpha.derive(ArbitratorProtocol.KEY_LABEL);
            byte[] kb = beta.derive(ArbitratorProtocol.KEY_LABEL);
            VoteBook.Ask askA = new VoteBook.Ask("alpha", "a1", "ffsplit", "lowest", List.of("a1", "a2"), List.of("a1"));
            ArbitratorProtocol.Reply first = ArbitratorProtocol.ask(at, ka, askA, false, 2000);
            assertEquals(VoteBook.Kind.WAIT, first.kind(), "no vote in the first lease after a start: " + first.reason());
            assertTrue(first.reason().contains("waits it out"), first.reason());
            IOException wrongKey = assertThrows(IOException.class, () -> ArbitratorProtocol.ask(at,
                    stranger.derive(ArbitratorProtocol.KEY_LABEL), askA, false, 2000));
            assertTrue(wrongKey.getMessage().contains("does not prove its key"), wrongKey.getMessage());
            IOException unknown = assertThrows(IOException.class, () -> ArbitratorProtocol.ask(at, ka,
                    new VoteBook.Ask("gamma", "g1", "ffsplit", "lowest", List.of("g1"), List.of("g1")), false, 2000));
            assertTrue(unknown.getMessage().contains("cluster 'gamma' is not served here"), unknown.getMessage());
            Thread.sleep(3100);
            ArbitratorProtocol.Reply grant = ArbitratorProtocol.ask(at, ka, askA, false, 2000);
            assertEquals(VoteBook.Kind.GRANT, grant.kind(), grant.reason());
            assertEquals(3000, grant.leaseMs());
            VoteBook.Ask other = new VoteBook.Ask("alpha", "a2", "ffsplit", "lowest", List.of("a1", "a2"), List.of("a2"));
            assertEquals(VoteBook.Kind.REFUSE, ArbitratorProtocol.ask(at, ka, other, false, 2000).kind(),
                    "never two halves at once");
            VoteBook.Ask b1 = new VoteBook.Ask("beta", "b1", "lms", "highest", List.of("b1", "b2"), List.of("b1"));
            assertEquals(VoteBook.Kind.GRANT, ArbitratorProtocol.ask(at, kb, b1, false, 2000).kind(),
                    "the other cluster has a vote of its own");
            ArbitratorProtocol.ask(at, ka, askA, true, 2000);
            assertEquals(VoteBook.Kind.GRANT, ArbitratorProtocol.ask(at, ka, other, false, 2000).kind(),
                    "released: free for the other half");
        }
        Files.writeString(conf, "listen = 127.0.0.1:0\nlease_ms = 500\ncluster.alpha = " + dir.resolve("alpha.key") + "\n");
        IOException e = assertThrows(IOException.class, () -> Arbitrator.readConfig(conf));
        assertTrue(e.getMessage().contains("lease_ms (500) must be at least 3000"), e.getMessage());
        Files.writeString(conf, "listen = 127.0.0.1:0\ncolour = blue\n");
        e = assertThrows(IOException.class, () -> Arbitrator.readConfig(conf));
        assertTrue(e.getMessage().contains(":2: unknown setting 'colour'"), e.getMessage());
    }

    @Test
    void anAnswerFromAnArbitratorWithoutTheKeyIsNotBelieved() throws Exception {
        ClusterKey alpha = ClusterKey.generate(dir.resolve("alpha.key"));
        ClusterKey impostor = ClusterKey.generate(dir.resolve("impostor.key"));
        Path conf = dir.resolve("impostor.conf");
        // An arbitrator that serves "alpha" with another key cannot grant alpha's nodes anything.
        Files.writeString(conf, "listen = 127.0.0.1:0\ncluster.alpha = " + dir.resolve("impostor.key") + "\n");
        try (Arbitrator a = Arbitrator.start(Arbitrator.readConfig(conf))) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), a.port());
            IOException e = assertThrows(IOException.class, () -> ArbitratorProtocol.ask(at,
                    alpha.derive(ArbitratorProtocol.KEY_LABEL), new VoteBook.Ask("alpha", "a1", "ffsplit", "lowest",
                            List.of("a1", "a2"), List.of("a1")), false, 2000));
            assertTrue(e.getMessage().contains("does not prove its key"), e.getMessage());
        }
        assertTrue(impostor.fingerprint().length() > 0);
    }
}
