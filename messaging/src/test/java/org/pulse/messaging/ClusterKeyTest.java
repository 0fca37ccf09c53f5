package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterKeyTest {
    @TempDir
    Path dir;

    @Test
    void generateWritesA32ByteFileWithMode0400ThatLoadsBack() throws IOException {
        Path f = dir.resolve("authkey");
        ClusterKey k = ClusterKey.generate(f);
        assertEquals("r--------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertEquals(32, Files.size(f));
        ClusterKey loaded = ClusterKey.load(f);
        assertEquals(k, loaded);
        assertEquals(k.fingerprint(), loaded.fingerprint());
        assertEquals(16, k.fingerprint().length());
        assertTrue(!k.toString().contains(java.util.HexFormat.of().formatHex(Files.readAllBytes(f))), "toString hides the key");
        assertNotEquals(k, ClusterKey.generate(dir.resolve("other")), "two keys differ");
    }

    @Test
    void generateRefusesToOverwrite() throws IOException {
        Path f = dir.resolve("authkey");
        ClusterKey.generate(f);
        byte[] before = Files.readAllBytes(f);
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> ClusterKey.generate(f));
        assertTrue(e.getMessage().contains("refusing to overwrite"), e.getMessage());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(f)), "the old key is untouched");
        assertThrows(NoSuchFileException.class, () -> ClusterKey.generate(dir.resolve("missing-dir/authkey")));
    }

    @Test
    void loadRefusesLoosePermissionsWithTheFix() throws IOException {
        Path f = dir.resolve("authkey");
        ClusterKey.generate(f);
        for (String mode : new String[] {"r--r-----", "r-----r--", "rw-rw-rw-", "r---w----"}) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(mode));
            IOException e = assertThrows(IOException.class, () -> ClusterKey.load(f), mode);
            assertTrue(e.getMessage().contains("chmod 0400 " + f), e.getMessage());
        }
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        ClusterKey.load(f); // owner read-write is fine
    }

    @Test
    void loadRefusesWrongSizeAndMissingFile() throws IOException {
        Path f = dir.resolve("short");
        Files.write(f, new byte[31]);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--------"));
        IOException e = assertThrows(IOException.class, () -> ClusterKey.load(f));
        assertTrue(e.getMessage().contains("31 bytes, expected exactly 32"), e.getMessage());
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> ClusterKey.load(dir.resolve("nope")));
        assertTrue(missing.getMessage().contains("--generate-key"), missing.getMessage());
        assertThrows(IOException.class, () -> ClusterKey.load(dir));
    }

    @Test
    void loadRefusesASymbolicLinkEvenToAGoodKey() throws IOException {
        Path real = dir.resolve("real-key");
        ClusterKey.generate(real);
        Path link = dir.resolve("authkey-link");
        java.nio.file.Files.createSymbolicLink(link, real);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ClusterKey.load(link));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
    }

    /** Needs root to give the file away; runs in CI (root). */
    @Test
    void loadRefusesAKeyOwnedBySomeoneElse() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to chown");
        Path key = dir.resolve("foreign-key");
        ClusterKey.generate(key);
        java.nio.file.attribute.UserPrincipal nobody = key.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        java.nio.file.Files.setOwner(key, nobody);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ClusterKey.load(key));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("owned by nobody"), e.getMessage());
    }
}
