package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the cluster message decoder (what a key holder's corrupted or hostile bytes
 * meet after the seal): mutations of every kind of valid message are decoded or refused with
 * {@link MessageCodec.DecodeException}; nothing else escapes, nothing hangs, and no announced
 * length makes it allocate more than the input allows. -Dfuzz.seed replays, -Dfuzz.count scales.
 */
class MessageCodecFuzzTest {
    @Test
    void mutatedMessagesAreDecodedOrRefusedNeverCrash() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int count = Integer.getInteger("fuzz.count", 20_000);
        System.out.println("MessageCodecFuzzTest seed " + seed + " (replay: -Dfuzz.seed=" + seed + "), inputs " + count);
        Random rnd = new Random(seed);
        List<byte[]> valid = MessageCodecTest.samples().stream().map(MessageCodec::encode).toList();
        int[] refused = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < count; i++) {
                byte[] input = mutate(valid.get(rnd.nextInt(valid.size())), rnd);
                try {
                    MessageCodec.decode(input);
                } catch (MessageCodec.DecodeException expected) {
                    refused[0]++;
                } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    throw new AssertionError("seed " + seed + " input #" + i + " (" + input.length + " bytes) escaped as " + e, e);
                }
            }
        }, "seed " + seed + ": the decoder hung");
        System.out.println("MessageCodecFuzzTest: " + refused[0] + " of " + count + " refused, the rest decoded");
    }

    static byte[] mutate(byte[] valid, Random rnd) {
        byte[] b = valid.clone();
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[at] = (byte) rnd.nextInt(256);
                case 2 -> b = java.util.Arrays.copyOf(b, at);
                case 3 -> {
                    // an announced length or count made huge, negative or off by a little
                    if (at + 4 <= b.length) {
                        int[] lengths = {Integer.MAX_VALUE, -2, 1 << 30, 1_000_001, ByteBuffer.wrap(b, at, 4).getInt() + 1};
                        ByteBuffer.wrap(b, at, 4).putInt(lengths[rnd.nextInt(lengths.length)]);
                    }
                }
                case 4 -> {
                    byte[] longer = new byte[b.length + 1 + rnd.nextInt(64)];
                    System.arraycopy(b, 0, longer, 0, b.length);
                    rnd.nextBytes(java.util.Arrays.copyOfRange(longer, b.length, longer.length));
                    b = longer;
                }
                default -> {
                    int len = rnd.nextInt(Math.min(32, b.length - at) + 1);
                    byte[] cut = new byte[b.length - len];
                    System.arraycopy(b, 0, cut, 0, at);
                    System.arraycopy(b, at + len, cut, at, b.length - at - len);
                    b = cut;
                }
            }
        }
        return b;
    }
}
