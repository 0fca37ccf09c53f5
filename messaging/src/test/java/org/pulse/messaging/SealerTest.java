package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SealerTest {
    private static final long SEED = 20261122L;

    private static ClusterKey key(int seed) {
        byte[] b = new byte[32];
        new Random(seed).nextBytes(b);
        return ClusterKey.ofBytes(b);
    }

    @Test
    void aSealedMessageOpensOnAnotherNodeWithTheSameKey() throws Exception {
        Sealer a = new Sealer(key(1), new SecureRandom());
        Sealer b = new Sealer(key(1), new SecureRandom());
        Random rnd = new Random(SEED);
        System.out.println("SealerTest seed " + SEED);
        for (int len : new int[] {0, 1, 15, 16, 17, 1000, 200_000}) {
            byte[] plain = new byte[len];
            rnd.nextBytes(plain);
            byte[] sealed = a.seal(plain, 0, len);
            assertEquals(Sealer.HEADER_BYTES + len + Sealer.TAG_BYTES, sealed.length);
            assertArrayEquals(plain, b.open(sealed, 0, sealed.length));
            assertArrayEquals(plain, a.open(sealed, 0, sealed.length), "a node opens its own (loopback)");
        }
    }

    private static void assertEquals(int expected, int actual) {
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual);
    }

    @Test
    void theSameMessageSealsDifferentlyEachTime() {
        Sealer a = new Sealer(key(1), new SecureRandom());
        byte[] plain = "same".getBytes();
        assertFalse(Arrays.equals(a.seal(plain, 0, 4), a.seal(plain, 0, 4)), "the counter makes every nonce new");
    }

    @Test
    void anotherKeyIsRefused() {
        byte[] sealed = new Sealer(key(1), new SecureRandom()).seal(new byte[100], 0, 100);
        Sealer other = new Sealer(key(2), new SecureRandom());
        Sealer.SealException e = assertThrows(Sealer.SealException.class, () -> other.open(sealed, 0, sealed.length));
        assertTrue(e.getMessage().contains("another cluster key"), e.getMessage());
    }

    @Test
    void everyFlippedBitIsRefused() {
        Sealer a = new Sealer(key(1), new SecureRandom());
        byte[] sealed = a.seal(new byte[40], 0, 40);
        // Header bits are authenticated too (they are the AAD), not just the ciphertext.
        for (int i = 0; i < sealed.length; i++) {
            byte[] bad = sealed.clone();
            bad[i] ^= 0x01;
            int at = i;
            assertThrows(Sealer.SealException.class, () -> a.open(bad, 0, bad.length), "bit flipped at byte " + at);
        }
    }

    @Test
    void truncatedOrUnsealedOrOtherVersionIsRefusedWithItsReason() {
        Sealer a = new Sealer(key(1), new SecureRandom());
        byte[] sealed = a.seal(new byte[40], 0, 40);
        Sealer.SealException shortMsg = assertThrows(Sealer.SealException.class, () -> a.open(sealed, 0, 20));
        assertTrue(shortMsg.getMessage().contains("too short"));
        assertThrows(Sealer.SealException.class, () -> a.open(sealed, 0, sealed.length - 1), "tag cut short");
        byte[] plain = "PE plaintext that is long enough to pass the length check".getBytes();
        assertTrue(assertThrows(Sealer.SealException.class, () -> a.open(plain, 0, plain.length)).getMessage().contains("not sealed"));
        byte[] v2 = sealed.clone();
        v2[2] = 2;
        assertTrue(assertThrows(Sealer.SealException.class, () -> a.open(v2, 0, v2.length)).getMessage().contains("seal version 2"));
    }

    @Test
    void aSecondCopyOfAnAuthenticMessageIsRefusedAsADuplicate() throws Exception {
        Sealer a = new Sealer(key(1), new SecureRandom());
        Sealer b = new Sealer(key(1), new SecureRandom());
        byte[] first = a.seal(new byte[10], 0, 10);
        byte[] second = a.seal(new byte[10], 0, 10);
        b.open(second, 0, second.length);
        b.open(first, 0, first.length); // out of order is fine
        Sealer.SealException e = assertThrows(Sealer.DuplicateException.class, () -> b.open(first, 0, first.length));
        assertTrue(e.getMessage().contains("already received"), e.getMessage());
        assertThrows(Sealer.DuplicateException.class, () -> b.open(second, 0, second.length));
    }

    @Test
    void forgedMessagesNeitherCreateSessionsNorMoveWindows() throws Exception {
        Sealer a = new Sealer(key(1), new SecureRandom());
        Sealer b = new Sealer(key(1), new SecureRandom());
        Sealer forger = new Sealer(key(9), new SecureRandom());
        byte[] real = a.seal(new byte[10], 0, 10);
        // The forger copies the real header (salt, and a counter far ahead) onto garbage.
        byte[] forged = forger.seal(new byte[10], 0, 10);
        System.arraycopy(real, 0, forged, 0, Sealer.HEADER_BYTES);
        java.nio.ByteBuffer.wrap(forged, 3 + Sealer.SALT_BYTES, 8).putLong(1_000_000L);
        assertThrows(Sealer.SealException.class, () -> b.open(forged, 0, forged.length));
        b.open(real, 0, real.length); // counter 0 still accepted: the forgery moved nothing
    }

    @Test
    void opensAtAnOffset() throws Exception {
        Sealer a = new Sealer(key(3), new SecureRandom());
        byte[] sealed = a.seal("payload".getBytes(), 0, 7);
        byte[] framed = new byte[sealed.length + 10];
        System.arraycopy(sealed, 0, framed, 5, sealed.length);
        assertArrayEquals("payload".getBytes(), a.open(framed, 5, sealed.length));
    }
}
