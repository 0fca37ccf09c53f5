package org.pulse.crmd.arbitrator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import org.pulse.messaging.ClusterKey;

/**
 * {@code pulse-arbitrator}: the quorum arbitrator on a third machine (corosync-qnetd's role), serving
 * any number of clusters, each known by its name and authenticated by its own cluster key. The
 * decisions are {@link VoteBook}'s; this class owns the socket, the threads and the log.
 */
public final class Arbitrator implements AutoCloseable {
    static final String USAGE = """
            usage: pulse-arbitrator [--config FILE]
              The quorum arbitrator for Pulse clusters (as corosync-qnetd): on a split, the DC of each
              part asks for its vote (tie_breaker = arbitrator:HOST[:PORT] in crmd.conf) and it gives the
              vote to one part of each cluster at a time (arbitrator_algorithm ffsplit or lms).
              --config FILE   default /etc/pulse/arbitrator.conf:
                                listen = 0.0.0.0:5403       address and TCP port to listen on
                                lease_ms = 6000             how long a vote holds unrenewed
                                gather_ms = 2000            how long a free vote waits for the other half
                                cluster.NAME = /etc/pulse/arbitrator.d/NAME.authkey
                                                            one line per cluster: its name (crmd.conf's
                                                            'cluster') and a copy of its key (mode 0400)
              --help          this text
            A node whose cluster is not listed, or whose key does not match, is refused and logged.
            See crmd/README.md "Arbitrator".""";

    /** The daemon's settings, from its config file. */
    record Config(InetSocketAddress listen, long leaseMs, long gatherMs, Map<String, Path> clusters) {
    }

