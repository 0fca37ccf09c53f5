package org.pulse.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The LRM records an operation's digest ({@code org.pulse.lrm.OpDigest}) and the policy engine compares a
 * resource's configured parameters with it ({@code org.pulse.policy.Digests}): two modules that may not depend
 * on each other or on a common one for this (DESIGN.md §2: lrm depends on the JDK only, the engine on cib only),
 * so each keeps its list of the parameters Pacemaker leaves out of a digest. Should the lists part, every
 * resource holding a parameter of that name would restart on each run (as one with {@code crm_feature_set} did
 * before stop 18). This test holds the two lists together; the names are private to each class, read here by
 * reflection rather than widened for a test.
 */
class DigestAgreementTest {
    @Test
    void theLrmAndTheEngineLeaveTheSameParametersOutOfADigest() throws Exception {
        Set<?> lrm = filtered("org.pulse.lrm.OpDigest");
        Set<?> engine = filtered("org.pulse.policy.Digests");
        assertEquals(lrm, engine, "the LRM's digest leaves out " + lrm + ", the engine's " + engine);
        assertTrue(lrm.contains("crm_feature_set"), "Pacemaker leaves crm_feature_set out: " + lrm);
    }

    private static Set<?> filtered(String className) throws ReflectiveOperationException {
        Field f = Class.forName(className).getDeclaredField("FILTERED");
        f.setAccessible(true);
        return (Set<?>) f.get(null);
    }
}
