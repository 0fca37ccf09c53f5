package org.pulse.messaging;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A messaging node in its own JVM, for ProcessTest: prints one line per event on stdout
 * ({@code VIEW a,b,c}, {@code MSG type sender}) and answers every request with {@code test.ack}.
 * Leaves the cluster gracefully and exits when its stdin closes, so it never outlives its parent.
 *
 * <p>Arguments: cluster name host:port peers(host:port,...) keyFile detectionMs
 */
public final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: NodeMain CLUSTER NAME HOST:PORT PEERS KEYFILE DETECTION_MS");
            System.exit(2);
        }
        MessagingConfig.Builder b = MessagingConfig.builder(args[0], args[1]).listenOn(parse(args[2]))
                .clusterKey(ClusterKey.load(Path.of(args[4]))).failureDetectionMs(Long.parseLong(args[5]));
        List<InetSocketAddress> peers = new ArrayList<>();
        for (String p : args[3].split(",")) {
            peers.add(parse(p));
        }
        b.peers(peers);
        Messenger[] self = new Messenger[1];
        Object lock = new Object();
        MessagingListener listener = new MessagingListener() {
            @Override
            public void onView(ClusterView view) {
                println("VIEW " + String.join(",", view.members()));
            }

            @Override
            public void onSuspect(Set<String> nodeNames) {
                println("SUSPECT " + String.join(",", nodeNames));
            }

            @Override
            public void onMessage(Envelope e) {
                println("MSG " + e.type() + " " + e.sender());
                Messenger m;
                synchronized (lock) {
                    m = self[0];
                }
                if (e.kind() == Envelope.Kind.REQUEST && m != null) {
                    m.reply(e, "test.ack", ("ack from " + m.nodeName()).getBytes(StandardCharsets.UTF_8));
                }
            }
        };
        Messenger m = Messenger.start(b.build(), listener);
        synchronized (lock) {
            self[0] = m;
        }
        println("READY " + m.nodeName());
        InputStream in = System.in;
        try {
            while (in.read() >= 0) {
                // wait for EOF
            }
        } catch (IOException e) {
            // parent gone
        }
        m.close();
        println("CLOSED");
        System.exit(0);
    }

    private static synchronized void println(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
