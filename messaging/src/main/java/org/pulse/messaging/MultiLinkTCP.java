package org.pulse.messaging;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Address;
import org.jgroups.blocks.cs.BaseServer;
import org.jgroups.blocks.cs.TcpServer;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.IpAddress;

/**
 * JGroups' TCP transport over two links: every packet to a peer goes out on both, each link on
 * its own sender thread with a bounded queue, and packets arriving on either link are received.
 * So while one link works, every member hears every other and nothing is suspected; a node is
 * lost only when all its links are.
 *
 * <p>Why both at once rather than a primary and a standby: no failover decision, no probe to
 * tune, no gap while switching. The duplicates cost bandwidth only: reliable traffic is
 * deduplicated by NAKACK2/UNICAST3 sequence numbers (inside the seal), and the unreliable kind
 * (heartbeats, discovery, MERGE3 and VERIFY_SUSPECT2 probes) is idempotent.
 *
 * <p>Why a thread and a bounded queue per link: a cut link (no reset) fills the socket buffer
 * and then blocks the writer, and connecting over a dead link blocks for the connect timeout.
 * That must stall only that link's queue, which then drops, never the other link or the sender.
 *
 * <p>The node's identity in JGroups (its physical address, FD_SOCK2) stays on the first link; the
 * second link exists only down here, through the map from each peer's first-link address to its
 * second-link address.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class MultiLinkTCP extends TCP {
    private static final Logger LOG = System.getLogger("org.pulse.messaging");
    /** Packets waiting per link; at a few hundred bytes each, this holds seconds of traffic. */
    private static final int QUEUE_PACKETS = 4096;

    private final InetSocketAddress secondLink;
    private final Map<IpAddress, IpAddress> peerSecondLinks;
    private final String nodeName;
    private TcpServer secondServer;
    private LinkSender first;
    private LinkSender second;

    MultiLinkTCP(String nodeName, InetSocketAddress secondLink, Map<IpAddress, IpAddress> peerSecondLinks) {
        this.nodeName = nodeName;
        this.secondLink = secondLink;
        this.peerSecondLinks = Map.copyOf(peerSecondLinks);
    }

    @Override
    public void start() throws Exception {
        super.start();
        TcpServer s = new TcpServer(getThreadFactory(), getSocketFactory(), secondLink.getAddress(), secondLink.getPort(),
                secondLink.getPort(), null, 0, recv_buf_size);
        s.usePeerConnections(true);
        s.peerAddressReadTimeout(peer_addr_read_timeout); // as on the first link: a starved peer is slow, not gone
        s.nonBlockingSends(non_blocking_sends).maxSendQueue(max_send_queue); // as on the first link: a cut link must not block a writer
        BaseServer b = s;
        b.receiver(this).timeService(time_service).socketConnectionTimeout(sock_conn_timeout).tcpNodelay(tcp_nodelay)
                .linger(linger).clientBindAddress(secondLink.getAddress()).log(log);
        s.start();
        secondServer = s;
        first = new LinkSender("link1", (dest, buf) -> srv.send(dest, buf, 0, buf.length));
        second = new LinkSender("link2", (dest, buf) -> secondServer.send(dest, buf, 0, buf.length));
    }

    @Override
    public void stop() {
        if (first != null) {
            first.stop();
            second.stop();
        }
        if (secondServer != null) {
            secondServer.stop();
        }
        super.stop();
    }

    @Override
    public void send(Address dest, byte[] data, int offset, int length) throws Exception {
        IpAddress alternate = dest instanceof IpAddress ip ? peerSecondLinks.get(ip) : null;
        if (alternate == null || first == null) {
            super.send(dest, data, offset, length); // a peer with one link, or ourselves
            return;
        }
        // The bundler reuses its buffer once we return: the queued copies must be our own.
        byte[] copy = new byte[length];
        System.arraycopy(data, offset, copy, 0, length);
        first.offer(dest, copy);
        second.offer(alternate, copy);
    }

    /** Packets dropped because a link's queue was full (that link is down or slow). */
    long droppedPackets() {
        return (first == null ? 0 : first.dropped.get()) + (second == null ? 0 : second.dropped.get());
    }

    private interface Send {
        void send(Address dest, byte[] packet) throws Exception;
    }

    private final class LinkSender {
        private final String name;
        private final Send send;
        private final BlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(QUEUE_PACKETS);
        private final AtomicLong dropped = new AtomicLong();
        private final Thread thread;
        private volatile boolean running = true;
        private long lastErrorLogNanos;

        LinkSender(String name, Send send) {
            this.name = name;
            this.send = send;
            this.thread = new Thread(this::run, "pulse-" + name + "-" + nodeName);
            thread.setDaemon(true);
            thread.start();
        }

        void offer(Address dest, byte[] packet) {
            if (!queue.offer(new Object[] {dest, packet})) {
                dropped.incrementAndGet();
            }
        }

        void stop() {
            running = false;
            thread.interrupt();
        }

        private void run() {
            while (running) {
                Object[] item;
                try {
                    item = queue.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (item == null) {
                    continue;
                }
                try {
                    send.send((Address) item[0], (byte[]) item[1]);
                } catch (Exception e) {
                    long now = System.nanoTime();
                    if (now - lastErrorLogNanos > TimeUnit.SECONDS.toNanos(10)) {
                        lastErrorLogNanos = now;
                        LOG.log(Level.WARNING, nodeName + ": " + name + " cannot reach " + item[0] + ": " + e
                                + " (the other link carries the traffic; reported at most every 10 s)");
                    }
                }
            }
        }
    }
}
