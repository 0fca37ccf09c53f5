package org.pulse.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The op-digest the engine compares with the LRM's record leaves out what Pacemaker's leaves out. */
class DigestsTest {
    @Test
    void theNamesPacemakerFiltersAreNotInTheDigest() {
        // f2317cad...: Pacemaker's digest of no parameters (" <parameters/>\n"), as crm_simulate records it
        assertEquals("f2317cad3d54cec5d7d7aa7d0bf35cf8", Digests.of(Map.of()));
        assertEquals(Digests.of(Map.of("ip", "192.0.2.1")),
                Digests.of(Map.of("ip", "192.0.2.1", "crm_feature_set", "3.2.0", "pcmk_external_ip", "x")));
        assertNotEquals(Digests.of(Map.of("ip", "192.0.2.1")), Digests.of(Map.of("ip", "192.0.2.2")));
    }
}
