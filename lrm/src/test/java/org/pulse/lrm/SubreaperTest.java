package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;

/**
 * The JVM reaps its agents' orphans (run with the flags of lrm/pom.xml's argLine). The orphan here is a
 * background child of a shell that exits at once: re-parented to the JVM, it must not stay a zombie.
 */
class SubreaperTest {
    @Test
    void orphansOfChildrenAreReaped() throws Exception {
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try {
            Optional<Subreaper> s = Subreaper.tryEnable(timer);
            assumeTrue(s.isPresent(), "the JVM runs without --add-modules jdk.incubator.foreign --enable-native-access=ALL-UNNAMED");
            Process p = new ProcessBuilder("sh", "-c", "sleep 0.2 & echo $!").start();
            long orphan = Long.parseLong(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            assertEquals(0, p.waitFor());
            Path proc = Path.of("/proc/" + orphan);
            boolean reparented = false;
            for (int i = 0; i < 500 && Files.exists(proc); i++) {
                try {
                    reparented |= Files.readString(proc.resolve("status")).contains("PPid:\t" + ProcessHandle.current().pid() + "\n");
                } catch (java.io.IOException gone) {
                    break;
                }
                Thread.sleep(20);
            }
            assertFalse(Files.exists(proc), "orphan " + orphan + " was not reaped within 10 s");
            assertTrue(reparented, "the orphan was never the JVM's child: PR_SET_CHILD_SUBREAPER did not take");
        } finally {
            timer.shutdownNow();
        }
    }
}
