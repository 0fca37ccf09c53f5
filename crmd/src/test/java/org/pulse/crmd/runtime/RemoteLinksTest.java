package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.crmd.controller.AgentSpec;
import org.pulse.crmd.controller.Event;
import org.pulse.crmd.controller.OpRequest;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.remote.RemoteDaemon;
import org.slf4j.LoggerFactory;

/**
 * The runtime's side of remote nodes against a real pulse-remoted on 127.0.0.1: a connection resource's start
 * connects, its recurring monitor reports the loss of the daemon as a failure (so the DC recovers the
 * connection), an operation relayed over it comes back as the remote node's result with the daemon's call id,
 * and a daemon with another key fails the start with the reason.
 */
class RemoteLinksTest {
    private static final AgentSpec REMOTE = new AgentSpec("ocf", "pacemaker", "remote");
    private static final String AGENT = """
            #!/bin/sh
            state="${HA_RSCTMP:-/tmp}/$OCF_RESOURCE_INSTANCE.state"
            case "$1" in
              start) touch "$state"; exit 0 ;;
              stop) rm -f "$state"; exit 0 ;;
              monitor) [ -f "$state" ] && exit 0 || exit 7 ;;
              *) exit 3 ;;
            esac
            """;

    private Path dir;
    private RemoteDaemon daemon;
    private RemoteLinks links;
    private final BlockingQueue<Event.OperationCompleted> events = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("pulse-remote-links");
        Path agent = dir.resolve("resource.d/test/t");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, AGENT);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("rsctmp"));
        Files.write(dir.resolve("key"), "a-cluster-key-of-more-than-16-bytes".getBytes());
        links = new RemoteLinks("node1", dir.resolve("key"), e -> events.add((Event.OperationCompleted) e),
                LoggerFactory.getLogger("RemoteLinksTest"));
    }

    private void startDaemon(byte[] key) throws IOException {
        daemon = RemoteDaemon.start(RemoteDaemon.Options.defaults()
                        .withListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)),
                key, LrmConfig.defaults().withAgentDirs(List.of(dir)).withHaRsctmp(dir.resolve("rsctmp"))
                        .withNodeName("remote1"), line -> System.out.println("remoted: " + line));
    }

    @AfterEach
    void tearDown() throws IOException {
        links.close();
        if (daemon != null) {
            daemon.close();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private OpRequest connection(String key, String action, long intervalMs) {
        return new OpRequest(key, "remote1", REMOTE, action, intervalMs, 5_000,
                Map.of("server", "127.0.0.1", "port", Integer.toString(daemon.port())));
    }

    private Event.OperationCompleted next(Predicate<Event.OperationCompleted> which) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < end) {
            Event.OperationCompleted e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e != null && which.test(e)) {
                return e;
            }
        }
        return null;
    }

    @Test
    void theConnectionStartsRelaysOperationsAndItsMonitorFailsWhenTheDaemonGoes() throws Exception {
        startDaemon("a-cluster-key-of-more-than-16-bytes".getBytes());
        links.connectionOperation(connection("1:1:0:x", "start", 0));
        Event.OperationCompleted started = next(e -> e.result().opKey().equals("1:1:0:x"));
        assertNotNull(started);
        assertEquals(0, started.result().rc(), started.result().exitReason());
        assertNull(started.remoteNode(), "the connection's own result is this node's");

        links.relay("remote1", new OpRequest("2:1:0:x", "d1", new AgentSpec("ocf", "test", "t"), "start", 0, 5_000,
                Map.of("CRM_meta_timeout", "5000")));
        Event.OperationCompleted d1 = next(e -> e.result().opKey().equals("2:1:0:x"));
        assertNotNull(d1, "no result for the relayed start");
        assertEquals("remote1", d1.remoteNode());
        assertEquals(0, d1.result().rc(), d1.result().exitReason());
        assertTrue(d1.remoteCallId() > 0, "the daemon's call id travels with the result");
        assertTrue(Files.exists(dir.resolve("rsctmp/d1.state")), "the agent did not run on the daemon's side");

        links.connectionOperation(connection("3:1:0:x", "monitor", 1_000));
        assertEquals(0, next(e -> e.result().opKey().equals("3:1:0:x")).result().rc());
        long t0 = System.nanoTime();
        daemon.close();
        Event.OperationCompleted lost = next(e -> e.result().opKey().equals("3:1:0:x") && e.result().rc() != 0);
        assertNotNull(lost, "the monitor did not report the lost connection");
        assertTrue(lost.result().exitReason().contains("lost"), lost.result().exitReason());
        System.out.println("RemoteLinksTest: loss reported " + (System.nanoTime() - t0) / 1_000_000 + " ms after the daemon closed");

        links.relay("remote1", new OpRequest("4:1:0:x", "d1", new AgentSpec("ocf", "test", "t"), "stop", 0, 5_000, Map.of()));
        Event.OperationCompleted refused = next(e -> e.result().opKey().equals("4:1:0:x"));
        assertEquals(1, refused.result().rc());
        assertTrue(refused.result().exitReason().contains("holds no connection"), refused.result().exitReason());
    }

    @Test
    void aDaemonWithAnotherKeyFailsTheStartWithTheReason() throws Exception {
        startDaemon("another-key-entirely-0123456789".getBytes());
        links.connectionOperation(connection("1:1:0:x", "start", 0));
        Event.OperationCompleted e = next(x -> x.result().opKey().equals("1:1:0:x"));
        assertEquals(1, e.result().rc());
        assertTrue(e.result().exitReason().contains("authentication failed"), e.result().exitReason());
        links.connectionOperation(connection("2:1:0:x", "monitor", 0));
        assertEquals(7, next(x -> x.result().opKey().equals("2:1:0:x")).result().rc(), "a probe finds no connection");
    }
    /**
     * pulse-remoted stopping cleanly (SIGTERM): the node holding the connection hears it (the remote node's
     * shutdown attribute is then written), and the connection's end the monitor reports says it was a clean stop.
     */
    @Test
    void aDaemonStoppingCleanlyIsReportedAsSuchNotAsALostConnection() throws Exception {
        links.close();
        java.util.List<String> stopping = new java.util.concurrent.CopyOnWriteArrayList<>();
        links = new RemoteLinks("node1", dir.resolve("key"), e -> events.add((Event.OperationCompleted) e),
                LoggerFactory.getLogger("RemoteLinksTest"), stopping::add);
        startDaemon("a-cluster-key-of-more-than-16-bytes".getBytes());
        links.connectionOperation(connection("1:1:0:x", "start", 0));
        assertEquals(0, next(e -> e.result().opKey().equals("1:1:0:x")).result().rc());
        links.connectionOperation(connection("2:1:0:x", "monitor", 1_000));
        assertEquals(0, next(e -> e.result().opKey().equals("2:1:0:x")).result().rc());
        daemon.shutdownGracefully(5_000);
        Event.OperationCompleted ended = next(e -> e.result().opKey().equals("2:1:0:x") && e.result().rc() != 0);
        assertNotNull(ended, "the monitor did not report the connection's end");
        assertEquals(java.util.List.of("remote1"), stopping, "the shutdown request was not passed on");
        assertTrue(ended.result().exitReason().contains("stopped cleanly"), ended.result().exitReason());
    }
}
