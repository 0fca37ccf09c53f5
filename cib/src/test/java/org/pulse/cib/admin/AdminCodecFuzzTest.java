package org.pulse.cib.admin;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the admin protocol's decoder: mutations of valid request and response lines
 * (bit and byte changes, cuts, insertions, JSON punctuation, huge numbers, deep nesting) are
 * either decoded or refused with {@link AdminProtocolException}; nothing else escapes and nothing
 * hangs. Set -Dfuzz.seed to replay a run; -Dfuzz.count for more inputs.
 */
class AdminCodecFuzzTest {
    private static final String[] TOKENS = {"{", "}", "[", "]", ":", ",", "\"", "\\", "\\u0000", "null", "true", "-1",
        "1e309", "99999999999999999999999", "\"protocol\"", "\"op\"", "\"args\"", "\"id\"", "NaN", "\u00e9", "\ud800"};

    @Test
    void mutatedLinesAreDecodedOrRefusedNeverCrash() {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int count = Integer.getInteger("fuzz.count", 10_000);
        System.out.println("AdminCodecFuzzTest seed " + seed + " (replay: -Dfuzz.seed=" + seed + "), inputs " + count);
        Random rnd = new Random(seed);
        String[] valid = {
            AdminCodec.encode(AdminRequest.query("1")),
            AdminCodec.encode(AdminRequest.replace("2", "<cib><configuration/></cib>")),
            AdminCodec.encode(AdminRequest.resource("5", "move", "vip", "node2")),
            AdminCodec.encode(AdminRequest.node("7", "standby", "node1")),
            AdminCodec.encode(new AdminRequest("8", "x", AdminArgs.of("count", 3, "force", true, "why", "\u00fc"))),
            AdminCodec.encode(AdminResponse.ok("1", AdminArgs.of("xml", "<cib/>", "quorate", true))),
            AdminCodec.encode(AdminResponse.error("2", AdminError.NOT_FOUND, "no resource")),
        };
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int i = 0; i < count; i++) {
                String input = mutate(valid[rnd.nextInt(valid.length)], rnd);
                try {
                    if (rnd.nextBoolean()) {
                        AdminCodec.decodeRequest(input);
                    } else {
                        AdminCodec.decodeResponse(input);
                    }
                } catch (AdminProtocolException expected) {
                    // refused with a code and a message: what must happen to bad input
                } catch (RuntimeException | StackOverflowError e) {
                    throw new AssertionError("seed " + seed + " input #" + i + " escaped as " + e + ": "
                            + (input.length() > 300 ? input.substring(0, 300) + "..." : input), e);
                }
            }
        }, "seed " + seed + ": the decoder hung");
    }

    static String mutate(String s, Random rnd) {
        StringBuilder b = new StringBuilder(s);
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = b.length() == 0 ? 0 : rnd.nextInt(b.length());
            switch (rnd.nextInt(7)) {
                case 0 -> b.insert(at, TOKENS[rnd.nextInt(TOKENS.length)]);
                case 1 -> {
                    if (b.length() > 0) {
                        b.deleteCharAt(at);
                    }
                }
                case 2 -> b.setLength(at);
                case 3 -> {
                    if (b.length() > 0) {
                        b.setCharAt(at, (char) rnd.nextInt(0x3000));
                    }
                }
                case 4 -> b.insert(at, "[".repeat(1 + rnd.nextInt(5_000)));
                case 5 -> b.insert(at, new String(randomBytes(rnd), StandardCharsets.ISO_8859_1));
                default -> b.insert(at, b.substring(rnd.nextInt(Math.max(1, b.length()))));
            }
        }
        return b.toString();
    }

    private static byte[] randomBytes(Random rnd) {
        byte[] x = new byte[1 + rnd.nextInt(16)];
        rnd.nextBytes(x);
        return x;
    }
}
