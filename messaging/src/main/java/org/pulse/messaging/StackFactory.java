package org.pulse.messaging;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jgroups.protocols.BARRIER;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.PerDestinationBundler;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.IpAddress;
import org.jgroups.stack.Protocol;

/**
 * The JGroups 5.5.7 protocol stack, bottom first, configured in code from a
 * {@link MessagingConfig}. The order matters:
 * <ul>
 * <li>the seal sits directly on TCP so that every message above, discovery included, is sealed;</li>
 * <li>FD_SOCK2 (crash: broken connection) and {@link Heartbeats} (silence, along a ring, on a dedicated
 *     thread; FD_ALL3 on the shared timer only to measure) raise
 *     suspicions, VERIFY_SUSPECT2 confirms them, the suspicion guard holds back those this node
 *     formed while it was starved of CPU, the suspect tap reports the rest, GMS acts;</li>
 * <li>NAKACK2/UNICAST3 make multicast/unicast reliable and ordered, STABLE garbage-collects,
 *     UFC/MFC keep a fast sender from flooding a slow receiver, FRAG2 splits big messages
 *     (a 200 KB CIB) into 60 KB fragments below the flow control credits.</li>
 * </ul>
 */
final class StackFactory {
    /** Packets queued per connection when the peer does not read; seconds of normal traffic. */
    static final int MAX_SEND_QUEUE_PACKETS = 1024;

    /**
     * The largest frame a peer may announce on a connection. JGroups allocates the announced
     * length before reading it, so without a bound a stranger (no key needed: this is below the
     * seal) picks our allocation sizes. Real frames are bundles of at most max_bundle_size (64 KB)
     * of FRAG2 fragments (60 KB each), so 4 MiB leaves room for any legitimate frame.
     */
    static final int MAX_FRAME_BYTES = 4 * 1024 * 1024;

    private StackFactory() {
    }