    private final ServerSocket server;
    private final VoteBook book;
    private final Map<String, byte[]> keys;
    private final LongSupplier monotonicMs;
    private final ExecutorService workers = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "arbitrator-worker");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();
    private final Map<String, String> lastHolder = new HashMap<>();
    private final Thread acceptor;

    private Arbitrator(Config c, Map<String, byte[]> keys, LongSupplier monotonicMs) throws IOException {
        this.keys = keys;
        this.monotonicMs = monotonicMs;
        this.book = new VoteBook(c.leaseMs(), c.gatherMs(), monotonicMs.getAsLong());
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(c.listen());
        this.acceptor = new Thread(this::acceptForever, "arbitrator-accept");
        acceptor.setDaemon(true);
    }

    /** Loads every cluster's key (a missing or unsafe one stops the start, naming it) and listens. */
    static Arbitrator start(Config c) throws IOException {
        Map<String, byte[]> keys = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : c.clusters().entrySet()) {
            try {
                keys.put(e.getKey(), ClusterKey.load(e.getValue()).derive(ArbitratorProtocol.KEY_LABEL));
            } catch (IOException | RuntimeException ex) {
                throw new IOException("cluster." + e.getKey() + " = " + e.getValue() + ": " + ex.getMessage(), ex);
            }
        }
        long t0 = System.nanoTime();
        Arbitrator a = new Arbitrator(c, keys, () -> (System.nanoTime() - t0) / 1_000_000);
        a.acceptor.start();
        log("listening on " + a.server.getLocalSocketAddress() + " for clusters " + keys.keySet() + "; lease "
                + c.leaseMs() + " ms, gather " + c.gatherMs() + " ms; no vote for the first lease (it may have given"
                + " one before a restart)");
        return a;
    }

    int port() {
        return server.getLocalPort();
    }

    static void log(String line) {
        System.err.println(Instant.now() + " pulse-arbitrator: " + line);
    }

    private void acceptForever() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                workers.execute(() -> serve(s));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    log("accept failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout(3000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = s.getOutputStream();
            String serverNonce = ArbitratorProtocol.nonce(random);
            out.write((ArbitratorProtocol.GREETING + " " + serverNonce + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = ArbitratorProtocol.readLine(in);
            if (line == null) {
                return;
            }
            String[] f = line.split(" ");
            String from = s.getRemoteSocketAddress().toString();
            if (f.length != 9 || !(f[0].equals("ASK") || f[0].equals("RELEASE"))) {
                refuse(out, from, "a malformed question (expected ASK|RELEASE with 9 fields)");
                return;
            }
            byte[] key = keys.get(f[2]);
            if (key == null) {
                refuse(out, from, "cluster '" + f[2] + "' is not served here; add cluster." + f[2]
                        + " = KEYFILE to the arbitrator's config");
                return;
            }
            int cut = line.lastIndexOf(' ');
            if (!ArbitratorProtocol.macMatches(key, serverNonce + "\n" + line.substring(0, cut), f[8])) {
                refuse(out, from, "the question for cluster '" + f[2] + "' does not prove its key; give the"
                        + " arbitrator a copy of that cluster's authkey");
                return;
            }
            VoteBook.Answer answer;
            long now = monotonicMs.getAsLong();
            synchronized (book) {
                if (f[0].equals("RELEASE")) {
                    book.release(f[2], f[3], now);
                    answer = new VoteBook.Answer(VoteBook.Kind.WAIT, 0, "released");
                } else {
                    answer = book.ask(new VoteBook.Ask(f[2], f[3], f[4], f[5], ArbitratorProtocol.names(f[6]),
                            ArbitratorProtocol.names(f[7])), now);
                }
                String holder = book.holder(f[2], now);
                if (!java.util.Objects.equals(holder, lastHolder.get(f[2]))) {
                    log("cluster " + f[2] + ": the vote is " + (holder == null ? "free" : "held by " + holder
                            + "'s part " + ArbitratorProtocol.names(f[7]) + " (" + answer.reason() + ")"));
                    lastHolder.put(f[2], holder);
                }
            }
            String reason = answer.reason().replace('\n', ' ');
            String mac = ArbitratorProtocol.mac(key, ArbitratorProtocol.replyText(serverNonce, f[1], answer.kind(),
                    answer.leaseMs(), reason));
            out.write((answer.kind() + " " + answer.leaseMs() + " " + mac + " " + reason + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException | RuntimeException e) {
            log("a connection failed: " + e);
        }
    }

    private static void refuse(OutputStream out, String from, String why) throws IOException {
        log("refused " + from + ": " + why);
        out.write(("ERROR - - " + why + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
    }

    /** Reads the config file; every problem names the file, the line and what to write instead. */
    static Config readConfig(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": no such config file; write one (see pulse-arbitrator --help)");
        }
        InetSocketAddress listen = new InetSocketAddress(ArbitratorProtocol.DEFAULT_PORT);
        long leaseMs = 6000;
        long gatherMs = 2000;
        Map<String, Path> clusters = new LinkedHashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i).strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            String where = file + ":" + (i + 1) + ": ";
            if (eq < 0) {
                throw new IOException(where + "'" + l + "' is not KEY = VALUE");
            }
            String k = l.substring(0, eq).strip();
            String v = l.substring(eq + 1).strip();
            try {
                if (k.equals("listen")) {
                    int colon = v.lastIndexOf(':');
                    listen = colon < 0 ? new InetSocketAddress(InetAddress.getByName(v), ArbitratorProtocol.DEFAULT_PORT)
                            : new InetSocketAddress(InetAddress.getByName(v.substring(0, colon)),
                                    Integer.parseInt(v.substring(colon + 1)));
                } else if (k.equals("lease_ms")) {
                    leaseMs = Long.parseLong(v);
                } else if (k.equals("gather_ms")) {
                    gatherMs = Long.parseLong(v);
                } else if (k.startsWith("cluster.") && k.length() > 8 && k.substring(8).matches("[A-Za-z0-9_.-]+")) {
                    clusters.put(k.substring(8), Path.of(v));
                } else {
                    throw new IOException(where + "unknown setting '" + k + "' (listen, lease_ms, gather_ms,"
                            + " cluster.NAME)");
                }
            } catch (NumberFormatException e) {
                throw new IOException(where + k + " = " + v + " is not a number");
            }
        }
        if (clusters.isEmpty()) {
            throw new IOException(file + ": no cluster.NAME = KEYFILE line: the arbitrator would serve nobody");
        }
        if (leaseMs < 3000 || gatherMs < 0 || gatherMs >= leaseMs) {
            throw new IOException(file + ": lease_ms (" + leaseMs + ") must be at least 3000 (nodes ask every second"
                    + " and keep a 2000 ms margin) and gather_ms (" + gatherMs + ") between 0 and lease_ms");
        }
        return new Config(listen, leaseMs, gatherMs, clusters);
    }

    public static void main(String[] args) throws Exception {
        Path config = Path.of("/etc/pulse/arbitrator.conf");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                case "--config" -> {
                    if (i + 1 >= args.length) {
                        fail("--config needs a file");
                    }
                    config = Path.of(args[++i]);
                }
                default -> fail("unknown argument '" + args[i] + "'");
            }
        }
        Arbitrator a;
        try {
            a = start(readConfig(config));
        } catch (IOException e) {
            System.err.println("pulse-arbitrator: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                a.close();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }));
        a.acceptor.join();
    }

    private static void fail(String why) {
        System.err.println("pulse-arbitrator: " + why + "\n" + USAGE);
        System.exit(2);
    }
}
