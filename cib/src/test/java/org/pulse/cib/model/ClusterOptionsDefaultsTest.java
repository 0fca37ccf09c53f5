package org.pulse.cib.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The defaults of unset cluster options come from one table (Pacemaker 2.1's meta-data), which the typed accessors
 * and crm configure get_property both read; a Pacemaker 3 fencing-* name finds its stonith-* option's default.
 */
class ClusterOptionsDefaultsTest {
    @Test
    void accessorsAndTheTableAgree() {
        ClusterOptions none = new ClusterOptions(Map.of());
        assertEquals(ClusterOptions.defaultOf("no-quorum-policy"), none.noQuorumPolicy());
        assertEquals(ClusterOptions.defaultOf("stonith-action"), none.stonithAction());
        assertEquals(ClusterOptions.defaultOf("placement-strategy"), none.placementStrategy());
        assertEquals(ClusterOptions.defaultOf("node-health-strategy"), none.nodeHealthStrategy());
        assertEquals(ClusterOptions.isTrue(ClusterOptions.defaultOf("stonith-enabled")), none.stonithEnabled());
        assertEquals(ClusterOptions.isTrue(ClusterOptions.defaultOf("symmetric-cluster")), none.symmetricCluster());
        assertEquals(ClusterOptions.isTrue(ClusterOptions.defaultOf("start-failure-is-fatal")), none.startFailureIsFatal());
        assertEquals(ClusterOptions.isTrue(ClusterOptions.defaultOf("maintenance-mode")), none.maintenanceMode());
        assertTrue(none.stonithEnabled());
        assertFalse(none.maintenanceMode());
        assertEquals("15min", ClusterOptions.defaultOf("cluster_recheck_interval"));
        assertEquals("60s", ClusterOptions.defaultOf("fencing-timeout"));
        assertNull(ClusterOptions.defaultOf("dc-version"), "written by the cluster: no default");
        assertNull(ClusterOptions.defaultOf("no-such-option"));
        for (String name : ClusterOptions.DEFAULTS.keySet()) {
            assertTrue(ClusterOptions.KNOWN_NAMES.contains(name), name + " has a default but is no known option");
        }
        // set values still win
        assertEquals("freeze", new ClusterOptions(Map.of("no-quorum-policy", "freeze")).noQuorumPolicy());
    }
}
