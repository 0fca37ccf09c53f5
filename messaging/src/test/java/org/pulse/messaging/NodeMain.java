package org.pulse.messaging;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

/**
 * A messaging node in its own JVM, for ProcessTest: prints one line per event on stdout
 * ({@code VIEW a,b,c}, {@code MSG type sender}) and answers every request with {@code test.ack}.
 * Leaves the cluster gracefully and exits when its stdin closes, so it never outlives its parent.
 *
 * <p>Arguments: cluster name host:port[+host2:port2] peers keyFile detectionMs, where peers is
 * {@code host:port[+host2:port2],...} (a second address is the node's second link). Reads
 * commands on stdin: {@code send NODE TYPE} sends a notice.
 */
public final class NodeMain {
    private NodeMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: NodeMain CLUSTER NAME HOST:PORT PEERS KEYFILE DETECTION_MS");
            System.exit(2);
        }
        MessagingConfig.Builder b = MessagingConfig.builder(args[0], args[1])
                .clusterKey(ClusterKey.load(Path.of(args[4]))).failureDetectionMs(Long.parseLong(args[5]));
        for (String link : args[2].split("\\+")) {
            b.listenOn(parse(link));
        }
        for (String p : args[3].split(",")) {
            String[] links = p.split("\\+");
            if (links.length == 2) {
                b.peer(parse(links[0]), parse(links[1]));
            } else {
                b.peer(parse(links[0]));
            }
        }
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
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] cmd = line.trim().split("\\s+");
                if (cmd.length == 3 && cmd[0].equals("send")) {
                    println("SENT " + m.send(cmd[1], cmd[2], new byte[0]));
                }
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
