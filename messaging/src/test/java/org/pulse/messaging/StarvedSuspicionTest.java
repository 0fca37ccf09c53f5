package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bounded CI version of {@link RestartSoak}: 3 node JVMs, node3 killed and restarted
 * {@value #RESTARTS} times while busy loops keep every core busy, at the default failure
 * detection. No healthy node may be excluded from a view: in crmd that exclusion is a healthy
 * node fenced. Bound: about 10 s per restart plus 15 s to form on a quiet machine (under 2
 * minutes); each wait is bounded (120 s to form, 60 s per kill, 120 s per rejoin), so 12 minutes at
 * the very worst.
 *
 * <p>Measured here at load average 37 (the bench running beside it): 4 restarts, no false
 * exclusion; 10 suspicions formed while starved were held, 5 of them proved false.
 */
class StarvedSuspicionTest {
    private static final int RESTARTS = 4;

    @TempDir
    Path dir;

    @Test
    void restartingANodeOnBusyCoresExcludesNoHealthyNode() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        RestartSoak.Result r = RestartSoak.run(dir, 120_000, RESTARTS, Timing.DEFAULT_FAILURE_DETECTION_MS, cores, true);
        r.events().stream().sorted().forEach(System.out::println);
        System.out.println(r.line(0, Timing.DEFAULT_FAILURE_DETECTION_MS, cores, true));
        assertEquals(RESTARTS, r.restarts());
        assertEquals(0, r.falseExclusions(), "healthy nodes were excluded from views (each a healthy node fenced in crmd)");
        assertTrue(r.events().stream().noneMatch(e -> e.contains("did not")), "every kill and rejoin settled");
    }
}
