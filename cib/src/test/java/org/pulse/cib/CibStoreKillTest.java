package org.pulse.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store under a real crash: a child JVM saves CIBs in a loop and is killed with SIGKILL at a
 * random moment; the directory must then load, at the last epoch whose save had returned or the
 * one after it (the write in flight). A kill loses no page cache, so this checks the order of
 * the steps as the kernel sees them; {@link CibStoreTest} covers lost, unsynced data.
 */
class CibStoreKillTest {
    @TempDir
    Path dir;

    @Test
    void aWriterKilledAtARandomMomentLeavesALoadableStore() throws Exception {
        long seed = Long.getLong("pulse.seed", System.nanoTime());
        System.out.println("CibStoreKillTest: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random rnd = new Random(seed);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long epoch = 0;
        int kills = 8;
        for (int round = 0; round < kills; round++) {
            Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    StoreWriterMain.class.getName(), dir.toString(), Long.toString(epoch))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            AtomicLong lastDone = new AtomicLong(epoch);
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lastDone.set(Long.parseLong(line.strip()));
                    }
                } catch (Exception e) {
                    // the child died mid-line: what was read counts
                }
            });
            reader.start();
            // let it write for a while (JVM start-up takes most of the first few hundred ms)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (lastDone.get() < epoch + 5 && System.nanoTime() < deadline && child.isAlive()) {
                Thread.sleep(5);
            }
            Thread.sleep(rnd.nextInt(150));
            child.destroyForcibly();   // SIGKILL
            assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the writer did not die");
            // every line the writer printed is in the pipe: read to its end before judging
            reader.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!reader.isAlive(), "the writer's output did not end");
            long done = lastDone.get();
            assertTrue(done > epoch, "round " + round + ": the writer saved nothing (seed " + seed + ")");
            Cib loaded = new CibStore(dir, 3).load().orElseThrow();
            long got = loaded.version().epoch();
            assertTrue(got == done || got == done + 1, "round " + round + ": loaded epoch " + got
                    + " but the last finished save was " + done + " (seed " + seed + ")");
            assertEquals(CibStoreTest.cib((int) got, "r" + got), loaded);
            List<Path> backups = new CibStore(dir, 3).backups();
            assertTrue(backups.size() <= 4, "backups beyond the limit: " + backups);
            epoch = got;
        }
        System.out.println("CibStoreKillTest: " + kills + " writers killed mid-stream; every time the store loaded, at epoch " + epoch);
    }
}
