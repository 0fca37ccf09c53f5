package org.pulse.lrm.remote;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of the remote executor protocol: a type and string fields, in order.
 * On the wire: a 4-byte big-endian length, then that many bytes of payload: the type, a field count,
 * then name and value per field, each string as a 4-byte length and its UTF-8 bytes.
 * Both ends refuse a frame longer than their limit before reading its body, so a stranger (or a
 * broken peer) cannot make either side allocate more than the limit.
 */
public record Frame(String type, Map<String, String> fields) {
    public Frame {
        Objects.requireNonNull(type, "type");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** A frame of this type with alternating names and values. */
    public static Frame of(String type, String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("fields of " + type + " come in name/value pairs");
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            f.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return new Frame(type, f);
    }

    public String get(String name) {
        return fields.get(name);
    }

    /** The field, or a clear error naming the frame when the peer left it out. */
    public String require(String name) throws ProtocolException {
        String v = fields.get(name);
        if (v == null) {
            throw new ProtocolException(type + " frame lacks the field '" + name + "'");
        }
        return v;
    }

    public long requireLong(String name) throws ProtocolException {
        String v = require(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ProtocolException(type + " frame: field '" + name + "' is not a number: " + v);
        }
    }

    /** A frame the peer sent that breaks the protocol: too long, malformed, unexpected. */
    public static final class ProtocolException extends IOException {
        public ProtocolException(String message) {
            super(message);
        }
    }

    /** The payload bytes (without the length prefix). */
    byte[] payload() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + fields.size() * 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            str(out, type);
            out.writeInt(fields.size());
            for (Map.Entry<String, String> e : fields.entrySet()) {
                str(out, e.getKey());
                str(out, e.getValue() == null ? "" : e.getValue());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    /** Writes length and payload; refuses (before writing anything) a frame above {@code maxBytes}. */
    public void write(OutputStream out, int maxBytes) throws IOException {
        byte[] p = payload();
        if (p.length > maxBytes) {
            throw new ProtocolException(type + " frame of " + p.length + " bytes is above the limit of " + maxBytes
                    + " bytes; not sent");
        }
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(p.length);
        d.write(p);
        d.flush();
    }

    /**
     * Reads one frame. The socket's read timeout bounds each read; {@code frameTimeoutMs} bounds the whole
     * frame once its first byte arrived, so a peer trickling a byte at a time cannot hold a reader. Returns
     * null at a clean end of stream before a frame starts.
     */
    public static Frame read(InputStream in, int maxBytes, long frameTimeoutMs) throws IOException {
        byte[] p = readPayload(in, maxBytes, frameTimeoutMs);
        return p == null ? null : parse(p);
    }

    /** Writes a length prefix and the bytes (an already sealed frame); the caller checked the limit. */
    static void writePayload(OutputStream out, byte[] p) throws IOException {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(p.length);
        d.write(p);
        d.flush();
    }

    /** One length-prefixed payload, bounded as {@link #read} says; null at a clean end of stream. */
    static byte[] readPayload(InputStream in, int maxBytes, long frameTimeoutMs) throws IOException {
        DataInputStream d = new DataInputStream(in);
        int first = d.read();
        if (first < 0) {
            return null;
        }
        int len = (first << 24) | (d.readUnsignedByte() << 16) | (d.readUnsignedByte() << 8) | d.readUnsignedByte();
        if (len < 0 || len > maxBytes) {
            throw new ProtocolException("frame of " + Integer.toUnsignedString(len) + " bytes announced, above the limit of "
                    + maxBytes + " bytes");
        }
        byte[] p = new byte[len];
        long deadline = System.nanoTime() + frameTimeoutMs * 1_000_000L;
        int off = 0;
        while (off < len) {
            int n = d.read(p, off, len - off);
            if (n < 0) {
                throw new EOFException("connection closed inside a frame (" + off + " of " + len + " bytes)");
            }
            off += n;
            if (off < len && System.nanoTime() > deadline) {
                throw new ProtocolException("frame of " + len + " bytes not complete within " + frameTimeoutMs + " ms");
            }
        }
        return p;
    }

    static Frame parse(byte[] p) throws ProtocolException {
        try {
            DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(p));
            String type = str(in, p.length);
            int n = in.readInt();
            if (n < 0 || n > p.length / 8) {
                throw new ProtocolException("frame " + type + " claims " + n + " fields in " + p.length + " bytes");
            }
            Map<String, String> f = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                f.put(str(in, p.length), str(in, p.length));
            }
            return new Frame(type, f);
        } catch (ProtocolException e) {
            throw e;
        } catch (IOException e) {
            throw new ProtocolException("malformed frame: " + e.getMessage());
        }
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String str(DataInputStream in, int limit) throws IOException {
        int len = in.readInt();
        if (len < 0 || len > limit) {
            throw new ProtocolException("string of " + len + " bytes in a frame of " + limit);
        }
        byte[] b = new byte[len];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return type + fields.keySet();
    }
}
