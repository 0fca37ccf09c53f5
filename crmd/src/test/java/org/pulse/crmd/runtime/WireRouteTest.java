package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pulse.messaging.Envelope;

/**
 * An envelope whose type crmd does not know is refused with a line naming the sender and the type
 * (warned once per sender and type, then at debug level), never dropped in silence; the known
 * types keep their routes.
 */
class WireRouteTest {
    @Test
    void knownTypesKeepTheirRoutes() {
        assertEquals(WireRoute.CONTROLLER, WireRoute.of(CrmdRuntime.MESSAGE_TYPE, Envelope.Kind.NOTICE));
        assertEquals(WireRoute.NODE_LIST_REQUEST, WireRoute.of(NodeList.TYPE, Envelope.Kind.REQUEST));
        assertEquals(WireRoute.NODE_LIST_SYNC, WireRoute.of(NodeList.SYNC_TYPE, Envelope.Kind.NOTICE));
    }

    @Test
    void anUnknownTypeOrKindIsRefusedByName() {
        assertEquals(WireRoute.UNKNOWN, WireRoute.of("crmd-v2", Envelope.Kind.NOTICE));
        // the node list answers requests only: a notice of its type is not something this crmd understands
        assertEquals(WireRoute.UNKNOWN, WireRoute.of(NodeList.TYPE, Envelope.Kind.NOTICE));
        String line = WireRoute.refusal("node3", "crmd-v2", Envelope.Kind.NOTICE);
        assertTrue(line.contains("node3") && line.contains("'crmd-v2'") && line.contains("not acted on"), line);
    }

    @Test
    void aRepeatedRefusalIsWarnedOnceAndTheMemoryIsBounded() {
        WireRoute.Refused refused = new WireRoute.Refused(2);
        assertTrue(refused.first("node3", "x"));
        assertFalse(refused.first("node3", "x"), "the same sender and type again: debug level");
        assertTrue(refused.first("node2", "x"), "another sender is its own refusal");
        assertTrue(refused.first("node3", "y"));
        // past the bound nothing more is remembered: such a refusal is warned every time rather than kept
        assertTrue(refused.first("node3", "y"));
    }
}
