package org.pulse.messaging;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Several messengers on loopback in this JVM, sharing one key file; closes them all. */
final class TestCluster implements AutoCloseable {
    final String clusterName;
    final long failureDetectionMs;
    final List<InetSocketAddress> addresses;
    final Map<String, Messenger> nodes = new LinkedHashMap<>();
    final Map<String, Recorder> recorders = new LinkedHashMap<>();
    final ClusterKey key;

    TestCluster(Path dir, String clusterName, int size, long failureDetectionMs) throws IOException {
        this.clusterName = clusterName;
        this.failureDetectionMs = failureDetectionMs;
        this.addresses = TestNet.freeAddresses(size);
        this.key = ClusterKey.generate(dir.resolve("authkey-" + clusterName));
    }

    static String name(int i) {
        return "node" + (i + 1);
    }

    /** Node i of this cluster: every node of it is a configured member. */
    MessagingConfig config(int i, ClusterKey withKey) {
        return builder(i, name(i), withKey).memberNames(names(allIndexes())).build();
    }

    /** A node listening on address i under any name, with a member list of its own. */
    MessagingConfig.Builder builder(int i, String nodeName, ClusterKey withKey) {
        return MessagingConfig.builder(clusterName, nodeName).listenOn(addresses.get(i)).peers(addresses)
                .failureDetectionMs(failureDetectionMs).clusterKey(withKey);
    }

    private int[] allIndexes() {
        int[] all = new int[addresses.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = i;
        }
        return all;
    }

    Messenger start(int i) {
        Recorder r = new Recorder();
        Messenger m = Messenger.start(config(i, key), r);
        nodes.put(name(i), m);
        recorders.put(name(i), r);
        return m;
    }

    Messenger node(int i) {
        return nodes.get(name(i));
    }

    Recorder recorder(int i) {
        return recorders.get(name(i));
    }

    List<String> names(int... indexes) {
        List<String> out = new ArrayList<>();
        for (int i : indexes) {
            out.add(name(i));
        }
        return out;
    }

    @Override
    public void close() {
        for (Messenger m : nodes.values()) {
            m.close();
        }
    }
}
