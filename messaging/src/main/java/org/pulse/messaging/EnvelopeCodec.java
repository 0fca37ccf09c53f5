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
 *   correlationId(8)  payloadLength(4) payload
 * </pre>
 * Decoding is strict: the magic, the version, the kind, every length, the character sets and
 * the total size must all be exactly right, or the bytes are refused with the reason. (The
 * seal below, {@link SealProtocol}, already guarantees the bytes came from a key holder; these
 * checks catch version skew and bugs, not attackers.)
 */
final class EnvelopeCodec {
    static final byte MAGIC_0 = 'P';
    static final byte MAGIC_1 = 'E';
    private static final int FIXED_BYTES = 2 + 1 + 1 + 2 + 2 + 8 + 4;

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
        byte[] type = e.type().getBytes(StandardCharsets.US_ASCII);
        byte[] sender = e.sender().getBytes(StandardCharsets.US_ASCII);
        byte[] payload = e.payloadUnsafe();
        ByteBuffer buf = ByteBuffer.allocate(FIXED_BYTES + type.length + sender.length + payload.length);
        buf.put(MAGIC_0).put(MAGIC_1).put((byte) e.version()).put((byte) e.kind().code);
        buf.putShort((short) type.length).put(type);
        buf.putShort((short) sender.length).put(sender);
        buf.putLong(e.correlationId());
        buf.putInt(payload.length).put(payload);
        return buf.array();
    }

    static Envelope decode(byte[] bytes, int offset, int length) throws MalformedEnvelopeException {
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
            int kindCode = buf.get() & 0xff;
            Envelope.Kind kind = Envelope.Kind.ofCode(kindCode);
            if (kind == null) {
                throw new MalformedEnvelopeException("unknown message kind " + kindCode);
            }
            String type = ascii(buf, "type");
            String sender = ascii(buf, "sender");
            long correlationId = buf.getLong();
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
                return new Envelope(version, kind, type, sender, correlationId, payload);
            } catch (IllegalArgumentException e) {
                throw new MalformedEnvelopeException(e.getMessage());
            }
        } catch (BufferUnderflowException e) {
            throw new MalformedEnvelopeException("truncated: ends inside the header");
        }
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
