package org.pulse.lrm.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pulse.lrm.AgentRef;
import org.pulse.lrm.ExecStatus;
import org.pulse.lrm.LrmConfig;
import org.pulse.lrm.OperationRequest;
import org.pulse.lrm.OperationResult;

/**
 * pulse-remoted on a real socket on 127.0.0.1 with a real agent: a client with the key runs operations and
 * gets their results (a timeout too), a client with another key is refused and the daemon's log names it, an
 * oversized frame and a silent connection are dropped, and a second connection takes over from the first and
 * learns the history.
 */
class RemoteDaemonTest {
    /** An agent that remembers start/stop in a state file and sleeps on "slow". */
    private static final String AGENT = """
            #!/bin/sh
            state="${HA_RSCTMP:-/tmp}/$OCF_RESOURCE_INSTANCE.state"
            case "$1" in
              start) touch "$state"; exit 0 ;;
              stop) rm -f "$state"; exit 0 ;;
              monitor) [ -f "$state" ] && exit 0 || exit 7 ;;
              slow) sleep 30; exit 0 ;;
              meta-data) echo '<resource-agent name="t"/>'; exit 0 ;;
              *) exit 3 ;;
            esac
            """;

    private Path dir;
    private RemoteDaemon daemon;
    private final byte[] key = "0123456789abcdef-the-test-key".getBytes();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final BlockingQueue<OperationResult> results = new LinkedBlockingQueue<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("pulse-remoted-test");
        Path agent = dir.resolve("resource.d/test/t");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, AGENT);
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(dir.resolve("rsctmp"));
        LrmConfig config = LrmConfig.defaults().withAgentDirs(List.of(dir)).withHaRsctmp(dir.resolve("rsctmp"))
                .withNodeName("remote1");
        RemoteDaemon.Options o = RemoteDaemon.Options.defaults()
                .withListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withKeyFile(dir.resolve("authkey"))
                .withMaxFrameBytes(64 * 1024).withTimeouts(1_000, 3_000);
        daemon = RemoteDaemon.start(o, key, config, line -> {
            log.add(line);
            System.out.println("remoted: " + line);
        });
    }

    @AfterEach
    void tearDown() throws IOException {
        if (daemon != null) {
            daemon.close();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private RemoteClient client(byte[] k, String name) throws IOException {
        return RemoteClient.connect("127.0.0.1", daemon.port(), k, name, 2_000, 1_000, results::add, why -> { });
    }

    private OperationResult next(String key) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < end) {
            OperationResult r = results.poll(100, TimeUnit.MILLISECONDS);
            if (r != null && key.equals(r.transitionKey())) {
                return r;
            }
        }
        return null;
    }

    @Test
    void anOperationRunsOnTheRemoteNodeAndItsResultComesBack() throws Exception {
        try (RemoteClient c = client(key, "node1")) {
            assertEquals("remote1", c.remoteNode());
            assertTrue(c.ping(2_000) >= 0);
            OperationRequest start = OperationRequest.of("r1", AgentRef.ocf("test", "t"), "start", 5_000, Map.of())
                    .withTransitionKey("1:1:0:test");
            int call = c.exec(start, 2_000);
            OperationResult r = next("1:1:0:test");
            assertEquals(call, r.callId());
            assertEquals(0, r.rcCode(), r.summary());
            assertEquals(ExecStatus.DONE, r.execStatus());
            assertEquals("remote1", r.nodeName());
            assertTrue(Files.exists(dir.resolve("rsctmp/r1.state")), "the agent did not run on the daemon's side");
            OperationRequest probe = OperationRequest.probe("r1", AgentRef.ocf("test", "t"), 5_000, Map.of())
                    .withTransitionKey("2:1:7:test");
            c.exec(probe, 2_000);
            assertEquals(0, next("2:1:7:test").rcCode(), "a probe of a started resource finds it running");
        }
    }

    @Test
    void anOperationPastItsTimeoutIsReportedTimedOut() throws Exception {
        try (RemoteClient c = client(key, "node1")) {
            c.exec(OperationRequest.of("r2", AgentRef.ocf("test", "t"), "slow", 500, Map.of())
                    .withTransitionKey("3:1:0:test"), 2_000);
            OperationResult r = next("3:1:0:test");
            assertEquals(ExecStatus.TIMED_OUT, r.execStatus(), r.summary());
            assertEquals(1, r.rcCode());
        }
    }

    @Test
    void aClientWithAnotherKeyIsRefusedAndTheDaemonLogsWhoItWas() throws Exception {
        IOException e = assertThrows(IOException.class, () -> client("another-key-of-sixteen+".getBytes(), "intruder"));
        assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("authentication failed"), e.getMessage());
        assertTrue(log.stream().anyMatch(l -> l.contains("refused connection from /127.0.0.1:")
                && l.contains("intruder") && l.contains("authentication failed")), log.toString());
        // and nothing it asked for ran: the same client cannot get past the handshake to send EXEC at all
        try (RemoteClient good = client(key, "node1")) {
            assertTrue(good.history(2_000).isEmpty());
        }
    }

    @Test
    void aDaemonWithoutTheKeyIsNotTalkedTo() throws Exception {
        // Another key on the daemon: the handshake fails (the client would also refuse a WELCOME without the proof).
        daemon.close();
        LrmConfig config = LrmConfig.defaults().withAgentDirs(List.of(dir)).withNodeName("remote1");
        daemon = RemoteDaemon.start(RemoteDaemon.Options.defaults()
                .withListen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), "a-different-key-123".getBytes(),
                config, log::add);
        IOException e = assertThrows(IOException.class, () -> client(key, "node1"));
        assertTrue(e.getMessage().contains("authentication failed"), e.getMessage());
    }

    @Test
    void anOversizedFrameIsRefusedBeforeItsBodyIsRead() throws Exception {
        try (Socket s = new Socket("127.0.0.1", daemon.port())) {
            s.setSoTimeout(5_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            Frame hello = Frame.read(in, 1 << 20, 5_000);
            assertEquals("HELLO", hello.type());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeInt(512 * 1024 * 1024);   // announces 512 MiB, sends none of it
            out.flush();
            Frame answer = Frame.read(in, 1 << 20, 5_000);
            assertEquals("ERROR", answer.type());
            assertTrue(answer.get("reason").contains("above the limit"), answer.toString());
            assertNull(Frame.read(in, 1 << 20, 5_000), "the daemon keeps the connection open");
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("above the limit of 65536 bytes")), log.toString());
    }

    @Test
    void aConnectionThatNeverAuthenticatesIsDroppedAfterTheHandshakeTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", daemon.port())) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            assertEquals("HELLO", Frame.read(in, 1 << 20, 5_000).type());
            long t0 = System.nanoTime();
            assertNull(Frame.read(in, 1 << 20, 10_000));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 800 && ms < 8_000, "dropped after " + ms + " ms, handshake timeout 1000 ms");
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("no authentication within 1000 ms")), log.toString());
    }

    @Test
    void aNewConnectionReplacesTheOldOneAndLearnsTheHistory() throws Exception {
        BlockingQueue<String> closed = new LinkedBlockingQueue<>();
        RemoteClient first = RemoteClient.connect("127.0.0.1", daemon.port(), key, "node1", 2_000, 1_000,
                results::add, closed::add);
        first.exec(OperationRequest.of("r3", AgentRef.ocf("test", "t"), "start", 5_000, Map.of())
                .withTransitionKey("4:1:0:test"), 2_000);
        assertEquals(0, next("4:1:0:test").rcCode());
        try (RemoteClient second = client(key, "node2")) {
            String why = closed.poll(10, TimeUnit.SECONDS);
            assertTrue(why != null && why.contains("closed the connection"), "the first connection was not ended: " + why);
            List<OperationResult> h = second.history(2_000);
            assertEquals(1, h.size(), h.toString());
            assertEquals("r3_start_0", h.get(0).operationKey());
            assertEquals("4:1:0:test", h.get(0).transitionKey());
            assertTrue(log.stream().anyMatch(l -> l.contains("replaces the one from node1")), log.toString());
        } finally {
            first.close();
        }
    }

    /** A client done by hand up to the sealed link: the test then writes what a real client never would. */
    private record RawLink(Socket socket, DataInputStream in, DataOutputStream out, SealedChannel channel) {
    }

    private RawLink rawLink(byte[] k) throws IOException {
        Socket s = new Socket("127.0.0.1", daemon.port());
        s.setSoTimeout(5_000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        Frame hello = Frame.read(in, 1 << 20, 5_000);
        String nonce = RemoteProtocol.nonce(new java.security.SecureRandom());
        Frame.of("AUTH", "proto", RemoteProtocol.VERSION, "client", "raw", "nonce", nonce, "mac",
                RemoteProtocol.mac(k, "pulse-remote-client", hello.get("nonce"), nonce, "raw")).write(out, 1 << 20);
        assertEquals("WELCOME", Frame.read(in, 1 << 20, 5_000).type());
        return new RawLink(s, in, out, SealedChannel.client(k, hello.get("nonce"), nonce, 1 << 20));
    }

    /** The peer ends the connection after at most a few frames (an ERROR, a RESULT already under way). */
    private static void assertClosed(DataInputStream in, String why) throws IOException {
        for (int i = 0; i < 4; i++) {
            try {
                if (Frame.readPayload(in, 1 << 20, 5_000) == null) {
                    return;
                }
            } catch (java.net.SocketException e) {
                return;   // reset: closed as well
            }
        }
        throw new AssertionError(why);
    }

    private static byte[] exec(String rsc, String transitionKey) {
        java.util.Map<String, String> f = new java.util.LinkedHashMap<>();
        f.put("id", "1");
        f.putAll(RemoteProtocol.requestFields(OperationRequest.of(rsc, AgentRef.ocf("test", "t"), "start", 5_000,
                Map.of()).withTransitionKey(transitionKey)));
        return new Frame("EXEC", f).payload();
    }

    @Test
    void aTamperedFrameEndsTheConnectionAndNothingOfItRuns() throws Exception {
        RawLink l = rawLink(key);
        try (Socket s = l.socket()) {
            byte[] sealed = l.channel().seal(exec("r4", "5:1:0:test"));
            sealed[sealed.length / 2] ^= 0x01;   // one bit on the way
            Frame.writePayload(l.out(), sealed);
            assertClosed(l.in(), "the daemon kept a connection that sent a forged frame");
        }
        assertTrue(log.stream().anyMatch(l2 -> l2.contains("failed authentication")), log.toString());
        Thread.sleep(300);
        assertTrue(!Files.exists(dir.resolve("rsctmp/r4.state")), "the tampered EXEC ran");
    }

    @Test
    void aReplayedOrReorderedFrameIsRefused() throws Exception {
        RawLink l = rawLink(key);
        try (Socket s = l.socket()) {
            byte[] first = l.channel().seal(exec("r5", "6:1:0:test"));
            Frame.writePayload(l.out(), first);
            Frame ack = l.channel().read(l.in(), 5_000);
            if (ack.type().equals("RESULT")) {
                ack = l.channel().read(l.in(), 5_000);   // the start's result may overtake its ACK
            }
            assertEquals("ACK", ack.type(), ack.toString());
            Frame.writePayload(l.out(), first);   // the same bytes again: the EXEC must not run twice
            // (r5's RESULT and the daemon's ERROR may come first; then the connection ends)
            assertClosed(l.in(), "the daemon keeps a connection that replays frames");
        }
        assertTrue(log.stream().anyMatch(l2 -> l2.contains("failed authentication")), log.toString());

        RawLink l2 = rawLink(key);
        try (Socket s = l2.socket()) {
            l2.channel().seal(exec("r6", "7:1:0:test"));   // sealed, never sent
            byte[] b = l2.channel().seal(exec("r7", "8:1:0:test"));
            Frame.writePayload(l2.out(), b);   // second before first
            assertClosed(l2.in(), "the daemon accepted a frame out of order");
        }
        Thread.sleep(300);
        assertTrue(!Files.exists(dir.resolve("rsctmp/r7.state")), "the reordered EXEC ran");
    }

    @Test
    void framesAfterTheHandshakeAreNotReadableOnTheWire() throws Exception {
        RawLink l = rawLink(key);
        try (Socket s = l.socket()) {
            byte[] plain = exec("r8", "9:1:0:the-secret-transition");
            byte[] sealed = l.channel().seal(plain);
            assertTrue(!new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1).contains("the-secret-transition"));
            Frame.writePayload(l.out(), sealed);
            byte[] answer = Frame.readPayload(l.in(), 1 << 20, 5_000);
            assertTrue(!new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1).contains("ACK"),
                    "the daemon answered in the clear");
            assertThrows(Frame.ProtocolException.class, () -> Frame.parse(answer));
        }
    }

    @Test
    void aClientOfTheUnsealedProtocolIsRefusedWithAReason() throws Exception {
        try (Socket s = new Socket("127.0.0.1", daemon.port())) {
            s.setSoTimeout(5_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            Frame hello = Frame.read(in, 1 << 20, 5_000);
            String nonce = "00";
            Frame.of("AUTH", "client", "old", "nonce", nonce, "mac",
                    RemoteProtocol.mac(key, "pulse-remote-client", hello.get("nonce"), nonce, "old"))
                    .write(new DataOutputStream(s.getOutputStream()), 1 << 20);
            Frame answer = Frame.read(in, 1 << 20, 5_000);
            assertEquals("ERROR", answer.type());
            assertTrue(answer.get("reason").contains("upgrade"), answer.toString());
        }
    }
    private OperationRequest op(String rsc, String action, String transitionKey) {
        return OperationRequest.of(rsc, AgentRef.ocf("test", "t"), action, 5_000, Map.of()).withTransitionKey(transitionKey);
    }

    /**
     * SIGTERM's clean stop (issue: a clean stop was taken for a failure and the node fenced): the daemon tells the
     * cluster it is stopping (SHUTDOWN), keeps serving, and closes only once what it ran is stopped, after the
     * stop's result went out to the cluster.
     */
    @Test
    void aCleanStopTellsTheClusterAndClosesOnlyOnceItsResourcesAreStopped() throws Exception {
        BlockingQueue<String> told = new LinkedBlockingQueue<>();
        try (RemoteClient c = client(key, "node1")) {
            c.onShutdown(told::add);
            c.exec(op("r1", "start", "1:1:0:test"), 2_000);
            assertEquals(0, next("1:1:0:test").rcCode());
            Thread stopping = new Thread(() -> daemon.shutdownGracefully(20_000));
            stopping.start();
            String reason = told.poll(10, TimeUnit.SECONDS);
            assertTrue(reason != null && reason.contains("remote1"), "no SHUTDOWN from the daemon: " + reason);
            Thread.sleep(500);
            assertTrue(stopping.isAlive(), "the daemon stopped while r1 still ran: " + log);
            c.exec(op("r1", "stop", "2:1:0:test"), 2_000);
            OperationResult stop = next("2:1:0:test");
            assertTrue(stop != null && stop.rcCode() == 0, "the stop's result must reach the cluster first: " + stop);
            stopping.join(10_000);
            assertTrue(!stopping.isAlive(), "the daemon did not close once r1 was stopped: " + log);
            assertTrue(log.stream().anyMatch(l -> l.contains("nothing of the cluster runs here any more")), log.toString());
        }
    }

    /** Bounded: what the cluster does not stop in time is named, and the daemon closes anyway. */
    @Test
    void aCleanStopGivesUpWaitingAfterItsTimeout() throws Exception {
        try (RemoteClient c = client(key, "node1")) {
            c.exec(op("r1", "start", "1:1:0:test"), 2_000);
            assertEquals(0, next("1:1:0:test").rcCode());
            long t0 = System.nanoTime();
            daemon.shutdownGracefully(700);
            long waitedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(waitedMs >= 600 && waitedMs < 5_000, "waited " + waitedMs + " ms for a 700 ms timeout");
            assertTrue(log.stream().anyMatch(l -> l.contains("still active after") && l.contains("r1")), log.toString());
        }
    }

    /** With no cluster connection there is nobody to tell or wait for. */
    @Test
    void aCleanStopWithoutAConnectionClosesAtOnce() throws Exception {
        long t0 = System.nanoTime();
        daemon.shutdownGracefully(20_000);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 2_000, "waited for nobody");
        assertTrue(log.stream().anyMatch(l -> l.contains("no cluster connection to tell")), log.toString());
    }
}
