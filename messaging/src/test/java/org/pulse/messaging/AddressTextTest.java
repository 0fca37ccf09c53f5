package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.jgroups.util.ExtendedUUID;
import org.junit.jupiter.api.Test;

/** A node's JGroups address reads as text in logs, and still carries its incarnation. */
class AddressTextTest {

    @Test
    void anAddressPrintsAsTextAndCarriesItsIncarnation() {
        long incarnation = 1_796_653_284_830_168L; // wall-clock micros, as Incarnations makes them
        ExtendedUUID a = Messenger.addressFor("node1", incarnation, true);
        String printed = a.print();
        assertTrue(printed.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "printable: " + printed);
        assertTrue(printed.contains("1796653284830168"), printed);
        assertEquals(incarnation, Messenger.incarnationOf(a));
    }

    @Test
    void anEarlierPulsesBinaryIncarnationStillReads() {
        ExtendedUUID a = ExtendedUUID.randomUUID("node2")
                .put("pulse.inc", ByteBuffer.allocate(8).putLong(42L).array());
        assertEquals(42L, Messenger.incarnationOf(a));
    }

    @Test
    void aMalformedIncarnationReadsAsNone() {
        ExtendedUUID a = ExtendedUUID.randomUUID("node3").put("pulse.inc", "12a4".getBytes(StandardCharsets.US_ASCII));
        assertEquals(0L, Messenger.incarnationOf(a));
    }
}
