package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jgroups.util.ExtendedUUID;
import org.junit.jupiter.api.Test;

/**
 * A node's address in the form every release reads: the previous release takes the incarnation only as 8 big-endian
 * bytes (anything else reads as 0) and names views after it, so another form splits a mixed cluster's view ids.
 */
class AddressWireFormTest {

    @Test
    void theIncarnationTravelsAsEightBigEndianBytes() {
        long incarnation = 1_796_653_284_830_168L; // wall-clock micros, as Incarnations makes them
        ExtendedUUID a = Messenger.addressFor("node1", incarnation, true);
        assertArrayEquals(ByteBuffer.allocate(8).putLong(incarnation).array(), a.get("pulse.inc"));
        assertArrayEquals("node1".getBytes(StandardCharsets.US_ASCII), a.get("pulse.node"));
        assertEquals(incarnation, Messenger.incarnationOf(a));
    }

    @Test
    void anIncarnationInAnotherFormReadsAsNone() {
        ExtendedUUID a = ExtendedUUID.randomUUID("node3").put("pulse.inc", "1796653284830168".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0L, Messenger.incarnationOf(a));
    }
}
