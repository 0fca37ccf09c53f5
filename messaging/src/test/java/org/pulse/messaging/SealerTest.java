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
            assertEquals(a.headerBytes() + len + Sealer.TAG_BYTES, sealed.length);
            assertArrayEquals(plain, b.open(sealed, 0, sealed.length).plain());
            assertArrayEquals(plain, a.open(sealed, 0, sealed.length).plain(), "a node opens its own (loopback)");
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
        byte[] v3 = sealed.clone();
        v3[2] = 3;
        assertTrue(assertThrows(Sealer.SealException.class, () -> a.open(v3, 0, v3.length)).getMessage().contains("seal version 3"));
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
        System.arraycopy(real, 0, forged, 0, a.headerBytes());
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
        assertArrayEquals("payload".getBytes(), a.open(framed, 5, sealed.length).plain());
    }

    @Test
    void aKeyHolderUnderANameNotConfiguredIsRefused() throws Exception {
        Incarnations book = Incarnations.of(java.util.Set.of("node1", "node2", "node3"), null, 0, System::nanoTime);
        Sealer node1 = new Sealer(key(1), new SecureRandom(), "node1", 10, book);
        Sealer stranger = new Sealer(key(1), new SecureRandom(), "node9", 10, Incarnations.open());
        Sealer node2 = new Sealer(key(1), new SecureRandom(), "node2", 10, Incarnations.open());
        byte[] m = stranger.seal(new byte[5], 0, 5);
        Sealer.SealException e = assertThrows(Sealer.SealException.class, () -> node1.open(m, 0, m.length));
        assertTrue(e.getMessage().contains("'node9' is not a node of this cluster"), e.getMessage());
        byte[] ok = node2.seal(new byte[5], 0, 5);
        org.junit.jupiter.api.Assertions.assertEquals("node2", node1.open(ok, 0, ok.length).sender());
    }

    @Test
    void anEarlierIncarnationIsRefusedEvenByAReceiverThatRestarted(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.util.Set<String> names = java.util.Set.of("node1", "node2");
        java.nio.file.Path n1State = dir.resolve("node1");
        java.nio.file.Path n2State = dir.resolve("node2");
        long clock = 1_000;
        // node2's first start; node1 hears from it, then both restart.
        long inc1 = Incarnations.nextOwn(n2State, () -> clock);
        Sealer node2First = new Sealer(key(1), new SecureRandom(), "node2", inc1, Incarnations.of(names, n2State, 0, System::nanoTime));
        byte[] recorded = node2First.seal(new byte[8], 0, 8);
        Sealer node1First = new Sealer(key(1), new SecureRandom(), "node1", Incarnations.nextOwn(n1State, () -> clock),
                Incarnations.of(names, n1State, 0, System::nanoTime));
        node1First.open(recorded, 0, recorded.length);

        long inc2 = Incarnations.nextOwn(n2State, () -> clock); // the clock went back: the counter still grows
        assertTrue(inc2 > inc1, inc1 + " then " + inc2);
        Sealer node2Second = new Sealer(key(1), new SecureRandom(), "node2", inc2, Incarnations.of(names, n2State, 0, System::nanoTime));
        Sealer node1Second = new Sealer(key(1), new SecureRandom(), "node1", Incarnations.nextOwn(n1State, () -> clock),
                Incarnations.of(names, n1State, 0, System::nanoTime));
        byte[] live = node2Second.seal(new byte[8], 0, 8);
        node1Second.open(live, 0, live.length);
        Sealer.SealException e = assertThrows(Sealer.SealException.class, () -> node1Second.open(recorded, 0, recorded.length));
        assertTrue(e.getMessage().contains("has since restarted"), e.getMessage());

        // node1 restarts once more: what it learned is on disk, the replay is still refused first.
        Sealer node1Third = new Sealer(key(1), new SecureRandom(), "node1", Incarnations.nextOwn(n1State, () -> clock),
                Incarnations.of(names, n1State, 0, System::nanoTime));
        assertThrows(Sealer.SealException.class, () -> node1Third.open(recorded, 0, recorded.length));
    }

    @Test
    void twoProcessesWithOneNameAreNotBothHeard() throws Exception {
        Sealer receiver = new Sealer(key(1), new SecureRandom(), "node1", 5, Incarnations.open());
        Sealer first = new Sealer(key(1), new SecureRandom(), "node2", 7, Incarnations.open());
        Sealer twin = new Sealer(key(1), new SecureRandom(), "node2", 7, Incarnations.open());
        byte[] a = first.seal(new byte[3], 0, 3);
        byte[] b = twin.seal(new byte[3], 0, 3);
        receiver.open(a, 0, a.length);
        Sealer.SealException e = assertThrows(Sealer.SealException.class, () -> receiver.open(b, 0, b.length));
        assertTrue(e.getMessage().contains("second sender calls itself node2"), e.getMessage());

        // A newer incarnation displaces a live one only after the live one fell silent.
        long[] nowNanos = {0};
        Sealer r2 = new Sealer(key(1), new SecureRandom(), "node1", 5,
                Incarnations.of(java.util.Set.of(), null, 1_000, () -> nowNanos[0]));
        Sealer restarted = new Sealer(key(1), new SecureRandom(), "node2", 8, Incarnations.open());
        r2.open(a, 0, a.length);
        byte[] fromRestarted = restarted.seal(new byte[3], 0, 3);
        assertThrows(Sealer.SealException.class, () -> r2.open(fromRestarted, 0, fromRestarted.length), "node2 (7) still speaks");
        nowNanos[0] = 1_001_000_000L;
        r2.open(fromRestarted, 0, fromRestarted.length); // silent for over 1 s: a restart
        byte[] late = first.seal(new byte[3], 0, 3);
        assertTrue(assertThrows(Sealer.SealException.class, () -> r2.open(late, 0, late.length)).getMessage().contains("has since restarted"));

        byte[] myName = new Sealer(key(1), new SecureRandom(), "node1", 99, Incarnations.open()).seal(new byte[3], 0, 3);
        assertTrue(assertThrows(Sealer.SealException.class, () -> receiver.open(myName, 0, myName.length)).getMessage()
                .contains("this node's own name"));
    }

    /**
     * The rolling key change of crmd/README.md: step 1 every node accepts the new key, step 2
     * every node seals with it and accepts the old, step 3 the old key goes. Nodes of adjacent
     * steps always understand each other; a node of step 3 no longer opens the old key.
     */
    @Test
    void aRollingKeyChangeKeepsAdjacentStepsTalking() throws Exception {
        ClusterKey oldKey = key(1);
        ClusterKey newKey = key(2);
        Sealer step0 = new Sealer(oldKey, java.util.List.of(), new SecureRandom(), "n0", 1, Incarnations.open());
        Sealer step1 = new Sealer(oldKey, java.util.List.of(newKey), new SecureRandom(), "n1", 1, Incarnations.open());
        Sealer step2 = new Sealer(newKey, java.util.List.of(oldKey), new SecureRandom(), "n2", 1, Incarnations.open());
        Sealer step3 = new Sealer(newKey, java.util.List.of(), new SecureRandom(), "n3", 1, Incarnations.open());
        Sealer[] steps = {step0, step1, step2, step3};
        for (int i = 0; i < steps.length; i++) {
            for (int j = 0; j < steps.length; j++) {
                byte[] m = steps[i].seal(new byte[4], 0, 4);
                Sealer to = steps[j];
                boolean sealedWithOld = i < 2;
                boolean opensOld = j <= 2;
                boolean opensNew = j >= 1;
                if (Math.abs(i - j) <= 1) {
                    org.junit.jupiter.api.Assertions.assertTrue(sealedWithOld ? opensOld : opensNew, "adjacent steps " + i + ", " + j);
                }
                if (sealedWithOld ? opensOld : opensNew) {
                    org.junit.jupiter.api.Assertions.assertEquals(4, to.open(m, 0, m.length).plain().length, "step " + i + " -> " + j);
                } else {
                    assertThrows(Sealer.SealException.class, () -> to.open(m, 0, m.length), "step " + i + " -> " + j);
                }
            }
        }
    }
}
