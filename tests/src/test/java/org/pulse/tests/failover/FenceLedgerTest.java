package org.pulse.tests.failover;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.pulse.lab.failover.FenceLedger;

/** bench/failover's false_fences: a fence is explained only by a kill of that node before its restart. */
class FenceLedgerTest {
    @Test
    void aFenceBetweenAKillAndTheRestartIsTheClustersAnswerAnyOtherIsFalse() {
        AtomicLong now = new AtomicLong(100_000);
        FenceLedger ledger = new FenceLedger(now::get);
        ledger.killed(1);
        now.set(100_400);
        assertTrue(ledger.explained(1, 100_300), "fenced 300 ms after its kill");
        assertTrue(ledger.explained(1, 99_500), "clock reads a little apart: within the slack");
        assertFalse(ledger.explained(2, 100_300), "node 2 was never killed: a healthy node fenced");
        ledger.restarted(1);
        now.set(130_000);
        assertFalse(ledger.explained(1, 120_000), "fenced again after it was restarted: false");
        ledger.killed(1);
        assertTrue(ledger.explained(1, 130_050), "the next kill explains the next fence");
    }
}
