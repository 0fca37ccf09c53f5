package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What a node of the next wire version meets (crmd/README "Versions and rolling upgrades"): its
 * seal and its envelopes are refused with both versions named, so it never enters a view of this
 * version's nodes and the cluster runs on; and the allowed names of a running node change
 * (crm cluster add/remove) without a restart.
 */
class VersionSkewTest {
    private static ClusterKey key() {
        byte[] b = new byte[ClusterKey.KEY_BYTES];
        new java.util.Random(7).nextBytes(b);
        return ClusterKey.ofBytes(b);
    }

    @Test
    void aMessageSealedWithTheNextSealVersionIsRefusedNamingBoth() throws Exception {
        Sealer newer = new Sealer(key(), new SecureRandom());
        Sealer ours = new Sealer(key(), new SecureRandom());
        byte[] sealed = newer.seal(new byte[] {1, 2, 3}, 0, 3);
        sealed[2] = (byte) (Sealer.VERSION + 1);
        Sealer.SealException e = assertThrows(Sealer.SealException.class, () -> ours.open(sealed, 0, sealed.length));
        assertTrue(e.getMessage().contains("seal version " + (Sealer.VERSION + 1) + ", this node speaks " + Sealer.VERSION),
                e.getMessage());
    }

    @Test
    void anEnvelopeOfTheNextVersionIsRefusedNamingBoth() {
        byte[] bytes = EnvelopeCodec.encode(new Envelope(Envelope.VERSION, Envelope.Kind.NOTICE, "crmd", "n1", 1, new byte[0]));
        bytes[2] = (byte) (Envelope.VERSION + 1);
        EnvelopeCodec.MalformedEnvelopeException e = assertThrows(EnvelopeCodec.MalformedEnvelopeException.class,
                () -> EnvelopeCodec.decode(bytes, 0, bytes.length));
        assertTrue(e.getMessage().contains("envelope version " + (Envelope.VERSION + 1) + ", this node speaks "
                + Envelope.VERSION), e.getMessage());
    }

    @Test
    void aNameAddedWhileRunningIsAcceptedAndARemovedOneRefused() throws Exception {
        Incarnations book = Incarnations.of(Set.of("n1", "n2"), null, 1000, System::nanoTime);
        Sealer receiver = new Sealer(key(), new SecureRandom(), "n1", 1, book);
        Sealer n3 = new Sealer(key(), new SecureRandom(), "n3", 1, Incarnations.open());
        byte[] plain = {9, 8, 7};
        byte[] first = n3.seal(plain, 0, plain.length);
        assertThrows(Sealer.SealException.class, () -> receiver.open(first, 0, first.length), "n3 is not listed yet");
        book.allow(Set.of("n1", "n2", "n3"));
        byte[] second = n3.seal(plain, 0, plain.length);
        assertArrayEquals(plain, receiver.open(second, 0, second.length).plain());
        book.allow(Set.of("n1", "n2"));
        byte[] third = n3.seal(plain, 0, plain.length);
        assertThrows(Sealer.SealException.class, () -> receiver.open(third, 0, third.length), "n3 was removed");
        assertThrows(IllegalArgumentException.class, () -> book.allow(Set.of()));
    }
}
