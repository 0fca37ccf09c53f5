package org.pulse.messaging;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One message between crmd nodes: what crmd sends and receives. The payload is opaque bytes
 * (crmd encodes it, e.g. as JSON); the rest is checked on decode, and a message that does not
 * decode is dropped and logged, never delivered.
 *
 * @param version       the envelope format version ({@link #VERSION}); decode refuses any other
 * @param kind          a one-way notice, a request expecting a reply, or that reply
 * @param type          what the payload is, chosen by crmd: 1–64 characters of {@code [a-z0-9._-]}
 *                      (e.g. {@code cib.diff})
 * @param sender        the node name of the sender; checked against the JGroups member it came from
 * @param correlationId for a request and its reply the same id (chosen by the requester); for a
 *                      notice a per-sender sequence number, useful in logs
 * @param payload       the bytes crmd put in; copied in and out, so an envelope never changes
 */
public record Envelope(int version, Kind kind, String type, String sender, long correlationId, byte[] payload) {
    /** The only envelope format this code reads and writes. */
    public static final int VERSION = 1;
    /** Largest payload accepted, in bytes: far above a big CIB (a few MB), far below memory trouble. */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

    static final Pattern TYPE = Pattern.compile("[a-z0-9._-]{1,64}");
    static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

    public enum Kind {
        /** One-way: no reply expected. */
        NOTICE(1),
        /** Expects a {@link #REPLY} with the same correlation id (see {@link Messenger#request}). */
        REQUEST(2),
        /** Answers the {@link #REQUEST} with the same correlation id; never delivered to the listener. */
        REPLY(3);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }
    }

    public Envelope {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(payload, "payload");
        if (version != VERSION) {
            throw new IllegalArgumentException("envelope version " + version + " is not supported; this code speaks " + VERSION);
        }
        if (!TYPE.matcher(type).matches()) {
            throw new IllegalArgumentException("message type '" + type + "' is invalid: use 1-64 characters of [a-z0-9._-]");
        }
        checkNodeName(sender);
        if (payload.length > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("payload of " + payload.length + " bytes exceeds the limit of "
                    + MAX_PAYLOAD_BYTES + " bytes");
        }
        payload = payload.clone();
    }

    static void checkNodeName(String name) {
        if (!NODE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("node name '" + name + "' is invalid: use 1-63 characters of"
                    + " [A-Za-z0-9._-], starting with a letter or digit");
        }
    }

    /** A copy of the payload. */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload's size in bytes, without copying it. */
    public int payloadLength() {
        return payload.length;
    }

    /** The payload as a stream, without a copy (e.g. for Jackson's {@code readValue(InputStream)}). */
    public InputStream payloadStream() {
        return new ByteArrayInputStream(payload);
    }

    byte[] payloadUnsafe() {
        return payload;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Envelope e && version == e.version && kind == e.kind && type.equals(e.type)
                && sender.equals(e.sender) && correlationId == e.correlationId && Arrays.equals(payload, e.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, kind, type, sender, correlationId, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Envelope[" + kind + " " + type + " from " + sender + " #" + correlationId + ", " + payload.length + " bytes]";
    }
}
