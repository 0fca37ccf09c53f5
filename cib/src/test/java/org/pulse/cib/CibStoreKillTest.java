package org.pulse.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
    Path tmp;

    @Test
    void aWriterKilledAtARandomMomentLeavesALoadableStore() throws Exception {
        killedWriters(null);
    }

    /**
     * The same with crmd's journaling store (a compaction every 7 saves, so kills land in appends,
     * in compactions and between them): every acknowledged save survives, and the next writer,
     * which loads first, appends after whatever torn tail the kill left.
     */
    @Test
    void aJournalingWriterKilledAtARandomMomentLosesNoAcknowledgedSave() throws Exception {
        killedWriters("7");
    }

    private void killedWriters(String journalRecords) throws Exception {
        long seed = Long.getLong("pulse.seed", System.nanoTime());
        System.out.println("CibStoreKillTest: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random rnd = new Random(seed);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path dir = tmp.resolve("store");
        long epoch = 0;
        int kills = 8;
        for (int round = 0; round < kills; round++) {
            Path progress = tmp.resolve("progress-" + round);
            List<String> cmd = new java.util.ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                    StoreWriterMain.class.getName(), dir.toString(), Long.toString(epoch), progress.toString()));
            if (journalRecords != null) {
                cmd.add(journalRecords);
            }
            Process child = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try {
                // let it write for a while (JVM start-up takes most of the first few hundred ms)
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (lastDone(progress, epoch) < epoch + 5 && System.nanoTime() < deadline && child.isAlive()) {
                    Thread.sleep(5);
                }
                Thread.sleep(rnd.nextInt(150));
            } finally {
                child.destroyForcibly();   // SIGKILL
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer did not die");
            long done = lastDone(progress, epoch);
            assertTrue(done > epoch, "round " + round + ": the writer saved nothing (seed " + seed + ")");
            CibStore reader = new CibStore(dir, 3);
            Cib loaded = reader.load().orElseThrow();
            if (reader.journalNote() != null) {
                System.out.println("CibStoreKillTest round " + round + ": " + reader.journalNote());
            }
            long got = loaded.version().epoch();
            assertTrue(got == done || got == done + 1, "round " + round + ": loaded epoch " + got
                    + " but the last finished save was " + done + " (seed " + seed + ")");
            assertEquals(CibStoreTest.cib((int) got, "r" + got), loaded);
            List<Path> backups = new CibStore(dir, 3).backups();
            assertTrue(backups.size() <= 4, "backups beyond the limit: " + backups);
            epoch = got;
        }
        System.out.println("CibStoreKillTest" + (journalRecords == null ? "" : " (journaling)") + ": " + kills + " writers killed mid-stream; every time the store loaded, at epoch " + epoch);
    }

    /** The last whole line of the progress file, or {@code fallback} before there is one. */
    private static long lastDone(Path progress, long fallback) throws Exception {
        if (!Files.exists(progress)) {
            return fallback;
        }
        String s = Files.readString(progress, StandardCharsets.US_ASCII);
        int end = s.lastIndexOf('\n');
        if (end < 0) {
            return fallback;
        }
        int start = s.lastIndexOf('\n', end - 1) + 1;
        return Long.parseLong(s.substring(start, end));
    }
}
