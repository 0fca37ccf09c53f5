package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Daemons start agents by vfork + exec, one program fewer per operation, unless the operator chose otherwise. */
class SpawnMechanismTest {
    @Test
    void vforkUnlessTheOperatorChoseAMechanism() {
        assertEquals("VFORK", SpawnMechanism.choose(null));
        assertEquals("VFORK", SpawnMechanism.choose(" "));
        assertEquals("POSIX_SPAWN", SpawnMechanism.choose("POSIX_SPAWN"), "an operator's -D wins");
    }
}