    static List<Protocol> build(MessagingConfig config, Protocol seal, Protocol heardTap, Protocol heartbeats,
            Protocol suspicionGuard, Protocol suspectTap, Protocol trafficKinds, DropLog dropLog) {
        Timing t = config.timing();
        InetSocketAddress bind = config.primaryLink();
        List<Protocol> stack = new ArrayList<>();

        TCP tcp;
        if (config.secondLink() != null) {
            Map<IpAddress, IpAddress> seconds = new HashMap<>();
            config.peerSecondLinks().forEach((firstLink, secondLink) -> seconds.put(new IpAddress(firstLink), new IpAddress(secondLink)));
            tcp = new MultiLinkTCP(config.nodeName(), config.secondLink(), seconds);
        } else {
            tcp = new TCP();
        }
        // Threads JGroups creates lazily must not inherit the heartbeat thread's MAX_PRIORITY (NormalPriorityThreads).
        tcp.setThreadFactory(new NormalPriorityThreads());
        tcp.setValue("bind_addr", bind.getAddress());
        tcp.setValue("bind_port", bind.getPort());
        tcp.setValue("port_range", 0); // exactly the configured port: a second node must not slide onto the next one
        tcp.setValue("tcp_nodelay", true); // figures.md: Nagle costs 200 KB replies 2-10x at the median
        tcp.setValue("sock_conn_timeout", t.fdSockConnectTimeoutMs());
        tcp.setValue("peer_addr_read_timeout", t.peerAddressReadTimeoutMs()); // a starved joiner is slow, not gone
        // A peer whose link is cut (no reset) stops reading: a blocking write to it must stall only
        // that peer's traffic, never a thread that also carries every live member's heartbeats
        // (SilentPeerSoakTest). Over one link the per-destination bundler below does that: each peer
        // its own thread and a bounded queue that drops when full (UNICAST3/NAKACK2 retransmit what
        // matters, heartbeats are idempotent). MultiLinkTCP sends to every peer of a link from one
        // thread, so there each connection gets its own sender thread and bounded queue too
        // (non_blocking_sends); over one link that second thread and queue per connection cost a
        // thread per peer (31 of ~250 per node at 32 nodes) and a hand-off per packet, for nothing.
        boolean multiLink = tcp instanceof MultiLinkTCP;
        tcp.setValue("non_blocking_sends", multiLink);
        tcp.setValue("max_send_queue", MAX_SEND_QUEUE_PACKETS);
        // Connecting to a cut-off peer blocks the sending thread for sock_conn_timeout (0.6 D, about
        // the whole FD_ALL3 timeout), and traffic to the dead address (discovery, merge probes)
        // goes on after it is removed. JGroups' default bundler sends to every destination from
        // one thread, so such a wait delays the live members' heartbeats too. One sender thread per
        // destination confines it to the dead peer's own queue. SilentPeerSoakTest, 3 nodes, one
        // link cut, survivors watched 45 s: 12 view changes before, 4 with non-blocking sends
        // alone, 0 with both.
        tcp.setBundler(new PerDestinationBundler().useSingleSenderThread(false));
        tcp.setValue("log_discard_msgs", false); // other clusters' traffic is not news
        tcp.enableStats(true); // message counts for /metrics (Messenger.messagesReceived): a few counter increments
        tcp.setMaxLength(MAX_FRAME_BYTES);
        tcp.setSocketFactory(new PeerAddressFilter(config.peerHosts(), dropLog));
        // Connect from the configured address, which is what the peers' filters accept (the
        // kernel's own choice of source may be another address of a multi-homed host).
        tcp.setValue("client_bind_addr", bind.getAddress());
        // JGroups 5.5.7 answers diagnostics probes (UDP multicast 224.0.75.75:7500) by default:
        // view, members and addresses to anyone who asks, below the seal. Nothing of Pulse uses it.
        try {
            tcp.setDiagnosticsHandler(tcp.createDiagnosticsHandler().setEnabled(false));
        } catch (Exception e) {
            throw new IllegalStateException("cannot turn JGroups diagnostics off", e);
        }
        if (seal != null) {
            // Heartbeats are read on the connection's thread, not handed to the pool (the seal hands on the rest).
            tcp.setMessageProcessingPolicy(OobOnReceiverThread.class.getName());
        }
        stack.add(tcp);

        if (seal != null) {
            stack.add(seal);
        }
        // Above the seal, where messages are open: what each node receives and sends, by kind.
        stack.add(trafficKinds);

        TCPPING ping = new TCPPING();
        ping.setInitialHosts(config.peers());
        ping.setPortRange(0);
        ping.setValue("return_entire_cache", false);
        stack.add(ping);

        // Only coordinators run MERGE3's discovery rounds and send INFO: O(n) for the cluster, not O(n^2) (CoordinatorMerge3).
        MERGE3 merge = new CoordinatorMerge3();
        merge.setValue("min_interval", t.mergeMinIntervalMs());
        merge.setValue("max_interval", t.mergeMaxIntervalMs());
        stack.add(merge);

        // Its own port, below the seal: only configured nodes' addresses may connect (see the class).
        FD_SOCK2 fdSock = new PeerFilteredFdSock(config.peerHosts(), dropLog);
        fdSock.setBindAddress(bind.getAddress());
        fdSock.setOffset(MessagingConfig.FD_SOCK_PORT_OFFSET);
        fdSock.setPortRange(5);
        fdSock.setValue("connect_timeout", t.fdSockAnswerTimeoutMs());
        stack.add(fdSock);

        // Below Heartbeats, which consumes heartbeats: when each member was last heard, for the
        // guard's second opinion. Null only when the guard is off (measurements).
        if (heardTap != null) {
            stack.add(heardTap);
        }
        if (heartbeats != null) {
            // Heartbeats on a dedicated thread of their own rather than the shared timer (Heartbeats).
            stack.add(heartbeats);
        } else {
            // Only to measure what the dedicated thread is worth (HeartbeatPathTest, Messenger).
            FD_ALL3 fdAll = new FD_ALL3();
            fdAll.setValue("timeout", t.heartbeatTimeoutMs());
            fdAll.setValue("interval", t.heartbeatIntervalMs());
            stack.add(fdAll);
        }

        // As VERIFY_SUSPECT2, but a suspicion goes up when its timeout ends rather than at the next tick.
        VERIFY_SUSPECT2 verify = new PromptVerifySuspect();
        verify.setValue("timeout", t.verifySuspectTimeoutMs());
        stack.add(verify);

        // Between the verification and GMS: a suspicion this node formed while starved of CPU
        // never reaches GMS, so it never becomes a view (SuspicionGuard); null only for measurements.
        if (suspicionGuard != null) {
            stack.add(suspicionGuard);
        }
        stack.add(suspectTap);
        stack.add(new BARRIER());

        NAKACK2 nakack = new NAKACK2();
        nakack.setValue("use_mcast_xmit", false); // TCP has no IP multicast
        stack.add(nakack);
        stack.add(new UNICAST3());

        STABLE stable = new STABLE();
        stable.setValue("desired_avg_gossip", 5_000L);
        stable.setValue("max_bytes", 4_000_000L);
        stack.add(stable);

        GMS gms = new GMS();
        gms.setValue("join_timeout", t.joinTimeoutMs());
        gms.setValue("view_ack_collection_timeout", t.viewAckTimeoutMs());
        gms.setValue("merge_timeout", t.mergeTimeoutMs());
        gms.setValue("print_local_addr", false);
        stack.add(gms);

        UFC ufc = new UFC();
        ufc.setValue("max_credits", 4_000_000L);
        ufc.setValue("min_threshold", 0.4);
        stack.add(ufc);
        MFC mfc = new MFC();
        mfc.setValue("max_credits", 4_000_000L);
        mfc.setValue("min_threshold", 0.4);
        stack.add(mfc);

        FRAG2 frag = new FRAG2();
        frag.setValue("frag_size", 60_000);
        stack.add(frag);
        return stack;
    }
}
