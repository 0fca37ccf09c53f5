package org.pulse.messaging;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import org.jgroups.Header;
import org.jgroups.Message;
import org.jgroups.protocols.PingHeader;
import org.jgroups.protocols.UnicastHeader3;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NakAckHeader2;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * Counts the messages this node receives and sends by kind, just above the seal (where they are open): the
 * kind is the header of the highest protocol that put one on the message (the one that made it: GMS's
 * JOIN_REQ, STABLE's gossip, MERGE3's INFO, a heartbeat, a UNICAST3 ack), and a message whose top header is
 * NAKACK2's MSG or UNICAST3's DATA came from above GMS: crmd's own (whose types {@link Messenger} counts).
 * Why: what grows with the cluster is a question of which kind each node receives more of per second as the
 * members grow (issue 17: bench/scale and /metrics). Passes everything on unchanged and allocates nothing
 * per message: a fixed array of counters indexed by direction, header and type.
 *
 * <p>Public only because JGroups instantiates protocols reflectively in some paths; not an API.
 */
public final class TrafficKinds extends Protocol {
    private static final int MAX_PROTOCOLS = 32;
    private static final int MAX_TYPES = 32;
    private static final int IN = 0;
    private static final int OUT = 1;
    /** Slot for a message with no header from above this protocol. */
    private static final int BARE = 0;

    /** Header ids of the protocols above, top first; slot i + 1 of the counters. Set once at init. */
    private short[] ids = new short[0];
    private String[] names = new String[0];
    private final AtomicLongArray counts = new AtomicLongArray(2 * (MAX_PROTOCOLS + 1) * MAX_TYPES);

    TrafficKinds() {
    }

    @Override
    public void init() throws Exception {
        super.init();
        List<Short> found = new ArrayList<>();
        List<String> named = new ArrayList<>();
        // getProtocols() lists top first; stop at this protocol.
        for (Protocol p : getProtocolStack().getProtocols()) {
            if (p == this) {
                break;
            }
            short id = p instanceof Heartbeats ? Heartbeats.PROTOCOL_ID : p.getId();
            if (id != 0 && !found.contains(id) && found.size() < MAX_PROTOCOLS) {
                found.add(id);
                named.add(p instanceof Heartbeats ? "heartbeat" : p.getName());
            }
        }
        short[] s = new short[found.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = found.get(i);
        }
        names = named.toArray(new String[0]);
        ids = s;
    }

    @Override
    public Object up(Message msg) {
        count(IN, msg);
        return up_prot.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Message m : batch) {
            count(IN, m);
        }
        up_prot.up(batch);
    }

    @Override
    public Object down(Message msg) {
        count(OUT, msg);
        return down_prot.down(msg);
    }

    private void count(int direction, Message msg) {
        short[] s = ids;
        for (int i = 0; i < s.length; i++) {
            Header h = msg.getHeader(s[i]);
            if (h != null) {
                counts.incrementAndGet(index(direction, i + 1, typeOf(h)));
                return;
            }
        }
        counts.incrementAndGet(index(direction, BARE, 0));
    }

    private static int index(int direction, int slot, int type) {
        return (direction * (MAX_PROTOCOLS + 1) + slot) * MAX_TYPES + type;
    }

    /** The header's own message type where JGroups makes it public, else 0; clamped to the table. */
    private static int typeOf(Header h) {
        int t = 0;
        if (h instanceof GMS.GmsHeader g) {
            t = g.getType();
        } else if (h instanceof NakAckHeader2 n) {
            t = n.getType();
        } else if (h instanceof UnicastHeader3 u) {
            t = u.type();
        } else if (h instanceof PingHeader p) {
            t = p.type();
        }
        return t >= 0 && t < MAX_TYPES ? t : MAX_TYPES - 1;
    }

    private String kindName(int slot, int type) {
        if (slot == BARE) {
            return "no-header";
        }
        String protocol = names[slot - 1];
        String typeName = switch (protocol) {
            case "GMS" -> GMS.GmsHeader.type2String(type);
            case "NAKACK2" -> type == NakAckHeader2.MSG ? "crmd-multicast" : NakAckHeader2.type2Str((byte) type);
            case "UNICAST3" -> type == UnicastHeader3.DATA ? "crmd-unicast" : UnicastHeader3.type2Str((byte) type);
            case "TCPPING" -> type == PingHeader.GET_MBRS_REQ ? "GET_MBRS_REQ" : type == PingHeader.GET_MBRS_RSP ? "GET_MBRS_RSP" : null;
            default -> null;
        };
        return typeName == null ? protocol : protocol + "." + typeName;
    }

    /** Messages by "in KIND" / "out KIND" since start (only kinds seen), sorted. */
    Map<String, Long> snapshot() {
        Map<String, Long> out = new TreeMap<>();
        for (int direction = IN; direction <= OUT; direction++) {
            for (int slot = 0; slot <= names.length; slot++) {
                for (int type = 0; type < MAX_TYPES; type++) {
                    long n = counts.get(index(direction, slot, type));
                    if (n > 0) {
                        out.merge((direction == IN ? "in " : "out ") + kindName(slot, type), n, Long::sum);
                    }
                }
            }
        }
        return out;
    }
}
