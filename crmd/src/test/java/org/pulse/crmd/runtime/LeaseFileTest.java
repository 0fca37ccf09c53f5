package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaseFileTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes();

    @TempDir
    Path dir;

    @Test
    void oneHolderAtATimeUntilItsLeaseExpires() throws Exception {
        Path file = dir.resolve("lease");
        LeaseFile.Result a = LeaseFile.acquire(file, "a", 10_000, 6000, 2000, KEY);
        assertTrue(a.held());
        assertEquals(14_000, a.validUntilMs(), "the holder stops counting on it 2 s before the expiry it wrote");
        assertTrue(Files.readString(file).startsWith("a 16000 "));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "made owner-only");
        LeaseFile.Result b = LeaseFile.acquire(file, "b", 15_999, 6000, 2000, KEY);
        assertFalse(b.held(), "b took a lease a holds until 16000");
        assertEquals("a", b.owner());
        assertTrue(LeaseFile.acquire(file, "a", 15_000, 6000, 2000, KEY).held(), "a renews its own lease");
        assertFalse(LeaseFile.acquire(file, "b", 20_999, 6000, 2000, KEY).held(), "renewed until 21000");
        assertTrue(LeaseFile.acquire(file, "b", 21_000, 6000, 2000, KEY).held(), "an expired lease goes to whoever asks");
        assertTrue(Files.readString(file).startsWith("b 27000 "));
    }

    @Test
    void onlyTheHolderLetsGoAndADamagedFileDoesNotBlockForever() throws Exception {
        Path file = dir.resolve("lease");
        assertTrue(LeaseFile.acquire(file, "a", 0, 6000, 2000, KEY).held());
        LeaseFile.release(file, "b", KEY);
        assertFalse(LeaseFile.acquire(file, "b", 1000, 6000, 2000, KEY).held(), "b let go of a's lease");
        LeaseFile.release(file, "a", KEY);
        assertTrue(LeaseFile.acquire(file, "b", 1000, 6000, 2000, KEY).held(), "a let go: b takes it at once");
        Files.writeString(file, "c soon\n");
        assertTrue(LeaseFile.acquire(file, "a", 1000, 6000, 2000, KEY).held(), "an unreadable line counts as no lease");
    }

    @Test
    void aLineWithoutTheKeysMacIsNoLease() throws Exception {
        Path file = dir.resolve("lease");
        // Someone who can write the file but has no cluster key claims it for b until far ahead.
        Files.writeString(file, "b 99999999999 " + "0".repeat(64) + "\n");
        assertTrue(LeaseFile.acquire(file, "a", 1000, 6000, 2000, KEY).held(), "the forged line does not hold a back");
        byte[] otherKey = "another cluster key, 32 bytes!!!".getBytes();
        assertTrue(LeaseFile.acquire(file, "b", 2000, 6000, 2000, otherKey).held(), "a line of another key is no lease either");
    }

    @Test
    void aSymbolicLinkOrAFileOthersMayWriteIsRefused() throws Exception {
        Path target = dir.resolve("elsewhere");
        Files.writeString(target, "");
        Path link = dir.resolve("lease-link");
        Files.createSymbolicLink(link, target);
        IOException e = assertThrows(IOException.class, () -> LeaseFile.acquire(link, "a", 0, 6000, 2000, KEY));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertEquals("", Files.readString(target), "nothing written through the link");

        Path loose = dir.resolve("loose");
        Files.writeString(loose, "");
        Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertTrue(assertThrows(IOException.class, () -> LeaseFile.acquire(loose, "a", 0, 6000, 2000, KEY))
                .getMessage().contains("writable by others"));
    }

    /** Needs root to give the file away; runs in CI (root). */
    @Test
    void aFileOwnedBySomeoneElseIsRefused() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        Path file = dir.resolve("foreign");
        Files.writeString(file, "");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        Files.setOwner(file, file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        assertTrue(assertThrows(IOException.class, () -> LeaseFile.acquire(file, "a", 0, 6000, 2000, KEY))
                .getMessage().contains("owned by nobody"));
    }
}
