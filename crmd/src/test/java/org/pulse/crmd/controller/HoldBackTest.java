package org.pulse.crmd.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pulse.cib.Cib;

/**
 * What the DC will not start because fencing is needed and cannot happen. Watchdog fencing resets a
 * node only once it loses quorum, so where both halves of a split may keep quorum (two_node, or a
 * ping tie-breaker both halves reach) it fences nobody, and each half would take the other as fenced
 * after stonith-watchdog-timeout: a resource could then run on both. There only a real device counts;
 * with a lease tie-breaker one half loses quorum and its watchdog resets it, so the watchdog does.
 */
class HoldBackTest {
    private static final String RSC = "<primitive id='r1' class='ocf' provider='heartbeat' type='Dummy'/>";
    private static final String WATCHDOG_ON = "<nvpair id='w' name='stonith-watchdog-timeout' value='10s'/>";

    private static Map<String, String> held(QuorumConfig q, String devices, boolean watchdogFencingOn) throws Exception {
        Cib cib = CibReadingTest.cib(WATCHDOG_ON, RSC + devices, "");
        return HoldBack.notStartableWithoutFencing(cib, q, watchdogFencingOn);
    }

    @Test
    void twoNodeOrPingWithOnlyTheWatchdogStartsNothingAndSaysWhy() throws Exception {
        QuorumConfig twoNode = new QuorumConfig(true, true, QuorumConfig.TieBreaker.NONE);
        QuorumConfig ping = new QuorumConfig(false, true, QuorumConfig.TieBreaker.ping("198.51.100.1"));
        for (QuorumConfig q : new QuorumConfig[] {twoNode, ping}) {
            Map<String, String> none = held(q, "", true);
            assertTrue(none.getOrDefault("r1", "").contains("the only fencing is the watchdog"), q + ": " + none);
            Map<String, String> declared = held(q, "<primitive id='wd' class='stonith' type='fence_watchdog'/>", true);
            assertTrue(declared.containsKey("r1"), q + ": a fence_watchdog resource is the watchdog, not a device: " + declared);
            assertEquals(Map.of(), held(q, "<primitive id='pdu' class='stonith' type='fence_dummy'/>", true),
                    q + ": a real device fences the other half");
        }
    }

    @Test
    void aLeaseTieBreakerOrAMajorityMayRelyOnTheWatchdog() throws Exception {
        QuorumConfig lease = new QuorumConfig(false, true, QuorumConfig.TieBreaker.lease("/shared/lease"));
        assertEquals(Map.of(), held(lease, "", true), "only the lease holder's half stays quorate");
        assertEquals(Map.of(), held(QuorumConfig.MAJORITY, "", true));
        // without the watchdog, nothing fences: as before
        assertTrue(held(lease, "", false).containsKey("r1"));
    }
}
