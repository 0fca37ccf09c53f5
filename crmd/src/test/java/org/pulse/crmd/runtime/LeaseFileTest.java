package org.pulse.crmd.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LeaseFileTest {
    @Test
    void oneHolderAtATimeUntilItsLeaseExpires() throws Exception {
        Path file = Files.createTempDirectory("pulse-lease-").resolve("lease");
        LeaseFile.Result a = LeaseFile.acquire(file, "a", 10_000, 6000, 2000);
        assertTrue(a.held());
        assertEquals(14_000, a.validUntilMs(), "the holder stops counting on it 2 s before the expiry it wrote");
        assertEquals("a 16000", Files.readString(file).strip());
        LeaseFile.Result b = LeaseFile.acquire(file, "b", 15_999, 6000, 2000);
        assertFalse(b.held(), "b took a lease a holds until 16000");
        assertEquals("a", b.owner());
        assertTrue(LeaseFile.acquire(file, "a", 15_000, 6000, 2000).held(), "a renews its own lease");
        assertFalse(LeaseFile.acquire(file, "b", 20_999, 6000, 2000).held(), "renewed until 21000");
        assertTrue(LeaseFile.acquire(file, "b", 21_000, 6000, 2000).held(), "an expired lease goes to whoever asks");
        assertEquals("b 27000", Files.readString(file).strip());
    }

    @Test
    void onlyTheHolderLetsGoAndADamagedFileDoesNotBlockForever() throws Exception {
        Path file = Files.createTempDirectory("pulse-lease-").resolve("lease");
        assertTrue(LeaseFile.acquire(file, "a", 0, 6000, 2000).held());
        LeaseFile.release(file, "b");
        assertFalse(LeaseFile.acquire(file, "b", 1000, 6000, 2000).held(), "b let go of a's lease");
        LeaseFile.release(file, "a");
        assertTrue(LeaseFile.acquire(file, "b", 1000, 6000, 2000).held(), "a let go: b takes it at once");
        Files.writeString(file, "c soon\n");
        assertTrue(LeaseFile.acquire(file, "a", 1000, 6000, 2000).held(), "an unreadable expiry counts as expired");
    }
}
