package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EnvelopeCodecTest {
    private static Envelope sample(byte[] payload) {
        return new Envelope(Envelope.VERSION, Envelope.Kind.REQUEST, "cib.diff", "node-2.example", -42L, payload);
    }

    @Test
    void roundTripsEveryKindAndPayloadSize() throws Exception {
        for (Envelope.Kind kind : Envelope.Kind.values()) {
            for (int len : new int[] {0, 1, 70_000}) {
                byte[] payload = new byte[len];
                new Random(len).nextBytes(payload);
                Envelope e = new Envelope(Envelope.VERSION, kind, "t.x-1_y", "n1", Long.MAX_VALUE, payload);
                byte[] wire = EnvelopeCodec.encode(e);
                assertEquals(e, EnvelopeCodec.decode(wire, 0, wire.length));
                byte[] framed = new byte[wire.length + 3];
                System.arraycopy(wire, 0, framed, 2, wire.length);
                assertEquals(e, EnvelopeCodec.decode(framed, 2, wire.length), "at an offset");
            }
        }
    }

    @Test
    void anEnvelopeNeverChangesAfterConstruction() {
        byte[] payload = {1, 2, 3};
        Envelope e = sample(payload);
        payload[0] = 9;
        e.payload()[1] = 9;
        assertEquals(1, e.payload()[0]);
        assertEquals(2, e.payload()[1]);
    }

    private static String rejectReason(byte[] wire) {
        return assertThrows(EnvelopeCodec.MalformedEnvelopeException.class, () -> EnvelopeCodec.decode(wire, 0, wire.length)).getMessage();
    }

    @Test
    void refusesAnotherVersion() {
        byte[] wire = EnvelopeCodec.encode(sample(new byte[5]));
        wire[2] = 2;
        assertTrue(rejectReason(wire).contains("envelope version 2"), rejectReason(wire));
    }

    @Test
    void refusesEveryTruncationAndTrailingBytes() {
        byte[] wire = EnvelopeCodec.encode(sample(new byte[20]));
        for (int len = 0; len < wire.length; len++) {
            int n = len;
            assertThrows(EnvelopeCodec.MalformedEnvelopeException.class, () -> EnvelopeCodec.decode(wire, 0, n), "cut at " + n);
        }
        byte[] longer = java.util.Arrays.copyOf(wire, wire.length + 1);
        assertTrue(rejectReason(longer).contains("unexpected bytes"));
    }

    @Test
    void refusesBadMarkerKindTypeAndSender() {
        byte[] wire = EnvelopeCodec.encode(sample(new byte[0]));
        byte[] marker = wire.clone();
        marker[0] = 'X';
        assertTrue(rejectReason(marker).contains("bad marker"));
        byte[] kind = wire.clone();
        kind[3] = 9;
        assertTrue(rejectReason(kind).contains("unknown message kind 9"));
        byte[] type = wire.clone();
        type[6] = 'A'; // "cib.diff" -> "Aib.diff": upper case is not a type
        assertTrue(rejectReason(type).contains("message type"), rejectReason(type));
        byte[] nonAscii = wire.clone();
        nonAscii[6] = (byte) 0xC3;
        assertTrue(rejectReason(nonAscii).contains("not ASCII"));
        byte[] hugeLength = wire.clone();
        hugeLength[4] = (byte) 0xff;
        assertTrue(rejectReason(hugeLength).contains("truncated"));
    }

    @Test
    void randomGarbageIsRefusedNeverThrowsAnythingElse() {
        long seed = System.nanoTime();
        System.out.println("EnvelopeCodecTest garbage seed " + seed);
        Random rnd = new Random(seed);
        byte[] valid = EnvelopeCodec.encode(sample(new byte[30]));
        for (int k = 0; k < 20_000; k++) {
            byte[] b;
            if (k % 2 == 0) {
                b = new byte[rnd.nextInt(100)];
                rnd.nextBytes(b);
            } else {
                b = valid.clone();
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256); // mutate one byte of a valid one
            }
            try {
                EnvelopeCodec.decode(b, 0, b.length);
            } catch (EnvelopeCodec.MalformedEnvelopeException expected) {
                // refused with a reason: fine
            }
        }
    }

    @Test
    void anOrderSectionRoundTripsAndItsAbsenceLeavesTheOldWireFormat() throws Exception {
        Envelope e = new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, "crmd", "node1", 77, new byte[] {5, 6});
        EnvelopeCodec.Order order = new EnvelopeCodec.Order(12, java.util.Map.of("node2", 40L, "node-3", 41L));
        byte[] wire = EnvelopeCodec.encode(e, order);
        EnvelopeCodec.Decoded d = EnvelopeCodec.decodeWire(wire, 0, wire.length);
        assertEquals(e, d.envelope());
        assertEquals(order, d.order());
        // Without an order section the bytes are exactly what a node without ordered delivery reads.
        assertTrue(java.util.Arrays.equals(EnvelopeCodec.encode(e), EnvelopeCodec.encode(e, EnvelopeCodec.Order.NONE)));
        assertEquals(EnvelopeCodec.Order.NONE, EnvelopeCodec.decodeWire(EnvelopeCodec.encode(e), 0, EnvelopeCodec.encode(e).length).order());
        byte[] truncated = java.util.Arrays.copyOf(wire, 27);
        assertThrows(EnvelopeCodec.MalformedEnvelopeException.class, () -> EnvelopeCodec.decodeWire(truncated, 0, truncated.length));
    }

    @Test
    void constructionChecksTypeAndNames() {
        assertThrows(IllegalArgumentException.class, () -> new Envelope(2, Envelope.Kind.NOTICE, "a", "n", 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Envelope(1, Envelope.Kind.NOTICE, "", "n", 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Envelope(1, Envelope.Kind.NOTICE, "a b", "n", 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Envelope(1, Envelope.Kind.NOTICE, "a", "-n", 0, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Envelope(1, Envelope.Kind.NOTICE, "a", "n\u00e9", 0, new byte[0]));
    }
}
