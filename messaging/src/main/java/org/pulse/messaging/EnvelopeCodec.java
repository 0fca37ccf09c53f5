package org.pulse.messaging;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The wire form of an {@link Envelope} (big-endian):
 * <pre>
 *   'P' 'E'  version(1)  kind(1)  typeLength(2) type(US-ASCII)  senderLength(2) sender(US-ASCII)
 *   correlationId(8)  [order]  payloadLength(4) payload
 *   order, present when the kind byte has {@link #ORDERED} set:
 *   afterMulticast(8)  count(2) { nameLength(2) name(US-ASCII)  afterUnicast(8) }*
 * </pre>
 * The order section ({@link Order}: {@link SendOrder}, {@link DeliveryOrder}) goes only to nodes that
 * advertise reading it ({@link Messenger}); an older node would refuse the kind byte.
 * Decoding is strict: the magic, the version, the kind, every length, the character sets and
 * the total size must all be exactly right, or the bytes are refused with the reason. (The
 * seal below, {@link SealProtocol}, already guarantees the bytes came from a key holder; these
 * checks catch version skew and bugs, not attackers.)
 */
final class EnvelopeCodec {
    static final byte MAGIC_0 = 'P';
    static final byte MAGIC_1 = 'E';
    private static final int FIXED_BYTES = 2 + 1 + 1 + 2 + 2 + 8 + 4;
    /** Set in the kind byte when an order section follows the correlation id. */
    static final int ORDERED = 0x80;
    /** Names in one order section at most: more than any cluster's members. */
    static final int MAX_ORDER_ENTRIES = 4096;

    /**
     * What a message must be delivered after: the sender's multicast {@code afterMulticast} (0: none), and
     * for each receiver named, the sender's unicast to it (a multicast names one per receiver).
     */
    record Order(long afterMulticast, java.util.Map<String, Long> afterUnicast) {
        static final Order NONE = new Order(0, java.util.Map.of());

        boolean none() {
            return afterMulticast == 0 && afterUnicast.isEmpty();
        }
    }

    /** An envelope as it came off the wire, with its order section ({@link Order#NONE} without one). */
    record Decoded(Envelope envelope, Order order) {
    }

    private EnvelopeCodec() {
    }

    /** Why bytes are not an envelope. */
    static final class MalformedEnvelopeException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedEnvelopeException(String message) {
            super(message);
        }
    }

    static byte[] encode(Envelope e) {
        return encode(e, Order.NONE);
    }

    /** With an order section unless {@code order} is {@link Order#NONE}: then exactly {@link #encode(Envelope)}. */
    static byte[] encode(Envelope e, Order order) {
        byte[] type = e.type().getBytes(StandardCharsets.US_ASCII);
        byte[] sender = e.sender().getBytes(StandardCharsets.US_ASCII);
        byte[] payload = e.payloadUnsafe();
        boolean ordered = !order.none();
        int orderBytes = 0;
        if (ordered) {
            orderBytes = 8 + 2;
            for (String name : order.afterUnicast().keySet()) {
                orderBytes += 2 + name.length() + 8;
            }
        }
        ByteBuffer buf = ByteBuffer.allocate(FIXED_BYTES + type.length + sender.length + orderBytes + payload.length);
        buf.put(MAGIC_0).put(MAGIC_1).put((byte) e.version()).put((byte) (e.kind().code | (ordered ? ORDERED : 0)));
        buf.putShort((short) type.length).put(type);
        buf.putShort((short) sender.length).put(sender);
        buf.putLong(e.correlationId());
        if (ordered) {
            buf.putLong(order.afterMulticast());
            buf.putShort((short) order.afterUnicast().size());
            for (java.util.Map.Entry<String, Long> a : order.afterUnicast().entrySet()) {
                byte[] name = a.getKey().getBytes(StandardCharsets.US_ASCII);
                buf.putShort((short) name.length).put(name).putLong(a.getValue());
            }
        }
        buf.putInt(payload.length).put(payload);
        return buf.array();
    }

    static Envelope decode(byte[] bytes, int offset, int length) throws MalformedEnvelopeException {
        return decodeWire(bytes, offset, length).envelope();
    }

    static Decoded decodeWire(byte[] bytes, int offset, int length) throws MalformedEnvelopeException {
        if (length < FIXED_BYTES) {
            throw new MalformedEnvelopeException("truncated: " + length + " bytes, an envelope has at least " + FIXED_BYTES);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, offset, length);
        try {
            if (buf.get() != MAGIC_0 || buf.get() != MAGIC_1) {
                throw new MalformedEnvelopeException("not a Pulse envelope (bad marker)");
            }
            int version = buf.get() & 0xff;
            if (version != Envelope.VERSION) {
                throw new MalformedEnvelopeException("envelope version " + version + ", this node speaks "
                        + Envelope.VERSION + ": run the same Pulse version on every node");
            }
            int kindByte = buf.get() & 0xff;
            int kindCode = kindByte & ~ORDERED;
            Envelope.Kind kind = Envelope.Kind.ofCode(kindCode);
            if (kind == null) {
                throw new MalformedEnvelopeException("unknown message kind " + kindCode);
            }
            String type = ascii(buf, "type");
            String sender = ascii(buf, "sender");
            long correlationId = buf.getLong();
            Order order = (kindByte & ORDERED) == 0 ? Order.NONE : order(buf);
            int payloadLength = buf.getInt();
            if (payloadLength < 0 || payloadLength > Envelope.MAX_PAYLOAD_BYTES) {
                throw new MalformedEnvelopeException("payload length " + payloadLength + " is out of range");
            }
            if (payloadLength != buf.remaining()) {
                throw new MalformedEnvelopeException(payloadLength > buf.remaining()
                        ? "truncated: payload says " + payloadLength + " bytes, " + buf.remaining() + " present"
                        : (buf.remaining() - payloadLength) + " unexpected bytes after the payload");
            }
            byte[] payload = new byte[payloadLength];
            buf.get(payload);
            try {
                return new Decoded(new Envelope(version, kind, type, sender, correlationId, payload), order);
            } catch (IllegalArgumentException e) {
                throw new MalformedEnvelopeException(e.getMessage());
            }
        } catch (BufferUnderflowException e) {
            throw new MalformedEnvelopeException("truncated: ends inside the header");
        }
    }

    private static Order order(ByteBuffer buf) throws MalformedEnvelopeException {
        long afterMulticast = buf.getLong();
        int n = buf.getShort() & 0xffff;
        if (n > MAX_ORDER_ENTRIES) {
            throw new MalformedEnvelopeException("order section names " + n + " receivers, at most " + MAX_ORDER_ENTRIES);
        }
        java.util.Map<String, Long> afterUnicast = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            afterUnicast.put(ascii(buf, "order section's receiver"), buf.getLong());
        }
        return new Order(afterMulticast, java.util.Map.copyOf(afterUnicast));
    }

    private static String ascii(ByteBuffer buf, String what) throws MalformedEnvelopeException {
        int n = buf.getShort() & 0xffff;
        if (n > buf.remaining()) {
            throw new MalformedEnvelopeException("truncated: " + what + " length " + n + " exceeds the "
                    + buf.remaining() + " bytes left");
        }
        ByteBuffer slice = buf.slice();
        slice.limit(n);
        buf.position(buf.position() + n);
        try {
            return StandardCharsets.US_ASCII.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedEnvelopeException(what + " is not ASCII");
        }
    }
}
