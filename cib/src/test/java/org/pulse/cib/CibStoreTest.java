package org.pulse.cib;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pulse.cib.xml.XmlElement;

/** The store: atomic writes interrupted at every step, digests, rotation, evidence kept. */
class CibStoreTest {
    @TempDir
    Path tmp;

    static Cib cib(int epoch, String resourceId) {
        Cib base = Cib.empty();
        XmlElement rsc = XmlElement.of("primitive", "id", resourceId, "class", "ocf", "provider", "heartbeat",
                "type", "Dummy");
        return base.withConfigurationSection(XmlElement.of("resources").withChildAppended(rsc))
                .withVersion(new CibVersion(0, epoch, 0));
    }

    /** Thrown by the hook: stands for the process dying at that step. */
    static final class Crash extends IOException {
        private static final long serialVersionUID = 1L;

        Crash(CibStore.Step step) {
            super("simulated crash before " + step);
        }
    }

    @Test
    void aWriteInterruptedAtAnyStepLeavesTheOldOrTheNewCib() throws Exception {
        int checked = 0;
        for (CibStore.Step step : CibStore.Step.values()) {
            for (boolean torn : new boolean[] {false, true}) {
                Path dir = tmp.resolve(step + (torn ? "-torn" : ""));
                Cib old = cib(1, "old");
                Cib neu = cib(2, "new");
                new CibStore(dir, 3).save(old);
                new CibStore(dir, 3).save(cib(1, "old").withVersion(new CibVersion(0, 1, 1)));
                Cib before = new CibStore(dir).load().orElseThrow();
                CibStore crashing = new CibStore(dir, 3, s -> {
                    if (s == step) {
                        if (torn) {
                            // the file written but not yet fsynced only partly reached the disk
                            tearUnsynced(dir, s);
                        }
                        throw new Crash(s);
                    }
                });
                boolean crashed;
                try {
                    crashing.save(neu);
                    crashed = false;
                } catch (CibStoreException e) {
                    crashed = true;
                    assertTrue(e.getCause() instanceof Crash, e.toString());
                }
                Cib after = new CibStore(dir, 3).load().orElseThrow();
                assertTrue(after.equals(before) || after.equals(neu),
                        "interrupted before " + step + (torn ? " (torn)" : "") + ": loaded neither the old nor the new CIB: " + after.toXml());
                if (step.ordinal() > CibStore.Step.RENAME_CIB.ordinal()) {
                    assertEquals(neu, after, "the new CIB had its name before " + step);
                }
                // and the store goes on working: the next write wins
                Cib next = cib(3, "next");
                new CibStore(dir, 3).save(next);
                assertEquals(next, new CibStore(dir, 3).load().orElseThrow());
                checked += crashed ? 1 : 0;
            }
        }
        System.out.println("CibStoreTest: interrupted writes checked: " + checked);
        // The journal's steps (a journaling store's) are CibStoreJournalTest's.
        assertTrue(checked >= 2 * (CibStore.Step.values().length - 4), "every step (SET_ASIDE needs a bad file) was interrupted");
    }

