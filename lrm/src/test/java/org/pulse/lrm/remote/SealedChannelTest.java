package org.pulse.lrm.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The sealed link's two ends in memory: what one seals the other opens once, in order, with the same key only. */
class SealedChannelTest {
    private static final byte[] KEY = "0123456789abcdef-the-test-key".getBytes(StandardCharsets.US_ASCII);

    @Test
    void framesGoBothWaysInOrder() throws Exception {
        SealedChannel client = SealedChannel.client(KEY, "d-nonce", "c-nonce", 4096);
        SealedChannel daemon = SealedChannel.daemon(KEY, "d-nonce", "c-nonce", 4096);
        for (int i = 0; i < 3; i++) {
            ByteArrayOutputStream wire = new ByteArrayOutputStream();
            client.write(Frame.of("PING", "id", Integer.toString(i)), wire);
            Frame f = daemon.read(new ByteArrayInputStream(wire.toByteArray()), 1_000);
            assertEquals(Integer.toString(i), f.get("id"));
            ByteArrayOutputStream back = new ByteArrayOutputStream();
            daemon.write(Frame.of("PONG", "id", Integer.toString(i)), back);
            assertEquals("PONG", client.read(new ByteArrayInputStream(back.toByteArray()), 1_000).type());
        }
    }

    @Test
    void aFrameOpensOnceOnlyAndOnlyInOrder() throws Exception {
        SealedChannel client = SealedChannel.client(KEY, "d", "c", 4096);
        SealedChannel daemon = SealedChannel.daemon(KEY, "d", "c", 4096);
        byte[] one = client.seal(Frame.of("PING", "id", "1").payload());
        byte[] two = client.seal(Frame.of("PING", "id", "2").payload());
        assertThrows(Frame.ProtocolException.class, () -> daemon.open(two), "opened out of order");
        daemon.open(one);
        assertThrows(Frame.ProtocolException.class, () -> daemon.open(one), "a replay opened");
    }

    @Test
    void anotherKeyAnotherConnectionOrTheOwnDirectionDoNotOpen() {
        SealedChannel client = SealedChannel.client(KEY, "d", "c", 4096);
        byte[] sealed = client.seal(Frame.of("PING", "id", "1").payload());
        byte[] other = "another-key-of-sixteen+".getBytes(StandardCharsets.US_ASCII);
        assertThrows(Frame.ProtocolException.class, () -> SealedChannel.daemon(other, "d", "c", 4096).open(sealed));
        assertThrows(Frame.ProtocolException.class, () -> SealedChannel.daemon(KEY, "d", "c2", 4096).open(sealed),
                "a frame of one connection opened on another");
        assertThrows(Frame.ProtocolException.class, () -> SealedChannel.client(KEY, "d", "c", 4096).open(sealed),
                "a frame reflected back to its sender opened");
    }

    @Test
    void aFlippedBitOrACutFrameDoesNotOpen() {
        SealedChannel client = SealedChannel.client(KEY, "d", "c", 4096);
        byte[] sealed = client.seal(Frame.of("EXEC", "id", "1", "rsc", "r1").payload());
        for (int i = 0; i < sealed.length; i += 7) {
            byte[] t = sealed.clone();
            t[i] ^= 0x40;
            int at = i;
            assertThrows(Frame.ProtocolException.class, () -> SealedChannel.daemon(KEY, "d", "c", 4096).open(t),
                    "byte " + at + " altered and the frame opened");
        }
        byte[] cut = java.util.Arrays.copyOf(sealed, sealed.length - 1);
        assertThrows(Frame.ProtocolException.class, () -> SealedChannel.daemon(KEY, "d", "c", 4096).open(cut));
    }

    @Test
    void aFrameAboveTheLimitIsNotSent() {
        SealedChannel client = SealedChannel.client(KEY, "d", "c", 4096);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        Frame.ProtocolException e = assertThrows(Frame.ProtocolException.class,
                () -> client.write(Frame.of("EXEC", "p.big", "x".repeat(5000)), wire));
        assertTrue(e.getMessage().contains("above the limit"), e.getMessage());
        assertEquals(0, wire.size());
    }

    @Test
    void hkdfMatchesRfc5869TestCase1() {
        // RFC 5869 A.1 (SHA-256), first 32 bytes of OKM.
        byte[] ikm = HexFormat.of().parseHex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
        byte[] salt = HexFormat.of().parseHex("000102030405060708090a0b0c");
        byte[] info = HexFormat.of().parseHex("f0f1f2f3f4f5f6f7f8f9");
        byte[] okm = SealedChannel.hkdf(ikm, salt, info);
        assertArrayEquals(HexFormat.of().parseHex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"), okm);
    }
}
