package org.pulse.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.xml.XmlElement;

/**
 * The journaling store (crmd's): a save appends the change, cib.xml is rewritten every N saves;
 * whatever a crash leaves (a torn record, a compaction cut short) loads as the last save that
 * returned or the one in flight, and the journal goes on after it.
 */
class CibStoreJournalTest {
    @TempDir
    Path tmp;

    /** Thrown by the hook: the process dies at that step (unchecked, so no fallback runs after it). */
    static final class Halt extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Halt(CibStore.Step step) {
            super("simulated crash before " + step);
        }
    }

    private static CibStore journaling(Path dir, int records) {
        return new CibStore(dir, 3, step -> { }, records);
    }

    @Test
    void savesAppendToTheJournalAndAnyStoreLoadsThem() throws Exception {
        CibStore store = journaling(tmp, 100);
        store.save(CibStoreTest.cib(1, "a"));
        byte[] compacted = Files.readAllBytes(store.cibFile());
        for (int e = 2; e <= 6; e++) {
            store.save(CibStoreTest.cib(e, "r" + e));
        }
        assertEquals(new String(compacted, StandardCharsets.UTF_8), Files.readString(store.cibFile()),
                "appends leave cib.xml as the last compaction wrote it");
        List<String> lines = Files.readAllLines(store.journalFile());
        assertEquals(1 + 5 * 2, lines.size(), "a header and 5 records of two lines: " + lines);
        assertEquals(CibStoreTest.cib(6, "r6"), new CibStore(tmp).load().orElseThrow(), "a plain store reads the journal too");
        assertNull(new CibStore(tmp).journalNote());
    }

    @Test
    void everyNSavesCibXmlIsRewrittenAndTheJournalStartsAgain() throws Exception {
        CibStore store = journaling(tmp, 4);
        for (int e = 1; e <= 6; e++) {
            store.save(CibStoreTest.cib(e, "r" + e));
        }
        // save 1: compaction; 2-5: appends (4 records); 6: compaction
        assertEquals(CibStoreTest.cib(6, "r6"), Cib.parse("cib.xml", Files.readString(store.cibFile())));
        assertEquals(1, Files.readAllLines(store.journalFile()).size(), "only the header after a compaction");
        assertTrue(Files.readString(store.journalFile()).startsWith(CibStore.JOURNAL_HEADER + CibStore.sha256(
                Files.readAllBytes(store.cibFile()))), "the journal names the cib.xml it extends");
        assertEquals(1, store.backups().size(), "one earlier compacted version kept");
    }

    @Test
    void compactLeavesCibXmlAloneTheCibAsPacemakerReadsIt() throws Exception {
        CibStore store = journaling(tmp, 100);
        for (int e = 1; e <= 5; e++) {
            store.save(CibStoreTest.cib(e, "r" + e));
        }
        store.compact();
        assertEquals(CibStoreTest.cib(5, "r5"), Cib.parse("cib.xml", Files.readString(store.cibFile())));
        assertEquals(CibStore.sha256(Files.readAllBytes(store.cibFile())),
                Files.readString(tmp.resolve("cib.xml.sig")).split(" ")[0], "signed as before");
        store.save(CibStoreTest.cib(6, "r6"));
        assertEquals(CibStoreTest.cib(6, "r6"), new CibStore(tmp).load().orElseThrow(), "appends go on after it");
    }

    @Test
    void aTornTailIsDiscardedNamedAndOverwrittenByTheNextSave() throws Exception {
        CibStore store = journaling(tmp, 100);
        for (int e = 1; e <= 4; e++) {
            store.save(CibStoreTest.cib(e, "r" + e));
        }
        Path journal = store.journalFile();
        byte[] whole = Files.readAllBytes(journal);
        // The last record cut short, as a crash in the middle of its write leaves it.
        int cut = whole.length - 25;
        Files.write(journal, java.util.Arrays.copyOf(whole, cut));
        CibStore restarted = journaling(tmp, 100);
        assertEquals(CibStoreTest.cib(3, "r3"), restarted.load().orElseThrow(), "the save in flight is dropped, not the ones before");
        String note = restarted.journalNote();
        assertNotNull(note, "a discarded tail is reported");
        assertTrue(note.contains(journal.toString()) && note.contains("after 2 whole records")
                && note.contains("shorter than its header says"), note);
        restarted.save(CibStoreTest.cib(4, "again"));
        CibStore again = new CibStore(tmp);
        assertEquals(CibStoreTest.cib(4, "again"), again.load().orElseThrow(), "the next save replaced the torn tail");
        assertNull(again.journalNote(), "nothing left to discard");
    }

    @Test
    void aDamagedRecordEndsTheReplayAtTheRecordBeforeIt() throws Exception {
        CibStore store = journaling(tmp, 100);
        for (int e = 1; e <= 3; e++) {
            store.save(CibStoreTest.cib(e, "r" + e));
        }
        byte[] bytes = Files.readAllBytes(store.journalFile());
        bytes[bytes.length - 5] ^= 0x20; // one flipped bit in the last record's JSON
        Files.write(store.journalFile(), bytes);
        CibStore reader = new CibStore(tmp);
        assertEquals(CibStoreTest.cib(2, "r2"), reader.load().orElseThrow());
        assertTrue(reader.journalNote().contains("checksum does not match"), reader.journalNote());
    }

    @Test
    void aCompactionCutShortLoadsTheOldOrTheNewCibNeverLess() throws Exception {
        for (CibStore.Step at : List.of(CibStore.Step.WRITE_CIB_TMP, CibStore.Step.RENAME_CIB, CibStore.Step.RENAME_SIG,
                CibStore.Step.FSYNC_DIR, CibStore.Step.PRUNE, CibStore.Step.JOURNAL_START)) {
            Path dir = tmp.resolve(at.name());
            CibStore store = journaling(dir, 3);
            for (int e = 1; e <= 4; e++) { // 1 compaction, 3 appends: the next save compacts
                store.save(CibStoreTest.cib(e, "r" + e));
            }
            CibStore dying = new CibStore(dir, 3, step -> {
                if (step == at) {
                    throw new Halt(step);
                }
            }, 3);
            assertEquals(CibStoreTest.cib(4, "r4"), dying.load().orElseThrow());
            assertThrows(Halt.class, () -> dying.save(CibStoreTest.cib(5, "r5")));
            CibStore restarted = journaling(dir, 3);
            long got = restarted.load().orElseThrow().version().epoch();
            assertTrue(got == 4 || got == 5, at + ": loaded epoch " + got + ", expected 4 (old) or 5 (new)");
            restarted.save(CibStoreTest.cib(6, "r6"));
            restarted.save(CibStoreTest.cib(7, "r7"));
            assertEquals(CibStoreTest.cib(7, "r7"), new CibStore(dir).load().orElseThrow(), at + ": the journal goes on");
        }
    }

    @Test
    void anAppendCutShortLoadsTheSaveBeforeIt() throws Exception {
        CibStore store = journaling(tmp, 100);
        store.save(CibStoreTest.cib(1, "r1"));
        store.save(CibStoreTest.cib(2, "r2"));
        CibStore dying = new CibStore(tmp, 3, step -> {
            if (step == CibStore.Step.JOURNAL_FSYNC) {
                throw new Halt(step);
            }
        }, 100);
        dying.load();
        assertThrows(Halt.class, () -> dying.save(CibStoreTest.cib(3, "r3")));
        // Without a crash of the kernel the written record is in the page cache: the save in flight may count.
        long got = journaling(tmp, 100).load().orElseThrow().version().epoch();
        assertTrue(got == 2 || got == 3, "loaded epoch " + got);
    }

    @Test
    void aPlainStoreSavingOverAJournalRemovesIt() throws Exception {
        CibStore store = journaling(tmp, 100);
        for (int e = 1; e <= 3; e++) {
            store.save(CibStoreTest.cib(e, "r" + e));
        }
        // The same content as the cib.xml the journal extends: the journal must not be replayed over it.
        Cib first = CibStoreTest.cib(1, "r1");
        new CibStore(tmp).save(first);
        assertFalse(Files.exists(store.journalFile()));
        assertEquals(first, new CibStore(tmp).load().orElseThrow());
    }

    @Test
    void aJournalFromBeforeACompactionIsIgnored() throws Exception {
        CibStore store = journaling(tmp, 100);
        for (int e = 1; e <= 3; e++) {
            store.save(CibStoreTest.cib(e, "r" + e));
        }
        byte[] oldJournal = Files.readAllBytes(store.journalFile());
        store.compact();
        // A crash after the compaction's cib.xml, before its new journal took the name.
        Files.write(store.journalFile(), oldJournal);
        CibStore reader = new CibStore(tmp);
        assertEquals(CibStoreTest.cib(3, "r3"), reader.load().orElseThrow());
        assertTrue(reader.journalNote().contains("extends an earlier"), reader.journalNote());
    }

    /** Random CIBs, each a random edit of the one before: the journal replays to each of them exactly. */
    @Test
    void randomChangesReplayExactly() throws Exception {
        long seed = Long.getLong("pulse.seed", System.nanoTime());
        System.out.println("CibStoreJournalTest: seed " + seed + " (rerun with -Dpulse.seed=" + seed + ")");
        Random rnd = new Random(seed);
        CibStore store = journaling(tmp, 1000);
        List<Cib> saved = new ArrayList<>();
        Cib cur = CibStoreTest.cib(1, "base");
        for (int i = 0; i < 40; i++) {
            XmlElement resources = cur.root().element("configuration").orElseThrow().element("resources").orElseThrow();
            XmlElement rsc = XmlElement.of("primitive", "id", "p" + i, "class", "ocf", "provider", "heartbeat",
                    "type", rnd.nextBoolean() ? "Dummy" : "IPaddr2");
            XmlElement changed = resources.children().isEmpty() || rnd.nextInt(3) > 0 ? resources.withChildAppended(rsc)
                    : XmlElement.of("resources");
            cur = cur.withConfigurationSection(changed).withVersion(new CibVersion(0, i + 2, rnd.nextInt(5)));
            store.save(cur);
            saved.add(cur);
            assertEquals(cur, new CibStore(tmp).load().orElseThrow(), "save " + i + " (seed " + seed + ")");
        }
    }
}