    /** Before its fsync, a file's data may be lost in part; after it, not (that is what fsync is for). */
    private static void tearUnsynced(Path dir, CibStore.Step step) throws IOException {
        String name = step == CibStore.Step.FSYNC_SIG_TMP ? "cib.xml.sig.tmp"
                : step == CibStore.Step.FSYNC_CIB_TMP ? "cib.xml.tmp" : null;
        if (name != null) {
            try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.WRITE)) {
                ch.truncate(ch.size() / 2);
            }
        }
    }

    /**
     * The two renames are made durable by one directory fsync, so a crash before it may leave the
     * second rename on disk without the first: the new digest named cib.xml.sig, the new CIB still
     * cib.xml.tmp. Loading finishes that write (the new CIB), and the store goes on.
     */
    @Test
    void aCrashThatKeptOnlyTheSecondRenameLoadsTheNewCib() throws Exception {
        Path dir = tmp.resolve("reordered");
        Cib old = cib(1, "old");
        Cib neu = cib(2, "new");
        new CibStore(dir, 3).save(old);
        try {
            new CibStore(dir, 3, s -> {
                if (s == CibStore.Step.RENAME_CIB) {
                    throw new Crash(s);
                }
            }).save(neu);
        } catch (CibStoreException e) {
            assertTrue(e.getCause() instanceof Crash, e.toString());
        }
        Files.move(dir.resolve("cib.xml.sig.tmp"), dir.resolve("cib.xml.sig"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertEquals(neu, new CibStore(dir, 3).load().orElseThrow());
        assertTrue(!Files.exists(dir.resolve("cib.xml.tmp")), "the write was finished: the temporary file took its name");
        Cib next = cib(3, "next");
        new CibStore(dir, 3).save(next);
        assertEquals(next, new CibStore(dir, 3).load().orElseThrow());
    }

    @Test
    void aFirstWriteInterruptedLeavesNothingOrTheNewCib() throws Exception {
        for (CibStore.Step step : CibStore.Step.values()) {
            Path dir = tmp.resolve("first-" + step);
            Cib neu = cib(2, "new");
            try {
                new CibStore(dir, 3, s -> {
                    if (s == step) {
                        throw new Crash(s);
                    }
                }).save(neu);
            } catch (CibStoreException e) {
                assertTrue(e.getCause() instanceof Crash);
            }
            Optional<Cib> after = new CibStore(dir).load();
            assertTrue(after.isEmpty() || after.get().equals(neu), "interrupted before " + step + ": " + after);
        }
    }

    @Test
    void aTamperedFileIsRefusedLeftInPlaceAndSetAsideByTheNextWrite() throws Exception {
        CibStore store = new CibStore(tmp);
        store.save(cib(1, "a"));
        Path file = store.cibFile();
        String tampered = Files.readString(file).replace("\"a\"", "\"b\"");
        Files.writeString(file, tampered);
        CibStoreException e = assertThrows(CibStoreException.class, store::load);
        assertEquals(file, e.path());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("does not match its digest")
                && e.getMessage().contains("sha256sum") && e.getMessage().contains("left in place"), e.getMessage());
        assertEquals(tampered, Files.readString(file), "the refused file is left as it was");

        store.save(cib(2, "c"));
        assertEquals(cib(2, "c"), store.load().orElseThrow());
        assertEquals(1, store.setAside().size());
        assertEquals(tampered, Files.readString(store.setAside().get(0)), "the evidence survives the next write");
    }

    @Test
    void aFileWithoutDigestIsRefusedWithTheCommandThatSignsIt() throws Exception {
        Files.createDirectories(tmp);
        Files.writeString(tmp.resolve("cib.xml"), cib(1, "a").toXml());
        CibStoreException e = assertThrows(CibStoreException.class, () -> new CibStore(tmp).load());
        assertTrue(e.getMessage().contains("no digest file") && e.getMessage().contains("sha256sum"), e.getMessage());
        // the hint works: a digest in sha256sum's format is accepted
        Files.writeString(tmp.resolve("cib.xml.sig"), CibStore.sha256(Files.readAllBytes(tmp.resolve("cib.xml")))
                + "  " + tmp.resolve("cib.xml") + "\n");
        assertEquals(cib(1, "a"), new CibStore(tmp).load().orElseThrow());
    }

    @Test
    void theLastNVersionsAreKept() throws Exception {
        CibStore store = new CibStore(tmp, 3);
        for (int epoch = 1; epoch <= 6; epoch++) {
            store.save(cib(epoch, "r" + epoch));
        }
        assertEquals(3, store.backups().size());
        // the backups are the three versions before the current one, oldest first, each with its digest
        for (int i = 0; i < 3; i++) {
            Path b = store.backups().get(i);
            Cib backup = Cib.parse(b.toString(), Files.readString(b));
            assertEquals(new CibVersion(0, 3 + i, 0), backup.version());
            assertEquals(CibStore.sha256(Files.readAllBytes(b)) + "  cib.xml",
                    Files.readString(Path.of(b + ".sig")).strip());
        }
        assertEquals(new CibVersion(0, 6, 0), store.load().orElseThrow().version());
    }

    @Test
    void theDigestIsTheSha256OfTheBytes() throws Exception {
        CibStore store = new CibStore(tmp);
        Cib c = cib(1, "a");
        store.save(c);
        byte[] bytes = Files.readAllBytes(store.cibFile());
        assertArrayEquals(c.toXml().getBytes(StandardCharsets.UTF_8), bytes);
        String sig = Files.readString(tmp.resolve("cib.xml.sig"));
        assertEquals(CibStore.sha256(bytes), sig.substring(0, 64));
        assertTrue(store.load().isPresent());
        assertTrue(new CibStore(tmp.resolve("none")).load().isEmpty());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(store.cibFile())), "fence passwords live in the CIB: owner only");
    }

    @Test
    void aStatusUpdateOfAValidCibIsStillCheckedForStatusErrors() throws Exception {
        CibStore store = new CibStore(tmp);
        Cib valid = cib(1, "a");
        store.saveChecked(valid);
        Cib update = valid.next(valid.withNodeState(XmlElement.of("node_state", "id", "1", "uname", "n1")));
        store.saveChecked(update);
        assertEquals(update, store.load().orElseThrow());
        // same configuration object, but two node_state entries for one node: still refused
        XmlElement status = update.status().withChildAppended(XmlElement.of("node_state", "id", "1", "uname", "n1"));
        Cib broken = update.next(update.withStatus(status));
        CibException e = assertThrows(CibException.class, () -> store.saveChecked(broken));
        assertTrue(e.getMessage().contains("two <node_state> entries"), e.getMessage());
        assertEquals(update, store.load().orElseThrow());
        // and a changed configuration is checked in full again
        Cib badConfig = update.next(update.withConfigurationSection(XmlElement.of("resources").withChildAppended(
                XmlElement.of("primitive", "id", "x", "class", "ocf", "type", "Dummy"))));
        assertTrue(assertThrows(CibException.class, () -> store.saveChecked(badConfig)).getMessage().contains("needs a provider"));
    }

    /** A CIB stored before a check existed must not bring its node down at the next write. */
    @Test
    void errorsTheStoredCibAlreadyHadAreToleratedNewOnesAreNot() throws Exception {
        Files.createDirectories(tmp);
        Cib old = cib(1, "a").withConfigurationSection(XmlElement.of("resources").withChildAppended(
                XmlElement.of("primitive", "id", "legacy", "class", "ocf", "type", "Dummy")));   // no provider
        Files.writeString(tmp.resolve("cib.xml"), old.toXml());
        Files.writeString(tmp.resolve("cib.xml.sig"), CibStore.sha256(old.toXml().getBytes(StandardCharsets.UTF_8)) + "\n");
        CibStore store = new CibStore(tmp);
        Cib loaded = store.load().orElseThrow();
        assertTrue(CibValidator.hasErrors(CibValidator.validate(loaded)), "the stored CIB has an error");

        Cib statusUpdate = loaded.next(loaded.withNodeState(XmlElement.of("node_state", "id", "1", "uname", "n1")));
        store.saveChecked(statusUpdate);
        XmlElement legacy = statusUpdate.findById("legacy").orElseThrow();
        Cib configEdit = statusUpdate.next(statusUpdate.withElementReplaced("legacy", legacy.withAttribute("description", "old")));
        store.saveChecked(configEdit);
        assertEquals(configEdit, store.load().orElseThrow());

        XmlElement constraints = XmlElement.of("constraints").withChildAppended(
                XmlElement.of("rsc_colocation", "id", "c", "rsc", "legacy", "with-rsc", "ghost", "score", "10"));
        Cib worse = configEdit.next(configEdit.withConfigurationSection(constraints));
        CibException e = assertThrows(CibException.class, () -> store.saveChecked(worse));
        assertTrue(e.getMessage().contains("ghost") && !e.getMessage().contains("needs a provider"),
                "only the new error is reported: " + e.getMessage());
        assertEquals(configEdit, store.load().orElseThrow());

        Cib fixed = configEdit.next(configEdit.withElementReplaced("legacy", legacy.withAttribute("provider", "heartbeat")));
        store.saveChecked(fixed);
        assertThrows(CibException.class, () -> store.saveChecked(fixed.next(fixed.withElementReplaced("legacy", legacy))),
                "once fixed, the old error is new again");
    }

    /** What the cluster committed is stored as it is: the node must not fall out over content. */
    @Test
    void saveStoresWhatTheClusterAcceptedWithoutJudgingIt() throws Exception {
        CibStore store = new CibStore(tmp);
        Cib questionable = cib(4, "a").withConfigurationSection(XmlElement.of("resources").withChildAppended(
                XmlElement.of("primitive", "id", "x", "class", "ocf", "type", "Dummy")));
        store.save(questionable);
        assertEquals(questionable, store.load().orElseThrow());
        assertThrows(CibException.class, () -> store.saveChecked(questionable.next(questionable.withConfigurationSection(
                XmlElement.of("constraints").withChildAppended(XmlElement.of("rsc_order", "id", "o", "first", "x", "then", "y"))))));
    }
}
